/**
 * Hedging benchmark (issue 14): out-of-sample indifference prices of the baselines and of freshly trained
 * networks on B1 (Buehler et al. 2019 §5.3, eps in {0, 2^-10, 2^-8, 2^-6}) and B2 (Imaki et al. 2021), on
 * 1e6 test paths (seed 1000) with mean ± standard error; training time; the hand-written MLP's training step
 * (4 -> 32 -> 32 -> 1, batch 10 000, Adam) and the inference time per decision.
 *
 * Also the optimum of each problem by dynamic programming (core/learn/optimalHedge.ts): its grid value and the
 * Monte Carlo price of its band on the same test paths, and the log-log slope of p_eps - q for three choices of q
 * (decision 0022). Training runs on two threads (learn/parallelGradient.ts) from the Whalley-Wilmott warm start.
 * B3 (crypto: sigma 0.8, hourly, 5 bp, 7 and 30 days, Black-Scholes and bootstrapped 2021-2022 BTC returns priced
 * at DVOL): ES 99 % of the seller's loss, turnover and cost of no hedge, BS delta, Whalley-Wilmott (risk aversion
 * tuned on validation paths) and a briefly trained NTB (ES loss), each against BS delta on the same paths, and
 * the time of one B3 training step by network size. `npm run bench -- hedging-b3` runs only this part.
 *
 * Environment: HEDGING_PATHS (default 1 000 000), HEDGING_TRAIN_SECONDS (default 180, per trained model;
 * 0 skips training); HEDGING_B3_PATHS (default 20 000 test paths per B3 case), HEDGING_B3_TRAIN_SECONDS
 * (default 45 per B3 case; 0 skips training). The B3 NTB trained here is a smoke figure (tens of steps); the
 * B3 models of bench/RESULTS.md are trained for 10-25 minutes with `gammadesk train --benchmark B3`.
 */
import { join } from 'node:path';
import { Rng } from '../src-main/core/random';
import { baselinePolicy, benchmarkProblem, type BaselineName, type BenchmarkName } from '../src-main/core/learn/benchmarks';
import { evaluateOnPaths, testPaths, type EvaluationReport } from '../src-main/core/learn/evaluate';
import { Adam, Mlp, type Precision } from '../src-main/core/learn/mlp';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor } from '../src-main/core/learn/train';
import type { NetworkPolicy } from '../src-main/core/learn/network';
import { optimalHedge } from '../src-main/core/learn/optimalHedge';
import { black76Price } from '../src-main/core/pricing/black76';
import { WorkerGradientPartner } from '../src-main/learn/parallelGradient';
import { B3_DAYS, B3_SIMULATORS, b3Baseline, compareToBsDelta, runB3, tuneWhalleyWilmott, type B3Comparison } from '../src-main/core/learn/b3';
import { B3_TRAIN_SETTINGS, b3Setup } from '../src-main/learn/b3Setup';

const PATHS = Number(process.env['HEDGING_PATHS'] ?? 1_000_000);
const TRAIN_SECONDS = Number(process.env['HEDGING_TRAIN_SECONDS'] ?? 180);
const TEST_SEED = 1000;
const B1_COSTS: [string, number][] = [['0', 0], ['2^-10', 2 ** -10], ['2^-8', 2 ** -8], ['2^-6', 2 ** -6]];

function row(report: EvaluationReport): Record<string, unknown> {
  const f = (e: { value: number; standardError: number }): string => `${e.value.toPrecision(6)} ± ${e.standardError.toPrecision(2)}`;
  return {
    indifference_price: f(report.indifferencePrice),
    expected_shortfall_99: f(report.expectedShortfall99),
    mean_cost: f(report.meanCost),
    turnover: f(report.turnover),
  };
}

function mlpStep(precision: Precision): { median_ms: number; min_ms: number } {
  const rng = new Rng(1);
  const batch = 10_000;
  const mlp = Mlp.initialized([4, 32, 32, 1], rng, 1, precision);
  const cache = mlp.newCache(batch);
  const gradients = mlp.zeroGradients();
  const adam = new Adam(mlp.parameters());
  const x = cache.activations[0]!;
  for (let i = 0; i < x.length; i++) x[i] = rng.nextNormal();
  const y = Float64Array.from({ length: batch }, () => rng.nextNormal());
  const times: number[] = [];
  for (let t = 0; t < 40; t++) {
    const t0 = performance.now();
    const out = mlp.forward(cache);
    const d = cache.deltas[3]!;
    for (let b = 0; b < batch; b++) d[b] = (2 * (out[b]! - y[b]!)) / batch;
    mlp.backward(cache, gradients);
    adam.step(gradients);
    times.push(performance.now() - t0);
  }
  const warm = times.slice(10).sort((a, b) => a - b);
  return { median_ms: warm[Math.floor(warm.length / 2)]!, min_ms: warm[0]! };
}

