/** The append-only event log and the batching recorder, on a real SQLite file (WAL). */
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MarketEvent, SequencedEvent } from '../../src-main/core/market/events';
import { openDatabase, type Db } from '../../src-main/store/database';
import { encodePayload } from '../../src-main/store/eventCodec';
import { EventLog, EventRecorder } from '../../src-main/store/eventLog';
import { ManualTimers } from '../helpers/fakeTimers';
import { EXPIRY_A, T0, indexEvent, instrumentEvent, optionDef, optionName, optionTicker } from '../helpers/market';
import { makeTempDir } from '../helpers/tmp';

let tmp: { dir: string; remove: () => void };
let dbPath: string;
let db: Db;
let log: EventLog;
/** A second connection, like another process reading the file: it sees only committed data. */
let reader: Database.Database;

const committed = (sessionId: number): number =>
  reader.prepare('SELECT COUNT(*) FROM events WHERE session_id = ?').pluck().get(sessionId) as number;

function indexAt(i: number): MarketEvent {
  return indexEvent('BTC', 100_000 + i, T0 + 10 * i);
}

beforeEach(() => {
  tmp = makeTempDir();
  dbPath = path.join(tmp.dir, 'log.db');
  db = openDatabase(dbPath);
  log = new EventLog(db);
  reader = new Database(dbPath, { readonly: true });
});

afterEach(() => {
  reader.close();
  if (db.open) db.close();
  tmp.remove();
});

describe('EventLog sessions', () => {
  it('creates sessions and finds them by id and name; names are unique and not blank', () => {
    const a = log.createSession('morning', 'demo', 1000);
    expect(a).toMatchObject({ name: 'morning', source: 'demo', createdMs: 1000, firstEventMs: null, lastEventMs: null, eventCount: 0 });
    expect(log.session(a.id)).toEqual(a);
    expect(log.sessionByName('morning')).toEqual(a);
    expect(log.sessionByName('evening')).toBeNull();
    expect(() => log.createSession('morning', 'demo', 2000)).toThrow(/UNIQUE/);
    expect(() => log.createSession('   ', 'demo', 2000)).toThrow('session name must not be empty');
    expect(() => log.session(999)).toThrow('no session with id 999');
  });

  it('lists sessions newest first', () => {
    log.createSession('old', 'demo', 1);
    log.createSession('new', 'deribit', 3);
    log.createSession('mid', 'tardis', 2);
    expect(log.listSessions().map((s) => s.name)).toEqual(['new', 'mid', 'old']);
  });

  it('renames, refusing a clash; deletes a session together with its events', () => {
    const a = log.createSession('a', 'demo', 1);
    const b = log.createSession('b', 'demo', 2);
    log.appendBatch(a.id, [{ ...indexAt(1), seq: 1 } as SequencedEvent]);
    expect(log.renameSession(a.id, 'alpha').name).toBe('alpha');
    expect(() => log.renameSession(b.id, 'alpha')).toThrow('a session named "alpha" exists already');
    expect(() => log.renameSession(999, 'zzz')).toThrow('no session with id 999');
    log.deleteSession(a.id);
    expect(log.sessionByName('alpha')).toBeNull();
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
    expect(() => log.deleteSession(a.id)).toThrow(`no session with id ${a.id}`);
  });
});

