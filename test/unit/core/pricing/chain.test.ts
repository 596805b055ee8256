import { describe, expect, it } from 'vitest';
import { black76Greeks, toDeribitDisplay } from '../../../../src-main/core/pricing/black76';
import {
  type ChainInputs, allocateChainFullGreeks, allocateChainGreeks, computeChainFullGreeks, computeChainGreeks,
} from '../../../../src-main/core/pricing/chain';

function chain(rows: { f: number; k: number; t: number; v: number; call: boolean }[]): ChainInputs {
  return {
    forward: Float64Array.from(rows, (r) => r.f),
    strike: Float64Array.from(rows, (r) => r.k),
    years: Float64Array.from(rows, (r) => r.t),
    vol: Float64Array.from(rows, (r) => r.v),
    isCall: Uint8Array.from(rows, (r) => (r.call ? 1 : 0)),
  };
}

const rows: { f: number; k: number; t: number; v: number; call: boolean }[] = [];
for (const t of [1 / 8760, 1 / 365, 0.1, 1]) {
  for (const v of [0.4, 1.5]) {
    for (const z of [-3.5, -1, 0, 0.7, 3.5]) {
      for (const call of [true, false]) rows.push({ f: 95_000, k: 95_000 * Math.exp(z * v * Math.sqrt(t)), t, v, call });
    }
  }
}

describe('computeChainGreeks', () => {
  it('agrees with the single-option Black-76 greeks in Deribit display units', () => {
    const inputs = chain(rows);
    const out = allocateChainGreeks(rows.length);
    computeChainGreeks(inputs, out, rows.length);
    rows.forEach((r, i) => {
      const d = toDeribitDisplay(black76Greeks(r.f, r.k, r.t, r.v, r.call), r.f);
      // The kernel prices with the plain formula (absolute accuracy ~1e-15 of the forward).
      expect(Math.abs(out.price[i]! - d.priceUsd)).toBeLessThan(1e-14 * r.f);
      expect(Math.abs(out.delta[i]! - d.delta)).toBeLessThan(1e-15);
      expect(out.gamma[i]! / d.gamma).toBeCloseTo(1, 13);
      expect(out.vega[i]! / d.vega).toBeCloseTo(1, 13);
      expect(out.theta[i]! / d.theta).toBeCloseTo(1, 13);
    });
  });

  it('only touches the first `count` rows, gives intrinsic/step delta at expiry and NaN for bad rows', () => {
    const inputs = chain([
      { f: 100, k: 90, t: 0, v: 0.5, call: true },
      { f: 100, k: 90, t: -1, v: 0.5, call: false },
      { f: 100, k: 100, t: 0, v: 0.5, call: false },
      { f: 100, k: 90, t: 0.1, v: 0, call: true },
      { f: 100, k: 90, t: 0.1, v: NaN, call: true },
      { f: NaN, k: 90, t: 0.1, v: 0.5, call: true },
      { f: 100, k: -1, t: 0.1, v: 0.5, call: true },
      { f: 100, k: 90, t: 0.1, v: 0.5, call: true },
    ]);
    const out = allocateChainGreeks(8);
    out.price.fill(-7);
    computeChainGreeks(inputs, out, 7);
    expect([out.price[0], out.delta[0], out.gamma[0], out.vega[0], out.theta[0]]).toEqual([10, 1, 0, 0, 0]);
    expect([out.price[1], out.delta[1]]).toEqual([0, 0]);
    expect([out.price[2], out.delta[2]]).toEqual([0, -0.5]);
    for (const i of [3, 4, 5, 6]) {
      for (const field of [out.price, out.delta, out.gamma, out.vega, out.theta]) expect(field[i]).toBeNaN();
    }
    expect(out.price[7]).toBe(-7); // beyond count: untouched
  });
});

describe('computeChainFullGreeks', () => {
  it('agrees with black76Greeks + toDeribitDisplay for every field', () => {
    const inputs = chain(rows);
    const out = allocateChainFullGreeks(rows.length);
    computeChainFullGreeks(inputs, out, rows.length);
    // Second-order greeks cross zero (zomma and color at d1 d2 = 1, charm and vanna at d2 = 0) where their terms
    // cancel: compare relative to the field's largest magnitude in the chain there.
    const keys = ['delta', 'gamma', 'vega', 'theta', 'rho', 'vanna', 'volga', 'charm', 'speed', 'zomma', 'color'] as const;
    const largest = Object.fromEntries(keys.map((key) => [key, Math.max(...Array.from(out[key], Math.abs))])) as Record<(typeof keys)[number], number>;
    rows.forEach((r, i) => {
      const d = toDeribitDisplay(black76Greeks(r.f, r.k, r.t, r.v, r.call), r.f);
      expect(Math.abs(out.price[i]! - d.priceUsd)).toBeLessThan(1e-14 * r.f);
      expect(Math.abs(out.priceCoin[i]! - d.priceCoin)).toBeLessThan(1e-14);
      expect(Math.abs(out.deltaPremiumAdjusted[i]! - d.deltaPremiumAdjusted)).toBeLessThan(1e-14);
      for (const key of keys) {
        const expected = d[key];
        const actual = out[key][i]!;
        expect(Math.abs(actual - expected), `${key} row ${i}`).toBeLessThanOrEqual(1e-12 * Math.abs(expected) + 1e-15 * largest[key]);
      }
    });
  });

  it('writes expired and invalid rows like computeChainGreeks', () => {
    const inputs = chain([
      { f: 100, k: 90, t: 0, v: 0.5, call: true },
      { f: 100, k: 90, t: 0.1, v: -1, call: false },
    ]);
    const out = allocateChainFullGreeks(2);
    computeChainFullGreeks(inputs, out, 2);
    expect([out.price[0], out.delta[0], out.priceCoin[0], out.vanna[0], out.color[0]]).toEqual([10, 1, 0.1, 0, 0]);
    expect(out.deltaPremiumAdjusted[0]).toBeCloseTo(0.9, 15);
    expect(out.price[1]).toBeNaN();
    expect(out.rho[1]).toBeNaN();
  });
});
