/**
 * `gammadesk evaluate --benchmark B1|B2 --simulator deribit-daily|deribit-hourly`: test paths from Deribit's
 * BTC-PERPETUAL (learn/deribitPaths.ts, decision 0033). `--data` names the folder of the shared data files
 * (default ../shared/data). The data notes (span, distinct blocks, skipped rows) go to stderr. And `gammadesk train
 * --history bitstamp|deribit`, the `history` training source of models.train.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../args';
import type { HedgingProblem } from '../../core/learn/train';
import type { PathSet } from '../../core/sim/paths';
import { DeribitSpanError } from '../../learn/deribitB3';
import { deribitTestPaths, type DeribitSimulator } from '../../learn/deribitPaths';
import { defaultDataDir } from '../../learn/deribitSeries';
import { HISTORY_SERIES, type HistorySeries } from '../../learn/historySeries';
import type { TrainJobInput } from '../../learn/trainJob';

export function deribitCliPaths(problem: HedgingProblem, simulator: DeribitSimulator, paths: number, seed: number, data: unknown): PathSet {
  if (data !== undefined && (typeof data !== 'string' || !existsSync(data))) throw new UsageError(`--data: ${JSON.stringify(data)} is not an existing folder`);
  let out;
  try {
    out = deribitTestPaths(problem, simulator, paths, seed, typeof data === 'string' ? data : defaultDataDir());
  } catch (error) {
    if (error instanceof DeribitSpanError) throw new UsageError(error.message);
    throw error;
  }
  // The daily problems are 30 days, so deribit-hourly never gets here with per-path vols; refuse rather than ignore them.
  if (out.pathImpliedVol !== undefined) throw new UsageError(`--simulator ${simulator}: per-path implied vols are evaluated by --benchmark B3 or models.compare`);
  for (const note of out.notes) process.stderr.write(`${note}\n`);
  return out.set;
}

/** `train --history bitstamp|deribit`: the models.train `history` source from the command line. */
export const HISTORY_TRAIN_FLAG = {
  history: { type: 'string', description: 'train on real daily BTC returns instead of a benchmark: bitstamp (2018-2020, gated on 2021-2022) or deribit (Deribit perpetual daily 2018-08-14..2020-12-31, gated on 2021-01-01..2026-01-30); a 30-day ATM call at their realized vol, cost 5 bp unless --cost' },
} as const;

/** The history source of `train --history SERIES`, or null without the flag; `--data` may name the Bitstamp hourly file's folder. */
export function historySourceFlags(flags: Record<string, string | boolean>, cost: number | undefined): { label: string; history: NonNullable<TrainJobInput['history']> } | null {
  const raw = flags['history'];
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !(HISTORY_SERIES as readonly string[]).includes(raw)) throw new UsageError(`--history must be ${HISTORY_SERIES.join(' or ')}, got ${JSON.stringify(raw)}`);
  if (flags['benchmark'] !== undefined || flags['session'] !== undefined) throw new UsageError('--history is a source of its own: leave out --benchmark and --session');
  const folder = typeof flags['data'] === 'string' ? flags['data'] : defaultDataDir();
  const file = join(folder, 'gymtradingenv_BTC_USD-Hourly.csv.gz');
  if (!existsSync(file)) throw new UsageError(`--history: ${file} does not exist (--data names the folder of the shared data files)`);
  const series = raw as HistorySeries;
  return { label: series === 'deribit' ? 'history:BTC-PERPETUAL' : 'history:BTC', history: { file, series, ...(cost !== undefined ? { cost } : {}) } };
}
