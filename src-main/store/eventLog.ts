/**
 * The append-only event log: sessions and their numbered market events. Writes come in batches inside one
 * transaction each; reads stream in `seq` order so a replay never holds a whole session in memory.
 */
import { randomUUID } from 'node:crypto';
import type { MarketEvent, SequencedEvent } from '../core/market/events';
import type { Db } from './database';
import { decodeRow, encodeEvents, type EncodedEvents } from './eventCodec';

export type SessionSource = 'demo' | 'deribit' | 'deribit-testnet' | 'tardis' | 'recording';
/**
 * `journal`: a segment of the always-on journal (hidden from the session list, rolls off oldest first);
 * `recording`: a span the trader kept under a name; `import`: Tardis files.
 */
export type SessionKind = 'journal' | 'recording' | 'import';

export interface SessionRow {
  id: number;
  name: string;
  source: SessionSource;
  kind: SessionKind;
  createdMs: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  eventCount: number;
  /** Stored payload bytes (JSON), a close lower bound of the session's size on disk. */
  payloadBytes: number;
}

interface SessionRecord {
  id: number;
  name: string;
  source: SessionSource;
  kind: SessionKind;
  created_ms: number;
  first_event_ms: number | null;
  last_event_ms: number | null;
  event_count: number;
  payload_bytes: number;
  /** The importing process while an import is staged (migration 006); null once complete. */
  staging_pid: number | null;
}

const toSession = (row: SessionRecord): SessionRow => ({
  id: row.id,
  name: row.name,
  source: row.source,
  kind: row.kind,
  createdMs: row.created_ms,
  firstEventMs: row.first_event_ms,
  lastEventMs: row.last_event_ms,
  eventCount: row.event_count,
  payloadBytes: row.payload_bytes,
});


/** Whether process `pid` still runs (this process always does; EPERM: it runs under another user). */
export function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Rows per multi-row INSERT: one statement step per 64 events instead of one per event. */
const INSERT_CHUNK = 64;
const EVENT_COLUMNS = 7;

export class EventLog {
  private readonly insertEvent;
  private readonly insertChunk;
  private readonly updateSession;
  private readonly selectSession;

  constructor(private readonly db: Db) {
    this.insertEvent = db.prepare(
      'INSERT INTO events (session_id, seq, ts_event, ts_recv, type, instrument, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertChunk = db.prepare(
      `INSERT INTO events (session_id, seq, ts_event, ts_recv, type, instrument, payload) VALUES ${Array(INSERT_CHUNK)
        .fill('(?, ?, ?, ?, ?, ?, ?)')
        .join(', ')}`,
    );
    this.updateSession = db.prepare(
      `UPDATE sessions SET event_count = event_count + @count, payload_bytes = payload_bytes + @bytes,
         first_event_ms = MIN(COALESCE(first_event_ms, @first), @first), last_event_ms = MAX(COALESCE(last_event_ms, @last), @last)
       WHERE id = @id`,
    );
    this.selectSession = db.prepare<[number], SessionRecord>('SELECT * FROM sessions WHERE id = ?');
  }

  createSession(name: string, source: SessionSource, nowMs: number, kind: SessionKind = source === 'tardis' ? 'import' : 'recording'): SessionRow {
    if (name.trim().length === 0) throw new Error('session name must not be empty');
    const result = this.db
      .prepare('INSERT INTO sessions (name, source, created_ms, kind) VALUES (?, ?, ?, ?)')
      .run(name, source, nowMs, kind);
    return this.session(Number(result.lastInsertRowid));
  }

  /**
   * A staging session for an import by process `pid` (migration 006): invisible to lists, names and ids until
   * {@link completeStaging}; deleted by {@link removeAbandonedStaging} if `pid` dies first.
   */
  createStagingSession(source: SessionSource, nowMs: number, pid: number = process.pid): SessionRow {
    const result = this.db
      .prepare("INSERT INTO sessions (name, source, created_ms, kind, staging_pid) VALUES (?, ?, ?, 'import', ?)")
      .run(`staging:${randomUUID()}`, source, nowMs, pid);
    return this.session(Number(result.lastInsertRowid));
  }

  /**
   * Appends the last events numbered from `firstSeq`, names the staging session `name` and makes it visible, all
   * in one transaction: the import is there whole, or not at all.
   * @throws Error when a visible session took the name meanwhile (the staging session stays, for the caller to delete).
   */
  completeStaging(id: number, name: string, firstSeq: number, events: readonly MarketEvent[] | EncodedEvents): SessionRow {
    if (name.trim().length === 0) throw new Error('session name must not be empty');
    this.db.transaction(() => {
      if (this.sessionByName(name)) throw new Error(`a session named ${JSON.stringify(name)} exists already`);
      this.appendRows(id, Array.isArray(events) ? encodeEvents(events) : (events as EncodedEvents), (i) => firstSeq + i);
      if (this.db.prepare('UPDATE sessions SET name = ?, staging_pid = NULL WHERE id = ? AND staging_pid IS NOT NULL').run(name, id).changes === 0) {
        throw new Error(`no staging session with id ${id}`);
      }
    })();
    return this.session(id);
  }

