/**
 * The four realized-volatility forecasters on a daily history, each giving the mean daily variance over the next
 * h days (1, 7, 30) and the annualized vol that implies:
 *   - `ewma`: RiskMetrics lambda = 0.94 EWMA of the daily realized variance, flat over the horizon;
 *   - `garch`: GARCH(1,1) by Gaussian MLE on the daily log returns (percent), the term structure of its variance
 *     forecast averaged over the horizon;
 *   - `har`: HAR-RV regression of the mean RV over the next h days (Corsi 2009; direct for h > 1);
 *   - `learned`: gradient-boosted trees on log HAR features, the implied-vol level (when given) and recent
 *     returns, predicting log mean RV; back-transformed with Duan's smearing factor (the mean of exp(residual) on
 *     the training rows), since exp(E[log y]) underestimates E[y].
 * Daily realized variance is a decimal log-return variance for one day (not annualized); vols are annualized with
 * 365 days (crypto trades every day; the same ACT/365 as option time to expiry).
 */
import type { RandomSource } from '../random';
import type { Vol } from '../units';
import { ewmaSeries } from './evaluate';
import { fitGarch11, garchFilter, garchHorizonVariance, type GarchFit } from './garch';
import { DEFAULT_GBT_OPTIONS, fitGbt, type GbtModel, type GbtOptions, predictGbt } from './gbt';
import { fitHar, futureMean, harFeatures, harPredict, harRows, type HarFit } from './har';

export type ForecastModel = 'ewma' | 'garch' | 'har' | 'learned';
export const FORECAST_MODELS: readonly ForecastModel[] = ['ewma', 'garch', 'har', 'learned'];
export const FORECAST_HORIZONS: readonly number[] = [1, 7, 30];
export const RISKMETRICS_DAILY_LAMBDA = 0.94;
const DAYS_PER_YEAR = 365;

/** A daily series: realized variance, close-to-close log return and, optionally, an implied vol (decimal) per day. */
export interface DailyHistory {
  dayMs: readonly number[];
  variance: readonly number[];
  dailyReturn: readonly number[];
  /** Implied vol level of each day (e.g. DVOL as a decimal), null where unknown. */
  impliedVol?: readonly (number | null)[];
}

/** Annualized vol from a mean daily variance. */
export const annualizedVol = (meanDailyVariance: number): Vol => Math.sqrt(Math.max(0, meanDailyVariance) * DAYS_PER_YEAR) as Vol;

/** Floor for logs of realized variance: a zero daily return (daily-close files) has no logarithm. */
const LOG_FLOOR = 1e-10;
const safeLog = (v: number): number => Math.log(Math.max(v, LOG_FLOOR));

export const LEARNED_FEATURES_BASE = ['log_rv_day', 'log_rv_week', 'log_rv_month', 'return_day', 'abs_return_day', 'return_week'] as const;

/** The learned model's features at day t (null before 22 days of history, or without the implied vol it was trained with). */
export function learnedFeatures(history: DailyHistory, t: number, withImpliedVol: boolean): number[] | null {
  const har = harFeatures(history.variance, t);
  if (!har) return null;
  let week = 0;
  for (let k = 0; k < 5; k++) week += history.dailyReturn[t - k]!;
  const r = history.dailyReturn[t]!;
  const row = [safeLog(har[0]), safeLog(har[1]), safeLog(har[2]), r, Math.abs(r), week];
  if (withImpliedVol) {
    const iv = history.impliedVol?.[t];
    if (iv === null || iv === undefined || !(iv > 0)) return null;
    row.push(Math.log((iv * iv) / DAYS_PER_YEAR));
  }
  return row;
}

export interface LearnedFit {
  model: GbtModel;
  horizonDays: number;
  withImpliedVol: boolean;
  smearing: number;
  trainingRows: number;
  /** Last day index whose target the training used (t + h <= this). */
  trainedThrough: number;
}

/**
 * Trains the learned forecaster on the rows whose targets end by day `through` (inclusive): nothing after it is
 * seen. Uses the implied vol when the training span has one on at least 250 days (rows without it are then left
 * out of training, and days without it get no forecast).
 */
export function fitLearned(history: DailyHistory, horizonDays: number, through: number, rng: RandomSource, options: GbtOptions = DEFAULT_GBT_OPTIONS): LearnedFit {
  // The implied vol is a feature only when the training span has enough of it (250 days): a series that starts
  // inside the evaluation span would leave nothing to learn its effect from.
  const withImpliedVol = (history.impliedVol?.slice(0, through + 1).filter((v) => v !== null && v > 0).length ?? 0) >= 250;
  const x: number[][] = [];
  const y: number[] = [];
  for (let t = 0; t + horizonDays <= through; t++) {
    const features = learnedFeatures(history, t, withImpliedVol);
    const target = futureMean(history.variance, t, horizonDays);
    if (!features || target === null) continue;
    x.push(features);
    y.push(safeLog(target));
  }
  const names: string[] = [...LEARNED_FEATURES_BASE];
  if (withImpliedVol) names.push('log_iv_variance');
  const model = fitGbt(x, y, names, rng, options);
  let smear = 0;
  x.forEach((row, i) => {
    smear += Math.exp(y[i]! - predictGbt(model, row));
  });
  return { model, horizonDays, withImpliedVol, smearing: smear / x.length, trainingRows: x.length, trainedThrough: through };
}

