/**
 * Re-gating a history model (learn/regate.ts, app/modelsService.ts `regatePlan`): the test paths are the ones its
 * training gate drew (learn/trainJob.ts `gateTestPaths` on learn/historySeries.ts's test part), so a model trained on
 * the Deribit BTC-PERPETUAL daily series is re-gated on Deribit 2021-01-01..2026-01-30, never on the Bitstamp
 * 2021–2022 returns a Bitstamp history model is gated on. No golden numbers: the identity with the training gate's
 * paths is what is checked.
 */
import { describe, expect, it } from 'vitest';
import { regatePlan } from '../../../src-main/app/modelsService';
import { gateAgainstWhalleyWilmott } from '../../../src-main/core/learn/evaluate';
import { Mlp } from '../../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, importPolicy, NetworkPolicy } from '../../../src-main/core/learn/network';
import { Rng } from '../../../src-main/core/random';
import { historyProblem } from '../../../src-main/learn/historyTrain';
import { readHistorySeries } from '../../../src-main/learn/historySeries';
import { problemDto } from '../../../src-main/learn/problemDto';
import { regateModel } from '../../../src-main/learn/regate';
import { gateTestPaths } from '../../../src-main/learn/trainJob';
import type { StoredModelSummary } from '../../../src-main/store/models';
import { sharedPath } from '../core/pricing/sharedData';

const HISTORY_FILE = sharedPath('data', 'gymtradingenv_BTC_USD-Hourly.csv.gz');
const deribit = readHistorySeries(HISTORY_FILE, 'deribit');
const bitstamp = readHistorySeries(HISTORY_FILE, 'bitstamp');
const problem = historyProblem(deribit.train, 30, 5e-4);
const json = (() => {
  const mlp = Mlp.initialized([4, 8, 2], new Rng(4), 0.1);
  mlp.biases[1]!.fill(1.2);
  return exportPolicy(new NetworkPolicy('ntb', mlp, defaultInputs('ntb', problem.contract.maturity, problem.sigma), 0.1), {});
})();

function summary(benchmark: string, simulator: string): StoredModelSummary {
  return {
    id: 7, name: 'h', kind: 'ntb', benchmark, createdMs: 0, seeds: { init: 1, train: 2, validation: 3, test: 1000 }, dataRange: '',
    metrics: { problem: problemDto(problem, 'history'), gate: { simulator } }, passedGate: false, trainingGate: null, gates: [], pathDependent: false,
  };
}

describe('regatePlan and regateModel of a history model', () => {
  const criterion = { kind: 'es' as const, alpha: 0.95 };

  it('a Deribit-series model is re-gated on the Deribit test years, as its training gate was', () => {
    const plan = regatePlan(summary('history:BTC-PERPETUAL', 'deribit-daily'), json, { criterion, paths: 2000, seed: 1000 }, HISTORY_FILE);
    expect(plan.simulator).toBe('deribit-daily');
    expect(plan.source).toEqual({ kind: 'bootstrap', historyFile: HISTORY_FILE, series: 'deribit' });
    if (plan.source.kind !== 'bootstrap') throw new Error('unreachable');
    const result = regateModel({ problem: plan.problem, model: json, criterion, paths: plan.paths, seed: plan.seed, source: plan.source });
    const policy = importPolicy(json).policy;
    const onDeribit = gateAgainstWhalleyWilmott(plan.problem, policy, gateTestPaths(plan.problem, { kind: 'bootstrap', returns: deribit.test }, 2000, 1000), criterion);
    const onBitstamp = gateAgainstWhalleyWilmott(plan.problem, policy, gateTestPaths(plan.problem, { kind: 'bootstrap', returns: bitstamp.test }, 2000, 1000), criterion);
    expect(result.difference).toEqual(onDeribit.difference);
    expect(result.difference.value).not.toBe(onBitstamp.difference.value);
  });

  it('a Bitstamp history model stays on 2021–2022 (the series is named by its label or its training gate)', () => {
    const plan = regatePlan(summary('history:BTC', 'bootstrap'), json, { criterion, paths: 2000, seed: 1000 }, HISTORY_FILE);
    expect(plan.simulator).toBe('bootstrap');
    expect(plan.source).toEqual({ kind: 'bootstrap', historyFile: HISTORY_FILE, series: 'bitstamp' });
    expect(regatePlan(summary('history:other', 'deribit-daily'), json, { criterion }, HISTORY_FILE).simulator).toBe('deribit-daily');
    expect(() => regatePlan(summary('history:BTC-PERPETUAL', 'deribit-daily'), json, { criterion }, null)).toThrow(/gated on Deribit BTC-PERPETUAL 2021-01-01\.\.2026-01-30: no BTC price history is configured/);
  });
});
