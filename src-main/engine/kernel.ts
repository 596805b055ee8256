/**
 * The kernel: the one place where a feed's events enter GammaDesk. It gives each event the single market `seq`,
 * appends it to the journal before anything else sees it (record first, then handle), applies it to the engine,
 * and runs every analytics schedule — greeks per expiry (coalesced bursts), exposures per watched stream, and
 * the publishing of snapshots — on the injected scheduler. Live sources, replays, the CLI and tests drive this
 * same class; only the feed, the scheduler and the ports differ, so a replay under a stepped clock reproduces
 * what the trader saw, snapshot for snapshot.
 *
 * Events are read-only here: the kernel numbers them beside the object (the journal stores the seq in its own
 * column), so feeds may keep and reuse what they emitted.
 */
import type { ExposureSnapshot, HedgeSnapshot } from '../api/dto';
import type { CheckedPosition } from '../core/book/position';
import { valueBook, type BookTotals } from '../core/book/valuation';
import type { MilpSolver } from '../core/hedge/selection';
import { objectivesOf, policyFor, settingsProblem, type HedgeSettings, type LoadedModel } from '../core/hedge/settings';
import { hedgeHoldings } from '../core/hedge/learnedPolicy';
import { bookMarket } from './bookMarket';
import { hedgeMarketFrom, withSurfaceResiduals } from './hedgeInputs';
import { FlipTracker } from '../core/exposure/flipTracker';
import { LevelHistory } from '../core/exposure/levelHistory';
import { CURRENCIES, type Currency, type MarketEvent } from '../core/market/events';
import type { EpochMs } from '../core/units';
import { Engine, type EngineChange } from './engine';
import { computeExposureSnapshot, exposureKey, newCascadeCache, type CascadeCache, type ExposureStream } from './exposureSnapshot';
import type { ExpiryBook } from './marketState';
import type { ExposurePort, GreeksPort, JournalPort, Scheduler, SnapshotPort } from './ports';
import { analyticsSnapshot, chainSnapshot, chainKey, expiryList, type AnalyticsSnapshot } from './snapshots';
import { SurfaceSchedule, type SurfaceScheduleOptions } from './surfaceSchedule';
import { marginLimitFor, withMarginCheck } from './riskInputs';
import type { PmParams } from '../core/risk/pmParams';


/** The start of a hedge snapshot's reason when the learned policy's model may not hedge now (`learnedRefusal`). */
export const LEARNED_NOT_USED = 'the learned policy is not used: ';
export interface KernelOptions {
  greeks: GreeksPort;
  exposures: ExposurePort;
  scheduler: Scheduler;
  snapshots: SnapshotPort;
  /** Null where the events are stored already (a replay reads them from the log). */
  journal?: JournalPort | null;
  /** The last seq already given out (the journal's): numbering goes on from there across sources and restarts. */
  lastSeq?: number;
  /** How long a burst of quote changes may accumulate before an expiry's greeks are recomputed (default 50). */
  greeksCoalesceMs?: number;
  /** Exposure streams recompute at most this often, and only when their inputs changed (default 500). */
  exposureIntervalMs?: number;
  /** Chain and expiry snapshots go out at most this often (default 200: DESIGN's ~5 Hz). */
  publishIntervalMs?: number;
  /** The trader's positions by instrument (contracts), overlaid on exposures. */
  positions?: () => ReadonlyMap<string, number>;
  /** The hedge advisor: proposals per currency on their own schedule, from the book, the market and the settings. */
  hedge?: HedgeAdvisorOptions;
  /** The live volatility surface and realized vol (engine/surfaceSchedule.ts); off when absent. */
  surface?: SurfaceScheduleOptions;
  /** Runs at the end of every publish round, on the same tick (the app adds feed health and desk status). */
  onPublish?: () => void;
  /** A computation failed (a bug or a dead pool); the kernel keeps running. */
  onError?: (error: unknown) => void;
}

