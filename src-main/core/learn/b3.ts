/**
 * Benchmark B3 of issue 14 (crypto): a short ATM call on BTC, hedged every hour with the perpetual at 5 bp
 * proportional cost, over 7 or 30 days, judged on expected shortfall at 99 % and turnover.
 *
 * - gbm: Black-Scholes paths at sigma = 0.8, the option priced and hedged at 0.8.
 * - bootstrap: real hourly BTC log returns (Bitstamp 2018-2022), resampled in circular blocks of one day from
 *   the 30 days that follow an anchor day (a local block bootstrap: the path keeps that month's volatility
 *   regime), the option priced at the anchor day's implied vol: Deribit's DVOL at 00:00 UTC of that day
 *   (the daily open, from 2021-03-24), else the trailing 30-day realized vol of the hourly returns. That vol is
 *   a per-path input: the greeks, the policy features and the premium of each path use it.
 *   Each window is shifted to a martingale (see {@link anchoredBootstrapPaths}).
 * Periods never overlap: training anchors and their windows lie in 2018-05-15..2020-06-30, validation in
 * 2020-07-01..2020-12-31, test in 2021-01-01..2022-03-01 (a window never crosses its period's end).
 *
 * The P&L judged is that of the option seller: premium (Black-76 at the path's implied vol, r = 0, the perpetual
 * taken at the spot, funding ignored) + hedging gains - costs - payoff. Spot and strike are 100, so every amount
 * is in percent of the notional.
 */
import { black76Price } from '../pricing/black76';
import type { RandomSource } from '../random';
import type { PathSet } from '../sim/paths';
import { MS_PER_DAY } from '../units';
import { bsDeltaPolicy, noHedge, whalleyWilmottPolicy } from './baselines';
import { runHedge, type HedgeOutcome, type HedgePolicy } from './hedging';
import { gateFromPnl, type GateResult } from './evaluate';
import type { Criterion } from './criterion';
import { entropicRisk, expectedShortfall, expectedShortfallRatio, meanEstimate, type Estimate } from './risk';
import type { HedgingProblem, PathSource, TrainingPaths } from './train';

export const B3_DAYS = [7, 30] as const;
export type B3Days = (typeof B3_DAYS)[number];
export const B3_SIMULATORS = ['gbm', 'bootstrap'] as const;
export type B3Simulator = (typeof B3_SIMULATORS)[number];

/** The benchmark's fixed numbers. */
export const B3_SETTING = Object.freeze({
  s0: 100,
  sigma: 0.8,
  /** One hour in years (ACT/365). */
  dt: 1 / (365 * 24),
  /** 5 bp of the traded notional. */
  cost: 5e-4,
  /** The criterion: expected shortfall of the loss at 99 %. */
  alpha: 0.99,
  /** Entropic risk aversion for the indifference price reported beside ES (per unit of P&L, spot 100). */
  lambda: 1,
  /** Hours per resampled block, and hours in an anchor's window (30 days: the horizon DVOL prices). */
  blockHours: 24,
  windowHours: 720,
  /** Hours of trailing returns for the realized-vol fallback. */
  realizedHours: 720,
});

/** The data periods, [from, to) in epoch ms (UTC). */
export const B3_PERIODS = Object.freeze({
  train: { from: Date.parse('2018-05-15T00:00:00Z'), to: Date.parse('2020-07-01T00:00:00Z') },
  validation: { from: Date.parse('2020-07-01T00:00:00Z'), to: Date.parse('2021-01-01T00:00:00Z') },
  test: { from: Date.parse('2021-01-01T00:00:00Z'), to: Date.parse('2023-01-01T00:00:00Z') },
});
export type B3Period = keyof typeof B3_PERIODS;

export function isB3Days(days: number): days is B3Days {
  return (B3_DAYS as readonly number[]).includes(days);
}

/** The B3 hedging problem for `days` to expiry (sigma is the GBM vol and the reference scale of the features). */
export function b3Problem(days: B3Days, cost?: number): HedgingProblem {
  if (cost !== undefined && !(cost >= 0 && Number.isFinite(cost))) throw new RangeError(`cost must be a non-negative number, got ${String(cost)}`);
  const { s0, sigma, dt, lambda } = B3_SETTING;
  return { s0, sigma, dt, contract: { strike: s0, isCall: true, maturity: days / 365 }, cost: cost ?? B3_SETTING.cost, lambda };
}

