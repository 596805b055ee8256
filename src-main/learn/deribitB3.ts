/**
 * B3's `deribit-hourly` test paths (decision 0033): the Deribit BTC-PERPETUAL hourly 2026 file, anchored at every
 * hour whose 720-hour window fits, each path priced at the hourly DVOL of its anchor hour and shifted to a martingale
 * (B3's anchored bootstrap, decision 0023). Test data only: training and the Whalley-Wilmott tuning stay on B3's
 * bootstrap of 2018-2020 Bitstamp returns (train 2018-05-15..2020-06-30, validation 2020-H2), never the reverse.
 */
import { anchoredBootstrapPaths, B3_SETTING, type B3Days } from '../core/learn/b3';
import { blockCountNote, deribitHourlyMaturityError, utcHour } from '../core/learn/deribitSeries';
import { Rng } from '../core/random';
import { b3Setup, type B3Loss, type B3Setup } from './b3Setup';
import { loadDeribitHourly, type DeribitHourlyData } from './deribitSeries';

/** A path length the 2026 hourly data cannot serve (the message names the data span). */
export class DeribitSpanError extends Error {
  override name = 'DeribitSpanError';
}

/** One line naming the test data: span, anchors, DVOL range, and how many distinct blocks the paths recombine. */
export function deribitHourlyNote(data: DeribitHourlyData): string {
  const { history } = data;
  const anchors = history.anchorTime.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of history.anchorVol) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return `deribit-hourly: Deribit BTC-PERPETUAL hourly ${utcHour(data.firstMs)}..${utcHour(data.lastMs)} UTC; ${anchors} anchor hours `
    + `${utcHour(history.anchorTime[0]!)}..${utcHour(history.anchorTime[anchors - 1]!)} (each priced at its hour's DVOL, ${lo.toFixed(4)}..${hi.toFixed(4)}); `
    + `${blockCountNote(history.logReturns.length, B3_SETTING.blockHours, 'hourly')}`;
}

/** B3 with the 2026 Deribit hourly test paths; throws {@link DeribitSpanError} for a path longer than 7 days. */
export function deribitHourlyB3Setup(days: B3Days, options: { cost?: number; loss?: B3Loss; dataDir?: string } = {}): B3Setup & { deribit: DeribitHourlyData; note: string } {
  const deribit = loadDeribitHourly(options.dataDir);
  const error = deribitHourlyMaturityError(days, deribit.firstMs, deribit.lastMs);
  if (error !== null) throw new DeribitSpanError(error);
  const base = b3Setup(days, 'bootstrap', options);
  return {
    ...base,
    testPaths: (count, seed) => anchoredBootstrapPaths(deribit.history, base.problem, count, new Rng(seed)),
    data: base.data === null ? null : { ...base.data, problems: [...base.data.problems, ...deribit.problems] },
    deribit,
    note: deribitHourlyNote(deribit),
  };
}