export interface HedgeAdvisorOptions {
  solver: MilpSolver;
  settings(currency: Currency): HedgeSettings;
  /** Increases whenever any currency's settings change. */
  settingsVersion(): number;
  /** The whole book (every currency) and its version. */
  book(): { version: number; positions: readonly CheckedPosition[] };
  /** Proposals are recomputed at most this often, when their inputs changed (default 250 ms). */
  intervalMs?: number;
  /** SHA-256 (hex) of a text: the inputs' fingerprint (injected: the engine does no IO or crypto of its own). */
  hash(text: string): string;
  /** Every new proposal, in market order (the app records recommendations from them). */
  onProposal?: (snapshot: HedgeSnapshot) => void;
  /** The stored model the learned policy runs, loaded (null when it is not stored). */
  learnedModel?: (id: number) => LoadedModel | null;
  /**
   * Why model `id` may not hedge now (e.g. it has not passed its gate on the trader's current criterion), or null.
   * A refused learned policy proposes nothing and says why: it is never kept running silently.
   */
  learnedRefusal?: (id: number) => string | null;
  /**
   * The PM replica's parameters for the selection's "IM after ≤ X": Deribit's live `model_params` once read
   * (app/pmeComparison.ts). Absent or null: the documented table (core/risk/pmParams.ts). Replays pass none.
   */
  pmParams?: (currency: Currency) => Readonly<PmParams> | null;
}

interface HedgeState {
  computedVersion: string | null;
  running: Promise<void> | null;
  last: HedgeSnapshot | null;
}

export interface IngestResult {
  /** The seq of the batch's first event. */
  firstSeq: number;
  /** Events the engine refused (counted and skipped; the rest of the batch is applied). */
  rejected: number;
  lastRejection: string | null;
}

/** The kernel's repeating schedules (greeks coalescing is the engine's own, per burst). */
type Schedule = 'publish' | 'exposures' | 'hedge';

interface StreamState {
  stream: ExposureStream;
  tracker: FlipTracker;
  /** The last hedge-pressure map, reused while the market has not moved it materially (decision 0009). */
  cascade: CascadeCache;
  /** Spot, flip, walls and net GEX at each snapshot of the stream, on market time. */
  history: LevelHistory;
  /** The input version of the last published snapshot; null before the first. */
  computedVersion: string | null;
  running: Promise<void> | null;
}

/** Every exposure stream a currency can have (the final analytics of a replay cover them all). */
export function allExposureStreams(currencies: readonly Currency[] = CURRENCIES): ExposureStream[] {
  const streams: ExposureStream[] = [];
  for (const currency of currencies) {
    for (const convention of ['naive', 'short', 'flow'] as const) {
      for (const dynamics of ['stickyStrike', 'stickyMoneyness'] as const) streams.push({ currency, convention, dynamics });
    }
  }
  return streams;
}

/** What a replay is judged by: the chains' analytics and every exposure stream, without wall-clock figures. */
export interface KernelAnalytics extends AnalyticsSnapshot {
  exposures: Record<string, Omit<ExposureSnapshot, 'computeMs'> | null>;
  /** The hedge advisor's proposal per currency from the final state (when the kernel has an advisor). */
  hedges?: Partial<Record<Currency, Omit<HedgeSnapshot, 'computeMs'> | null>>;
}

export class Kernel {
  readonly engine: Engine;
  private seqValue: number;
  private readonly dirtyBooks = new Set<ExpiryBook>();
  private readonly dirtyExpiryLists = new Set<Currency>(CURRENCIES);
  /** Bumped whenever an applied event changes what a currency's exposures are computed from. */
  private readonly marketVersion = new Map<Currency, number>();
  private positionsVersion = 0;
  private readonly streams = new Map<string, StreamState>();
  /** The pending timer of each repeating schedule. */
  private readonly timers: Record<Schedule, unknown> = { publish: null, exposures: null, hedge: null };
  private readonly hedgeStates = new Map<Currency, HedgeState>();
  private disposed = false;
  /** Null when the kernel was built without `surface`. */
  readonly surface: SurfaceSchedule | null;

