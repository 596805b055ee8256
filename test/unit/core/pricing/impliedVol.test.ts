import { describe, expect, it } from 'vitest';
import { black76Greeks, black76Price } from '../../../../src-main/core/pricing/black76';
import {
  IV_REASON_NAMES, IvReason, computeChainImpliedVols, impliedVolBlack76, impliedVolFromCoinPrice,
  normalisedImpliedVolatility,
} from '../../../../src-main/core/pricing/impliedVol';
import { normalisedBlack, normalisedVega } from '../../../../src-main/core/pricing/normalizedBlack';

const HOUR = 1 / (365 * 24);

describe('impliedVolBlack76 round trip', () => {
  it('recovers the vol to machine precision whenever the price determines it', () => {
    // BTC-like forward; 1 hour to 3 years; 5 % to 500 % vol; strikes -8 .. +8 standard deviations.
    const f = 60_000;
    let solved = 0;
    let worst = 0;
    for (const t of [HOUR, 6 * HOUR, 1 / 365, 7 / 365, 30 / 365, 1, 3]) {
      for (const v of [0.05, 0.1, 0.3, 0.6, 1, 2, 5]) {
        for (let z = -8; z <= 8; z += 0.5) {
          const k = f * Math.exp(z * v * Math.sqrt(t));
          for (const isCall of [true, false]) {
            const price = black76Price(f, k, t, v, isCall);
            const result = impliedVolBlack76(price, f, k, t, isCall);
            // How well the price pins the vol: relative vol change per one rounding of the price.
            const g = black76Greeks(f, k, t, v, isCall);
            const conditioning = (Number.EPSILON * price) / (g.vega * v);
            if (result.reason !== IvReason.Ok) {
              // Only refusals with a reason, and only where the vol really is not carried by the price.
              expect(result.vol).toBeNaN();
              if (result.reason === IvReason.AboveMaximum) {
                // 500 % vol over years: the price rounds to its upper bound F (call) or K (put).
                expect(price).toBe(isCall ? f : k);
                continue;
              }
              expect(result.reason).toBe(IvReason.TimeValueLost);
              expect(conditioning > 1e-6 || price < 1e-300 || !(conditioning < Infinity), `refused z=${z} v=${v} t=${t}`).toBe(true);
              continue;
            }
            solved++;
            const error = Math.abs(result.vol / v - 1);
            expect(error, `z=${z} v=${v} t=${t} ${isCall ? 'C' : 'P'}`).toBeLessThanOrEqual(8 * Number.EPSILON + 8 * conditioning);
            if (conditioning < Number.EPSILON) worst = Math.max(worst, error);
          }
        }
      }
    }
    expect(solved).toBeGreaterThan(2800);
    // Well-conditioned inputs: within a few ulp.
    expect(worst).toBeLessThan(5 * Number.EPSILON);
  });

  it('solves exactly at the money, where the inflexion point s_c = sqrt(2|x|) is 0', () => {
    for (const v of [0.01, 0.3, 1, 4]) {
      for (const isCall of [true, false]) {
        const price = black76Price(60_000, 60_000, 0.5, v, isCall);
        const result = impliedVolBlack76(price, 60_000, 60_000, 0.5, isCall);
        expect(result.reason).toBe(IvReason.Ok);
        expect(Math.abs(result.vol / v - 1)).toBeLessThan(4 * Number.EPSILON);
      }
    }
  });

  it('needs no more than the two Householder steps of Let\'s Be Rational', () => {
    const f = 60_000;
    for (const t of [HOUR, 1 / 365, 0.25, 2]) {
      for (const v of [0.05, 0.5, 3]) {
        for (const z of [-3.5, -1, 0, 1, 3.5]) {
          const k = f * Math.exp(z * v * Math.sqrt(t));
          const price = black76Price(f, k, t, v, z > 0);
          const two = impliedVolBlack76(price, f, k, t, z > 0, { iterations: 2 }).vol;
          const many = impliedVolBlack76(price, f, k, t, z > 0, { iterations: 10 }).vol;
          expect(Math.abs(two / many - 1)).toBeLessThanOrEqual(4 * Number.EPSILON);
        }
      }
    }
  });

  it('handles Jäckel-style extremes in normalised coordinates', () => {
    // x = ln(F/K) far from the money with total vol from 1e-3 to 10: b down to ~1e-300.
    for (const x of [-300, -60, -10, -1, -1e-3, 0, 1e-3, 1, 10, 60]) {
      for (const s of [1e-3, 0.01, 0.1, 0.5, 1, 3, 10]) {
        const beta = normalisedBlack(x, s, true);
        if (!(beta > 1e-300)) continue;
        const found = normalisedImpliedVolatility(beta, x, true);
        // In the money the time value is a difference: the vol is known to eps beta / (b'(s) s) only.
        const conditioning = (Number.EPSILON * beta) / (normalisedVega(x, s) * s);
        if (!(conditioning < 1e-6)) continue; // the price does not carry the vol (time value lost)
        // Next to the upper bound e^{x/2} only the distance to it carries the vol, to ~eps / distance.
        if (Math.exp(x / 2) - beta < 1e-6 * Math.exp(x / 2)) continue;
        expect(Math.abs(found / s - 1), `x=${x} s=${s}`).toBeLessThan(1e-14 + 4 * conditioning);
      }
    }
  });
});

