/**
 * A recorded session as a source of returns for learned hedging (issue 14 items 3 and 5): the session's Deribit
 * price INDEX (btc_usd / eth_usd, the underlying the options settle on; not the perpetual's mark, which carries the
 * funding basis) read through the engine's MarketState, sampled on a fixed market-time grid (default one minute),
 * and its log returns split chronologically: the first 70 % for training and validation, the last 30 % for the gate
 * and the comparison — never overlapping, never the reverse.
 *
 * Sampling is previous-tick: the grid starts at the session's first index of the currency, t_k = t_0 + k·interval
 * up to the session's last event, and the sample at t_k is the index after every event stamped at or before t_k.
 * Grid points with no new index since the previous one repeat it (a zero return) and are counted as `stale`.
 *
 * The hedging problem on a session (`sessionProblem`): S0 = K = 1, a short ATM call maturing after
 * `maturityIntervals` grid intervals, rebalanced every `rebalanceIntervals` of them (the step return is the sum of
 * that many consecutive interval returns), priced and hedged at the TRAINING part's realized vol, cost 5 bp unless
 * given, entropic λ = 1. Paths are moving-block bootstraps (learn/historyTrain.ts) of the part's step returns.
 */
import { BacktestInputError, findSession, marketOnlyEngine } from '../app/backtest/backtest';
import type { Currency } from '../core/market/events';
import type { HedgingProblem } from '../core/learn/train';
import { Rng } from '../core/random';
import { bootstrapPaths, type PathSet } from '../core/sim/paths';
import { MS_PER_YEAR } from '../core/units';
import type { Db } from '../store/database';
import { EventLog, type SessionRow } from '../store/eventLog';

export const SESSION_DEFAULTS = Object.freeze({ intervalMs: 60_000, trainFraction: 0.7, maturityIntervals: 60, rebalanceIntervals: 1, cost: 5e-4, blockSteps: 5 });
/** Fewest interval returns a session must give: 30, so the held-out 30 % has at least 9. */
export const MIN_SESSION_RETURNS = 30;

/** A session that cannot serve: unknown, without the currency, too short (the CLI exits 2, the API says why). */
export class SessionReturnsError extends Error {
  override readonly name = 'SessionReturnsError';
  /** True when the session itself does not exist (the API answers NOT_FOUND). */
  constructor(message: string, readonly notFound = false) {
    super(message);
  }
}

/** One chronological part of the returns: indices [from, to) of `logReturns`, spanning fromMs..toMs. */
export interface ReturnsPart {
  from: number;
  to: number;
  fromMs: number;
  toMs: number;
  returns: Float64Array;
}

export interface SessionReturns {
  session: { id: number; name: string; source: string; firstEventMs: number | null; lastEventMs: number | null; events: number };
  currency: Currency;
  series: 'index';
  intervalMs: number;
  /** Grid times and the index sampled at them (one more than the returns). */
  times: Float64Array;
  prices: Float64Array;
  logReturns: Float64Array;
  /** Grid points with no new index since the previous one. */
  stale: number;
  /** Index events of the currency the engine rejected (a bad price), and the last reason. */
  rejected: number;
  lastRejection: string | null;
  train: ReturnsPart;
  test: ReturnsPart;
}

/**
 * Previous-tick sampling of observations (times ascending, equal times allowed: the last one counts) on the grid
 * t_k = times[0] + k·intervalMs, t_k ≤ endMs. `stale` counts grid points after the first with no new observation.
 */
export function sampleOnGrid(times: ArrayLike<number>, prices: ArrayLike<number>, intervalMs: number, endMs: number): { times: Float64Array; prices: Float64Array; stale: number } {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError(`the sampling interval must be a positive number of ms, got ${String(intervalMs)}`);
  if (times.length !== prices.length) throw new RangeError(`${times.length} times but ${prices.length} prices`);
  if (times.length === 0) return { times: new Float64Array(0), prices: new Float64Array(0), stale: 0 };
  const start = times[0]!;
  const count = endMs >= start ? Math.floor((endMs - start) / intervalMs) + 1 : 0;
  const gridTimes = new Float64Array(count);
  const gridPrices = new Float64Array(count);
  let j = 0;
  let stale = 0;
  for (let k = 0; k < count; k++) {
    const t = start + k * intervalMs;
    const before = j;
    while (j + 1 < times.length && times[j + 1]! <= t) j++;
    if (k > 0 && j === before) stale++;
    gridTimes[k] = t;
    gridPrices[k] = prices[j]!;
  }
  return { times: gridTimes, prices: gridPrices, stale };
}

/** Log returns of consecutive prices. */
export function logReturnsOf(prices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(Math.max(0, prices.length - 1));
  for (let i = 0; i < out.length; i++) out[i] = Math.log(prices[i + 1]! / prices[i]!);
  return out;
}

