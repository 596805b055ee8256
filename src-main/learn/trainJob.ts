/**
 * A training job: what the worker runs (`runTrainJob`, also callable in-thread by tests) and the handle that
 * starts it in a worker thread with progress events and cancel (`startTrainWorker`).
 */
import { benchmarkProblem, type BenchmarkName } from '../core/learn/benchmarks';
import { exportPolicy, type NetworkKind, type PolicyModelJson } from '../core/learn/network';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor, type StopReason, type TrainProgress } from '../core/learn/train';
import { spawnWorker, WorkerGradientPartner, type WorkerLocation } from './parallelGradient';

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
  /** 1 (default) or 2: the second thread computes half of every batch (learn/parallelGradient.ts). */
  threads?: number;
  /** The worker entry that serves as the second thread (learn/trainWorker.ts or its build); needed for threads 2. */
  partnerWorker?: WorkerLocation;
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
  const problem = benchmarkProblem(input.benchmark, input.cost);
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
  const threads = input.threads ?? 1;
  if (threads !== 1 && threads !== 2) throw new RangeError(`training threads must be 1 or 2, got ${String(threads)}`);
  const location = input.partnerWorker;
  if (threads === 2 && location === undefined) throw new RangeError('training on 2 threads needs the partner worker location');
  const start = hooks.now();
  const trainer = new HedgeTrainer(problem, settings, threads === 2 && location !== undefined
    ? (policy, count) => new WorkerGradientPartner(problem, policy, settings.batch, count, location)
    : undefined);
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
  const { policy, reason, last } = run;
  const elapsedMs = hooks.now() - start;
  const model = exportPolicy(policy, {
    benchmark: input.benchmark,
    problem,
    settings,
    threads,
    steps: last?.step ?? 0,
    best_step: trainer.bestValidationStep,
    best_validation_entropic_risk: trainer.bestValidationRisk,
    stop_reason: reason,
    training_ms: Math.round(elapsedMs),
    simulator: 'black-scholes (GBM), fresh training paths per step',
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
