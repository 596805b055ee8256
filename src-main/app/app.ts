/**
 * Composition: builds the store, worker pool, engine, feed and API hub from settings, and wires the engine's
 * changes to throttled snapshot streams. The one place that knows how the parts fit.
 *
 * Data flow per feed batch: number the events → append them to the recording session (if recording) →
 * `engine.apply` each → mark the snapshots they touched → publish at most every `publishIntervalMs`.
 * Switching the source (demo, live Deribit, a recorded session) replaces feed and engine together, so the
 * new source starts from an empty market state.
 */
import type { AppInfo, DeskStatus, RecordingStatus, SessionSummary, SourceSpec } from '../api/dto';
import { ApiException } from '../api/errors';
import { CURRENCIES, type Currency, type MarketEvent, type SequencedEvent } from '../core/market/events';
import { Engine } from '../engine/engine';
import type { ExpiryBook } from '../engine/marketState';
import { realScheduler, type Scheduler } from '../engine/ports';
import { chainSnapshot, expiryList, headerSnapshot } from '../engine/snapshots';
import { DeribitFeed } from '../feeds/deribit/deribitFeed';
import { ReplayFeed } from '../feeds/recording/replayFeed';
import { DemoFeed } from '../feeds/simulator/demoFeed';
import { systemFeedClock, type FeedAdapter, type FeedClock } from '../feeds/types';
import { openDatabase, type Db } from '../store/database';
import { EventLog, EventRecorder, type SessionRow, type SessionSource } from '../store/eventLog';
import { InstrumentRepository } from '../store/instruments';
import { PositionRepository } from '../store/positions';
import { parseOptionName } from '../core/pricing/instrument';
import { FeedMonitor } from './feedMonitor';
import { GreeksPool } from './greeksPool';
import { ExposureService, exposureKey, type ExposureStream } from './exposureService';
import { JobRunner } from './jobs';
import { ApiHub } from './hub';

export const APP_VERSION = '0.1.0';
export const DEFAULT_DEMO_SEED = 42;

export interface GammaDeskOptions {
  dbPath: string;
  mode: AppInfo['mode'];
  worker: { filename: string; execArgv?: string[] };
  demoSeed?: number;
  /** The source to start on (default: the demo market). */
  source?: SourceSpec;
  /** Snapshot streams publish at most once per interval (DESIGN: throttled, about 5 Hz). */
  publishIntervalMs?: number;
  feedClock?: FeedClock;
  scheduler?: Scheduler;
  nativeBinding?: string;
  /** Replace the feed built from `source` (tests). */
  feed?: FeedAdapter;
  /** Builds feeds instead of the built-in ones (tests). */
  feedFactory?: (spec: SourceSpec) => FeedAdapter | null;
  /** WebSocket URL replacing Deribit's (`GAMMADESK_DERIBIT_URL`): a mock server in tests, or a proxy. */
  deribitUrl?: string;
}

interface Recording {
  recorder: EventRecorder;
  session: SessionRow;
  startedMs: number;
  events: number;
}

const toSummary = (row: SessionRow): SessionSummary => ({
  id: row.id,
  name: row.name,
  source: row.source,
  createdMs: row.createdMs,
  firstEventMs: row.firstEventMs,
  lastEventMs: row.lastEventMs,
  eventCount: row.eventCount,
  sizeBytes: row.payloadBytes,
});

export class GammaDeskApp {
  readonly hub = new ApiHub();
  readonly db: Db;
  readonly pool: GreeksPool;
  readonly log: EventLog;
  readonly jobs: JobRunner;
  readonly exposures: ExposureService;
  readonly positionRepo: PositionRepository;
  private positionBook = new Map<string, number>();
  /** Exposure streams ever asked for (currency/convention); the watched ones have subscribers. */
  private readonly exposureKeys = new Map<string, ExposureStream>();
  private jobsDirty = false;
  private sessionsDirty = false;
  private engineInstance!: Engine;
  private feedInstance!: FeedAdapter;
  private monitor!: FeedMonitor;
  private sourceSpec: SourceSpec;
  private readonly instruments: InstrumentRepository;
  private readonly feedClock: FeedClock;
  private seq = 0;
  private recording: Recording | null = null;
  private publishTimer: ReturnType<typeof setInterval> | null = null;
  private readonly dirtyBooks = new Set<ExpiryBook>();
  private readonly dirtyExpiryLists = new Set<Currency>();
  private deskDirty = true;
  private stopped = false;
  private lastSessionsPublishMs = 0;

