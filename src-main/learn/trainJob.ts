/**
 * A training job: what the worker runs (`runTrainJob`, also callable in-thread by tests) and the handle that
 * starts it in a worker thread with progress events and cancel (`startTrainWorker`).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { benchmarkProblem, type BenchmarkName } from '../core/learn/benchmarks';
import { whalleyWilmottPolicy } from '../core/learn/baselines';
import { exportPolicy, type NetworkKind, type PolicyModelJson } from '../core/learn/network';
import { evaluateOnPaths, gateAgainstWhalleyWilmott, testPaths, type EvaluationReport, type GateResult } from '../core/learn/evaluate';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor, type HedgingProblem, type StopReason, type TrainProgress } from '../core/learn/train';

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
  gate?: { paths: number; seed: number };
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
}

export type TrainJobMessage =
  | { type: 'progress'; progress: TrainProgress; fraction: number }
  | { type: 'done'; reason: StopReason; model: PolicyModelJson; steps: number; elapsedMs: number; gate?: TrainGate };

/** The gate and the test metrics of a trained model (JSON-safe: crosses the worker boundary). */
export interface TrainGate {
  paths: number;
  seed: number;
  result: GateResult;
  test: EvaluationReport;
  whalleyWilmott: EvaluationReport;
}

export interface TrainJobHooks {
  now(): number;
  isCancelled(): boolean;
  onProgress(message: TrainJobMessage): void;
}

export function runTrainJob(input: TrainJobInput, hooks: TrainJobHooks): TrainJobMessage & { type: 'done' } {
  if (input.problem === undefined && input.benchmark === undefined) throw new Error('a training job needs a benchmark or a problem');
  const problem = input.problem ?? benchmarkProblem(input.benchmark!, input.cost);
  const settings = {
    ...DEFAULT_TRAIN_SETTINGS,
    kind: input.kind,
    ...(input.batch !== undefined ? { batch: input.batch } : {}),
    ...(input.hidden !== undefined ? { hidden: input.hidden } : {}),
    ...(input.learningRate !== undefined ? { learningRate: input.learningRate } : {}),
    ...(input.validationPaths !== undefined ? { validationPaths: input.validationPaths } : {}),
    ...(input.validateEvery !== undefined ? { validateEvery: input.validateEvery } : {}),
    seeds: { init: input.seed, train: input.seed + 1, validation: input.seed + 2 },
  };
  const start = hooks.now();
  const trainer = new HedgeTrainer(problem, settings);
  const { policy, reason, last } = trainFor(trainer, { maxSteps: input.maxSteps, maxMs: input.maxMs }, {
    now: hooks.now,
    isCancelled: hooks.isCancelled,
    onProgress: (progress, fraction) => hooks.onProgress({ type: 'progress', progress, fraction }),
  });
  const elapsedMs = hooks.now() - start;
  const model = exportPolicy(policy, {
    benchmark: input.benchmark ?? input.source ?? 'custom',
    problem,
    settings,
    steps: last?.step ?? 0,
    best_step: trainer.bestValidationStep,
    best_validation_entropic_risk: trainer.bestValidationRisk,
    stop_reason: reason,
    training_ms: Math.round(elapsedMs),
    simulator: 'black-scholes (GBM), fresh training paths per step',
  });
  let gate: TrainGate | undefined;
  if (input.gate) {
    const set = testPaths(problem, input.gate.paths, input.gate.seed);
    gate = {
      paths: input.gate.paths,
      seed: input.gate.seed,
      result: gateAgainstWhalleyWilmott(problem, policy, set),
      test: evaluateOnPaths(problem, policy, set, input.gate.seed),
      whalleyWilmott: evaluateOnPaths(problem, whalleyWilmottPolicy(problem.cost, problem.lambda), set, input.gate.seed),
    };
  }
  return { type: 'done', reason, model, steps: last?.step ?? 0, elapsedMs, ...(gate ? { gate } : {}) };
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
  worker: { file: string; execArgv?: string[] },
): TrainWorkerHandle {
  const cancelFlag = new SharedArrayBuffer(4);
  const options = { workerData: { ...input, cancelFlag }, ...(worker.execArgv ? { execArgv: worker.execArgv } : {}) };
  // A .ts source (tests, tsx runs): register tsx's loader inside the thread, then import the entry (a Worker
  // given a .ts file or `--import tsx` alone does not load TypeScript on Node 20).
  const source = JSON.stringify(pathToFileURL(worker.file).href);
  const thread = worker.file.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${source}); });`, { ...options, eval: true })
    : new Worker(worker.file, options);
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
