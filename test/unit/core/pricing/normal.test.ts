import { describe, expect, it } from 'vitest';
import {
  erfc, erfcx, inverseNormCdf, inverseNormCdfInitialGuess, normCdf, normCdfGivenPdf, normPdf,
} from '../../../../src-main/core/pricing/normal';

const relativeError = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

// Golden values: mpmath 1.3.0 at 50 significant digits (mp.ncdf, mp.npdf, mp.erfc, exp(x^2) erfc(x)), printed
// to 17 digits. Phi(-38) is subnormal (2.9e-316), so only ~7 digits of it exist in a double.
const CDF_PDF: readonly (readonly [number, number, number])[] = [
  [-38, 2.8854283600687843e-316, 1.097221052007593e-314],
  [-37.5, 4.6053530095819548e-308, 1.7282337322841052e-306],
  [-30, 4.9067139271481871e-198, 1.4736461348785475e-196],
  [-20, 2.7536241186062337e-89, 5.5209483621597632e-88],
  [-10, 7.6198530241605261e-24, 7.6945986267064193e-23],
  [-8.5, 9.4795348222033184e-18, 8.16623563166955e-17],
  [-5, 2.8665157187919391e-7, 1.4867195147342977e-6],
  [-3, 0.0013498980316300945, 0.0044318484119380072],
  [-1, 0.15865525393145705, 0.24197072451914335],
  [-0.5, 0.3085375387259869, 0.35206532676429948],
  [0.25, 0.59870632568292372, 0.38666811680284921],
  [0.5, 0.6914624612740131, 0.35206532676429948],
  [1, 0.84134474606854295, 0.24197072451914335],
  [3, 0.99865010196836991, 0.0044318484119380072],
  [5, 0.99999971334842812, 1.4867195147342977e-6],
  [8, 0.99999999999999938, 5.0522710835368923e-15],
];
const ERFC_ERFCX: readonly (readonly [number, number, number])[] = [
  [-3, 1.9999779095030014, 16205.988853999587],
  [-0.3, 1.3286267594591274, 1.4537492328427656],
  [0.3, 0.67137324054087258, 0.73459933456765515],
  [1, 0.15729920705028513, 0.427583576155807],
  [3, 2.2090496998585441e-5, 0.17900115118138995],
  [10, 2.0884875837625448e-45, 0.056140992743822586],
  [26, 5.6631924088561428e-296, 0.021683584850562907],
];
// Phi^-1(p), mpmath findroot on log Phi at 50 digits.
const INVERSE: readonly (readonly [number, number])[] = [
  [1e-300, -37.047096299361199],
  [1e-20, -9.2623400897984076],
  [1e-5, -4.2648907939228246],
  [0.02425, -1.9729610513118849],
  [0.3, -0.52440051270804078],
  [0.9, 1.2815515655446005],
  [0.999999, 4.7534243088228989],
];

describe('normCdf / normPdf', () => {
  it('match 50-digit values to ~1e-15 relative, deep lower tail included', () => {
    for (const [x, cdf, pdf] of CDF_PDF) {
      const tolerance = cdf < 1e-307 ? 1e-7 : 1.5e-15; // subnormal results keep fewer digits
      expect(relativeError(normCdf(x), cdf), `Phi(${x})`).toBeLessThan(tolerance);
      expect(relativeError(normPdf(x), pdf), `phi(${x})`).toBeLessThan(pdf < 1e-307 ? 1e-7 : 1.5e-15);
      expect(relativeError(normCdfGivenPdf(x, normPdf(x)), cdf), `Phi(${x}) given phi`).toBeLessThan(cdf < 1e-307 ? 1e-7 : 4e-15);
    }
  });

  it('underflow and saturation are clean', () => {
    expect(normCdf(-40)).toBe(0);
    expect(normCdf(-Infinity)).toBe(0);
    expect(normCdf(9)).toBe(1);
    expect(normCdf(Infinity)).toBe(1);
    expect(normCdf(NaN)).toBeNaN();
    expect(normCdf(0)).toBe(0.5);
  });

  it('is monotone and symmetric: Phi(x) + Phi(-x) = 1', () => {
    let previous = 0;
    for (let x = -38; x <= 8; x += 0.013) {
      const value = normCdf(x);
      expect(value).toBeGreaterThanOrEqual(previous);
      previous = value;
      expect(Math.abs(normCdf(x) + normCdf(-x) - 1)).toBeLessThan(3e-16);
      expect(normPdf(x)).toBe(normPdf(-x));
    }
  });
});

describe('erfc / erfcx', () => {
  it('match 50-digit values', () => {
    for (const [x, e, ex] of ERFC_ERFCX) {
      expect(relativeError(erfc(x), e), `erfc(${x})`).toBeLessThan(1e-15);
      expect(relativeError(erfcx(x), ex), `erfcx(${x})`).toBeLessThan(1e-15);
    }
  });
});

describe('inverseNormCdf', () => {
  it('matches 50-digit quantiles to a few ulp', () => {
    for (const [p, x] of INVERSE) {
      // Above 1/2 the double nearest to p differs from the decimal p by up to half an ulp of 1, which moves the
      // quantile by eps / (2 phi(x)): that, not the algorithm, bounds the agreement there.
      const conditioning = p > 0.5 ? Number.EPSILON / (2 * normPdf(x) * Math.abs(x)) : 0;
      expect(relativeError(inverseNormCdf(p), x), `p = ${p}`).toBeLessThan(1e-15 + conditioning);
      // Acklam's raw approximation: published bound 1.15e-9 relative.
      expect(relativeError(inverseNormCdfInitialGuess(p), x), `raw p = ${p}`).toBeLessThan(1.2e-9);
    }
  });

  it('round-trips Phi and handles the end points', () => {
    for (let x = -37; x <= 7; x += 0.37) {
      // Above 0, Phi(x) itself is only known to 1 ulp of 1, i.e. x to ~eps / phi(x).
      const bound = 1e-14 * Math.max(1, Math.abs(x)) + (x > 0 ? Number.EPSILON / normPdf(x) : 0);
      expect(Math.abs(inverseNormCdf(normCdf(x)) - x), `x = ${x}`).toBeLessThan(bound);
    }
    expect(inverseNormCdf(0)).toBe(-Infinity);
    expect(inverseNormCdf(1)).toBe(Infinity);
    expect(inverseNormCdf(1.5)).toBeNaN();
    expect(inverseNormCdf(0.5)).toBe(0);
  });
});
