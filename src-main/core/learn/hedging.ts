/**
 * Discrete hedging of a short European option with the underlying (a perpetual or future priced at the spot,
 * r = 0), and the policy interface every hedge rule implements (baselines, learned networks).
 *
 * P&L of the hedger over a path with rebalancing at steps k = 0..n-1 (position delta_k held over [t_k, t_k+1]):
 *   X = -payoff(S_n) + sum_k delta_k (S_{k+1} - S_k) - eps sum_k S_k |delta_k - delta_{k-1}|,  delta_{-1} = 0,
 * i.e. proportional cost eps x S x |change of position| (Buehler et al. 2019 §5.3), and no terminal unwind
 * (the final position is left open: its value is already in the gains). The premium is not in X: the
 * indifference price is the risk of X (see risk.ts).
 */
import { black76Price } from '../pricing/black76';
import { normCdf, normPdf } from '../pricing/normal';
import type { PathSet } from '../sim/paths';

/** The option the hedger is short. */
export interface OptionContract {
  strike: number;
  isCall: boolean;
  /** Time to maturity at step 0, years (the path grid must cover it: steps x dt). */
  maturity: number;
}

/** What a policy sees at one decision (one path, one time step). */
export interface HedgeState {
  /** Years to maturity. */
  timeToMaturity: number;
  /** ln(S / K). */
  logMoneyness: number;
  /** Spot (price units of the path). */
  spot: number;
  /** Black-Scholes delta of the option held long, at the implied vol. */
  bsDelta: number;
  /** Black-Scholes gamma (per price unit), at the implied vol. */
  bsGamma: number;
  /** Position held before this decision (units of underlying; the hedge of a short call is long). */
  previousPosition: number;
  /** Implied vol used for pricing and the greeks, decimal. */
  impliedVol: number;
  /**
   * The hedged short option's P&L so far (price units): the hedge's gains minus its costs up to this decision,
   * minus the rise of the option's Black-76 value at the implied vol since the hedge began. Only path-dependent
   * policies read it ({@link HedgePolicy.pathDependent}); absent elsewhere.
   */
  hedgePnl?: number;
}

/** One time step of many paths (struct-of-arrays); scalars are shared by all paths at that step. */
export interface HedgeBatch {
  count: number;
  timeToMaturity: number;
  impliedVol: number;
  logMoneyness: Float64Array;
  spot: Float64Array;
  bsDelta: Float64Array;
  bsGamma: Float64Array;
  previousPosition: Float64Array;
  /**
   * Per-path implied vol (B3: each bootstrapped path is priced at its own start day's vol); when present it
   * replaces `impliedVol` for path i, in the greeks and in every policy input.
   */
  pathImpliedVol?: Float64Array;
  /** Per-path {@link HedgeState.hedgePnl}: filled by the runners for a path-dependent policy only. */
  hedgePnl?: Float64Array;
}

/** The implied vol of path i of `batch` (the per-path array when present, else the shared scalar). */
export function batchImpliedVol(batch: HedgeBatch, i: number): number {
  return batch.pathImpliedVol === undefined ? batch.impliedVol : batch.pathImpliedVol[i]!;
}

/**
 * A hedge rule: maps the state to the new position (units of underlying). `decide` serves one live decision,
 * `decideBatch` evaluation and training; both must give the same numbers.
 */
export interface HedgePolicy {
  readonly name: string;
  /**
   * True when the rule reads the hedge's P&L so far (`hedgePnl`): the runners then track it (runHedge,
   * HedgePathGradient), and a caller that cannot (the live advisor) refuses the rule.
   */
  readonly pathDependent?: boolean;
  decide(state: HedgeState): number;
  decideBatch(batch: HedgeBatch, out: Float64Array): void;
}

/** Black-Scholes (Black-76, r = 0) delta and gamma of a long option; tau <= 0 gives the expiry step. */
export function bsDeltaGamma(spot: number, strike: number, tau: number, sigma: number, isCall: boolean): { delta: number; gamma: number } {
  if (!(tau > 0) || !(sigma > 0)) {
    const itm = spot > strike ? 1 : spot < strike ? 0 : 0.5;
    return { delta: isCall ? itm : itm - 1, gamma: 0 };
  }
  const s = sigma * Math.sqrt(tau);
  const d1 = Math.log(spot / strike) / s + 0.5 * s;
  return { delta: isCall ? normCdf(d1) : -normCdf(-d1), gamma: normPdf(d1) / (spot * s) };
}

/**
 * Fills the per-path fields of `batch` for step `step` of `paths`; `pathImpliedVol` (one vol per path) replaces
 * the scalar `impliedVol` path by path when given.
 */
