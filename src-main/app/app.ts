/**
 * Composition: builds the store, worker pool, kernel, feed and API hub from settings, plus the services around
 * the kernel (sources, sessions and recording, positions, import jobs). The one place that knows how the parts
 * fit; the kernel (engine/kernel.ts) numbers, journals and applies events and runs every analytics schedule.
 *
 * Switching the source (demo, live Deribit, a recorded session) replaces feed and kernel together, so the new
 * source starts from an empty market state.
 */
import { dirname, extname, join, resolve } from 'node:path';
import type { AppInfo, DeskStatus, RecordingStatus, SessionSummary, SourceSpec } from '../api/dto';
import type { TopicPayloads } from '../api/contract';
import { ApiException } from '../api/errors';
import { CURRENCIES, type MarketEvent } from '../core/market/events';
import type { Engine } from '../engine/engine';
import { exposureKey, type ExposureStream } from '../engine/exposureSnapshot';
import { Kernel } from '../engine/kernel';
import { realScheduler, type KernelSnapshots, type KernelTopic, type Scheduler, type SnapshotPort } from '../engine/ports';
import { headerSnapshot } from '../engine/snapshots';
import { DeribitFeed } from '../feeds/deribit/deribitFeed';
import { assertWindow, ReplayFeed } from '../feeds/recording/replayFeed';
import { DemoFeed } from '../feeds/simulator/demoFeed';
import { systemFeedClock, type FeedAdapter, type FeedClock } from '../feeds/types';
import { openDatabase, type Db } from '../store/database';
import { EventLog, type SessionRow, type SessionSource } from '../store/eventLog';
import { DEFAULT_JOURNAL_MAX_BYTES, Journal, JOURNAL_MAX_BYTES_SETTING } from '../store/journal';
import { SettingsRepository } from '../store/settings';
import { InstrumentRepository } from '../store/instruments';
import { PositionRepository } from '../store/positions';
import { parseOptionName } from '../core/pricing/instrument';
import { FeedMonitor } from './feedMonitor';
import { GreeksPool } from './greeksPool';
import { defaultImportFolder, ensureImportFolder } from './importFolder';
import { JobRunner } from './jobs';
import { JobsPool } from './jobsPool';
import { parseTardisInPool } from './tardisParseJob';
import { ApiHub, type CommandHandlers, type TopicResolvers } from './hub';

export const APP_VERSION = '0.1.0';
export const DEFAULT_DEMO_SEED = 42;

export interface GammaDeskOptions {
  dbPath: string;
  mode: AppInfo['mode'];
  worker: { filename: string; execArgv?: string[] };
  /**
   * The long-jobs worker entry (app/jobsPool.ts); default `jobsWorker` next to `worker` with the same extension and
   * execArgv (out/main/jobsWorker.cjs beside greeksWorker.cjs, or the TypeScript sources in tests).
   */
  jobsWorker?: { filename: string; execArgv?: string[] };
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
  /**
   * The folder `import.tardis` may read from (app/importFolder.ts); default `imports` next to the database,
   * created 0700.
   */
  importFolder?: string;
  /** The journal's size limit in bytes, replacing the saved setting (default 1 GiB). */
  journalMaxBytes?: number;
  /** The size at which a journal segment is closed and a new one started (tests; default a-eighth of the limit). */
  journalSegmentBytes?: number;
}

/** A recording: the journal segment kept under the trader's name, from the seq it started at. */
interface Recording {
  session: SessionRow;
  firstSeq: number;
  startedMs: number;
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
  readonly journal: Journal;
  readonly settings: SettingsRepository;
  readonly jobs: JobRunner;
  /** Long jobs (imports), apart from the live pool. */
  readonly jobsPool: JobsPool;
  readonly positionRepo: PositionRepository;
  private positionBook = new Map<string, number>();
  /** Exposure streams ever asked for: a new source's kernel follows them too. */
  private readonly exposureStreams = new Map<string, ExposureStream>();
  private jobsDirty = false;
  private sessionsDirty = false;
  private kernelInstance!: Kernel;
  private feedInstance!: FeedAdapter;
  /** The running replay, when the source is a recorded session. */
  private replay: ReplayFeed | null = null;
  private monitor!: FeedMonitor;
  private sourceSpec: SourceSpec;
  private readonly instruments: InstrumentRepository;

