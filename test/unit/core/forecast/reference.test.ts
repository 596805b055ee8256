/**
 * GARCH(1,1) and HAR-RV against shared/reference/forecast_reference.json: fits of the same real series by an
 * independent implementation (Python `arch` 8.0.0 Gaussian MLE; numpy lstsq). Tolerances from its README: the
 * log-likelihood to about 1e-6 relative, GARCH parameters to about 1e-3 relative (optimisers differ), HAR
 * coefficients to 1e-9.
 */
import { describe, expect, it } from 'vitest';
import { fitGarch11, garchHorizonVariance } from '../../../../src-main/core/forecast/garch';
import { fitHar, harPredict, harRows } from '../../../../src-main/core/forecast/har';
import { dailyRealizedVariance, percentLogReturns } from '../../../../src-main/core/forecast/prices';
import { ewmaSeries, qlike } from '../../../../src-main/core/forecast/evaluate';
import { readSharedJson } from '../pricing/sharedData';
import { BITSTAMP_BTC_HOURLY, DERIBIT_BTC_DAILY, sharedPrices } from './sharedSeries';

interface GarchReference {
  params: Record<string, number>;
  loglikelihood: number;
  last_conditional_vol_pct: number;
  forecast_1d_variance_pct2: number;
}
interface Reference {
  garch11_deribit_btc_perp_daily_meanZero: GarchReference;
  garch11_deribit_btc_perp_daily_meanConstant: GarchReference;
  har_rv_bitstamp_btc_hourly: {
    coefficients: Record<'b0' | 'bd' | 'bw' | 'bm', number>;
    out_of_sample: { qlike_har: number; 'qlike_ewma_rv_alpha0.06': number };
  };
}
const reference = readSharedJson<Reference>('reference', 'forecast_reference.json');
const relative = (actual: number, expected: number): number => Math.abs(actual / expected - 1);

describe('GARCH(1,1) on Deribit BTC-PERPETUAL daily percent log returns (reference: arch 8.0.0)', () => {
  // Series as the reference states it: sorted by unix ascending, first return dropped: 2726 returns.
  const prices = sharedPrices(DERIBIT_BTC_DAILY);
  const returns = percentLogReturns(prices.closes);

  it('reads the stated series: 2727 closes, 2726 returns, no bad rows', () => {
    expect(prices.errors).toEqual([]);
    expect(returns).toHaveLength(2726);
  });

  for (const [mean, key] of [['zero', 'garch11_deribit_btc_perp_daily_meanZero'], ['constant', 'garch11_deribit_btc_perp_daily_meanConstant']] as const) {
    it(`mean ${mean}: log-likelihood to 1e-8 relative, parameters to 1e-4 relative, filter and forecast`, () => {
      const expected = reference[key];
      const fit = fitGarch11(returns, { mean });
      expect(fit.converged).toBe(true);
      expect(relative(fit.logLikelihood, expected.loglikelihood)).toBeLessThan(1e-8);
      // Our optimum is at least as good as the reference's (both maximise the same function).
      expect(fit.logLikelihood).toBeGreaterThanOrEqual(expected.loglikelihood - 1e-7);
      expect(relative(fit.omega, expected.params['omega']!)).toBeLessThan(1e-4);
      expect(relative(fit.alpha, expected.params['alpha[1]']!)).toBeLessThan(1e-4);
      expect(relative(fit.beta, expected.params['beta[1]']!)).toBeLessThan(1e-4);
      if (mean === 'constant') expect(relative(fit.mu, expected.params['mu']!)).toBeLessThan(1e-4);
      expect(relative(Math.sqrt(fit.lastConditionalVariance), expected.last_conditional_vol_pct)).toBeLessThan(1e-5);
      expect(relative(fit.nextVariance, expected.forecast_1d_variance_pct2)).toBeLessThan(1e-5);
      expect(garchHorizonVariance(fit, fit.nextVariance, 1)).toBe(fit.nextVariance);
    });
  }

  it('the multi-day variance forecast converges to the long-run variance (identity)', () => {
    const fit = fitGarch11(returns);
    const longRun = fit.omega / (1 - fit.alpha - fit.beta);
    const h = 100_000;
    expect(garchHorizonVariance(fit, fit.nextVariance, h) / h).toBeCloseTo(longRun, 2);
    // Two-day forecast by hand: sigma2_{T+2} = omega + (alpha + beta) sigma2_{T+1}.
    expect(garchHorizonVariance(fit, fit.nextVariance, 2)).toBeCloseTo(fit.nextVariance + fit.omega + (fit.alpha + fit.beta) * fit.nextVariance, 10);
  });

  it('recovers known parameters from a simulated GARCH(1,1) path (seeded) within sampling error', async () => {
    const { Rng } = await import('../../../../src-main/core/random');
    const rng = new Rng(13);
    const [omega, alpha, beta] = [0.5, 0.1, 0.85];
    const simulated: number[] = [];
    let sigma2 = omega / (1 - alpha - beta);
    for (let t = 0; t < 20_000; t++) {
      const r = Math.sqrt(sigma2) * rng.nextNormal();
      simulated.push(r);
      sigma2 = omega + alpha * r * r + beta * sigma2;
    }
    const fit = fitGarch11(simulated);
    // Asymptotic standard errors at T = 20 000 are about 0.006 (alpha), 0.008 (beta), 0.06 (omega): allow ~4 s.e.
    expect(Math.abs(fit.alpha - alpha)).toBeLessThan(0.025);
    expect(Math.abs(fit.beta - beta)).toBeLessThan(0.03);
    expect(Math.abs(fit.omega - omega)).toBeLessThan(0.25);
  });
});