describe('impliedVolBlack76 refusals', () => {
  it('returns NaN with a reason and never throws', () => {
    const f = 60_000;
    const k = 55_000;
    const t = 0.1;
    expect(impliedVolBlack76(4_000, f, k, t, true)).toEqual({ vol: NaN, reason: IvReason.BelowIntrinsic });
    expect(impliedVolBlack76(60_000, f, k, t, true)).toEqual({ vol: NaN, reason: IvReason.AboveMaximum });
    expect(impliedVolBlack76(55_000, f, k, t, false)).toEqual({ vol: NaN, reason: IvReason.AboveMaximum });
    expect(impliedVolBlack76(5_000, f, k, t, true)).toEqual({ vol: NaN, reason: IvReason.TimeValueLost });
    expect(impliedVolBlack76(0, f, k, t, false)).toEqual({ vol: NaN, reason: IvReason.TimeValueLost });
    expect(impliedVolBlack76(NaN, f, k, t, true)).toEqual({ vol: NaN, reason: IvReason.MissingPrice });
    expect(impliedVolBlack76(-1, f, k, t, true)).toEqual({ vol: NaN, reason: IvReason.MissingPrice });
    expect(impliedVolBlack76(6_000, f, k, 0, true)).toEqual({ vol: NaN, reason: IvReason.Expired });
    expect(impliedVolBlack76(6_000, -f, k, t, true)).toEqual({ vol: NaN, reason: IvReason.InvalidInput });
    expect(impliedVolBlack76(6_000, f, k, NaN, true)).toEqual({ vol: NaN, reason: IvReason.InvalidInput });
    expect(IV_REASON_NAMES[IvReason.TimeValueLost]).toBe('time_value_lost');
  });

  it('refuses a deep in-the-money price whose time value is below the price rounding', () => {
    // 1 hour, 30 % vol, strike 20 sd below: time value ~1e-80 USD on a 3 000 USD price.
    const f = 60_000;
    const k = 57_000;
    const price = black76Price(f, k, HOUR, 0.3, true);
    expect(price).toBe(3_000);
    expect(impliedVolBlack76(price, f, k, HOUR, true).reason).toBe(IvReason.TimeValueLost);
    // The out-of-the-money put with the same strike carries the vol.
    const put = black76Price(f, k, HOUR, 0.3, false);
    expect(put).toBeGreaterThan(0);
    expect(impliedVolBlack76(put, f, k, HOUR, false).vol).toBeCloseTo(0.3, 14);
  });

  it('tightening the accepted uncertainty turns ill-conditioned solves into refusals', () => {
    const f = 60_000;
    const k = 50_000;
    const price = black76Price(f, k, 7 / 365, 0.5, true); // in the money, time value ~ 1 USD on 10 001 USD
    expect(impliedVolBlack76(price, f, k, 7 / 365, true).reason).toBe(IvReason.Ok);
    expect(impliedVolBlack76(price, f, k, 7 / 365, true, { maxRelativeUncertainty: 1e-15 }).reason).toBe(IvReason.TimeValueLost);
  });
});

describe('computeChainImpliedVols', () => {
  it('solves bid/ask/mark style arrays in coin, writing vol and reason per row', () => {
    const f = 60_000;
    const rows = [
      { k: 60_000, t: 30 / 365, v: 0.55, isCall: 1 },
      { k: 40_000, t: 30 / 365, v: 0.9, isCall: 0 },
      { k: 90_000, t: HOUR, v: 1.5, isCall: 1 },
    ];
    const n = rows.length + 3;
    const price = new Float64Array(n);
    const forward = new Float64Array(n).fill(f);
    const strike = new Float64Array(n);
    const years = new Float64Array(n);
    const isCall = new Uint8Array(n);
    rows.forEach((r, i) => {
      strike[i] = r.k;
      years[i] = r.t;
      isCall[i] = r.isCall;
      price[i] = black76Price(f, r.k, r.t, r.v, r.isCall === 1) / f; // Deribit coin quote
    });
    // no bid; below intrinsic; expired
    strike[3] = 60_000; years[3] = 0.1; isCall[3] = 1; price[3] = NaN;
    strike[4] = 50_000; years[4] = 0.1; isCall[4] = 1; price[4] = 0.1; // intrinsic 10 000 USD = 0.1667 coin
    strike[5] = 50_000; years[5] = -0.001; isCall[5] = 1; price[5] = 0.17;
    const vol = new Float64Array(n);
    const reason = new Uint8Array(n);
    computeChainImpliedVols(price, forward, strike, years, isCall, vol, reason, n, true);
    rows.forEach((r, i) => {
      expect(reason[i]).toBe(IvReason.Ok);
      expect(Math.abs(vol[i]! / r.v - 1)).toBeLessThan(1e-14);
      expect(vol[i]).toBe(impliedVolFromCoinPrice(price[i]!, f, r.k, r.t, r.isCall === 1).vol);
    });
    expect(Array.from(reason.slice(3))).toEqual([IvReason.MissingPrice, IvReason.BelowIntrinsic, IvReason.Expired]);
    expect(Number.isNaN(vol[3]!) && Number.isNaN(vol[4]!) && Number.isNaN(vol[5]!)).toBe(true);
  });
});
