/**
 * `gammadesk train --session ID` and `gammadesk evaluate --session ID` (learn.ts calls in here): a recorded
 * session's index, sampled on a market-time grid and split 70/30 (learn/sessionReturns.ts), as the training source
 * and as the held-out test paths. A session that cannot serve (unknown, no such currency, too short) is a usage
 * error (exit 2), like any bad argument.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, intFlag, type FlagSpec, type ParsedArgs } from '../args';
import { parsed } from '../command';
import { parseDuration } from '../progress';
import type { ProblemDto } from '../../api/contract/models';
import { ApiException } from '../../api/errors';
import { sessionProblemDto, type SessionSteps } from '../../app/modelsService';
import type { HedgingProblem } from '../../core/learn/train';
import type { PathSet } from '../../core/sim/paths';
import { sessionPaths } from '../../learn/sessionReturns';
import type { TrainJobInput } from '../../learn/trainJob';
import { openDatabase } from '../../store/database';

/** The flags `--session` brings to train and evaluate. */
export const SESSION_FLAGS: Record<string, FlagSpec> = {
  session: { type: 'string', description: 'a recorded session (name or id) in --db: train on its first 70 % / test on its last 30 % (index returns)' },
  currency: { type: 'string', description: 'with --session: BTC (default) or ETH' },
  interval: { type: 'string', description: 'with --session: the sampling grid, e.g. 1m (default), 30s, 5m' },
  maturity: { type: 'string', description: 'with --session: the option\'s maturity in grid intervals (default 60)' },
  rebalance: { type: 'string', description: 'with --session: rebalance every N grid intervals (default 1)' },
};

export interface SessionSource {
  dbPath: string;
  problem: HedgingProblem;
  dto: ProblemDto;
  /** `session:ID:BTC`, the stored model's label. */
  label: string;
  steps: SessionSteps;
  /** What the training job takes. */
  job: NonNullable<TrainJobInput['session']>;
}

/** Reads `--session` from `--db` (which must exist); `cost` from `--cost` (default 5 bp). */
export function sessionSourceFlags(flags: ParsedArgs['flags'], cost: number | undefined): SessionSource {
  const session = flags['session'];
  if (typeof session !== 'string' || session.trim() === '') throw new UsageError('--session needs a session name or id');
  const db = flags['db'];
  if (typeof db !== 'string') throw new UsageError('--session needs --db DB, the database the session is recorded in');
  const dbPath = resolve(db);
  if (!existsSync(dbPath)) throw new UsageError(`--db: ${JSON.stringify(dbPath)} does not exist`);
  const currency = flags['currency'] ?? 'BTC';
  if (currency !== 'BTC' && currency !== 'ETH') throw new UsageError(`--currency must be BTC or ETH, got ${JSON.stringify(currency)}`);
  const intervalMs = typeof flags['interval'] === 'string' ? parsed('interval', parseDuration, flags['interval']) : 60_000;
  if (!(intervalMs >= 1000 && intervalMs % 1000 === 0)) throw new UsageError(`--interval must be a whole number of seconds, at least 1s, got ${JSON.stringify(flags['interval'])}`);
  const maturityIntervals = intFlag(flags, 'maturity', { min: 1, max: 100_000 });
  const rebalanceIntervals = intFlag(flags, 'rebalance', { min: 1, max: 10_000 });
  const handle = openDatabase(dbPath, { readonly: true });
  try {
    const id = /^\d+$/.test(session) ? Number(session) : null;
    const { steps, ...rest } = sessionProblemDto(handle, {
      type: 'session', sessionId: id ?? 0, currency, intervalSeconds: intervalMs / 1000,
      ...(maturityIntervals !== undefined ? { maturityIntervals } : {}),
      ...(rebalanceIntervals !== undefined ? { rebalanceIntervals } : {}),
      ...(cost !== undefined ? { cost } : {}),
    }, session); // the text as the CLI takes it: a name first, then an id (a number would be an id only)
    return { dbPath, ...rest, steps, job: { train: Array.from(steps.trainSteps), test: Array.from(steps.testSteps), blockLength: steps.blockLength, description: rest.dto.session!.spans } };
  } catch (error) {
    if (error instanceof ApiException) throw new UsageError(`--session: ${error.message}`);
    throw error;
  } finally {
    handle.close();
  }
}

/** Test paths: moving blocks of the held-out part's step returns, not rescaled (the training run's gate draws the same). */
export function sessionTestPaths(source: SessionSource, paths: number, seed: number): PathSet {
  return sessionPaths(source.problem, source.steps.testSteps, source.steps.blockLength, paths, seed);
}
