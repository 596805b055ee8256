/**
 * A training job: what the worker runs (`runTrainJob`, also callable in-thread by tests) and the handle that
 * starts it in a worker thread with progress events and cancel (`startTrainWorker`).
 */
import { benchmarkProblem, type BenchmarkName } from '../core/learn/benchmarks';
import { whalleyWilmottPolicy } from '../core/learn/baselines';
import { Rng } from '../core/random';
import { bootstrapPaths } from '../core/sim/paths';
import { HISTORY_BLOCK_DAYS, historyProblem, bootstrapPathSource } from './historyTrain';
import { readHistorySeries, type HistoryRange, type HistorySeries } from './historySeries';
import { sessionPaths } from './sessionReturns';
import { exportPolicy, hedgePnlInput, importPolicy, withExtraInput, type NetworkKind, type NetworkPolicy, type PolicyModelJson } from '../core/learn/network';
import { evaluateOnPaths, gateAgainstWhalleyWilmott, testPaths, type EvaluationReport, type GateResult } from '../core/learn/evaluate';
import type { Criterion } from '../core/learn/criterion';
import type { PathSet } from '../core/sim/paths';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor, type HedgingProblem, type StopReason, type TrainerOptions, type TrainProgress } from '../core/learn/train';
import { B3_SPREAD_SPLIT, b3Gate, tuneWhalleyWilmott, type B3Comparison, type B3Days, type B3Report, type B3Simulator, type B3ValidationSplit } from '../core/learn/b3';
import { B3_TRAIN_SETTINGS, b3Setup, type B3Loss, type B3TrainPeriod } from './b3Setup';
import { spawnWorker, WorkerGradientPartner, type WorkerLocation } from './parallelGradient';

/** The spread validation split in words (data ranges of a model trained with it). */
const B3_SPREAD_DESCRIPTION = `spread split: the last ${B3_SPREAD_SPLIT.validationDays} days of every ${B3_SPREAD_SPLIT.cycleDays} validate, a window never crosses a segment`;

export interface TrainJobInput {
  /** A benchmark's problem, or `problem` itself (paths calibrated to a market). */
  benchmark?: BenchmarkName;
  problem?: HedgingProblem;
  /** Where the problem came from, for the model's provenance (default: the benchmark's name). */
  source?: string;
  /**
   * After training: the best checkpoint against the Whalley–Wilmott band (the gate) and its test metrics on
   * `paths` fresh Black-Scholes paths from `seed` (distinct from the training seeds).
   */
  gate?: { paths: number; seed: number; criterion?: Criterion };
  /**
   * Train on block-bootstrapped daily BTC returns of 2018–2020 from this hourly-closes file instead (learn/historyTrain.ts):
   * a 30-day ATM call (or `maturityDays`) priced at those years' realized vol, cost `cost` (default 5 bp); the gate's
   * test paths are then bootstrapped from 2021–2022, never the training years. `series` deribit: Deribit BTC-PERPETUAL
   * daily closes instead, train 2018-08-14..2020-12-31, gate 2021-01-01..2026-01-30 (learn/historySeries.ts).
   */
  history?: { file: string; maturityDays?: number; cost?: number; series?: HistorySeries };
  /**
   * Train on a recorded session (learn/sessionReturns.ts) with `problem` its hedging problem: moving-block bootstrap
   * of the training part's step returns; the gate's test paths are bootstrapped from the held-out part's, raw.
   */
  session?: { train: number[]; test: number[]; blockLength: number; description: string };
  cost?: number;
  kind: NetworkKind;
  /** Base seed: init = seed, training paths = seed + 1, validation paths = seed + 2. */
  seed: number;
  maxSteps: number;
  maxMs: number;
  batch?: number;
  hidden?: number[];
  learningRate?: number;
  validationPaths?: number;
  validateEvery?: number;
  /** 1 (default) or 2: the second thread computes half of every batch (learn/parallelGradient.ts). */
  threads?: number;
  /** The worker entry that serves as the second thread (learn/trainWorker.ts or its build); needed for threads 2. */
  partnerWorker?: WorkerLocation;
  /**
   * B3 only: days to expiry, path simulator, loss, the folder of the shared data files, and the period bootstrap
   * training draws from ('test' is a diagnostic: it cannot be gated or stored).
   */
  b3?: { days: B3Days; simulator: B3Simulator; loss: B3Loss; dataDir?: string; trainPeriod?: B3TrainPeriod; validationSplit?: B3ValidationSplit; pretrainSteps?: number; checkpoint?: 'best' | 'last' };
  /**
   * Continue from this model (a `train` output): the network the settings describe, its weights as the start. With
   * `hedgePnlInput` a model without that input is widened by it with zero weights (the same decisions at the start).
   */
  initialModel?: PolicyModelJson;
  /** Give the network the hedge's P&L so far as an input (a path-dependent policy; decision 0037). */
  hedgePnlInput?: boolean;
}

