/**
 * B3's pure parts on synthetic data: per-path implied vols in the hedge batch, the anchored circular block
 * bootstrap (draws only from its anchor's window, a martingale, priced at the anchor's vol), the anchoring of days
 * (DVOL first, trailing realized vol otherwise, windows inside the period), and the seller's P&L identity on
 * Black-Scholes paths (premium = expected payoff).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { simulateGbm } from '../../../../src-main/core/sim/paths';
import {
  anchoredBootstrapPaths, b3Premium, b3Problem, buildAnchoredHistory, compareToBsDelta, gbmB3Paths, runB3, trailingRealizedVol, tuneWhalleyWilmott,
} from '../../../../src-main/core/learn/b3';
import { bsDeltaPolicy } from '../../../../src-main/core/learn/baselines';
import { fillBatch, newBatch } from '../../../../src-main/core/learn/hedging';
import { black76Price } from '../../../../src-main/core/pricing/black76';
import { hourlySeries } from '../../../helpers/hourlySeries';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** An hourly series of `days` days from `start` with seeded returns of hourly vol `hourlyVol` (drift 0.001 an hour). */
function series(start: number, days: number, hourlyVol: number, seed: number): { time: Float64Array; close: Float64Array } {
  return hourlySeries(start, days, hourlyVol, seed, 0.001);
}

describe('per-path implied vol in the hedge batch', () => {
  it('gives each path the greeks of its own vol, the same as a scalar fill at that vol', () => {
    const problem = b3Problem(7);
    const paths = simulateGbm({ paths: 5, steps: 3, dt: problem.dt, s0: 100, sigma: 0.8 }, new Rng(1));
    const vols = Float64Array.from([0.3, 0.5, 0.8, 1.1, 1.6]);
    const perPath = newBatch(5);
    fillBatch(paths, 2, problem.contract, 0.8, perPath, vols);
    for (let i = 0; i < 5; i++) {
      const scalar = newBatch(5);
      fillBatch(paths, 2, problem.contract, vols[i]!, scalar);
      expect(perPath.bsDelta[i]).toBe(scalar.bsDelta[i]);
      expect(perPath.bsGamma[i]).toBe(scalar.bsGamma[i]);
    }
    expect(() => fillBatch(paths, 0, problem.contract, 0.8, perPath, new Float64Array(4))).toThrow(/4 for 5 paths/);
    // A later scalar fill drops the per-path vols.
    fillBatch(paths, 0, problem.contract, 0.8, perPath);
    expect(perPath.pathImpliedVol).toBeUndefined();
  });
});

