/**
 * The Models view's comparison (learn/compare.ts): on B1 the baselines' rows reproduce issue 14's independently
 * measured indifference prices; the model's gate equals evaluate.ts's `gateAgainstWhalleyWilmott` on the same paths;
 * histograms share their bins and count every path; bootstrap paths need the history and say where they came from.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchmarkProblem } from '../../../src-main/core/learn/benchmarks';
import { gateAgainstWhalleyWilmott, simulatorPaths } from '../../../src-main/core/learn/evaluate';
import { Mlp } from '../../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, importPolicy, NetworkPolicy } from '../../../src-main/core/learn/network';
import { Rng } from '../../../src-main/core/random';
import { comparePolicies, sharedHistograms } from '../../../src-main/learn/compare';
import { deribitTestPaths } from '../../../src-main/learn/deribitPaths';
import { bsDeltaPolicy } from '../../../src-main/core/learn/baselines';
import { runHedge } from '../../../src-main/core/learn/hedging';
import { entropicRisk } from '../../../src-main/core/learn/risk';

const B1 = benchmarkProblem('B1');

function model(): ReturnType<typeof exportPolicy> {
  const mlp = Mlp.initialized([4, 8, 2], new Rng(4), 0.1);
  mlp.biases[1]!.fill(1.2);
  return exportPolicy(new NetworkPolicy('ntb', mlp, defaultInputs('ntb', B1.contract.maturity, B1.sigma), 0.1), {});
}

describe('comparePolicies', () => {
  it('B1 at eps = 2^-6: Black-Scholes delta 6.45 and Whalley–Wilmott 4.36 (issue 14, measured independently on 400k paths)', () => {
    const json = model();
    const result = comparePolicies({ problem: B1, model: { json, policy: 'model:1', label: 'm' }, simulator: 'gbm', paths: 20_000, seed: 1000, bins: 25 });
    expect(result.rows.map((r) => r.policy)).toEqual(['model:1', 'none', 'bs-delta', 'ww', 'leland']);
    const row = (name: string) => result.rows.find((r) => r.policy === name)!;
    for (const [name, published] of [['bs-delta', 6.45], ['ww', 4.36]] as const) {
      const { value, standardError } = row(name).indifferencePrice;
      expect(Math.abs(value - published)).toBeLessThan(4 * standardError + 0.005);
    }
    // The gate on these paths is evaluate.ts's gate, computed from the same P&L.
    const reference = gateAgainstWhalleyWilmott(B1, importPolicy(json).policy, simulatorPaths(B1, 'gbm', 20_000, 1000));
    expect(result.gate!.difference.value).toBeCloseTo(reference.difference.value, 12);
    expect(result.gate!.difference.standardError).toBeCloseTo(reference.difference.standardError, 12);
    expect(result.gate!.passed).toBe(reference.passed);
    // No hedge trades nothing; every histogram counts every path over the same bins.
    expect(row('none').turnover.value).toBe(0);
    const edges = result.rows[0]!.histogram.edges;
    for (const r of result.rows) {
      expect(r.histogram.edges).toEqual(edges);
      expect(r.histogram.counts.reduce((a, b) => a + b, 0)).toBe(20_000);
    }
  });

  it('bootstrap paths need the history file, and report its years and rescaling', () => {
    expect(() => comparePolicies({ problem: B1, model: null, simulator: 'bootstrap', paths: 1000, seed: 5, bins: 10 })).toThrow(/need a history file/);
    expect(() => comparePolicies({ problem: B1, model: null, simulator: 'bootstrap', paths: 1000, seed: 5, bins: 10, historyFile: '/nonexistent.csv' })).toThrow(/does not exist/);
    const result = comparePolicies({ problem: B1, model: null, simulator: 'bootstrap', paths: 2000, seed: 5, bins: 10, historyFile: resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz') });
    expect(result.gate).toBeNull();
    expect(result.notes.join('\n')).toMatch(/5-day blocks of \d+ daily BTC returns of 2021–2022, rescaled to σ = 0.2/);
    // A market problem (decision 0034): the paths are rescaled to the vol they move at, and the note says so.
    const market = comparePolicies({ problem: { ...B1, sigma: 0.8, pathVol: 0.4 }, model: null, simulator: 'bootstrap', paths: 2000, seed: 5, bins: 10, historyFile: resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz') });
    expect(market.notes.join('\n')).toMatch(/rescaled to σ = 0\.4 \(the vol the paths move at; hedged at 0\.8\)/);
  });
});

describe('sharedHistograms', () => {
  it('bins from the pooled 0.1 % to 99.9 % quantiles; outliers fall in the end bins', () => {
    const a = Float64Array.from({ length: 1000 }, (_, i) => i / 1000);
    const b = Float64Array.from([...Array.from({ length: 999 }, () => 0.5), 1e6]);
    const [ha, hb] = sharedHistograms([a, b], 10);
    expect(ha!.edges).toHaveLength(11);
    expect(ha!.counts.reduce((x, y) => x + y, 0)).toBe(1000);
    expect(hb!.counts.reduce((x, y) => x + y, 0)).toBe(1000);
    expect(hb!.counts[9]).toBeGreaterThanOrEqual(1);
    expect(ha!.edges[10]!).toBeLessThan(1e6);
    // A constant sample still gets a bin around it.
    const [hc] = sharedHistograms([new Float64Array(5).fill(2)], 4);
    expect(hc!.counts.reduce((x, y) => x + y, 0)).toBe(5);
  });
});

describe('comparePolicies on Deribit test paths (learn/deribitPaths.ts)', () => {
  const history = resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');

  it('deribit-daily: 5-day blocks of the perpetual daily returns 2021-03-24..2026-01-30, rescaled; the notes say the span and blocks', () => {
    const result = comparePolicies({ problem: B1, model: null, simulator: 'deribit-daily', paths: 2000, seed: 5, bins: 10, historyFile: history });
    // 2021-03-24..2026-01-30 holds 1774 daily rows, 1773 returns (the data README: 2727 rows, no gaps).
    expect(result.notes[0]).toBe("deribit-daily: Deribit BTC-PERPETUAL daily closes 2021-03-24..2026-01-30 (08:00 UTC to 08:00 UTC); 1773 daily returns: 1769 distinct 5-day blocks, 354 of them non-overlapping; rescaled to the problem's path vol (pathVol, else σ) and shifted to a martingale");
    expect(() => comparePolicies({ problem: B1, model: null, simulator: 'deribit-daily', paths: 1000, seed: 5, bins: 10 })).toThrow(/need the shared data folder/);
  });

  it('deribit-hourly: a 7-day daily problem hedged at each path\'s anchor-hour DVOL; 30 days refused naming the span', () => {
    const week = { ...B1, contract: { ...B1.contract, maturity: 7 / 365 } };
    const result = comparePolicies({ problem: week, model: null, simulator: 'deribit-hourly', paths: 3000, seed: 9, bins: 10, historyFile: history });
    expect(result.notes[0]).toMatch(/^deribit-hourly: Deribit BTC-PERPETUAL hourly 2026-02-27 12:00\.\.2026-04-28 12:00 UTC; 721 anchor hours .* 1440 hourly returns: 1417 distinct 24-hour blocks, 60 of them non-overlapping; 24-hour blocks seen every 24 hour\(s\), not rescaled/);
    // The delta row hedges at the paths' DVOL (0.50..0.62), not at B1's 0.2: recomputed both ways on the same paths.
    const paths = deribitTestPaths(week, 'deribit-hourly', 3000, 9, resolve('../shared/data'));
    const atDvol = runHedge(paths.set, week.contract, bsDeltaPolicy, { cost: week.cost, impliedVol: week.sigma, pathImpliedVol: paths.pathImpliedVol! });
    const atSigma = runHedge(paths.set, week.contract, bsDeltaPolicy, { cost: week.cost, impliedVol: week.sigma });
    const delta = result.rows.find((r) => r.policy === 'bs-delta')!;
    expect(delta.indifferencePrice.value).toBeCloseTo(entropicRisk(atDvol.pnl, week.lambda).value, 12);
    expect(Math.abs(delta.indifferencePrice.value - entropicRisk(atSigma.pnl, week.lambda).value)).toBeGreaterThan(1e-3);
    expect(() => comparePolicies({ problem: B1, model: null, simulator: 'deribit-hourly', paths: 1000, seed: 9, bins: 10, historyFile: history })).toThrow(/at most 7 days: the Deribit perpetual hourly file spans 2026-02-27 12:00\.\.2026-04-28 12:00 UTC/);
  });
});
