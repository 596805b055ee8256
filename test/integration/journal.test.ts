/**
 * The always-on journal, through the app as it runs: every demo event is journaled without anyone pressing
 * Record, in segments that each begin with the market state and roll off oldest first past the size limit;
 * the market seq runs on without a gap across segments and restarts; Record keeps a segment under a name,
 * which never rolls off; a segment replays on its own. The clock is stepped (no sleeps).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { GammaDeskApp } from '../../src-main/app/app';
import { GreeksPool } from '../../src-main/app/greeksPool';
import { Kernel } from '../../src-main/engine/kernel';
import { ReplayFeed } from '../../src-main/feeds/recording/replayFeed';
import { openDatabase } from '../../src-main/store/database';
import { EventLog, type SessionRow } from '../../src-main/store/eventLog';
import { ManualTimers } from '../helpers/fakeTimers';
import { makeTempDir } from '../helpers/tmp';
import { TSX_WORKER } from '../helpers/worker';

const START_MS = Date.UTC(2026, 10, 21, 11, 59, 0);
const temp = makeTempDir('gammadesk-journal-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

function startApp(dbPath: string, timers: ManualTimers): GammaDeskApp {
  return GammaDeskApp.start({
    dbPath,
    mode: 'in-process',
    worker: TSX_WORKER,
    feedClock: timers,
    scheduler: timers,
    demoSeed: 3,
    journalMaxBytes: 5_000_000,
    journalSegmentBytes: 1_500_000,
  });
}

async function run(app: GammaDeskApp, timers: ManualTimers, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 100) {
    timers.advance(100);
    await app.kernel.settled();
  }
}

/** Seq range of a session's stored events. */
function seqs(log: EventLog, session: SessionRow): { first: number; last: number; count: number } {
  return { first: log.firstSeq(session.id)!, last: log.lastSeq(session.id), count: log.session(session.id).eventCount };
}

describe('the always-on journal', () => {
  it('journals every event in self-contained segments that roll off past the limit, with one seq across them and across restarts', async () => {
    const dbPath = path.join(temp.dir, 'journal.db');
    const timers = new ManualTimers();
    timers.nowMs = START_MS;
    app = startApp(dbPath, timers);
    const client = app.hub.client();
    await run(app, timers, 40_000);

    // Nothing was recorded, yet everything is journaled; journal segments are not sessions the trader sees.
    expect(await client.call('sessions.list', {})).toEqual([]);
    const status = (await client.call('desk.status', {})).journal;
    expect(status.segments).toBeGreaterThanOrEqual(2);
    // Rolled off: the window no longer starts at seq 1, and what is kept fits the limit (the segment being
    // written may be past it until it closes).
    expect(status.firstSeq).toBeGreaterThan(1);
    expect(status.bytes).toBeLessThanOrEqual(status.maxBytes + 1_500_000);
    expect(status.lastSeq).toBe(app.kernel.seq);

    // One seq: each segment starts right after the previous one ended.
    const segments = app.log.journalSegments();
    for (let i = 1; i < segments.length; i++) {
      expect(seqs(app.log, segments[i]!).first).toBe(seqs(app.log, segments[i - 1]!).last + 1);
    }
    for (const segment of segments.slice(0, -1)) {
      const { first, last, count } = seqs(app.log, segment);
      expect(last - first + 1).toBe(count); // no holes
    }

    // Journal segments are not the trader's sessions: they cannot be renamed or deleted through the API.
    const segmentId = app.log.journalSegments().at(-1)!.id;
    await expect(client.call('sessions.delete', { id: segmentId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.call('sessions.rename', { id: segmentId, name: 'mine' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(app.log.findSession(segmentId)?.kind).toBe('journal');

    // Record keeps a segment under a name; it stays while the journal rolls on past it.
    await client.call('record.start', { session: 'kept' });
    await run(app, timers, 3_000);
    await client.call('record.stop', {});
    const kept = app.log.sessionByName('kept')!;
    expect(kept.kind).toBe('recording');
    const keptSeqs = seqs(app.log, kept);
    await run(app, timers, 40_000);
    expect((await client.call('sessions.list', {})).map((s) => s.name)).toEqual(['kept']);
    expect((await client.call('desk.status', {})).journal.firstSeq).toBeGreaterThan(keptSeqs.last);
    expect(seqs(app.log, app.log.sessionByName('kept')!)).toEqual(keptSeqs);

    // A segment replays on its own: it begins with the market state at its first moment, and its seqs are the
    // ones the live kernel gave out.
    const oldest = app.log.journalSegments()[0]!;
    const oldestSeqs = seqs(app.log, oldest);
    const pool = new GreeksPool(TSX_WORKER);
    const replayTimers = new ManualTimers();
    const kernel = new Kernel({ greeks: pool, exposures: pool, scheduler: replayTimers, snapshots: { wanted: () => false, publish: () => {} }, lastSeq: oldestSeqs.first - 1 });
    const feed = new ReplayFeed({ log: app.log, session: oldest, speed: 'max', clock: replayTimers });
    let rejected = 0;
    let firstBatch: number | null = null;
    feed.start((events) => {
      const result = kernel.ingest(events);
      firstBatch ??= result.firstSeq;
      rejected += result.rejected;
    });
    while (!feed.progress().done) replayTimers.advance(1);
    expect(firstBatch).toBe(oldestSeqs.first);
    expect(rejected).toBe(0);
    expect(kernel.seq).toBe(oldestSeqs.last);
    const btc = kernel.engine.market.currencies.get('BTC')!;
    expect(btc.sortedExpiries().length).toBeGreaterThan(5);
    expect(btc.sortedExpiries()[0]!.options.every((o) => o.ticker !== null)).toBe(true);
    // Its first moment is its own, not the demo's start (the state is stamped when the segment began).
    expect(oldest.firstEventMs).toBeGreaterThan(START_MS + 10_000);
    kernel.dispose();
    await pool.close();

    // After a restart the numbering goes on where it stopped.
    const lastBefore = app.kernel.seq;
    await app.stop();
    app = startApp(dbPath, timers);
    await run(app, timers, 500);
    const newest = app.log.journalSegments().at(-1)!;
    expect(newest.id).toBeGreaterThan(segments.at(-1)!.id);
    expect(app.kernel.seq).toBeGreaterThan(lastBefore);
    await app.stop();
    app = null;
    const db = openDatabase(dbPath);
    expect(seqs(new EventLog(db), newest).first).toBe(lastBefore + 1);
    db.close();
  }, 120_000);

  it('the size limit is a setting: validated, applied at once, kept across restarts', async () => {
    const dbPath = path.join(temp.dir, 'limit.db');
    const timers = new ManualTimers();
    timers.nowMs = START_MS;
    const withSetting = (): GammaDeskApp => GammaDeskApp.start({ dbPath, mode: 'in-process', worker: TSX_WORKER, feedClock: timers, scheduler: timers });
    app = withSetting();
    const client = app.hub.client();
    expect((await client.call('desk.status', {})).journal.maxBytes).toBe(2 ** 30);
    await expect(client.call('journal.setLimit', { maxBytes: 1000 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.call('journal.setLimit', { maxBytes: 1.5 * 2 ** 20 + 0.5 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((await client.call('journal.setLimit', { maxBytes: 32 * 2 ** 20 })).journal.maxBytes).toBe(32 * 2 ** 20);
    await app.stop();
    app = withSetting();
    expect((await app.hub.client().call('desk.status', {})).journal.maxBytes).toBe(32 * 2 ** 20);
  });
});
