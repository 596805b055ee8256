/**
 * The Models view's backtests (API domain `backtest`, api/contract/backtest.ts): hedge policies side by side on a
 * recorded session, the same run as `gammadesk backtest` (app/backtest/backtest.ts, decision 0024), started from the
 * app. The run goes to the jobs pool (workers/backtestRunTask.ts): the main thread only checks the request, reads
 * the stored models' JSON and the current book, and publishes progress and the result; the jobs thread opens the
 * database read-only and replays the session. Cancel stops the run after its current chunk of events; the partial
 * result is kept, marked partial.
 *
 * The result crosses the wire with each P&L path downsampled to at most MAX_BACKTEST_PATH_POINTS
 * (core/backtest/downsample.ts); every figure and hash is the run's own, computed on the whole path.
 */
import type { BacktestJobDto, BacktestPolicyDto, BacktestResultDto } from '../api/contract/backtest';
import { MAX_BACKTEST_PATH_POINTS } from '../api/contract/backtest';
import type { CommandParams } from '../api/contract';
import { ApiException } from '../api/errors';
import { downsampleIndices } from '../core/backtest/downsample';
import type { CheckedPosition } from '../core/book/position';
import type { Db } from '../store/database';
import { EventLog } from '../store/eventLog';
import { ModelRepository } from '../store/models';
import type { BacktestBookSpec, BacktestResult, PolicyResult, RebalanceSpec } from './backtest/backtest';
import type { BacktestRunInput } from '../workers/backtestRunTask';
import type { ApiHub, CommandHandlers, TopicResolvers } from './hub';
import type { JobsPool } from './jobsPool';

export interface BacktestServiceDeps {
  /** The app's database (sessions and models are looked up here before a run starts). */
  db: Db;
  /** Its file: the jobs thread opens it read-only. ':memory:' cannot be shared, so backtests are then unavailable. */
  dbPath: string;
  nativeBinding?: string;
  hub: ApiHub;
  jobsPool: Pick<JobsPool, 'start'>;
  /** The trader's current book (every currency; the run takes the asked currency's rows). */
  book: () => readonly CheckedPosition[];
  /** Market time (the injected feed clock), ms. */
  nowMs: () => number;
  /**
   * Whether a stored model passed its gate on the trader's current criterion (the advisor's rule, ModelsService);
   * absent: the model's training gate.
   */
  passesCurrentGate?: (id: number) => boolean;
  /** Events between progress reports and cancel checks (tests; runBacktest's default 2000). */
  chunk?: number;
}

/**
 * Finished jobs kept on the stream, with their results: every publish (a progress report of the running one) sends
 * them all, and a result of 8 policies × 2000 points is about a megabyte of JSON.
 */
const KEEP_FINISHED = 3;

