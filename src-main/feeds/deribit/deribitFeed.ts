/**
 * The live Deribit market-data adapter: {@link DeribitClient} (connection, heartbeats, subscriptions) + the pure
 * parsers in `parse.ts` → normalized {@link MarketEvent}s to the sink.
 *
 * Per connection it loads the instrument universe (`public/get_instruments` for each currency, kinds `option`
 * and `future`; perpetuals are futures with `settlement_period: "perpetual"`), emits an {@link InstrumentEvent}
 * for every instrument that is new or changed (so a reconnect does not duplicate them), and subscribes:
 *
 * | channel                                   | gives                                                   |
 * |-------------------------------------------|---------------------------------------------------------|
 * | `deribit_price_index.{btc_usd,eth_usd}`   | IndexEvent                                              |
 * | `ticker.{option}.{interval}`              | OptionTickerEvent (coin prices, decimal IVs)            |
 * | `markprice.options.{index}`               | OptionTickerEvent: the last ticker with the new mark    |
 * | `ticker.{future/perpetual}.{interval}`    | FutureTickerEvent (USD)                                 |
 * | `trades.option.{currency}.{interval}`     | TradeEvent (deduplicated by trade id)                   |
 * | `trades.{future/perpetual}.{interval}`    | TradeEvent                                              |
 * | `book.{future/perpetual}.{interval}`      | a local {@link OrderBook} per hedge instrument, emitted |
 * |                                           | as BookSnapshotEvent (top levels, throttled)            |
 * | `instrument.state.any.any`                | universe refresh (listings) and removals                |
 *
 * `markprice.options` decision: the engine's option state is a whole ticker, so a mark update is applied to the
 * last full ticker of that option ({@link applyOptionMark}) and emitted as a new OptionTickerEvent (quotes,
 * forward and open interest carried over, mark price and mark IV replaced, the mark's timestamp). It is dropped
 * when no ticker is known yet, when it is not newer than the ticker, or when it changes nothing. No new event type
 * is needed, and a replay of the event log reproduces the live state exactly.
 *
 * Inputs that fail validation are counted (`malformed`), inputs about instruments outside the universe are
 * counted (`unknownInstruments`); both add to `rejected` with the last reason kept. Nothing is thrown out of the
 * adapter and good items next to bad ones are kept.
 */
import type { ConnectionState } from '../../api/dto';
import type {
  BookSnapshotEvent,
  Currency,
  InstrumentDef,
  InstrumentEvent,
  InstrumentRemovedEvent,
  MarketEvent,
  OptionTickerEvent,
} from '../../core/market/events';
import { InstrumentNameError, parseInstrumentName } from '../../core/pricing/instrument';
import { epochMs, usd, type InstrumentName, type Usd } from '../../core/units';
import { systemFeedClock, type EventSink, type FeedAdapter, type FeedClock, type FeedHealth } from '../types';
import { DeribitClient, DeribitRpcError, type DeribitClientOptions, type DeribitClientStats } from './client';
import { OrderBook } from './orderBook';
import {
  applyOptionMark,
  currencyIndexName,
  parseInstruments,
  parseNotification,
  type BookUpdate,
  type DeribitParseError,
  type InstrumentStateChange,
} from './parse';

/** Subscription interval. `raw` needs an authenticated connection on Deribit; public data uses `100ms`. */
export type DeribitInterval = '100ms' | 'raw' | 'agg2';

export interface DeribitFeedOptions extends DeribitClientOptions {
  /** Header label (default `Deribit mainnet` / `Deribit testnet`, or `Deribit (url)` for a custom url). */
  label?: string;
  /** Currencies to load and subscribe (default BTC and ETH). */
  currencies?: readonly Currency[];
  /** Interval of ticker, trades and book channels (default `100ms`). */
  interval?: DeribitInterval;
  /** Subscribe `ticker.{option}` for every option (default true). */
  optionTickers?: boolean;
  /** Subscribe `markprice.options.{index}` (default true). */
  optionMarks?: boolean;
  /** Keep order books for futures and perpetuals and emit them as BookSnapshotEvents (default true). */
  books?: boolean;
  /** Levels per side in each BookSnapshotEvent (default 25, as Tardis `book_snapshot_25`). */
  bookSnapshotDepth?: number;
  /**
   * At most one BookSnapshotEvent per instrument per this many ms (default 250). The throttle has a trailing
   * edge: the book's latest state is always emitted once the interval has passed.
   */
  bookSnapshotIntervalMs?: number;
  /** `live` turns `stale` after this long without a market-data notification (default 5 s). */
  staleAfterMs?: number;
  /** Debounce of the universe refresh that an instrument listing triggers (default 1 s). */
  instrumentRefreshDelayMs?: number;
  /** How many recent trade ids are remembered for de-duplication (default 100 000). */
  tradeIdMemory?: number;
  /** Diagnostics (disconnect reasons, gaps, refused channels). Default: none. */
  log?: (message: string) => void;
}