function inferenceMicros(policy: NetworkPolicy): number {
  const state = { timeToMaturity: 15 / 365, logMoneyness: 0.01, spot: 101, bsDelta: 0.55, bsGamma: 0.06, previousPosition: 0.5, impliedVol: 0.2 };
  let sink = 0;
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) {
      state.logMoneyness = 0.01 + i * 1e-7;
      sink += policy.decide(state);
    }
    best = Math.min(best, ((performance.now() - t0) * 1000) / 20_000);
  }
  if (!Number.isFinite(sink)) throw new Error('inference produced a non-finite position');
  return best;
}

function train(benchmark: BenchmarkName, kind: 'ntb' | 'ffn', cost?: number): { policy: NetworkPolicy; seconds: number; steps: number; validation: number } {
  const problem = benchmarkProblem(benchmark, cost);
  const settings = { ...DEFAULT_TRAIN_SETTINGS, kind };
  const entry = { file: join(process.cwd(), 'src-main/learn/trainWorker.ts') };
  const t0 = performance.now();
  const trainer = new HedgeTrainer(problem, settings, { startPartner: (policy, count) => new WorkerGradientPartner(problem, policy, settings.batch, count, entry) });
  try {
    const { policy, last } = trainFor(trainer, { maxSteps: 100_000, maxMs: TRAIN_SECONDS * 1000 }, { now: () => performance.now(), isCancelled: () => false });
    return { policy, seconds: (performance.now() - t0) / 1000, steps: last?.step ?? 0, validation: trainer.bestValidationRisk };
  } finally {
    trainer.close();
  }
}

export function runHedgingBench(): Record<string, unknown> {
  const baselines: BaselineName[] = ['none', 'bs-delta', 'ww', 'leland'];
  const b1: Record<string, unknown> = {};
  const b1Prices: Record<string, number[]> = {};
  const pathsB1 = testPaths(benchmarkProblem('B1'), PATHS, TEST_SEED);
  for (const [label, cost] of B1_COSTS) {
    const problem = benchmarkProblem('B1', cost);
    const rows: Record<string, unknown> = {};
    for (const name of baselines) {
      const report = evaluateOnPaths(problem, baselinePolicy(name, problem), pathsB1, TEST_SEED);
      rows[name] = row(report);
      (b1Prices[name] ??= []).push(report.indifferencePrice.value);
    }
    b1[`eps=${label}`] = rows;
  }
  // The optimum by dynamic programming: grid value and its band's Monte Carlo price on the same paths.
  const optimum: Record<string, unknown> = {};
  for (const [label, cost] of B1_COSTS) {
    const problem = benchmarkProblem('B1', cost);
    const t0 = performance.now();
    const dp = optimalHedge(problem);
    const seconds = (performance.now() - t0) / 1000;
    const report = evaluateOnPaths(problem, dp.policy, pathsB1, TEST_SEED);
    (b1Prices['optimal-dp-grid'] ??= []).push(dp.price);
    (b1Prices['optimal-dp-band'] ??= []).push(report.indifferencePrice.value);
    optimum[`eps=${label}`] = { grid_value: dp.price, grid_seconds: Number(seconds.toFixed(1)), band_on_test_paths: row(report) };
  }
  // log-log slope of p_eps - q against eps over the three positive costs, for three readings of q (decision 0022).
  const q = b1Prices['bs-delta']![0]!;
  const qChoices: Record<string, number> = {
    black_scholes_price: black76Price(100, 100, 30 / 365, 0.2, true),
    optimal_no_cost: b1Prices['optimal-dp-band']![0]!,
    bs_delta_no_cost: q,
  };
  const slope = (prices: number[], base = q): number => {
    const xs = B1_COSTS.slice(1).map(([, c]) => Math.log(c));
    const ys = prices.slice(1).map((p) => Math.log(p - base));
    const mx = xs.reduce((a, b) => a + b) / xs.length;
    const my = ys.reduce((a, b) => a + b) / ys.length;
    return xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) / xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  };
  const b2Problem = benchmarkProblem('B2');
  const pathsB2 = testPaths(b2Problem, PATHS, TEST_SEED);
  const b2: Record<string, unknown> = {};
  for (const name of baselines) b2[name] = row(evaluateOnPaths(b2Problem, baselinePolicy(name, b2Problem), pathsB2, TEST_SEED));
  // B2's optimum: no policy can price below it (decision 0015b), so it bounds the NTB paper's quoted target.
  const b2Optimum = optimalHedge(b2Problem);
  b2['optimal-dp'] = { grid_value: b2Optimum.price, band_on_test_paths: row(evaluateOnPaths(b2Problem, b2Optimum.policy, pathsB2, TEST_SEED)) };
  const learned: Record<string, unknown> = {};
  let inference: Record<string, number> = {};
  if (TRAIN_SECONDS > 0) {
    for (const [benchmark, kind] of [['B1', 'ntb'], ['B1', 'ffn'], ['B2', 'ntb']] as const) {
      const t = train(benchmark, kind);
      const problem = benchmarkProblem(benchmark);
      learned[`${benchmark} ${kind}`] = {
        training_seconds: Number(t.seconds.toFixed(1)),
        steps: t.steps,
        best_validation_entropic_risk: t.validation,
        test: row(evaluateOnPaths(problem, t.policy, benchmark === 'B1' ? pathsB1 : pathsB2, TEST_SEED)),
      };
      inference[`${benchmark}_${kind}_us_per_decision`] = Number(inferenceMicros(t.policy).toFixed(2));
    }
  } else {
    inference = {};
  }
  return {
    paths: PATHS,
    test_seed: TEST_SEED,
    B1: b1,
    B1_q_bs_delta_no_cost: q,
    B1_optimum_dynamic_programming: optimum,
    B1_q_choices: qChoices,
    B1_loglog_slope_p_minus_q: Object.fromEntries(Object.entries(qChoices).map(([name, base]) => [
      name,
      Object.fromEntries(['ww', 'bs-delta', 'leland', 'optimal-dp-band'].map((policy) => [policy, slope(b1Prices[policy]!, base)])),
    ])),
    B2: b2,
    learned,
    inference,
    mlp_training_step_batch_10000: { f64: mlpStep('f64'), f32: mlpStep('f32') },
    B3: runB3Bench(),
  };
}

