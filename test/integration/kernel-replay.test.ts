/**
 * The kernel replays byte for byte: a demo session is recorded through the kernel's journal port under a stepped
 * clock, then replayed twice at 1× through a fresh kernel on the real worker pool, the clock stepped 25 ms at a
 * time with the kernel's pool work settled between steps (no sleeps). Every snapshot the kernel publishes — chains and exposure
 * streams under three conventions, flips through their hysteresis trackers — and the final analytics of every
 * exposure stream must be the same in both runs.
 */
import { createHash } from 'node:crypto';
import { checkPosition, type CheckedPosition } from '../../src-main/core/book/position';
import { defaultHedgeSettings, type HedgeSettings } from '../../src-main/core/hedge/settings';
import type { Currency } from '../../src-main/core/market/events';
import type { HedgeAdvisorOptions } from '../../src-main/engine/kernel';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GreeksPool } from '../../src-main/app/greeksPool';
import type { MarketEvent } from '../../src-main/core/market/events';
import { Kernel, type KernelAnalytics } from '../../src-main/engine/kernel';
import type { KernelTopic, SnapshotPort } from '../../src-main/engine/ports';
import { ReplayFeed } from '../../src-main/feeds/recording/replayFeed';
import { DemoFeed } from '../../src-main/feeds/simulator/demoFeed';
import { openDatabase } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { ManualTimers } from '../helpers/fakeTimers';
import { makeTempDir } from '../helpers/tmp';
import { TSX_WORKER } from '../helpers/worker';

// A fixed market start (not today's date): the demo market's expiries follow from it.
const START_MS = Date.UTC(2026, 10, 21, 11, 59, 0);
const RECORD_MS = 6_000;
const STEP_MS = 25;

const tmp = makeTempDir('gammadesk-kernel-replay-');
const pool = new GreeksPool({ ...TSX_WORKER, maxThreads: 2 });
afterAll(async () => {
  await pool.close();
  tmp.remove();
});

/**
 * Every publication without its wall-clock fields, in order per stream: what each subscriber sees. (Streams
 * computed in parallel on the pool may interleave differently; each stream's own sequence may not differ.)
 */
function collector(): { port: SnapshotPort; published: string[]; count: (topic: KernelTopic) => number } {
  const streams = new Map<string, string[]>();
  const counts = new Map<KernelTopic, number>();
  const port: SnapshotPort = {
    wanted: () => true,
    publish: (topic, key, snapshot) => {
      counts.set(topic, (counts.get(topic) ?? 0) + 1);
      const { computeMs: _a, greeksComputeMs: _b, ...analytics } = snapshot as unknown as Record<string, unknown>;
      const stream = `${topic} ${key}`;
      if (!streams.has(stream)) streams.set(stream, []);
      streams.get(stream)!.push(`${stream} ${JSON.stringify(analytics)}`);
    },
  };
  const published: string[] = [];
  return {
    port,
    // Filled when read: all streams, sorted by name, each in publication order.
    get published() {
      published.length = 0;
      for (const name of [...streams.keys()].sort()) published.push(...streams.get(name)!);
      return published;
    },
    count: (topic) => counts.get(topic) ?? 0,
  };
}

const WATCHED = [
  { currency: 'BTC', convention: 'naive', dynamics: 'stickyStrike' },
  { currency: 'BTC', convention: 'flow', dynamics: 'stickyStrike' },
  { currency: 'ETH', convention: 'short', dynamics: 'stickyMoneyness' },
] as const;

/** Steps the clock until `done`, letting the kernel's pool work finish before each next step. */
async function stepUntil(timers: ManualTimers, kernel: Kernel, done: () => boolean, limitMs: number): Promise<void> {
  for (let elapsed = 0; !done(); elapsed += STEP_MS) {
    if (elapsed > limitMs) throw new Error(`not done after ${limitMs} ms of stepped time`);
    timers.advance(STEP_MS);
    await kernel.settled();
  }
}

async function record(log: EventLog): Promise<{ sessionId: number; book: CheckedPosition[] }> {
  const session = log.createSession('kernel-determinism', 'demo', START_MS);
  const timers = new ManualTimers();
  timers.nowMs = START_MS;
  const { port } = collector();
  // The journal port appends what the kernel numbered: seq 1, 2, … in this new session.
  const kernel = new Kernel({ greeks: pool, exposures: pool, scheduler: timers, snapshots: port, journal: { append: (firstSeq, events) => log.appendNumbered(session.id, firstSeq, events) } });
  const feed = new DemoFeed(7, timers);
  feed.start((events: readonly MarketEvent[]) => kernel.ingest(events));
  kernel.start();
  await stepUntil(timers, kernel, () => timers.nowMs >= START_MS + RECORD_MS, RECORD_MS + STEP_MS);
  feed.stop();
  kernel.dispose();
  // A book for the advisor: short calls of both currencies (instruments of this recording).
  const book: CheckedPosition[] = [];
  for (const currency of ['BTC', 'ETH'] as const) {
    const option = kernel.engine.market.currencies.get(currency)!.sortedExpiries()[2]!.options.find((o) => o.def.optionType === 'call')!;
    const checked = checkPosition({ instrument: option.def.name, quantity: -20, averagePrice: null, priceCurrency: currency }, null);
    if (checked.ok) book.push(checked.position);
  }
  return { sessionId: session.id, book };
}