export type TrainJobMessage =
  | { type: 'progress'; progress: TrainProgress; fraction: number }
  | { type: 'done'; reason: StopReason; model: PolicyModelJson; steps: number; elapsedMs: number; problem: HedgingProblem; gate?: TrainGate; history?: HistoryRange; dataRange?: string };

export type { HistoryRange };

/** The gate and the test metrics of a trained model (JSON-safe: crosses the worker boundary). */
export interface TrainGate {
  paths: number;
  seed: number;
  /** gbm: Black-Scholes paths of the training problem; bootstrap: the test years' returns (history source); session: a session's held-out part. */
  simulator: 'gbm' | 'bootstrap' | 'session' | 'deribit-daily';
  result: GateResult;
  test: EvaluationReport;
  whalleyWilmott: EvaluationReport;
  /**
   * B3: the figures of `gammadesk evaluate --benchmark B3` on the same test paths (seller's P&L, premium in; the
   * reports above are of that P&L too): the ES ratio to Black-Scholes delta, the turnover difference, the target
   * verdict, and the Whalley-Wilmott risk aversion tuned on validation paths.
   */
  b3?: { days: B3Days; simulator: B3Simulator; wwRiskAversion: number; policy: B3Comparison; whalleyWilmott: B3Comparison; bsDelta: B3Report };
}

/** A B3 comparison as the gate's evaluation report (the seller's P&L: premium included). */
function b3EvaluationReport(c: B3Report, problem: HedgingProblem, seed: number): EvaluationReport {
  return {
    policy: c.policy, paths: c.paths, seed, cost: problem.cost, lambda: problem.lambda,
    indifferencePrice: c.entropicRisk, expectedShortfall99: c.expectedShortfall99, meanCost: c.meanCost, turnover: c.turnover, meanPnl: c.meanPnl,
  };
}

export interface TrainJobHooks {
  now(): number;
  isCancelled(): boolean;
  onProgress(message: TrainJobMessage): void;
}

/** The start of a continued training; widened by the hedge P&L input when the training has it and the model not. */
function initialPolicy(json: PolicyModelJson, problem: HedgingProblem, hedgePnl: boolean): NetworkPolicy {
  const policy = importPolicy(json).policy;
  if (!hedgePnl || policy.pathDependent) return policy;
  return withExtraInput(policy, hedgePnlInput(problem.contract.strike, problem.contract.maturity, problem.sigma));
}

