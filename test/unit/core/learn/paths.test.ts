/**
 * Path simulators: martingale property, moments against closed forms, determinism by seed.
 * Closed forms: GBM log-return variance sigma^2 T; Heston E[v_T] = theta + (v0 - theta) e^{-kappa T} (Heston 1993,
 * the CIR mean); Merton log-return variance (sigma^2 + lambda (mu_J^2 + s_J^2)) T (Merton 1976).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { bootstrapPaths, simulateGbm, simulateHeston, simulateMerton, type PathSet } from '../../../../src-main/core/sim/paths';

function terminal(set: PathSet): Float64Array {
  return set.spot.subarray(set.steps * set.paths);
}

function meanAndSe(values: Float64Array): { mean: number; se: number; variance: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  const variance = squares / (values.length - 1);
  return { mean, se: Math.sqrt(variance / values.length), variance };
}

function logReturns(set: PathSet, s0: number): Float64Array {
  return terminal(set).map((s) => Math.log(s / s0));
}

describe('simulateGbm', () => {
  const spec = { paths: 50_000, steps: 30, dt: 1 / 365, s0: 100, sigma: 0.2 };
  const set = simulateGbm(spec, new Rng(11));

  it('is a martingale and has log-variance sigma^2 T', () => {
    const { mean, se } = meanAndSe(terminal(set));
    expect(Math.abs(mean - 100)).toBeLessThan(4 * se);
    const { variance } = meanAndSe(logReturns(set, 100));
    const expected = 0.04 * 30 / 365;
    // Relative se of a sample variance of normals: sqrt(2 / n).
    expect(Math.abs(variance / expected - 1)).toBeLessThan(4 * Math.sqrt(2 / spec.paths));
  });

  it('gives the same paths for the same seed and other paths for another', () => {
    const again = simulateGbm(spec, new Rng(11)).spot;
    let differences = 0;
    for (let i = 0; i < again.length; i++) if (again[i] !== set.spot[i]) differences++;
    expect(differences).toBe(0);
    expect(simulateGbm(spec, new Rng(12)).spot[spec.paths * 5]).not.toBe(set.spot[spec.paths * 5]);
  });

  it('rejects a bad grid naming the field', () => {
    expect(() => simulateGbm({ ...spec, paths: 0 }, new Rng(1))).toThrow(/paths/);
    expect(() => simulateGbm({ ...spec, dt: Number.NaN }, new Rng(1))).toThrow(/dt/);
    expect(() => simulateGbm({ ...spec, s0: -1 }, new Rng(1))).toThrow(/s0/);
  });
});

describe('simulateHeston', () => {
  const spec = { paths: 40_000, steps: 60, dt: 1 / 365, s0: 100, v0: 0.04, kappa: 2, theta: 0.09, xi: 0.5, rho: -0.7 };
  const set = simulateHeston(spec, new Rng(5));

  it('is a martingale in the spot and has the CIR mean variance', () => {
    const { mean, se } = meanAndSe(terminal(set));
    expect(Math.abs(mean - 100)).toBeLessThan(4 * se);
    const vT = set.variance!.subarray(spec.steps * spec.paths);
    const v = meanAndSe(vT);
    const t = spec.steps * spec.dt;
    const expected = spec.theta + (spec.v0 - spec.theta) * Math.exp(-spec.kappa * t);
    // Euler bias O(dt) is far below the sampling error here.
    expect(Math.abs(v.mean - expected)).toBeLessThan(4 * v.se + 1e-3);
  });

  it('with xi = 0 and v0 = theta is Black-Scholes (same log-variance)', () => {
    const flat = simulateHeston({ ...spec, xi: 0, v0: 0.04, theta: 0.04 }, new Rng(6));
    const { variance } = meanAndSe(logReturns(flat, 100));
    const expected = 0.04 * spec.steps * spec.dt;
    expect(Math.abs(variance / expected - 1)).toBeLessThan(4 * Math.sqrt(2 / spec.paths));
  });
});

describe('simulateMerton', () => {
  const spec = { paths: 60_000, steps: 30, dt: 1 / 365, s0: 100, sigma: 0.2, jumpIntensity: 10, jumpMean: -0.05, jumpStd: 0.1 };
  const set = simulateMerton(spec, new Rng(9));

  it('is a martingale (compensated jumps) with the Merton log-variance', () => {
    const { mean, se } = meanAndSe(terminal(set));
    expect(Math.abs(mean - 100)).toBeLessThan(4 * se);
    const t = spec.steps * spec.dt;
    const expected = (0.04 + spec.jumpIntensity * (0.05 ** 2 + 0.1 ** 2)) * t;
    const { variance } = meanAndSe(logReturns(set, 100));
    // Jumps fatten the tails: allow 4 x a kurtosis-inflated relative se.
    expect(Math.abs(variance / expected - 1)).toBeLessThan(4 * Math.sqrt(6 / spec.paths));
  });

  it('with no jumps matches GBM in distribution (same log-variance)', () => {
    const plain = simulateMerton({ ...spec, jumpIntensity: 0 }, new Rng(9));
    const { variance } = meanAndSe(logReturns(plain, 100));
    expect(Math.abs(variance / (0.04 * 30 / 365) - 1)).toBeLessThan(4 * Math.sqrt(2 / spec.paths));
  });
});

describe('bootstrapPaths', () => {
  it('concatenates blocks of consecutive observed returns (shifted to a martingale)', () => {
    const returns = Float64Array.from({ length: 200 }, (_, i) => 0.001 * Math.sin(i) + 0.0005);
    const set = bootstrapPaths({ paths: 3, steps: 12, dt: 1 / (365 * 24), s0: 1, logReturns: returns, blockLength: 4 }, new Rng(3));
    let sum = 0;
    for (const r of returns) sum += Math.exp(r);
    const shift = -Math.log(sum / returns.length);
    for (let i = 0; i < 3; i++) {
      for (let block = 0; block < 3; block++) {
        const step = (k: number): number => Math.log(set.spot[(k + 1) * 3 + i]! / set.spot[k * 3 + i]!) - shift;
        const first = step(block * 4);
        const start = returns.findIndex((r) => Math.abs(r - first) < 1e-12);
        expect(start).toBeGreaterThanOrEqual(0);
        for (let j = 1; j < 4; j++) expect(step(block * 4 + j)).toBeCloseTo(returns[start + j]!, 12);
      }
    }
  });

  it('is a martingale whatever the drift of the sample', () => {
    const rng = new Rng(4);
    const returns = Float64Array.from({ length: 5000 }, () => 0.002 + 0.01 * rng.nextNormal());
    const set = bootstrapPaths({ paths: 20_000, steps: 24, dt: 1 / (365 * 24), s0: 1, logReturns: returns, blockLength: 6 }, new Rng(8));
    const { mean, se } = meanAndSe(terminal(set));
    expect(Math.abs(mean - 1)).toBeLessThan(4 * se);
  });

  it('draws only the allowed block starts; all of them draw as the default does; a bad start is refused', () => {
    const returns = Float64Array.from({ length: 20 }, (_, i) => 0.001 * i);
    const spec = { paths: 500, steps: 8, dt: 1 / 365, s0: 1, logReturns: returns, blockLength: 4, martingale: false };
    // Only the blocks starting at 2 and 11: each block's first return is 0.002 or 0.011.
    const set = bootstrapPaths({ ...spec, blockStarts: [2, 11] }, new Rng(5));
    const firsts = new Set<number>();
    for (let i = 0; i < 500; i++) for (const k of [0, 4]) firsts.add(Math.round(Math.log(set.spot[(k + 1) * 500 + i]! / set.spot[k * 500 + i]!) * 1e6));
    expect([...firsts].sort((a, b) => a - b)).toEqual([2000, 11_000]);
    // Every start 0..16 allowed: the same draws as without the list.
    const all = bootstrapPaths({ ...spec, blockStarts: Array.from({ length: 17 }, (_, j) => j) }, new Rng(6));
    expect(all.spot).toEqual(bootstrapPaths(spec, new Rng(6)).spot);
    expect(() => bootstrapPaths({ ...spec, blockStarts: [] }, new Rng(1))).toThrow('bootstrap has no block of 4 returns to draw (every block spans a gap of the data)');
    expect(() => bootstrapPaths({ ...spec, blockStarts: [0, 17] }, new Rng(1))).toThrow('block start 1 is 17, not in 0..16');
  });

  it('names a non-finite return', () => {
    const returns = Float64Array.from([0.01, Number.NaN, 0.02, 0.01]);
    expect(() => bootstrapPaths({ paths: 1, steps: 2, dt: 1, s0: 1, logReturns: returns, blockLength: 2 }, new Rng(1))).toThrow(/log return 1/);
  });
});