describe('buildAnchoredHistory', () => {
  const start = Date.parse('2019-01-01T00:00:00Z');
  const data = series(start, 120, 0.01, 3);
  const period = { from: Date.parse('2019-02-01T00:00:00Z'), to: Date.parse('2019-04-01T00:00:00Z') };

  it('anchors each day whose 30-day window lies inside the period, at DVOL when known, else at trailing realized vol', () => {
    const dvolDay = Date.parse('2019-02-10T00:00:00Z');
    const history = buildAnchoredHistory(data, new Map([[dvolDay, 0.55]]), period);
    // 2019-02-01 .. 2019-03-02 (the last day whose 720 hours end by 2019-04-01 00:00): 30 anchors.
    expect(history.anchorTime.length).toBe(30);
    expect(new Date(history.anchorTime[0]!).toISOString()).toBe('2019-02-01T00:00:00.000Z');
    expect(new Date(history.anchorTime[29]!).toISOString()).toBe('2019-03-02T00:00:00.000Z');
    const a = history.anchorTime.indexOf(dvolDay);
    expect(history.anchorVol[a]).toBe(0.55);
    expect(history.anchorVolSource[a]).toBe('dvol');
    // Realized fallback: the 720 hourly returns before 00:00 of the day, from the whole series.
    const b = history.anchorTime.indexOf(Date.parse('2019-02-20T00:00:00Z'));
    expect(history.anchorVolSource[b]).toBe('realized');
    const row = data.time.indexOf(history.anchorTime[b]!);
    const returns = Float64Array.from({ length: row }, (_, j) => Math.log(data.close[j + 1]! / data.close[j]!));
    let squares = 0;
    for (let j = row - 720; j < row; j++) squares += returns[j]! ** 2;
    expect(history.anchorVol[b]).toBeCloseTo(Math.sqrt((squares / 720) * 8760), 12);
    // Every window lies inside the period; the history holds no return from outside it.
    for (let k = 0; k < history.anchorStart.length; k++) {
      expect(history.returnTime[history.anchorStart[k]! + history.windowLength - 1]! + HOUR).toBeLessThanOrEqual(period.to);
    }
    expect(history.returnTime[0]).toBe(period.from);
    expect(history.returnTime[history.returnTime.length - 1]! + HOUR).toBeLessThanOrEqual(period.to);
  });

  it('skips and reports a day with a gap in its window or too little history for the realized vol', () => {
    const holed = { time: data.time.filter((t) => t !== Date.parse('2019-03-10T05:00:00Z')), close: new Float64Array(0) };
    holed.close = data.close.filter((_, i) => data.time[i] !== Date.parse('2019-03-10T05:00:00Z'));
    const early = { from: start, to: Date.parse('2019-03-15T00:00:00Z') };
    const history = buildAnchoredHistory(holed, new Map(), early);
    const reasons = new Map(history.skipped.map((s) => [s.day, s.reason]));
    expect(reasons.get('2019-01-01')).toMatch(/fewer than 720/);
    expect(reasons.get('2019-02-10')).toMatch(/gap/);
    for (const t of history.anchorTime) expect(t).toBeLessThan(Date.parse('2019-02-08T00:00:00Z') + DAY);
  });

  it('gives null realized vol without enough history', () => {
    expect(trailingRealizedVol(new Float64Array(10), 5, 6)).toBeNull();
    expect(trailingRealizedVol(Float64Array.from([0.01, -0.01]), 2, 2)).toBeCloseTo(0.01 * Math.sqrt(8760), 12);
  });
});