export function runTrainJob(input: TrainJobInput, hooks: TrainJobHooks): TrainJobMessage & { type: 'done' } {
  if (input.problem === undefined && input.benchmark === undefined && input.history === undefined) throw new Error('a training job needs a benchmark, a problem or a history');
  const session = input.session ?? null;
  if (session && input.problem === undefined) throw new Error('a training job on a session needs the session\'s problem');
  const history = input.history ? readHistorySeries(input.history.file, input.history.series) : null;
  // B3 without its options (a caller that only names the benchmark): 7 days on Black-Scholes paths, ES loss.
  const b3Input = input.b3 ?? (input.benchmark === 'B3' ? { days: 7 as const, simulator: 'gbm' as const, loss: 'es' as const } : undefined);
  const trainPeriod = b3Input?.trainPeriod ?? 'train';
  if (trainPeriod === 'test' && input.gate) throw new Error('a model trained on the test period (a diagnostic) cannot be gated: its test paths are its training distribution');
  const b3 = b3Input === undefined ? null : b3Setup(b3Input.days, b3Input.simulator, { ...(input.cost !== undefined ? { cost: input.cost } : {}), loss: b3Input.loss, ...(b3Input.dataDir !== undefined ? { dataDir: b3Input.dataDir } : {}), trainPeriod, ...(b3Input.validationSplit !== undefined ? { validationSplit: b3Input.validationSplit } : {}), ...(b3Input.pretrainSteps !== undefined ? { pretrainSteps: b3Input.pretrainSteps } : {}) });
  const problem = b3?.problem ?? (history ? historyProblem(history.train, input.history!.maturityDays ?? 30, input.history!.cost ?? 5e-4) : (input.problem ?? benchmarkProblem(input.benchmark!, input.cost)));
  const initial = input.initialModel === undefined ? {} : { initial: initialPolicy(input.initialModel, problem, input.hedgePnlInput === true) };
  const b3Options: TrainerOptions = b3 === null ? initial : { source: b3.source, objective: b3.objective, ...(b3.pretrain !== undefined ? { pretrain: b3.pretrain } : {}), ...initial };
  const spread = b3Input?.validationSplit === 'spread';
  const settings = {
    ...DEFAULT_TRAIN_SETTINGS,
    ...(b3 === null ? {} : B3_TRAIN_SETTINGS),
    kind: input.kind,
    ...(input.batch !== undefined ? { batch: input.batch } : {}),
    ...(input.hidden !== undefined ? { hidden: input.hidden } : {}),
    ...(input.learningRate !== undefined ? { learningRate: input.learningRate } : {}),
    ...(input.validationPaths !== undefined ? { validationPaths: input.validationPaths } : {}),
    ...(input.validateEvery !== undefined ? { validateEvery: input.validateEvery } : {}),
    ...(input.hedgePnlInput === true ? { hedgePnlInput: true } : {}),
    seeds: { init: input.seed, train: input.seed + 1, validation: input.seed + 2 },
  };
  const threads = input.threads ?? 1;
  if (threads !== 1 && threads !== 2) throw new RangeError(`training threads must be 1 or 2, got ${String(threads)}`);
  const location = input.partnerWorker;
  if (threads === 2 && location === undefined) throw new RangeError('training on 2 threads needs the partner worker location');
  const start = hooks.now();
  // The second thread is given the batch's spots and uses the problem's one vol: history, session and B3
  // training (bootstrapped paths, per-path vols) run on one thread.
  const partner = threads === 2 && location !== undefined && !history && !session && b3 === null
    ? (policy: ConstructorParameters<typeof WorkerGradientPartner>[1], count: number) => new WorkerGradientPartner(problem, policy, settings.batch, count, location)
    : undefined;
  const trainer = history
    ? new HedgeTrainer(problem, settings, { source: bootstrapPathSource(problem, history.train, HISTORY_BLOCK_DAYS, history.trainBlockStarts), ...initial })
    : session
      ? new HedgeTrainer(problem, settings, { source: bootstrapPathSource(problem, Float64Array.from(session.train), session.blockLength), ...initial })
      : new HedgeTrainer(problem, settings, { ...b3Options, ...(partner ? { startPartner: partner } : {}) });
  let run: ReturnType<typeof trainFor>;
  try {
    run = trainFor(trainer, { maxSteps: input.maxSteps, maxMs: input.maxMs }, {
      now: hooks.now,
      isCancelled: hooks.isCancelled,
      onProgress: (progress, fraction) => hooks.onProgress({ type: 'progress', progress, fraction }),
    });
  } finally {
    trainer.close();
  }
  const { reason, last } = run;
  // B3 `--checkpoint last` (decision 0035): the final parameters, whatever the validation said.
  const policy = b3Input?.checkpoint === 'last' ? trainer.currentPolicy() : run.policy;
  const elapsedMs = hooks.now() - start;
  const b3DataRange = b3 === null ? undefined : b3.data === null
    ? `Black-Scholes paths, σ ${problem.sigma}, ${b3Input!.days} days, hourly`
    : trainPeriod === 'test'
      ? 'DIAGNOSTIC, NOT OUT OF SAMPLE: trained and validated on the test period 2021-01-01..2022-03-01 (bootstrapped hourly BTC returns)'
      : spread
        ? `bootstrapped hourly BTC returns: training and validation 2018-05-15..2020-12-31 (${B3_SPREAD_DESCRIPTION}), test 2021-01-01..2022-03-01 (never seen in training)`
        : 'bootstrapped hourly BTC returns: training 2018-05-15..2020-06-30, validation 2020-07-01..2020-12-31, test 2021-01-01..2022-03-01 (never seen in training)';
  const model = exportPolicy(policy, {
    benchmark: input.benchmark ?? input.source ?? 'custom',
    problem,
    settings,
    threads: partner ? 2 : 1,
    steps: last?.step ?? 0,
    best_step: trainer.bestValidationStep,
    best_validation_entropic_risk: trainer.bestValidationRisk,
    ...(b3 === null ? {} : {
      b3: b3Input, objective: trainer.objective.name, best_validation_risk: trainer.bestValidationRisk,
      // B3 validates on its own objective (ES 99 % by default): the entropic field is then not what it says.
      ...(b3Input?.loss === 'es' ? { best_validation_entropic_risk: null } : {}),
      data_range: b3.data === null ? null : trainPeriod === 'test'
        ? { train: '2021-01-01..2022-03-01 (DIAGNOSTIC: the test period)', validation: '2021-01-01..2022-03-01 (DIAGNOSTIC: the test period)', test: '2021-01-01..2022-03-01 (in sample: not an out-of-sample result)' }
        : spread
          ? { train: `2018-05-15..2020-12-31 outside the validation segments (${B3_SPREAD_DESCRIPTION})`, validation: `the validation segments of 2018-05-15..2020-12-31 (${B3_SPREAD_DESCRIPTION})`, test: '2021-01-01..2022-03-01 (never seen in training)' }
          : { train: '2018-05-15..2020-06-30', validation: '2020-07-01..2020-12-31', test: '2021-01-01..2022-03-01 (never seen in training)' },
    }),
    // Provenance of a continued training: the model it started from.
    ...(input.initialModel === undefined ? {} : { initialized_from: { steps: input.initialModel.training['steps'] ?? null, best_step: input.initialModel.training['best_step'] ?? null, settings: input.initialModel.training['settings'] ?? null, best_validation_risk: input.initialModel.training['best_validation_risk'] ?? null } }),
    stop_reason: reason,
    training_ms: Math.round(elapsedMs),
    simulator: b3?.data
      ? 'anchored circular block bootstrap of Bitstamp hourly BTC returns, fresh training paths per step'
      : history
        ? `block bootstrap (${HISTORY_BLOCK_DAYS} days) of ${history.range.trainDays} daily ${history.range.series === 'deribit' ? 'Deribit BTC-PERPETUAL returns 2018-08-14..2020-12-31' : 'BTC returns 2018-2020'}, fresh paths per step`
        : session
          ? `block bootstrap (${session.blockLength} steps) of ${session.train.length} step returns of ${session.description}, fresh paths per step`
          : 'black-scholes (GBM), fresh training paths per step',
  });
  let gate: TrainGate | undefined;
  if (input.gate && b3 !== null) {
    // B3: the benchmark's own test paths (Black-Scholes, or the 2021-2022 bootstrap) and the Whalley-Wilmott band
    // tuned as `evaluate --benchmark B3 --policy ww` tunes it (10 000 validation paths, seed 3), never on test paths.
    const riskAversion = tuneWhalleyWilmott(problem, b3.source.validation(10_000, new Rng(3))).riskAversion;
    const result = b3Gate(problem, policy, b3.testPaths(input.gate.paths, input.gate.seed), riskAversion, input.gate.criterion);
    gate = {
      paths: input.gate.paths,
      seed: input.gate.seed,
      simulator: b3Input!.simulator,
      result: result.gate,
      test: b3EvaluationReport(result.policy, problem, input.gate.seed),
      whalleyWilmott: b3EvaluationReport(result.whalleyWilmott, problem, input.gate.seed),
      b3: { days: b3Input!.days, simulator: b3Input!.simulator, wwRiskAversion: riskAversion, policy: result.policy, whalleyWilmott: result.whalleyWilmott, bsDelta: result.bsDelta },
    };
  } else if (input.gate) {
    const set = gateTestPaths(problem, history ? { kind: 'bootstrap', returns: history.test, ...(history.testBlockStarts ? { blockStarts: history.testBlockStarts } : {}) } : session ? { kind: 'session', returns: session.test, blockLength: session.blockLength } : { kind: 'gbm' }, input.gate.paths, input.gate.seed);
    gate = {
      paths: input.gate.paths,
      seed: input.gate.seed,
      simulator: history ? (history.range.series === 'deribit' ? 'deribit-daily' : 'bootstrap') : session ? 'session' : 'gbm',
      result: gateAgainstWhalleyWilmott(problem, policy, set, input.gate.criterion),
      test: evaluateOnPaths(problem, policy, set, input.gate.seed),
      whalleyWilmott: evaluateOnPaths(problem, whalleyWilmottPolicy(problem.cost, problem.lambda), set, input.gate.seed),
    };
  }
  return { type: 'done', reason, model, steps: last?.step ?? 0, elapsedMs, problem, ...(gate ? { gate } : {}), ...(history ? { history: history.range } : {}), ...(b3DataRange !== undefined ? { dataRange: b3DataRange } : {}) };
}

