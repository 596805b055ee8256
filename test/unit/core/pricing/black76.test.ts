/**
 * Black-76 (Deribit model, r = 0) and generalized BSM: identities, limits, symmetry and finite-difference
 * checks of every greek. Published values are in referenceCases.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  black76CoinValue, black76Greeks, black76Price, toDeribitDisplay,
} from '../../../../src-main/core/pricing/black76';
import { bsmGreeks, bsmPrice } from './bsmReference';

/** A grid of BTC-like inputs: forward 60 000, strikes around it, 1 hour to 2 years, vols 5 % to 500 %. */
function* grid(): Generator<{ f: number; k: number; t: number; v: number }> {
  const f = 60_000;
  for (const t of [1 / (365 * 24), 1 / 365, 7 / 365, 0.25, 1, 2]) {
    for (const v of [0.05, 0.4, 1.2, 5]) {
      for (const z of [-3, -1, -0.2, 0, 0.5, 2]) {
        // strike z standard deviations from the forward
        yield { f, k: f * Math.exp(z * v * Math.sqrt(t)), t, v };
      }
    }
  }
}

/** Central difference of fn at x with relative step. */
function derivative(fn: (x: number) => number, x: number, relStep = 1e-4): number {
  const h = Math.abs(x) * relStep || relStep;
  return (fn(x + h) - fn(x - h)) / (2 * h);
}

function expectClose(actual: number, expected: number, rel: number, absFloor: number, label: string): void {
  const bound = rel * Math.abs(expected) + absFloor;
  if (!(Math.abs(actual - expected) <= bound)) {
    throw new Error(`${label}: ${actual} vs ${expected} (diff ${Math.abs(actual - expected).toExponential(2)} > ${bound.toExponential(2)})`);
  }
}

describe('black76Price', () => {
  it('satisfies put-call parity C - P = F - K', () => {
    for (const { f, k, t, v } of grid()) {
      const c = black76Price(f, k, t, v, true);
      const p = black76Price(f, k, t, v, false);
      expect(Math.abs(c - p - (f - k))).toBeLessThanOrEqual(4 * Number.EPSILON * Math.max(f, k));
    }
  });

  it('is homogeneous of degree one and put-call symmetric: P(F, K) = C(K, F)', () => {
    for (const { f, k, t, v } of grid()) {
      const c = black76Price(f, k, t, v, true);
      expectClose(black76Price(2 * f, 2 * k, t, v, true), 2 * c, 1e-14, 1e-300, 'homogeneity');
      // In the money both sides add the (exact) intrinsic value to the time value: error ~ eps x max(F, K).
      expectClose(black76Price(f, k, t, v, false), black76Price(k, f, t, v, true), 1e-14, 4 * Number.EPSILON * Math.max(f, k), 'symmetry');
    }
  });

  it('respects the no-arbitrage bounds and is increasing in vol', () => {
    for (const { f, k, t, v } of grid()) {
      for (const isCall of [true, false]) {
        const price = black76Price(f, k, t, v, isCall);
        const intrinsic = isCall ? Math.max(f - k, 0) : Math.max(k - f, 0);
        expect(price).toBeGreaterThanOrEqual(intrinsic);
        expect(price).toBeLessThanOrEqual(isCall ? f : k);
        expect(black76Price(f, k, t, v * 1.01, isCall)).toBeGreaterThanOrEqual(price);
      }
    }
  });

  it('has the right limits: expiry and zero vol give intrinsic, huge vol gives F (call) / K (put)', () => {
    expect(black76Price(60_000, 50_000, 0, 0.5, true)).toBe(10_000);
    expect(black76Price(60_000, 50_000, -1, 0.5, false)).toBe(0);
    expect(black76Price(60_000, 70_000, 1, 0, false)).toBe(10_000);
    expect(black76Price(60_000, 70_000, 1e-12, 0.5, true)).toBe(0);
    expectClose(black76Price(60_000, 70_000, 1, 80, true), 60_000, 1e-12, 0, 'call -> F');
    expectClose(black76Price(60_000, 70_000, 1, 80, false), 70_000, 1e-12, 0, 'put -> K');
    // At the money, small total vol: C ~ F s / sqrt(2 pi) (1 - s^2/24).
    const s = 1e-4;
    expectClose(black76Price(100, 100, 1, s, true), (100 * s) / Math.sqrt(2 * Math.PI) * (1 - (s * s) / 24), 1e-14, 0, 'ATM');
  });

  it('returns NaN for invalid inputs instead of throwing', () => {
    expect(black76Price(-1, 100, 1, 0.5, true)).toBeNaN();
    expect(black76Price(100, 0, 1, 0.5, true)).toBeNaN();
    expect(black76Price(100, 100, 1, -0.5, true)).toBeNaN();
    expect(black76Price(100, 100, NaN, 0.5, true)).toBeNaN();
    expect(black76Price(NaN, 100, 1, 0.5, true)).toBeNaN();
  });
});