/** Premium of the problem's option at implied vol `vol` (Black-76, r = 0, forward = spot). */
export function b3Premium(problem: HedgingProblem, vol: number): number {
  const { contract, s0 } = problem;
  return black76Price(s0, contract.strike, contract.maturity, vol, contract.isCall);
}

// ---------------------------------------------------------------------------------------------------------
// Implied vol of an anchor day

/**
 * Annualized realized vol sqrt(8760 x mean(r^2)) of the `hours` hourly log returns ending at index `end`
 * (exclusive) of `logReturns` (zero-mean estimator: over a month the mean return is noise, RiskMetrics
 * convention). Null when fewer than `hours` returns precede `end`.
 */
export function trailingRealizedVol(logReturns: Float64Array, end: number, hours: number): number | null {
  if (end - hours < 0 || end > logReturns.length) return null;
  let squares = 0;
  for (let j = end - hours; j < end; j++) squares += logReturns[j]! * logReturns[j]!;
  return Math.sqrt((squares / hours) * 365 * 24);
}

/** Hourly closes on a strictly hourly grid (times ascending, epoch ms). */
export interface HourlySeries {
  time: Float64Array;
  close: Float64Array;
}

/** DVOL per day: decimal vol at 00:00 UTC of the day, keyed by the day's 00:00 UTC epoch ms. */
export type DvolByDay = ReadonlyMap<number, number>;

export type AnchorVolSource = 'dvol' | 'realized';

/**
 * Real hourly returns of one period cut into anchored windows: what {@link anchoredBootstrapPaths} resamples.
 * `logReturns` holds only the period's own returns (start hour >= from, end hour <= to), so nothing from another
 * period can be drawn.
 */
export interface AnchoredHistory {
  period: { from: number; to: number };
  /** Contiguous hourly log returns of the period, oldest first. */
  logReturns: Float64Array;
  /** Start hour (epoch ms) of each return. */
  returnTime: Float64Array;
  /** Index into `logReturns` where each anchor's window starts; the window is `windowLength` returns. */
  anchorStart: Int32Array;
  /** 00:00 UTC of each anchor day, epoch ms. */
  anchorTime: Float64Array;
  /** Implied vol of each anchor, decimal. */
  anchorVol: Float64Array;
  anchorVolSource: AnchorVolSource[];
  windowLength: number;
  /** Days of the period that could not anchor a path, with the reason. */
  skipped: { day: string; reason: string }[];
}

const HOUR_MS = 3_600_000;

/**
 * Anchors every day of `period` whose window (the `windowHours` hourly returns from 00:00 UTC) lies inside the
 * period without a gap, priced at that day's DVOL if `dvol` has it, else at the trailing realized vol of the
 * `realizedHours` hourly returns before 00:00 (read from the whole series: the past is known at the anchor).
 * `anchorEveryHours` (default 24: each day's 00:00 UTC) anchors every that many hours instead, `dvol` then keyed
 * by the anchor hour (the Deribit 2026 series anchors every hour at the hourly DVOL, learn/deribitSeries.ts);
 * `dvolOnly` skips an anchor without a DVOL instead of pricing it at the realized vol.
 */
