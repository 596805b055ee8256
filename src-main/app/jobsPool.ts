/**
 * The second worker pool: long jobs (Tardis imports now; training and backtests next) on one low-priority thread,
 * apart from the live greeks pool (app/greeksPool.ts), so a big job can never take the threads, nor much of the
 * CPU, that live greeks and exposures need (decision 0010). Jobs talk to the main thread over a typed message
 * channel: the worker streams results (chunks, progress) and the main thread answers (acknowledgements, cancel);
 * whatever must be written to SQLite is written by the main thread, the single writer.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { BacktestRunInput, BacktestRunResult, BacktestRunToMain, BacktestRunToWorker } from '../workers/backtestRunTask';
import type { ForecastEvaluateInput, ForecastEvaluateResult, ForecastEvaluateToMain } from '../workers/forecastEvaluateTask';
import type { ModelsCompareInput, ModelsCompareResult } from '../workers/modelsCompareTask';
import type { ModelsGateInput, ModelsGateResult } from '../workers/modelsGateTask';
import type { SessionReadInput, SessionReadResult } from '../workers/sessionReadTask';
import type { TardisParseInput, TardisParseToMain, TardisParseToWorker } from '../workers/tardisParseTask';

/**
 * Every job the jobs worker (workers/jobsWorker.ts) runs: its input, what the task returns, and the messages each
 * way (`never` for a job that only returns). A job is added here and as a named export of the worker.
 */
export interface JobTypes {
  tardisParse: { input: TardisParseInput; result: void; toMain: TardisParseToMain; toWorker: TardisParseToWorker };
  forecastEvaluate: { input: ForecastEvaluateInput; result: ForecastEvaluateResult; toMain: ForecastEvaluateToMain; toWorker: never };
  modelsCompare: { input: ModelsCompareInput; result: ModelsCompareResult; toMain: never; toWorker: never };
  backtestRun: { input: BacktestRunInput; result: BacktestRunResult; toMain: BacktestRunToMain; toWorker: BacktestRunToWorker };
  modelsGate: { input: ModelsGateInput; result: ModelsGateResult; toMain: never; toWorker: never };
  sessionRead: { input: SessionReadInput; result: SessionReadResult; toMain: never; toWorker: never };
}
export type JobName = keyof JobTypes;

/** A running job: send it messages, receive its messages, and its result (rejected if the task or its thread failed). */
export interface JobChannel<K extends JobName> {
  send(message: JobTypes[K]['toWorker']): void;
  onMessage(handler: (message: JobTypes[K]['toMain']) => void): void;
  readonly done: Promise<JobTypes[K]['result']>;
  close(): void;
}

export interface JobsPoolOptions {
  /** The built worker entry (out/main/jobsWorker.cjs) or, in tests, the TypeScript source run through tsx. */
  filename: string;
  execArgv?: string[];
  /**
   * Added to the thread's nice value (Linux, through @napi-rs/nice): 10 by default, so the scheduler prefers the
   * main thread and the greeks pool whenever they want a core.
   */
  niceIncrement?: number;
}

/** Nice value the jobs thread adds by default. */
export const JOBS_NICE_INCREMENT = 10;

export class JobsPool {
  private readonly pool: Piscina;
  /** Running jobs' failure hooks: a thread that dies outside a task (it could not load) fails them all. */
  private readonly running = new Set<(error: unknown) => void>();

  constructor(options: JobsPoolOptions) {
    this.pool = new Piscina({
      filename: options.filename,
      // One thread, started on demand and gone when idle: nothing to pay at rest.
      minThreads: 0,
      maxThreads: 1,
      idleTimeout: 30_000,
      niceIncrement: options.niceIncrement ?? JOBS_NICE_INCREMENT,
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    });
    this.pool.on('error', (error: unknown) => {
      for (const fail of this.running) fail(error);
    });
  }

  /** Starts job `name`; jobs queue behind each other (one thread). */
  start<K extends JobName>(name: K, input: JobTypes[K]['input']): JobChannel<K> {
    const { port1, port2 } = new MessageChannel();
    let fail: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => (fail = reject));
    this.running.add(fail);
    const run = this.pool.run({ ...input, port: port2 }, { name, transferList: [port2] as never }) as Promise<JobTypes[K]['result']>;
    const done = Promise.race([run, failed]).finally(() => this.running.delete(fail));
    const port: MessagePort = port1;
    return {
      send: (message) => port.postMessage(message),
      onMessage: (handler) => port.on('message', handler),
      done,
      close: () => port.close(),
    };
  }

  /** Jobs waiting for the thread. */
  get queued(): number {
    return this.pool.queueSize;
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