  constructor(private readonly options: KernelOptions) {
    this.seqValue = options.lastSeq ?? 0;
    this.engine = new Engine({
      greeks: options.greeks,
      scheduler: options.scheduler,
      coalesceMs: options.greeksCoalesceMs ?? 50,
      // Greeks are shown only in chains: an expiry whose chain nobody watches waits (publishChain asks for it).
      wanted: (book) => options.snapshots.wanted('chain', chainKey(book)),
      onChange: (change) => this.onEngineChange(change),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.surface = options.surface ? new SurfaceSchedule(options.surface, options.scheduler, () => this.engine.market, (error) => options.onError?.(error)) : null;
  }

  /** The seq of the last event taken in. */
  get seq(): number {
    return this.seqValue;
  }

  /** Numbers a batch, journals it, then applies it event by event. */
  ingest(events: readonly MarketEvent[]): IngestResult {
    const firstSeq = this.seqValue + 1;
    if (events.length === 0) return { firstSeq, rejected: 0, lastRejection: null };
    this.options.journal?.append(firstSeq, events);
    let rejected = 0;
    let lastRejection: string | null = null;
    for (const event of events) {
      const change = this.engine.apply(event, ++this.seqValue);
      if (change.kind === 'rejected') {
        rejected++;
        lastRejection = change.reason;
      } else if (event.type === 'index') this.surface?.onIndex(event.currency, event.tsEvent, event.priceUsd);
    }
    return { firstSeq, rejected, lastRejection };
  }

  /**
   * Hands the current market state, stamped at the market's time, to `start` as the first events of a new journal
   * segment numbered from the next seq, so that segment replays on its own from its first moment. The engine has
   * that state already: the events are not applied again, their seqs are used up.
   */
  checkpoint<T>(start: (firstSeq: number, state: readonly MarketEvent[]) => T): T {
    const nowMs = this.engine.market.timeMs as EpochMs;
    const state = this.engine.market.currentStateEvents().map((event): MarketEvent => ({ ...event, tsEvent: nowMs, tsRecv: nowMs }));
    const result = start(this.seqValue + 1, state);
    this.seqValue += state.length;
    return result;
  }

  /** Arms the publish and exposure schedules on the scheduler. */
  start(): void {
    this.every('publish', this.options.publishIntervalMs ?? 200, () => this.publishRound());
    this.every('exposures', this.options.exposureIntervalMs ?? 500, () => this.exposureRound());
    if (this.options.hedge) this.every('hedge', this.options.hedge.intervalMs ?? 250, () => this.hedgeRound());
    this.surface?.start();
  }

  /** The latest proposal of a currency (null before the first, or when the advisor is off). */
  hedgeSnapshot(currency: Currency): HedgeSnapshot | null {
    return this.hedgeStates.get(currency)?.last ?? null;
  }

  /** Recomputes a currency's proposal now (settings changed, a new subscriber). */
  refreshHedge(currency: Currency): void {
    const state = this.hedgeState(currency);
    if (!state.running) this.runHedge(currency, state);
  }

  dispose(): void {
    this.disposed = true;
    for (const [name, handle] of Object.entries(this.timers) as [Schedule, unknown][]) {
      if (handle !== null) this.options.scheduler.clearTimeout(handle);
      this.timers[name] = null;
    }
    this.engine.dispose();
    this.surface?.dispose();
  }

  /** Publishes one expiry's chain now (a new subscriber); null when the expiry is not in the market. */
  publishChain(currency: Currency, expiryLabel: string): string | null {
    const book = this.engine.market.currencies.get(currency)?.expiryByLabel(expiryLabel);
    if (!book) return null;
    this.dirtyBooks.delete(book);
    // Its greeks may have been deferred while nobody watched: they follow within the coalescing delay (the chain
    // says which seq its greeks are of).
    this.engine.want(book);
    const key = chainKey(book);
    this.options.snapshots.publish('chain', key, chainSnapshot(this.engine.market, book));
    return key;
  }

  publishExpiries(currency: Currency): void {
    this.options.snapshots.publish('expiries', currency, expiryList(this.engine.market, currency));
  }

  /**
   * Follows an exposure stream from now on: it is recomputed on the exposure schedule while the snapshot port
   * wants it, and computed at once if it never was.
   */
  watchExposure(stream: ExposureStream): string {
    const key = exposureKey(stream);
    let state = this.streams.get(key);
    if (!state) {
      state = { stream, tracker: new FlipTracker(), cascade: newCascadeCache(), history: new LevelHistory(), computedVersion: null, running: null };
      this.streams.set(key, state);
    }
    if (state.computedVersion === null && !state.running) this.runExposure(key, state);
    return key;
  }

  /** The trader's book changed: every exposure stream recomputes on its next round. */
  positionsChanged(): void {
    this.positionsVersion++;
  }

  /** Recomputes every expiry's greeks (a replay's end: final analytics from the final state only). */
  refreshAll(): void {
    this.engine.refreshAll();
  }

  /**
   * Resolves once no computation is running in the pool; work waiting for its timer stays scheduled. A stepped
   * clock calls it between steps, so every result lands before the clock moves on.
   */
  async settled(): Promise<void> {
    for (;;) {
      await this.engine.settled();
      const running = [...this.streams.values(), ...this.hedgeStates.values()].flatMap((s) => (s.running ? [s.running] : [])).concat(this.surface?.running ?? []);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }


  /**
   * The analytics of the current state, recomputed from it alone: every expiry's greeks, and the given exposure
   * streams (default all) with fresh flip trackers. Two replays of a session give the same object.
   */
  async analytics(streams: readonly ExposureStream[] = allExposureStreams()): Promise<KernelAnalytics> {
    await this.engine.recomputeAll();
    await this.settled();
    const exposures: KernelAnalytics['exposures'] = {};
    for (const stream of streams) {
      const snapshot = await computeExposureSnapshot(this.engine, this.options.exposures, stream, new FlipTracker(), this.positions(), () => 0);
      if (snapshot) {
        const { computeMs: _wallClock, ...analytics } = snapshot;
        exposures[exposureKey(stream)] = analytics;
      } else {
        exposures[exposureKey(stream)] = null;
      }
    }
    const analytics: KernelAnalytics = { ...analyticsSnapshot(this.engine.market), exposures };
    if (this.options.hedge) {
      // The advisor's proposal of the final state, recomputed now (not the last one a round happened to make).
      analytics.hedges = {};
      for (const currency of CURRENCIES) {
        if (!this.options.hedge.settings(currency).enabled) continue;
        const state = this.hedgeState(currency);
        await state.running;
        this.runHedge(currency, state);
        await state.running;
        const last = state.last;
        if (last) {
          const { computeMs: _wallClock, ...proposal } = last;
          analytics.hedges[currency] = proposal;
        } else analytics.hedges[currency] = null;
      }
    }
    return analytics;
  }

  private positions(): ReadonlyMap<string, number> {
    return this.options.positions?.() ?? new Map();
  }

  private onEngineChange(change: EngineChange): void {
    switch (change.kind) {
      case 'quotes':
        this.dirtyBooks.add(change.book);
        this.dirtyExpiryLists.add(change.book.currency);
        this.bump(change.book.currency);
        this.surface?.marketChanged(change.book.currency);
        break;
      case 'greeks':
        this.dirtyBooks.add(change.book);
        break;
      case 'expiries':
        this.dirtyExpiryLists.add(change.currency);
        this.bump(change.currency);
        this.surface?.marketChanged(change.currency);
        break;
      case 'currency':
      case 'flow':
        this.bump(change.currency);
        break;
    }
  }

  private bump(currency: Currency): void {
    this.marketVersion.set(currency, (this.marketVersion.get(currency) ?? 0) + 1);
  }

  /** Runs `round` every `intervalMs` on the scheduler until disposed. */
  private every(name: Schedule, intervalMs: number, round: () => void): void {
    if (this.disposed) return;
    this.timers[name] = this.options.scheduler.setTimeout(() => {
      this.timers[name] = null;
      round();
      this.every(name, intervalMs, round);
    }, intervalMs);
  }

  /** Publishes what changed since the last round, to the streams that are wanted. */
  private publishRound(): void {
    const { snapshots } = this.options;
    const market = this.engine.market;
    for (const currency of CURRENCIES) {
      if (this.dirtyExpiryLists.has(currency) && snapshots.wanted('expiries', currency)) snapshots.publish('expiries', currency, expiryList(market, currency));
    }
    this.dirtyExpiryLists.clear();
    // In market order, not in the order pool results happened to land: a replay publishes the same sequence.
    const books = [...this.dirtyBooks].sort((a, b) => (a.currency === b.currency ? a.expiryMs - b.expiryMs : a.currency < b.currency ? -1 : 1));
    for (const book of books) {
      const key = chainKey(book);
      if (snapshots.wanted('chain', key)) snapshots.publish('chain', key, chainSnapshot(market, book));
    }
    this.dirtyBooks.clear();
    this.options.onPublish?.();
  }

  private inputVersion(stream: ExposureStream): string {
    return `${this.marketVersion.get(stream.currency) ?? 0}/${this.positionsVersion}`;
  }

  /** Recomputes the wanted exposure streams whose inputs changed; one computation per stream at a time. */
  private exposureRound(): void {
    for (const [key, state] of this.streams) {
      if (state.running || !this.options.snapshots.wanted('exposure', key)) continue;
      if (state.computedVersion === this.inputVersion(state.stream)) continue;
      this.runExposure(key, state);
    }
  }

  private runExposure(key: string, state: StreamState): void {
    const version = this.inputVersion(state.stream);
    state.running = (async () => {
      try {
        const { scheduler } = this.options;
        const snapshot = await computeExposureSnapshot(this.engine, this.options.exposures, state.stream, state.tracker, this.positions(), () => scheduler.now(), state.cascade);
        if (this.disposed) return;
        state.computedVersion = version;
        if (snapshot) {
          state.history.add({
            timeMs: snapshot.marketTimeMs,
            spotUsd: snapshot.spotUsd,
            flipUsd: snapshot.levels.flipUsd,
            callWallUsd: snapshot.levels.callWallUsd,
            putWallUsd: snapshot.levels.putWallUsd,
            gexUsdPer1Pct: snapshot.totals.gexUsdPer1Pct,
          });
          const points = state.history.all;
          snapshot.history = {
            timesMs: points.map((p) => p.timeMs),
            spotUsd: points.map((p) => p.spotUsd),
            flipUsd: points.map((p) => p.flipUsd),
            callWallUsd: points.map((p) => p.callWallUsd),
            putWallUsd: points.map((p) => p.putWallUsd),
            gexUsdPer1Pct: points.map((p) => p.gexUsdPer1Pct),
          };
          this.options.snapshots.publish('exposure', key, snapshot);
        }
      } catch (error) {
        if (!this.disposed) this.options.onError?.(error);
      } finally {
        state.running = null;
      }
    })();
  }

  private hedgeState(currency: Currency): HedgeState {
    let state = this.hedgeStates.get(currency);
    if (!state) this.hedgeStates.set(currency, (state = { computedVersion: null, running: null, last: null }));
    return state;
  }

  private hedgeVersion(currency: Currency): string {
    const hedge = this.options.hedge!;
    return `${this.marketVersion.get(currency) ?? 0}/${hedge.book().version}/${hedge.settingsVersion()}`;
  }

  /** Recomputes the proposal of every enabled currency whose inputs changed, in currency order. */
  private hedgeRound(): void {
    const hedge = this.options.hedge;
    if (!hedge) return;
    for (const currency of CURRENCIES) {
      if (!hedge.settings(currency).enabled) continue;
      const state = this.hedgeState(currency);
      if (state.running || state.computedVersion === this.hedgeVersion(currency)) continue;
      this.runHedge(currency, state);
    }
  }

  private runHedge(currency: Currency, state: HedgeState): void {
    const hedge = this.options.hedge;
    if (!hedge) return;
    const version = this.hedgeVersion(currency);
    const settings = hedge.settings(currency);
    const { version: bookVersion, positions } = hedge.book();
    const market = this.engine.market;
    const started = this.options.scheduler.now();
    const base = {
      currency,
      marketTimeMs: market.timeMs,
      marketSeq: market.seq,
      bookVersion,
      settingsVersion: hedge.settingsVersion(),
      policy: settings.policy,
    };
    const finish = (snapshot: Omit<HedgeSnapshot, 'computeMs'>): void => {
      if (this.disposed) return;
      state.computedVersion = version;
      const full: HedgeSnapshot = { ...snapshot, computeMs: this.options.scheduler.now() - started };
      state.last = full;
      if (this.options.snapshots.wanted('hedge', currency)) this.options.snapshots.publish('hedge', currency, full);
      hedge.onProposal?.(full);
    };
    // Inputs are read now, synchronously: the proposal is a function of this moment's market and book.
    const refusal = settings.enabled && settings.policy === 'learned' && typeof settings.modelId === 'number' ? (hedge.learnedRefusal?.(settings.modelId) ?? null) : null;
    const problem = settings.enabled ? (settingsProblem(settings) ?? (refusal === null ? null : `${LEARNED_NOT_USED}${refusal}`)) : 'the hedge advisor is off for this currency';
    const bare = problem ? null : hedgeMarketFrom(market, currency);
    // The IV–RV signals of the live surface fit, when one has been made (the Surface view is open, or the selection
    // prices options against it): residuals per option and the variance risk premium per expiry.
    const fitted = this.surface?.snapshot(currency) ?? null;
    const hedgeMarket = bare && fitted ? withSurfaceResiduals(bare, fitted.surface, fitted.premiums) : bare;
    if (problem || !hedgeMarket) {
      finish({ ...base, inputsHash: '', proposal: null, reason: problem ?? `no ${currency} index price yet` });
      return;
    }
    const mine = positions.filter((p) => p.currency === currency);
    const totals: BookTotals | undefined = valueBook(mine, bookMarket(market, market.timeMs)).byCurrency[currency];
    const learned = settings.policy === 'learned';
    const book = {
      version: bookVersion,
      totals: totals ?? { deltaCoin: 0, delta: 0, deltaUsd: 0, gammaUsdPer1Pct: 0, vegaUsd: 0, vega30Usd: 0, thetaUsdPerDay: 0, positions: 0, missingGreeks: 0 },
      // The learned policy looks at each option (its band per strike and expiry); the others need only the totals.
      ...(learned ? { holdings: hedgeHoldings(mine, bookMarket(market, market.timeMs)) } : {}),
    };
    const objectives = objectivesOf(settings);
    // "IM after ≤ X" (selection policy only): linearized for the solve, checked exactly after it (engine/riskInputs.ts),
    // on Deribit's live PM parameters when the app has them (then part of the inputs' fingerprint).
    const maxIm = settings.maxInitialMarginCoin;
    const limited = settings.policy === 'select' && typeof maxIm === 'number';
    const pmParams = limited ? (hedge.pmParams?.(currency) ?? null) : null;
    const hash = hedge.hash(JSON.stringify({ book, market: hedgeMarket, objectives, settings, ...(pmParams ? { pmParams } : {}) }));
    const marketNow = bookMarket(market, market.timeMs);
    const marginLimit = limited ? marginLimitFor(currency, mine, marketNow, hedgeMarket.instruments, maxIm, pmParams ?? undefined) : null;
    state.running = (async () => {
      try {
        const model = learned && typeof settings.modelId === 'number' ? (hedge.learnedModel?.(settings.modelId) ?? null) : null;
        const proposal = await policyFor(settings, hedge.solver, marginLimit && 'limit' in marginLimit ? [marginLimit.limit] : [], model).propose(book, hedgeMarket, objectives);
        finish({ ...base, inputsHash: hash, proposal: marginLimit ? withMarginCheck(proposal, marginLimit, marketNow) : proposal, reason: null });
      } catch (error) {
        if (!this.disposed) this.options.onError?.(error);
        finish({ ...base, inputsHash: hash, proposal: null, reason: `the policy failed: ${error instanceof Error ? error.message : String(error)}` });
      } finally {
        state.running = null;
      }
    })();
  }
}
