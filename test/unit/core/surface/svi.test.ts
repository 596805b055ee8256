import { describe, expect, it } from 'vitest';
import { butterflyViolations, repairButterfly } from '../../../../src-main/core/surface/arbitrage';
import {
  ssviToRaw, ssviTotalVariance, sviDurrlemanG, sviFirstDerivative, sviMinimumVariance, sviProblem, sviSecondDerivative,
  sviTotalVariance, type RawSvi,
} from '../../../../src-main/core/surface/svi';

// Axel Vogt's raw SVI slice, T = 1: Gatheral & Jacquier (2014), "Arbitrage-free SVI volatility surfaces", §3
// (Example 3.1), quoted in GammaDesk issue 13 item 6. GJ show g(k) < 0 roughly for k in (0.64, 1.26).
const VOGT: RawSvi = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };

describe('raw SVI', () => {
  it('has derivatives that agree with central differences (an identity, not a golden number)', () => {
    const h = 1e-5;
    for (const k of [-2, -0.7, 0, 0.3586, 1, 2.5]) {
      const fd1 = (sviTotalVariance(VOGT, k + h) - sviTotalVariance(VOGT, k - h)) / (2 * h);
      const fd2 = (sviTotalVariance(VOGT, k + h) - 2 * sviTotalVariance(VOGT, k) + sviTotalVariance(VOGT, k - h)) / (h * h);
      expect(sviFirstDerivative(VOGT, k)).toBeCloseTo(fd1, 8);
      expect(sviSecondDerivative(VOGT, k)).toBeCloseTo(fd2, 4);
    }
  });

  it('writes an SSVI slice as raw SVI exactly (GJ 2014 Lemma 3.3)', () => {
    const slice = { theta: 0.04, rho: -0.35, phi: 3.2 };
    const raw = ssviToRaw(slice);
    for (let k = -2; k <= 2; k += 0.05) expect(sviTotalVariance(raw, k)).toBeCloseTo(ssviTotalVariance(slice, k), 14);
  });

  it('names what is wrong with an invalid parameter set', () => {
    expect(sviProblem(VOGT)).toBeNull();
    expect(sviMinimumVariance(VOGT)).toBeGreaterThan(0);
    expect(sviProblem({ ...VOGT, rho: 1.2 })).toMatch(/rho/);
    expect(sviProblem({ ...VOGT, a: -1 })).toMatch(/minimum total variance/);
    expect(sviProblem({ ...VOGT, sigma: Number.NaN })).toMatch(/sigma is not a finite number/);
  });
});

describe('butterfly arbitrage in Vogt\'s slice (GJ 2014 §3)', () => {
  it('is flagged: g(k) < 0 on one interval near k = 0.64 .. 1.26', () => {
    const found = butterflyViolations(VOGT, { kMin: -1.5, kMax: 2.5, points: 4001 });
    expect(found).toHaveLength(1);
    expect(found[0]!.kFrom).toBeGreaterThan(0.62);
    expect(found[0]!.kFrom).toBeLessThan(0.66);
    expect(found[0]!.kTo).toBeGreaterThan(1.24);
    expect(found[0]!.kTo).toBeLessThan(1.28);
    expect(found[0]!.worst).toBeLessThan(-0.03); // GJ's Figure 2 shows g dipping to about -0.03
    expect(sviDurrlemanG(VOGT, 0)).toBeGreaterThan(0);
  });

  it('is repaired: the repaired slice has g >= 0 on a dense grid and stays close to the original', () => {
    const repair = repairButterfly(VOGT, { fitRange: [-1.5, 1.5] });
    expect(repair.remaining).toEqual([]);
    expect(butterflyViolations(repair.params, { kMin: -4, kMax: 4, points: 16001 })).toEqual([]);
    expect(sviProblem(repair.params)).toBeNull();
    // Closeness: the root-mean-square change of total variance on [-1.5, 1.5] is a few percent of the ATM
    // variance (0.0204 here); measured 0.0025.
    expect(repair.rmsTotalVarianceChange).toBeLessThan(0.005);
    expect(Math.abs(sviTotalVariance(repair.params, 0) - sviTotalVariance(VOGT, 0))).toBeLessThan(0.005);
  });

  it('leaves a slice that is already free of arbitrage unchanged', () => {
    const fine = ssviToRaw({ theta: 0.04, rho: -0.3, phi: 2 });
    expect(repairButterfly(fine).params).toBe(fine);
  });
});
