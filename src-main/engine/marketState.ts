/**
 * Market state: the engine's projection of the event stream. Per currency: instruments grouped by expiry,
 * the latest ticker per instrument, the index, futures. It is a cache over the event log, never the truth.
 */
import { formatExpiryCode } from '../core/market/expiryCode';
import type {
  BookSnapshotEvent,
  Currency,
  FutureTickerEvent,
  IndexEvent,
  InstrumentDef,
  InstrumentEvent,
  MarketEvent,
  OptionTickerEvent,
} from '../core/market/events';
import { validateMarketEvent } from '../core/market/validate';

export interface OptionGreeksView {
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  /** Model price (Black-76 at the mark IV on the forward), USD. */
  priceUsd: number;
  /** Implied vols (decimal, NaN when the price pins none) from the bid, ask and mark coin prices. */
  ivBid: number;
  ivAsk: number;
  ivMark: number;
}

export interface OptionState {
  def: InstrumentDef & { strikeUsd: number; optionType: 'call' | 'put'; expiryMs: number };
  ticker: OptionTickerEvent | null;
  tickerSeq: number;
  greeks: OptionGreeksView | null;
}

export class ExpiryBook {
  readonly label: string;
  /** Options sorted by strike, calls before puts at the same strike. */
  options: OptionState[] = [];
  /** Seq of the latest quote change in this expiry. */
  quotesSeq = 0;
  /** Seq of the quotes the current greeks were computed from (0: none yet). */
  greeksSeq = 0;
  greeksComputeMs = 0;

  constructor(
    readonly currency: Currency,
    readonly expiryMs: number,
  ) {
    this.label = formatExpiryCode(expiryMs);
  }

  /** Like `add`, replaces the list. */
  remove(option: OptionState): void {
    this.options = this.options.filter((o) => o !== option);
  }

  /** Replaces the list (never mutates it) so a computation holding the old list can tell it is stale. */
  add(option: OptionState): void {
    this.options = [...this.options, option].sort(
      (a, b) => a.def.strikeUsd - b.def.strikeUsd || (a.def.optionType === 'call' ? -1 : 1) - (b.def.optionType === 'call' ? -1 : 1),
    );
  }

  /** The forward from the most recently updated ticker of this expiry. */
  forward(): { forwardUsd: number; underlyingIndex: string } | null {
    let best: OptionTickerEvent | null = null;
    let bestSeq = -1;
    for (const option of this.options) {
      if (option.ticker && option.tickerSeq > bestSeq) {
        best = option.ticker;
        bestSeq = option.tickerSeq;
      }
    }
    return best ? { forwardUsd: best.underlyingPriceUsd, underlyingIndex: best.underlyingIndex } : null;
  }
}

export class CurrencyState {
  indexUsd: number | null = null;
  perpetual: FutureTickerEvent | null = null;
  readonly futures = new Map<string, FutureTickerEvent>();
  /** Latest order-book snapshot per hedge instrument (perpetual, futures). */
  readonly books = new Map<string, BookSnapshotEvent>();
  /** Expiry books keyed by expiry ms. */
  readonly expiries = new Map<number, ExpiryBook>();

  constructor(readonly currency: Currency) {}

  sortedExpiries(): ExpiryBook[] {
    return [...this.expiries.values()].sort((a, b) => a.expiryMs - b.expiryMs);
  }

  expiryByLabel(label: string): ExpiryBook | null {
    for (const book of this.expiries.values()) if (book.label === label) return book;
    return null;
  }

  /**
   * A perpetual's or future's order book (USD prices, USD amounts): the latest full-depth snapshot, else the
   * ticker's best bid and ask, one level a side (none where the quote is absent or empty). The hedge advisor and
   * the paper ledger both read books through this.
   */
  linearBook(ticker: FutureTickerEvent): LinearBook {
    const snapshot = this.books.get(ticker.instrument);
    if (snapshot) return { bids: snapshot.bids, asks: snapshot.asks, tsMs: snapshot.tsEvent };
    return { bids: quoteLevel(ticker.bidUsd, ticker.bidAmountUsd), asks: quoteLevel(ticker.askUsd, ticker.askAmountUsd), tsMs: ticker.tsEvent };
  }
}

