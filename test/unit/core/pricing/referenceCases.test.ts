/**
 * Every case of ../shared/reference/pricing_cases.json (90 published option values: Haug via QuantLib's test
 * suite, Hull, Haug 2007, py_vollib, jetblack-options, Jäckel's "Let's Be Rational" vectors, Choi-Huh-Su) at
 * the tolerance the file states for it. Units follow each case's `conventions` field:
 *   BSM      generalized BSM with b = r - q; vega per 1.00; theta per calendar year (theta_per_day = /365);
 *            rho = dV/dr; dividend_rho = dV/dq; charm per calendar year; *_per_1pct = /100; volga_per_1pct2 = /1e4.
 *   Black76  discounted Black-76 on F (b = 0): delta = dV/dF, theta with F fixed, rho = -T V;
 *            undiscounted_price = price / e^{-rT}.
 *   NormalizedBlack  Jäckel's b(x, s) with F = 1, T = 1, r = 0.
 */
import { describe, expect, it } from 'vitest';
import { type BsmGreeks, black76DiscountedGreeks, bsmGreeks, bsmPrice } from './bsmReference';
import { IvReason, impliedVolBlack76, normalisedImpliedVolatility } from '../../../../src-main/core/pricing/impliedVol';
import { normalisedBlack } from '../../../../src-main/core/pricing/normalizedBlack';
import { readSharedJson } from './sharedData';

interface Tolerance {
  abs?: number;
  rel?: number;
}
interface PricingCase {
  id: string;
  source: string;
  source_detail: string;
  model: 'BSM' | 'Black76' | 'NormalizedBlack';
  S?: number;
  F?: number;
  K: number;
  T: number;
  r: number;
  q: number | null;
  sigma: number | null;
  type: 'call' | 'put';
  expected: Record<string, number>;
  tol: Record<string, Tolerance>;
  conventions: string;
}

const cases = readSharedJson<PricingCase[]>('reference', 'pricing_cases.json');

function expectWithin(actual: number, expected: number, tol: Tolerance, label: string): void {
  const error = Math.abs(actual - expected);
  const bound = tol.abs ?? (tol.rel ?? 0) * Math.abs(expected);
  if (!(error <= bound)) {
    throw new Error(`${label}: got ${actual}, expected ${expected} (error ${error.toExponential(3)} > ${bound.toExponential(3)})`);
  }
}

/** Maps an `expected` key to our value, per the case's unit conventions. */
function greekValue(key: string, g: BsmGreeks, spot: number): number | undefined {
  switch (key) {
    case 'price': return g.price;
    case 'delta': return g.delta;
    case 'gamma': return g.gamma;
    case 'vega': return g.vega;
    case 'vega_per_1pct': return g.vega / 100;
    case 'theta': return g.theta;
    case 'theta_per_day': return g.theta / 365;
    case 'rho': return g.rho;
    case 'rho_per_1pct': return g.rho / 100;
    case 'dividend_rho': return g.dividendRho;
    case 'vanna': return g.vanna;
    case 'vanna_per_1pct': return g.vanna / 100;
    case 'volga': return g.volga;
    case 'volga_per_1pct2': return g.volga / 1e4;
    case 'charm': return g.charm;
    case 'elasticity': return (g.delta * spot) / g.price;
    case 'd1': return g.d1;
    case 'd2': return g.d2;
    default: return undefined;
  }
}

describe('pricing_cases.json (published reference values)', () => {
  it('holds 90 cases', () => {
    expect(cases).toHaveLength(90);
  });

  for (const c of cases) {
    it(`${c.id} ${c.model} ${c.type}: ${c.source_detail.slice(0, 70)}`, () => {
      const isCall = c.type === 'call';
      const keys = Object.keys(c.expected);
      if (c.model === 'NormalizedBlack') {
        // F = 1, T = 1, r = 0: x = ln(F/K), s = sigma. The cases are defined by x (stated in source_detail);
        // K is x rounded through exp, and ln(1/K) differs from x by ~6e-17, which at h = x/s = -10 moves the
        // price by h^2 x 6e-15 = 6e-13 relative: more than the tolerance, so use the stated x.
        const statedX = /x=(?:ln\(F\/K\)=)?(-?[0-9.]+)/.exec(c.source_detail);
        const x = statedX ? Number(statedX[1]) : Math.log(c.F! / c.K);
        expect(Math.abs(x - Math.log(c.F! / c.K))).toBeLessThan(1e-12);
        const s = c.sigma! * Math.sqrt(c.T);
        const beta = normalisedBlack(x, s, isCall);
        expectWithin(beta, c.expected.normalised_price!, c.tol.normalised_price!, 'normalised_price');
        const iv = normalisedImpliedVolatility(c.expected.normalised_price!, x, isCall) / Math.sqrt(c.T);
        expectWithin(iv, c.expected.implied_vol!, c.tol.implied_vol!, 'implied_vol');
        return;
      }
      const rate = c.r;
      const discount = Math.exp(-rate * c.T);
      const forward = c.model === 'Black76' ? c.F! : c.S! * Math.exp((rate - (c.q ?? 0)) * c.T);
      const spot = c.model === 'Black76' ? c.F! : c.S!;
      if (c.sigma !== null) {
        const g = c.model === 'Black76'
          ? black76DiscountedGreeks(c.F!, c.K, c.T, rate, c.sigma, isCall)
          : bsmGreeks(c.S!, c.K, c.T, rate, c.q ?? 0, c.sigma, isCall);
        if (c.model === 'BSM') expect(bsmPrice(c.S!, c.K, c.T, rate, c.q ?? 0, c.sigma, isCall)).toBe(g.price);
        for (const key of keys) {
          if (key === 'implied_vol') continue;
          if (key === 'undiscounted_price') {
            expectWithin(g.price / discount, c.expected[key]!, c.tol[key]!, key);
            continue;
          }
          const value = greekValue(key, g, spot);
          if (value === undefined) throw new Error(`unmapped expected key ${key}`);
          expectWithin(value, c.expected[key]!, c.tol[key]!, key);
        }
      }
      if ('implied_vol' in c.expected) {
        // Invert the published price (undiscounted on the forward); where the case only publishes greeks,
        // invert the price it implies (undiscounted_price or price / discount).
        const undiscounted = c.expected.undiscounted_price ?? c.expected.price! / discount;
        const result = impliedVolBlack76(undiscounted, forward, c.K, c.T, isCall);
        expect(result.reason).toBe(IvReason.Ok);
        expectWithin(result.vol, c.expected.implied_vol!, c.tol.implied_vol!, 'implied_vol');
      }
      if (/IV not recoverable/.test(c.source_detail)) {
        // Jäckel's vectors: price == intrinsic in double precision; LBR returns 0 there, we return NaN + reason.
        const result = impliedVolBlack76(c.expected.undiscounted_price!, forward, c.K, c.T, isCall);
        expect(result.vol).toBeNaN();
        expect(result.reason).toBe(IvReason.TimeValueLost);
      }
    });
  }
});
