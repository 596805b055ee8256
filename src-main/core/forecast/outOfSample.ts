/**
 * Out-of-sample evaluation with rolling (expanding-window) re-estimation, the design of the HAR reference
 * (shared/reference/forecast_reference.json) extended to h = 7 and 30 days:
 *   - at each evaluation day t (from `firstDay`), every model forecasts the mean daily realized variance over
 *     t+1..t+h using only data up to t;
 *   - HAR is re-estimated every day on the rows whose h-day target ended by t; GARCH every `garchRefitEvery` days
 *     (warm-started from the previous fit; its filter still moves daily) because a fit costs ~40 ms; EWMA has no
 *     parameters to fit; the learned model is trained once on the training span (targets ending before `firstDay`)
 *     and never sees the evaluation span;
 *   - losses: QLIKE and MSE of the variance (MSE reported on annualized variance, x 365^2, to be readable);
 *     Diebold-Mariano of each model's QLIKE against HAR's, h - 1 Newey-West lags.
 * Which model is live per horizon: HAR unless another model has a lower mean QLIKE and its Diebold-Mariano
 * p-value against HAR is below 0.05 — a model that does not beat HAR significantly out of sample is not used.
 */
import type { RandomSource } from '../random';
import { dieboldMariano, ewmaSeries, qlike, squaredError, type DieboldMariano } from './evaluate';
import { fitGarch11, type GarchFit } from './garch';
import { fitHar, futureMean, harFeatures, harPredict, harRows } from './har';
import {
  type DailyHistory, type ForecastModel, FORECAST_MODELS, RISKMETRICS_DAILY_LAMBDA, fitLearned, garchMeanVariance, garchNextVariances, learnedPredict,
} from './models';

export interface OutOfSampleOptions {
  horizons: readonly number[];
  /** First evaluation day index. */
  firstDay: number;
  garchRefitEvery?: number;
  models?: readonly ForecastModel[];
  /** Significance level of the Diebold-Mariano test that a model must pass to replace HAR. Default 0.05. */
  significance?: number;
}

export interface ModelScore {
  model: ForecastModel;
  horizonDays: number;
  /** Mean QLIKE over the scored days, null when none could be scored. */
  qlike: number | null;
  /** Mean squared error of the annualized variance. */
  mse: number | null;
  scored: number;
  /** Days without a usable forecast or with a zero realized variance (QLIKE undefined), with why. */
  skipped: number;
  skipReasons: Record<string, number>;
  /** Against HAR on the days both were scored (null for HAR itself). */
  versusHar: DieboldMariano | null;
}

export interface HorizonVerdict {
  horizonDays: number;
  live: ForecastModel;
  reason: string;
}

export interface OutOfSampleReport {
  firstDayMs: number;
  lastDayMs: number;
  evaluationDays: number;
  trainingDays: number;
  scores: ModelScore[];
  live: HorizonVerdict[];
}

const ANNUAL2 = 365 * 365;

export function evaluateOutOfSample(history: DailyHistory, options: OutOfSampleOptions, rng: RandomSource): OutOfSampleReport {
  const n = history.variance.length;
  const { firstDay } = options;
  const models = options.models ?? FORECAST_MODELS;
  const significance = options.significance ?? 0.05;
  if (!(Number.isInteger(firstDay) && firstDay >= 60 && firstDay < n - 1)) {
    throw new RangeError(`out-of-sample evaluation needs at least 60 training days and one evaluation day: first evaluation day ${firstDay} of ${n}`);
  }
  const ewma = ewmaSeries(history.variance, RISKMETRICS_DAILY_LAMBDA);
  const garchNext = models.includes('garch') ? rollingGarch(history, firstDay, options.garchRefitEvery ?? 20) : null;

  const scores: ModelScore[] = [];
  const live: HorizonVerdict[] = [];
  for (const h of options.horizons) {
    const rows = harRows(history.variance, h);
    const learned = models.includes('learned') ? fitLearned(history, h, firstDay, rng) : null;
    const forecasts = new Map<ForecastModel, (number | null)[]>(models.map((m) => [m, []]));
    const targets: number[] = [];
    let rowsKnown = 0;
    for (let t = firstDay; t + h < n; t++) {
      const target = futureMean(history.variance, t, h)!;
      targets.push(target);
      while (rowsKnown < rows.length && rows[rowsKnown]!.day + h <= t) rowsKnown++;
      for (const model of models) {
        let f: number | null;
        if (model === 'ewma') f = ewma[t]!;
        else if (model === 'garch') f = garchMeanVariance(garchNext!.fits[t]!, garchNext!.next[t]!, h);
        else if (model === 'har') f = harPredict(fitHar(rows.slice(0, rowsKnown), h), harFeatures(history.variance, t)!);
        else f = learnedPredict(learned!, history, t);
        forecasts.get(model)!.push(f);
      }
    }
    const harScore = scoreModel('har', h, targets, forecasts.get('har') ?? [], null);
    for (const model of models) {
      scores.push(model === 'har' ? harScore.score : scoreModel(model, h, targets, forecasts.get(model)!, harScore.losses).score);
    }
    live.push(verdict(h, scores.filter((s) => s.horizonDays === h), significance));
  }
  return {
    firstDayMs: history.dayMs[firstDay]!,
    lastDayMs: history.dayMs[n - 1]!,
    evaluationDays: n - firstDay,
    trainingDays: firstDay,
    scores,
    live,
  };
}

