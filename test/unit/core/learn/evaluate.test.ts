/**
 * Out-of-sample test paths: every simulator carries the benchmark's total variance sigma^2 T (Heston with
 * v0 = theta: E[integral of v] = theta T; Merton: sigma_d^2 + lambda (mu_J^2 + s_J^2) = sigma^2; the bootstrap
 * rescales its returns to sigma sqrt(dt)), and all are martingales.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { benchmarkProblem } from '../../../../src-main/core/learn/benchmarks';
import { evaluateOnPaths, simulatorPaths, SIMULATORS, testPaths } from '../../../../src-main/core/learn/evaluate';
import { gbmPathSource } from '../../../../src-main/core/learn/train';
import { black76Price } from '../../../../src-main/core/pricing/black76';
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

describe('a problem whose paths move at another vol than it is hedged at (pathVol)', () => {
  // A market problem (app/modelsService.ts marketProblem): the option is priced and hedged at the ATM implied vol
  // (sigma) and the paths move at the realized-vol estimate (pathVol).
  const problem = { ...benchmarkProblem('B1', 0), sigma: 0.8, pathVol: 0.4 };
  const t = 30 / 365;

  it.each(['test paths', 'training paths'] as const)('%s move at pathVol', (which) => {
    const n = 20_000;
    const set = which === 'test paths' ? testPaths(problem, n, 9) : gbmPathSource(problem).sample(n, new Rng(9)).paths;
    const last = set.spot.subarray(set.steps * n);
    let logSquares = 0;
    let logSum = 0;
    for (const s of last) {
      const x = Math.log(s / 100);
      logSum += x;
      logSquares += x * x;
    }
    const variance = logSquares / n - (logSum / n) ** 2;
    // Var log(S_T / S_0) = pathVol^2 T, known to about sqrt(2 / n) = 1 % relative.
    expect(Math.abs(variance / (0.4 * 0.4 * t) - 1)).toBeLessThan(0.04);
  });

  it('delta-hedged at sigma without cost, the mean loss is the payoff at pathVol (gains are a martingale)', () => {
    const set = testPaths(problem, 100_000, 11);
    const report = evaluateOnPaths(problem, bsDeltaPolicy, set, 11);
    // E[payoff] = Black-Scholes at the vol the paths move at (0.4), not at the vol hedged at (0.8).
    expect(Math.abs(-report.meanPnl.value - black76Price(100, 100, t, 0.4, true))).toBeLessThan(4 * report.meanPnl.standardError);
    expect(black76Price(100, 100, t, 0.8, true) - black76Price(100, 100, t, 0.4, true)).toBeGreaterThan(4);
  });
});
