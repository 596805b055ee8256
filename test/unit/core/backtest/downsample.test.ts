import { describe, expect, it } from 'vitest';
import { downsampleIndices, worstDrawdownPoints } from '../../../../src-main/core/backtest/downsample';
import { worstDrawdown } from '../../../../src-main/core/backtest/metrics';
import { Rng } from '../../../../src-main/core/random';

/** A seeded random walk (a P&L path), with a crash placed at `crashAt` so the worst drawdown is known to be there. */
function walk(n: number, seed: number, crashAt: number | null = null): number[] {
  const rng = new Rng(seed);
  const path: number[] = [];
  let value = 0;
  for (let i = 0; i < n; i++) {
    value += rng.nextNormal() * 0.01 + (i === crashAt ? -5 : 0);
    path.push(value);
  }
  return path;
}

describe('worstDrawdownPoints', () => {
  it('finds the peak and trough whose fall metrics.worstDrawdown reports, the start counting as a peak of 0', () => {
    // By hand (metrics.test.ts's path): peaks 0, 3, 3, 5, 5; the worst fall is 5 (index 3) → 1 (index 4).
    expect(worstDrawdownPoints([1, 3, 1, 5, 1])).toEqual({ peak: 3, trough: 4 });
    // Only falling: the peak is the start (no point), the trough the lowest point.
    expect(worstDrawdownPoints([-1, -2, -0.5, -3])).toEqual({ peak: null, trough: 3 });
    expect(worstDrawdownPoints([0.5, 1, 2])).toEqual({ peak: null, trough: null });
    for (const seed of [1, 2, 3]) {
      const path = walk(5000, seed);
      const { peak, trough } = worstDrawdownPoints(path);
      expect((peak === null ? 0 : path[peak]!) - path[trough!]!).toBe(worstDrawdown(path));
    }
  });
});

describe('downsampleIndices', () => {
  it('keeps every point of a short path', () => {
    expect(downsampleIndices([[1, 2, 3]], 2000)).toEqual([0, 1, 2]);
    expect(downsampleIndices([[]], 2000)).toEqual([]);
  });

  it('keeps at most maxPoints, sorted, with the first, the last and the worst drawdown (coin and USD) as on the whole path', () => {
    for (const [n, seed, max] of [[100_000, 7, 2000], [2001, 8, 2000], [50_000, 9, 10], [10_000, 10, 101]] as const) {
      const coin = walk(n, seed, Math.floor(n / 3));
      const usd = walk(n, seed + 100, Math.floor((2 * n) / 3));
      const keep = downsampleIndices([coin, usd], max);
      expect(keep.length).toBeLessThanOrEqual(max);
      expect(keep[0]).toBe(0);
      expect(keep.at(-1)).toBe(n - 1);
      for (let i = 1; i < keep.length; i++) expect(keep[i]!).toBeGreaterThan(keep[i - 1]!);
      // The drawdown read off the kept points is the whole path's (peak and trough kept; a subsequence cannot fall more).
      expect(worstDrawdown(keep.map((i) => coin[i]!))).toBe(worstDrawdown(coin));
      expect(worstDrawdown(keep.map((i) => usd[i]!))).toBe(worstDrawdown(usd));
    }
  });

  it('keeps each bucket’s lowest and highest point: the path’s extremes survive and the budget is used', () => {
    const path = walk(100_000, 11);
    const keep = downsampleIndices([path], 2000);
    const kept = keep.map((i) => path[i]!);
    expect(Math.min(...kept)).toBe(Math.min(...path));
    expect(Math.max(...kept)).toBe(Math.max(...path));
    // 4 fixed points at most, then 998 buckets of two: nearly the whole budget.
    expect(keep.length).toBeGreaterThan(1990);
  });

  it('keeps every bucket’s extremes of each series: a point that is the extreme of any series around it is kept', () => {
    // Min/max decimation of several series, checked without the buckets themselves: with at most 2000 points and two
    // series, 498 buckets at least (2000 − 6 fixed points, 4 per bucket) cover the 59 998 interior points, each
    // ≤ 121 points wide. A point that is the strict minimum or maximum of its series over the 125 points either side
    // holds that extreme of its own bucket, so it must be kept, whichever series it belongs to.
    const n = 60_000;
    const coin = walk(n, 12);
    // The USD path is not a rescaled coin path here: an independent walk, so its bucket extremes are elsewhere.
    const usd = walk(n, 13);
    const keep = new Set(downsampleIndices([coin, usd], 2000));
    expect(keep.size).toBeLessThanOrEqual(2000);
    const w = 125;
    let checked = 0;
    for (const values of [coin, usd]) {
      for (let i = 1; i < n - 1; i++) {
        let lowest = true;
        let highest = true;
        for (let j = Math.max(1, i - w); j <= Math.min(n - 2, i + w) && (lowest || highest); j++) {
          if (j === i) continue;
          if (values[j]! <= values[i]!) lowest = false;
          if (values[j]! >= values[i]!) highest = false;
        }
        if (lowest || highest) {
          checked++;
          if (!keep.has(i)) throw new Error(`point ${i} is the ${lowest ? 'lowest' : 'highest'} of its series within ${w} points and was dropped`);
        }
      }
    }
    // Not vacuous: a few hundred such points per series.
    expect(checked).toBeGreaterThan(200);
  });

  it('refuses a budget too small to hold the fixed points, and series of different lengths', () => {
    expect(() => downsampleIndices([[1, 2, 3, 4, 5, 6, 7, 8]], 5)).toThrow('maxPoints must be an integer ≥ 6 (2 + 4 per series, 1 series), got 5');
    expect(() => downsampleIndices([[1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8]], 9)).toThrow('maxPoints must be an integer ≥ 10 (2 + 4 per series, 2 series), got 9');
    expect(() => downsampleIndices([[1, 2, 3, 4, 5, 6, 7, 8], [1, 2]], 10)).toThrow('the series have 2 and 8 points: one path has one length');
    expect(() => downsampleIndices([], 10)).toThrow('downsampleIndices needs at least one series');
  });
});