describe('HAR-RV on daily realized variance from hourly Bitstamp BTC (reference: numpy lstsq)', () => {
  const variance = dailyRealizedVariance(sharedPrices(BITSTAMP_BTC_HOURLY));
  // The stated design: full days only, first and last full day dropped: 1383 days 2018-05-17..2022-02-27.
  const rv = variance.variance.slice(1, -1);
  const days = variance.dayMs.slice(1, -1);
  const rows = harRows(rv);

  it('builds the stated design: 1383 days, 1361 rows', () => {
    expect(variance.source).toBe('intraday');
    expect(rv).toHaveLength(1383);
    expect(new Date(days[0]!).toISOString().slice(0, 10)).toBe('2018-05-17');
    expect(new Date(days.at(-1)!).toISOString().slice(0, 10)).toBe('2022-02-27');
    expect(rows).toHaveLength(1361);
  });

  it('OLS coefficients agree to 1e-9 (absolute and relative)', () => {
    const fit = fitHar(rows);
    const expected = reference.har_rv_bitstamp_btc_hourly.coefficients;
    const names = ['b0', 'bd', 'bw', 'bm'] as const;
    names.forEach((name, i) => {
      expect(Math.abs(fit.coefficients[i]! - expected[name])).toBeLessThan(1e-9);
      expect(relative(fit.coefficients[i]!, expected[name])).toBeLessThan(1e-9);
    });
  });

  it('out of sample: expanding-window daily re-estimation, QLIKE of HAR 0.2837 and of EWMA(alpha 0.06) of RV 0.3074', () => {
    const evaluated = 409; // the reference's last 409 rows, from 2021-01-14
    const first = rows.length - evaluated;
    expect(new Date(days[rows[first]!.day]!).toISOString().slice(0, 10)).toBe('2021-01-14');
    const ewma = ewmaSeries(rv, 0.94);
    let harLoss = 0;
    let ewmaLoss = 0;
    for (let i = first; i < rows.length; i++) {
      const row = rows[i]!;
      harLoss += qlike(row.target, harPredict(fitHar(rows.slice(0, i)), row.features));
      ewmaLoss += qlike(row.target, ewma[row.day]!);
    }
    const out = reference.har_rv_bitstamp_btc_hourly.out_of_sample;
    expect(Math.abs(harLoss / evaluated - out.qlike_har)).toBeLessThan(1e-9);
    expect(Math.abs(ewmaLoss / evaluated - out['qlike_ewma_rv_alpha0.06'])).toBeLessThan(1e-9);
  });
});

describe('GARCH(1,1) input checks', () => {
  it('names the bad return, refuses too few or constant returns', () => {
    const returns = Array.from({ length: 50 }, (_, i) => Math.sin(i));
    returns[17] = Number.NaN;
    expect(() => fitGarch11(returns)).toThrow(/return 17 is not a finite number \(NaN\)/);
    expect(() => fitGarch11([1, 2, 3])).toThrow(/at least 10 returns, got 3/);
    expect(() => fitGarch11(new Array<number>(20).fill(0))).toThrow(/zero variance/);
  });
});