export function buildAnchoredHistory(
  series: HourlySeries, dvol: DvolByDay, period: { from: number; to: number },
  options: { windowHours?: number; realizedHours?: number; anchorEveryHours?: number; dvolOnly?: boolean } = {},
): AnchoredHistory {
  const windowHours = options.windowHours ?? B3_SETTING.windowHours;
  const realizedHours = options.realizedHours ?? B3_SETTING.realizedHours;
  const anchorEveryMs = (options.anchorEveryHours ?? 24) * HOUR_MS;
  const n = series.time.length;
  // All returns between consecutive hours of the series (NaN across a gap), indexed by their start row.
  const all = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i + 1 < n; i++) {
    all[i] = series.time[i + 1]! - series.time[i]! === HOUR_MS ? Math.log(series.close[i + 1]! / series.close[i]!) : NaN;
  }
  const row = new Map<number, number>();
  for (let i = 0; i < n; i++) row.set(series.time[i]!, i);
  // The period's own returns: from a start hour >= from to an end hour <= to (consecutive periods share only the
  // boundary price, never a return).
  const first = series.time.findIndex((t) => t >= period.from);
  const periodReturns: number[] = [];
  const periodTimes: number[] = [];
  const periodIndex = new Map<number, number>();
  for (let i = Math.max(0, first); first >= 0 && i + 1 < n && series.time[i + 1]! <= period.to; i++) {
    periodIndex.set(series.time[i]!, periodReturns.length);
    periodReturns.push(all[i]!);
    periodTimes.push(series.time[i]!);
  }
  const anchorStart: number[] = [];
  const anchorTime: number[] = [];
  const anchorVol: number[] = [];
  const anchorVolSource: AnchorVolSource[] = [];
  const skipped: { day: string; reason: string }[] = [];
  const firstDay = Math.ceil(period.from / anchorEveryMs) * anchorEveryMs;
  // Days whose window would run past the end of the data are not candidates (the test period is open-ended).
  const end = n > 0 ? Math.min(period.to, series.time[n - 1]!) : period.from;
  for (let day = firstDay; day + windowHours * HOUR_MS <= end; day += anchorEveryMs) {
    const label = new Date(day).toISOString().slice(0, anchorEveryMs < MS_PER_DAY ? 16 : 10).replace('T', ' ');
    const start = periodIndex.get(day);
    if (start === undefined || start + windowHours > periodReturns.length) {
      skipped.push({ day: label, reason: 'no hourly close at 00:00 UTC or the window runs past the data' });
      continue;
    }
    let gap = false;
    for (let j = start; j < start + windowHours && !gap; j++) gap = !Number.isFinite(periodReturns[j]!) || periodTimes[j]! !== day + (j - start) * HOUR_MS;
    if (gap) {
      skipped.push({ day: label, reason: `a gap in the hourly closes inside the ${windowHours}-hour window` });
      continue;
    }
    let vol = dvol.get(day) ?? null;
    let source: AnchorVolSource = 'dvol';
    if (vol === null && options.dvolOnly === true) {
      skipped.push({ day: label, reason: 'no DVOL at this anchor' });
      continue;
    }
    if (vol === null) {
      source = 'realized';
      const rowAtDay = row.get(day)!;
      vol = trailingRealizedVol(all, rowAtDay, realizedHours);
      if (vol !== null) {
        for (let j = rowAtDay - realizedHours; j < rowAtDay && vol !== null; j++) if (!Number.isFinite(all[j]!)) vol = null;
      }
      if (vol === null) {
        skipped.push({ day: label, reason: `no DVOL and fewer than ${realizedHours} gap-free hourly returns before it for the realized vol` });
        continue;
      }
    }
    anchorStart.push(start);
    anchorTime.push(day);
    anchorVol.push(vol);
    anchorVolSource.push(source);
  }
  return {
    period: { ...period },
    logReturns: Float64Array.from(periodReturns),
    returnTime: Float64Array.from(periodTimes),
    anchorStart: Int32Array.from(anchorStart),
    anchorTime: Float64Array.from(anchorTime),
    anchorVol: Float64Array.from(anchorVol),
    anchorVolSource,
    windowLength: windowHours,
    skipped,
  };
}

/** A period of time, [from, to) in epoch ms (UTC). */
export interface B3Span {
  from: number;
  to: number;
}

/**
 * How 2018-2020 is split into training and validation anchors (decision 0035):
 * - tail (0023, default): training 2018-05-15..2020-06-30, validation 2020-07-01..2020-12-31;
 * - spread: 2018-05-15..2020-12-31 cut into cycles of {@link B3_SPREAD_SPLIT}.cycleDays days, the last
 *   `validationDays` of each cycle validate, the rest trains. Each segment is its own period for
 *   {@link buildAnchoredHistory}, so a window never leaves its segment: training and validation windows never share
 *   an hourly return (the price is 29 days of anchors lost at the end of every segment).
 */
export const B3_VALIDATION_SPLITS = ['tail', 'spread'] as const;
export type B3ValidationSplit = (typeof B3_VALIDATION_SPLITS)[number];

export const B3_SPREAD_SPLIT = Object.freeze({ cycleDays: 240, validationDays: 60 });

/**
 * The training and validation segments of `split` inside `span` (the training side's whole span: the tail
 * split's two periods joined). Spread: from `span.from`, cycles of `cycleDays` days whose last `validationDays`
 * validate; the last cycle is cut at `span.to`.
 */
