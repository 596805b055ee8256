/**
 * `npm run bench -- backtest-app`: a backtest started from the app (app/backtestService.ts) runs on the jobs pool,
 * not on the main thread. A demo session (BTC, one step a minute, 12 hours of market time) is recorded into a
 * temporary database and backtested with the four classical policies rebalanced at every perpetual update, twice:
 * through the service (the jobs thread) and with `runBacktest` called on this thread (what the app would do without
 * the pool). For each: wall time, and the main thread's event-loop delay meanwhile (perf_hooks
 * monitorEventLoopDelay: how late a timer, a stream publish or an IPC reply would be). Also the wire size of the
 * finished job (paths downsampled to ≤ 2000 points per policy) against the whole result's JSON.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runBacktest } from '../src-main/app/backtest/backtest';
import { CLASSICAL_POLICIES, classicalPolicy } from '../src-main/app/backtest/policies';
import { BacktestService } from '../src-main/app/backtestService';
import { ApiHub } from '../src-main/app/hub';
import { JobsPool } from '../src-main/app/jobsPool';
import { openDatabase } from '../src-main/store/database';
import { EventLog } from '../src-main/store/eventLog';
import { recordBacktestSession } from '../test/helpers/backtestSession';
import { TSX_JOBS_WORKER } from '../test/helpers/worker';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function watched<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; loopDelay: Record<string, number> }> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  histogram.disable();
  const ms = (ns: number): number => Number((ns / 1e6).toFixed(1));
  return { value, seconds: Number(seconds.toFixed(3)), loopDelay: { max_ms: ms(histogram.max), p99_ms: ms(histogram.percentile(99)), mean_ms: ms(histogram.mean) } };
}

export async function runBacktestAppBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-backtest-app-'));
  const pool = new JobsPool(TSX_JOBS_WORKER);
  const dbPath = join(dir, 'bench.db');
  const session = recordBacktestSession(dbPath, { name: 'bench', steps: 720, stepMs: 60_000 });
  const db = openDatabase(dbPath);
  const service = new BacktestService({ db, dbPath, hub: new ApiHub(), jobsPool: pool, book: () => [], nowMs: () => 0 });
  try {
    const sessionId = new EventLog(db).sessionByName('bench')!.id;
    const params = { sessionId, currency: 'BTC' as const, book: { kind: 'short-call' as const, contracts: 1 }, rebalance: { kind: 'every' as const }, policies: [...CLASSICAL_POLICIES] };
    // Warm the thread (tsx compiling the worker's sources) so the figure is the run, not the first load.
    service.run({ ...params, rebalance: { kind: 'interval', seconds: 3600 } });
    await service.idle();

    const onPool = await watched(async () => {
      const job = service.run(params);
      await service.idle();
      return service.list().find((j) => j.id === job.id)!;
    });
    const job = onPool.value;
    if (job.state !== 'done' || !job.result) throw new Error(`backtest-app bench: the run ended ${job.state}: ${job.error}`);
    const inProcess = await watched(() =>
      runBacktest({ dbPath, session: String(sessionId), currency: 'BTC', book: { kind: 'short-call', contracts: 1 }, rebalance: { kind: 'every' }, policies: CLASSICAL_POLICIES.map((name) => classicalPolicy(name, 'BTC')), hash: sha256 }),
    );
    if (inProcess.value.resultSha256 !== job.result.resultSha256) throw new Error('backtest-app bench: the pool and this thread gave different results');
    return {
      events: session.events,
      market_hours: (session.lastMs - session.firstMs) / 3_600_000,
      policies: CLASSICAL_POLICIES.length,
      rebalances: job.result.policies[0]!.rebalances,
      jobs_pool: { seconds: onPool.seconds, main_thread_loop_delay: onPool.loopDelay },
      main_thread: { seconds: inProcess.seconds, main_thread_loop_delay: inProcess.loopDelay },
      wire: {
        path_points_per_policy: job.result.policies[0]!.pathPoints,
        wire_points_per_policy: job.result.policies[0]!.path.length,
        job_json_bytes: JSON.stringify(job).length,
        whole_result_json_bytes: JSON.stringify(inProcess.value).length,
      },
      result_sha256: job.result.resultSha256,
    };
  } finally {
    service.dispose();
    await pool.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
