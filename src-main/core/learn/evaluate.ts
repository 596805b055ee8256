/**
 * Out-of-sample evaluation of a hedge policy on a benchmark: fresh paths from the test seed (never the training
 * or validation seeds), every criterion with its Monte Carlo standard error.
 */
import { Rng } from '../random';
import { simulateGbm, type PathSet } from '../sim/paths';
import { runHedge, type HedgePolicy } from './hedging';
import { entropicRisk, expectedShortfall, meanEstimate, type Estimate } from './risk';
import type { HedgingProblem } from './train';

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

/** Simulates the benchmark's test paths (Black-Scholes at the problem's vol). */
export function testPaths(problem: HedgingProblem, paths: number, seed: number): PathSet {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  return simulateGbm({ paths, steps, dt: problem.dt, s0: problem.s0, sigma: problem.sigma }, new Rng(seed));
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
