/**
 * Out-of-sample test paths: every simulator carries the benchmark's total variance sigma^2 T (Heston with
 * v0 = theta: E[integral of v] = theta T; Merton: sigma_d^2 + lambda (mu_J^2 + s_J^2) = sigma^2; the bootstrap
 * rescales its returns to sigma sqrt(dt)), and all are martingales.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { benchmarkProblem } from '../../../../src-main/core/learn/benchmarks';
import { evaluateOnPaths, simulatorPaths, SIMULATORS } from '../../../../src-main/core/learn/evaluate';
import { bsDeltaPolicy } from '../../../../src-main/core/learn/baselines';

describe('simulatorPaths', () => {
  const problem = benchmarkProblem('B1');
  const t = 30 / 365;
  const rng = new Rng(77);
  // Fat-tailed "observed" returns with a drift: Student-like by mixing two normals.
  const observed = { returns: Float64Array.from({ length: 3000 }, () => 0.003 + (rng.nextFloat() < 0.1 ? 0.08 : 0.02) * rng.nextNormal()), blockLength: 5 };

  it.each(SIMULATORS)('%s paths are martingales with variance sigma^2 T', (simulator) => {
    const n = 40_000;
    const set = simulatorPaths(problem, simulator, n, 5, observed);
    const last = set.spot.subarray(set.steps * n);
    let sum = 0;
    let squares = 0;
    let logSum = 0;
    let logSquares = 0;
    for (const s of last) {
      sum += s;
      squares += s * s;
      const x = Math.log(s / 100);
      logSum += x;
      logSquares += x * x;
    }
    const mean = sum / n;
    const se = Math.sqrt((squares / n - mean * mean) / n);
    expect(Math.abs(mean - 100)).toBeLessThan(4 * se);
    const logVariance = logSquares / n - (logSum / n) ** 2;
    // Heavy tails (jumps, bootstrap mixtures) widen the sampling error of a variance: 10 % is ~5 se here.
    expect(Math.abs(logVariance / (0.04 * t) - 1)).toBeLessThan(0.1);
  });

  it('rejects a bootstrap without data, and the evaluation names its policy and seed', () => {
    expect(() => simulatorPaths(problem, 'bootstrap', 10, 1)).toThrow(/observed returns/);
    const report = evaluateOnPaths(problem, bsDeltaPolicy, simulatorPaths(problem, 'heston', 2000, 9), 9);
    expect(report).toMatchObject({ policy: 'bs-delta', paths: 2000, seed: 9, cost: 2 ** -6, lambda: 1 });
  });
});
