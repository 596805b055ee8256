/**
 * The daily BTC returns of the `history` training source (models.train `{ type: 'history', series }`), by series:
 * - `bitstamp` (default): daily sums of the Bitstamp hourly file's returns, train 2018–2020, gate 2021–2022
 *   (learn/historyTrain.ts);
 * - `deribit`: Deribit BTC-PERPETUAL daily closes (08:00 to 08:00 UTC, `ttienomy_deribit_BTC-PERPETUAL_daily.csv`
 *   beside the history file), train 2018-08-14..2020-12-31, gate 2021-01-01..2026-01-30, never the reverse
 *   (decision 0033). The return across 2020-12-31 -> 2021-01-01 belongs to neither.
 */
import { dirname, join } from 'node:path';
import { DERIBIT_SPANS, gapFreeBlockStarts, gapNote } from '../core/learn/deribitSeries';
import { dailyReturnsBetween, HISTORY_BLOCK_DAYS, HISTORY_TEST, HISTORY_TRAIN, realizedVol } from './historyTrain';
import { DERIBIT_PERP_DAILY_FILE, deribitDailyReturns } from './deribitSeries';

export const HISTORY_SERIES = ['bitstamp', 'deribit'] as const;
export type HistorySeries = (typeof HISTORY_SERIES)[number];

/** The history a model was trained and tested on. */
export interface HistoryRange {
  file: string;
  /** Which series, and its name for descriptions ("BTC" for Bitstamp as before, "Deribit BTC-PERPETUAL"). */
  series?: HistorySeries;
  seriesLabel?: string;
  trainDays: number;
  trainFirstMs: number;
  trainLastMs: number;
  testDays: number;
  testFirstMs: number;
  testLastMs: number;
  badRows: number;
  /** Deribit: gaps in the daily rows of both parts (no return taken across one, no block drawn across one). */
  gaps?: number;
  realizedVol: number;
}

/** A series' daily returns for a path source: with, when the rows have gaps, the block starts that hold none. */
export interface SeriesReturns {
  train: Float64Array;
  test: Float64Array;
  /** Gap-free starts of `HISTORY_BLOCK_DAYS`-day blocks (core/learn/deribitSeries.ts); absent: every block. */
  trainBlockStarts?: Int32Array;
  testBlockStarts?: Int32Array;
}

const dayMs = (date: string | null): number => (date === null ? NaN : Date.parse(`${date}T00:00:00Z`));

/** Training and test daily returns of a series; `historyFile` is the app's Bitstamp hourly file (the Deribit file sits beside it). */
export function readHistorySeries(historyFile: string, series: HistorySeries = 'bitstamp'): SeriesReturns & { range: HistoryRange } {
  if (series === 'bitstamp') {
    const train = dailyReturnsBetween(historyFile, HISTORY_TRAIN.fromMs, HISTORY_TRAIN.toMs);
    const test = dailyReturnsBetween(historyFile, HISTORY_TEST.fromMs, HISTORY_TEST.toMs);
    return {
      train: train.returns,
      test: test.returns,
      range: {
        file: historyFile, series, seriesLabel: 'BTC', trainDays: train.returns.length, trainFirstMs: train.firstMs, trainLastMs: train.lastMs,
        testDays: test.returns.length, testFirstMs: test.firstMs, testLastMs: test.lastMs, badRows: train.badRows, realizedVol: realizedVol(train.returns),
      },
    };
  }
  const file = join(dirname(historyFile), DERIBIT_PERP_DAILY_FILE);
  const train = deribitDailyReturns(DERIBIT_SPANS.historyTrain, file);
  const test = deribitDailyReturns(DERIBIT_SPANS.historyTest, file);
  for (const [name, part] of [['training', train], ['test', test]] as const) {
    if (part.returns.length < 10) throw new Error(`${file}: only ${part.returns.length} ${name} daily returns`);
  }
  // A gap in the rows is never stepped over (as deribit-daily, learn/deribitPaths.ts): blocks that hold none only.
  const starts = (part: typeof train, name: string): { starts?: Int32Array } => {
    if (part.gaps === 0) return {};
    const found = gapFreeBlockStarts(part.returns.length, part.breaks, HISTORY_BLOCK_DAYS);
    if (found.length === 0) throw new Error(`${file}: no ${HISTORY_BLOCK_DAYS} consecutive ${name} daily returns without a gap; ${gapNote(part, null)}`);
    return { starts: found };
  };
  const trainStarts = starts(train, 'training').starts;
  const testStarts = starts(test, 'test').starts;
  return {
    train: train.returns,
    test: test.returns,
    ...(trainStarts ? { trainBlockStarts: trainStarts } : {}),
    ...(testStarts ? { testBlockStarts: testStarts } : {}),
    range: {
      file, series, seriesLabel: 'Deribit BTC-PERPETUAL', trainDays: train.returns.length, trainFirstMs: dayMs(train.firstDate), trainLastMs: dayMs(train.lastDate),
      testDays: test.returns.length, testFirstMs: dayMs(test.firstDate), testLastMs: dayMs(test.lastDate), badRows: train.problems.length,
      gaps: train.gaps + test.gaps, realizedVol: realizedVol(train.returns),
    },
  };
}