describe('anchoredBootstrapPaths', () => {
  const start = Date.parse('2019-01-01T00:00:00Z');
  // Two regimes: calm January-February, wild March-April (hourly vol 0.5 % against 2 %).
  const calm = series(start, 59, 0.005, 5);
  const wild = series(start + 59 * DAY, 61, 0.02, 6);
  const data = {
    time: Float64Array.from([...calm.time, ...wild.time.subarray(1)]),
    close: Float64Array.from([...calm.close, ...Array.from(wild.close.subarray(1), (c) => (c * calm.close[calm.close.length - 1]!) / 100)]),
  };
  const history = buildAnchoredHistory(data, new Map(), { from: Date.parse('2019-02-01T00:00:00Z'), to: Date.parse('2019-05-01T00:00:00Z') });
  const problem = b3Problem(7);

  it('draws every step of a path from its anchor window only, shifted to a martingale', () => {
    const set = anchoredBootstrapPaths(history, problem, 400, new Rng(7));
    const steps = set.paths.steps;
    expect(steps).toBe(168);
    for (let i = 0; i < 400; i += 37) {
      const a = set.anchor[i]!;
      const begin = history.anchorStart[a]!;
      const window = Array.from(history.logReturns.subarray(begin, begin + history.windowLength));
      let sum = 0;
      for (const r of window) sum += Math.exp(r);
      const shift = -Math.log(sum / window.length);
      const allowed = new Set(window.map((r) => (r + shift).toFixed(12)));
      for (let k = 0; k < steps; k++) {
        const step = Math.log(set.paths.spot[(k + 1) * 400 + i]! / set.paths.spot[k * 400 + i]!);
        expect(allowed.has(step.toFixed(12))).toBe(true);
      }
      expect(set.impliedVol[i]).toBe(history.anchorVol[a]);
      expect(set.premium[i]).toBe(black76Price(100, 100, 7 / 365, history.anchorVol[a]!, true));
    }
  });

  it('is a martingale: the mean terminal spot is the initial one within Monte Carlo error', () => {
    const set = anchoredBootstrapPaths(history, problem, 20_000, new Rng(8));
    const n = set.paths.paths;
    const last = set.paths.steps * n;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      sum += set.paths.spot[last + i]!;
      squares += set.paths.spot[last + i]! ** 2;
    }
    const mean = sum / n;
    const se = Math.sqrt((squares / n - mean * mean) / n);
    // The synthetic series drifts up 0.1 % an hour (+18 % a week): without the shift the mean would be ~118.
    expect(Math.abs(mean - 100)).toBeLessThan(4 * se);
    const raw = anchoredBootstrapPaths(history, problem, 2000, new Rng(8), { martingale: false });
    let rawSum = 0;
    for (let i = 0; i < 2000; i++) rawSum += raw.paths.spot[raw.paths.steps * 2000 + i]!;
    expect(rawSum / 2000).toBeGreaterThan(110);
  });

  it('is reproducible from its seed and rejects bad block lengths', () => {
    const a = anchoredBootstrapPaths(history, problem, 50, new Rng(9));
    const b = anchoredBootstrapPaths(history, problem, 50, new Rng(9));
    expect(Array.from(a.paths.spot)).toEqual(Array.from(b.paths.spot));
    expect(() => anchoredBootstrapPaths(history, problem, 50, new Rng(9), { blockLength: 0 })).toThrow(/blockLength/);
    const empty = buildAnchoredHistory(data, new Map(), { from: Date.parse('2019-04-20T00:00:00Z'), to: Date.parse('2019-05-01T00:00:00Z') });
    expect(() => anchoredBootstrapPaths(empty, problem, 50, new Rng(9))).toThrow(/no anchor days/);
  });
});

describe('the seller P&L on Black-Scholes paths', () => {
  it('delta hedging without cost has mean P&L 0 (premium = expected payoff) and a thin tail', () => {
    const problem = b3Problem(7, 0);
    const set = gbmB3Paths(problem, simulateGbm({ paths: 20_000, steps: 168, dt: problem.dt, s0: 100, sigma: 0.8 }, new Rng(21)));
    // Black-Scholes price, sigma 0.8, 7 days, ATM: 0.4 x 0.8 x sqrt(7/365) x 100 to first order.
    expect(b3Premium(problem, 0.8)).toBeCloseTo(0.3989 * 0.8 * Math.sqrt(7 / 365) * 100, 1);
    const out = runB3(problem, bsDeltaPolicy, set);
    const c = compareToBsDelta('bs-delta', out, out);
    expect(Math.abs(c.meanPnl.value)).toBeLessThan(4 * c.meanPnl.standardError);
    expect(c.esRatioToBsDelta.value).toBe(1);
    expect(c.meetsTarget).toBe(false);
    // Hourly hedging error of an ATM option: ES 99 % far below the premium.
    expect(c.expectedShortfall99.value).toBeLessThan(0.3 * b3Premium(problem, 0.8));
  });

  it('tunes the Whalley-Wilmott risk aversion on the paths it is given and reports every candidate', () => {
    const problem = b3Problem(7);
    const set = gbmB3Paths(problem, simulateGbm({ paths: 2000, steps: 168, dt: problem.dt, s0: 100, sigma: 0.8 }, new Rng(22)));
    const tuned = tuneWhalleyWilmott(problem, set);
    expect(tuned.tried.length).toBeGreaterThan(3);
    expect(tuned.expectedShortfall99).toBe(Math.min(...tuned.tried.map((t) => t.expectedShortfall99)));
  });
});
