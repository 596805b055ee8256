/**
 * The deterministic kernel: applies normalized market events to the market state and schedules analytics on
 * the worker pool, coalescing bursts. Single-threaded; clock, pool and outputs are injected, so live feeds,
 * replays and tests run the same code.
 */
import { FlowInventory } from '../core/exposure/flowInventory';
import type { Currency, MarketEvent } from '../core/market/events';
import { yearsToExpiry } from '../core/pricing/time';
import { MarketState, type ExpiryBook, type StateChange } from './marketState';
import { GREEKS_INPUT_FIELDS, GreeksInput, GreeksOutput, type GreeksPort, type Scheduler } from './ports';

export type EngineChange =
  | { kind: 'quotes'; book: ExpiryBook }
  | { kind: 'greeks'; book: ExpiryBook }
  | { kind: 'currency'; currency: Currency }
  | { kind: 'expiries'; currency: Currency }
  /** An option trade moved the currency's dealer inventory (the flow convention's positions). */
  | { kind: 'flow'; currency: Currency };

export interface EngineOptions {
  greeks: GreeksPort;
  scheduler: Scheduler;
  /** How long a burst of quote changes may accumulate before greeks are recomputed. */
  coalesceMs?: number;
  onChange?: (change: EngineChange) => void;
  /**
   * Whether anybody needs this expiry's greeks now (its chain is watched). Greeks of other expiries are deferred:
   * their quotes are kept, the computation waits until {@link Engine.want} asks for it, or a full recompute
   * ({@link Engine.recomputeAll}) does it. Default: every expiry is wanted.
   */
  wanted?: (book: ExpiryBook) => boolean;
  /** Called when a computation fails (a bug or a dead pool); the engine keeps running. */
  onError?: (error: unknown) => void;
}

export class Engine {
  readonly market = new MarketState();
  /**
   * Dealer inventory inferred from trade flow, per currency: a streaming estimator fed by option trades (taker =
   * customer) and option tickers (open interest). Deterministic, so it replays identically from a session.
   */
  readonly flows = new Map<Currency, FlowInventory>();
  eventsApplied = 0;
  eventsRejected = 0;
  lastRejection: string | null = null;

  private readonly dirty = new Set<ExpiryBook>();
  /** Dirty expiries that nobody wanted at their dispatch: their greeks are behind their quotes until wanted. */
  private readonly deferred = new Set<ExpiryBook>();
  private readonly inFlight = new Set<ExpiryBook>();
  private timer: unknown = null;
  private idleWaiters: (() => void)[] = [];
  private settledWaiters: (() => void)[] = [];
  private disposed = false;

  constructor(private readonly options: EngineOptions) {}

  /** Applies one event numbered `seq` (the kernel's numbering); the event object is only read. */
  apply(event: MarketEvent, seq: number): StateChange {
    const change = this.market.apply(event, seq);
    switch (change.kind) {
      case 'rejected':
        this.eventsRejected++;
        this.lastRejection = change.reason;
        return change;
      case 'expiry':
        if (event.type === 'option_ticker') this.flow(change.book.currency).add(event);
        this.markDirty(change.book);
        this.emit({ kind: 'quotes', book: change.book });
        if (event.type === 'instrument') this.emit({ kind: 'expiries', currency: change.book.currency });
        break;
      case 'currency':
        this.emit({ kind: 'currency', currency: change.currency });
        break;
      case 'removed': {
        const { book } = change;
        this.flows.get(book.currency)?.forget(change.instrument);
        if (this.market.currencies.get(book.currency)?.expiries.get(book.expiryMs) === book) {
          this.markDirty(book);
          this.emit({ kind: 'quotes', book });
        } else {
          this.dirty.delete(book);
          this.deferred.delete(book);
        }
        this.emit({ kind: 'expiries', currency: book.currency });
        break;
      }
      case 'none':
        if (event.type === 'trade') {
          const option = this.market.option(event.instrument);
          if (option) {
            this.flow(option.book.currency).add(event);
            this.emit({ kind: 'flow', currency: option.book.currency });
          }
        }
        break;
    }
    this.eventsApplied++;
    this.rollOff();
    return change;
  }

  /**
   * Recomputes every expiry at the current market time. A replay calls it at the end so its final analytics
   * depend only on the final state, not on when the coalescing timers happened to fire.
   */
  refreshAll(): void {
    for (const currency of this.market.currencies.values()) {
      for (const book of currency.expiries.values()) this.markDirty(book);
    }
  }

  /**
   * Recomputes every expiry now, without waiting for the coalescing timer (which a stepped or frozen clock may
   * never fire), and resolves when all results are in.
   */
  async recomputeAll(): Promise<void> {
    this.refreshAll();
    while (!this.disposed && (this.dirty.size > 0 || this.inFlight.size > 0)) {
      if (this.timer !== null) this.options.scheduler.clearTimeout(this.timer);
      this.timer = null;
      this.dispatchDirty(true); // an expiry still running stays dirty and goes out in the next pass
      await this.settled();
    }
  }

  /** Somebody now wants this expiry's greeks (its chain was opened): a deferred computation goes out. */
  want(book: ExpiryBook): void {
    if (this.deferred.delete(book)) this.markDirty(book);
  }

