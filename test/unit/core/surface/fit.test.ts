import { describe, expect, it } from 'vitest';
import { normCdf } from '../../../../src-main/core/pricing/normal';
import { calendarViolations } from '../../../../src-main/core/surface/arbitrage';
import { fitSurface, refitSlice, sliceTotalVariance, totalVarianceAt } from '../../../../src-main/core/surface/fit';
import { slicePoints, smileSummary, strikeForCallDelta, type ExpiryMarket } from '../../../../src-main/core/surface/slices';
import { sviTotalVariance, type RawSvi } from '../../../../src-main/core/surface/svi';

const FORWARD = 60_000;
const DAY = 86_400_000;

/** A market whose every mark IV (and a 1-vol-point bid/ask around it) comes from a known raw SVI slice. */
function market(label: string, days: number, p: RawSvi): ExpiryMarket {
  const years = days / 365;
  const quotes = [];
  for (let k = -0.5; k <= 0.5001; k += 0.05) {
    const strike = Math.round(FORWARD * Math.exp(k));
    const iv = Math.sqrt(sviTotalVariance(p, Math.log(strike / FORWARD)) / years);
    for (const isCall of [true, false]) quotes.push({ name: `${label}-${strike}-${isCall ? 'C' : 'P'}`, strike, isCall, bidIv: iv - 0.005, askIv: iv + 0.005, markIv: iv });
  }
  return { label, expiryMs: days * DAY, years, forward: FORWARD, quotes };
}

// Three known slices, total variance rising with T at every k (no calendar arbitrage by design).
const SLICES: [string, number, RawSvi][] = [
  ['7D', 7, { a: 0.002, b: 0.04, rho: -0.3, m: 0.01, sigma: 0.08 }],
  ['30D', 30, { a: 0.01, b: 0.08, rho: -0.3, m: 0.02, sigma: 0.15 }],
  ['90D', 90, { a: 0.03, b: 0.12, rho: -0.3, m: 0.03, sigma: 0.25 }],
];
const MARKETS = SLICES.map(([label, days, p]) => market(label, days, p));

describe('fitSurface on a synthetic surface with known parameters', () => {
  it('recovers every slice and finds no arbitrage', () => {
    const fit = fitSurface(MARKETS, { model: 'svi', target: 'mark' });
    fit.slices.forEach((slice, i) => {
      const truth = SLICES[i]![2];
      for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) expect(slice.params![key], `${slice.label} ${key}`).toBeCloseTo(truth[key], 4);
      expect(slice.errors!.rmseAll!).toBeLessThan(1e-3); // vol points
      expect(slice.butterfly).toEqual([]);
      expect(slice.calendar).toEqual([]);
      // Residuals: mark IV = fitted IV, and the mid sits on the fit, 0 half-widths away.
      for (const r of slice.residuals) {
        expect(Math.abs(r.markResidualVolPoints!)).toBeLessThan(1e-2);
        expect(Math.abs(r.residualHalfWidths!)).toBeLessThan(1e-2);
      }
    });
  });

  it('reports a calendar violation when a later slice lies below an earlier one', () => {
    const crossed = [market('7D', 7, SLICES[1]![2]), market('30D', 30, SLICES[0]![2])];
    const fit = fitSurface(crossed, { model: 'svi', target: 'mark' });
    expect(fit.slices[1]!.calendar.length).toBeGreaterThan(0);
    expect(fit.slices[1]!.calendar[0]!.worst).toBeLessThan(0);
  });

  it('gives a reason instead of a fit for an expiry with too few strikes, and keeps the rest', () => {
    const thin = { ...MARKETS[0]!, label: 'THIN', expiryMs: 3 * DAY, years: 3 / 365, quotes: MARKETS[0]!.quotes.slice(0, 6) };
    const fit = fitSurface([...MARKETS, thin], { model: 'svi', target: 'mark' });
    const report = fit.slices.find((s) => s.label === 'THIN')!;
    expect(report.params).toBeNull();
    expect(report.reason).toBe('only 3 strikes with an IV (raw SVI needs 5)');
    expect(fit.slices.filter((s) => s.params !== null)).toHaveLength(3);
  });

  it('refits one expiry from the previous fit: the same answer as a cold fit, in fewer evaluations', () => {
    const fit = fitSurface(MARKETS, { model: 'svi', target: 'mark' });
    const moved = market('30D', 30, { a: 0.0105, b: 0.081, rho: -0.31, m: 0.021, sigma: 0.15 });
    const refit = refitSlice(fit, moved);
    const cold = fitSurface([MARKETS[0]!, moved, MARKETS[2]!], { model: 'svi', target: 'mark' });
    const warm = refit.slices[1]!;
    for (let k = -0.5; k <= 0.5; k += 0.1) expect(sliceTotalVariance(warm)(k)).toBeCloseTo(sliceTotalVariance(cold.slices[1]!)(k), 8);
    expect(warm.evaluations).toBeLessThan(cold.slices[1]!.evaluations);
    expect(refit.slices[0]).toBe(fit.slices[0]); // untouched slices are kept as they were
  });
});

