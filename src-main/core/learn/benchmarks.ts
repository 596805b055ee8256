/**
 * The hedging benchmarks of issue 14 as problems, and the baseline policies by name.
 *
 * - B1 (Buehler, Gonon, Teichmann & Wood 2019, "Deep hedging", §5.3): Black-Scholes sigma = 0.2, r = 0,
 *   S0 = K = 100, short ATM call, T = 30/365, 30 daily rebalances, cost eps S |d position| (default eps = 2^-6),
 *   no terminal unwind, entropic lambda = 1.
 * - B2 (Imaki et al. 2021, the No-Transaction Band paper's setting): S0 = K = 1, sigma = 0.2, T = 30/365,
 *   dt = 1/365, cost 1e-3, entropic lambda = 1.
 * - B3 (crypto): sigma = 0.8, hourly, 7 or 30 days, perpetual at 5 bp, and the same on bootstrapped real BTC
 *   returns priced at DVOL (core/learn/b3.ts; `benchmarkProblem('B3')` is its 7-day problem).
 */
import { bsDeltaPolicy, lelandPolicy, noHedge, whalleyWilmottPolicy } from './baselines';
import { b3Problem } from './b3';
import type { HedgePolicy } from './hedging';
import type { HedgingProblem } from './train';

export const BENCHMARKS = ['B1', 'B2', 'B3'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];

export function isBenchmarkName(name: string): name is BenchmarkName {
  return (BENCHMARKS as readonly string[]).includes(name);
}

/** The benchmark's hedging problem, with its default cost unless `cost` is given. */
export function benchmarkProblem(name: BenchmarkName, cost?: number): HedgingProblem {
  if (cost !== undefined && !(cost >= 0 && Number.isFinite(cost))) throw new RangeError(`cost must be a non-negative number, got ${String(cost)}`);
  const contract = (s0: number) => ({ strike: s0, isCall: true, maturity: 30 / 365 });
  switch (name) {
    case 'B1':
      return { s0: 100, sigma: 0.2, dt: 1 / 365, contract: contract(100), cost: cost ?? 2 ** -6, lambda: 1 };
    case 'B2':
      return { s0: 1, sigma: 0.2, dt: 1 / 365, contract: contract(1), cost: cost ?? 1e-3, lambda: 1 };
    case 'B3':
      return b3Problem(7, cost);
  }
}

export const BASELINE_NAMES = ['none', 'bs-delta', 'ww', 'leland'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export function isBaselineName(name: string): name is BaselineName {
  return (BASELINE_NAMES as readonly string[]).includes(name);
}

/** A baseline for a problem: Whalley-Wilmott with the problem's risk aversion, Leland with its step. */
export function baselinePolicy(name: BaselineName, problem: HedgingProblem): HedgePolicy {
  switch (name) {
    case 'none': return noHedge;
    case 'bs-delta': return bsDeltaPolicy;
    case 'ww': return whalleyWilmottPolicy(problem.cost, problem.lambda);
    case 'leland': return lelandPolicy(problem.cost, problem.dt, problem.contract.isCall);
  }
}