/** Running totals since {@link DeribitFeed.start}. */
export interface DeribitFeedCounters {
  /** Subscription notifications received. */
  messages: number;
  /** Normalized events sent to the sink. */
  events: number;
  /** Inputs dropped as malformed or unknown (= malformed + unknownInstruments). */
  rejected: number;
  /** Frames or items that failed validation. */
  malformed: number;
  /** Items about instruments outside the universe (or of kinds not modelled, e.g. combos). */
  unknownInstruments: number;
  /** Well-formed inputs on channels this adapter does not use (not counted as rejected). */
  ignored: number;
  /** The reason of the last rejected input. */
  lastRejectReason: string | null;
  /** Trades dropped because their id was already seen (e.g. re-sent around a reconnect). */
  duplicateTrades: number;
  /** Reconnects after a lost connection. */
  reconnects: number;
  /** Channels resubscribed to repair a book (each after a detected gap). */
  resubscribes: number;
  /** Book gaps detected (`prev_change_id` ≠ last `change_id`). */
  bookGaps: number;
  /** `too_many_requests` (10028) replies, each followed by a backoff and a retry. */
  rateLimited: number;
  /** `test_request` heartbeats answered. */
  heartbeatsAnswered: number;
  /** Connections dropped because nothing arrived for two heartbeat intervals. */
  silenceTimeouts: number;
  /** Instrument universe loads (one per connection, plus refreshes after listings). */
  instrumentLoads: number;
}

/** How fresh the feed and each instrument are, for the UI. Times are milliseconds since the last message. */
export interface DeribitStaleness {
  state: ConnectionState;
  /** Since the last frame of any kind (heartbeats included); null before the first. */
  feedSilenceMs: number | null;
  /** Since the last market-data notification; null before the first. */
  marketDataSilenceMs: number | null;
  /** Every instrument of the universe, with the time since its last ticker/trade/book/mark (null: none yet). */
  instruments: { instrument: InstrumentName; silenceMs: number | null }[];
  /** Hedge books currently invalid (waiting for a snapshot after a gap or a reconnect). */
  booksAwaitingSnapshot: InstrumentName[];
}

