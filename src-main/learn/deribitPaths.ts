/**
 * Test paths from Deribit's BTC-PERPETUAL for the daily problems (B1, B2, market; `evaluate --simulator` and
 * `models.compare`), decision 0033:
 * - `deribit-daily`: moving 5-day blocks of the perpetual's daily log returns of 2021-03-24..2026-01-30 (the days
 *   DVOL exists for), rescaled to the problem's path vol (`pathVolOf`) and shifted to a martingale, like `bootstrap`
 *   (core/learn/evaluate.ts): the problem prices one option at one vol, and its indifference price stays that
 *   option's; the real returns bring their shape (fat tails, clustering), not their level.
 * - `deribit-hourly`: B3's anchored bootstrap of the 2026 hourly file seen every `dt` (24 hours for a daily
 *   problem), each path hedged at the hourly DVOL of its anchor hour, not rescaled (the premium is not in an
 *   indifference price; the paths' own vol is what is tested); at most 7 days.
 * The files are read from `dataDir` (the app: the folder of its BTC history file).
 */
import { anchoredBootstrapPaths, B3_SETTING } from '../core/learn/b3';
import { blockCountNote, coarserSteps, DERIBIT_SPANS, deribitHourlyMaturityError, gapFreeBlockStarts, gapNote } from '../core/learn/deribitSeries';
import { simulatorPaths } from '../core/learn/evaluate';
import type { HedgingProblem } from '../core/learn/train';
import { Rng } from '../core/random';
import type { PathSet } from '../core/sim/paths';
import { deribitHourlyNote, DeribitSpanError } from './deribitB3';
import { DERIBIT_PERP_DAILY_FILE, deribitDailyReturns, loadDeribitHourly } from './deribitSeries';
import { join } from 'node:path';

export const DERIBIT_SIMULATORS = ['deribit-hourly', 'deribit-daily'] as const;
export type DeribitSimulator = (typeof DERIBIT_SIMULATORS)[number];

export function isDeribitSimulator(name: unknown): name is DeribitSimulator {
  return (DERIBIT_SIMULATORS as readonly unknown[]).includes(name);
}

/** Block length of `deribit-daily`, days (as `bootstrap`'s). */
export const DERIBIT_DAILY_BLOCK_DAYS = 5;

export interface DeribitTestPaths {
  set: PathSet;
  /** `deribit-hourly`: the implied vol each path is hedged at (its anchor hour's DVOL). */
  pathImpliedVol?: Float64Array;
  /** Data span and the count of distinct blocks; bad rows of the files. */
  notes: string[];
}

/**
 * `deribit-daily` returns of 2021-03-24..2026-01-30 from `file` (default: the shared data's daily file). A gap in the
 * rows (missing days) is never stepped over: no return is taken across it, and `blockStarts` (set when there is a
 * gap) holds only the 5-day blocks without one; the gaps are counted and named in the notes.
 */
export function deribitDailyTestReturns(file: string): { returns: Float64Array; blockStarts?: Int32Array; gaps: number; notes: string[] } {
  const daily = deribitDailyReturns(DERIBIT_SPANS.dailyTest, file);
  if (daily.returns.length < 2 * DERIBIT_DAILY_BLOCK_DAYS) throw new Error(`${file}: only ${daily.returns.length} daily returns between 2021-03-24 and 2026-01-30`);
  const allBlocks = daily.returns.length - DERIBIT_DAILY_BLOCK_DAYS + 1;
  const blockStarts = daily.gaps > 0 ? gapFreeBlockStarts(daily.returns.length, daily.breaks, DERIBIT_DAILY_BLOCK_DAYS) : undefined;
  if (blockStarts?.length === 0) throw new Error(`${file}: no ${DERIBIT_DAILY_BLOCK_DAYS} consecutive daily returns between 2021-03-24 and 2026-01-30 without a gap; ${gapNote(daily, null)}`);
  return {
    returns: daily.returns,
    ...(blockStarts ? { blockStarts } : {}),
    gaps: daily.gaps,
    notes: [
      `deribit-daily: Deribit BTC-PERPETUAL daily closes ${daily.firstDate}..${daily.lastDate} (08:00 UTC to 08:00 UTC); ${blockCountNote(daily.returns.length, DERIBIT_DAILY_BLOCK_DAYS, 'daily')}; rescaled to the problem's path vol (pathVol, else σ) and shifted to a martingale`,
      ...(daily.gaps > 0 ? [gapNote(daily, { kept: blockStarts!.length, all: allBlocks, blockLength: DERIBIT_DAILY_BLOCK_DAYS })] : []),
      ...daily.problems.map((p) => `skipped: ${p}`),
    ],
  };
}

/**
 * Test paths of a Deribit simulator for a problem stepping every whole number of hours. Throws
 * {@link DeribitSpanError} when a `deribit-hourly` path would be longer than the data allows.
 */
export function deribitTestPaths(problem: HedgingProblem, simulator: DeribitSimulator, paths: number, seed: number, dataDir: string): DeribitTestPaths {
  if (simulator === 'deribit-daily') {
    const { returns, blockStarts, notes } = deribitDailyTestReturns(join(dataDir, DERIBIT_PERP_DAILY_FILE));
    // simulatorPaths' bootstrap: moving blocks (none across a gap), rescaled to the problem's path vol (pathVolOf), martingale.
    return { set: simulatorPaths(problem, 'bootstrap', paths, seed, { returns, blockLength: DERIBIT_DAILY_BLOCK_DAYS, ...(blockStarts ? { blockStarts } : {}) }), notes };
  }
  const hoursPerStep = Math.round(problem.dt * 365 * 24);
  const hourlySteps = Math.round((problem.contract.maturity * 365 * 24));
  if (hoursPerStep < 1 || Math.abs(problem.dt * 365 * 24 - hoursPerStep) > 1e-9 || hourlySteps % hoursPerStep !== 0) {
    throw new Error(`deribit-hourly test paths need a problem that rebalances every whole number of hours; this one steps every ${problem.dt} years`);
  }
  const data = loadDeribitHourly(dataDir);
  const error = deribitHourlyMaturityError(problem.contract.maturity * 365, data.firstMs, data.lastMs);
  if (error !== null) throw new DeribitSpanError(error);
  const hourly = anchoredBootstrapPaths(data.history, { ...problem, dt: 1 / (365 * 24) }, paths, new Rng(seed));
  const set = hoursPerStep === 1 ? hourly : coarserSteps(hourly, hoursPerStep, problem);
  return {
    set: set.paths,
    pathImpliedVol: set.impliedVol,
    notes: [
      `${deribitHourlyNote(data)}; ${B3_SETTING.blockHours}-hour blocks seen every ${hoursPerStep} hour(s), not rescaled: each path is hedged at its anchor hour's DVOL, the problem's σ ${Number(problem.sigma.toPrecision(4))} is not used`,
      ...data.problems.map((p) => `skipped: ${p}`),
    ],
  };
}