describe('EventLog append and read', () => {
  it('appends a batch atomically and updates the session counts, first and last times, and bytes', () => {
    const s = log.createSession('s', 'demo', 0);
    const batch = [5, 1, 9].map((k, i) => ({ ...indexEvent('BTC', k, T0 + k), seq: i + 1 }) as SequencedEvent);
    log.appendBatch(s.id, batch);
    const row = log.session(s.id);
    expect(row.eventCount).toBe(3);
    expect(row.firstEventMs).toBe(T0 + 1);
    expect(row.lastEventMs).toBe(T0 + 9);
    expect(row.payloadBytes).toBe(batch.reduce((n, e) => n + encodePayload(e).length, 0));
    log.appendBatch(s.id, [{ ...indexEvent('BTC', 1, T0 + 20), seq: 4 } as SequencedEvent]);
    expect(log.session(s.id)).toMatchObject({ eventCount: 4, firstEventMs: T0 + 1, lastEventMs: T0 + 20 });
    expect(log.lastSeq(s.id)).toBe(4);
  });

  it('an empty batch changes nothing', () => {
    const s = log.createSession('s', 'demo', 0);
    log.appendBatch(s.id, []);
    expect(log.session(s.id).eventCount).toBe(0);
    expect(log.lastSeq(s.id)).toBe(0);
  });

  it('a failing batch leaves nothing behind (all or none)', () => {
    const s = log.createSession('s', 'demo', 0);
    log.appendBatch(s.id, [{ ...indexAt(1), seq: 1 } as SequencedEvent]);
    const clash = [2, 3, 1].map((seq) => ({ ...indexAt(seq), seq }) as SequencedEvent); // seq 1 exists already
    expect(() => log.appendBatch(s.id, clash)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(log.lastSeq(s.id)).toBe(1);
    expect(log.session(s.id).eventCount).toBe(1);
  });

  it('stores type and instrument columns and round-trips every event kind exactly', () => {
    const s = log.createSession('s', 'demo', 0);
    const def = optionDef('BTC', EXPIRY_A, 100_000, 'call');
    const events = [
      instrumentEvent(def),
      indexEvent('ETH', 3456.5),
      optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 100_123.25, iv: 0.4567 }),
    ].map((e, i) => ({ ...e, seq: i + 1 }) as SequencedEvent);
    log.appendBatch(s.id, events);
    expect(db.prepare('SELECT type, instrument FROM events ORDER BY seq').all()).toEqual([
      { type: 'instrument', instrument: def.name },
      { type: 'index', instrument: null },
      { type: 'option_ticker', instrument: def.name },
    ]);
    expect([...log.read(s.id)]).toEqual(events);
  });

  it('a session stored before option tickers carried volume (payload format 1) still reads, volume null', () => {
    const s = log.createSession('old', 'demo', 0);
    const name = optionName('BTC', EXPIRY_A, 100_000, 'call');
    const current = optionTicker(name, { forward: 100_123.25, iv: 0.4567, volume24h: 12.5 });
    log.appendBatch(s.id, [{ ...current, seq: 1 } as SequencedEvent]);
    // The row as format 1 wrote it: the same payload without its last field.
    const formatOne = JSON.stringify((JSON.parse(encodePayload(current)) as unknown[]).slice(0, -1));
    db.prepare('INSERT INTO events (session_id, seq, ts_event, ts_recv, type, instrument, payload) VALUES (?, 2, ?, ?, ?, ?, ?)').run(s.id, T0, T0, 'option_ticker', name, formatOne);
    expect([...log.read(s.id)]).toEqual([
      { ...current, seq: 1 },
      { ...current, volume24h: null, seq: 2 },
    ]);
  });

  it('read() streams in seq order across batch boundaries, from a given seq, per session only', () => {
    const a = log.createSession('a', 'demo', 0);
    const b = log.createSession('b', 'demo', 0);
    // Inserted out of order, in several transactions, interleaved with another session.
    const seqs = [7, 3, 10, 1, 2, 9, 4, 8, 6, 5];
    for (const seq of seqs) {
      log.appendBatch(a.id, [{ ...indexAt(seq), seq } as SequencedEvent]);
      log.appendBatch(b.id, [{ ...indexAt(seq + 100), seq } as SequencedEvent]);
    }
    expect([...log.read(a.id, { batchSize: 3 })].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...log.read(a.id, { batchSize: 5 })].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // exact multiple
    expect([...log.read(a.id, { batchSize: 1 })]).toHaveLength(10);
    expect([...log.read(a.id, { fromSeq: 8, batchSize: 2 })].map((e) => e.seq)).toEqual([8, 9, 10]);
    expect([...log.read(b.id)].every((e) => e.type === 'index' && e.priceUsd >= 100_100)).toBe(true);
    expect([...log.read(999)]).toEqual([]);
  });

  it('large batches round-trip exactly, whatever their size relative to internal insert chunks', () => {
    const s = log.createSession('s', 'demo', 0);
    let seq = 0;
    const all: SequencedEvent[] = [];
    for (const size of [1, 63, 64, 65, 128, 129, 200]) {
      const batch = Array.from({ length: size }, () => {
        seq++;
        return { ...indexEvent(seq % 2 ? 'BTC' : 'ETH', 1000 + seq, T0 + seq), seq } as SequencedEvent;
      });
      log.appendBatch(s.id, batch);
      all.push(...batch);
    }
    expect(log.session(s.id)).toMatchObject({ eventCount: seq, firstEventMs: T0 + 1, lastEventMs: T0 + seq });
    expect([...log.read(s.id, { batchSize: 97 })]).toEqual(all);
  });

  it('read() is lazy: it queries one batch at a time', () => {
    const s = log.createSession('s', 'demo', 0);
    log.appendBatch(s.id, Array.from({ length: 10 }, (_, i) => ({ ...indexAt(i), seq: i + 1 }) as SequencedEvent));
    const it = log.read(s.id, { batchSize: 4 });
    expect(it.next().value?.seq).toBe(1);
    // Rows appended after the first batch was fetched are still seen by later batches.
    log.appendBatch(s.id, [{ ...indexAt(11), seq: 11 } as SequencedEvent]);
    expect([...it].map((e) => e.seq)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });
});

