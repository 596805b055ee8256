/**
 * Re-gating a stored model (`models.gate`): the model against the Whalley–Wilmott band on fresh test paths of its
 * own problem under a criterion — the same paths its training gate drew for the same seed (learn/trainJob.ts
 * `gateTestPaths`): Black-Scholes at the problem's vol, the test years' returns for a history model, the held-out part
 * of its session for a session model. Runs in the jobs worker (workers/modelsGateTask.ts).
 */
import type { Criterion } from '../core/learn/criterion';
import { gateAgainstWhalleyWilmott, type GateResult } from '../core/learn/evaluate';
import { importPolicy, type PolicyModelJson } from '../core/learn/network';
import type { HedgingProblem } from '../core/learn/train';
import { readHistorySeries, type HistorySeries } from './historySeries';
import { gateTestPaths, type GatePathSource } from './trainJob';

export interface RegateInput {
  problem: HedgingProblem;
  model: PolicyModelJson;
  criterion: Criterion;
  paths: number;
  seed: number;
  /**
   * gbm: the problem's model; bootstrap: the test years' daily returns of the series the model was trained on (Bitstamp
   * 2021–2022 from this hourly-closes file, or Deribit BTC-PERPETUAL 2021-01-01..2026-01-30 beside it:
   * learn/historySeries.ts, as the training gate); session: held-out step returns.
   */
  source: { kind: 'gbm' } | { kind: 'bootstrap'; historyFile: string; series?: HistorySeries } | { kind: 'session'; returns: number[]; blockLength: number };
}

/** The test years' returns of a history model's series; a Deribit series with gaps draws only the blocks without one. */
function historyTestPaths(historyFile: string, series: HistorySeries | undefined): GatePathSource {
  const history = readHistorySeries(historyFile, series);
  return { kind: 'bootstrap', returns: history.test, ...(history.testBlockStarts ? { blockStarts: history.testBlockStarts } : {}) };
}

export function regateModel(input: RegateInput): GateResult {
  const { source } = input;
  const paths: GatePathSource = source.kind === 'bootstrap' ? historyTestPaths(source.historyFile, source.series) : source;
  const set = gateTestPaths(input.problem, paths, input.paths, input.seed);
  return gateAgainstWhalleyWilmott(input.problem, importPolicy(input.model).policy, set, input.criterion);
}
