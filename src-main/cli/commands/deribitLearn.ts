/**
 * `gammadesk evaluate --benchmark B1|B2 --simulator deribit-daily|deribit-hourly`: test paths from Deribit's
 * BTC-PERPETUAL (learn/deribitPaths.ts, decision 0033). `--data` names the folder of the shared data files
 * (default ../shared/data). The data notes (span, distinct blocks, skipped rows) go to stderr.
 */
import { existsSync } from 'node:fs';
import { UsageError } from '../args';
import type { HedgingProblem } from '../../core/learn/train';
import type { PathSet } from '../../core/sim/paths';
import { DeribitSpanError } from '../../learn/deribitB3';
import { deribitTestPaths, type DeribitSimulator } from '../../learn/deribitPaths';
import { defaultDataDir } from '../../learn/deribitSeries';

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
