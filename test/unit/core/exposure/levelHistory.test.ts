import { describe, expect, it } from 'vitest';
import { LevelHistory, type LevelPoint } from '../../../../src-main/core/exposure/levelHistory';

const point = (timeMs: number, flipUsd: number | null = 90_000 + timeMs): LevelPoint => ({
  timeMs, spotUsd: 95_000, flipUsd, callWallUsd: 100_000, putWallUsd: 90_000, gexUsdPer1Pct: timeMs,
});

describe('LevelHistory', () => {
  it('keeps points in market-time order; a point at the same time replaces the last, an older one is dropped', () => {
    const h = new LevelHistory(10);
    h.add(point(1));
    h.add(point(2));
    h.add(point(2, null));
    h.add(point(1, 5));
    expect(h.all.map((p) => [p.timeMs, p.flipUsd])).toEqual([[1, 90_001], [2, null]]);
  });

  it('stays within its capacity over a long session, covering it from the first point to the latest at a coarser step', () => {
    const h = new LevelHistory(16);
    for (let t = 0; t <= 10_000; t += 10) h.add(point(t));
    expect(h.all.length).toBeLessThanOrEqual(16);
    expect(h.all[0]!.timeMs).toBe(0);
    expect(h.all.at(-1)!.timeMs).toBe(10_000); // the latest value is always there
    const times = h.all.map((p) => p.timeMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Evenly covered: no gap much larger than the mean step.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(3 * (10_000 / (times.length - 1)));
  });

  it('is deterministic: the same points give the same history', () => {
    const a = new LevelHistory(8);
    const b = new LevelHistory(8);
    for (let t = 0; t < 500; t += 7) {
      a.add(point(t));
      b.add(point(t));
    }
    expect(b.all).toEqual(a.all);
  });
});
