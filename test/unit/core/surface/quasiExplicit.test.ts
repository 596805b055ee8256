import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { calibrateRawSvi, solveInner } from '../../../../src-main/core/surface/quasiExplicit';
import { sviTotalVariance, type RawSvi } from '../../../../src-main/core/surface/svi';

function sample(p: RawSvi, ks: number[], noise = 0, rng?: Rng): { k: Float64Array; totalVariance: Float64Array; weight: Float64Array } {
  return {
    k: Float64Array.from(ks),
    totalVariance: Float64Array.from(ks.map((k) => sviTotalVariance(p, k) * (1 + noise * (rng ? rng.nextNormal() : 0)))),
    weight: new Float64Array(ks.length).fill(1),
  };
}

const grid = (from: number, to: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));

describe('quasi-explicit raw SVI calibration (Zeliade 2009)', () => {
  // Known slices: a crypto-like short expiry (T ~ 1 week, skewed), a 3-month and a 1-year one with a < 0.
  const slices: RawSvi[] = [
    { a: 0.0008, b: 0.03, rho: -0.2, m: 0.01, sigma: 0.05 },
    { a: 0.01, b: 0.08, rho: -0.35, m: 0.05, sigma: 0.15 },
    { a: -0.02, b: 0.12, rho: 0.1, m: -0.1, sigma: 0.6 },
  ];

  it('recovers known parameters from exact total variances', () => {
    for (const truth of slices) {
      const width = 4 * Math.max(truth.sigma, 0.05);
      const fit = calibrateRawSvi(sample(truth, grid(truth.m - width, truth.m + width, 25)));
      for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) expect(fit.params[key], key).toBeCloseTo(truth[key], 5);
      expect(fit.objective).toBeLessThan(1e-14);
    }
  });

  it('recovers them within the noise from data with 0.5 % relative noise (seeded)', () => {
    const rng = new Rng(7);
    const truth = slices[1]!;
    const ks = grid(-0.5, 0.6, 40);
    const fit = calibrateRawSvi(sample(truth, ks, 0.005, rng));
    // The fitted curve, not each parameter, is what the data pin down: within 0.5 % of the true variance.
    for (const k of ks) expect(Math.abs(sviTotalVariance(fit.params, k) / sviTotalVariance(truth, k) - 1)).toBeLessThan(0.005);
  });

  it('refits from a previous fit in fewer evaluations to the same slice', () => {
    const truth = slices[1]!;
    const ks = grid(-0.5, 0.6, 40);
    const cold = calibrateRawSvi(sample(truth, ks));
    const moved = { ...truth, a: truth.a * 1.02, m: truth.m + 0.005 };
    const warm = calibrateRawSvi(sample(moved, ks), { start: cold.params });
    const coldAgain = calibrateRawSvi(sample(moved, ks));
    expect(warm.evaluations).toBeLessThan(coldAgain.evaluations);
    for (const k of ks) expect(sviTotalVariance(warm.params, k)).toBeCloseTo(sviTotalVariance(moved, k), 7);
  });

  it('solves the inner problem exactly: no (a, d, c) in the domain does better', () => {
    // Brute force over a grid of the feasible polytope for a fixed (m, sigma) against the KKT answer.
    const data = sample({ a: 0.004, b: 0.6, rho: -0.9, m: 0, sigma: 0.1 }, grid(-0.4, 0.4, 21)); // wings beyond Lee's bound: constrained
    const m = 0.02, sigma = 0.08;
    const out = { a: 0, d: 0, c: 0, objective: 0 };
    let maxW = 0;
    for (const w of data.totalVariance) maxW = Math.max(maxW, w);
    const best = solveInner(data, m, sigma, maxW, out);
    expect(out.c + Math.abs(out.d)).toBeLessThanOrEqual(2 * sigma + 1e-12);
    let brute = Infinity;
    for (let c = 0; c <= 2 * sigma; c += sigma / 50) {
      for (let d = -c; d <= c; d += sigma / 50) {
        if (c + Math.abs(d) > 2 * sigma) continue;
        for (let a = -(c - Math.abs(d)); a <= maxW; a += maxW / 100) {
          let sum = 0;
          for (let i = 0; i < data.k.length; i++) {
            const y = (data.k[i]! - m) / sigma;
            const e = a + d * y + c * Math.sqrt(y * y + 1) - data.totalVariance[i]!;
            sum += e * e;
          }
          brute = Math.min(brute, sum);
        }
      }
    }
    expect(best).toBeLessThanOrEqual(brute + 1e-15);
    expect(best).toBeGreaterThan(brute * 0.8); // and the grid gets close to it: the same problem
  });

  it('refuses fewer than 5 points', () => {
    expect(() => calibrateRawSvi(sample(slices[0]!, [0, 0.1, 0.2, 0.3]))).toThrow(/at least 5 points/);
  });
});
