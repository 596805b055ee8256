/**
 * Out-of-sample evaluation of a hedge policy on a benchmark: fresh paths from the test seed (never the training
 * or validation seeds), every criterion with its Monte Carlo standard error.
 */
import { Rng } from '../random';
import { bootstrapPaths, simulateGbm, simulateHeston, simulateMerton, type PathSet } from '../sim/paths';
import { runHedge, type HedgePolicy } from './hedging';
import { entropicRisk, expectedShortfall, meanEstimate, type Estimate } from './risk';
import { criterionDifference, type Criterion } from './criterion';
import { whalleyWilmottPolicy } from './baselines';
import { pathVolOf, type HedgingProblem } from './train';

export interface EvaluationReport {
  policy: string;
  paths: number;
  seed: number;
  cost: number;
  lambda: number;
  /** Entropic risk of the hedged P&L = indifference price of the short option. */
  indifferencePrice: Estimate;
  /** Expected shortfall of the loss at 99 %. */
  expectedShortfall99: Estimate;
  /** Mean transaction cost paid. */
  meanCost: Estimate;
  /** Mean turnover, units of underlying. */
  turnover: Estimate;
  /** Mean hedged P&L (premium excluded). */
  meanPnl: Estimate;
}

/** Simulates the benchmark's test paths (Black-Scholes at the problem's path vol, `pathVolOf`). */
export function testPaths(problem: HedgingProblem, paths: number, seed: number): PathSet {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  return simulateGbm({ paths, steps, dt: problem.dt, s0: problem.s0, sigma: pathVolOf(problem) }, new Rng(seed));
}

export function evaluateOnPaths(problem: HedgingProblem, policy: HedgePolicy, set: PathSet, seed: number): EvaluationReport {
  const out = runHedge(set, problem.contract, policy, { cost: problem.cost, impliedVol: problem.sigma });
  return {
    policy: policy.name,
    paths: set.paths,
    seed,
    cost: problem.cost,
    lambda: problem.lambda,
    indifferencePrice: entropicRisk(out.pnl, problem.lambda),
    expectedShortfall99: expectedShortfall(out.pnl, 0.99),
    meanCost: meanEstimate(out.cost),
    turnover: meanEstimate(out.turnover),
    meanPnl: meanEstimate(out.pnl),
  };
}

export function evaluatePolicy(problem: HedgingProblem, policy: HedgePolicy, paths: number, seed: number): EvaluationReport {
  return evaluateOnPaths(problem, policy, testPaths(problem, paths, seed), seed);
}

/** Path models for out-of-sample tests: the training model (gbm) and others with the same total variance. */
export const SIMULATORS = ['gbm', 'heston', 'merton', 'bootstrap'] as const;
export type SimulatorName = (typeof SIMULATORS)[number];

/**
 * Test paths for `problem` from another model, each with the variance of the problem's path vol (`pathVolOf`) over the horizon:
 * - heston: v0 = theta = sigma^2, kappa 2, xi 0.5, rho -0.7 (stochastic vol, skew);
 * - merton: 2 jumps a year of log size N(-0.05, 0.1^2), diffusion vol lowered so that the total variance is
 *   sigma^2 per year;
 * - bootstrap: moving blocks of `blockLength` steps of observed one-step log returns (`observedReturns`,
 *   e.g. daily BTC returns), rescaled to the problem's sigma (the shape of real returns: fat tails, volatility
 *   clustering within a block) and shifted to a martingale; `blockStarts` limits the blocks drawn (those without a
 *   gap of the data).
 */
export function simulatorPaths(
  problem: HedgingProblem, simulator: SimulatorName, paths: number, seed: number,
  observed?: { returns: Float64Array; blockLength: number; blockStarts?: ArrayLike<number> },
): PathSet {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  const grid = { paths, steps, dt: problem.dt, s0: problem.s0 };
  const variance = pathVolOf(problem) ** 2;
  const rng = new Rng(seed);
  switch (simulator) {
    case 'gbm':
      return simulateGbm({ ...grid, sigma: pathVolOf(problem) }, rng);
    case 'heston':
      return simulateHeston({ ...grid, v0: variance, theta: variance, kappa: 2, xi: 0.5, rho: -0.7 }, rng);
    case 'merton': {
      const jumpIntensity = 2;
      const jumpVariance = jumpIntensity * (0.05 ** 2 + 0.1 ** 2);
      if (!(variance > jumpVariance)) throw new RangeError(`merton test paths need sigma^2 > ${jumpVariance}, got ${variance}`);
      return simulateMerton({ ...grid, sigma: Math.sqrt(variance - jumpVariance), jumpIntensity, jumpMean: -0.05, jumpStd: 0.1 }, rng);
    }
    case 'bootstrap': {
      if (observed === undefined) throw new RangeError('bootstrap test paths need observed returns');
      const r = observed.returns;
      let sum = 0;
      for (let i = 0; i < r.length; i++) sum += r[i]!;
      const mean = sum / r.length;
      let squares = 0;
      for (let i = 0; i < r.length; i++) squares += (r[i]! - mean) ** 2;
      const scale = (pathVolOf(problem) * Math.sqrt(problem.dt)) / Math.sqrt(squares / (r.length - 1));
      const scaled = Float64Array.from(r, (x) => (x - mean) * scale);
      return bootstrapPaths({ ...grid, logReturns: scaled, blockLength: observed.blockLength, ...(observed.blockStarts ? { blockStarts: observed.blockStarts } : {}) }, rng);
    }
  }
}

/** Whether a policy beats the Whalley-Wilmott band out of sample on a criterion (criterion.ts). */
export interface GateResult {
  baseline: 'ww';
  /** The risk measure compared (the trader's criterion; entropic with the problem's λ unless told). */
  criterion: Criterion;
  /** Policy's criterion minus the band's, on the same paths (negative = better). */
  difference: Estimate;
  /** True when the difference is below zero by more than two paired standard errors. */
  passed: boolean;
}

/** The default criterion of a problem: entropic risk with its own λ (what every gate meant before there was a choice). */
export function defaultCriterion(problem: HedgingProblem): Criterion {
  return { kind: 'entropic', lambda: problem.lambda };
}

/** The gate's verdict from P&L already simulated on the same paths: policy − band below zero by > 2 paired SE. */
export function gateFromPnl(policyPnl: Float64Array, bandPnl: Float64Array, criterion: Criterion): GateResult {
  const difference = criterionDifference(policyPnl, bandPnl, criterion);
  return { baseline: 'ww', criterion, difference, passed: difference.value + 2 * difference.standardError < 0 };
}

/**
 * The gate of issue 14: a learned policy is offered to the hedge advisor only if it beats the Whalley-Wilmott
 * band (at the problem's cost and risk aversion) on test paths it never saw, by more than 2 standard errors, on
 * the trader's criterion (default: entropic with the problem's λ).
 */
export function gateAgainstWhalleyWilmott(problem: HedgingProblem, policy: HedgePolicy, set: PathSet, criterion: Criterion = defaultCriterion(problem)): GateResult {
  const options = { cost: problem.cost, impliedVol: problem.sigma };
  const mine = runHedge(set, problem.contract, policy, options).pnl;
  const band = runHedge(set, problem.contract, whalleyWilmottPolicy(problem.cost, problem.lambda), options).pnl;
  return gateFromPnl(mine, band, criterion);
}