describe('time interpolation in total variance', () => {
  const fit = fitSurface(MARKETS, { model: 'svi', target: 'mark' });

  it('returns each slice at its own expiry, linear in T between, and constant vol outside', () => {
    const [s7, s30, s90] = fit.slices as [typeof fit.slices[0], typeof fit.slices[0], typeof fit.slices[0]];
    for (const k of [-0.3, 0, 0.2]) {
      expect(totalVarianceAt(fit, k, s30.years)).toBeCloseTo(sliceTotalVariance(s30)(k), 14);
      const t = (s7.years + s30.years) / 2;
      expect(totalVarianceAt(fit, k, t)).toBeCloseTo((sliceTotalVariance(s7)(k) + sliceTotalVariance(s30)(k)) / 2, 14);
      // Before the first and after the last expiry the implied vol stays that of the nearest slice.
      expect(totalVarianceAt(fit, k, s7.years / 2) / (s7.years / 2)).toBeCloseTo(sliceTotalVariance(s7)(k) / s7.years, 12);
      expect(totalVarianceAt(fit, k, 2 * s90.years) / (2 * s90.years)).toBeCloseTo(sliceTotalVariance(s90)(k) / s90.years, 12);
    }
  });

  for (const model of ['ssvi', 'essvi'] as const) {
    it(`is non-decreasing in T at every k for an ${model} surface, between and beyond its expiries (dense grid of dates)`, () => {
      const surface = fitSurface(MARKETS, { model, target: 'mark' });
      let previous: ((k: number) => number) | null = null;
      for (let days = 1; days <= 120; days += 1) {
        const w = (k: number): number => totalVarianceAt(surface, k, days / 365);
        if (previous !== null) expect(calendarViolations(previous, w, { kMin: -2, kMax: 2, points: 401 }), `day ${days}`).toEqual([]);
        previous = w;
      }
    });
  }
});

describe('smile summary', () => {
  it('is flat for a flat smile: ATM = the vol, risk reversal and butterfly 0', () => {
    const summary = smileSummary(() => 0.5 * 0.5 * 0.25, 0.25);
    expect(summary.atmIv).toBeCloseTo(0.5, 14);
    expect(summary.riskReversal25).toBeCloseTo(0, 10);
    expect(summary.butterfly25).toBeCloseTo(0, 10);
  });

  it('puts the 25-delta strikes where N(d1) is 0.25 and 0.75, and a negative rho gives a negative risk reversal', () => {
    const p = SLICES[1]![2];
    const w = (k: number): number => sviTotalVariance(p, k);
    for (const delta of [0.25, 0.75]) {
      const k = strikeForCallDelta(w, delta)!;
      const s = Math.sqrt(w(k));
      expect(normCdf(-k / s + s / 2)).toBeCloseTo(delta, 10);
    }
    expect(smileSummary(w, 30 / 365).riskReversal25!).toBeLessThan(0);
  });
});

describe('slice points', () => {
  it('takes the out-of-the-money option of each strike and the bid/ask middle or the mark as target', () => {
    const m: ExpiryMarket = {
      label: 'X', expiryMs: 0, years: 0.1, forward: 100,
      quotes: [
        { name: 'P90', strike: 90, isCall: false, bidIv: 0.5, askIv: 0.6, markIv: 0.54 },
        { name: 'C90', strike: 90, isCall: true, bidIv: 0.4, askIv: 0.7, markIv: 0.53 },
        { name: 'C110', strike: 110, isCall: true, bidIv: null, askIv: 0.6, markIv: 0.52 },
      ],
    };
    const bidask = slicePoints(m, 'bidask', 'spread');
    expect([...bidask.strike]).toEqual([90, 110]);
    expect(bidask.targetIv[0]).toBeCloseTo(0.55, 14); // the put's bid/ask middle (OTM below the forward)
    expect(bidask.targetIv[1]).toBe(0.52); // one-sided: the mark IV
    expect(slicePoints(m, 'mark', 'vega').targetIv[0]).toBe(0.54);
  });
});

describe('bad input', () => {
  it('gives each unusable expiry a reason and fits the rest: NaN time, no forward, NaN IVs', () => {
    const nanTime = { ...MARKETS[0]!, label: 'NAN', expiryMs: 1, years: Number.NaN };
    const noForward = { ...MARKETS[1]!, label: 'NOFWD', expiryMs: 2, forward: 0 };
    const nanIvs = { ...MARKETS[2]!, label: 'NANIV', expiryMs: 3, quotes: MARKETS[2]!.quotes.map((q) => ({ ...q, markIv: Number.NaN, bidIv: null })) };
    const fit = fitSurface([nanTime, noForward, nanIvs, ...MARKETS], { model: 'svi', target: 'mark' });
    const reasons = Object.fromEntries(fit.slices.map((s) => [s.label, s.reason]));
    expect(reasons).toMatchObject({
      NAN: 'no time to expiry (T is not a number)',
      NOFWD: 'no forward (got 0)',
      NANIV: 'only 0 strikes with an IV (raw SVI needs 5)',
      '7D': null,
      '30D': null,
      '90D': null,
    });
  });
});