describe('EventRecorder', () => {
  it('numbers events 1, 2, 3 … and stores them under those numbers', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { timers });
    const out = [0, 1, 2].map((i) => recorder.record(indexAt(i)));
    expect(out).toEqual([1, 2, 3]);
    recorder.flush();
    const stored = [...log.read(s.id)];
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(stored[1]).toMatchObject({ type: 'index', priceUsd: 100_001, seq: 2 });
  });

  it('commits a batch flushMs after its first event, not before, in one go', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { timers, flushMs: 100 });
    recorder.record(indexAt(1));
    timers.advance(60);
    recorder.record(indexAt(2)); // joins the open batch; does not restart its clock
    expect(timers.pending).toBe(1);
    timers.advance(39);
    expect(committed(s.id)).toBe(0);
    timers.advance(1);
    expect(committed(s.id)).toBe(2);
    expect(timers.pending).toBe(0);
    expect(timers.scheduledDelays).toEqual([100]);
    // The next event opens a new batch with its own deadline.
    timers.advance(500);
    recorder.record(indexAt(3));
    timers.advance(100);
    expect(committed(s.id)).toBe(3);
  });

  it('defaults to a 100 ms flush interval (DESIGN: batched commits <= 100 ms)', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    new EventRecorder(log, s.id, { timers }).record(indexAt(1));
    expect(timers.scheduledDelays).toEqual([100]);
  });

  it('commits at once when a batch reaches maxBatch, cancelling the pending timer', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { timers, maxBatch: 3 });
    recorder.record(indexAt(1));
    recorder.record(indexAt(2));
    expect(committed(s.id)).toBe(0);
    recorder.record(indexAt(3));
    expect(committed(s.id)).toBe(3);
    expect(timers.pending).toBe(0);
    recorder.record(indexAt(4));
    expect(timers.pending).toBe(1);
    expect(committed(s.id)).toBe(3);
  });

  it('flush() and close() commit the open batch; a closed recorder refuses events', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { timers });
    recorder.record(indexAt(1));
    recorder.flush();
    expect(committed(s.id)).toBe(1);
    expect(timers.pending).toBe(0);
    recorder.record(indexAt(2));
    recorder.close();
    expect(committed(s.id)).toBe(2);
    expect(() => recorder.record(indexAt(3))).toThrow('recorder is closed');
  });

  it('updates session counts and times as batches commit', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { timers, maxBatch: 4 });
    for (let i = 0; i < 10; i++) recorder.record(indexAt(i));
    expect(log.session(s.id).eventCount).toBe(8); // two full batches
    timers.advance(100);
    expect(log.session(s.id)).toMatchObject({ eventCount: 10, firstEventMs: T0, lastEventMs: T0 + 90 });
    expect([...log.read(s.id, { batchSize: 3 })].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('a recorder writing hundreds of events in full and partial batches stores each once, in order', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { timers, maxBatch: 150 });
    const events = Array.from({ length: 333 }, (_, i) => indexAt(i));
    for (const event of events) recorder.record(event);
    expect(committed(s.id)).toBe(300);
    recorder.close();
    const stored = [...log.read(s.id)];
    expect(stored.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(stored.map(({ seq: _seq, ...rest }) => rest)).toEqual(events);
    expect(log.session(s.id).eventCount).toBe(333);
  });

  it('resumes numbering after reopening the database', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const first = new EventRecorder(log, s.id, { timers });
    for (let i = 0; i < 5; i++) first.record(indexAt(i));
    first.close();
    db.close();

    db = openDatabase(dbPath);
    log = new EventLog(db);
    const second = new EventRecorder(log, s.id, { timers });
    expect(second.record(indexAt(5))).toBe(6);
    second.close();
    expect([...log.read(s.id)].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log.session(s.id).eventCount).toBe(6);
  });

  it('works with the real timers too', async () => {
    const s = log.createSession('s', 'demo', 0);
    const recorder = new EventRecorder(log, s.id, { flushMs: 20 });
    recorder.record(indexAt(1));
    expect(committed(s.id)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(committed(s.id)).toBe(1);
    recorder.close();
  });
});