  private constructor(private readonly options: GammaDeskOptions) {
    this.feedClock = options.feedClock ?? systemFeedClock;
    this.db = openDatabase(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.log = new EventLog(this.db);
    this.instruments = new InstrumentRepository(this.db);
    this.positionRepo = new PositionRepository(this.db);
    this.positionBook = new Map(this.positionRepo.list().map((p) => [p.instrument, p.amount]));
    this.jobs = new JobRunner(this.log, () => Math.floor(this.feedClock.now()), (finished) => {
      this.jobsDirty = true;
      // A finished (or failed part-way) import has written a session.
      if (finished) this.sessionsDirty = true;
    });
    this.pool = new GreeksPool({
      filename: options.worker.filename,
      ...(options.worker.execArgv ? { execArgv: options.worker.execArgv } : {}),
    });
    this.exposures = new ExposureService(
      () => this.engineInstance,
      this.pool,
      (stream) => this.hub.channel('exposure', exposureKey(stream)),
      () => [...this.exposureKeys.entries()].filter(([key]) => this.hub.channel('exposure', key).subscriberCount > 0).map(([, value]) => value),
      (error) => console.error('[gammadesk] exposure analytics error:', error),
      () => this.positionBook,
    );
    this.sourceSpec = options.source ?? { kind: 'demo', seed: options.demoSeed ?? DEFAULT_DEMO_SEED };
    this.install(options.feed ?? this.createFeed(this.sourceSpec));
    this.registerApi();
  }

  static start(options: GammaDeskOptions): GammaDeskApp {
    const app = new GammaDeskApp(options);
    app.feedInstance.start((events) => app.ingest(events));
    app.publishTimer = setInterval(() => app.publish(), options.publishIntervalMs ?? 200);
    app.exposures.start();
    return app;
  }

  get engine(): Engine {
    return this.engineInstance;
  }

  get feed(): FeedAdapter {
    return this.feedInstance;
  }

  get source(): SourceSpec {
    return this.sourceSpec;
  }

  /** A fresh engine and monitor for a feed (not started). */
  private install(feed: FeedAdapter): void {
    this.engineInstance?.dispose();
    this.seq = 0;
    this.feedInstance = feed;
    this.monitor = new FeedMonitor(feed, () => this.feedClock.now());
    // A replay at max speed delivers seconds of market in milliseconds: coalesce analytics over longer bursts.
    const spec = this.sourceSpec as SourceSpec | undefined;
    const fastReplay = spec?.kind === 'replay' && spec.speed === 'max';
    this.engineInstance = new Engine({
      greeks: this.pool,
      scheduler: this.options.scheduler ?? realScheduler,
      coalesceMs: fastReplay ? 250 : 50,
      onChange: (change) => {
        if (change.kind === 'quotes' || change.kind === 'greeks') this.dirtyBooks.add(change.book);
        if (change.kind === 'expiries') this.dirtyExpiryLists.add(change.currency);
        if (change.kind === 'quotes') this.dirtyExpiryLists.add(change.book.currency);
      },
      onError: (error) => console.error('[gammadesk] analytics error:', error),
    });
    this.dirtyBooks.clear();
    for (const currency of CURRENCIES) this.dirtyExpiryLists.add(currency);
    this.deskDirty = true;
  }

  private createFeed(spec: SourceSpec): FeedAdapter {
    const custom = this.options.feedFactory?.(spec);
    if (custom) return custom;
    switch (spec.kind) {
      case 'demo':
        return new DemoFeed(spec.seed ?? DEFAULT_DEMO_SEED, this.feedClock);
      case 'replay': {
        const session = this.log.sessionByName(spec.session);
        if (!session) throw new ApiException('NOT_FOUND', `no recorded session named ${JSON.stringify(spec.session)}`);
        return new ReplayFeed({
          log: this.log,
          session,
          speed: spec.speed,
          clock: this.feedClock,
          ...(spec.fromMs !== undefined ? { fromMs: spec.fromMs } : {}),
          ...(spec.toMs !== undefined ? { toMs: spec.toMs } : {}),
          onDone: () => {
            // Final analytics from the final state only (as `gammadesk replay` reports them).
            this.engineInstance.refreshAll();
            this.deskDirty = true;
          },
        });
      }
      case 'deribit':
        return new DeribitFeed({
          network: spec.network,
          clock: this.feedClock,
          // A local endpoint instead of Deribit's (tests against the mock server; a proxy).
          ...(this.options.deribitUrl ? { url: this.options.deribitUrl } : {}),
          log: (message) => console.error(`[deribit] ${message}`),
        });
    }
  }

  /** Replaces the running feed and engine with a new source. A recording in progress is stopped first. */
  switchSource(spec: SourceSpec): DeskStatus {
    if (this.stopped) throw new ApiException('UNAVAILABLE', 'GammaDesk is stopping');
    const feed = this.createFeed(spec); // throws before anything changes when the source cannot be built
    this.stopRecording();
    this.feedInstance.stop();
    this.sourceSpec = spec;
    this.install(feed);
    this.exposures.reset();
    feed.start((events) => this.ingest(events));
    this.publish();
    return this.deskStatus();
  }

  /** Numbers events in arrival order, records them first (when recording), then hands them to the engine. */
  private ingest(events: readonly MarketEvent[]): void {
    if (this.stopped) return;
    const recording = this.recording;
    if (recording) {
      // A failed commit keeps its events queued for the next try; the status shows recorder.lastError.
      for (const event of events) recording.recorder.record(event);
      recording.events += events.length;
    }
    const defs = [];
    for (const event of events) {
      // The app owns the events a feed hands over: numbering them in place saves a copy per event.
      const sequenced = event as SequencedEvent;
      sequenced.seq = ++this.seq;
      const change = this.engineInstance.apply(sequenced);
      if (change.kind === 'rejected') {
        this.monitor.rejected++;
        this.monitor.lastRejectReason = change.reason;
      }
      if (event.type === 'instrument') defs.push(event.instrument);
    }
    if (this.sourceSpec.kind !== 'replay') this.instruments.upsertMany(defs, this.feedInstance.source, this.feedClock.now());
    this.monitor.observe(events);
  }

  startRecording(name: string): DeskStatus {
    if (this.recording) throw new ApiException('INVALID_ARGUMENT', `already recording session ${this.recording.session.name}`);
    if (this.sourceSpec.kind === 'replay') throw new ApiException('INVALID_ARGUMENT', 'a replay cannot be recorded again: it is a recording already');
    if (this.log.sessionByName(name)) throw new ApiException('INVALID_ARGUMENT', `a session named ${JSON.stringify(name)} exists already`);
    const source: SessionSource = this.sourceSpec.kind === 'deribit' ? (this.sourceSpec.network === 'testnet' ? 'deribit-testnet' : 'deribit') : 'demo';
    const session = this.log.createSession(name, source, Math.floor(this.feedClock.now()));
    const recorder = new EventRecorder(this.log, session.id);
    // A recording must be replayable on its own: it starts with the current instruments and quotes.
    const snapshot = this.engineInstance.market.currentStateEvents();
    for (const event of snapshot) recorder.record(event);
    this.recording = { recorder, session, startedMs: Math.floor(this.feedClock.now()), events: snapshot.length };
    this.deskDirty = true;
    this.publishSessions();
    return this.deskStatus();
  }

  stopRecording(): DeskStatus {
    const recording = this.recording;
    if (recording) {
      this.recording = null;
      recording.recorder.close();
      // Nothing arrived (a live source never reached): an empty session would only clutter the list.
      if (this.log.session(recording.session.id).eventCount === 0) this.log.deleteSession(recording.session.id);
      this.deskDirty = true;
      this.publishSessions();
    }
    return this.deskStatus();
  }

  private recordingStatus(): RecordingStatus | null {
    const r = this.recording;
    return r
      ? { sessionId: r.session.id, session: r.session.name, startedMs: r.startedMs, eventsRecorded: r.events, lastError: r.recorder.lastError?.message ?? null }
      : null;
  }

  deskStatus(): DeskStatus {
    return {
      source: this.sourceSpec,
      recording: this.recordingStatus(),
      replay: this.feedInstance instanceof ReplayFeed ? this.feedInstance.progress() : null,
    };
  }

  private replayingSessionId(): number | null {
    return this.feedInstance instanceof ReplayFeed ? this.feedInstance.sessionId : null;
  }

  sessions(): SessionSummary[] {
    return this.log.listSessions().map(toSummary);
  }

  private registerApi(): void {
    const hub = this.hub;
    const market = () => this.engineInstance.market;
    const invalid = (fn: () => unknown): unknown => {
      try {
        return fn();
      } catch (error) {
        if (error instanceof ApiException) throw error;
        throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
      }
    };
    hub.handle('app.info', () => this.info());
    hub.handle('feed.status', () => this.monitor.status());
    hub.handle('desk.status', () => this.deskStatus());
    hub.handle('source.set', ({ source }) => this.switchSource(source));
    hub.handle('record.start', ({ session }) => this.startRecording(session));
    hub.handle('record.stop', () => this.stopRecording());
    hub.handle('sessions.list', () => this.sessions());
    hub.handle('sessions.rename', ({ id, name }) => {
      const renamed = invalid(() => this.log.renameSession(id, name)) as SessionRow;
      // The replay of this session goes on under its new name (a seek re-opens it by name).
      if (this.sourceSpec.kind === 'replay' && this.feedInstance instanceof ReplayFeed && this.replayingSessionId() === id) {
        this.feedInstance.renamed(renamed.name);
        this.sourceSpec = { ...this.sourceSpec, session: renamed.name };
        this.deskDirty = true;
      }
      this.publishSessions();
      return toSummary(renamed);
    });
    hub.handle('sessions.delete', ({ id }) => {
      if (this.recording?.session.id === id) throw new ApiException('INVALID_ARGUMENT', 'stop recording before deleting this session');
      if (this.replayingSessionId() === id) throw new ApiException('INVALID_ARGUMENT', 'switch to another source before deleting the session being replayed');
      invalid(() => this.log.deleteSession(id));
      this.publishSessions();
      return this.sessions();
    });
    hub.topic('exposure', ({ currency, convention, dynamics }) => {
      const stream: ExposureStream = { currency, convention, dynamics: dynamics ?? 'stickyStrike' };
      const key = exposureKey(stream);
      this.exposureKeys.set(key, stream);
      if (!hub.channel('exposure', key).current()) this.exposures.refresh(stream);
      return key;
    });
    hub.handle('positions.list', () => this.positionRepo.list());
    hub.handle('positions.set', ({ positions }) => {
      const seen = new Set<string>();
      for (const { instrument } of positions) {
        let parsed;
        try {
          parsed = parseOptionName(instrument);
        } catch (error) {
          throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
        }
        if (parsed.settlement !== 'inverse' || (parsed.currency !== 'BTC' && parsed.currency !== 'ETH')) {
          throw new ApiException('INVALID_ARGUMENT', `${instrument}: only BTC and ETH inverse options can be in the book`);
        }
        if (seen.has(instrument)) throw new ApiException('INVALID_ARGUMENT', `${instrument} is listed twice`);
        seen.add(instrument);
      }
      const rows = this.positionRepo.replaceAll(positions, Math.floor(this.feedClock.now()));
      this.positionBook = new Map(rows.map((p) => [p.instrument, p.amount]));
      this.exposures.positionsChanged();
      return rows;
    });
    hub.handle('import.tardis', ({ paths, session }) => this.jobs.startTardisImport(paths, session));
    hub.handle('jobs.cancel', ({ id }) => this.jobs.cancel(id));
    hub.topic('jobs', () => {
      if (!hub.channel('jobs', 'all').current()) hub.channel('jobs', 'all').publish(this.jobs.list());
      return 'all';
    });
    hub.handle('replay.control', ({ action, speed, toMs }) => this.controlReplay(action, speed, toMs));

    hub.topic('header', () => {
      if (!hub.channel('header', 'all').current()) this.publishHeader();
      return 'all';
    });
    hub.topic('desk', () => {
      if (!hub.channel('desk', 'all').current()) hub.channel('desk', 'all').publish(this.deskStatus());
      return 'all';
    });
    hub.topic('sessions', () => {
      if (!hub.channel('sessions', 'all').current()) this.publishSessions();
      return 'all';
    });
    hub.topic('expiries', ({ currency }) => {
      const channel = hub.channel('expiries', currency);
      if (!channel.current()) channel.publish(expiryList(market(), currency));
      return currency;
    });
    hub.topic('chain', ({ currency, expiry }) => {
      const book = market().currencies.get(currency)?.expiryByLabel(expiry);
      if (!book) throw new ApiException('NOT_FOUND', `no ${currency} expiry ${expiry} in the current market`);
      const key = `${currency}/${expiry}`;
      const channel = hub.channel('chain', key);
      if (!channel.current() || channel.current()!.data.expiryMs !== book.expiryMs || this.dirtyBooks.has(book)) {
        channel.publish(chainSnapshot(market(), book));
      }
      return key;
    });
  }

  private controlReplay(action: 'pause' | 'resume' | 'speed' | 'seek', speed?: number | 'max', toMs?: number): DeskStatus {
    const feed = this.feedInstance;
    const spec = this.sourceSpec;
    if (!(feed instanceof ReplayFeed) || spec.kind !== 'replay') throw new ApiException('INVALID_ARGUMENT', 'no replay is running');
    switch (action) {
      case 'pause':
        feed.pause();
        break;
      case 'resume':
        feed.resume();
        break;
      case 'speed':
        if (speed === undefined) throw new ApiException('INVALID_ARGUMENT', 'speed needs a speed');
        feed.setSpeed(speed);
        this.sourceSpec = { ...spec, speed };
        break;
      case 'seek': {
        if (toMs === undefined) throw new ApiException('INVALID_ARGUMENT', 'seek needs toMs');
        // Seeking rebuilds the state: replay from the start with everything before toMs applied at once.
        const paused = feed.progress().paused;
        this.switchSource({ ...spec, fromMs: toMs });
        if (paused && this.feedInstance instanceof ReplayFeed) this.feedInstance.pause();
        break;
      }
    }
    this.deskDirty = true;
    return this.deskStatus();
  }

  info(): AppInfo {
    return {
      name: 'GammaDesk',
      version: APP_VERSION,
      mode: this.options.mode,
      dbPath: this.options.dbPath,
      source: this.feedInstance.source,
      currencies: [...CURRENCIES],
      eventsApplied: this.engineInstance.eventsApplied,
    };
  }

  private publishHeader(): void {
    this.hub.channel('header', 'all').publish(headerSnapshot(this.engineInstance.market, this.monitor.status(), CURRENCIES));
  }

  private publishSessions(): void {
    this.hub.channel('sessions', 'all').publish(this.sessions());
  }

  /** Publishes what changed since the last interval, to the streams somebody listens to. */
  private publish(): void {
    this.publishHeader();
    const market = this.engineInstance.market;
    if (this.deskDirty || this.recording || this.feedInstance instanceof ReplayFeed) {
      this.hub.channel('desk', 'all').publish(this.deskStatus());
      this.deskDirty = false;
    }
    if (this.jobsDirty) {
      this.jobsDirty = false;
      this.hub.channel('jobs', 'all').publish(this.jobs.list());
    }
    if (this.sessionsDirty) {
      this.sessionsDirty = false;
      this.publishSessions();
    }
    // While recording, the session list shows the growing session once a second.
    if (this.recording && this.feedClock.now() - this.lastSessionsPublishMs >= 1000) {
      this.lastSessionsPublishMs = this.feedClock.now();
      this.publishSessions();
    }
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
    this.feedInstance.stop();
    this.stopRecording();
    this.exposures.stop();
    await this.jobs.cancelAll();
    if (this.publishTimer) clearInterval(this.publishTimer);
    this.engineInstance.dispose();
    await this.pool.close();
    this.db.close();
  }
}