  /** The instrument universe as last listed by the feeds (tests list an instrument the market does not quote). */
  get instrumentRepository(): InstrumentRepository {
    return this.instruments;
  }
  private readonly feedClock: FeedClock;
  private readonly snapshots: SnapshotPort;
  private recording: Recording | null = null;
  private sourceChange: DeskStatus['sourceChange'] = null;
  private deskDirty = true;
  private started = false;
  private stopped = false;
  private lastSessionsPublishMs = 0;
  private lastDeskPublishMs = 0;

  private constructor(private readonly options: GammaDeskOptions) {
    this.feedClock = options.feedClock ?? systemFeedClock;
    this.db = openDatabase(options.dbPath, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
    this.log = new EventLog(this.db);
    // Imports killed mid-way (kill -9, power loss) left a staging session nobody can see: remove it, and say so.
    for (const abandoned of this.log.removeAbandonedStaging()) {
      console.error(`[gammadesk] removed an incomplete import (${abandoned.eventCount} events, started ${new Date(abandoned.createdMs).toISOString()}): its process had ended before it completed`);
    }
    this.settings = new SettingsRepository(this.db);
    this.journal = new Journal(this.log, {
      maxBytes: options.journalMaxBytes ?? this.settings.get<number>(JOURNAL_MAX_BYTES_SETTING) ?? DEFAULT_JOURNAL_MAX_BYTES,
      ...(options.journalSegmentBytes !== undefined ? { segmentBytes: options.journalSegmentBytes } : {}),
      now: () => this.feedClock.now(),
      ...(options.scheduler ? { timers: options.scheduler } : {}),
    });
    this.instruments = new InstrumentRepository(this.db);
    this.positionRepo = new PositionRepository(this.db);
    this.positionBook = new Map(this.positionRepo.list().map((p) => [p.instrument, p.amount]));
    const importFolder = options.importFolder !== undefined ? resolve(options.importFolder) : defaultImportFolder(options.dbPath);
    if (importFolder !== null) ensureImportFolder(importFolder);
    const jobsWorker = options.jobsWorker ?? {
      filename: join(dirname(options.worker.filename), `jobsWorker${extname(options.worker.filename)}`),
      ...(options.worker.execArgv ? { execArgv: options.worker.execArgv } : {}),
    };
    this.jobsPool = new JobsPool(jobsWorker);
    const jobsPool = this.jobsPool;
    this.jobs = new JobRunner(
      this.log,
      () => Math.floor(this.feedClock.now()),
      (finished) => {
        this.jobsDirty = true;
        // A finished (or failed part-way) import has written a session.
        if (finished) this.sessionsDirty = true;
      },
      importFolder,
      (parse) => parseTardisInPool(jobsPool, parse),
    );
    this.pool = new GreeksPool({
      filename: options.worker.filename,
      ...(options.worker.execArgv ? { execArgv: options.worker.execArgv } : {}),
    });
    // The kernel publishes into the hub's channels: chains and expiry lists while somebody listens or keeps the
    // latest value; exposures (expensive) only while somebody listens.
    const hub = this.hub;
    this.snapshots = {
      wanted: (topic, key) => {
        const channel = hub.channel(topic, key);
        return channel.subscriberCount > 0 || (topic !== 'exposure' && channel.current() !== null);
      },
      // KernelSnapshots[T] is TopicPayloads[T] (a Pick of it); TypeScript cannot see that through the generic.
      publish: <T extends KernelTopic>(topic: T, key: string, snapshot: KernelSnapshots[T]) => hub.channel<T>(topic, key).publish(snapshot as TopicPayloads[T]),
    };
    this.sourceSpec = options.source ?? { kind: 'demo', seed: options.demoSeed ?? DEFAULT_DEMO_SEED };
    const { feed, replay } = options.feed ? { feed: options.feed, replay: null } : this.createFeed(this.sourceSpec);
    this.install(feed, replay);
    this.registerApi();
  }

  static start(options: GammaDeskOptions): GammaDeskApp {
    const app = new GammaDeskApp(options);
    app.started = true;
    app.kernel.start();
    app.feedInstance.start((events) => app.ingest(events));
    return app;
  }

  get engine(): Engine {
    return this.kernelInstance.engine;
  }

  /** The kernel of the current source (a new one with each source). */
  get kernel(): Kernel {
    return this.kernelInstance;
  }

  get feed(): FeedAdapter {
    return this.feedInstance;
  }

  get source(): SourceSpec {
    return this.sourceSpec;
  }

  /** A fresh kernel and monitor for a feed (the feed is not started here). */
  private install(feed: FeedAdapter, replay: ReplayFeed | null): void {
    const previousSeq = this.kernelInstance?.seq ?? 0;
    this.kernelInstance?.dispose();
    // Live and demo markets are journaled, numbered on from the last seq ever given out. A replay's events are in
    // the log already: it is not journaled again, and keeps the seqs it was stored with.
    this.journal.beginSource(replay ? 'recording' : feed.source === 'deribit' ? this.deribitSource() : 'demo');
    const lastSeq = replay ? (this.log.firstSeq(replay.sessionId) ?? 1) - 1 : Math.max(previousSeq, this.log.lastMarketSeq());
    this.feedInstance = feed;
    this.replay = replay;
    this.monitor = new FeedMonitor(feed, () => this.feedClock.now());
    // A replay at max speed delivers seconds of market in milliseconds: coalesce analytics over longer bursts.
    const spec = this.sourceSpec as SourceSpec | undefined;
    const fastReplay = spec?.kind === 'replay' && spec.speed === 'max';
    this.kernelInstance = new Kernel({
      greeks: this.pool,
      exposures: this.pool,
      scheduler: this.options.scheduler ?? realScheduler,
      snapshots: this.snapshots,
      journal: replay ? null : this.journal,
      lastSeq,
      greeksCoalesceMs: fastReplay ? 250 : 50,
      publishIntervalMs: this.options.publishIntervalMs ?? 200,
      positions: () => this.positionBook,
      onPublish: () => this.publishServices(),
      onError: (error) => console.error('[gammadesk] analytics error:', error),
    });
    // What the old market published is not the new source's: nobody gets it any more (a reload, another window).
    this.hub.resetTopics(['chain', 'expiries', 'exposure']);
    for (const stream of this.exposureStreams.values()) {
      if (this.hub.channel('exposure', exposureKey(stream)).subscriberCount > 0) this.kernelInstance.watchExposure(stream);
    }
    if (this.started) this.kernelInstance.start();
    this.deskDirty = true;
  }

  private createFeed(spec: SourceSpec): { feed: FeedAdapter; replay: ReplayFeed | null } {
    const custom = this.options.feedFactory?.(spec);
    if (custom) return { feed: custom, replay: null };
    switch (spec.kind) {
      case 'demo':
        return { feed: new DemoFeed(spec.seed ?? DEFAULT_DEMO_SEED, this.feedClock), replay: null };
      case 'replay': {
        const session = this.log.sessionByName(spec.session);
        if (!session) throw new ApiException('NOT_FOUND', `no recorded session named ${JSON.stringify(spec.session)}`);
        try {
          assertWindow(session, spec.fromMs, spec.toMs);
        } catch (error) {
          throw new ApiException('INVALID_ARGUMENT', (error as Error).message);
        }
        const replay = new ReplayFeed({
          log: this.log,
          session,
          speed: spec.speed,
          clock: this.feedClock,
          ...(spec.fromMs !== undefined ? { fromMs: spec.fromMs } : {}),
          ...(spec.toMs !== undefined ? { toMs: spec.toMs } : {}),
          onDone: () => {
            // Final analytics from the final state only (as `gammadesk replay` reports them).
            this.kernelInstance.refreshAll();
            this.deskDirty = true;
          },
        });
        return { feed: replay, replay };
      }
      case 'deribit': {
        const feed = new DeribitFeed({
          network: spec.network,
          clock: this.feedClock,
          // A local endpoint instead of Deribit's (tests against the mock server; a proxy).
          ...(this.options.deribitUrl ? { url: this.options.deribitUrl } : {}),
          log: (message) => console.error(`[deribit] ${message}`),
        });
        return { feed, replay: null };
      }
    }
  }

  /** Replaces the running feed and engine with a new source. A recording in progress is stopped first. */
  switchSource(spec: SourceSpec, origin: string | null = null): DeskStatus {
    if (this.stopped) throw new ApiException('UNAVAILABLE', 'GammaDesk is stopping');
    const { feed, replay } = this.createFeed(spec); // throws before anything changes when the source cannot be built
    this.stopRecording(false);
    this.feedInstance.stop();
    this.sourceSpec = spec;
    this.install(feed, replay);
    this.sourceChange = { atMs: Math.floor(this.feedClock.now()), by: origin };
    feed.start((events) => this.ingest(events));
    this.publishServices();
    return this.deskStatus();
  }

  /** A feed's batch: the kernel numbers, journals and applies it; the app counts rejects and keeps instruments. */
  private ingest(events: readonly MarketEvent[]): void {
    if (this.stopped) return;
    const result = this.kernelInstance.ingest(events);
    if (result.rejected > 0) {
      this.monitor.rejected += result.rejected;
      this.monitor.lastRejectReason = result.lastRejection;
    }
    if (!this.replay) {
      const defs = [];
      for (const event of events) if (event.type === 'instrument') defs.push(event.instrument);
      if (defs.length > 0) this.instruments.upsertMany(defs, this.feedInstance.source, this.feedClock.now());
    }
    this.monitor.observe(events);
    // A full journal segment is closed; the next one starts with the market state, so it replays on its own.
    if (!this.replay && !this.recording && this.journal.segmentFull()) {
      this.kernelInstance.checkpoint((firstSeq, state) => this.journal.startSegment(firstSeq, state, null));
    }
  }

  private deribitSource(): SessionSource {
    return this.sourceSpec.kind === 'deribit' && this.sourceSpec.network === 'testnet' ? 'deribit-testnet' : 'deribit';
  }

  /**
   * Record: the journal starts a new segment with the market state at this moment, kept under `name`; events are
   * journaled into it until Record stops.
   */
  startRecording(name: string): DeskStatus {
    if (this.recording) throw new ApiException('INVALID_ARGUMENT', `already recording session ${this.recording.session.name}`);
    if (this.replay) throw new ApiException('INVALID_ARGUMENT', 'a replay cannot be recorded again: it is a recording already');
    if (this.log.sessionByName(name)) throw new ApiException('INVALID_ARGUMENT', `a session named ${JSON.stringify(name)} exists already`);
    const startedMs = Math.floor(this.feedClock.now());
    const { session, firstSeq } = this.kernelInstance.checkpoint((first, state) => ({ session: this.journal.startSegment(first, state, name), firstSeq: first }));
    this.recording = { session, firstSeq, startedMs };
    this.deskDirty = true;
    this.publishSessions();
    return this.deskStatus();
  }

  /**
   * Ends the kept segment. The journal goes on in a new unkept segment, unless the source is about to change or
   * the app to stop (`journalGoesOn` false), when the next source's events open their own.
   */
  stopRecording(journalGoesOn = true): DeskStatus {
    const recording = this.recording;
    if (recording) {
      this.recording = null;
      if (journalGoesOn && !this.stopped) this.kernelInstance.checkpoint((firstSeq, state) => this.journal.startSegment(firstSeq, state, null));
      else this.journal.endSegment();
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
      ? { sessionId: r.session.id, session: r.session.name, startedMs: r.startedMs, eventsRecorded: this.kernelInstance.seq - r.firstSeq + 1, lastError: this.journal.lastError }
      : null;
  }

  deskStatus(): DeskStatus {
    return {
      source: this.sourceSpec,
      sourceChange: this.sourceChange,
      recording: this.recordingStatus(),
      replay: this.replay?.progress() ?? null,
      journal: this.journal.status(),
    };
  }

  /**
   * A session the trader may rename or delete: a recording or an import. Journal segments are the journal's own
   * (the fuzz soak found that deleting the one being written broke the next source switch): not found.
   */
  private userSession(id: number): SessionRow {
    const row = this.log.findSession(id);
    if (!row || row.kind === 'journal') throw new ApiException('NOT_FOUND', `no session with id ${id}`);
    return row;
  }

  /**
   * What is wrong with a book line, in a trader's words, or null: the instrument must be listed (in the current
   * market, or by the last feed that listed it) and not expired, and the amount a whole number of Deribit's lots.
   */
  private bookLineProblem(instrument: string, amount: number): string | null {
    const def = this.engine.market.option(instrument)?.state.def ?? this.instruments.find(instrument);
    if (!def) return `${instrument} is not a listed instrument (no such expiry or strike)`;
    const nowMs = this.engine.market.timeMs;
    if (def.expiryMs !== null && nowMs > 0 && def.expiryMs <= nowMs) return `${instrument} has expired`;
    const lot = def.minTradeAmount;
    const contracts = Math.abs(amount);
    if (contracts < lot - 1e-12) return `${contracts} contracts of ${instrument} is below Deribit's minimum of ${lot}`;
    const lots = contracts / lot;
    if (Math.abs(lots - Math.round(lots)) > 1e-9) return `${contracts} contracts of ${instrument} is not a whole number of Deribit's ${lot}-contract lots`;
    return null;
  }

  private replayingSessionId(): number | null {
    return this.replay?.sessionId ?? null;
  }

  sessions(): SessionSummary[] {
    return this.log.listSessions().map(toSummary);
  }

  private registerApi(): void {
    const hub = this.hub;
    const invalid = (fn: () => unknown): unknown => {
      try {
        return fn();
      } catch (error) {
        if (error instanceof ApiException) throw error;
        throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
      }
    };
    // One table per contract domain: `satisfies` makes a command or topic without a handler a type error.
    const marketHandlers = {
      'app.info': () => this.info(),
      'feed.status': () => this.monitor.status(),
    } satisfies CommandHandlers<'market'>;
    const sessionsHandlers = {
      'desk.status': () => this.deskStatus(),
      'source.set': ({ source, origin }) => this.switchSource(source, origin ?? null),
      'record.start': ({ session }) => this.startRecording(session),
      'record.stop': () => this.stopRecording(),
      'sessions.list': () => this.sessions(),
      'sessions.rename': ({ id, name }) => {
        this.userSession(id);
        const renamed = invalid(() => this.log.renameSession(id, name)) as SessionRow;
        // The replay of this session goes on under its new name (a seek re-opens it by name).
        if (this.sourceSpec.kind === 'replay' && this.replay && this.replayingSessionId() === id) {
          this.replay.renamed(renamed.name);
          this.sourceSpec = { ...this.sourceSpec, session: renamed.name };
          this.deskDirty = true;
        }
        this.publishSessions();
        return toSummary(renamed);
      },
      'sessions.delete': ({ id }) => {
        if (this.recording?.session.id === id) throw new ApiException('INVALID_ARGUMENT', 'stop recording before deleting this session');
        if (this.replayingSessionId() === id) throw new ApiException('INVALID_ARGUMENT', 'switch to another source before deleting the session being replayed');
        this.userSession(id);
        invalid(() => this.log.deleteSession(id));
        this.publishSessions();
        return this.sessions();
      },
      'import.tardis': ({ paths, session }) => this.jobs.startTardisImport(paths, session),
      'jobs.cancel': ({ id }) => this.jobs.cancel(id),
      'replay.control': ({ action, speed, toMs }) => this.controlReplay(action, speed, toMs),
      'journal.setLimit': ({ maxBytes }) => {
        this.journal.setMaxBytes(maxBytes);
        this.settings.set(JOURNAL_MAX_BYTES_SETTING, maxBytes, Math.floor(this.feedClock.now()));
        this.deskDirty = true;
        return this.deskStatus();
      },
    } satisfies CommandHandlers<'sessions'>;
    const positionsHandlers = {
      'positions.list': () => this.positionRepo.list(),
      'positions.set': ({ positions }) => {
        const seen = new Set<string>();
        const problems: string[] = [];
        for (const { instrument, amount } of positions) {
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
          // A zero line removes the position (it is not stored): nothing to check.
          const problem = amount === 0 ? null : this.bookLineProblem(instrument, amount);
          if (problem) problems.push(problem);
        }
        // All or nothing, with every problem named: a half-saved book would be worse than none.
        if (problems.length > 0) throw new ApiException('INVALID_ARGUMENT', `the book was not saved: ${problems.join('; ')}`);
        const rows = this.positionRepo.replaceAll(positions, Math.floor(this.feedClock.now()));
        this.positionBook = new Map(rows.map((p) => [p.instrument, p.amount]));
        this.kernel.positionsChanged();
        return rows;
      },
    } satisfies CommandHandlers<'positions'>;
    hub.handleAll({ ...marketHandlers, ...sessionsHandlers, ...positionsHandlers } satisfies CommandHandlers);

    const marketResolvers = {
      header: () => {
        if (!hub.channel('header', 'all').current()) this.publishHeader();
        return 'all';
      },
      expiries: ({ currency }) => {
        if (!hub.channel('expiries', currency).current()) this.kernel.publishExpiries(currency);
        return currency;
      },
      chain: ({ currency, expiry }) => {
        const key = this.kernel.publishChain(currency, expiry);
        if (key === null) throw new ApiException('NOT_FOUND', `no ${currency} expiry ${expiry} in the current market`);
        return key;
      },
      exposure: ({ currency, convention, dynamics }) => {
        const stream: ExposureStream = { currency, convention, dynamics: dynamics ?? 'stickyStrike' };
        this.exposureStreams.set(exposureKey(stream), stream);
        return this.kernel.watchExposure(stream);
      },
    } satisfies TopicResolvers<'market'>;
    const sessionsResolvers = {
      desk: () => {
        if (!hub.channel('desk', 'all').current()) hub.channel('desk', 'all').publish(this.deskStatus());
        return 'all';
      },
      sessions: () => {
        if (!hub.channel('sessions', 'all').current()) this.publishSessions();
        return 'all';
      },
      jobs: () => {
        if (!hub.channel('jobs', 'all').current()) hub.channel('jobs', 'all').publish(this.jobs.list());
        return 'all';
      },
    } satisfies TopicResolvers<'sessions'>;
    hub.topicAll({ ...marketResolvers, ...sessionsResolvers } satisfies TopicResolvers);
  }

  private controlReplay(action: 'pause' | 'resume' | 'speed' | 'seek', speed?: number | 'max', toMs?: number): DeskStatus {
    const feed = this.replay;
    const spec = this.sourceSpec;
    if (!feed || spec.kind !== 'replay') throw new ApiException('INVALID_ARGUMENT', 'no replay is running');
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
        // A paused or finished replay lands paused at the seek point, so the trader sees that moment (a finished
        // one at max speed would otherwise run straight back to its end and look as if the seek did nothing).
        const { paused, done } = feed.progress();
        this.switchSource({ ...spec, fromMs: toMs });
        if (paused || done) this.replay?.pause();
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
      eventsApplied: this.kernelInstance.engine.eventsApplied,
    };
  }

  private publishHeader(): void {
    this.hub.channel('header', 'all').publish(headerSnapshot(this.kernelInstance.engine.market, this.monitor.status(), CURRENCIES));
  }

  private publishSessions(): void {
    this.hub.channel('sessions', 'all').publish(this.sessions());
  }

  /**
   * The services' streams, once per kernel publish round (after the kernel's chains and expiry lists): feed
   * health in the header, desk status, jobs and sessions.
   */
  private publishServices(): void {
    this.publishHeader();
    // Recording and replay progress every round; the journal's growth at most once a second.
    const now = this.feedClock.now();
    if (this.deskDirty || this.recording || this.replay || now - this.lastDeskPublishMs >= 1000) {
      this.hub.channel('desk', 'all').publish(this.deskStatus());
      this.deskDirty = false;
      this.lastDeskPublishMs = now;
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
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.feedInstance.stop();
    this.stopRecording(false);
    this.journal.endSegment();
    await this.jobs.cancelAll();
    this.kernelInstance.dispose();
    await this.pool.close();
    await this.jobsPool.close();
    this.db.close();
  }
}