/** Remembers the last `capacity` ids (insertion order, oldest forgotten first). */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  /** Adds `id`; false when it was already there. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
    return true;
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DeribitFeed implements FeedAdapter {
  readonly source = 'deribit' as const;
  readonly label: string;

  private readonly client: DeribitClient;
  private readonly clock: FeedClock;
  private readonly currencies: readonly Currency[];
  private readonly interval: DeribitInterval;
  private readonly optionTickers: boolean;
  private readonly optionMarks: boolean;
  private readonly keepBooks: boolean;
  private readonly bookDepth: number;
  private readonly bookIntervalMs: number;
  private readonly staleAfterMs: number;
  private readonly refreshDelayMs: number;
  private readonly log: (message: string) => void;

  private sink: EventSink | null = null;
  private started = false;
  private stopped = false;
  private readyAtMs: number | null = null;
  /** The last disconnect reason while not connected (shown in the header); null once connected. */
  private lastError: string | null = null;
  private lastMarketDataMs: number | null = null;
  private refreshTimer: unknown = null;

  private readonly universe = new Map<string, InstrumentDef>();
  /** The definition last emitted per instrument (serialized), so unchanged instruments are not re-emitted. */
  private readonly announced = new Map<string, string>();
  /** Instruments seen expiring: never re-added by a later (possibly lagging) instrument listing. */
  private readonly expiredNames = new Set<string>();
  private readonly lastOptionTicker = new Map<string, OptionTickerEvent>();
  private readonly books = new Map<string, OrderBook>();
  /** Per book: when it was last emitted, the receive time of its last update, a pending trailing emission. */
  private readonly bookEmission = new Map<string, { lastEmitMs: number; lastRecvMs: number; timer: unknown }>();
  private readonly lastSeen = new Map<string, number>();
  private readonly tradeIds: RecentIds;

  private readonly counts: Omit<DeribitFeedCounters, 'reconnects' | 'rateLimited' | 'heartbeatsAnswered' | 'silenceTimeouts'> = {
    messages: 0,
    events: 0,
    rejected: 0,
    malformed: 0,
    unknownInstruments: 0,
    ignored: 0,
    lastRejectReason: null,
    duplicateTrades: 0,
    resubscribes: 0,
    bookGaps: 0,
    instrumentLoads: 0,
  };

  constructor(options: DeribitFeedOptions = {}) {
    this.clock = options.clock ?? systemFeedClock;
    this.currencies = options.currencies ?? ['BTC', 'ETH'];
    this.interval = options.interval ?? '100ms';
    this.optionTickers = options.optionTickers ?? true;
    this.optionMarks = options.optionMarks ?? true;
    this.keepBooks = options.books ?? true;
    this.bookDepth = options.bookSnapshotDepth ?? 25;
    this.bookIntervalMs = options.bookSnapshotIntervalMs ?? 250;
    this.staleAfterMs = options.staleAfterMs ?? 5_000;
    this.refreshDelayMs = options.instrumentRefreshDelayMs ?? 1_000;
    this.tradeIds = new RecentIds(options.tradeIdMemory ?? 100_000);
    this.log = options.log ?? (() => {});
    this.label =
      options.label ??
      (options.url !== undefined ? `Deribit (${options.url})` : options.network === 'testnet' ? 'Deribit testnet' : 'Deribit mainnet');
    this.client = new DeribitClient(
      {
        onConnected: () => this.onConnected(),
        onNotification: (channel, data, tsRecv) => this.onNotification(channel, data, tsRecv),
        onInvalidFrame: (error) => this.reject(error),
        onDisconnected: (reason) => {
          this.readyAtMs = null;
          this.lastError = reason;
          for (const book of this.books.values()) book.invalidate();
          this.log(`Deribit: disconnected (${reason})`);
        },
        onSubscriptionRefused: (channels, reason) => this.log(`Deribit: ${channels.length} channel(s) refused (${reason}): ${channels.slice(0, 5).join(', ')}`),
        onError: (error) => this.log(`Deribit: internal error: ${describeError(error)}`),
      },
      { ...options, clock: this.clock },
    );
  }

  // -------------------------------------------------------------------------------------------------------------
  // FeedAdapter

  start(sink: EventSink): void {
    if (this.started) throw new Error('Deribit feed already started');
    this.started = true;
    this.sink = sink;
    this.client.start();
  }

  stop(): void {
    if (!this.started || this.stopped) return;
    this.stopped = true;
    if (this.refreshTimer !== null) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    for (const name of this.bookEmission.keys()) this.cancelBookEmission(name);
    this.client.stop();
    this.sink = null;
  }

  /**
   * `connecting` until a session is set up (and again while a new socket opens), `live` while market data flows,
   * `stale` when the session is up but nothing arrived for `staleAfterMs`, `disconnected` while waiting to
   * reconnect, `stopped` after {@link stop}.
   */
  state(): ConnectionState {
    if (this.stopped) return 'stopped';
    switch (this.client.phase) {
      case 'idle':
      case 'connecting':
        return 'connecting';
      case 'waiting':
        return 'disconnected';
      case 'stopped':
        return 'stopped';
      case 'ready': {
        const since = Math.max(this.lastMarketDataMs ?? 0, this.readyAtMs ?? 0);
        return this.clock.now() - since > this.staleAfterMs ? 'stale' : 'live';
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Observability

  /** Counters since start. */
  counters(): DeribitFeedCounters {
    const stats: DeribitClientStats = this.client.stats;
    return {
      ...this.counts,
      reconnects: stats.reconnects,
      rateLimited: stats.rateLimited,
      heartbeatsAnswered: stats.testRequestsAnswered,
      silenceTimeouts: stats.silenceTimeouts,
    };
  }

  /** Per-feed and per-instrument staleness. */
  staleness(): DeribitStaleness {
    const now = this.clock.now();
    const since = (ms: number | null | undefined): number | null => (ms === null || ms === undefined ? null : Math.max(0, now - ms));
    return {
      state: this.state(),
      feedSilenceMs: since(this.client.lastMessageMs),
      marketDataSilenceMs: since(this.lastMarketDataMs),
      instruments: [...this.universe.keys()].sort().map((name) => ({ instrument: name as InstrumentName, silenceMs: since(this.lastSeen.get(name)) })),
      booksAwaitingSnapshot: [...this.books.values()].filter((book) => book.awaitingSnapshot).map((book) => book.instrument),
    };
  }

  /** The adapter's counters and staleness in the app's generic shape (header, UI). */
  health(): FeedHealth {
    const counters = this.counters();
    const staleness = this.staleness();
    const stale = staleness.instruments
      .filter((entry) => entry.silenceMs === null || entry.silenceMs > this.staleAfterMs)
      .sort((a, b) => (b.silenceMs ?? Infinity) - (a.silenceMs ?? Infinity));
    return {
      rejected: counters.rejected,
      lastRejectReason: counters.lastRejectReason,
      reconnects: counters.reconnects,
      lastError: this.lastError,
      staleInstruments: stale.slice(0, 20),
      instruments: staleness.instruments.length,
    };
  }

  /** The current instrument universe. */
  instruments(): ReadonlyMap<string, InstrumentDef> {
    return this.universe;
  }

  /** The local book of a future or perpetual (read it, do not apply to it); null when not kept. */
  orderBook(instrument: string): OrderBook | null {
    return this.books.get(instrument) ?? null;
  }

  /** The channels currently wanted (subscribed or being subscribed). */
  channels(): ReadonlySet<string> {
    return this.client.channels();
  }

  // -------------------------------------------------------------------------------------------------------------
  // Universe

  private async onConnected(): Promise<void> {
    this.lastError = null;
    for (const book of this.books.values()) book.invalidate();
    await this.loadInstruments();
    this.readyAtMs = this.clock.now();
  }

  /** Loads the instrument universe, emits new/changed definitions, and updates the wanted channels. */
  private async loadInstruments(): Promise<void> {
    const requests = this.currencies.flatMap((currency) =>
      (['option', 'future'] as const).map((kind) => this.client.request('public/get_instruments', { currency, kind, expired: false })),
    );
    const results = await Promise.all(requests);
    if (this.stopped) return;
    this.counts.instrumentLoads++;
    const tsRecv = this.clock.now();
    const fetched: InstrumentEvent[] = [];
    for (const result of results) {
      const parsed = parseInstruments(result, tsRecv);
      for (const error of parsed.rejected) this.reject(error);
      for (const event of parsed.events) {
        if (this.currencies.includes(event.instrument.currency) && !this.expiredNames.has(event.instrument.name)) fetched.push(event);
      }
    }
    const next = new Set(fetched.map((event) => event.instrument.name as string));
    const changed: (InstrumentEvent | InstrumentRemovedEvent)[] = [];
    for (const name of [...this.universe.keys()]) if (!next.has(name)) changed.push(this.forget(name, 'unlisted', tsRecv));
    for (const event of fetched) {
      const def = event.instrument;
      this.universe.set(def.name, def);
      if (this.keepBooks && def.kind !== 'option' && !this.books.has(def.name)) this.books.set(def.name, new OrderBook(def.name));
      const serialized = JSON.stringify(def);
      if (this.announced.get(def.name) !== serialized) {
        this.announced.set(def.name, serialized);
        changed.push(event);
      }
    }
    this.emit(changed);
    this.client.setChannels(this.wantedChannels());
  }

  /** Every channel the current universe needs, in a stable order. */
  private wantedChannels(): string[] {
    const channels = ['instrument.state.any.any'];
    for (const currency of this.currencies) {
      const index = currencyIndexName(currency);
      channels.push(`deribit_price_index.${index}`);
      if (this.optionMarks) channels.push(`markprice.options.${index}`);
      channels.push(`trades.option.${currency}.${this.interval}`);
    }
    const names = [...this.universe.keys()].sort();
    for (const name of names) {
      const def = this.universe.get(name)!;
      if (def.kind !== 'option') {
        channels.push(`ticker.${name}.${this.interval}`, `trades.${name}.${this.interval}`);
        if (this.keepBooks) channels.push(`book.${name}.${this.interval}`);
      }
    }
    if (this.optionTickers) {
      for (const name of names) if (this.universe.get(name)!.kind === 'option') channels.push(`ticker.${name}.${this.interval}`);
    }
    return channels;
  }

  /**
   * Drops an instrument from the universe and everything kept about it (its channels go with the next
   * setChannels); the returned event tells the engine, and a recording, that it is gone.
   */
  private forget(name: string, reason: string, tsEventMs: number): InstrumentRemovedEvent {
    this.universe.delete(name);
    this.announced.delete(name);
    this.lastOptionTicker.delete(name);
    this.books.delete(name);
    this.cancelBookEmission(name);
    this.bookEmission.delete(name);
    this.lastSeen.delete(name);
    const tsRecv = epochMs(Math.floor(this.clock.now()));
    return { type: 'instrument_removed', tsEvent: epochMs(Math.floor(tsEventMs)), tsRecv, instrument: name as InstrumentName, reason };
  }

  private scheduleRefresh(): void {
    if (this.refreshTimer !== null || this.stopped) return;
    this.refreshTimer = this.clock.setTimeout(() => {
      this.refreshTimer = null;
      if (this.stopped || this.client.phase !== 'ready') return;
      this.loadInstruments().catch((error: unknown) => {
        if (!(error instanceof DeribitRpcError && error.code === 'disconnected')) this.log(`Deribit: instrument refresh failed: ${describeError(error)}`);
      });
    }, this.refreshDelayMs);
  }

  private onInstrumentState(change: InstrumentStateChange): void {
    let currency: string;
    try {
      currency = parseInstrumentName(change.instrument).currency;
    } catch (error) {
      if (error instanceof InstrumentNameError) return; // combos and the like: not in our universe either way
      throw error;
    }
    if (!(this.currencies as readonly string[]).includes(currency)) return;
    if (change.effect === 'listed' && !this.universe.has(change.instrument)) this.scheduleRefresh();
    if (change.effect === 'removed' && this.universe.has(change.instrument)) {
      this.emit([this.forget(change.instrument, change.state, change.tsEvent)]);
      this.client.setChannels(this.wantedChannels());
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Notifications

  private onNotification(channel: string, data: unknown, tsRecv: number): void {
    if (this.stopped) return;
    this.counts.messages++;
    this.lastMarketDataMs = tsRecv;
    const parsed = parseNotification(channel, data, tsRecv);
    for (const error of parsed.rejected) this.reject(error);
    const out: MarketEvent[] = [];
    for (const event of parsed.events) {
      if (event.type === 'index') {
        if (this.currencies.includes(event.currency)) out.push(event);
        continue;
      }
      if (event.type === 'instrument') continue; // not produced by notifications
      if (!this.universe.has(event.instrument)) {
        this.unknown(event.instrument, channel);
        continue;
      }
      if (event.type === 'trade' && !this.tradeIds.add(event.tradeId)) {
        this.counts.duplicateTrades++;
        continue;
      }
      // The kernel only reads emitted events, so the feed keeps the same object as the last ticker.
      if (event.type === 'option_ticker') this.lastOptionTicker.set(event.instrument, event);
      this.lastSeen.set(event.instrument, tsRecv);
      out.push(event);
    }
    for (const mark of parsed.marks) {
      if (!this.universe.has(mark.instrument)) {
        this.unknown(mark.instrument, channel);
        continue;
      }
      const last = this.lastOptionTicker.get(mark.instrument);
      const updated = last ? applyOptionMark(last, mark) : null;
      if (!updated) continue;
      this.lastOptionTicker.set(mark.instrument, updated);
      this.lastSeen.set(mark.instrument, tsRecv);
      out.push(updated);
    }
    if (parsed.book) this.onBook(channel, parsed.book, tsRecv);
    this.emit(out);
    for (const change of parsed.instrumentStates) this.onInstrumentState(change);
    if (parsed.expired.length > 0) {
      const removed: InstrumentRemovedEvent[] = [];
      for (const expired of parsed.expired) {
        if (!this.universe.has(expired.instrument)) continue;
        this.expiredNames.add(expired.instrument);
        removed.push(this.forget(expired.instrument, 'expired', tsRecv));
      }
      this.emit(removed);
      this.client.setChannels(this.wantedChannels());
    }
  }

  private onBook(channel: string, update: BookUpdate, tsRecv: number): void {
    const book = this.books.get(update.instrument);
    if (!book) {
      if (this.universe.has(update.instrument)) this.counts.ignored++; // option books are not kept
      else this.unknown(update.instrument, channel);
      return;
    }
    this.lastSeen.set(update.instrument, tsRecv);
    const result = book.apply(update);
    if (result.status === 'snapshot' || result.status === 'applied') this.bookChanged(update.instrument, tsRecv);
    if (result.status !== 'gap') return;
    this.counts.bookGaps++;
    this.log(`Deribit: gap in ${channel}: prev_change_id ${result.receivedPrevChangeId} after change_id ${result.expectedPrevChangeId}; resubscribing for a snapshot`);
    if (this.client.resubscribe(channel)) this.counts.resubscribes++;
  }

  /** Throttled (leading and trailing edge) emission of a book as a BookSnapshotEvent. */
  private bookChanged(name: string, tsRecv: number): void {
    let state = this.bookEmission.get(name);
    if (!state) {
      state = { lastEmitMs: -Infinity, lastRecvMs: tsRecv, timer: null };
      this.bookEmission.set(name, state);
    }
    state.lastRecvMs = tsRecv;
    if (state.timer !== null) return; // the trailing emission will carry this update
    const waitMs = state.lastEmitMs + this.bookIntervalMs - this.clock.now();
    if (waitMs <= 0) {
      this.emitBook(name);
      return;
    }
    const pending = state;
    pending.timer = this.clock.setTimeout(() => {
      pending.timer = null;
      this.emitBook(name);
    }, waitMs);
  }

  private cancelBookEmission(name: string): void {
    const state = this.bookEmission.get(name);
    if (state && state.timer !== null) this.clock.clearTimeout(state.timer);
    if (state) state.timer = null;
  }

  private emitBook(name: string): void {
    const book = this.books.get(name);
    const state = this.bookEmission.get(name);
    // An invalid book (gap, reconnect) is not published; its fresh snapshot will be.
    if (this.stopped || !book || !state || book.awaitingSnapshot || book.lastUpdateMs === null) return;
    state.lastEmitMs = this.clock.now();
    const side = (which: 'bids' | 'asks'): [Usd, number][] => book.levels(which, this.bookDepth).map((level) => [usd(level.price), level.amount]);
    const event: BookSnapshotEvent = {
      type: 'book_snapshot',
      tsEvent: epochMs(book.lastUpdateMs),
      tsRecv: epochMs(Math.floor(state.lastRecvMs)),
      instrument: book.instrument,
      bids: side('bids'),
      asks: side('asks'),
      changeId: book.changeId,
    };
    this.emit([event]);
  }

  private emit(events: MarketEvent[]): void {
    if (events.length === 0 || !this.sink) return;
    this.counts.events += events.length;
    this.sink(events);
  }

  private reject(error: DeribitParseError): void {
    if (error.code === 'unsupported_channel') {
      this.counts.ignored++;
      return;
    }
    if (error.code === 'unsupported_instrument') this.counts.unknownInstruments++;
    else this.counts.malformed++;
    this.counts.rejected++;
    this.counts.lastRejectReason = error.message;
  }

  private unknown(instrument: string, channel: string): void {
    this.counts.unknownInstruments++;
    this.counts.rejected++;
    this.counts.lastRejectReason = `${instrument} (on ${channel}) is not in the instrument universe`;
  }
}
