/**
 * The dynamic-programming optimum of the entropic hedging problem (core/learn/optimalHedge.ts): quadrature
 * identities, the no-hedge limit of prohibitive costs against an independent quadrature, the frictionless
 * bounds, grid refinement, and Monte Carlo of its own band (a feasible policy: an unbiased price of that policy,
 * so no better than the optimum) against the value it claims; it beats Whalley-Wilmott on the same paths.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { simulateGbm } from '../../../../src-main/core/sim/paths';
import { runHedge } from '../../../../src-main/core/learn/hedging';
import { entropicRisk, entropicRiskDifference, meanEstimate } from '../../../../src-main/core/learn/risk';
import { exactNoHedgeEntropic } from '../../../helpers/entropicQuadrature';
import { benchmarkProblem } from '../../../../src-main/core/learn/benchmarks';
import { bsDeltaPolicy, whalleyWilmottPolicy } from '../../../../src-main/core/learn/baselines';
import { DEFAULT_OPTIMAL_HEDGE_GRID, gaussHermiteNormal, optimalHedge } from '../../../../src-main/core/learn/optimalHedge';
import { black76Price } from '../../../../src-main/core/pricing/black76';

const T = 30 / 365;
const COARSE = { ...DEFAULT_OPTIMAL_HEDGE_GRID, logSpotPoints: 401, positionPoints: 121 };

describe('gaussHermiteNormal', () => {
  it('integrates the normal moments exactly up to degree 2n - 1', () => {
    const { nodes, weights } = gaussHermiteNormal(20);
    const moment = (p: number): number => nodes.reduce((s, z, i) => s + weights[i]! * z ** p, 0);
    // E Z^0..Z^8 of the standard normal: 1, 0, 1, 0, 3, 0, 15, 0, 105 (double factorials).
    expect(moment(0)).toBeCloseTo(1, 13);
    expect(moment(1)).toBeCloseTo(0, 13);
    expect(moment(2)).toBeCloseTo(1, 12);
    expect(moment(4)).toBeCloseTo(3, 11);
    expect(moment(6)).toBeCloseTo(15, 10);
    expect(moment(8)).toBeCloseTo(105, 8);
    // E exp(Z / 2) = exp(1/8): not a polynomial, still exact to double precision with 20 nodes.
    expect(nodes.reduce((s, z, i) => s + weights[i]! * Math.exp(z / 2), 0)).toBeCloseTo(Math.exp(1 / 8), 12);
    expect(() => gaussHermiteNormal(0)).toThrow(/1\.\.200 nodes/);
  });
});

describe('optimalHedge', () => {
  it('with prohibitive costs never trades and prices the option unhedged (independent quadrature)', () => {
    const problem = { ...benchmarkProblem('B2'), cost: 1 };
    const dp = optimalHedge(problem, COARSE);
    // 0.0234833: the no-hedge entropic price of B2 (decision 0015b; trapezoid rule here). The grid's error,
    // measured by refinement: 2.9e-4, 1.1e-4, 5.4e-5, 3.8e-5 at 201, 401, 801, 1601 points (always above).
    const exact = exactNoHedgeEntropic(1, 0.2, T, 1);
    expect(dp.price - exact).toBeGreaterThan(0);
    expect(dp.price - exact).toBeLessThan(1.5e-4);
    const state = { timeToMaturity: 10 / 365, logMoneyness: 0.02, spot: Math.exp(0.02), bsDelta: 0.6, bsGamma: 5, previousPosition: 0, impliedVol: 0.2 };
    expect(dp.policy.decide(state)).toBe(0);
  });

  it('without costs lies between the Black-Scholes price and the delta hedge, and converges under refinement', () => {
    const problem = benchmarkProblem('B1', 0);
    const prices = [201, 401, 801].map((points) => optimalHedge(problem, { ...DEFAULT_OPTIMAL_HEDGE_GRID, logSpotPoints: points, positionPoints: 121 }).price);
    // Jensen: any hedge's entropic price is at least E[payoff] = the Black-Scholes price 2.28715 (black76Price).
    for (const p of prices) expect(p).toBeGreaterThan(black76Price(100, 100, T, 0.2, true));
    // Linear interpolation in x: the error falls by about 4 per halving of the step.
    expect(Math.abs(prices[2]! - prices[1]!)).toBeLessThan(0.5 * Math.abs(prices[1]! - prices[0]!));
    // The cost-free delta hedge's 2.35442 ± 0.00042 (bench/RESULTS.md, 10^6 paths) is a feasible policy: the
    // optimum cannot be above it beyond the grid's remaining error (the last refinement's change).
    expect(prices[2]!).toBeLessThan(2.35442 + 3 * 0.00042 + Math.abs(prices[2]! - prices[1]!));
  });

  it('attains its value with its own band on fresh paths and beats Whalley-Wilmott and delta on them (B1, eps = 2^-6)', () => {
    const problem = benchmarkProblem('B1', 2 ** -6);
    const dp = optimalHedge(problem, COARSE);
    const paths = simulateGbm({ paths: 100_000, steps: 30, dt: problem.dt, s0: 100, sigma: 0.2 }, new Rng(77));
    const options = { cost: problem.cost, impliedVol: 0.2 };
    const mine = runHedge(paths, problem.contract, dp.policy, options).pnl;
    const mc = entropicRisk(mine, 1);
    // The grid value is biased up by linear interpolation of the convex value function (about 0.005 at 401
    // points, bench/RESULTS.md); the band's Monte Carlo price must agree within that and 4 standard errors.
    expect(Math.abs(mc.value - dp.price)).toBeLessThan(4 * mc.standardError + 0.01);
    // Issue 14's independent figure: Whalley-Wilmott 4.36 at this cost; the optimum is well below it.
    const ww = entropicRiskDifference(mine, runHedge(paths, problem.contract, whalleyWilmottPolicy(problem.cost, 1), options).pnl, 1);
    expect(ww.value + 4 * ww.standardError).toBeLessThan(0);
    expect(ww.value).toBeLessThan(-0.3);
    const delta = entropicRiskDifference(mine, runHedge(paths, problem.contract, bsDeltaPolicy, options).pnl, 1);
    expect(delta.value).toBeLessThan(-2);
  });

  it('B2: the optimum and every policy price above the Black-Scholes price, so the quoted 0.022544 is out of reach', () => {
    const problem = benchmarkProblem('B2');
    const bs = black76Price(1, 1, T, 0.2, true); // 0.0228715
    const dp = optimalHedge(problem, COARSE);
    // Issue 14 quotes the NTB paper's 0.022544 as B2's target. Any policy's loss is payoff - gains + costs, the
    // gains are a martingale (mean 0) and costs are >= 0, so E[loss] >= E[payoff] = the Black-Scholes price, and
    // the entropic price >= E[loss] (Jensen). The optimum (bench/RESULTS.md: 0.02339 at 801 points, its band
    // 0.023353 ± 0.000051 on 200k test paths) is 0.0008 above the quoted target: no policy reaches it here.
    expect(dp.price).toBeGreaterThan(bs);
    expect(dp.price - 0.022544).toBeGreaterThan(5e-4);
    const paths = simulateGbm({ paths: 100_000, steps: 30, dt: problem.dt, s0: 1, sigma: 0.2 }, new Rng(78));
    const options = { cost: problem.cost, impliedVol: 0.2 };
    for (const policy of [dp.policy, bsDeltaPolicy, whalleyWilmottPolicy(problem.cost, 1)]) {
      const out = runHedge(paths, problem.contract, policy, options);
      const loss = meanEstimate(out.pnl.map((x) => -x));
      const cost = meanEstimate(out.cost);
      // The martingale identity on these paths: mean loss = BS price + mean cost, within Monte Carlo error.
      expect(Math.abs(loss.value - (bs + cost.value))).toBeLessThan(4 * loss.standardError);
      expect(entropicRisk(out.pnl, 1).value).toBeGreaterThan(loss.value);
    }
  });

  it('names the bad grid field', () => {
    expect(() => optimalHedge(benchmarkProblem('B1'), { ...COARSE, logSpotPoints: 400 })).toThrow(/logSpotPoints must be odd/);
    expect(() => optimalHedge({ ...benchmarkProblem('B1'), lambda: 0 }, COARSE)).toThrow(/lambda > 0/);
  });
});