/**
 * The chronological split: the first ⌊fraction·n⌋ returns train (and validate), the rest test. Return i spans
 * times[i]..times[i+1], so the parts share only the boundary instant, never a return.
 */
export function chronologicalSplit(times: ArrayLike<number>, logReturns: Float64Array, fraction: number = SESSION_DEFAULTS.trainFraction): { train: ReturnsPart; test: ReturnsPart } {
  const n = logReturns.length;
  if (times.length !== n + 1) throw new RangeError(`${n} returns need ${n + 1} times, got ${times.length}`);
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`the training fraction must be in (0, 1), got ${String(fraction)}`);
  const cut = Math.floor(fraction * n);
  const part = (from: number, to: number): ReturnsPart => ({ from, to, fromMs: times[from]!, toMs: times[to]!, returns: logReturns.slice(from, to) });
  return { train: part(0, cut), test: part(cut, n) };
}

/** The session named or numbered `text` (cheap: its row only), or a not-found `SessionReturnsError` listing the sessions. */
export function sessionRow(db: Db, text: string | number): SessionRow {
  return sessionOf(new EventLog(db), text);
}

/** A number is a session id only (the app's `sessionId`); text a name, then an id (the CLI). */
function sessionOf(log: EventLog, text: string | number): SessionRow {
  try {
    return findSession(log, text);
  } catch (error) {
    if (error instanceof BacktestInputError) throw new SessionReturnsError(error.message, true);
    throw error;
  }
}


/**
 * Reads a session's index of `currency` (session by name or numeric id) and samples it. Only index events are
 * applied to the engine (the rest of the session does not move the index), so a long session reads quickly.
 */
export function readSessionReturns(db: Db, sessionText: string | number, currency: Currency, options: { intervalMs?: number; trainFraction?: number } = {}): SessionReturns {
  const intervalMs = options.intervalMs ?? SESSION_DEFAULTS.intervalMs;
  if (!(Number.isSafeInteger(intervalMs) && intervalMs >= 1000)) throw new SessionReturnsError(`the sampling interval must be a whole number of ms, at least 1000 (1 s), got ${String(intervalMs)}`);
  const log = new EventLog(db);
  const session = sessionOf(log, sessionText);
  const engine = marketOnlyEngine();
  const times: number[] = [];
  const prices: number[] = [];
  const seen = new Set<string>();
  let rejected = 0;
  let lastRejection: string | null = null;
  for (const event of log.read(session.id)) {
    if (event.type !== 'index') continue;
    seen.add(event.currency);
    if (event.currency !== currency) continue;
    const change = engine.apply(event, event.seq);
    const price = engine.market.currencies.get(currency)?.indexUsd ?? null;
    if (change.kind === 'rejected' || price === null || !(price > 0)) {
      rejected++;
      lastRejection = change.kind === 'rejected' ? change.reason : `seq ${event.seq}: ${currency} index ${String(event.priceUsd)} is not a positive price`;
      continue;
    }
    times.push(event.tsEvent);
    prices.push(price);
  }
  const name = JSON.stringify(session.name);
  if (times.length === 0) {
    throw new SessionReturnsError(`session ${name} has no ${currency} index${seen.size > 0 ? ` (it has ${[...seen].sort().join(', ')})` : ' (it has no index events at all)'}${rejected > 0 ? `; ${rejected} rejected, last: ${lastRejection}` : ''}`);
  }
  const grid = sampleOnGrid(times, prices, intervalMs, session.lastEventMs ?? times.at(-1)!);
  const logReturns = logReturnsOf(grid.prices);
  if (logReturns.length < MIN_SESSION_RETURNS) {
    throw new SessionReturnsError(`session ${name} gives ${logReturns.length} ${currency} index returns at ${intervalMs / 1000} s intervals; at least ${MIN_SESSION_RETURNS} are needed (a longer session or a shorter interval)`);
  }
  const { train, test } = chronologicalSplit(grid.times, logReturns, options.trainFraction);
  return {
    session: { id: session.id, name: session.name, source: session.source, firstEventMs: session.firstEventMs, lastEventMs: session.lastEventMs, events: session.eventCount },
    currency, series: 'index', intervalMs, times: grid.times, prices: grid.prices, logReturns, stale: grid.stale, rejected, lastRejection, train, test,
  };
}

/** Sums of `m` consecutive returns (the step returns of rebalancing every m intervals); a remainder is dropped. */
export function aggregateReturns(returns: Float64Array, m: number): Float64Array {
  const out = new Float64Array(Math.floor(returns.length / m));
  for (let i = 0; i < out.length; i++) for (let j = 0; j < m; j++) out[i] = out[i]! + returns[i * m + j]!;
  return out;
}