export type BookLevels = readonly (readonly [price: number, amount: number])[];

export interface LinearBook {
  bids: BookLevels;
  asks: BookLevels;
  tsMs: number;
}

/** A best quote as book levels: one level, or none when the price or the amount is missing or not positive. */
export const quoteLevel = (price: number | null, amount: number): BookLevels => (price !== null && price > 0 && amount > 0 ? [[price, amount]] : []);

/** What an applied event changed, so the scheduler knows which analytics to refresh. */
export type StateChange =
  | { kind: 'expiry'; book: ExpiryBook }
  | { kind: 'currency'; currency: Currency }
  /** An option left the universe; `book` is its expiry, no longer in the market when that was its last option. */
  | { kind: 'removed'; book: ExpiryBook; instrument: string }
  | { kind: 'none' }
  | { kind: 'rejected'; reason: string };

export class MarketState {
  readonly currencies = new Map<Currency, CurrencyState>();
  private readonly options = new Map<string, { state: OptionState; book: ExpiryBook }>();
  private readonly futures = new Map<string, InstrumentDef>();
  /** The events that defined the current state, kept so a recording can start from it. */
  private readonly instrumentEvents = new Map<string, InstrumentEvent>();
  private readonly indexEvents = new Map<Currency, IndexEvent>();
  seq = 0;
  /** Market time: tsEvent of the latest applied event. */
  timeMs = 0;

  currency(currency: Currency): CurrencyState {
    let state = this.currencies.get(currency);
    if (!state) {
      state = new CurrencyState(currency);
      this.currencies.set(currency, state);
    }
    return state;
  }

  /**
   * Applies one event numbered `seq` by the kernel; the event object is only read, never changed. An event that
   * breaks the rules of core/market/validate.ts (a session stored before they existed, or a bug at an edge)
   * changes nothing but the seq and comes back rejected with the reason, for the engine to count.
   */
  apply(event: MarketEvent, seq: number): StateChange {
    if (seq <= this.seq) return { kind: 'rejected', reason: `seq ${seq} is not after ${this.seq}` };
    this.seq = seq;
    const invalid = validateMarketEvent(event);
    if (invalid !== null) return { kind: 'rejected', reason: `seq ${seq}: ${invalid}` };
    if (event.tsEvent > this.timeMs) this.timeMs = event.tsEvent;
    return this.applyBody(event);
  }

  private applyBody(event: MarketEvent): StateChange {
    switch (event.type) {
      case 'instrument':
        this.instrumentEvents.set(event.instrument.name, event);
        return this.addInstrument(event.instrument);
      case 'instrument_removed':
        return this.removeInstrument(event.instrument);
      case 'index': {
        this.indexEvents.set(event.currency, event);
        this.currency(event.currency).indexUsd = event.priceUsd;
        return { kind: 'currency', currency: event.currency };
      }
      case 'option_ticker': {
        const entry = this.options.get(event.instrument);
        if (!entry) return { kind: 'rejected', reason: `ticker for unknown option ${event.instrument}` };
        entry.state.ticker = event;
        entry.state.tickerSeq = this.seq;
        entry.book.quotesSeq = this.seq;
        return { kind: 'expiry', book: entry.book };
      }
      case 'future_ticker': {
        const def = this.futures.get(event.instrument);
        if (!def) return { kind: 'rejected', reason: `ticker for unknown future ${event.instrument}` };
        const state = this.currency(def.currency);
        if (def.kind === 'perpetual') state.perpetual = event;
        else state.futures.set(event.instrument, event);
        return { kind: 'currency', currency: def.currency };
      }
      case 'book_snapshot': {
        const def = this.futures.get(event.instrument);
        if (!def) return { kind: 'rejected', reason: `book for unknown instrument ${event.instrument}` };
        this.currency(def.currency).books.set(event.instrument, event);
        return { kind: 'currency', currency: def.currency };
      }
      case 'trade':
        return this.options.has(event.instrument) || this.futures.has(event.instrument)
          ? { kind: 'none' }
          : { kind: 'rejected', reason: `trade in unknown instrument ${event.instrument}` };
    }
  }