export function b3SplitSegments(
  split: B3ValidationSplit,
  span: B3Span = { from: B3_PERIODS.train.from, to: B3_PERIODS.validation.to },
  options: { cycleDays?: number; validationDays?: number } = {},
): { train: B3Span[]; validation: B3Span[] } {
  if (split === 'tail') {
    if (span.from !== B3_PERIODS.train.from || span.to !== B3_PERIODS.validation.to) throw new RangeError('the tail split is the fixed periods of B3_PERIODS');
    return { train: [{ ...B3_PERIODS.train }], validation: [{ ...B3_PERIODS.validation }] };
  }
  const cycleDays = options.cycleDays ?? B3_SPREAD_SPLIT.cycleDays;
  const validationDays = options.validationDays ?? B3_SPREAD_SPLIT.validationDays;
  if (!Number.isSafeInteger(cycleDays) || !Number.isSafeInteger(validationDays) || validationDays < 1 || validationDays >= cycleDays) {
    throw new RangeError(`spread split needs whole days 0 < validation days < cycle days, got ${String(validationDays)} of ${String(cycleDays)}`);
  }
  if (!(span.to > span.from)) throw new RangeError('spread split: the span is empty');
  const train: B3Span[] = [];
  const validation: B3Span[] = [];
  for (let start = span.from; start < span.to; start += cycleDays * MS_PER_DAY) {
    const cut = Math.min(span.to, start + (cycleDays - validationDays) * MS_PER_DAY);
    const end = Math.min(span.to, start + cycleDays * MS_PER_DAY);
    train.push({ from: start, to: cut });
    if (end > cut) validation.push({ from: cut, to: end });
  }
  return { train, validation };
}

/**
 * One history from the histories of disjoint segments (same window length), as {@link anchoredBootstrapPaths}
 * draws from it: the returns concatenated and each anchor's window start moved with its segment, so a window
 * stays inside its own segment's returns. `period` spans the first segment's start to the last's end.
 */
export function joinAnchoredHistories(parts: readonly AnchoredHistory[]): AnchoredHistory {
  if (parts.length === 0) throw new RangeError('no histories to join');
  const windowLength = parts[0]!.windowLength;
  for (const p of parts) if (p.windowLength !== windowLength) throw new RangeError(`histories to join have windows of ${windowLength} and ${p.windowLength} hours`);
  const sorted = [...parts].sort((a, b) => a.period.from - b.period.from);
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.period.from < sorted[i - 1]!.period.to) throw new RangeError('histories to join overlap in time');
  const anchorStart: number[] = [];
  let offset = 0;
  for (const p of sorted) {
    for (const a of p.anchorStart) anchorStart.push(a + offset);
    offset += p.logReturns.length;
  }
  const concat = (pick: (p: AnchoredHistory) => Float64Array): Float64Array => Float64Array.from(sorted.flatMap((p) => Array.from(pick(p))));
  return {
    period: { from: sorted[0]!.period.from, to: sorted[sorted.length - 1]!.period.to },
    logReturns: concat((p) => p.logReturns),
    returnTime: concat((p) => p.returnTime),
    anchorStart: Int32Array.from(anchorStart),
    anchorTime: concat((p) => p.anchorTime),
    anchorVol: concat((p) => p.anchorVol),
    anchorVolSource: sorted.flatMap((p) => p.anchorVolSource),
    windowLength,
    skipped: sorted.flatMap((p) => p.skipped),
  };
}

/** Bootstrapped paths with, per path, the anchor drawn (index into the history's anchors). */
export interface AnchoredPaths extends TrainingPaths {
  impliedVol: Float64Array;
  premium: Float64Array;
  anchor: Int32Array;
}

/**
 * Local circular block bootstrap of an {@link AnchoredHistory}: each path draws an anchor uniformly, then
 * concatenates blocks of `blockLength` consecutive returns of that anchor's window, each block starting at a
 * uniform offset and wrapping around the window's end (Politis & Romano 1992's circular blocks: every return of
 * the window is equally likely at every step). With `martingale` (default), each window's returns are shifted
 * by -log(mean(exp(r))) over the window, so E[S_{k+1} / S_k] = 1 at every step: the month's realized drift
 * (e.g. +50 % in December 2020) is one draw that a hedge must not learn to bet on, the option is priced
 * risk-neutrally, and the shift leaves the month's volatility untouched.
 */
