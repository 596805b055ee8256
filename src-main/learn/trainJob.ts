/**
 * A training job: what the worker runs (`runTrainJob`, also callable in-thread by tests) and the handle that
 * starts it in a worker thread with progress events and cancel (`startTrainWorker`).
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { benchmarkProblem, type BenchmarkName } from '../core/learn/benchmarks';
import { exportPolicy, type NetworkKind, type PolicyModelJson } from '../core/learn/network';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor, type StopReason, type TrainerOptions, type TrainProgress } from '../core/learn/train';
import type { B3Days, B3Simulator } from '../core/learn/b3';
import { B3_TRAIN_SETTINGS, b3Setup, type B3Loss } from './b3Setup';

export interface TrainJobInput {
  benchmark: BenchmarkName;
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
  /** B3 only: days to expiry, path simulator, loss, and the folder of the shared data files. */
  b3?: { days: B3Days; simulator: B3Simulator; loss: B3Loss; dataDir?: string };
}

export type TrainJobMessage =
  | { type: 'progress'; progress: TrainProgress; fraction: number }
  | { type: 'done'; reason: StopReason; model: PolicyModelJson; steps: number; elapsedMs: number };

export interface TrainJobHooks {
  now(): number;
  isCancelled(): boolean;
  onProgress(message: TrainJobMessage): void;
}

export function runTrainJob(input: TrainJobInput, hooks: TrainJobHooks): TrainJobMessage & { type: 'done' } {
  // B3 without its options (a caller that only names the benchmark): 7 days on Black-Scholes paths, ES loss.
  const b3Input = input.b3 ?? (input.benchmark === 'B3' ? { days: 7 as const, simulator: 'gbm' as const, loss: 'es' as const } : undefined);
  const b3 = b3Input === undefined ? null : b3Setup(b3Input.days, b3Input.simulator, { ...(input.cost !== undefined ? { cost: input.cost } : {}), loss: b3Input.loss, ...(b3Input.dataDir !== undefined ? { dataDir: b3Input.dataDir } : {}) });
  const problem = b3?.problem ?? benchmarkProblem(input.benchmark, input.cost);
  const trainerOptions: TrainerOptions = b3 === null ? {} : { source: b3.source, objective: b3.objective };
  const settings = {
    ...DEFAULT_TRAIN_SETTINGS,
    ...(b3 === null ? {} : B3_TRAIN_SETTINGS),
    kind: input.kind,
    ...(input.batch !== undefined ? { batch: input.batch } : {}),
    ...(input.hidden !== undefined ? { hidden: input.hidden } : {}),
    ...(input.learningRate !== undefined ? { learningRate: input.learningRate } : {}),
    ...(input.validationPaths !== undefined ? { validationPaths: input.validationPaths } : {}),
    ...(input.validateEvery !== undefined ? { validateEvery: input.validateEvery } : {}),
    seeds: { init: input.seed, train: input.seed + 1, validation: input.seed + 2 },
  };
  const start = hooks.now();
  const trainer = new HedgeTrainer(problem, settings, trainerOptions);
  const { policy, reason, last } = trainFor(trainer, { maxSteps: input.maxSteps, maxMs: input.maxMs }, {
    now: hooks.now,
    isCancelled: hooks.isCancelled,
    onProgress: (progress, fraction) => hooks.onProgress({ type: 'progress', progress, fraction }),
  });
  const elapsedMs = hooks.now() - start;
  const model = exportPolicy(policy, {
    benchmark: input.benchmark,
    problem,
    settings,
    steps: last?.step ?? 0,
    best_step: trainer.bestValidationStep,
    best_validation_entropic_risk: trainer.bestValidationRisk,
    ...(b3 === null ? {} : {
      b3: b3Input, objective: trainer.objective.name, best_validation_risk: trainer.bestValidationRisk,
      // B3 validates on its own objective (ES 99 % by default): the entropic field is then not what it says.
      ...(b3Input?.loss === 'es' ? { best_validation_entropic_risk: null } : {}), data_range: b3.data === null ? null : { train: '2018-05-15..2020-06-30', validation: '2020-07-01..2020-12-31', test: '2021-01-01..2022-03-01 (never seen in training)' },
    }),
    stop_reason: reason,
    training_ms: Math.round(elapsedMs),
    simulator: b3?.data ? 'anchored circular block bootstrap of Bitstamp hourly BTC returns, fresh training paths per step' : 'black-scholes (GBM), fresh training paths per step',
  });
  return { type: 'done', reason, model, steps: last?.step ?? 0, elapsedMs };
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
