import { describe, expect, it } from 'vitest';
import {
  SMALL_T_EXPANSION_THRESHOLD, normalisedBlack, normalisedBlackCall, normalisedIntrinsic, normalisedVega,
} from '../../../../src-main/core/pricing/normalizedBlack';

// b(x, s) = e^{x/2} Phi(x/s + s/2) - e^{-x/2} Phi(x/s - s/2): mpmath 1.3.0 at 60 digits, printed to 17.
// The points cover Jäckel's four regions: asymptotic (h < -10), small t (t < 0.21), Phi form (h + t > 0.85)
// and erfcx form, plus in-the-money calls (x > 0).
const GOLDEN: readonly (readonly [number, number, number])[] = [
  [-0.001, 0.001, 8.3315463977051015e-5],
  [-0.05, 0.01, 5.3461029599789984e-10],
  [-0.3, 0.05, 7.8155210377325136e-12],
  [-1, 0.2, 1.0642389123487997e-8],
  [-2, 0.3, 5.5877835638550801e-13],
  [-0.02, 0.3, 0.10950407094471225],
  [-3, 0.4, 1.6145026015935594e-15],
  [-4, 0.41, 3.5042185844106786e-24],
  [0, 0.1, 0.039877611676744925],
  [-0.5, 1, 0.18568301299666386],
  [-1, 2, 0.30924672903513752],
  [-5, 3, 0.02621728202255927],
  [-0.1, 0.009, 4.4163440752567198e-32],
  [-12, 1, 1.2910437115451598e-34],
  [-30, 2, 2.9556608552583064e-52],
  [-0.2, 0.015, 8.2407798507876526e-44],
  [-64, 8, 2.6081356343879331e-19],
  [-0.01, 0.001, 7.474559337762834e-28],
  [1, 0.1, 1.0421906109874947],
  [5, 2, 12.103058828753361],
];

describe('normalisedBlackCall', () => {
  it('matches 60-digit values in every region to ~1e-14 relative', () => {
    for (const [x, s, expected] of GOLDEN) {
      // h = x/s carries one rounding, which the price amplifies by ~h^2: allow for it.
      const h = x / s;
      const bound = 4e-15 + 2 * Number.EPSILON * h * h;
      expect(Math.abs(normalisedBlackCall(x, s) / expected - 1), `x=${x} s=${s}`).toBeLessThan(bound);
    }
  });

  it('is continuous across the region boundaries', () => {
    // Across each boundary the change must be the first-order one, b' ds, to ~1e-13 of b.
    const across = (x: number, s1: number, s2: number) => {
      const b1 = normalisedBlackCall(x, s1);
      const b2 = normalisedBlackCall(x, s2);
      const firstOrder = normalisedVega(x, 0.5 * (s1 + s2)) * (s2 - s1);
      return Math.abs(b2 - b1 - firstOrder) / b1;
    };
    const tau = SMALL_T_EXPANSION_THRESHOLD;
    for (const x of [-0.01, -0.5, -2, -4]) {
      expect(across(x, 2 * tau * (1 - 1e-12), 2 * tau * (1 + 1e-12)), `t = tau at x=${x}`).toBeLessThan(1e-13);
    }
    // h + t = 0.85 (Phi form | erfcx form): x = -0.3 gives -0.3/s + s/2 = 0.85 at s = 2.
    expect(across(-0.3, 2 - 1e-12, 2 + 1e-12)).toBeLessThan(1e-13);
    // h = -10 (asymptotic | small t): x = -1 at s = 0.1.
    expect(across(-1, 0.1 - 1e-14, 0.1 + 1e-14)).toBeLessThan(1e-13);
  });

  it('satisfies put-call symmetry, in-out duality and the vega derivative', () => {
    for (const x of [-3, -0.2, 0, 0.4, 2]) {
      for (const s of [0.05, 0.5, 2]) {
        expect(normalisedBlack(x, s, false)).toBe(normalisedBlackCall(-x, s));
        // call - put = e^{x/2} - e^{-x/2}
        const parity = normalisedBlack(x, s, true) - normalisedBlack(x, s, false);
        expect(Math.abs(parity - 2 * Math.sinh(x / 2))).toBeLessThan(4e-16 * Math.max(1, Math.exp(Math.abs(x) / 2)));
        if (normalisedVega(x, s) < 1e-300) continue; // both sides underflow
        const step = 1e-6 * s;
        // out of the money (the in-the-money price adds a constant intrinsic that swamps a finite difference)
        const xOtm = -Math.abs(x);
        const derivative = (normalisedBlackCall(xOtm, s + step) - normalisedBlackCall(xOtm, s - step)) / (2 * step);
        expect(Math.abs(derivative / normalisedVega(x, s) - 1)).toBeLessThan(1e-8);
      }
    }
  });

  it('has the right limits and intrinsic values', () => {
    expect(normalisedBlackCall(-1, 0)).toBe(0);
    expect(normalisedBlackCall(1, 0)).toBe(normalisedIntrinsic(1, true));
    expect(normalisedBlackCall(-1, -1)).toBeNaN();
    expect(normalisedIntrinsic(1e-5, true)).toBe(2 * Math.sinh(0.5e-5)); // small-x series
    expect(normalisedIntrinsic(0.5, false)).toBe(0);
    expect(Math.abs(normalisedIntrinsic(2, true) - 2 * Math.sinh(1))).toBeLessThan(1e-15);
    expect(normalisedVega(0, 1)).toBeCloseTo(Math.exp(-1 / 8) / Math.sqrt(2 * Math.PI), 16);
  });
});
