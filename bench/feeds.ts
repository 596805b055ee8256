/**
 * Market-data benchmarks (issue: market data): recording into SQLite, replay through the engine at max speed
 * with analytics coalesced on the real worker pool, and memory across a long replay. Deribit message parsing
 * is measured when the live adapter's parser is present.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadlessReplay } from '../src-main/app/headlessReplay';
import type { MarketEvent } from '../src-main/core/market/events';
import { DemoMarket } from '../src-main/core/sim/demo';
import { epochMs } from '../src-main/core/units';
import { openDatabase } from '../src-main/store/database';
import { EventLog, EventRecorder } from '../src-main/store/eventLog';
import { benchWorker } from './worker';

const START = Date.UTC(2026, 10, 21, 12);

/** Demo-market events in recorded order, generated lazily so 10 million never sit in memory at once. */
function* demoEvents(count: number, seed = 1): Generator<MarketEvent> {
  const market = new DemoMarket({ seed, startMs: epochMs(START) });
  let now = START;
  let produced = 0;
  for (const event of market.snapshot(epochMs(now))) {
    if (produced++ >= count) return;
    yield event;
  }
  for (;;) {
    now += market.nextDelayMs();
    for (const event of market.step(epochMs(now))) {
      if (produced++ >= count) return;
      yield event;
    }
  }
}


function recordSession(dbPath: string, name: string, count: number): { eventsPerSecond: number; events: number; bytes: number } {
  const db = openDatabase(dbPath);
  const log = new EventLog(db);
  const session = log.createSession(name, 'demo', START);
  const recorder = new EventRecorder(log, session.id, { maxBatch: 20_000 });
  // Generate first so the figure is the recorder's, not the simulator's.
  const chunk: MarketEvent[] = [];
  let recordMs = 0;
  const flushChunk = (): void => {
    const t0 = performance.now();
    for (const event of chunk) recorder.record(event);
    recordMs += performance.now() - t0;
    chunk.length = 0;
  };
  for (const event of demoEvents(count)) {
    chunk.push(event);
    if (chunk.length === 200_000) flushChunk();
  }
  flushChunk();
  const t0 = performance.now();
  recorder.close(); // the last batch is committed: everything is durable here
  recordMs += performance.now() - t0;
  const row = log.session(session.id);
  db.close();
  return { eventsPerSecond: Math.round(row.eventCount / (recordMs / 1000)), events: row.eventCount, bytes: row.payloadBytes };
}

async function replay(dbPath: string, name: string, sampleRss: boolean): Promise<Record<string, unknown>> {
  const replay = startHeadlessReplay({ dbPath, session: name, speed: 'max', worker: benchWorker() });
  const { feed, kernel } = replay;
  const started = performance.now();
  const rss: { events: number; rssMiB: number }[] = [];
  // Live heap after a full collection at each tenth of the replay (needs node --expose-gc, which `npm run bench`
  // passes): RSS alone also moves with when V8 happens to collect its old generation.
  const gc = (globalThis as { gc?: () => void }).gc;
  const liveHeap: number[] = [];
  const total = feed.progress().totalEvents;
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    const now = process.memoryUsage().rss;
    peak = Math.max(peak, now);
    if (!sampleRss) return;
    const delivered = feed.progress().eventsDelivered;
    rss.push({ events: delivered, rssMiB: Math.round(now / 2 ** 20) });
    if (gc && liveHeap.length < 10 && delivered >= (total * (liveHeap.length + 1)) / 10) {
      gc();
      liveHeap.push(Math.round(process.memoryUsage().heapUsed / 2 ** 20));
    }
  }, 20);
  await feed.finished;
  clearInterval(sampler);
  if (sampleRss && gc) {
    while (liveHeap.length < 9) liveHeap.push(NaN); // (only if the sampler missed tenths of a very short replay)
    if (liveHeap.length === 9) {
      gc();
      liveHeap.push(Math.round(process.memoryUsage().heapUsed / 2 ** 20));
    }
  }
  // Nobody watches a chain here, so greeks wait (the kernel computes only watched expiries): the final analytics
  // are computed once from the final state, as `gammadesk replay` does.
  await kernel.engine.recomputeAll();
  const seconds = (performance.now() - started) / 1000;
  const events = feed.progress().eventsDelivered;
  const tasks = replay.pool.tasksRun;
  await replay.close();
  const result: Record<string, unknown> = {
    events,
    seconds: Number(seconds.toFixed(2)),
    events_per_second: Math.round(events / seconds),
    greeks_batches_computed: tasks,
    peak_rss_mib: Math.round(peak / 2 ** 20),
  };
  if (sampleRss && rss.length > 0) {
    // RSS at tenths of the replay: flat means no growth with the number of events.
    const tenths = [];
    for (let k = 1; k <= 10; k++) {
      const target = (events * k) / 10;
      const sample = rss.find((s) => s.events >= target) ?? rss.at(-1)!;
      tenths.push(sample.rssMiB);
    }
    result['rss_mib_at_each_tenth'] = tenths;
    result['live_heap_mib_after_gc_at_each_tenth'] = gc ? liveHeap : 'not measured: run with node --expose-gc';
  }
  return result;
}

export async function runFeedsBench(options: { longEvents?: number } = {}): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-feeds-'));
  try {
    const results: Record<string, unknown> = {};
    try {
      const parse = (await import('./deribitParse')) as { runDeribitParseBench: () => Promise<Record<string, unknown>> };
      results['parse_deribit'] = await parse.runDeribitParseBench();
    } catch (error) {
      results['parse_deribit'] = `not measured: ${error instanceof Error ? error.message : String(error)}`;
    }
    const dbPath = join(dir, 'feeds.db');
    const recorded = recordSession(dbPath, 'bench', 500_000);
    results['record_sqlite'] = { events: recorded.events, events_per_second: recorded.eventsPerSecond, payload_bytes_per_event: Math.round(recorded.bytes / recorded.events), durable: 'committed (WAL, synchronous=NORMAL) before the clock stops', target_events_per_second: 200_000 };
    results['replay_max_speed'] = { ...(await replay(dbPath, 'bench', false)), target_events_per_second: 200_000 };
    const longEvents = options.longEvents ?? Number(process.env['GAMMADESK_BENCH_LONG_EVENTS'] ?? 10_000_000);
    if (longEvents > 0) {
      const longDb = join(dir, 'long.db');
      process.stderr.write(`bench feeds: recording ${longEvents} events for the memory run…\n`);
      recordSession(longDb, 'long', longEvents);
      process.stderr.write('bench feeds: replaying them…\n');
      results['replay_long_memory'] = await replay(longDb, 'long', true);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