describe('black76Greeks', () => {
  it('matches finite differences of the price for every greek', () => {
    for (const { f, k, t, v } of grid()) {
      // Strikes beyond 1000x / 0.001x the forward (500 % vol, 2 years, 3 sd) put the rounding of a K-sized
      // price above the difference quotients' resolution; the identities below still cover them.
      if (k / f > 1e3 || k / f < 1e-3) continue;
      for (const isCall of [true, false]) {
        const g = black76Greeks(f, k, t, v, isCall);
        const price = (ff: number, tt: number, vv: number) => black76Price(ff, k, tt, vv, isCall);
        const greeks = (ff: number, tt: number, vv: number) => black76Greeks(ff, k, tt, vv, isCall);
        const label = `${isCall ? 'C' : 'P'} F=${f} K=${k.toFixed(2)} T=${t.toFixed(5)} v=${v}`;
        // Steps in F scale with the total vol: the price curves on the scale F sigma sqrt(T).
        const fStep = 1e-4 * v * Math.sqrt(t);
        // Absolute floors scale with the quantity's natural size so far-OTM values near 0 compare sensibly.
        expectClose(g.price, black76Price(f, k, t, v, isCall), 0, 0, `${label} price`);
        expectClose(g.delta, derivative((x) => price(x, t, v), f, fStep), 1e-6, 1e-9, `${label} delta`);
        expectClose(g.gamma, derivative((x) => greeks(x, t, v).delta, f, fStep), 1e-6, 1e-9 / f, `${label} gamma`);
        expectClose(g.vega, derivative((x) => price(f, t, x), v), 1e-6, 1e-9 * f, `${label} vega`);
        // theta is dV/dt in calendar time: minus the derivative in time to expiry.
        expectClose(g.theta, -derivative((x) => price(f, x, v), t), 1e-6, 1e-9 * f, `${label} theta`);
        // Second-order greeks cross zero (e.g. zomma at d1 d2 = 1): floors relative to their natural size, plus
        // the rounding of a difference quotient of an O(1) delta (eps / step) for vanna and charm.
        const pdf = g.vega / (f * Math.sqrt(t)); // phi(d1)
        expectClose(g.vanna, derivative((x) => greeks(f, t, x).delta, v), 1e-5, 1e-7 * pdf / v + 1e-11 / v, `${label} vanna`);
        expectClose(g.volga, derivative((x) => greeks(f, t, x).vega, v), 1e-5, 1e-7 * g.vega / v + 1e-9 * f, `${label} volga`);
        expectClose(g.charm, -derivative((x) => greeks(f, x, v).delta, t), 1e-5, 1e-7 * pdf / t + 1e-11 / t, `${label} charm`);
        expectClose(g.speed, derivative((x) => greeks(x, t, v).gamma, f, fStep), 1e-5, 1e-7 * g.gamma / (f * v * Math.sqrt(t)), `${label} speed`);
        expectClose(g.zomma, derivative((x) => greeks(f, t, x).gamma, v), 1e-5, 1e-7 * g.gamma / v, `${label} zomma`);
        expectClose(g.color, -derivative((x) => greeks(f, x, v).gamma, t), 1e-5, 1e-7 * g.gamma / t, `${label} color`);
        // Deribit's rho: Black-Scholes rho with F = S e^{rT} at r = 0 (S fixed), V = e^{-rT} B(S e^{rT}).
        const rhoFd = derivative((r) => Math.exp(-r * t) * black76Price(f * Math.exp(r * t), k, t, v, isCall), 0, (1e-4 * v) / Math.sqrt(t));
        expectClose(g.rho, rhoFd, 1e-6, 1e-8 * f * t, `${label} rho`);
      }
    }
  });

  it('satisfies the textbook identities', () => {
    for (const { f, k, t, v } of grid()) {
      const c = black76Greeks(f, k, t, v, true);
      const p = black76Greeks(f, k, t, v, false);
      expect(c.delta - p.delta).toBeCloseTo(1, 15); // N(d1) - (N(d1) - 1)
      expect(c.gamma).toBe(p.gamma);
      expect(c.vega).toBe(p.vega);
      expect(c.theta).toBe(p.theta); // r = 0: no carry term, so call and put decay alike
      expectClose(c.vega, f * f * v * t * c.gamma, 1e-13, 0, 'vega = F^2 sigma T gamma');
      expectClose(c.theta, -0.5 * v * v * f * f * c.gamma, 1e-13, 0, 'theta = -sigma^2 F^2 gamma / 2');
      expectClose(c.rho - p.rho, k * t, 1e-13, 0, 'rho parity');
      expect(c.delta).toBeGreaterThanOrEqual(0);
      expect(c.delta).toBeLessThanOrEqual(1);
      expect(c.gamma).toBeGreaterThanOrEqual(0);
    }
  });

  it('handles expiry with a step delta and zero greeks', () => {
    const itm = black76Greeks(60_000, 50_000, 0, 0.5, true);
    expect(itm).toMatchObject({ price: 10_000, delta: 1, gamma: 0, vega: 0, theta: 0, rho: 0, charm: 0 });
    expect(black76Greeks(60_000, 50_000, -0.1, 0.5, false)).toMatchObject({ price: 0, delta: 0 });
    expect(black76Greeks(50_000, 60_000, 0, 0.5, false)).toMatchObject({ price: 10_000, delta: -1 });
    expect(black76Greeks(60_000, 60_000, 0, 0.5, true).delta).toBe(0.5);
    expect(black76Greeks(60_000, 60_000, 0, 0.5, false).delta).toBe(-0.5);
    expect(black76Greeks(60_000, 50_000, 1, 0, true).delta).toBeNaN();
    expect(black76Greeks(60_000, 50_000, 1, NaN, true).price).toBeNaN();
  });
});