const B3_PATHS = Number(process.env['HEDGING_B3_PATHS'] ?? 20_000);
const B3_TRAIN_SECONDS = Number(process.env['HEDGING_B3_TRAIN_SECONDS'] ?? 45);

function b3Row(c: B3Comparison): Record<string, unknown> {
  const f = (e: { value: number; standardError: number }): string => `${e.value.toPrecision(5)} ± ${e.standardError.toPrecision(2)}`;
  return {
    expected_shortfall_99: f(c.expectedShortfall99),
    es_ratio_to_bs_delta: f(c.esRatioToBsDelta),
    turnover: f(c.turnover),
    mean_cost: f(c.meanCost),
    mean_pnl: f(c.meanPnl),
    meets_target: c.meetsTarget,
  };
}

/** Milliseconds per B3 training step (ES loss, batch 1024) for the 16-16 network B3 uses and B1's 32-32. */
function b3StepTimes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const days of B3_DAYS) {
    for (const hidden of [[16, 16], [32, 32]]) {
      const setup = b3Setup(days, 'gbm');
      const trainer = new HedgeTrainer(setup.problem, { ...DEFAULT_TRAIN_SETTINGS, ...B3_TRAIN_SETTINGS, hidden, kind: 'ntb', validationPaths: 100, validateEvery: 1_000_000 }, { source: setup.source, objective: setup.objective });
      const times: number[] = [];
      for (let s = 0; s < 4; s++) {
        const t0 = performance.now();
        trainer.step();
        times.push(performance.now() - t0);
      }
      out[`${days}d_${hidden.join('-')}_ms`] = Math.round(times.slice(1).sort((a, b) => a - b)[1]!);
    }
  }
  return out;
}

export function runB3Bench(): Record<string, unknown> {
  const cases: Record<string, unknown> = {};
  for (const days of B3_DAYS) {
    for (const simulator of B3_SIMULATORS) {
      const t0 = performance.now();
      const setup = b3Setup(days, simulator);
      const { problem } = setup;
      const ww = tuneWhalleyWilmott(problem, setup.source.validation(5_000, new Rng(3)));
      const set = setup.testPaths(B3_PATHS, TEST_SEED);
      const delta = runB3(problem, b3Baseline('bs-delta', problem, 1), set);
      const rows: Record<string, unknown> = {};
      for (const name of ['none', 'bs-delta', 'ww'] as const) rows[name] = b3Row(compareToBsDelta(name, runB3(problem, b3Baseline(name, problem, ww.riskAversion), set), delta));
      let training: Record<string, unknown> = {};
      if (B3_TRAIN_SECONDS > 0) {
        // 2000 validation paths (not 10 000): a validation of 720 steps would eat most of a short budget.
        const trainer = new HedgeTrainer(problem, { ...DEFAULT_TRAIN_SETTINGS, ...B3_TRAIN_SETTINGS, kind: 'ntb', validationPaths: 2000 }, { source: setup.source, objective: setup.objective });
        const started = performance.now();
        const { policy, last } = trainFor(trainer, { maxSteps: 100_000, maxMs: B3_TRAIN_SECONDS * 1000 }, { now: () => performance.now(), isCancelled: () => false });
        rows['ntb'] = b3Row(compareToBsDelta('ntb', runB3(problem, policy, set), delta));
        training = { seconds: Number(((performance.now() - started) / 1000).toFixed(1)), steps: last?.step ?? 0, best_validation_es99: trainer.bestValidationRisk };
      }
      cases[`${days}d_${simulator}`] = {
        ww_risk_aversion: ww.riskAversion,
        ww_validation_es99: Object.fromEntries(ww.tried.map((t) => [String(t.riskAversion), Number(t.expectedShortfall99.toFixed(4))])),
        policies: rows,
        ntb_training: training,
        seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      };
    }
  }
  return { paths: B3_PATHS, test_seed: TEST_SEED, cases, training_step_ms_batch_1024: b3StepTimes() };
}
