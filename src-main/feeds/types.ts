/** The shape every market-data adapter has: it pushes normalized events to a sink until stopped. */
import type { ConnectionState, SourceKind } from '../api/dto';
import type { MarketEvent } from '../core/market/events';

/** Receives each batch of events. The receiver (the kernel) only reads them: a feed may keep and reuse them. */
export type EventSink = (events: readonly MarketEvent[]) => void;

/** What a feed can say about its own health beyond the event stream (live feeds). */
export interface FeedHealth {
  /** Inputs dropped as malformed or unknown, and the reason of the last one. */
  rejected: number;
  lastRejectReason: string | null;
  reconnects: number;
  /** Why the feed is not connected right now (the last disconnect's reason), or null once it is connected. */
  lastError: string | null;
  /** Instruments with no update for longer than the feed's staleness limit, worst first (at most 20). */
  staleInstruments: { instrument: string; silenceMs: number | null }[];
  /** Total instruments the feed follows. */
  instruments: number;
}

export interface FeedAdapter {
  readonly source: SourceKind;
  /** Human-readable name shown in the header, e.g. `Demo market (seed 42)`. */
  readonly label: string;
  start(sink: EventSink): void;
  stop(): void;
  state(): ConnectionState;
  /** Live feeds report their own counters and per-instrument staleness. */
  health?(): FeedHealth;
}

export interface FeedClock {
  /** Epoch milliseconds. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemFeedClock: FeedClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