  flow(currency: Currency): FlowInventory {
    let flow = this.flows.get(currency);
    if (!flow) {
      flow = new FlowInventory();
      this.flows.set(currency, flow);
    }
    return flow;
  }

  /** Resolves once no greeks computation is pending or running. */
  idle(): Promise<void> {
    if (this.dirty.size === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Resolves once no greeks computation is running in the pool; expiries waiting for their coalescing timer
   * stay waiting (a stepped clock advances them).
   */
  settled(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  /** Stops scheduling; a job still in the pool is ignored when it returns or fails (the pool may be closing). */
  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.options.scheduler.clearTimeout(this.timer);
    this.timer = null;
    this.dirty.clear();
    this.deferred.clear();
    this.settleIdle();
  }

  private emit(change: EngineChange): void {
    this.options.onChange?.(change);
  }

  private rollOff(): void {
    for (const book of this.market.rollOff(this.market.timeMs)) {
      this.dirty.delete(book);
      this.deferred.delete(book);
      this.emit({ kind: 'expiries', currency: book.currency });
    }
  }

  private markDirty(book: ExpiryBook): void {
    this.deferred.delete(book);
    this.dirty.add(book);
    if (this.timer === null) {
      this.timer = this.options.scheduler.setTimeout(() => {
        this.timer = null;
        this.dispatchDirty();
      }, this.options.coalesceMs ?? 50);
    }
  }

  /** Sends the dirty expiries to the pool; `all` includes the ones nobody wants now (a full recompute). */
  private dispatchDirty(all = false): void {
    const wanted = this.options.wanted;
    for (const book of [...this.dirty]) {
      if (this.inFlight.has(book)) continue; // recomputed when the running job returns
      this.dirty.delete(book);
      if (!all && wanted && !wanted(book)) {
        this.deferred.add(book);
        continue;
      }
      void this.compute(book);
    }
    this.settleIdle();
  }

  /** One pool task per expiry: the options of one expiry share a forward and a time to expiry. */
  private async compute(book: ExpiryBook): Promise<void> {
    const options = book.options;
    const count = options.length;
    const seq = book.quotesSeq;
    const years = yearsToExpiry(book.expiryMs, this.market.timeMs);
    const inputs = new Float64Array(count * GREEKS_INPUT_FIELDS);
    const field = (offset: number): Float64Array => inputs.subarray(offset * count, (offset + 1) * count);
    const forward = field(GreeksInput.forwardUsd);
    const strike = field(GreeksInput.strikeUsd);
    const yearsField = field(GreeksInput.years);
    const vol = field(GreeksInput.vol);
    const isCall = field(GreeksInput.isCall);
    const bid = field(GreeksInput.bidCoin);
    const ask = field(GreeksInput.askCoin);
    const mark = field(GreeksInput.markCoin);
    for (let i = 0; i < count; i++) {
      const option = options[i]!;
      const ticker = option.ticker;
      forward[i] = ticker ? ticker.underlyingPriceUsd : NaN;
      strike[i] = option.def.strikeUsd;
      yearsField[i] = years;
      vol[i] = ticker ? ticker.markIv : NaN;
      isCall[i] = option.def.optionType === 'call' ? 1 : 0;
      bid[i] = ticker?.bidCoin ?? NaN;
      ask[i] = ticker?.askCoin ?? NaN;
      mark[i] = ticker ? ticker.markCoin : NaN;
    }
    this.inFlight.add(book);
    const started = this.options.scheduler.now();
    try {
      const result = await this.options.greeks.computeGreeks({ count, inputs });
      if (this.disposed) return;
      // The book may have gained instruments while the job ran; the result then describes an older list.
      const current = this.market.currencies.get(book.currency)?.expiries.get(book.expiryMs) === book;
      if (!current) {
        // Rolled off while the task ran: nothing to publish for it.
      } else if (book.options === options && options.length === count) {
        const out = (offset: number, i: number): number => result[offset * count + i]!;
        for (let i = 0; i < count; i++) {
          options[i]!.greeks = {
            priceUsd: out(GreeksOutput.priceUsd, i),
            delta: out(GreeksOutput.delta, i),
            gamma: out(GreeksOutput.gamma, i),
            vega: out(GreeksOutput.vega, i),
            theta: out(GreeksOutput.theta, i),
            ivBid: out(GreeksOutput.ivBid, i),
            ivAsk: out(GreeksOutput.ivAsk, i),
            ivMark: out(GreeksOutput.ivMark, i),
          };
        }
        book.greeksSeq = seq;
        book.greeksComputeMs = this.options.scheduler.now() - started;
        this.emit({ kind: 'greeks', book });
      } else {
        this.markDirty(book);
      }
    } catch (error) {
      if (!this.disposed) this.options.onError?.(error);
    } finally {
      this.inFlight.delete(book);
      if (!this.disposed && this.dirty.has(book)) this.markDirty(book);
      this.settleIdle();
    }
  }

  private settleIdle(): void {
    if (this.inFlight.size === 0) {
      const settled = this.settledWaiters;
      this.settledWaiters = [];
      for (const resolve of settled) resolve();
    }
    if (this.dirty.size > 0 || this.inFlight.size > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