export function anchoredBootstrapPaths(
  history: AnchoredHistory, problem: HedgingProblem, count: number, rng: RandomSource,
  options: { blockLength?: number; martingale?: boolean } = {},
): AnchoredPaths {
  const blockLength = options.blockLength ?? B3_SETTING.blockHours;
  const anchors = history.anchorStart.length;
  if (anchors === 0) throw new RangeError(`no anchor days in ${new Date(history.period.from).toISOString().slice(0, 10)}..${new Date(history.period.to).toISOString().slice(0, 10)}`);
  if (!Number.isSafeInteger(blockLength) || blockLength < 1 || blockLength > history.windowLength) {
    throw new RangeError(`blockLength must be a whole number of steps in 1..${history.windowLength}, got ${String(blockLength)}`);
  }
  if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`paths must be a positive integer, got ${String(count)}`);
  const steps = Math.round(problem.contract.maturity / problem.dt);
  const w = history.windowLength;
  const r = history.logReturns;
  const shift = new Float64Array(anchors);
  if (options.martingale ?? true) {
    for (let a = 0; a < anchors; a++) {
      let sum = 0;
      for (let j = 0; j < w; j++) sum += Math.exp(r[history.anchorStart[a]! + j]!);
      shift[a] = -Math.log(sum / w);
    }
  }
  const spot = new Float64Array((steps + 1) * count);
  spot.fill(problem.s0, 0, count);
  const anchor = new Int32Array(count);
  const impliedVol = new Float64Array(count);
  const premium = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const a = rng.nextInt(0, anchors - 1);
    anchor[i] = a;
    impliedVol[i] = history.anchorVol[a]!;
    premium[i] = b3Premium(problem, impliedVol[i]!);
    const base = history.anchorStart[a]!;
    let offset = 0;
    for (let k = 0; k < steps; k++) {
      if (k % blockLength === 0) offset = rng.nextInt(0, w - 1);
      const j = base + ((offset + (k % blockLength)) % w);
      spot[(k + 1) * count + i] = spot[k * count + i]! * Math.exp(r[j]! + shift[a]!);
    }
  }
  const paths: PathSet = { paths: count, steps, dt: problem.dt, spot };
  return { paths, impliedVol, premium, anchor };
}

/** Black-Scholes paths at the problem's sigma, each priced at sigma (the premium included). */
export function gbmB3Paths(problem: HedgingProblem, paths: PathSet): TrainingPaths & { premium: Float64Array } {
  return { paths, premium: new Float64Array(paths.paths).fill(b3Premium(problem, problem.sigma)) };
}

/** A trainer's path source over bootstrapped real returns: training and validation from their own periods. */
export function bootstrapPathSource(problem: HedgingProblem, train: AnchoredHistory, validation: AnchoredHistory): PathSource {
  return {
    sample: (count, rng) => anchoredBootstrapPaths(train, problem, count, rng),
    validation: (count, rng) => anchoredBootstrapPaths(validation, problem, count, rng),
  };
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation

/** Hedging outcome with the seller's P&L (premium included). */
export interface B3Outcome extends HedgeOutcome {
  sellerPnl: Float64Array;
}

export function runB3(problem: HedgingProblem, policy: HedgePolicy, set: TrainingPaths): B3Outcome {
  const out = runHedge(set.paths, problem.contract, policy, {
    cost: problem.cost, impliedVol: problem.sigma, ...(set.impliedVol ? { pathImpliedVol: set.impliedVol } : {}),
  });
  const premium = set.premium ?? new Float64Array(set.paths.paths).fill(b3Premium(problem, problem.sigma));
  const sellerPnl = Float64Array.from(out.pnl, (x, i) => x + premium[i]!);
  return { ...out, sellerPnl };
}

export interface B3Report {
  policy: string;
  paths: number;
  /** ES 99 % of the seller's loss (premium included). */
  expectedShortfall99: Estimate;
  /** Mean seller's P&L (premium included). */
  meanPnl: Estimate;
  meanCost: Estimate;
  /** Mean turnover, units of underlying (the initial trade included). */
  turnover: Estimate;
  /** Entropic risk of the seller's P&L (lambda of the setting): the premium the seller would still ask on top. */
  entropicRisk: Estimate;
}

export function b3Report(policy: string, out: B3Outcome): B3Report {
  return {
    policy,
    paths: out.pnl.length,
    expectedShortfall99: expectedShortfall(out.sellerPnl, B3_SETTING.alpha),
    meanPnl: meanEstimate(out.sellerPnl),
    meanCost: meanEstimate(out.cost),
    turnover: meanEstimate(out.turnover),
    entropicRisk: entropicRisk(out.sellerPnl, B3_SETTING.lambda),
  };
}

/** A policy's report with its ES relative to Black-Scholes delta on the same paths, and the target verdict. */
export interface B3Comparison extends B3Report {
  /** ES(policy) / ES(BS delta), paired standard error. */
  esRatioToBsDelta: Estimate;
  /** Turnover minus BS delta's, paired standard error. */
  turnoverDifference: Estimate;
  /** Issue 14's target: ES at least 20 % below BS delta (ratio + 2 se <= 0.8) at equal or lower turnover. */
  meetsTarget: boolean;
}

export function compareToBsDelta(policy: string, out: B3Outcome, delta: B3Outcome): B3Comparison {
  const ratio = expectedShortfallRatio(out.sellerPnl, delta.sellerPnl, B3_SETTING.alpha);
  const turnoverDifference = meanEstimate(Float64Array.from(out.turnover, (x, i) => x - delta.turnover[i]!));
  return {
    ...b3Report(policy, out),
    esRatioToBsDelta: ratio,
    turnoverDifference,
    meetsTarget: ratio.value + 2 * ratio.standardError <= 0.8 && turnoverDifference.value <= 0,
  };
}

/** Whalley-Wilmott risk aversions tried (per unit of P&L at spot 100). */
export const WW_RISK_AVERSIONS = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000] as const;

