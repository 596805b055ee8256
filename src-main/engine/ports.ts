/**
 * What the engine needs from the outside world, injected so the same engine runs live, in replay and in tests.
 */

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

export interface GreeksPort {
  computeGreeks(batch: GreeksBatch): Promise<GreeksResult>;
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
