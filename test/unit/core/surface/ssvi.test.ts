import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { butterflyViolations, calendarViolations } from '../../../../src-main/core/surface/arbitrage';
import { essviRhoInterval, fitEssvi, fitSsvi, monotoneThetas, powerLawPhi, powerLawProblem } from '../../../../src-main/core/surface/ssvi';
import { ssviToRaw, ssviTotalVariance } from '../../../../src-main/core/surface/svi';

const GRID = { kMin: -4, kMax: 4, points: 4001 };

describe('SSVI with the power-law phi inside Gatheral & Jacquier\'s sufficient conditions', () => {
  it('shows no butterfly and no calendar violation on a dense grid, for random parameters inside them', () => {
    // GJ 2014 §4.4: phi(theta) = eta / (theta^gamma (1 + theta)^(1 - gamma)), 0 < gamma <= 1/2, eta (1 + |rho|) <= 2.
    const rng = new Rng(2014);
    for (let trial = 0; trial < 60; trial++) {
      const rho = -0.95 + 1.9 * rng.nextFloat();
      const eta = (2 / (1 + Math.abs(rho))) * (0.05 + 0.95 * rng.nextFloat());
      const gamma = 0.5 * (0.02 + 0.98 * rng.nextFloat());
      expect(powerLawProblem(rho, eta, gamma)).toBeNull();
      const thetas = [0.0004, 0.002, 0.01, 0.05, 0.2, 1, 3].map((t) => t * (0.5 + rng.nextFloat()));
      thetas.sort((a, b) => a - b);
      let previous: ((k: number) => number) | null = null;
      for (const theta of thetas) {
        const slice = { theta, rho, phi: powerLawPhi(theta, eta, gamma) };
        expect(butterflyViolations(ssviToRaw(slice), GRID), `rho ${rho} eta ${eta} gamma ${gamma} theta ${theta}`).toEqual([]);
        const w = (k: number): number => ssviTotalVariance(slice, k);
        if (previous !== null) expect(calendarViolations(previous, w, GRID)).toEqual([]);
        previous = w;
      }
    }
  });

  it('does show butterfly arbitrage when the condition is broken (the check can fail)', () => {
    // eta (1 + |rho|) = 6.3, far outside: the short-dated slice is arbitrageable.
    const slice = { theta: 0.0004, rho: -0.8, phi: powerLawPhi(0.0004, 3.5, 0.5) };
    expect(powerLawProblem(-0.8, 3.5, 0.5)).toMatch(/exceeds 2/);
    expect(butterflyViolations(ssviToRaw({ ...slice, phi: 400 }), GRID).length).toBeGreaterThan(0);
  });
});

describe('eSSVI calendar condition (Hendriks & Martini 2019)', () => {
  it('no two consecutive slices cross when theta and psi grow, phi falls and rho stays in its interval', () => {
    const rng = new Rng(2019);
    for (let trial = 0; trial < 300; trial++) {
      const eta = 0.2 + 1.7 * rng.nextFloat();
      const gamma = 0.5 * rng.nextFloat() + 0.01;
      const theta1 = 0.001 + 0.5 * rng.nextFloat();
      const theta2 = theta1 * (1 + 2 * rng.nextFloat());
      const psi1 = theta1 * powerLawPhi(theta1, eta, gamma);
      const psi2 = theta2 * powerLawPhi(theta2, eta, gamma);
      const [lo1, hi1] = essviRhoInterval(null, psi1, eta);
      const rho1 = lo1 + (hi1 - lo1) * rng.nextFloat();
      const [lo2, hi2] = essviRhoInterval({ rho: rho1, psi: psi1 }, psi2, eta);
      expect(lo2).toBeLessThanOrEqual(hi2);
      const rho2 = lo2 + (hi2 - lo2) * rng.nextFloat();
      const s1 = { theta: theta1, rho: rho1, phi: psi1 / theta1 };
      const s2 = { theta: theta2, rho: rho2, phi: psi2 / theta2 };
      expect(calendarViolations((k) => ssviTotalVariance(s1, k), (k) => ssviTotalVariance(s2, k), GRID)).toEqual([]);
      expect(butterflyViolations(ssviToRaw(s2), GRID)).toEqual([]);
    }
  });
});

describe('synthetic SSVI and eSSVI surfaces with known parameters', () => {
  const ks = Array.from({ length: 31 }, (_, i) => -0.6 + (1.2 * i) / 30);
  const thetas = [0.002, 0.006, 0.015, 0.04, 0.09, 0.2];
  const inputs = (w: (theta: number, index: number, k: number) => number): Parameters<typeof fitSsvi>[0] =>
    thetas.map((theta, index) => {
      const kk = ks.map((k) => k * Math.sqrt(theta / 0.04));
      return {
        years: theta / 0.36,
        theta,
        data: {
          k: Float64Array.from(kk),
          totalVariance: Float64Array.from(kk.map((k) => w(theta, index, k))),
          weight: new Float64Array(kk.length).fill(1),
        },
      };
    });

  it('SSVI recovers rho, eta and gamma', () => {
    const truth = { rho: -0.4, eta: 1.1, gamma: 0.35 };
    const fit = fitSsvi(inputs((theta, _i, k) => ssviTotalVariance({ theta, rho: truth.rho, phi: powerLawPhi(theta, truth.eta, truth.gamma) }, k)));
    expect(fit.slices[0]!.rho).toBeCloseTo(truth.rho, 4);
    expect(fit.eta).toBeCloseTo(truth.eta, 3);
    expect(fit.gamma).toBeCloseTo(truth.gamma, 3);
  });

  it('eSSVI recovers rho by expiry', () => {
    const eta = 0.9;
    const gamma = 0.3;
    // rho rising with T in small steps: inside the calendar interval of each step (checked below).
    const rhos = [-0.55, -0.5, -0.45, -0.4, -0.36, -0.33];
    const fit = fitEssvi(inputs((theta, i, k) => ssviTotalVariance({ theta, rho: rhos[i]!, phi: powerLawPhi(theta, eta, gamma) }, k)));
    expect(fit.eta).toBeCloseTo(eta, 3);
    expect(fit.gamma).toBeCloseTo(gamma, 3);
    fit.slices.forEach((slice, i) => expect(slice.rho).toBeCloseTo(rhos[i]!, 3));
  });

  it('makes ATM variances non-decreasing', () => {
    expect(monotoneThetas([0.01, 0.02, 0.015, 0.03])).toEqual([0.01, 0.02, 0.02, 0.03]);
  });
});
