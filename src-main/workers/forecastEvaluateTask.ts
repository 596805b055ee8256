/**
 * Jobs-pool task `forecastEvaluate`: a price file's realized-vol forecasts from every model (EWMA, GARCH, HAR,
 * learned) at 1, 7 and 30 days and their out-of-sample evaluation with rolling re-estimation (QLIKE, MSE,
 * Diebold–Mariano against HAR; core/forecast/outOfSample.ts) — the same as `gammadesk forecast --evaluate`, for the
 * Surface view's forecast panel. Seconds of CPU on a long history: hence the low-priority jobs thread.
 */
import type { MessagePort } from 'node:worker_threads';
import { evaluateOutOfSample, type OutOfSampleReport } from '../core/forecast/outOfSample';

export type { ForecastEvaluateResult };
import type { ForecastEvaluateResult } from '../core/forecast/fileEvaluation';
import { FORECAST_HORIZONS, FORECAST_MODELS, forecastFromHistory, type DailyHistory } from '../core/forecast/models';
import { dailyRealizedVariance, parsePriceCsv } from '../core/forecast/prices';
import { Rng } from '../core/random';

export interface ForecastEvaluateInput {
  /** The file's text and its name (for messages). */
  text: string;
  name: string;
  closeColumn?: string;
  /** Share of the days used for the first fit; the rest are evaluated out of sample (default 0.7). */
  trainShare?: number;
  seed?: number;
}

export type ForecastEvaluateToMain = { type: 'progress'; step: string };

/** Days the rolling evaluation needs at least (HAR's 22-day lag plus a training span and a test span). */
const MIN_DAYS = 120;

export async function forecastEvaluate(input: ForecastEvaluateInput & { port: MessagePort }): Promise<ForecastEvaluateResult> {
  const { port } = input;
  const progress = (step: string): void => port.postMessage({ type: 'progress', step } satisfies ForecastEvaluateToMain);
  progress('reading');
  const series = parsePriceCsv(input.text, input.closeColumn ? { closeColumn: input.closeColumn } : {});
  const daily = dailyRealizedVariance(series);
  const history: DailyHistory = { dayMs: daily.dayMs, variance: daily.variance, dailyReturn: daily.dailyReturn };
  const rng = (): Rng => new Rng(input.seed ?? 2026);
  progress('forecasting');
  const forecasts = FORECAST_MODELS.flatMap((model) =>
    FORECAST_HORIZONS.map((horizonDays) => {
      const f = forecastFromHistory(history, model, horizonDays, rng());
      return { model: f.model, horizonDays: f.horizonDays, vol: f.vol, reason: f.reason };
    }),
  );
  let evaluation: OutOfSampleReport | null = null;
  let evaluationReason: string | null = null;
  if (daily.dayMs.length < MIN_DAYS) evaluationReason = `${daily.dayMs.length} days: the out-of-sample evaluation needs at least ${MIN_DAYS}`;
  else {
    progress('evaluating out of sample');
    evaluation = evaluateOutOfSample(history, { horizons: FORECAST_HORIZONS, firstDay: Math.floor(daily.dayMs.length * (input.trainShare ?? 0.7)) }, rng());
  }
  return {
    name: input.name,
    rowsRead: series.rowsRead,
    badRows: series.errors.slice(0, 20).map((e) => ({ line: e.line, reason: e.message })),
    days: daily.dayMs.length,
    firstDayMs: daily.dayMs[0] ?? null,
    lastDayMs: daily.dayMs.at(-1) ?? null,
    realizedVariance: daily.source,
    forecasts,
    evaluation,
    evaluationReason,
  };
}