describe('EventRecorder when a commit fails', () => {
  it('keeps the failed batch queued and commits it, in order, once the database accepts writes again', () => {
    const timers = new ManualTimers();
    const s = log.createSession('s', 'demo', 0);
    const errors: string[] = [];
    const recorder = new EventRecorder(log, s.id, { timers, onError: (error) => errors.push(error.message) });
    // Stand-in for a full disk: every insert into events aborts.
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    for (let i = 0; i < 3; i++) recorder.record(indexAt(i));
    expect(() => recorder.flush()).toThrow(/disk full/);
    expect(errors).toEqual(['disk full']);
    expect(recorder.lastError?.message).toBe('disk full');
    expect(log.session(s.id).eventCount).toBe(0);

    recorder.record(indexAt(3));
    db.exec('DROP TRIGGER refuse');
    recorder.flush();
    expect(recorder.lastError).toBeNull();
    expect([...log.read(s.id)].map((e) => [e.seq, (e as { priceUsd: number }).priceUsd])).toEqual([
      [1, 100_000],
      [2, 100_001],
      [3, 100_002],
      [4, 100_003],
    ]);
    expect(log.session(s.id).eventCount).toBe(4);
    recorder.close();
  });

  it('never throws from record(): a full batch that cannot commit stays queued and is reported', () => {
    const timers = new ManualTimers();
    const s = log.createSession('full-batch', 'demo', 0);
    const errors: string[] = [];
    const recorder = new EventRecorder(log, s.id, { timers, maxBatch: 2, onError: (error) => errors.push(error.message) });
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'disk full'); END");
    expect(() => {
      for (let i = 0; i < 5; i++) recorder.record(indexAt(i));
    }).not.toThrow();
    expect(errors.length).toBeGreaterThan(0);
    expect(recorder.lastError?.message).toBe('disk full');
    db.exec('DROP TRIGGER refuse');
    recorder.close();
    expect([...log.read(s.id)].map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
