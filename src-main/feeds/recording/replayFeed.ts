/**
 * Replays a recorded session from the event log as a feed: the same events, in seq order, through the same
 * engine. Time is simulated: at speed S, S seconds of recorded time pass per wall second; at `max` events flow
 * as fast as the engine takes them, in chunks that leave the event loop free between them. Events before
 * `fromMs` are applied at once (they build the state the window starts from); replay stops after `toMs`.
 */
import type { ConnectionState, ReplayStatus } from '../../api/dto';
import type { MarketEvent, SequencedEvent } from '../../core/market/events';
import type { EventLog, SessionRow } from '../../store/eventLog';
import { systemFeedClock, type EventSink, type FeedAdapter, type FeedClock } from '../types';

export type ReplaySpeed = number | 'max';

export interface ReplayOptions {
  log: EventLog;
  session: SessionRow;
  speed: ReplaySpeed;
  fromMs?: number;
  toMs?: number;
  clock?: FeedClock;
  /** Events handed to the sink per chunk at max speed. */
  chunkSize?: number;
  /** Called once when the last event (or `toMs`) has been delivered. */
  onDone?: () => void;
}

/** Where a replay stands: the API's ReplayStatus (the session's span, the window, recorded time reached). */
export type ReplayProgress = ReplayStatus;

const PACED_TICK_MS = 25;

/** A replay window must overlap the session: a start after its end, or an end before its start, is an error. */
export function assertWindow(session: SessionRow, fromMs: number | undefined, toMs: number | undefined): void {
  const first = session.firstEventMs;
  const last = session.lastEventMs;
  if (first === null || last === null) throw new RangeError(`session ${JSON.stringify(session.name)} has no events to replay`);
  const iso = (ms: number): string => new Date(ms).toISOString();
  if (fromMs !== undefined && fromMs > last) throw new RangeError(`the start ${iso(fromMs)} is after the end of session ${JSON.stringify(session.name)} (${iso(first)} to ${iso(last)})`);
  if (toMs !== undefined && toMs < first) throw new RangeError(`the end ${iso(toMs)} is before the start of session ${JSON.stringify(session.name)} (${iso(first)} to ${iso(last)})`);
}

export class ReplayFeed implements FeedAdapter {
  readonly source = 'replay' as const;
  private sessionName: string;
  private readonly clock: FeedClock;
  private iterator: Iterator<SequencedEvent> | null = null;
  private lookahead: SequencedEvent | null = null;
  private sink: EventSink | null = null;
  private timer: unknown = null;
  private running = false;
  private paused = false;
  private done = false;
  private speed: ReplaySpeed;
  private delivered = 0;
  private currentMs: number;
  /** Wall time and recorded time at the last (re)anchoring of the simulated clock. */
  private anchorWallMs = 0;
  private anchorSimMs = 0;
  private resolveDone: () => void = () => {};
  /** Resolves once the last event (or `toMs`) has been delivered. */
  readonly finished: Promise<void> = new Promise((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: ReplayOptions) {
    this.clock = options.clock ?? systemFeedClock;
    this.speed = options.speed;
    this.sessionName = options.session.name;
    this.currentMs = options.fromMs ?? options.session.firstEventMs ?? 0;
    if (typeof options.speed === 'number' && !(options.speed > 0)) throw new RangeError(`replay speed must be > 0, got ${options.speed}`);
    assertWindow(options.session, options.fromMs, options.toMs);
  }

  start(sink: EventSink): void {
    if (this.running) throw new Error('replay already started');
    this.running = true;
    this.sink = sink;
    this.iterator = this.options.log.read(this.options.session.id)[Symbol.iterator]();
    // Fast-forward: the state before the window is built at once.
    if (this.options.fromMs !== undefined) {
      this.deliverUntil(this.options.fromMs - 1, Infinity);
      this.currentMs = Math.max(this.currentMs, this.options.fromMs);
    }
    this.anchor();
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  state(): ConnectionState {
    if (this.done) return 'done';
    if (!this.running) return 'connecting';
    return this.paused ? 'paused' : 'replaying';
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.anchor();
    this.schedule(0);
  }

  setSpeed(speed: ReplaySpeed): void {
    if (typeof speed === 'number' && !(speed > 0)) throw new RangeError(`replay speed must be > 0, got ${speed}`);
    this.speed = speed;
    this.anchor();
  }

  /** The session being replayed (its id stays when it is renamed). */
  get sessionId(): number {
    return this.options.session.id;
  }

  get label(): string {
    return `Replay: ${this.sessionName}`;
  }

  /** The session was renamed while it replays: labels follow. */
  renamed(name: string): void {
    this.sessionName = name;
  }

  progress(): ReplayProgress {
    const session = this.options.session;
    return {
      session: this.sessionName,
      firstMs: session.firstEventMs ?? 0,
      lastMs: session.lastEventMs ?? 0,
      windowStartMs: this.options.fromMs ?? session.firstEventMs ?? 0,
      currentMs: this.currentMs,
      eventsDelivered: this.delivered,
      totalEvents: session.eventCount,
      speed: this.speed,
      paused: this.paused,
      done: this.done,
    };
  }

  private anchor(): void {
    this.anchorWallMs = this.clock.now();
    this.anchorSimMs = this.currentMs;
  }

  private schedule(ms: number): void {
    if (!this.running || this.paused || this.done || this.timer !== null) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.pump();
    }, ms);
  }

  private pump(): void {
    if (!this.running || this.paused || this.done) return;
    const toMs = this.options.toMs ?? Infinity;
    if (this.speed === 'max') {
      this.deliverUntil(toMs, this.options.chunkSize ?? 5000);
      this.schedule(0);
    } else {
      const simNow = this.anchorSimMs + (this.clock.now() - this.anchorWallMs) * this.speed;
      this.deliverUntil(Math.min(simNow, toMs), Infinity);
      if (!this.done) this.currentMs = Math.max(this.currentMs, Math.min(simNow, toMs));
      this.schedule(PACED_TICK_MS);
    }
  }

  /** Hands the sink every next event with tsEvent <= untilMs, at most `limit` of them. */
  private deliverUntil(untilMs: number, limit: number): void {
    const batch: MarketEvent[] = [];
    while (batch.length < limit) {
      const next = this.lookahead ?? this.iterator!.next().value ?? null;
      this.lookahead = null;
      if (next === null) {
        this.finish(batch);
        return;
      }
      if (next.tsEvent > untilMs) {
        this.lookahead = next;
        if (untilMs >= (this.options.toMs ?? Infinity)) {
          this.finish(batch);
          return;
        }
        break;
      }
      batch.push(next);
      this.currentMs = next.tsEvent;
    }
    this.flush(batch);
  }

  private flush(batch: MarketEvent[]): void {
    if (batch.length === 0) return;
    this.delivered += batch.length;
    this.sink?.(batch);
  }

  private finish(batch: MarketEvent[]): void {
    this.flush(batch);
    if (this.done) return;
    this.done = true;
    this.options.onDone?.();
    this.resolveDone();
  }
}
