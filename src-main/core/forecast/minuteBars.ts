/**
 * From an index (or perpetual) price stream to the streaming estimators: ticks are gathered into 1-minute bars by
 * their exchange time (`tsEvent`); the first tick of a minute `add`s a bar to every estimator, later ticks of the
 * same minute `replace` it (the still-forming bar of trading-signals' indicators), so the estimators' results are
 * always current. Deterministic: a function of the tick sequence only.
 *
 * Bars are contiguous: each opens at the previous bar's close (as Garman-Klass assumes). A minute without ticks
 * (Deribit publishes its index about once a second, so only an outage leaves one) is filled with a flat bar at the
 * previous close — a zero return, which biases the vol slightly down rather than inventing a move — and counted in
 * `filledMinutes`; a gap longer than `maxGapMinutes` gets only that many flat bars and is counted in `gaps` (the bar
 * after it carries the whole move since the last tick in its one return). A tick older than
 * the current minute is ignored and counted in `outOfOrder`; a non-positive or non-finite price throws a RangeError
 * naming it and changes nothing.
 */
import type { OhlcBar, StreamingVolEstimator } from './estimators';
import type { Vol } from '../units';

export const MINUTE_MS = 60_000;

export interface MinuteBarFeedSettings {
  /** Estimators fed the bar closes (e.g. 1-minute and 5-minute realized vol, EWMA). */
  closes: Record<string, StreamingVolEstimator<number>>;
  /** Estimators fed the OHLC bars (Parkinson, Garman-Klass). */
  bars: Record<string, StreamingVolEstimator<OhlcBar>>;
  /** Empty minutes filled with flat bars at most; a longer gap fills this many. Default 60. */
  maxGapMinutes?: number;
}

export class MinuteBarFeed {
  private minute = Number.NaN;
  private bar: OhlcBar | null = null;
  private counters = { ticks: 0, bars: 0, filledMinutes: 0, gaps: 0, outOfOrder: 0 };
  private readonly maxGapMinutes: number;

  constructor(private readonly settings: MinuteBarFeedSettings) {
    this.maxGapMinutes = settings.maxGapMinutes ?? 60;
  }

  /** Applies one tick: `timeMs` is the exchange time, `price` the index in USD. */
  onTick(timeMs: number, price: number): void {
    if (!(Number.isFinite(price) && price > 0)) throw new RangeError(`MinuteBarFeed: price must be a positive finite number, got ${String(price)}`);
    if (!Number.isFinite(timeMs)) throw new RangeError(`MinuteBarFeed: time must be a finite epoch ms, got ${String(timeMs)}`);
    const minute = Math.floor(timeMs / MINUTE_MS);
    if (minute < this.minute) {
      this.counters.outOfOrder++;
      return;
    }
    this.counters.ticks++;
    if (minute === this.minute && this.bar) {
      this.bar = { open: this.bar.open, high: Math.max(this.bar.high, price), low: Math.min(this.bar.low, price), close: price };
      this.apply(this.bar, 'replace');
      return;
    }
    if (this.bar) {
      const empty = minute - this.minute - 1;
      if (empty > this.maxGapMinutes) this.counters.gaps++;
      const close = this.bar.close;
      for (let k = 0; k < Math.min(empty, this.maxGapMinutes); k++) {
        this.apply({ open: close, high: close, low: close, close }, 'add');
        this.counters.filledMinutes++;
      }
    }
    const open = this.bar ? this.bar.close : price;
    this.bar = { open, high: Math.max(open, price), low: Math.min(open, price), close: price };
    this.minute = minute;
    this.apply(this.bar, 'add');
  }

  private apply(bar: OhlcBar, how: 'add' | 'replace'): void {
    if (how === 'add') this.counters.bars++;
    for (const estimator of Object.values(this.settings.closes)) estimator[how](bar.close);
    for (const estimator of Object.values(this.settings.bars)) estimator[how](bar);
  }

  /** Every estimator's current result (null while warming up). */
  results(): Record<string, Vol | null> {
    const out: Record<string, Vol | null> = {};
    for (const [name, estimator] of Object.entries(this.settings.closes)) out[name] = estimator.result;
    for (const [name, estimator] of Object.entries(this.settings.bars)) out[name] = estimator.result;
    return out;
  }

  get stats(): Readonly<MinuteBarFeed['counters']> {
    return { ...this.counters };
  }
}