/** Where a gate's test paths come from: the problem's Black-Scholes model, the test years' returns, a session's held-out part. */
export type GatePathSource =
  | { kind: 'gbm' }
  | { kind: 'bootstrap'; returns: Float64Array; blockStarts?: ArrayLike<number> }
  | { kind: 'session'; returns: ArrayLike<number>; blockLength: number };

/**
 * The gate's fresh test paths (training and `models.gate` draw the same for the same seed). History: the test years'
 * own daily returns in 5-day blocks, not rescaled (their vol level is part of what the model never saw); a session:
 * its held-out step returns, raw.
 */
export function gateTestPaths(problem: HedgingProblem, source: GatePathSource, paths: number, seed: number): PathSet {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  switch (source.kind) {
    case 'gbm':
      return testPaths(problem, paths, seed);
    case 'bootstrap':
      return bootstrapPaths({ paths, steps, dt: problem.dt, s0: problem.s0, logReturns: source.returns, blockLength: HISTORY_BLOCK_DAYS, ...(source.blockStarts ? { blockStarts: source.blockStarts } : {}) }, new Rng(seed));
    case 'session':
      return sessionPaths(problem, source.returns, source.blockLength, paths, seed);
  }
}

export interface TrainWorkerHandle {
  /** Asks the worker to stop after its current step; the result then holds the best checkpoint. */
  cancel(): void;
  result: Promise<TrainJobMessage & { type: 'done' }>;
}

/**
 * Starts `runTrainJob` in a worker thread. `workerFile` is the built out/main/trainWorker.cjs, or in tests the
 * TypeScript source with execArgv ['--import', 'tsx'].
 */
export function startTrainWorker(
  input: TrainJobInput,
  onProgress: (message: TrainJobMessage & { type: 'progress' }) => void,
  worker: WorkerLocation,
): TrainWorkerHandle {
  const cancelFlag = new SharedArrayBuffer(4);
  // The same entry serves as the second thread of a two-thread run.
  const thread = spawnWorker(worker, { ...input, ...((input.threads ?? 1) > 1 ? { partnerWorker: worker } : {}), cancelFlag });
  const result = new Promise<TrainJobMessage & { type: 'done' }>((resolve, reject) => {
    let done = false;
    thread.on('message', (message: TrainJobMessage) => {
      if (message.type === 'progress') onProgress(message);
      else {
        done = true;
        resolve(message);
      }
    });
    thread.on('error', reject);
    thread.on('exit', (code) => {
      if (!done) reject(new Error(`training worker exited with code ${code} before finishing`));
    });
  });
  return { cancel: () => Atomics.store(new Int32Array(cancelFlag), 0, 1), result };
}