  /**
   * Deletes the staging sessions whose writing process is gone (`isAlive(pid)` false) and returns them: the
   * halves of imports killed mid-way. A start calls it; an import running in another process is left alone.
   */
  removeAbandonedStaging(isAlive: (pid: number) => boolean = processIsAlive): SessionRow[] {
    const rows = this.db.prepare<[], SessionRecord & { staging_pid: number }>('SELECT * FROM sessions WHERE staging_pid IS NOT NULL').all();
    const removed: SessionRow[] = [];
    for (const row of rows) {
      if (isAlive(row.staging_pid)) continue;
      this.db.prepare('DELETE FROM sessions WHERE id = ? AND staging_pid IS NOT NULL').run(row.id);
      removed.push(toSession(row));
    }
    return removed;
  }

  /** The journal's segments, oldest first. */
  journalSegments(): SessionRow[] {
    return this.db.prepare<[], SessionRecord>("SELECT * FROM sessions WHERE kind = 'journal' ORDER BY id").all().map(toSession);
  }

  /**
   * The highest market seq ever given out: journal segments and recordings share one numbering (the kernel's),
   * which goes on from here after a restart. Imports number their own events from 1 and do not count.
   */
  lastMarketSeq(): number {
    const ids = this.db.prepare<[], number>("SELECT id FROM sessions WHERE kind != 'import'").pluck().all();
    let last = 0;
    for (const id of ids) last = Math.max(last, this.lastSeq(id));
    return last;
  }

  /** The seq of a session's first stored event (null when empty). */
  firstSeq(sessionId: number): number | null {
    return this.db.prepare<[number], number | null>('SELECT MIN(seq) FROM events WHERE session_id = ?').pluck().get(sessionId) ?? null;
  }

  session(id: number): SessionRow {
    const row = this.selectSession.get(id);
    if (!row) throw new Error(`no session with id ${id}`);
    return toSession(row);
  }

  /** The session with this id (any kind), or null; a staging import (not complete) is not there yet. */
  findSession(id: number): SessionRow | null {
    const row = this.selectSession.get(id);
    return row && row.staging_pid === null ? toSession(row) : null;
  }

  /** The complete session with this name, or null (a staging import has only a placeholder name). */
  sessionByName(name: string): SessionRow | null {
    const row = this.db.prepare<[string], SessionRecord>('SELECT * FROM sessions WHERE name = ? AND staging_pid IS NULL').get(name);
    return row ? toSession(row) : null;
  }

  /** Recordings and complete imports, newest first (journal segments and staging imports are not listed). */
  listSessions(): SessionRow[] {
    return this.db
      .prepare<[], SessionRecord>("SELECT * FROM sessions WHERE kind != 'journal' AND staging_pid IS NULL ORDER BY created_ms DESC, id DESC")
      .all()
      .map(toSession);
  }

  renameSession(id: number, name: string): SessionRow {
    if (name.trim().length === 0) throw new Error('session name must not be empty');
    const clash = this.sessionByName(name);
    if (clash && clash.id !== id) throw new Error(`a session named ${JSON.stringify(name)} exists already`);
    const result = this.db.prepare('UPDATE sessions SET name = ? WHERE id = ?').run(name, id);
    if (result.changes === 0) throw new Error(`no session with id ${id}`);
    return this.session(id);
  }

  /** Deletes a session and all its events (the only way events ever leave the log). */
  deleteSession(id: number): void {
    const result = this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
    if (result.changes === 0) throw new Error(`no session with id ${id}`);
  }

  /** Highest seq stored for a session (0 when empty): a recorder resumes after it. */
  lastSeq(sessionId: number): number {
    const row = this.db
      .prepare<[number], { seq: number | null }>('SELECT MAX(seq) AS seq FROM events WHERE session_id = ?')
      .get(sessionId);
    return row?.seq ?? 0;
  }

  /** Appends numbered events in one transaction: all of the batch is durable, or none of it. */
  appendBatch(sessionId: number, events: readonly SequencedEvent[]): void {
    this.append(sessionId, events, (i) => events[i]!.seq);
  }

  /**
   * Appends events numbered `firstSeq`, `firstSeq + 1`, … in one transaction. The recorder's path: the seq
   * lives in its column only, so events need no copy to carry it.
   */
  appendNumbered(sessionId: number, firstSeq: number, events: readonly MarketEvent[]): void {
    this.append(sessionId, events, (i) => firstSeq + i);
  }

  /** Appends events already encoded (by a worker: app/tardisParseJob.ts), numbered from `firstSeq`, in one transaction. */
  appendEncoded(sessionId: number, firstSeq: number, rows: EncodedEvents): void {
    this.appendRows(sessionId, rows, (i) => firstSeq + i);
  }

  private append(sessionId: number, events: readonly MarketEvent[], seqOf: (index: number) => number): void {
    if (events.length > 0) this.appendRows(sessionId, encodeEvents(events), seqOf);
  }

