/**
 * Training on real history: the same network, loss and backpropagation as `HedgeTrainer` (core/learn/train.ts), on
 * paths drawn by moving-block bootstrap (Künsch 1989) of observed daily BTC log returns instead of Black-Scholes
 * paths. Out-of-sample discipline (issue 14): train and validate on 2018–2020 (different seeds), test on 2021–2022,
 * never the reverse. The option is priced and hedged at the training years' realized vol (the DVOL history starts in
 * 2021, so it cannot price the training years).
 *
 * `bootstrapPathSource` gives `HedgeTrainer` these paths for training and validation; everything else (network, loss,
 * `trainFor`'s budget, cancel and learning-rate decay) is the Black-Scholes trainer's.
 */
import type { HedgingProblem, PathSource, TrainingPaths } from '../core/learn/train';
import type { RandomSource } from '../core/random';
import { bootstrapPaths } from '../core/sim/paths';
import { hourlyLogReturns, readHourlyCloses } from './data';

/** The training and test years of the history source (the Bitstamp hourly file starts 2018-05-15). */
export const HISTORY_TRAIN = Object.freeze({ fromMs: Date.parse('2018-01-01T00:00:00Z'), toMs: Date.parse('2021-01-01T00:00:00Z') });
export const HISTORY_TEST = Object.freeze({ fromMs: Date.parse('2021-01-01T00:00:00Z'), toMs: Date.parse('2023-01-01T00:00:00Z') });
/** Block length of the bootstrap, days: keeps a week of volatility clustering together. */
export const HISTORY_BLOCK_DAYS = 5;

/** Daily log returns (sums of 24 consecutive hourly ones) with both ends in [fromMs, toMs); bad rows counted. */
export function dailyReturnsBetween(file: string, fromMs: number, toMs: number): { returns: Float64Array; badRows: number; firstMs: number; lastMs: number } {
  const data = readHourlyCloses(file);
  const { logReturns } = hourlyLogReturns(data, fromMs, toMs);
  const days = Math.floor(logReturns.length / 24);
  if (days < 10) throw new Error(`${file}: only ${days} days of hourly returns between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`);
  const daily = new Float64Array(days);
  for (let d = 0; d < days; d++) for (let h = 0; h < 24; h++) daily[d] = daily[d]! + logReturns[d * 24 + h]!;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (let i = 0; i < data.time.length; i++) {
    const t = data.time[i]!;
    if (t >= fromMs && t < toMs) {
      if (t < firstMs) firstMs = t;
      if (t > lastMs) lastMs = t;
    }
  }
  return { returns: daily, badRows: data.badRows.length, firstMs, lastMs };
}

/** Annualized realized vol of daily log returns (sample standard deviation × √365). */
export function realizedVol(daily: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < daily.length; i++) sum += daily[i]!;
  const mean = sum / daily.length;
  let squares = 0;
  for (let i = 0; i < daily.length; i++) squares += (daily[i]! - mean) ** 2;
  return Math.sqrt((squares / (daily.length - 1)) * 365);
}

/** A short ATM call on bootstrapped history: S0 = K = 1, daily steps, priced at the history's realized vol. */
export function historyProblem(daily: Float64Array, maturityDays: number, cost: number): HedgingProblem {
  return { s0: 1, sigma: realizedVol(daily), dt: 1 / 365, contract: { strike: 1, isCall: true, maturity: maturityDays / 365 }, cost, lambda: 1 };
}

/**
 * Moving-block bootstrap of observed returns as a trainer's paths (`new HedgeTrainer(problem, settings, { source })`):
 * fresh training paths every step and one validation set, from the same returns with their own seeds; no premium,
 * the problem's one implied vol. Histories and recorded sessions train through it; `blockStarts` limits the blocks
 * (those without a gap of the data).
 */
export function bootstrapPathSource(problem: HedgingProblem, returns: Float64Array, blockLength = HISTORY_BLOCK_DAYS, blockStarts?: ArrayLike<number>): PathSource {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  const draw = (count: number, rng: RandomSource): TrainingPaths => ({ paths: bootstrapPaths({ paths: count, steps, dt: problem.dt, s0: problem.s0, logReturns: returns, blockLength, ...(blockStarts ? { blockStarts } : {}) }, rng) });
  return { sample: draw, validation: draw };
}
