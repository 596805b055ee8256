import { describe, expect, it } from 'vitest';
import { expectedShortfall, intervalChanges, worstDrawdown } from '../../../../src-main/core/backtest/metrics';

describe('worstDrawdown', () => {
  it('is the largest fall from the running peak, the start counting as a peak of 0', () => {
    // By hand: peaks 0, 3, 3, 5, 5; falls 0, 0, 2, 0, 4 → 4.
    expect(worstDrawdown([1, 3, 1, 5, 1])).toBe(4);
    // A path that only falls: its lowest point below the start.
    expect(worstDrawdown([-1, -2, -0.5, -3])).toBe(3);
    // A path that only rises has none.
    expect(worstDrawdown([0.5, 1, 2])).toBe(0);
    expect(worstDrawdown([])).toBe(0);
  });
});

describe('intervalChanges', () => {
  it('gives the change between consecutive points, the first from 0, and they add up to the last point', () => {
    const path = [-0.1, 0.4, 0.3, 1.2];
    const changes = intervalChanges(path);
    expect(changes.map((c) => Number(c.toFixed(12)))).toEqual([-0.1, 0.5, -0.1, 0.9]);
    expect(changes.reduce((a, b) => a + b, 0)).toBeCloseTo(path.at(-1)!, 15);
  });
});

describe('expectedShortfall (historical, of interval P&L)', () => {
  it('averages the worst ⌈(1 − α) n⌉ intervals as a loss', () => {
    // 40 intervals at 95 %: the worst 2 (−7 and −5) → 6.
    const changes = Array.from({ length: 40 }, (_, i) => (i === 3 ? -7 : i === 17 ? -5 : i % 3));
    expect(expectedShortfall(changes, 0.95)).toEqual({ value: 6, level: 0.95, intervals: 40, tail: 2, reason: null });
    // Exactly 20 intervals: (1 − 0.95) × 20 is one interval, not two (binary 0.05 is slightly above 1/20).
    const twenty = Array.from({ length: 20 }, (_, i) => (i === 0 ? -3 : i === 1 ? -2 : 1));
    expect(expectedShortfall(twenty, 0.95)).toMatchObject({ value: 3, tail: 1 });
  });

  it('is the single worst interval when there are few, and says how few', () => {
    expect(expectedShortfall([0.2, -0.4, 0.1], 0.95)).toEqual({ value: 0.4, level: 0.95, intervals: 3, tail: 1, reason: null });
    // Gains only: the "loss" is negative (the smallest gain).
    expect(expectedShortfall([0.2, 0.4], 0.95).value).toBe(-0.2);
  });

  it('is null with a reason on no interval, and refuses a level outside (0, 1)', () => {
    expect(expectedShortfall([], 0.95)).toMatchObject({ value: null, intervals: 0 });
    expect(() => expectedShortfall([1], 1)).toThrow(/level must lie in \(0, 1\)/);
  });

  it('never falls below the mean loss, and grows as the level rises (a coherent tail mean)', () => {
    const changes = Array.from({ length: 200 }, (_, i) => Math.sin(i * 1.7) * (1 + (i % 7)));
    const mean = changes.reduce((a, b) => a + b, 0) / changes.length;
    const es90 = expectedShortfall(changes, 0.9).value!;
    const es99 = expectedShortfall(changes, 0.99).value!;
    expect(es90).toBeGreaterThanOrEqual(-mean);
    expect(es99).toBeGreaterThanOrEqual(es90);
    // 200 intervals at 99 %: the two worst.
    const [worst, second] = changes.slice().sort((a, b) => a - b);
    expect(es99).toBeCloseTo(-(worst! + second!) / 2, 15);
  });
});