/** Mean daily variance over the next h days from day t, or null without the features. */
export function learnedPredict(fit: LearnedFit, history: DailyHistory, t: number): number | null {
  const features = learnedFeatures(history, t, fit.withImpliedVol);
  return features ? Math.exp(predictGbt(fit.model, features)) * fit.smearing : null;
}

/** GARCH forecast of the mean daily variance (decimal) over h days, from sigma2_{t+1} in percent^2. */
export function garchMeanVariance(fit: Pick<GarchFit, 'omega' | 'alpha' | 'beta'>, nextVariancePct2: number, horizonDays: number): number {
  return garchHorizonVariance(fit, nextVariancePct2, horizonDays) / horizonDays / 1e4;
}

export interface ForecastReport {
  model: ForecastModel;
  horizonDays: number;
  /** Last day of data the forecast is made at (UTC day start, epoch ms). */
  asOfDayMs: number;
  /** Mean daily variance over the horizon (decimal), null with the reason when it cannot be computed. */
  meanDailyVariance: number | null;
  /** Annualized vol over the horizon. */
  vol: Vol | null;
  reason: string | null;
  parameters: Record<string, number | boolean | string>;
}

/** Fits `model` on the whole history and forecasts the next h days from its last day. */
export function forecastFromHistory(history: DailyHistory, model: ForecastModel, horizonDays: number, rng: RandomSource): ForecastReport {
  const n = history.variance.length;
  const last = n - 1;
  const base = { model, horizonDays, asOfDayMs: history.dayMs[last] ?? Number.NaN };
  const done = (mean: number | null, parameters: ForecastReport['parameters'], reason: string | null = null): ForecastReport => ({
    ...base,
    meanDailyVariance: mean,
    vol: mean === null ? null : annualizedVol(mean),
    reason: mean === null ? reason : null,
    parameters,
  });
  if (n < 60) return done(null, {}, `${n} days of history; the models need at least 60`);
  switch (model) {
    case 'ewma': {
      const e = ewmaSeries(history.variance, RISKMETRICS_DAILY_LAMBDA);
      return done(e[last]!, { lambda: RISKMETRICS_DAILY_LAMBDA });
    }
    case 'garch': {
      const returns = history.dailyReturn.map((r) => 100 * r);
      const fit = fitGarch11(returns);
      return done(garchMeanVariance(fit, fit.nextVariance, horizonDays), garchParameters(fit));
    }
    case 'har': {
      const rows = harRows(history.variance, horizonDays);
      const fit = fitHar(rows, horizonDays);
      const mean = harPredict(fit, harFeatures(history.variance, last)!);
      return mean > 0 ? done(mean, harParameters(fit)) : done(null, harParameters(fit), `HAR predicts a non-positive variance (${mean})`);
    }
    case 'learned': {
      const fit = fitLearned(history, horizonDays, last, rng);
      const mean = learnedPredict(fit, history, last);
      return done(mean, { trees: fit.model.trees.length, training_rows: fit.trainingRows, uses_implied_vol: fit.withImpliedVol, smearing: fit.smearing }, 'no implied vol on the last day');
    }
  }
}

export function garchParameters(fit: GarchFit): Record<string, number | boolean> {
  return {
    omega_pct2: fit.omega,
    alpha: fit.alpha,
    beta: fit.beta,
    persistence: fit.alpha + fit.beta,
    log_likelihood: fit.logLikelihood,
    observations: fit.observations,
    long_run_vol: annualizedVol(fit.omega / (1 - fit.alpha - fit.beta) / 1e4),
    converged: fit.converged,
  };
}

export function harParameters(fit: HarFit): Record<string, number> {
  const [b0, bd, bw, bm] = fit.coefficients;
  return { b0, bd, bw, bm, rows: fit.rows };
}

/** GARCH sigma2_{t+1} (percent^2) for every t, with the parameters fitted once on returns up to `fitEnd`. */
export function garchNextVariances(returnsPct: readonly number[], fit: GarchFit): Float64Array {
  const { variances, next } = garchFilter(returnsPct, fit);
  const out = new Float64Array(returnsPct.length);
  for (let t = 0; t + 1 < returnsPct.length; t++) out[t] = variances[t + 1]!;
  out[returnsPct.length - 1] = next;
  return out;
}
