/**
 * Variance risk premium. The 2021-2026 DVOL figure: Deribit's BTC DVOL (joachimoliver_btc_dvol.csv, daily close,
 * percent) against the vol realized over the following 30 days by Deribit BTC-PERPETUAL daily closes (08:00 UTC
 * rows; the DVOL close of day D is taken at D+1 00:00, before the first return it is compared with ends). The
 * numbers asserted below were cross-checked by an independent plain-Python computation over the same two files
 * (csv module only, no code shared): 1744 days, mean 9.8244 vol points, 74.03 % of days positive.
 */
import { describe, expect, it } from 'vitest';
import { dailyRealizedVariance } from '../../../../src-main/core/forecast/prices';
import { alignByDay, expiryPremium, horizonDaysForExpiry, impliedVersusFollowingRealized, varianceRiskPremium, zScore } from '../../../../src-main/core/forecast/vrp';
import { type Vol, vol, volFromPercent } from '../../../../src-main/core/units';
import { DERIBIT_BTC_DAILY, sharedPrices } from './sharedSeries';

describe('premium per expiry', () => {
  it('is implied minus forecast realized, in variance and in vol points', () => {
    const p = varianceRiskPremium(vol(0.6), vol(0.5));
    expect(p.variance).toBeCloseTo(0.36 - 0.25, 15);
    expect(p.volPoints).toBeCloseTo(10, 12);
    expect(varianceRiskPremium(vol(0.5), vol(0.5))).toEqual({ variance: 0, volPoints: 0 });
  });

  it('per expiry: the forecast is asked for the expiry\'s horizon in days, and the premium is scored against its history', () => {
    const asked: number[] = [];
    const forecast = (days: number): Vol | null => {
      asked.push(days);
      return days > 100 ? null : vol(0.5);
    };
    const history = Array.from({ length: 40 }, (_, i) => (i % 2 ? 12 : 8));
    const week = expiryPremium(vol(0.6), 7 / 365, forecast, history);
    expect(asked).toEqual([7]);
    expect(week).toMatchObject({ horizonDays: 7 });
    if (!('zScore' in week)) throw new Error('expected a premium');
    expect(week.volPoints).toBeCloseTo(10, 12);
    expect(week.zScore.value).toBeCloseTo(0, 12); // 10 vol points is the history's mean
    expect(expiryPremium(vol(0.6), 1, forecast, history)).toEqual({ horizonDays: 365, premium: null, reason: 'no realized-vol forecast for 365 days' });
    // An expiry hours away still gets a one-day forecast.
    expect(horizonDaysForExpiry(2 / (365 * 24))).toBe(1);
    expect(() => horizonDaysForExpiry(Number.NaN)).toThrow(RangeError);
  });

  it('z-score against earlier values only; null with the reason when the history is short or flat', () => {
    const history = Array.from({ length: 40 }, (_, i) => (i % 2 ? 12 : 8)); // mean 10, sample sd sqrt(40/39) x 2
    const z = zScore(14, history);
    expect(z.value).toBeCloseTo(4 / (2 * Math.sqrt(40 / 39)), 12);
    expect(zScore(14, history.slice(0, 10))).toMatchObject({ value: null, reason: '10 earlier values; a z-score needs 30' });
    expect(zScore(14, new Array<number>(40).fill(3))).toMatchObject({ value: null, reason: 'the history has no spread' });
    expect(zScore(Number.NaN, history).reason).toMatch(/NaN/);
  });
});

describe('BTC DVOL against the realized vol of the following 30 days, 2021-2026', () => {
  const prices = dailyRealizedVariance(sharedPrices(DERIBIT_BTC_DAILY));
  const dvol = sharedPrices('joachimoliver_btc_dvol.csv');
  const implied = alignByDay(prices.dayMs, dvol.times, dvol.closes.map((c) => volFromPercent(c)));
  const summary = impliedVersusFollowingRealized(prices.dayMs, implied, prices.dailyReturn, 30);

  it('measures a mean premium of 9.82 vol points over 1744 days (74 % positive), positive in every year', () => {
    console.log(
      `BTC DVOL - following 30-day realized vol: ${summary.points.length} days ${new Date(summary.points[0]!.dayMs).toISOString().slice(0, 10)}..` +
        `${new Date(summary.points.at(-1)!.dayMs).toISOString().slice(0, 10)}; mean ${summary.meanVolPoints.toFixed(2)} vol points, median ${summary.medianVolPoints.toFixed(2)}, ` +
        `mean variance premium ${summary.meanVariance.toFixed(4)}, positive on ${(100 * summary.sharePositive).toFixed(1)} % of days; ` +
        `mean DVOL ${(100 * summary.meanImplied).toFixed(2)} %, mean realized ${(100 * summary.meanRealized).toFixed(2)} %\n` +
        summary.byYear.map((y) => `  ${y.year}: ${y.days} days, premium ${y.meanVolPoints.toFixed(2)} vol points (DVOL ${(100 * y.meanImplied).toFixed(1)} %, realized ${(100 * y.meanRealized).toFixed(1)} %)`).join('\n'),
    );
    expect(summary.points).toHaveLength(1744);
    expect(new Date(summary.points[0]!.dayMs).toISOString().slice(0, 10)).toBe('2021-03-24');
    expect(new Date(summary.points.at(-1)!.dayMs).toISOString().slice(0, 10)).toBe('2025-12-31');
    expect(Math.abs(summary.meanVolPoints - 9.824443639793285)).toBeLessThan(1e-9);
    expect(Math.abs(summary.sharePositive - 0.7402522935779816)).toBeLessThan(1e-12);
    for (const year of summary.byYear) expect(year.meanVolPoints).toBeGreaterThan(0);
  });

  it('each point is the identity premium = DVOL - sqrt(365/30 x sum of the next 30 squared returns)', () => {
    const t = prices.dayMs.indexOf(Date.UTC(2022, 10, 9)); // FTX: DVOL 114.72 (shared/data README)
    const point = summary.points.find((p) => p.dayMs === prices.dayMs[t])!;
    expect(point.implied).toBeCloseTo(1.1472, 12);
    let sum = 0;
    for (let k = 1; k <= 30; k++) sum += prices.dailyReturn[t + k]! ** 2;
    expect(point.realized).toBeCloseTo(Math.sqrt((sum * 365) / 30), 12);
    expect(point.premium.volPoints).toBeCloseTo(100 * (1.1472 - (point.realized as Vol)), 10);
  });
});
