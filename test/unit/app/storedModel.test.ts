/**
 * What a stored market-calibrated model says it was trained on (app/modelsService.ts `storedModel`): since decision
 * 0034 the paths move at the realized-vol estimate (`pathVol`) and the option is hedged at the ATM IV, and the
 * model's data range says both; without an estimate the paths move at the ATM IV and it says that.
 */
import { describe, expect, it } from 'vitest';
import type { ProblemDto } from '../../../src-main/api/contract/models';
import { storedModel } from '../../../src-main/app/modelsService';
import { Mlp } from '../../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, NetworkPolicy } from '../../../src-main/core/learn/network';
import { Rng } from '../../../src-main/core/random';
import type { HedgingProblem } from '../../../src-main/core/learn/train';
import { problemDto } from '../../../src-main/learn/problemDto';
import type { TrainJobMessage } from '../../../src-main/learn/trainJob';

const calibration: NonNullable<ProblemDto['calibration']> = {
  currency: 'BTC', atmIv: 0.5512, expiry: '27DEC26', realizedVol: 0.3125, realizedVolSource: 'live EWMA', perpetualCost: 3e-4, marketTimeMs: Date.UTC(2026, 11, 1, 8),
};

function dataRange(problem: HedgingProblem): string {
  const zero = { value: 0, standardError: 0 };
  const report = { policy: 'p', indifferencePrice: zero, expectedShortfall99: zero, meanCost: zero, turnover: zero, meanPnl: zero };
  const model = exportPolicy(new NetworkPolicy('ntb', Mlp.initialized([4, 8, 2], new Rng(1), 0.5), defaultInputs('ntb', 30 / 365, 0.5512), 0.1), {});
  const done = {
    type: 'done', reason: 'finished', model, steps: 0, elapsedMs: 0, problem,
    gate: { paths: 1000, seed: 1000, simulator: 'gbm', result: { baseline: 'ww', criterion: { kind: 'entropic', lambda: 1 }, difference: zero, passed: false }, test: report, whalleyWilmott: report },
  } as unknown as TrainJobMessage & { type: 'done' };
  return storedModel({ name: 'm', label: 'market:BTC', problem: problemDto(problem, 'market', calibration), seed: 1, done, createdMs: 0 }).dataRange;
}

describe('storedModel of a market-calibrated model', () => {
  const problem: HedgingProblem = { s0: 1, sigma: 0.5512, dt: 1 / 365, contract: { strike: 1, isCall: true, maturity: 30 / 365 }, cost: 3e-4, lambda: 1 };

  it('names the realized vol the paths moved at and the ATM IV it hedged at', () => {
    expect(dataRange({ ...problem, pathVol: 0.3125 })).toBe('Black-Scholes paths at realized vol 0.3125, hedged at the BTC ATM IV 0.5512 (27DEC26) of 2026-12-01T08:00:00.000Z');
    expect(dataRange(problem)).toBe('Black-Scholes paths at the BTC ATM IV 0.5512 (27DEC26) of 2026-12-01T08:00:00.000Z');
  });
});