/** The rebalance interval as the CLI's `--rebalance` writes it (1h, 15m, 90s): the result's hash includes it. */
export function rebalanceLabel(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The backtest's book as a positions CSV (core/book/csv.ts columns): the current book's rows of `currency`. */
export function bookCsv(positions: readonly CheckedPosition[]): string {
  const rows = positions.map((p) => `${p.instrument},${p.quantity},${p.averagePrice ?? ''},${p.priceCurrency}`);
  return ['instrument,quantity,average_price,price_currency', ...rows].join('\n');
}

/** A policy's result for the wire: its path downsampled (first, last, worst-drawdown points and every bucket's extremes of the coin and the USD P&L kept), the rest as run. */
export function policyDto(p: PolicyResult, model: BacktestPolicyDto['model'], maxPoints = MAX_BACKTEST_PATH_POINTS): BacktestPolicyDto {
  const coin = p.path.map((x) => x.pnlCoin);
  const usd = p.path.map((x) => x.pnlUsd);
  const keep = downsampleIndices([coin, usd], maxPoints);
  const { path, ...figures } = p;
  return {
    ...figures,
    model,
    path: keep.map((i) => {
      const point = path[i]!;
      return { timeMs: point.timeMs, pnlCoin: point.pnlCoin, pnlUsd: point.pnlUsd, hedgeUsd: point.hedgeUsd };
    }),
    pathPoints: path.length,
  };
}

export function resultDto(result: BacktestResult, models: ReadonlyMap<string, NonNullable<BacktestPolicyDto['model']>>): BacktestResultDto {
  return { ...result, policies: result.policies.map((p) => policyDto(p, models.get(p.name) ?? null)) };
}

interface Job {
  dto: BacktestJobDto;
  cancel: (() => void) | null;
  settled: Promise<void>;
}

export class BacktestService {
  private readonly jobs = new Map<string, Job>();
  private readonly log: EventLog;
  private readonly models: ModelRepository;
  private nextJob = 1;
  private disposed = false;

  constructor(private readonly deps: BacktestServiceDeps) {
    this.log = new EventLog(deps.db);
    this.models = new ModelRepository(deps.db);
  }

  list(): BacktestJobDto[] {
    return [...this.jobs.values()].map((j) => j.dto).reverse();
  }

  private publish(): void {
    this.deps.hub.channel('backtestJobs', 'all').publish(this.list());
  }

  run(params: CommandParams<'backtest.run'>): BacktestJobDto {
    if (this.deps.dbPath === ':memory:') throw new ApiException('UNAVAILABLE', 'the app runs on an in-memory database: a backtest reads the sessions from a database file in its own thread');
    if (params.policies.length === 0) throw new ApiException('INVALID_ARGUMENT', 'give at least one policy');
    const twice = params.policies.find((p, i) => params.policies.indexOf(p) !== i);
    if (twice !== undefined) throw new ApiException('INVALID_ARGUMENT', `policy ${twice} is given twice`);
    const session = this.log.findSession(params.sessionId);
    if (!session) throw new ApiException('NOT_FOUND', `no recorded session ${params.sessionId}`);
    if (session.eventCount === 0) throw new ApiException('INVALID_ARGUMENT', `session ${session.id} "${session.name}" has no events`);

    const policies: BacktestRunInput['policies'] = [];
    const models = new Map<string, NonNullable<BacktestPolicyDto['model']>>();
    for (const name of params.policies) {
      const stored = /^model:(\d+)$/.exec(name);
      if (!stored) {
        policies.push({ kind: 'classical', name });
        continue;
      }
      const id = Number(stored[1]);
      const summary = this.models.summary(id);
      const json = this.models.model(id);
      if (!summary || !json) throw new ApiException('NOT_FOUND', `no stored model ${id} (${name})`);
      // The same text `gammadesk backtest --policy model:ID` hashes.
      policies.push({ kind: 'model', name, text: JSON.stringify(json) });
      models.set(name, { id, name: summary.name, kind: summary.kind, passedGate: this.deps.passesCurrentGate ? this.deps.passesCurrentGate(id) : summary.passedGate });
    }

    let book: BacktestBookSpec;
    if (params.book.kind === 'short-call') book = { kind: 'short-call', contracts: params.book.contracts };
    else {
      const rows = this.deps.book().filter((p) => p.currency === params.currency);
      if (!rows.some((p) => p.parsed.kind === 'option')) throw new ApiException('INVALID_ARGUMENT', `the current book has no ${params.currency} option: nothing to backtest (choose a short call, or add positions)`);
      book = { kind: 'csv', file: `the current ${params.currency} book`, text: bookCsv(rows) };
    }
    const rebalance: RebalanceSpec = params.rebalance.kind === 'every' ? { kind: 'every' } : { kind: 'interval', ms: params.rebalance.seconds * 1000, label: rebalanceLabel(params.rebalance.seconds) };

    const id = `backtest-${this.nextJob++}`;
    const bookText = params.book.kind === 'short-call' ? `short ${params.book.contracts} call${params.book.contracts === 1 ? '' : 's'}` : 'current book';
    const job: Job = {
      cancel: null,
      settled: Promise.resolve(),
      dto: {
        id, state: 'running',
        label: `backtest session ${session.id} "${session.name}" ${params.currency}, ${bookText}, rebalance ${rebalance.kind === 'every' ? 'every' : rebalance.label}: ${params.policies.join(', ')}`,
        request: { sessionId: params.sessionId, currency: params.currency, book: params.book, rebalance: params.rebalance, policies: [...params.policies] },
        startedMs: this.deps.nowMs(), finishedMs: null, progress: { fraction: 0, events: 0 }, cancelRequested: false, result: null, error: null,
      },
    };
    const channel = this.deps.jobsPool.start('backtestRun', {
      dbPath: this.deps.dbPath,
      ...(this.deps.nativeBinding ? { nativeBinding: this.deps.nativeBinding } : {}),
      session: session.id,
      currency: params.currency,
      book,
      rebalance,
      policies,
      ...(this.deps.chunk !== undefined ? { chunk: this.deps.chunk } : {}),
    });
    job.cancel = () => channel.send({ type: 'cancel' });
    channel.onMessage((message) => {
      if (this.disposed || job.dto.state !== 'running') return;
      job.dto = { ...job.dto, progress: { fraction: message.fraction, events: message.events } };
      this.publish();
    });
    job.settled = channel.done.then(
      (outcome) => {
        if (this.disposed) return;
        if (outcome.ok) {
          const result = resultDto(outcome.result, models);
          this.finish(job, { state: result.partial ? 'cancelled' : 'done', result, progress: { fraction: result.partial ? job.dto.progress.fraction : 1, events: result.eventsApplied } });
        } else if (outcome.cancelled) {
          this.finish(job, { state: 'cancelled', error: `cancelled before the book could be valued: ${outcome.message}` });
        } else this.finish(job, { state: 'failed', error: outcome.message });
      },
      (error: unknown) => {
        if (!this.disposed) this.finish(job, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    ).finally(() => channel.close());
    this.jobs.set(id, job);
    this.prune();
    this.publish();
    return job.dto;
  }

  cancel(id: string): BacktestJobDto {
    const job = this.jobs.get(id);
    if (!job) throw new ApiException('NOT_FOUND', `no backtest job ${id}`);
    if (job.dto.state !== 'running' || !job.cancel) throw new ApiException('INVALID_ARGUMENT', `${id} is not running (${job.dto.state})`);
    job.cancel();
    job.dto = { ...job.dto, cancelRequested: true };
    this.publish();
    return job.dto;
  }

  private finish(job: Job, change: Partial<BacktestJobDto>): void {
    job.dto = { ...job.dto, ...change, finishedMs: this.deps.nowMs() };
    job.cancel = null;
    this.prune();
    this.publish();
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.dto.state !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) this.jobs.delete(job.dto.id);
  }

  handlers(): CommandHandlers<'backtest'> {
    return {
      'backtest.run': (params) => this.run(params),
      'backtest.cancel': ({ id }) => this.cancel(id),
    };
  }

  resolvers(): TopicResolvers<'backtest'> {
    return {
      backtestJobs: () => {
        if (!this.deps.hub.channel('backtestJobs', 'all').current()) this.publish();
        return 'all';
      },
    };
  }

  /** Asks running backtests to stop (the app closing); their results are dropped. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.jobs.values()) job.cancel?.();
  }

  /** Resolves when every job has ended and its result is handled (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.jobs.values()].map((j) => j.settled));
  }
}