export function fillBatch(paths: PathSet, step: number, contract: OptionContract, impliedVol: number, batch: HedgeBatch, pathImpliedVol?: Float64Array): void {
  const n = paths.paths;
  const tau = contract.maturity - step * paths.dt;
  batch.count = n;
  batch.timeToMaturity = tau;
  batch.impliedVol = impliedVol;
  if (pathImpliedVol !== undefined) {
    if (pathImpliedVol.length !== n) throw new RangeError(`per-path implied vols: ${pathImpliedVol.length} for ${n} paths`);
    batch.pathImpliedVol = pathImpliedVol;
  } else delete batch.pathImpliedVol;
  const base = step * n;
  const rootTau = Math.sqrt(Math.max(tau, 0));
  let s = impliedVol * rootTau;
  const k = contract.strike;
  for (let i = 0; i < n; i++) {
    if (pathImpliedVol !== undefined) s = pathImpliedVol[i]! * rootTau;
    const spot = paths.spot[base + i]!;
    const x = Math.log(spot / k);
    batch.spot[i] = spot;
    batch.logMoneyness[i] = x;
    if (s > 0) {
      const d1 = x / s + 0.5 * s;
      batch.bsDelta[i] = contract.isCall ? normCdf(d1) : -normCdf(-d1);
      batch.bsGamma[i] = normPdf(d1) / (spot * s);
    } else {
      const itm = x > 0 ? 1 : x < 0 ? 0 : 0.5;
      batch.bsDelta[i] = contract.isCall ? itm : itm - 1;
      batch.bsGamma[i] = 0;
    }
  }
}

/**
 * Tracks {@link HedgeBatch.hedgePnl} for a path-dependent policy: `fill` at every step k (after fillBatch) writes
 * cash - (V_k - V_0), where `cash` is each path's hedge gains minus costs so far and V the option's Black-76 value
 * (core/pricing) at the path's implied vol; step 0 records V_0.
 */
export class HedgePnlTracker {
  private readonly start: Float64Array;
  constructor(count: number) {
    this.start = new Float64Array(count);
  }

  fill(step: number, batch: HedgeBatch, contract: OptionContract, cash: Float64Array): void {
    const out = batch.hedgePnl ?? (batch.hedgePnl = new Float64Array(batch.count));
    for (let i = 0; i < batch.count; i++) {
      const value = black76Price(batch.spot[i]!, contract.strike, batch.timeToMaturity, batchImpliedVol(batch, i), contract.isCall);
      if (step === 0) this.start[i] = value;
      out[i] = cash[i]! - (value - this.start[i]!);
    }
  }
}

export function newBatch(count: number): HedgeBatch {
  return {
    count, timeToMaturity: 0, impliedVol: 0,
    logMoneyness: new Float64Array(count), spot: new Float64Array(count), bsDelta: new Float64Array(count),
    bsGamma: new Float64Array(count), previousPosition: new Float64Array(count),
  };
}

/** Per-path outcome of hedging, all of length `paths`. */
export interface HedgeOutcome {
  /** Hedger's P&L X (without premium). */
  pnl: Float64Array;
  /** Transaction costs paid (positive). */
  cost: Float64Array;
  /** Sum of |change of position| (units of underlying), the initial trade included. */
  turnover: Float64Array;
  /** Option payoff paid at maturity. */
  payoff: Float64Array;
}

export interface HedgeRunOptions {
  /** Proportional cost eps: each trade of q units at spot S costs eps x S x |q|. */
  cost: number;
  /** Implied vol given to the policy (pricing vol), per step or one for all steps. */
  impliedVol: number | Float64Array;
  /** One implied vol per path, replacing `impliedVol` (see {@link HedgeBatch.pathImpliedVol}). */
  pathImpliedVol?: Float64Array;
}

/**
 * Runs `policy` over every path and returns the P&L of the short option. The number of rebalancing dates is
 * round(maturity / dt) and must not exceed the path steps.
 */
export function runHedge(paths: PathSet, contract: OptionContract, policy: HedgePolicy, options: HedgeRunOptions): HedgeOutcome {
  const steps = Math.round(contract.maturity / paths.dt);
  if (steps < 1 || steps > paths.steps) {
    throw new RangeError(`maturity ${contract.maturity} needs ${steps} steps of ${paths.dt}; the paths have ${paths.steps}`);
  }
  if (!(options.cost >= 0)) throw new RangeError(`cost must be non-negative, got ${String(options.cost)}`);
  const n = paths.paths;
  const batch = newBatch(n);
  const position = new Float64Array(n);
  const next = new Float64Array(n);
  const pnl = new Float64Array(n);
  const cost = new Float64Array(n);
  const turnover = new Float64Array(n);
  const payoff = new Float64Array(n);
  const eps = options.cost;
  const tracker = policy.pathDependent === true ? new HedgePnlTracker(n) : null;
  for (let k = 0; k < steps; k++) {
    const vol = typeof options.impliedVol === 'number' ? options.impliedVol : options.impliedVol[k]!;
    fillBatch(paths, k, contract, vol, batch, options.pathImpliedVol);
    batch.previousPosition.set(position);
    // pnl holds each path's gains minus costs so far (the payoff comes after the last step).
    tracker?.fill(k, batch, contract, pnl);
    policy.decideBatch(batch, next);
    const row = k * n;
    for (let i = 0; i < n; i++) {
      const s = paths.spot[row + i]!;
      const trade = Math.abs(next[i]! - position[i]!);
      const paid = eps * s * trade;
      cost[i] = cost[i]! + paid;
      turnover[i] = turnover[i]! + trade;
      pnl[i] = pnl[i]! - paid + next[i]! * (paths.spot[row + n + i]! - s);
      position[i] = next[i]!;
    }
  }
  const last = steps * n;
  const k = contract.strike;
  for (let i = 0; i < n; i++) {
    const s = paths.spot[last + i]!;
    payoff[i] = contract.isCall ? Math.max(s - k, 0) : Math.max(k - s, 0);
    pnl[i] = pnl[i]! - payoff[i]!;
  }
  return { pnl, cost, turnover, payoff };
}
