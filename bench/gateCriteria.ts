/**
 * The gate per criterion (core/learn/criterion.ts) on B1 at its cost 2^-6: Black-Scholes delta against the
 * Whalley–Wilmott band, whose entropic prices issue 14 gives (6.45 and 4.36, so a difference of 2.09). Over 60
 * independent test seeds of 10 000 paths: the mean paired difference, its empirical standard deviation and the mean
 * delta-method standard error the gate uses (their ratio should be near 1); and the time of one gate at 100 000
 * paths (hedging both policies, then the difference), which is what `models.gate` costs on the jobs thread.
 */
import { bsDeltaPolicy, whalleyWilmottPolicy } from '../src-main/core/learn/baselines';
import { benchmarkProblem } from '../src-main/core/learn/benchmarks';
import { criterionDifference, criterionKey, type Criterion } from '../src-main/core/learn/criterion';
import { gateAgainstWhalleyWilmott, testPaths } from '../src-main/core/learn/evaluate';
import { runHedge } from '../src-main/core/learn/hedging';

const CRITERIA: Criterion[] = [
  { kind: 'entropic', lambda: 1 },
  { kind: 'es', alpha: 0.99 },
  { kind: 'es', alpha: 0.95 },
  { kind: 'mean-variance', riskAversion: 1 },
];

export function runGateCriteriaBench(): Record<string, unknown> {
  const problem = benchmarkProblem('B1');
  const options = { cost: problem.cost, impliedVol: problem.sigma };
  const band = whalleyWilmottPolicy(problem.cost, problem.lambda);
  const replicas = 60;
  const paths = 10_000;
  const values = CRITERIA.map(() => new Float64Array(replicas));
  const errors = CRITERIA.map(() => new Float64Array(replicas));
  for (let r = 0; r < replicas; r++) {
    const set = testPaths(problem, paths, 5000 + r);
    const delta = runHedge(set, problem.contract, bsDeltaPolicy, options).pnl;
    const ww = runHedge(set, problem.contract, band, options).pnl;
    CRITERIA.forEach((criterion, i) => {
      const d = criterionDifference(delta, ww, criterion);
      values[i]![r] = d.value;
      errors[i]![r] = d.standardError;
    });
  }
  const standardErrors: Record<string, unknown> = {};
  CRITERIA.forEach((criterion, i) => {
    const v = values[i]!;
    const mean = v.reduce((a, b) => a + b, 0) / replicas;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (replicas - 1));
    const se = errors[i]!.reduce((a, b) => a + b, 0) / replicas;
    standardErrors[criterionKey(criterion)] = { mean_difference: round(mean, 4), empirical_sd: round(sd, 5), mean_standard_error: round(se, 5), ratio: round(se / sd, 3) };
  });
  const big = testPaths(problem, 100_000, 1000);
  const gateMs: Record<string, number> = {};
  for (const criterion of CRITERIA) {
    const start = performance.now();
    gateAgainstWhalleyWilmott(problem, bsDeltaPolicy, big, criterion);
    gateMs[criterionKey(criterion)] = round(performance.now() - start, 1);
  }
  const a = runHedge(big, problem.contract, bsDeltaPolicy, options).pnl;
  const b = runHedge(big, problem.contract, band, options).pnl;
  const differenceMs: Record<string, number> = {};
  for (const criterion of CRITERIA) {
    const start = performance.now();
    criterionDifference(a, b, criterion);
    differenceMs[criterionKey(criterion)] = round(performance.now() - start, 2);
  }
  return {
    benchmark: 'B1, cost 2^-6: bs-delta minus Whalley–Wilmott',
    published_entropic_difference: round(6.45 - 4.36, 2),
    replicas, paths,
    standard_errors: standardErrors,
    gate_ms_100k_paths: gateMs,
    difference_only_ms_100k_paths: differenceMs,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
