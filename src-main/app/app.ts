/**
 * Composition: builds the store, worker pool, kernel, feed and API hub from settings, plus the services around
 * the kernel (sources, sessions and recording, positions, import jobs). The one place that knows how the parts
 * fit; the kernel (engine/kernel.ts) numbers, journals and applies events and runs every analytics schedule.
 *
 * Switching the source (demo, live Deribit, a recorded session) replaces feed and kernel together, so the new
 * source starts from an empty market state.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename, dirname, extname, join, resolve } from 'node:path';
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
import { BookService, type InstrumentLookup } from './book';
import { HedgeSettingsStore } from './hedgeSettings';
import { HedgeDesk } from './hedgeDesk';
import type { ForecastEvaluateResult } from '../core/forecast/fileEvaluation';
import { loadAccountIntoBook } from './execution/accountLoad';
import { deribitVenueFrom, executionChoice, SETTING_VENUE, type ExecutionStatus } from './execution/venueChoice';
import { SETTING_MAINNET_CONFIRMED, SETTING_NETWORK } from './execution/deribitVenue';
import { describeCredentials, EnvSecretStore, type SecretStore } from './secrets';
import type { ExecutionVenue } from '../core/execution/venue';
import { RiskService } from './riskService';
import { riskSnapshot, riskTaskInput } from '../engine/riskSnapshot';
import { WhatIfService, type RiskHistoryFiles } from './whatIfService';
import { PME_COMPARE_DEFAULTS, PmeComparisons, pmeUnavailableReason, secondsSetting, SETTING_PME_INTERVAL, SETTING_PME_STALE } from './pmeComparison';
import { DeribitPrivateClient } from '../feeds/deribit/privateClient';
import { deribitUrl } from '../feeds/deribit/client';
import { ModelsService } from './modelsService';
import { BacktestService } from './backtestService';
import { AlertService } from './alertService';
import { PaperVenue } from './execution/paperVenue';
import { paperMarketFrom } from './execution/marketBooks';
import { AuditLog } from '../store/audit';
import type { AuditRowDto, RecommendationDto } from '../api/dto';
import type { Recommendation } from '../store/recommendations';
import type { EpochMs } from '../core/units';
import { PassThrough } from 'node:stream';
import { FeedMonitor } from './feedMonitor';
import { GreeksPool } from './greeksPool';
import { defaultImportFolder, ensureImportFolder, resolveImportPath } from './importFolder';
import { JobRunner } from './jobs';
import { JobsPool } from './jobsPool';
import { parseTardisInPool } from './tardisParseJob';
import { ApiHub, type CommandHandlers, type TopicResolvers } from './hub';

export const APP_VERSION = '0.1.0';
export const DEFAULT_DEMO_SEED = 42;
/** The largest price file the app's forecast evaluation reads (the CLI reads any size). */
const MAX_PRICE_FILE_BYTES = 256 * 2 ** 20;

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
  /** Where the Deribit API key comes from (default: the environment variables; Electron: safeStorage). */
  secrets?: SecretStore;
  /** Daily price and DVOL files for the Risk view's historical scenarios (`GAMMADESK_<CUR>_HISTORY`/`_DVOL`); none by default. */
  riskHistory?: RiskHistoryFiles;
  /** The journal's size limit in bytes, replacing the saved setting (default 1 GiB). */
  journalMaxBytes?: number;
  /** The size at which a journal segment is closed and a new one started (tests; default a-eighth of the limit). */
  journalSegmentBytes?: number;
  /**
   * The training worker (learn/trainWorker.ts); default `trainWorker.cjs` beside a built `worker`, or the TypeScript
   * source `src-main/learn/trainWorker.ts` beside the `src-main/workers` sources in tests.
   */
  trainWorker?: { file: string; execArgv?: string[] };
  /**
   * Hourly BTC closes for the Models view's bootstrapped test paths (2021–2022); default the Bitstamp file of the
   * shared data folder when it is there (a development checkout), else none (that simulator is then unavailable).
   */
  historyFile?: string | null;
}