/**
 * The Whalley-Wilmott band "with an appropriate risk aversion": the gamma of {@link WW_RISK_AVERSIONS} with the
 * lowest ES 99 % on `set` (validation paths of the training side, never the test paths).
 */
export function tuneWhalleyWilmott(problem: HedgingProblem, set: TrainingPaths): { riskAversion: number; expectedShortfall99: number; tried: { riskAversion: number; expectedShortfall99: number }[] } {
  const tried = WW_RISK_AVERSIONS.map((riskAversion) => ({
    riskAversion,
    expectedShortfall99: expectedShortfall(runB3(problem, whalleyWilmottPolicy(problem.cost, riskAversion), set).sellerPnl, B3_SETTING.alpha).value,
  }));
  const best = tried.reduce((a, b) => (b.expectedShortfall99 < a.expectedShortfall99 ? b : a));
  return { ...best, tried };
}

/** The B3 baselines by name: no hedge, BS delta, and Whalley-Wilmott at a given risk aversion. */
export function b3Baseline(name: 'none' | 'bs-delta' | 'ww', problem: HedgingProblem, wwRiskAversion: number): HedgePolicy {
  if (name === 'none') return noHedge;
  if (name === 'bs-delta') return bsDeltaPolicy;
  return whalleyWilmottPolicy(problem.cost, wwRiskAversion);
}

/** What a trained B3 model is stored with (`gammadesk train --benchmark B3 --db`): its gate and test figures. */
export interface B3Gate {
  /**
   * Issue 14's gate on the seller's P&L (premium in): the policy's entropic risk (lambda of the setting) minus
   * the Whalley-Wilmott band's at `wwRiskAversion`, paired on the same test paths; passes below zero by 2 se.
   */
  gate: GateResult;
  /** The policy against Black-Scholes delta: ES ratio, turnover difference and B3's target verdict. */
  policy: B3Comparison;
  whalleyWilmott: B3Comparison;
  bsDelta: B3Report;
  wwRiskAversion: number;
}

/**
 * Gates a B3 policy on test paths `set`: the Whalley-Wilmott band at `wwRiskAversion` (tuned on validation
 * paths by {@link tuneWhalleyWilmott}, never on `set`) and Black-Scholes delta run on the same paths.
 */
export function b3Gate(problem: HedgingProblem, policy: HedgePolicy, set: TrainingPaths, wwRiskAversion: number, criterion: Criterion = { kind: 'entropic', lambda: B3_SETTING.lambda }): B3Gate {
  const mine = runB3(problem, policy, set);
  const band = runB3(problem, whalleyWilmottPolicy(problem.cost, wwRiskAversion), set);
  const delta = runB3(problem, bsDeltaPolicy, set);
  return {
    // On the seller's P&L (premium in), under the trader's criterion (default: entropic, B3's λ).
    gate: gateFromPnl(mine.sellerPnl, band.sellerPnl, criterion),
    policy: compareToBsDelta(policy.name, mine, delta),
    whalleyWilmott: compareToBsDelta(`ww(${wwRiskAversion})`, band, delta),
    bsDelta: b3Report('bs-delta', delta),
    wwRiskAversion,
  };
}