describe('Deribit display units and coin values', () => {
  it('scales vega per vol point, theta per day, rho per 1 %, and derives the coin-P&L delta', () => {
    const f = 60_000;
    const g = black76Greeks(f, 65_000, 30 / 365, 0.55, true);
    const d = toDeribitDisplay(g, f);
    expect(d.vega).toBe(g.vega / 100);
    expect(d.theta).toBe(g.theta / 365);
    expect(d.rho).toBe(g.rho / 100);
    expect(d.priceCoin).toBe(g.price / f);
    expect(d.deltaPremiumAdjusted).toBe(g.delta - g.price / f);
    // The coin-P&L delta is the sensitivity of the coin value V/F, times F: d(V/F)/dF * F.
    const coinValue = (x: number) => black76Price(x, 65_000, 30 / 365, 0.55, true) / x;
    expectClose(d.deltaPremiumAdjusted, derivative(coinValue, f) * f, 1e-6, 1e-12, 'premium-adjusted delta');
    expect(black76CoinValue(f, 65_000, 30 / 365, 0.55, true)).toEqual({ priceCoin: d.priceCoin, deltaPremiumAdjusted: d.deltaPremiumAdjusted });
  });
});

describe('generalized BSM', () => {
  it('reduces to Black-76 with r = q = 0 and satisfies parity with rates', () => {
    for (const { f, k, t, v } of grid()) {
      expectClose(bsmPrice(f, k, t, 0, 0, v, true), black76Price(f, k, t, v, true), 1e-14, 1e-300, 'r = q = 0');
      const c = bsmPrice(f, k, t, 0.05, 0.02, v, true);
      const p = bsmPrice(f, k, t, 0.05, 0.02, v, false);
      // C - P = S e^{-qT} - K e^{-rT}
      expect(Math.abs(c - p - (f * Math.exp(-0.02 * t) - k * Math.exp(-0.05 * t)))).toBeLessThan(1e-10 * f);
    }
  });

  it('matches finite differences for every greek, including rates', () => {
    const cases = [
      { s: 100, k: 95, t: 0.5, r: 0.1, q: 0.05, v: 0.2 },
      { s: 100, k: 130, t: 2, r: 0.03, q: 0.07, v: 0.6 },
      { s: 42, k: 40, t: 0.05, r: -0.01, q: 0, v: 0.3 },
    ];
    for (const { s, k, t, r, q, v } of cases) {
      for (const isCall of [true, false]) {
        const g = bsmGreeks(s, k, t, r, q, v, isCall);
        const price = (ss: number, tt: number, rr: number, qq: number, vv: number) => bsmPrice(ss, k, tt, rr, qq, vv, isCall);
        const greeks = (ss: number, tt: number, vv: number) => bsmGreeks(ss, k, tt, r, q, vv, isCall);
        const label = `${isCall ? 'C' : 'P'} S=${s} K=${k}`;
        const sStep = 1e-4 * v * Math.sqrt(t);
        expectClose(g.delta, derivative((x) => price(x, t, r, q, v), s, sStep), 1e-7, 1e-10, `${label} delta`);
        expectClose(g.gamma, derivative((x) => greeks(x, t, v).delta, s, sStep), 1e-6, 1e-10, `${label} gamma`);
        expectClose(g.vega, derivative((x) => price(s, t, r, q, x), v), 1e-7, 1e-10, `${label} vega`);
        expectClose(g.theta, -derivative((x) => price(s, x, r, q, v), t), 1e-6, 1e-10, `${label} theta`);
        expectClose(g.rho, derivative((x) => price(s, t, x, q, v), r, 1e-3), 1e-6, 1e-9, `${label} rho`);
        expectClose(g.dividendRho, derivative((x) => price(s, t, r, x, v), q, 1e-3), 1e-6, 1e-9, `${label} dividendRho`);
        expectClose(g.vanna, derivative((x) => greeks(s, t, x).delta, v), 1e-6, 1e-10, `${label} vanna`);
        expectClose(g.volga, derivative((x) => greeks(s, t, x).vega, v), 1e-6, 1e-9, `${label} volga`);
        expectClose(g.charm, -derivative((x) => greeks(s, x, v).delta, t), 1e-6, 1e-10, `${label} charm`);
        expectClose(g.speed, derivative((x) => greeks(x, t, v).gamma, s, sStep), 1e-6, 1e-12, `${label} speed`);
        expectClose(g.zomma, derivative((x) => greeks(s, t, x).gamma, v), 1e-6, 1e-12, `${label} zomma`);
        expectClose(g.color, -derivative((x) => greeks(s, x, v).gamma, t), 1e-6, 1e-12, `${label} color`);
      }
    }
  });
});
