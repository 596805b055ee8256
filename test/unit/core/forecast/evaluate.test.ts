/**
 * Losses, the Diebold-Mariano statistic and the boosted trees: identities and limits.
 */
import { describe, expect, it } from 'vitest';
import { dieboldMariano, ewmaSeries, qlike, squaredError } from '../../../../src-main/core/forecast/evaluate';
import { fitGbt, predictGbt } from '../../../../src-main/core/forecast/gbt';
import { Rng } from '../../../../src-main/core/random';

describe('losses', () => {
  it('QLIKE is 0 at a perfect forecast, positive otherwise, and punishes under-forecasts more (Patton 2011)', () => {
    expect(qlike(0.04, 0.04)).toBe(0);
    expect(qlike(0.04, 0.02)).toBeCloseTo(2 - Math.log(2) - 1, 15);
    expect(qlike(0.04, 0.02)).toBeGreaterThan(qlike(0.04, 0.08));
    expect(squaredError(3, 1)).toBe(4);
  });

  it('EWMA: e_0 = x_0, then lambda-weighted; rejects a decay outside (0, 1)', () => {
    expect(ewmaSeries([1, 2, 3], 0.5)).toEqual([1, 1.5, 2.25]);
    expect(() => ewmaSeries([1], 1)).toThrow(/decay/);
  });
});

describe('Diebold-Mariano', () => {
  it('h = 1: the HLN-corrected t-statistic of the mean loss difference (population variance), two-sided normal p', () => {
    const rng = new Rng(5);
    const a = Array.from({ length: 200 }, () => 1 + rng.nextNormal());
    const b = Array.from({ length: 200 }, () => 1.3 + rng.nextNormal());
    const dm = dieboldMariano(a, b, 1);
    const d = a.map((v, i) => v - b[i]!);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length;
    const expected = Math.sqrt((200 - 1) / 200) * (mean / Math.sqrt(variance / 200));
    expect(dm.statistic).toBeCloseTo(expected, 12);
    expect(dm.statistic!).toBeLessThan(-1.96); // a is better by 0.3 per point, difference sd 1.4, n = 200: about -3 expected
    expect(dm.pValue!).toBeLessThan(0.05);
    // Swapping the models flips the sign and keeps the p-value.
    const swapped = dieboldMariano(b, a, 1);
    expect(swapped.statistic).toBeCloseTo(-dm.statistic!, 12);
    expect(swapped.pValue).toBeCloseTo(dm.pValue!, 12);
  });

  it('identical losses or too few pairs give null with the reason; misaligned series throw', () => {
    expect(dieboldMariano([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1)).toMatchObject({ statistic: null, reason: 'the loss difference has zero variance' });
    expect(dieboldMariano([1, 2], [2, 1], 1).reason).toMatch(/only 2 forecast pairs/);
    expect(() => dieboldMariano([1], [1, 2], 1)).toThrow(/aligned/);
  });

  it('h > 1: overlapping (MA(h-1)) loss differences widen the variance (Newey-West) and shrink |DM|', () => {
    const rng = new Rng(6);
    const shocks = Array.from({ length: 500 }, () => rng.nextNormal());
    // d_t = -0.2 + mean of 10 consecutive shocks: strongly autocorrelated, like 10-day forecast errors.
    const d = shocks.slice(9).map((_, i) => -0.2 + shocks.slice(i, i + 10).reduce((s, v) => s + v, 0) / 10);
    const zeros = d.map(() => 0);
    expect(Math.abs(dieboldMariano(d, zeros, 10).statistic!)).toBeLessThan(Math.abs(dieboldMariano(d, zeros, 1).statistic!) / 2);
  });
});

describe('gradient-boosted trees', () => {
  it('learn a step and an interaction that a linear model cannot, and predict new points', () => {
    const rng = new Rng(11);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = rng.nextFloat();
      const b = rng.nextFloat();
      x.push([a, b]);
      y.push((a > 0.5 ? 1 : 0) + (a > 0.5 && b > 0.5 ? 2 : 0) + 0.05 * rng.nextNormal());
    }
    const model = fitGbt(x, y, ['a', 'b'], new Rng(12), { trees: 200, depth: 2, learningRate: 0.1, minLeaf: 20, subsample: 0.8 });
    expect(predictGbt(model, [0.2, 0.9])).toBeCloseTo(0, 1);
    expect(predictGbt(model, [0.8, 0.2])).toBeCloseTo(1, 1);
    expect(predictGbt(model, [0.8, 0.8])).toBeCloseTo(3, 1);
    // The model is plain JSON and deterministic for a seed.
    const again = fitGbt(x, y, ['a', 'b'], new Rng(12), { trees: 200, depth: 2, learningRate: 0.1, minLeaf: 20, subsample: 0.8 });
    expect(JSON.parse(JSON.stringify(model))).toEqual(again);
  });

  it('rejects non-finite features naming the row and feature, and too few rows', () => {
    expect(() => fitGbt([[1], [Number.NaN]], [1, 2], ['level'], new Rng(1), { trees: 1, depth: 1, learningRate: 0.1, minLeaf: 1, subsample: 1 })).toThrow(/row 1 feature level is NaN/);
    expect(() => fitGbt([[1]], [1], ['level'], new Rng(1))).toThrow(/too few/);
  });
});
