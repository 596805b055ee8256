import { describe, expect, it } from 'vitest';
import { alignZeroRanges, labelRows, niceStep, niceTicks, priceLabel, rangeWithZero, signedPercent } from '../../../src-renderer/lib/axis';

describe('nice ticks', () => {
  it('cuts a span into 1, 2 or 5 × 10^k steps', () => {
    expect(niceStep(38_000, 6)).toBe(10_000);
    expect(niceStep(38_000, 8)).toBe(5_000);
    expect(niceStep(1_200, 6)).toBe(200);
    expect(niceStep(0.37, 4)).toBe(0.1);
  });

  it('gives round strikes for the ±20 % window around BTC spot (not 80,820 or 85,575)', () => {
    expect(niceTicks(76_007, 113_995, 8)).toEqual([80_000, 85_000, 90_000, 95_000, 100_000, 105_000, 110_000]);
    expect(niceTicks(2_400.5, 3_600.2, 6)).toEqual([2_400, 2_600, 2_800, 3_000, 3_200, 3_400, 3_600].filter((t) => t >= 2_400.5));
  });

  it('puts an exact 0 on a range that spans zero', () => {
    const ticks = niceTicks(-23e6, 41e6, 5);
    expect(ticks).toContain(0);
    expect(ticks.every((t) => Number.isInteger(t / 1e7))).toBe(true);
  });
});

describe('aligned zeros', () => {
  const zeroShare = (r: { min: number; max: number }): number => r.max / (r.max - r.min);

  it('puts 0 at the same height on both axes, each range holding its data', () => {
    const [right, left] = alignZeroRanges({ min: -20e6, max: 60e6 }, { min: -1e3, max: 9e3 });
    expect(zeroShare(right)).toBeCloseTo(zeroShare(left), 12);
    expect(right.min).toBeLessThanOrEqual(-20e6);
    expect(right.max).toBeGreaterThanOrEqual(60e6);
    expect(left.min).toBeLessThanOrEqual(-1e3);
    expect(left.max).toBeGreaterThanOrEqual(9e3);
  });

  it('keeps a flat (all-zero) book on the market zero', () => {
    const [right, left] = alignZeroRanges(rangeWithZero([-5, 30, 12]), rangeWithZero([0, 0, 0]));
    expect(zeroShare(left)).toBeCloseTo(zeroShare(right), 12);
  });

  it('leaves room below zero for a secondary with negatives when the primary is all positive', () => {
    const [right, left] = alignZeroRanges({ min: 0, max: 100 }, { min: -50, max: 10 });
    expect(zeroShare(right)).toBeCloseTo(zeroShare(left), 12);
    expect(left.min).toBeLessThanOrEqual(-50);
    expect(right.min).toBeLessThan(0);
  });
});

describe('label rows', () => {
  it('moves a label that would overlap its neighbour to the next row', () => {
    // "put wall" and "flip" 20 px apart, 50 px wide each: two rows; a far label goes back to the first.
    expect(labelRows([{ x: 100, width: 50 }, { x: 120, width: 50 }, { x: 300, width: 50 }])).toEqual([0, 1, 0]);
  });
});

describe('labels', () => {
  it('formats prices with thousands separators and distances with a sign', () => {
    expect(priceLabel(85_000)).toBe('85,000');
    expect(priceLabel(2_512.5, 0.5)).toBe('2,512.5');
    expect(signedPercent(2.345)).toBe('+2.35 %');
    expect(signedPercent(-0.8)).toBe('−0.80 %');
    expect(signedPercent(null)).toBe('–');
  });
});