/** Where a development checkout keeps the hourly BTC history (the CLI's `evaluate --simulator bootstrap` default). */
const DEV_HISTORY_FILE = resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');

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
  readonly book: BookService;
  readonly hedgeSettings: HedgeSettingsStore;
  desk: HedgeDesk;
  readonly risk: RiskService;
  readonly alerts: AlertService;
  readonly whatIf: WhatIfService;
  readonly models: ModelsService;
  readonly backtests: BacktestService;
  /** Why the chosen execution venue is not available (approvals are refused meanwhile). */
  private venueProblem: string | null = null;
  /** Replica vs Deribit: the private session for pme/simulate, and the last availability check. */
  private pmeSession: { key: string; client: DeribitPrivateClient } | null = null;
  private pmeReason: { atMs: number; reason: string | null } | null = null;
  private readonly paperVenue: PaperVenue;
  private readonly secrets: SecretStore;
  /** Long jobs (imports), apart from the live pool. */
  readonly jobsPool: JobsPool;
  /** Exposure streams ever asked for: a new source's kernel follows them too. */
  private readonly exposureStreams = new Map<string, ExposureStream>();
  private jobsDirty = false;
  private bookDirty = false;
  /** The only folder the UI may read files from (imports, price files); null without one. */
  private importFolderPath: string | null = null;
  private recommendationsDirty = false;
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
    // The learned policy may only run a model that passed its gate (the models service knows).
    this.hedgeSettings = new HedgeSettingsStore(this.settings, () => Math.floor(this.feedClock.now()), { refusal: (id) => this.models.refusal(id) });
    const clock = (): EpochMs => Math.floor(this.feedClock.now()) as EpochMs;
    const audit = new AuditLog(this.db, clock);
    // The paper ledger fills against whatever market is current (a new source brings a new market state).
    const paper = new PaperVenue(this.db, {
      book: (name) => paperMarketFrom(this.engine.market).book(name),
      instrument: (name) => paperMarketFrom(this.engine.market).instrument(name),
    }, clock);
    this.book = new BookService(new PositionRepository(this.db), this.instrumentLookup, () => this.engine.market.timeMs, () => {
      this.bookDirty = true;
      this.kernelInstance.positionsChanged();
    });
    this.paperVenue = paper;
    this.secrets = options.secrets ?? new EnvSecretStore();
    this.desk = this.createDesk(audit, this.chosenVenue());
    this.risk = new RiskService({
      hub: this.hub,
      settings: this.settings,
      market: () => this.engine.market,
      book: () => ({ version: this.book.version, positions: this.book.positions() }),
      hedge: (currency) => this.kernel.hedgeSnapshot(currency),
      nowMs: () => this.feedClock.now(),
      wallMs: () => performance.now(),
      // The snapshot on the worker pool, except in a replay (its snapshots must come at the same market times).
      pool: { computeRiskSnapshot: (input) => this.pool.computeRiskSnapshot(input) },
      offThread: () => this.sourceSpec.kind !== 'replay',
      pme: new PmeComparisons({
        unavailable: () => this.pmeUnavailable(),
        simulate: (currency, positions) => this.pmeClient().pmeSimulate(currency, positions),
        nowMs: () => Date.now(),
        intervalMs: () => secondsSetting(this.settings.get<unknown>(SETTING_PME_INTERVAL), PME_COMPARE_DEFAULTS.intervalMs),
        staleAfterMs: () => secondsSetting(this.settings.get<unknown>(SETTING_PME_STALE), PME_COMPARE_DEFAULTS.staleAfterMs),
      }),
      onError: (error) => console.error('[gammadesk] risk snapshot on the pool failed:', error),
    });
    this.whatIf = new WhatIfService({
      market: () => this.engine.market,
      book: () => ({ version: this.book.version, positions: this.book.positions() }),
      lineProblem: (position) => this.book.lineProblem(position),
      risk: this.risk,
      history: options.riskHistory ?? {},
      wallMs: () => performance.now(),
      // Off the main thread like the live snapshots, except in a replay (in-process and deterministic there).
      compute: (inputs) => (this.sourceSpec.kind === 'replay' ? Promise.resolve(riskSnapshot(inputs)) : this.pool.computeRiskSnapshot(riskTaskInput(inputs))),
    });
    this.alerts = new AlertService({
      db: this.db,
      hub: this.hub,
      audit,
      market: () => this.engine.market,
      book: () => this.book.positions(),
      feed: () => this.monitor.status(),
      recommendations: () => this.desk.recommendations.list(['proposed', 'failed']),
      session: () => (this.sourceSpec.kind === 'replay' ? this.sourceSpec.session : (this.recording?.session.name ?? null)),
      nowMs: () => this.feedClock.now(),
    });
    const importFolder = options.importFolder !== undefined ? resolve(options.importFolder) : defaultImportFolder(options.dbPath);
    this.importFolderPath = importFolder;
    if (importFolder !== null) ensureImportFolder(importFolder);
    const jobsWorker = options.jobsWorker ?? {
      filename: join(dirname(options.worker.filename), `jobsWorker${extname(options.worker.filename)}`),
      ...(options.worker.execArgv ? { execArgv: options.worker.execArgv } : {}),
    };
    this.jobsPool = new JobsPool(jobsWorker);
    const jobsPool = this.jobsPool;
    const workerExt = extname(options.worker.filename);
    this.models = new ModelsService({
      db: this.db,
      hub: this.hub,
      hedgeSettings: () => this.hedgeSettings,
      jobsPool,
      trainWorker: options.trainWorker ?? (workerExt === '.ts' ? { file: join(dirname(options.worker.filename), '..', 'learn', 'trainWorker.ts') } : { file: join(dirname(options.worker.filename), `trainWorker${workerExt}`) }),
      market: () => this.engine.market,
      realized: (currency) => this.kernel.surface?.snapshot(currency)?.realized ?? null,
      nowMs: () => this.feedClock.now(),
      historyFile: options.historyFile !== undefined ? options.historyFile : existsSync(DEV_HISTORY_FILE) ? DEV_HISTORY_FILE : null,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      onModelsChanged: () => {
        for (const currency of CURRENCIES) this.kernel.refreshHedge(currency);
      },
    });
    this.backtests = new BacktestService({
      db: this.db,
      dbPath: options.dbPath,
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
      hub: this.hub,
      jobsPool,
      book: () => this.book.positions(),
      nowMs: () => this.feedClock.now(),
      passesCurrentGate: (id) => this.models.passesCurrentGate(id),
    });
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
      publish: <T extends KernelTopic>(topic: T, key: string, snapshot: KernelSnapshots[T]) =>
        // A hedge proposal goes out with its margin effect (IM and MM before and after: app/riskService.ts).
        hub.channel<T>(topic, key).publish((topic === 'hedge' ? this.risk.withMargin(snapshot as KernelSnapshots['hedge']) : snapshot) as TopicPayloads[T]),
    };
    this.sourceSpec = options.source ?? { kind: 'demo', seed: options.demoSeed ?? DEFAULT_DEMO_SEED };
    const { feed, replay } = options.feed ? { feed: options.feed, replay: null } : this.createFeed(this.sourceSpec);
    this.install(feed, replay);
    this.registerApi();
  }

  static start(options: GammaDeskOptions): GammaDeskApp {
    const app = new GammaDeskApp(options);
    app.started = true;
    // Reconcile orders of approved recommendations with the venue before anything new is sent.
    void app.desk.start();
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
      positions: () => this.book.optionAmounts(),
      hedge: {
        solver: { solve: (model, options) => this.pool.solveMilp(model, options) },
        settings: (currency) => this.hedgeSettings.get(currency),
        settingsVersion: () => this.hedgeSettings.version,
        book: () => ({ version: this.book.version, positions: this.book.positions() }),
        hash: (text) => createHash('sha256').update(text).digest('hex'),
        learnedModel: (id) => this.models.model(id),
        learnedRefusal: (id) => this.models.refusal(id),
        // Deribit's live PM parameters for the IM limit once read (never in a replay: its inputs are the recording's).
        pmParams: (currency) => (this.sourceSpec.kind === 'replay' ? null : (this.risk.pmParamsOf(currency).params ?? null)),
        // A replay's proposals are shown, not offered: recommendations come from live and demo markets only.
        onProposal: (snapshot) => {
          if (this.replay || this.stopped) return;
          // A learned proposal computed just before its model was refused (the trader's criterion changed while it
          // ran) is not offered; the next computation says why.
          const modelId = this.hedgeSettings.get(snapshot.currency).modelId;
          if (snapshot.proposal && snapshot.policy === 'learned' && typeof modelId === 'number' && this.models.refusal(modelId) !== null) return;
          this.desk.onProposal(snapshot);
        },
      },
      surface: {
        port: this.pool,
        // Fitted while somebody watches it, or while the selection policy prices options against it.
        wanted: (currency) => this.hub.channel('surface', currency).subscriberCount > 0 || (this.hedgeSettings.get(currency).enabled && this.hedgeSettings.get(currency).useSurface),
        publish: (currency, snapshot) => this.hub.channel('surface', currency).publish(snapshot),
      },
      onPublish: () => this.publishServices(),
      onError: (error) => console.error('[gammadesk] analytics error:', error),
    });
    // What the old market published is not the new source's: nobody gets it any more (a reload, another window).
    this.hub.resetTopics(['chain', 'expiries', 'exposure', 'hedge', 'surface']);
    this.risk.reset();
    this.alerts.reset();
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

  /** The instrument list's rules for a name: the current market first, then what a feed listed before. */
  private readonly instrumentLookup: InstrumentLookup = (name) => {
    const market = this.kernelInstance?.engine.market;
    const def = market?.option(name)?.state.def ?? market?.future(name) ?? this.instruments.find(name);
    return def ? { minTradeAmount: def.minTradeAmount, contractSize: def.contractSize, expiryMs: def.expiryMs } : null;
  };

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
      'positions.list': () => this.book.list(),
      'positions.set': ({ positions }) => this.book.set(positions),
      'positions.import': ({ csv, mode }) => this.book.import(csv, mode),
      'positions.loadDeribit': async ({ network }) => {
        try {
          return await loadAccountIntoBook({
            network,
            secrets: this.secrets,
            ...(this.options.deribitUrl ? { url: this.options.deribitUrl } : {}),
            nowMs: this.feedClock.now(),
            importCsv: (csv) => this.book.import(csv, 'replace'),
          });
        } catch (error) {
          if (error instanceof ApiException) throw error;
          throw new ApiException('UNAVAILABLE', `the Deribit account could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
        }
      },
    } satisfies CommandHandlers<'positions'>;
    const hedgingHandlers = {
      'hedge.settings.get': ({ currency }) => this.hedgeSettings.get(currency),
      'hedge.settings.set': (params) => {
        const settings = this.hedgeSettings.set(params);
        this.kernel.refreshHedge(params.currency);
        this.models.settingsChanged();
        return settings;
      },
      'recommendations.approve': ({ id, amounts }) => {
        if (this.venueProblem) throw new ApiException('UNAVAILABLE', `${this.venueProblem}; nothing was approved`);
        return this.recommendationDto(invalid(() => this.desk.approve(id, 'trader', amounts)) as Recommendation);
      },
      'execution.status': () => this.executionStatus(),
      'execution.set': (choice) => this.setExecution(choice),
      'execution.saveKey': ({ clientId, clientSecret }) => {
        const store = this.secrets;
        if (!store.save) throw new ApiException('UNAVAILABLE', `keys come from the ${store.source} here: set GAMMADESK_DERIBIT_CLIENT_ID and GAMMADESK_DERIBIT_CLIENT_SECRET`);
        try {
          store.save({ clientId, clientSecret });
        } catch (error) {
          // SecretsError messages name what is wrong, never the values.
          throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : 'the key was not saved');
        }
        return this.executionStatus();
      },
      'recommendations.reject': ({ id, reason }) => this.recommendationDto(invalid(() => this.desk.reject(id, reason, 'trader')) as Recommendation),
      'recommendations.cancel': async ({ id }) => {
        try {
          return this.recommendationDto(await this.desk.cancel(id, 'trader'));
        } catch (error) {
          throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
        }
      },
      'audit.list': ({ limit, beforeSeq, filter }) => this.auditRows(limit, beforeSeq, filter),
      'audit.verify': () => this.desk.audit.verify(),
      'audit.export': async ({ format }) => {
        const out = new PassThrough();
        const chunks: Buffer[] = [];
        out.on('data', (chunk: Buffer) => chunks.push(chunk));
        const rows = format === 'csv' ? await this.desk.audit.exportCsv(out) : await this.desk.audit.exportJson(out);
        out.end();
        return { text: Buffer.concat(chunks).toString('utf8'), rows };
      },
    } satisfies CommandHandlers<'hedging'>;
    const volatilityHandlers = {
      'forecast.evaluate': ({ file, close }) => this.evaluateForecastFile(file, close),
    } satisfies CommandHandlers<'volatility'>;
    hub.handleAll({ ...marketHandlers, ...sessionsHandlers, ...positionsHandlers, ...hedgingHandlers, ...volatilityHandlers, ...this.risk.handlers(), ...this.alerts.handlers(), ...this.whatIf.handlers(), ...this.models.handlers(), ...this.backtests.handlers() } satisfies CommandHandlers);

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
    const positionsResolvers = {
      book: () => {
        if (!hub.channel('book', 'all').current()) this.publishBook();
        return 'all';
      },
    } satisfies TopicResolvers<'positions'>;
    const hedgingResolvers = {
      hedge: ({ currency }) => {
        // A proposal made before anyone listened (or the reason there is none, made at once) goes out now; one
        // being computed goes out when it is done.
        if (!this.kernel.hedgeSnapshot(currency)) this.kernel.refreshHedge(currency);
        const last = this.kernel.hedgeSnapshot(currency);
        if (last) hub.channel('hedge', currency).publish(this.risk.withMargin(last));
        return currency;
      },
      recommendations: () => {
        if (!hub.channel('recommendations', 'all').current()) this.publishRecommendations();
        return 'all';
      },
    } satisfies TopicResolvers<'hedging'>;
    const volatilityResolvers = {
      surface: ({ currency }) => {
        // The last fit goes out at once; a fresh one follows (the new subscriber may be the first).
        const surface = this.kernel.surface!;
        const last = surface.snapshot(currency);
        if (last) hub.channel('surface', currency).publish(last);
        surface.refresh(currency);
        return currency;
      },
    } satisfies TopicResolvers<'volatility'>;
    hub.topicAll({ ...marketResolvers, ...sessionsResolvers, ...positionsResolvers, ...hedgingResolvers, ...volatilityResolvers, ...this.risk.resolvers(), ...this.alerts.resolvers(), ...this.models.resolvers(), ...this.backtests.resolvers() } satisfies TopicResolvers);
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

  /** The book marked to market: every publish round while somebody watches (marks move), or when it changed. */
  private publishBook(): void {
    const state = this.monitor.status().state;
    const stale = state === 'stale' || state === 'disconnected' || state === 'connecting' || state === 'stopped';
    this.hub.channel('book', 'all').publish(this.book.snapshot(this.engine.market, stale));
  }

  /** The venue the settings choose; the paper ledger (with the problem noted) when Deribit cannot be built. */
  /**
   * Resting paper limit orders (a hedge approved after the market moved past its limit) fill when the current book
   * crosses them, as on an exchange; the executor hears the fills through the venue and settles the recommendation.
   * Not in a replay: its books are the recording's, not the market the orders were placed in.
   */
  private matchRestingPaperOrders(): void {
    if (this.replay || this.desk.venue !== this.paperVenue) return;
    try {
      this.paperVenue.matchOpenOrders();
    } catch (error) {
      console.error('[gammadesk] paper matching failed:', error instanceof Error ? error.message : error);
    }
  }

  private chosenVenue(): ExecutionVenue {
    this.venueProblem = null;
    if (executionChoice(this.settings).venue === 'paper') return this.paperVenue;
    try {
      return deribitVenueFrom(this.settings, this.secrets, this.options.deribitUrl);
    } catch (error) {
      this.venueProblem = `Deribit execution is not available: ${error instanceof Error ? error.message : String(error)}`;
      return this.paperVenue;
    }
  }

  private createDesk(audit: AuditLog, venue: ExecutionVenue): HedgeDesk {
    return new HedgeDesk(this.db, audit, venue, this.book, () => Math.floor(this.feedClock.now()) as EpochMs, (currency) => this.hedgeSettings.get(currency === 'ETH' ? 'ETH' : 'BTC').proposalTtlMs, () => {
      this.recommendationsDirty = true;
    });
  }

  executionStatus(): ExecutionStatus {
    const choice = executionChoice(this.settings);
    return { ...choice, active: this.desk.venue.kind, credentials: describeCredentials(this.secrets), problem: this.venueProblem };
  }

  /**
   * Chooses the venue: saved only when it can be built (a Deribit venue needs the key, mainnet the confirmation).
   * The new desk reconciles open recommendations with the new venue before it sends anything.
   */
  async setExecution(choice: { venue: 'paper' | 'deribit'; network: 'testnet' | 'mainnet'; mainnetConfirmed: boolean }): Promise<ExecutionStatus> {
    const now = Math.floor(this.feedClock.now());
    const previous = executionChoice(this.settings);
    this.settings.set(SETTING_VENUE, choice.venue, now);
    this.settings.set(SETTING_NETWORK, choice.network, now);
    this.settings.set(SETTING_MAINNET_CONFIRMED, choice.mainnetConfirmed, now);
    let venue: ExecutionVenue;
    try {
      venue = choice.venue === 'paper' ? this.paperVenue : deribitVenueFrom(this.settings, this.secrets, this.options.deribitUrl);
    } catch (error) {
      this.settings.set(SETTING_VENUE, previous.venue, now);
      this.settings.set(SETTING_NETWORK, previous.network, now);
      this.settings.set(SETTING_MAINNET_CONFIRMED, previous.mainnetConfirmed, now);
      throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
    }
    const old = this.desk;
    old.close();
    if (old.venue !== this.paperVenue && old.venue !== venue) await old.venue.close();
    this.venueProblem = null;
    this.desk = this.createDesk(old.audit, venue);
    old.audit.append({ actor: 'trader', action: 'execution.venue', subject: venue.kind, payload: { venue: choice.venue, network: choice.network, mainnet_confirmed: choice.mainnetConfirmed } });
    await this.desk.start();
    this.recommendationsDirty = true;
    return this.executionStatus();
  }

  /**
   * A price file from the import folder through every forecast model and the out-of-sample evaluation, on the jobs
   * pool (seconds of CPU on a long history). Plain or gzipped CSV, at most 256 MiB.
   */
  private async evaluateForecastFile(file: string, close?: string): Promise<ForecastEvaluateResult> {
    const path = resolveImportPath(this.importFolderPath, file);
    const size = statSync(path).size;
    if (size > MAX_PRICE_FILE_BYTES) throw new ApiException('INVALID_ARGUMENT', `${file} is ${Math.round(size / 2 ** 20)} MiB: price files up to ${MAX_PRICE_FILE_BYTES / 2 ** 20} MiB are evaluated here (use gammadesk forecast for bigger ones)`);
    const raw = readFileSync(path);
    let text: string;
    try {
      text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    } catch (error) {
      throw new ApiException('INVALID_ARGUMENT', `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    const job = this.jobsPool.start('forecastEvaluate', { text, name: basename(path), ...(close ? { closeColumn: close } : {}) });
    try {
      return await job.done;
    } catch (error) {
      throw new ApiException('INVALID_ARGUMENT', `${file}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      job.close();
    }
  }

  private publishRecommendations(): void {
    this.hub.channel('recommendations', 'all').publish(this.desk.list().map((r) => this.recommendationDto(r)));
  }

  private recommendationDto(r: Recommendation): RecommendationDto {
    const detail = r.proposal as { costUsd?: number; costCoin?: number };
    const orders = this.db
      .prepare<[string], { label: string; state: string | null }>('SELECT label, state FROM orders WHERE recommendation_id = ? ORDER BY leg')
      .all(r.id)
      .map((row) => {
        const state = row.state ? (JSON.parse(row.state) as { status: string; filledAmount: number; averagePrice: number | null; reason?: string }) : null;
        return { label: row.label, status: state?.status ?? 'sending', filledAmount: state?.filledAmount ?? 0, averagePrice: state?.averagePrice ?? null, reason: state?.reason ?? null };
      });
    return {
      id: r.id,
      currency: r.proposal.legs[0]?.instrument.split('-')[0] ?? '',
      state: r.state,
      createdMs: r.createdMs,
      stateMs: r.stateMs,
      expiresMs: r.expiresMs,
      marketSeq: r.marketSeq,
      bookVersion: r.bookVersion,
      policy: r.policy,
      inputsHash: r.inputsHash,
      legs: r.proposal.legs.map((l) => ({ ...l })),
      approvedLegs: r.approvedProposal ? r.approvedProposal.legs.map((l) => ({ ...l })) : null,
      costUsd: typeof detail.costUsd === 'number' ? detail.costUsd : null,
      costCoin: typeof detail.costCoin === 'number' ? detail.costCoin : null,
      rationale: Array.isArray(r.rationale) ? (r.rationale as unknown[]).map(String) : [],
      reason: r.reason,
      orders,
    };
  }

  /** Audit rows newest first, before `beforeSeq`, whose action, actor or subject contains `filter`. */
  private auditRows(limit: number, beforeSeq?: number, filter?: string): AuditRowDto[] {
    const like = `%${(filter ?? '').replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare<[number, string, string, string, number], { seq: number; ts_ms: number; actor: string; action: string; subject: string; payload: string; prev_hash: string; hash: string }>(
        "SELECT seq, ts_ms, actor, action, subject, payload, prev_hash, hash FROM audit_log WHERE seq < ? AND (action LIKE ? ESCAPE '\\' OR actor LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\') ORDER BY seq DESC LIMIT ?",
      )
      .all(beforeSeq ?? Number.MAX_SAFE_INTEGER, like, like, like, limit)
      .map((r) => ({ seq: r.seq, tsMs: r.ts_ms, actor: r.actor, action: r.action, subject: r.subject, payload: r.payload, prevHash: r.prev_hash, hash: r.hash }));
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
    if (this.bookDirty || this.hub.channel('book', 'all').subscriberCount > 0) {
      this.bookDirty = false;
      this.publishBook();
    }
    if (this.recommendationsDirty) {
      this.recommendationsDirty = false;
      this.publishRecommendations();
    }
    this.desk.expireDue();
    this.matchRestingPaperOrders();
    this.risk.round();
    this.alerts.round();
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

  /** Why the replica cannot be compared with Deribit now (checked at most every 2 s: the key may be decrypted). */
  private pmeUnavailable(): string | null {
    const now = Date.now();
    if (this.pmeReason && now - this.pmeReason.atMs < 2000) return this.pmeReason.reason;
    const choice = executionChoice(this.settings);
    const spec = this.sourceSpec;
    const reason = pmeUnavailableReason({ source: spec.kind === 'deribit' ? { kind: 'deribit', network: spec.network } : { kind: spec.kind }, venue: choice.venue, network: choice.network, credentials: describeCredentials(this.secrets) });
    this.pmeReason = { atMs: now, reason };
    return reason;
  }

  /** The authenticated session for pme/simulate (read-only calls), made when first needed and again for a new key or URL. */
  private pmeClient(): DeribitPrivateClient {
    const credentials = this.secrets.deribitCredentials();
    if (credentials === null) throw new Error(`no Deribit API key (${this.secrets.source})`);
    const url = this.options.deribitUrl ?? deribitUrl(executionChoice(this.settings).network);
    const key = `${url} ${credentials.clientId}`;
    if (this.pmeSession?.key !== key) {
      this.pmeSession?.client.stop();
      const client = new DeribitPrivateClient({ onNotification: () => undefined }, { url, credentials });
      client.start();
      this.pmeSession = { key, client };
    }
    return this.pmeSession.client;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.pmeSession?.client.stop();
    this.feedInstance.stop();
    this.stopRecording(false);
    this.journal.endSegment();
    await this.jobs.cancelAll();
    this.models.dispose();
    await this.models.idle();
    this.backtests.dispose();
    await this.backtests.idle();
    this.kernelInstance.dispose();
    this.desk.close();
    if (this.desk.venue !== this.paperVenue) await this.desk.venue.close();
    await this.pool.close();
    await this.jobsPool.close();
    this.db.close();
  }
}
