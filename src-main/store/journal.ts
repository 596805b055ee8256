/**
 * The always-on journal: every event of a live or demo source is appended here, numbered by the kernel, before
 * the engine applies it — whether or not anyone pressed Record — so anything stamped with a market `seq` (a
 * decision, an alert) can be found and replayed again.
 *
 * Storage is a chain of segments, each a session of kind `journal` in the event log. A segment begins with the
 * market state at its first moment (the kernel's checkpoint), so it replays on its own. A new segment starts
 * with each source, when the current one outgrows its share of the window, and at each Record start and stop.
 * "Record" keeps the segment it started as a named session (kind `recording`); unkept segments roll off oldest
 * first once their total size passes the limit (default 1 GiB, a setting), so the window holds at least the
 * last `maxBytes − segmentBytes` of market data.
 */
import type { JournalStatus } from '../api/dto';
import type { MarketEvent } from '../core/market/events';
import type { JournalPort } from '../engine/ports';
import { EventRecorder, type EventLog, type RecorderTimers, type SessionRow, type SessionSource } from './eventLog';

export const DEFAULT_JOURNAL_MAX_BYTES = 2 ** 30;
/** The settings key of the journal's size limit (bytes of stored payload). */
export const JOURNAL_MAX_BYTES_SETTING = 'journal.maxBytes';

export interface JournalOptions {
  /** The window: unkept segments are deleted, oldest first, while their payload bytes exceed this. */
  maxBytes: number;
  /** A segment is closed and a new one started once it holds this many bytes (default maxBytes / 8). */
  segmentBytes?: number;
  /** Epoch ms, for the segments' creation stamps. */
  now: () => number;
  timers?: RecorderTimers;
  flushMs?: number;
}

interface Segment {
  session: SessionRow;
  recorder: EventRecorder;
  kept: boolean;
}

/** How often (in events) the current segment's committed size is read back from the database. */
const SIZE_CHECK_EVERY = 2_000;

export class Journal implements JournalPort {
  private current: Segment | null = null;
  private source: SessionSource = 'demo';
  private sinceSizeCheck = 0;
  private full = false;
  private maxBytesValue: number;

  constructor(
    private readonly log: EventLog,
    private readonly options: JournalOptions,
  ) {
    this.maxBytesValue = options.maxBytes;
    this.trim();
  }

  /** Changes the window's size; what no longer fits rolls off at once. */
  setMaxBytes(maxBytes: number): void {
    if (!(Number.isInteger(maxBytes) && maxBytes > 0)) throw new RangeError(`journal size limit must be a positive whole number of bytes, got ${maxBytes}`);
    this.maxBytesValue = maxBytes;
    this.trim();
  }

  /** A new source: its first event opens a new segment (a segment holds one source's market from its start). */
  beginSource(source: SessionSource): void {
    this.endSegment();
    this.source = source;
  }

  append(firstSeq: number, events: readonly MarketEvent[]): void {
    if (events.length === 0) return;
    const segment = this.current ?? this.open(firstSeq, null);
    const recorder = segment.recorder;
    if (recorder.nextSeq !== firstSeq) throw new Error(`journal out of step: the next seq is ${recorder.nextSeq}, the kernel sent ${firstSeq}`);
    for (const event of events) recorder.record(event);
    this.sinceSizeCheck += events.length;
    if (!segment.kept && this.sinceSizeCheck >= SIZE_CHECK_EVERY) {
      this.sinceSizeCheck = 0;
      this.full = this.log.session(segment.session.id).payloadBytes >= this.segmentBytes();
    }
  }

  /**
   * True once the current (unkept) segment has outgrown its share of the window: the kernel then starts a new
   * segment with the market state (`startSegment`).
   */
  segmentFull(): boolean {
    return this.full;
  }

  /**
   * Closes the current segment and starts a new one with `state`, numbered from `firstSeq` (the kernel's
   * checkpoint). `keepAs` names it: the trader's recording, which never rolls off.
   */
  startSegment(firstSeq: number, state: readonly MarketEvent[], keepAs: string | null): SessionRow {
    this.endSegment();
    const segment = this.open(firstSeq, keepAs);
    for (const event of state) segment.recorder.record(event);
    return segment.session;
  }

  /** Commits and closes the current segment (an empty one is not kept); the next event opens a new one. */
  endSegment(): void {
    const segment = this.current;
    if (!segment) return;
    this.current = null;
    this.full = false;
    try {
      segment.recorder.close();
    } finally {
      if (!segment.kept && this.log.session(segment.session.id).eventCount === 0) this.log.deleteSession(segment.session.id);
      this.trim();
    }
  }

  /** The last failed commit of the segment being written (its events stay queued and are retried). */
  get lastError(): string | null {
    return this.current?.recorder.lastError?.message ?? null;
  }

  status(): JournalStatus {
    const segments = this.log.journalSegments();
    const bytes = segments.reduce((sum, s) => sum + s.payloadBytes, 0);
    const first = segments[0];
    const last = segments.at(-1);
    const pending = this.current && !this.current.kept ? this.current.recorder.nextSeq - 1 : null;
    return {
      bytes,
      maxBytes: this.maxBytesValue,
      segments: segments.length,
      firstSeq: first ? this.log.firstSeq(first.id) : null,
      lastSeq: pending ?? (last ? this.log.lastSeq(last.id) || null : null),
      fromMs: first?.firstEventMs ?? null,
      toMs: last?.lastEventMs ?? null,
      lastError: this.lastError,
    };
  }

  private segmentBytes(): number {
    return this.options.segmentBytes ?? Math.max(1, Math.floor(this.maxBytesValue / 8));
  }

  private open(firstSeq: number, keepAs: string | null): Segment {
    const nowMs = Math.floor(this.options.now());
    // `#` cannot appear in a name the trader gives (see the contract), so segment names never clash with theirs.
    const name = keepAs ?? `journal#${this.source}#${firstSeq}`;
    const session = this.log.createSession(name, this.source, nowMs, keepAs ? 'recording' : 'journal');
    const recorder = new EventRecorder(this.log, session.id, {
      firstSeq,
      ...(this.options.timers ? { timers: this.options.timers } : {}),
      ...(this.options.flushMs !== undefined ? { flushMs: this.options.flushMs } : {}),
    });
    this.current = { session, recorder, kept: keepAs !== null };
    this.sinceSizeCheck = 0;
    this.full = false;
    return this.current;
  }

  /** Deletes the oldest unkept segments (never the one being written) while the journal is over its limit. */
  private trim(): void {
    const segments = this.log.journalSegments();
    let bytes = segments.reduce((sum, s) => sum + s.payloadBytes, 0);
    for (const segment of segments) {
      if (bytes <= this.maxBytesValue) break;
      if (segment.id === this.current?.session.id) continue;
      this.log.deleteSession(segment.id);
      bytes -= segment.payloadBytes;
    }
  }
}