function rollingGarch(history: DailyHistory, firstDay: number, refitEvery: number): { fits: GarchFit[]; next: Float64Array } {
  const returns = history.dailyReturn.map((r) => 100 * r);
  const fits: GarchFit[] = [];
  const next = new Float64Array(returns.length);
  let fit: GarchFit | null = null;
  for (let t = firstDay; t < returns.length; t += refitEvery) {
    const sample = returns.slice(0, t + 1);
    fit = fitGarch11(sample, fit ? { start: fit } : {});
    const end = Math.min(t + refitEvery, returns.length);
    // Parameters fixed from day t; the filter runs over the data up to each day (it never looks ahead).
    const path = garchNextVariances(returns.slice(0, end), fit);
    for (let s = t; s < end; s++) {
      fits[s] = fit;
      next[s] = path[s]!;
    }
  }
  return { fits, next };
}

function scoreModel(model: ForecastModel, h: number, targets: readonly number[], forecasts: readonly (number | null)[], harLosses: (number | null)[] | null): { score: ModelScore; losses: (number | null)[] } {
  const skipReasons: Record<string, number> = {};
  const skip = (reason: string): null => {
    skipReasons[reason] = (skipReasons[reason] ?? 0) + 1;
    return null;
  };
  let q = 0;
  let mse = 0;
  let scored = 0;
  const losses = targets.map((y, i) => {
    const f = forecasts[i];
    if (f === null || f === undefined) return skip('no forecast (missing features)');
    if (!(f > 0)) return skip('non-positive variance forecast');
    if (!(y > 0)) return skip('zero realized variance (QLIKE undefined)');
    const loss = qlike(y, f);
    q += loss;
    mse += squaredError(y, f) * ANNUAL2;
    scored++;
    return loss;
  });
  let versusHar: DieboldMariano | null = null;
  if (harLosses) {
    const a: number[] = [];
    const b: number[] = [];
    losses.forEach((loss, i) => {
      const other = harLosses[i];
      if (loss !== null && other !== null && other !== undefined) {
        a.push(loss);
        b.push(other);
      }
    });
    versusHar = dieboldMariano(a, b, h);
  }
  return {
    score: {
      model,
      horizonDays: h,
      qlike: scored > 0 ? q / scored : null,
      mse: scored > 0 ? mse / scored : null,
      scored,
      skipped: targets.length - scored,
      skipReasons,
      versusHar,
    },
    losses,
  };
}

function verdict(h: number, scores: readonly ModelScore[], significance: number): HorizonVerdict {
  const har = scores.find((s) => s.model === 'har');
  if (!har || har.qlike === null) return { horizonDays: h, live: 'ewma', reason: 'HAR could not be scored: EWMA (no parameters) is used' };
  // Challengers with a lower mean QLIKE than HAR on the days both were scored, the largest improvement first.
  const better = scores
    .filter((s) => s.model !== 'har' && s.versusHar !== null && s.versusHar.statistic !== null && s.versusHar.meanDifference < 0)
    .sort((a, b) => a.versusHar!.meanDifference - b.versusHar!.meanDifference);
  const significant = better.find((s) => s.versusHar!.pValue! < significance);
  if (significant) {
    return {
      horizonDays: h,
      live: significant.model,
      reason: `${significant.model} beats HAR out of sample: mean QLIKE difference ${significant.versusHar!.meanDifference.toFixed(4)}, DM ${significant.versusHar!.statistic!.toFixed(2)}, p = ${significant.versusHar!.pValue!.toFixed(4)} < ${significance}`,
    };
  }
  const best = better[0];
  return {
    horizonDays: h,
    live: 'har',
    reason: best
      ? `HAR: ${best.model} has lower QLIKE by ${(-best.versusHar!.meanDifference).toFixed(4)} but not significantly (DM ${best.versusHar!.statistic!.toFixed(2)}, p = ${best.versusHar!.pValue!.toFixed(3)} >= ${significance})`
      : 'HAR: no model has a lower QLIKE out of sample',
  };
}

/** The report as a fixed-width text table (one row per horizon and model) followed by the live model per horizon. */
export function outOfSampleTable(report: OutOfSampleReport): string {
  const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
  const num = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? '—' : v.toFixed(digits));
  const lines = [
    `out of sample ${day(report.firstDayMs)}..${day(report.lastDayMs)} (${report.evaluationDays} days; trained on the ${report.trainingDays} days before)`,
    'horizon  model    QLIKE    MSE(ann.var)  scored  skipped  DM vs HAR  p',
  ];
  for (const s of report.scores) {
    lines.push(
      `${`${s.horizonDays}d`.padEnd(9)}${s.model.padEnd(9)}${num(s.qlike, 4).padEnd(9)}${num(s.mse, 5).padEnd(14)}${String(s.scored).padEnd(8)}${String(s.skipped).padEnd(9)}` +
        `${num(s.versusHar?.statistic, 2).padEnd(11)}${num(s.versusHar?.pValue, 4)}`,
    );
  }
  for (const v of report.live) lines.push(`live ${v.horizonDays}d: ${v.live} — ${v.reason}`);
  return lines.join('\n');
}
