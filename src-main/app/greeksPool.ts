/**
 * The worker pool (piscina) behind the engine's GreeksPort. Inputs are transferred to the worker and the
 * results transferred back, so a batch crosses threads without a copy.
 */
import type { MilpModel, MilpSolution } from '../core/hedge/selection';
import { Piscina } from 'piscina';
import type { SurfaceTaskInput, SurfaceTaskOutput } from '../engine/surfaceInputs';
import type { RiskSnapshot } from '../api/dto';
import type { RiskTaskInput } from '../engine/riskSnapshot';
import type { ExposurePort, ExposureTaskInput, ExposureTaskOutput, GreeksBatch, GreeksPort, GreeksResult } from '../engine/ports';

export interface GreeksPoolOptions {
  /** The built worker entry (out/main/greeksWorker.cjs) or, in tests, the TypeScript source run through tsx. */
  filename: string;
  execArgv?: string[];
  maxThreads?: number;
}

export class GreeksPool implements GreeksPort, ExposurePort {
  private readonly pool: Piscina;
  tasksRun = 0;

  constructor(options: GreeksPoolOptions) {
    this.pool = new Piscina({
      filename: options.filename,
      minThreads: 1,
      maxThreads: options.maxThreads ?? 2,
      idleTimeout: 60_000,
      ...(options.execArgv ? { execArgv: options.execArgv } : {}),
    });
  }

  async computeGreeks(batch: GreeksBatch): Promise<GreeksResult> {
    const result = (await this.pool.run(batch, { transferList: [batch.inputs.buffer as ArrayBuffer] })) as unknown;
    if (!(result instanceof Float64Array)) throw new TypeError('greeks worker returned something other than a Float64Array');
    this.tasksRun++;
    return result;
  }

  /** The hedge selection MILP (HiGHS) on a pool thread: the `hedgeSolve` task. */
  async solveMilp(model: MilpModel, options: { timeLimitSeconds: number }): Promise<MilpSolution> {
    return (await this.pool.run({ model, options }, { name: 'hedgeSolve' })) as MilpSolution;
  }

  /** Exposure analytics for one currency (the worker's named task `exposure`). */
  async computeExposure(input: ExposureTaskInput): Promise<ExposureTaskOutput> {
    return (await this.pool.run(input, { name: 'exposure' })) as ExposureTaskOutput;
  }

  /** One currency's volatility surface (the worker's named task `surface`). */
  async computeSurface(input: SurfaceTaskInput): Promise<SurfaceTaskOutput> {
    return (await this.pool.run(input, { name: 'surface', transferList: [input.quotes.buffer as ArrayBuffer] })) as SurfaceTaskOutput;
  }

  /** One currency's Risk view snapshot (the worker's named task `riskSnapshot`). */
  async computeRiskSnapshot(input: RiskTaskInput): Promise<RiskSnapshot> {
    return (await this.pool.run(input, { name: 'riskSnapshot' })) as RiskSnapshot;
  }

  get threads(): number {
    return this.pool.threads.length;
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}