  private addInstrument(def: InstrumentDef): StateChange {
    if (def.kind !== 'option') {
      this.futures.set(def.name, def);
      return { kind: 'currency', currency: def.currency };
    }
    if (def.expiryMs === null || def.strikeUsd === null || def.optionType === null) {
      return { kind: 'rejected', reason: `option ${def.name} lacks expiry, strike or type` };
    }
    const existing = this.options.get(def.name);
    if (existing) {
      existing.state.def = { ...def, strikeUsd: def.strikeUsd, optionType: def.optionType, expiryMs: def.expiryMs };
      return { kind: 'none' };
    }
    const currency = this.currency(def.currency);
    let book = currency.expiries.get(def.expiryMs);
    if (!book) {
      book = new ExpiryBook(def.currency, def.expiryMs);
      currency.expiries.set(def.expiryMs, book);
      if (def.expiryMs < this.nextExpiryMs) this.nextExpiryMs = def.expiryMs;
    }
    const state: OptionState = {
      def: { ...def, strikeUsd: def.strikeUsd, optionType: def.optionType, expiryMs: def.expiryMs },
      ticker: null,
      tickerSeq: 0,
      greeks: null,
    };
    book.add(state);
    this.options.set(def.name, { state, book });
    return { kind: 'expiry', book };
  }

  private removeInstrument(name: string): StateChange {
    this.instrumentEvents.delete(name);
    const option = this.options.get(name);
    if (option) {
      const { book } = option;
      this.options.delete(name);
      book.remove(option.state);
      if (book.options.length === 0) this.currencies.get(book.currency)?.expiries.delete(book.expiryMs);
      return { kind: 'removed', book, instrument: name };
    }
    const def = this.futures.get(name);
    if (def) {
      this.futures.delete(name);
      const currency = this.currency(def.currency);
      currency.futures.delete(name);
      currency.books.delete(name);
      if (currency.perpetual?.instrument === name) currency.perpetual = null;
      return { kind: 'currency', currency: def.currency };
    }
    // Never seen here (e.g. removed before a recording started): nothing to do.
    return { kind: 'none' };
  }

  /**
   * Events that rebuild the current state from nothing: instrument definitions, then the latest index, future
   * and option tickers, in that order (each keeps its original timestamps).
   */
  currentStateEvents(): MarketEvent[] {
    const events: MarketEvent[] = [];
    for (const event of this.instrumentEvents.values()) {
      const def = event.instrument;
      if (def.kind !== 'option' || this.options.has(def.name)) events.push(event);
    }
    events.push(...this.indexEvents.values());
    for (const currency of this.currencies.values()) {
      if (currency.perpetual) events.push(currency.perpetual);
      events.push(...currency.futures.values());
      events.push(...currency.books.values());
    }
    for (const { state } of this.options.values()) if (state.ticker) events.push(state.ticker);
    return events;
  }

  /** The option's state and expiry book, or undefined when the instrument is not a known live option. */
  option(name: string): { state: OptionState; book: ExpiryBook } | undefined {
    return this.options.get(name);
  }

  /** A live future's or perpetual's definition, or undefined (the paper venue reads fees and lot sizes here). */
  future(name: string): InstrumentDef | undefined {
    return this.futures.get(name);
  }

  /** The earliest expiry among all books (Infinity when none): rollOff has nothing to do before it. */
  private nextExpiryMs = Infinity;

  /** Drops expiries that settled before `nowMs` (they no longer trade and have no greeks). */
  rollOff(nowMs: number): ExpiryBook[] {
    if (nowMs < this.nextExpiryMs) return [];
    this.nextExpiryMs = Infinity;
    const removed: ExpiryBook[] = [];
    for (const currency of this.currencies.values()) {
      for (const [expiryMs, book] of currency.expiries) {
        if (expiryMs > nowMs) {
          if (expiryMs < this.nextExpiryMs) this.nextExpiryMs = expiryMs;
          continue;
        }
        currency.expiries.delete(expiryMs);
        for (const option of book.options) {
          this.options.delete(option.def.name);
          this.instrumentEvents.delete(option.def.name);
        }
        removed.push(book);
      }
    }
    return removed;
  }
}