/** Annualized realized vol of returns over `intervalMs` each: sample standard deviation × √(year / interval). */
export function annualizedVol(returns: Float64Array, intervalMs: number): number {
  let sum = 0;
  for (let i = 0; i < returns.length; i++) sum += returns[i]!;
  const mean = sum / returns.length;
  let squares = 0;
  for (let i = 0; i < returns.length; i++) squares += (returns[i]! - mean) ** 2;
  return Math.sqrt((squares / (returns.length - 1)) * (MS_PER_YEAR / intervalMs));
}

export interface SessionProblemOptions {
  maturityIntervals?: number;
  rebalanceIntervals?: number;
  cost?: number;
  blockSteps?: number;
}

export interface SessionProblem {
  problem: HedgingProblem;
  /** Step returns (sums of `rebalanceIntervals` interval returns) of each part. */
  trainSteps: Float64Array;
  testSteps: Float64Array;
  blockLength: number;
  maturityIntervals: number;
  rebalanceIntervals: number;
  realizedVol: number;
}

/** The hedging problem a session poses (module comment); errors name the option and the minimum. */
export function sessionProblem(data: SessionReturns, options: SessionProblemOptions = {}): SessionProblem {
  const maturityIntervals = options.maturityIntervals ?? SESSION_DEFAULTS.maturityIntervals;
  const rebalanceIntervals = options.rebalanceIntervals ?? SESSION_DEFAULTS.rebalanceIntervals;
  const blockLength = options.blockSteps ?? SESSION_DEFAULTS.blockSteps;
  const cost = options.cost ?? SESSION_DEFAULTS.cost;
  if (!(Number.isSafeInteger(rebalanceIntervals) && rebalanceIntervals >= 1)) throw new SessionReturnsError(`rebalanceIntervals must be a positive integer, got ${String(rebalanceIntervals)}`);
  if (!(Number.isSafeInteger(maturityIntervals) && maturityIntervals >= rebalanceIntervals && maturityIntervals % rebalanceIntervals === 0)) {
    throw new SessionReturnsError(`maturityIntervals must be a positive multiple of rebalanceIntervals (${rebalanceIntervals}), got ${String(maturityIntervals)}`);
  }
  if (!(Number.isSafeInteger(blockLength) && blockLength >= 1)) throw new SessionReturnsError(`blockSteps must be a positive integer, got ${String(blockLength)}`);
  if (!(Number.isFinite(cost) && cost >= 0)) throw new SessionReturnsError(`cost must be a non-negative number, got ${String(cost)}`);
  const trainSteps = aggregateReturns(data.train.returns, rebalanceIntervals);
  const testSteps = aggregateReturns(data.test.returns, rebalanceIntervals);
  const need = 2 * blockLength;
  for (const [part, steps] of [['training', trainSteps], ['held-out', testSteps]] as const) {
    if (steps.length < need) throw new SessionReturnsError(`the ${part} part of session ${JSON.stringify(data.session.name)} has ${steps.length} steps of ${rebalanceIntervals} interval(s); at least ${need} (two blocks of ${blockLength}) are needed`);
  }
  const realizedVol = annualizedVol(trainSteps, data.intervalMs * rebalanceIntervals);
  if (!(realizedVol > 0)) throw new SessionReturnsError(`the ${data.currency} index did not move in the training part of session ${JSON.stringify(data.session.name)}: no realized vol to price at`);
  const stepYears = (data.intervalMs * rebalanceIntervals) / MS_PER_YEAR;
  const problem: HedgingProblem = {
    s0: 1, sigma: realizedVol, dt: stepYears, contract: { strike: 1, isCall: true, maturity: (maturityIntervals / rebalanceIntervals) * stepYears }, cost, lambda: 1,
  };
  return { problem, trainSteps, testSteps, blockLength, maturityIntervals, rebalanceIntervals, realizedVol };
}

const minute = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** One line naming the session and both spans (the stored model's data range, the comparison's description). */
export function sessionSpans(data: SessionReturns): string {
  return `session ${data.session.id} ${JSON.stringify(data.session.name)} ${data.currency} index at ${data.intervalMs / 1000} s: training ${minute(data.train.fromMs)}..${minute(data.train.toMs)} UTC (${data.train.returns.length} returns), held out ${minute(data.test.fromMs)}..${minute(data.test.toMs)} UTC (${data.test.returns.length} returns)`;
}

/**
 * Paths of `problem` from moving blocks of a part's step returns, not rescaled (the gate, `models.compare` and
 * `gammadesk evaluate --session` on the held-out part draw the same paths for the same seed).
 */
export function sessionPaths(problem: HedgingProblem, stepReturns: ArrayLike<number>, blockLength: number, paths: number, seed: number): PathSet {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  return bootstrapPaths({ paths, steps, dt: problem.dt, s0: problem.s0, logReturns: Float64Array.from(stepReturns), blockLength }, new Rng(seed));
}