  private appendRows(sessionId: number, rows: EncodedEvents, seqOf: (index: number) => number): void {
    const count = rows.payload.length;
    if (count === 0) return;
    this.db.transaction(() => {
      let first = Infinity;
      let last = -Infinity;
      let bytes = 0;
      const params: unknown[] = new Array(INSERT_CHUNK * EVENT_COLUMNS);
      let filled = 0;
      for (let i = 0; i < count; i++) {
        const tsEvent = rows.tsEvent[i]!;
        const payload = rows.payload[i]!;
        bytes += payload.length;
        const base = filled * EVENT_COLUMNS;
        params[base] = sessionId;
        params[base + 1] = seqOf(i);
        params[base + 2] = tsEvent;
        params[base + 3] = rows.tsRecv[i];
        params[base + 4] = rows.type[i];
        params[base + 5] = rows.instrument[i];
        params[base + 6] = payload;
        if (++filled === INSERT_CHUNK) {
          this.insertChunk.run(params);
          filled = 0;
        }
        if (tsEvent < first) first = tsEvent;
        if (tsEvent > last) last = tsEvent;
      }
      for (let i = 0; i < filled; i++) this.insertEvent.run(params.slice(i * EVENT_COLUMNS, (i + 1) * EVENT_COLUMNS));
      this.updateSession.run({ count, bytes, first, last, id: sessionId });
    })();
  }

  /** Streams a session's events in seq order, `batchSize` rows per query. */
  *read(sessionId: number, options: { fromSeq?: number; batchSize?: number } = {}): Generator<SequencedEvent> {
    const batchSize = options.batchSize ?? 5000;
    // Raw rows (arrays) skip building an object per row.
    const select = this.db
      .prepare<[number, number, number], [number, string, number, number, string | null, string]>(
        'SELECT seq, type, ts_event, ts_recv, instrument, payload FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?',
      )
      .raw(true);
    let after = (options.fromSeq ?? 1) - 1;
    for (;;) {
      const rows = select.all(sessionId, after, batchSize);
      for (const [seq, type, tsEvent, tsRecv, instrument, payload] of rows) {
        after = seq;
        yield decodeRow(seq, type, tsEvent, tsRecv, instrument, payload);
      }
      if (rows.length < batchSize) return;
    }
  }
}

export interface RecorderTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Numbers incoming events and writes them in batches: a batch commits at most `flushMs` after its first event
 * (DESIGN: <= 100 ms), or as soon as it holds `maxBatch` events. A crash loses at most the open batch.
 */
export class EventRecorder {
  private seq: number;
  private pending: MarketEvent[] = [];
  private pendingFirstSeq = 1;
  private timer: unknown = null;
  private closed = false;
  /** The last failed commit (disk full, database locked), cleared by the next successful one. */
  lastError: Error | null = null;

  constructor(
    private readonly log: EventLog,
    readonly sessionId: number,
    private readonly options: {
      flushMs?: number;
      maxBatch?: number;
      /** The seq of the first event recorded (default: after the session's last): the kernel's numbering. */
      firstSeq?: number;
      timers?: RecorderTimers;
      onError?: (error: Error) => void;
    } = {},
  ) {
    this.seq = options.firstSeq !== undefined ? options.firstSeq - 1 : log.lastSeq(sessionId);
  }

  /** The seq the next recorded event gets. */
  get nextSeq(): number {
    return this.seq + 1;
  }

  /** Assigns the next seq, queues the event for the next commit and returns its seq. Never throws on a failed commit. */
  record(event: MarketEvent): number {
    if (this.closed) throw new Error('recorder is closed');
    if (this.pending.length === 0) this.pendingFirstSeq = this.seq + 1;
    this.pending.push(event);
    ++this.seq;
    if (this.pending.length >= (this.options.maxBatch ?? 10_000)) this.tryFlush();
    else if (this.timer === null) this.scheduleFlush();
    return this.seq;
  }

  private scheduleFlush(): void {
    const timers = this.options.timers ?? globalThis;
    this.timer = timers.setTimeout(() => {
      this.timer = null;
      this.tryFlush();
    }, this.options.flushMs ?? 100);
  }

  /**
   * The recorder's own flushes (timer, full batch) never throw into the caller's event path: a failed commit
   * keeps its events queued, is reported through onError and lastError, and is retried by the next flush.
   */
  private tryFlush(): void {
    try {
      this.flush();
    } catch {
      // see above
    }
  }

  flush(): void {
    if (this.timer !== null) {
      (this.options.timers ?? globalThis).clearTimeout(this.timer as ReturnType<typeof setTimeout>);
      this.timer = null;
    }
    const batch = this.pending;
    if (batch.length === 0) return;
    try {
      this.log.appendNumbered(this.sessionId, this.pendingFirstSeq, batch);
    } catch (error) {
      // Nothing is dropped: the batch stays queued (the transaction rolled back) and the next flush retries.
      this.lastError = error instanceof Error ? error : new Error(String(error));
      this.options.onError?.(this.lastError);
      if (!this.closed && this.timer === null) this.scheduleFlush();
      throw this.lastError;
    }
    this.pending = [];
    this.lastError = null;
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
