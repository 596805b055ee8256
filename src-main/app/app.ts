/**
 * Composition: builds the store, worker pool, engine, feed and API hub from settings, and wires the engine's
 * changes to throttled snapshot streams. The one place that knows how the parts fit.
 */
import type { AppInfo } from '../api/dto';
import { ApiException } from '../api/errors';
import { CURRENCIES, type Currency, type MarketEvent, type SequencedEvent } from '../core/market/events';
import { Engine } from '../engine/engine';
import type { ExpiryBook } from '../engine/marketState';
import { realScheduler, type Scheduler } from '../engine/ports';
import { chainSnapshot, expiryList, headerSnapshot } from '../engine/snapshots';
import { DemoFeed } from '../feeds/simulator/demoFeed';
import { systemFeedClock, type FeedAdapter, type FeedClock } from '../feeds/types';
import { openDatabase, type Db } from '../store/database';
import { InstrumentRepository } from '../store/instruments';
import { FeedMonitor } from './feedMonitor';
import { GreeksPool } from './greeksPool';
import { ApiHub } from './hub';

export const APP_VERSION = '0.1.0';
export const DEFAULT_DEMO_SEED = 42;

export interface GammaDeskOptions {
  dbPath: string;
  mode: AppInfo['mode'];
  worker: { filename: string; execArgv?: string[] };
  demoSeed?: number;
  /** Snapshot streams publish at most once per interval (DESIGN: throttled, about 5 Hz). */
  publishIntervalMs?: number;
  feedClock?: FeedClock;
  scheduler?: Scheduler;
  nativeBinding?: string;
  /** Replace the default demo feed (tests, later: live Deribit, replay). */
  feed?: FeedAdapter;
}

export class GammaDeskApp {
  readonly hub = new ApiHub();
  readonly engine: Engine;
  readonly db: Db;
  readonly pool: GreeksPool;
  readonly feed: FeedAdapter;
  private readonly monitor: FeedMonitor;
  private readonly instruments: InstrumentRepository;
  private readonly feedClock: FeedClock;
  private seq = 0;
  private publishTimer: ReturnType<typeof setInterval> | null = null;
  private readonly dirtyBooks = new Set<ExpiryBook>();
  private readonly dirtyExpiryLists = new Set<Currency>();
  private stopped = false;

  private constructor(private readonly options: GammaDeskOptions) {
    this.feedClock = options.feedClock ?? systemFeedClock;
    this.db = openDatabase(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.instruments = new InstrumentRepository(this.db);
    this.pool = new GreeksPool({
      filename: options.worker.filename,
      ...(options.worker.execArgv ? { execArgv: options.worker.execArgv } : {}),
    });
    this.engine = new Engine({
      greeks: this.pool,
      scheduler: options.scheduler ?? realScheduler,
      onChange: (change) => {
        if (change.kind === 'quotes' || change.kind === 'greeks') this.dirtyBooks.add(change.book);
        if (change.kind === 'expiries') this.dirtyExpiryLists.add(change.currency);
        if (change.kind === 'quotes') this.dirtyExpiryLists.add(change.book.currency);
      },
      onError: (error) => console.error('[gammadesk] analytics error:', error),
    });
    this.feed = options.feed ?? new DemoFeed(options.demoSeed ?? DEFAULT_DEMO_SEED, this.feedClock);
    this.monitor = new FeedMonitor(this.feed, () => this.feedClock.now());
    this.registerApi();
  }

  static start(options: GammaDeskOptions): GammaDeskApp {
    const app = new GammaDeskApp(options);
    app.feed.start((events) => app.ingest(events));
    app.publishTimer = setInterval(() => app.publish(), options.publishIntervalMs ?? 200);
    return app;
  }

  /** Numbers events in arrival order and hands them to the engine (the recorder will append them first). */
  private ingest(events: readonly MarketEvent[]): void {
    if (this.stopped) return;
    const defs = [];
    for (const event of events) {
      const sequenced = { ...event, seq: ++this.seq } as SequencedEvent;
      const change = this.engine.apply(sequenced);
      if (change.kind === 'rejected') this.monitor.rejected++;
      if (event.type === 'instrument') defs.push(event.instrument);
    }
    this.instruments.upsertMany(defs, this.feed.source, this.feedClock.now());
    this.monitor.observe(events);
  }

  private registerApi(): void {
    const hub = this.hub;
    const market = this.engine.market;
    hub.handle('app.info', () => this.info());
    hub.handle('feed.status', () => this.monitor.status());

    hub.topic('header', () => {
      if (!hub.channel('header', 'all').current()) this.publishHeader();
      return 'all';
    });
    hub.topic('expiries', ({ currency }) => {
      const channel = hub.channel('expiries', currency);
      if (!channel.current()) channel.publish(expiryList(market, currency));
      return currency;
    });
    hub.topic('chain', ({ currency, expiry }) => {
      const book = market.currencies.get(currency)?.expiryByLabel(expiry);
      if (!book) throw new ApiException('NOT_FOUND', `no ${currency} expiry ${expiry} in the current market`);
      const key = `${currency}/${expiry}`;
      const channel = hub.channel('chain', key);
      if (!channel.current()) channel.publish(chainSnapshot(market, book));
      return key;
    });
  }

  info(): AppInfo {
    return {
      name: 'GammaDesk',
      version: APP_VERSION,
      mode: this.options.mode,
      dbPath: this.options.dbPath,
      source: this.feed.source,
      currencies: [...CURRENCIES],
      eventsApplied: this.engine.eventsApplied,
    };
  }

  private publishHeader(): void {
    this.hub.channel('header', 'all').publish(headerSnapshot(this.engine.market, this.monitor.status(), CURRENCIES));
  }

  /** Publishes what changed since the last interval, to the streams somebody listens to. */
  private publish(): void {
    this.publishHeader();
    const market = this.engine.market;
    for (const currency of this.dirtyExpiryLists) {
      const channel = this.hub.channel('expiries', currency);
      // A channel that was ever read keeps a fresh cached value for the next late subscriber.
      if (channel.subscriberCount > 0 || channel.current()) channel.publish(expiryList(market, currency));
    }
    this.dirtyExpiryLists.clear();
    for (const book of this.dirtyBooks) {
      const channel = this.hub.channel('chain', `${book.currency}/${book.label}`);
      if (channel.subscriberCount > 0 || channel.current()) channel.publish(chainSnapshot(market, book));
    }
    this.dirtyBooks.clear();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feed.stop();
    if (this.publishTimer) clearInterval(this.publishTimer);
    this.engine.dispose();
    await this.pool.close();
    this.db.close();
  }
}
