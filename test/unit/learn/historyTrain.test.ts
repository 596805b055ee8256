/**
 * Training on history (learn/historyTrain.ts): the years it reads from the shared Bitstamp hourly file, the realized
 * vol it prices at, validation on bootstrapped training-year paths (not Black-Scholes ones), determinism per seed,
 * and the job's gate on 2021–2022.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHedge } from '../../../src-main/core/learn/hedging';
import { entropicRisk } from '../../../src-main/core/learn/risk';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor } from '../../../src-main/core/learn/train';
import { Rng } from '../../../src-main/core/random';
import { bootstrapPaths } from '../../../src-main/core/sim/paths';
import { dailyReturnsBetween, HISTORY_BLOCK_DAYS, HISTORY_TEST, HISTORY_TRAIN, historyProblem, bootstrapPathSource, realizedVol } from '../../../src-main/learn/historyTrain';
import { runTrainJob } from '../../../src-main/learn/trainJob';

const FILE = resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');
const settings = { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb' as const, batch: 128, validationPaths: 500, validateEvery: 2 };

describe('history data', () => {
  it('2018–2020 for training and 2021–2022 for tests, from the Bitstamp hourly file (2018-05-15..2022-03-01, ../shared/data/README.md)', () => {
    const train = dailyReturnsBetween(FILE, HISTORY_TRAIN.fromMs, HISTORY_TRAIN.toMs);
    const test = dailyReturnsBetween(FILE, HISTORY_TEST.fromMs, HISTORY_TEST.toMs);
    expect(new Date(train.firstMs).toISOString().slice(0, 10)).toBe('2018-05-15');
    expect(train.lastMs).toBeLessThan(HISTORY_TEST.fromMs);
    expect(test.firstMs).toBeGreaterThanOrEqual(HISTORY_TEST.fromMs);
    // About 960 training days and 420 test days (the file ends on 2022-03-01); gaps in the hours shorten both a little.
    expect(train.returns.length).toBeGreaterThan(900);
    expect(train.returns.length).toBeLessThan(963);
    expect(test.returns.length).toBeGreaterThan(390);
    expect(test.returns.length).toBeLessThan(426);
    // BTC's realized vol of those years is far above B1's 0.2 (the crypto regime of issue 14's B3: σ ≈ 0.8).
    expect(realizedVol(train.returns)).toBeGreaterThan(0.5);
    expect(realizedVol(train.returns)).toBeLessThan(1.2);
  });

  it('realizedVol is the sample standard deviation × √365', () => {
    // ±a alternating (mean 0): sample variance n a² / (n − 1).
    const a = 0.03;
    const r = Float64Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : -a));
    expect(realizedVol(r)).toBeCloseTo(Math.sqrt(((10 * a * a) / 9) * 365), 14);
    expect(historyProblem(r, 30, 5e-4)).toEqual({ s0: 1, sigma: realizedVol(r), dt: 1 / 365, contract: { strike: 1, isCall: true, maturity: 30 / 365 }, cost: 5e-4, lambda: 1 });
  });
});

describe('training on bootstrapped history (bootstrapPathSource)', () => {
  const { returns } = dailyReturnsBetween(FILE, HISTORY_TRAIN.fromMs, HISTORY_TRAIN.toMs);
  const problem = historyProblem(returns, 30, 5e-4);

  it('validates on bootstrapped training-year paths from the validation seed', () => {
    const trainer = new HedgeTrainer(problem, { ...settings, seeds: { init: 1, train: 2, validation: 3 } }, { source: bootstrapPathSource(problem, returns) });
    const paths = bootstrapPaths({ paths: 500, steps: 30, dt: 1 / 365, s0: 1, logReturns: returns, blockLength: HISTORY_BLOCK_DAYS }, new Rng(3));
    const expected = entropicRisk(runHedge(paths, problem.contract, trainer.policy, { cost: problem.cost, impliedVol: problem.sigma }).pnl, 1);
    expect(trainer.validate()).toEqual(expected);
  });

  it('trains deterministically per seed, keeping the best validated checkpoint', () => {
    const run = () => {
      const trainer = new HedgeTrainer(problem, { ...settings, seeds: { init: 4, train: 5, validation: 6 } }, { source: bootstrapPathSource(problem, returns) });
      let t = 0;
      const validated: number[] = [];
      const result = trainFor(trainer, { maxSteps: 6, maxMs: 1e9 }, { now: () => t++, isCancelled: () => false, onProgress: (p) => p.validationRisk !== null && validated.push(p.validationRisk) });
      return { trainer, result, validated };
    };
    const a = run();
    const b = run();
    const state = { timeToMaturity: 20 / 365, logMoneyness: 0.03, spot: 1.03, bsDelta: 0.6, bsGamma: 5, previousPosition: 0.2, impliedVol: problem.sigma };
    expect(a.result.policy.decide(state)).toBe(b.result.policy.decide(state));
    expect(a.result.last!.step).toBe(6);
    // Validated every 2 steps (reported), plus the warm start's and the closing validation (trainFor; not reported).
    expect(a.trainer.bestValidationStep % 2).toBe(0);
    expect(a.validated).toHaveLength(3);
    expect(a.trainer.bestValidationRisk).toBeLessThanOrEqual(Math.min(...a.validated));
    // The kept checkpoint scores the best validation risk seen.
    const kept = entropicRisk(runHedge(bootstrapPaths({ paths: 500, steps: 30, dt: 1 / 365, s0: 1, logReturns: returns, blockLength: HISTORY_BLOCK_DAYS }, new Rng(6)), problem.contract, a.result.policy, { cost: problem.cost, impliedVol: problem.sigma }).pnl, 1);
    expect(kept.value).toBeCloseTo(a.trainer.bestValidationRisk, 12);
  });

  it('the training job gates on 2021–2022 paths and reports the range', () => {
    let t = 0;
    const done = runTrainJob({ kind: 'ntb', seed: 1, maxSteps: 2, maxMs: 1e9, batch: 128, validationPaths: 500, history: { file: FILE }, gate: { paths: 2000, seed: 1000 } }, { now: () => t++, isCancelled: () => false, onProgress: () => undefined });
    expect(done.gate!.simulator).toBe('bootstrap');
    expect(done.history!.trainDays).toBe(returns.length);
    expect(done.problem.sigma).toBe(problem.sigma);
    expect(new Date(done.history!.testFirstMs).getUTCFullYear()).toBe(2021);
    expect(done.model.training['simulator']).toMatch(/block bootstrap \(5 days\) of \d+ daily BTC returns 2018-2020/);
  });
});