/** The advisor in the replayed kernel: threshold for BTC, the least-cost selection with a gamma band for ETH. */
function advisor(book: CheckedPosition[]): HedgeAdvisorOptions {
  const settings = (currency: Currency): HedgeSettings =>
    currency === 'BTC'
      ? { ...defaultHedgeSettings('BTC'), enabled: true, delta: { target: 0, tolerance: 0.5, unit: 'coin' } }
      : { ...defaultHedgeSettings('ETH'), enabled: true, policy: 'select', delta: { target: 0, tolerance: 5, unit: 'coin' }, gamma: { target: 0, tolerance: 5000 } };
  return {
    solver: { solve: (model, options) => pool.solveMilp(model, options) },
    settings,
    settingsVersion: () => 1,
    book: () => ({ version: 1, positions: book }),
    hash: (text) => createHash('sha256').update(text).digest('hex'),
  };
}

async function replay(log: EventLog, sessionId: number, book: CheckedPosition[]): Promise<{ published: string[]; analytics: KernelAnalytics; chains: number; exposures: number; hedges: number }> {
  const timers = new ManualTimers();
  timers.nowMs = 1_000; // the replay's own clock: anything, since only the stepping matters
  const published = collector();
  const kernel = new Kernel({ greeks: pool, exposures: pool, scheduler: timers, snapshots: published.port, journal: null, hedge: advisor(book) });
  for (const stream of WATCHED) kernel.watchExposure(stream);
  const feed = new ReplayFeed({ log, session: log.session(sessionId), speed: 1, clock: timers });
  feed.start((events) => kernel.ingest(events));
  kernel.start();
  await stepUntil(timers, kernel, () => feed.progress().done, RECORD_MS * 2);
  const analytics = await kernel.analytics();
  feed.stop();
  kernel.dispose();
  return { published: published.published, analytics, chains: published.count('chain'), exposures: published.count('exposure'), hedges: published.count('hedge') };
}

describe('kernel replay determinism', () => {
  it('two replays of a session under a stepped clock publish the same chains and exposures and end in the same analytics', async () => {
    const db = openDatabase(path.join(tmp.dir, 'determinism.db'));
    const log = new EventLog(db);
    const { sessionId, book } = await record(log);
    const stored = log.session(sessionId);
    expect(stored.eventCount).toBeGreaterThan(1000);
    // The journal holds the kernel's numbering: contiguous from 1.
    expect(log.lastSeq(sessionId)).toBe(stored.eventCount);

    const first = await replay(log, sessionId, book);
    const second = await replay(log, sessionId, book);
    db.close();

    // Enough happened to mean something: chains and all three watched streams were published repeatedly.
    expect(first.chains).toBeGreaterThan(50);
    expect(first.exposures).toBeGreaterThan(3 * 5);
    for (const stream of WATCHED) {
      expect(first.published.some((p) => p.startsWith(`exposure ${stream.currency}/${stream.convention}/${stream.dynamics} `))).toBe(true);
    }
    // The exposure stream moved over the session (not one value repeated).
    const btcNaive = first.published.filter((p) => p.startsWith('exposure BTC/naive/stickyStrike '));
    expect(new Set(btcNaive).size).toBeGreaterThan(1);
    // Its hedge-pressure map is reused within its bound (decision 0009): never newer than the snapshot, never more
    // than 10 s of market time older, and the first one computed with the snapshot.
    const maps = btcNaive.map((p) => JSON.parse(p.slice(p.indexOf('{'))) as { marketTimeMs: number; cascade: { marketTimeMs: number } });
    expect(maps[0]!.cascade.marketTimeMs).toBe(maps[0]!.marketTimeMs);
    for (const m of maps) expect(m.marketTimeMs - m.cascade.marketTimeMs).toSatisfy((age: number) => age >= 0 && age <= 10_000);

    expect(second.published.length).toBe(first.published.length);
    // The first difference, short enough to read (whole snapshots are long).
    const at = first.published.findIndex((p, i) => p !== second.published[i]);
    const where = at < 0 ? -1 : [...first.published[at]!].findIndex((c, k) => c !== second.published[at]![k]);
    expect(at < 0 ? null : { at, first: first.published[at]!.slice(Math.max(0, where - 150), where + 150), second: second.published[at]!.slice(Math.max(0, where - 150), where + 150) }).toBeNull();
    // The final analytics cover every chain and all twelve exposure streams, and agree to the byte.
    expect(Object.keys(first.analytics.exposures)).toHaveLength(12);
    expect(first.analytics.exposures['BTC/flow/stickyStrike']).not.toBeNull();
    expect(JSON.stringify(second.analytics)).toBe(JSON.stringify(first.analytics));
    // The advisor's proposals were published along the way (compared above, stream by stream) and are in the
    // final analytics: a threshold hedge for BTC, a selection for ETH, each with its inputs' hash.
    expect(first.hedges).toBeGreaterThan(4);
    expect(first.published.some((p) => p.startsWith('hedge ETH ') && p.includes('"policy":"select"'))).toBe(true);
    expect(first.analytics.hedges?.BTC?.proposal?.policy).toBe('threshold');
    expect(first.analytics.hedges?.ETH?.inputsHash).toMatch(/^[0-9a-f]{64}$/);
  }, 120_000);
});
