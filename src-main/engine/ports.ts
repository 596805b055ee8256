/**
 * What the kernel needs from the outside world, injected so the same kernel runs live, in replay, in the CLI and
 * in tests: a scheduler (the clock), the worker pools behind the greeks and exposure ports, a journal, and a
 * snapshot port to publish through.
 */
import type { TopicPayloads } from '../api/contract';
import type { ExposureChain } from '../core/exposure/chain';
import type { MarketEvent } from '../core/market/events';

/** Inputs for one expiry batch, struct-of-arrays packed in one buffer so it transfers to a worker without a copy. */
export interface GreeksBatch {
  /** Number of options in the batch. */
  count: number;
  /**
   * `count` × 8 values laid out field by field: forward USD, strike USD, years, vol (decimal, the feed's mark
   * IV), isCall (1 or 0), bid, ask and mark prices in coin (NaN when absent). Ownership passes to the port (it
   * may be transferred to a worker).
   */
  inputs: Float64Array;
}

/**
 * `count` × 8 values laid out field by field, in Deribit display units: price USD, delta, gamma per USD,
 * vega USD per vol point, theta USD per day; then implied vols (decimal, NaN when not defined) from the bid,
 * ask and mark coin prices.
 */
export type GreeksResult = Float64Array;

export const GREEKS_INPUT_FIELDS = 8;
export const GREEKS_OUTPUT_FIELDS = 8;

/** Field offsets of a greeks batch's inputs (each field is `count` values long: offset × count). */
export const GreeksInput = { forwardUsd: 0, strikeUsd: 1, years: 2, vol: 3, isCall: 4, bidCoin: 5, askCoin: 6, markCoin: 7 } as const;
/** Field offsets of a greeks result. */
export const GreeksOutput = { priceUsd: 0, delta: 1, gamma: 2, vega: 3, theta: 4, ivBid: 5, ivAsk: 6, ivMark: 7 } as const;

export interface GreeksPort {
  computeGreeks(batch: GreeksBatch): Promise<GreeksResult>;
}

export interface ExposureTaskInput {
  chain: ExposureChain;
  /** The summary (aggregates, profile, flips, walls) and/or cascade map time steps [timeFrom, timeTo). */
  summary: boolean;
  /** Vol dynamics of the profile and flips (default sticky strike). */
  dynamics?: 'stickyStrike' | 'stickyMoneyness';
  cascade: { elapsedYears: Float64Array; volShift: Float64Array; spotPoints: number; timeFrom: number; timeTo: number; bidDepthUsd: number; askDepthUsd: number } | null;
}

export interface ExposureSummaryOutput {
  strikes: Float64Array;
  strikeCount: number;
  expiryCount: number;
  byStrike: { call: Float64Array; put: Float64Array; net: Float64Array };
  byExpiry: { net: Float64Array; abs: Float64Array };
  /** [expiry][strike] net GEX, USD per 1 %. */
  byStrikeExpiryNet: Float64Array;
  totals: { net: number; abs: number; netCoin: number; deltaCoin: number; vannaCoin: number; charmCoin: number };
  profile: { spotUsd: Float64Array; net: Float64Array; withoutNext: Float64Array };
  flipsUsd: number[];
  flipsWithoutNextUsd: number[];
  nearestFlipUsd: number | null;
  nearestFlipWithoutNextUsd: number | null;
  walls: { call: number | null; put: number | null; absGamma: number | null };
}

export interface ExposureCascadeOutput {
  timeFrom: number;
  timeTo: number;
  spotUsd: Float64Array;
  gammaUsdPer1Pct: Float64Array;
  cascadeRatioUp: Float64Array;
}

export interface ExposureTaskOutput {
  summary: ExposureSummaryOutput | null;
  cascade: ExposureCascadeOutput | null;
}

export interface ExposurePort {
  computeExposure(input: ExposureTaskInput): Promise<ExposureTaskOutput>;
}

/** Where the kernel appends every event before the engine sees it (DESIGN: record first, then handle). */
export interface JournalPort {
  /**
   * Appends events numbered `firstSeq`, `firstSeq + 1`, …; the objects are only read. Never throws into the
   * event path: a failed commit is kept and retried by the journal, and reported through its own status.
   */
  append(firstSeq: number, events: readonly MarketEvent[]): void;
}

/** The streams the kernel publishes, by topic (the API's payloads of those topics). */
export type KernelSnapshots = Pick<TopicPayloads, 'chain' | 'expiries' | 'exposure' | 'hedge'>;
export type KernelTopic = keyof KernelSnapshots;

/** Where the kernel publishes its snapshots (the API hub in the app; a collector in tests and the CLI). */
export interface SnapshotPort {
  /** Whether a stream is worth computing and publishing now (somebody listens, or keeps its latest value). */
  wanted(topic: KernelTopic, key: string): boolean;
  publish<T extends KernelTopic>(topic: T, key: string, snapshot: KernelSnapshots[T]): void;
}

export interface Scheduler {
  /** Milliseconds, monotonic enough for durations. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
