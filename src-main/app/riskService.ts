/**
 * The Risk view's service: per currency, the grid settings and the trader's equity (stored in the settings table,
 * `risk.settings.<currency>`), and the `risk` stream (engine/riskSnapshot.ts) recomputed from the live book and
 * market in the app's publish round while somebody listens:
 *
 * - when the book, the market (its seq) or the settings changed since the last snapshot, and
 * - at most once per second of market time (the injected clock), except that a settings change or a new
 *   subscriber publishes at the next round.
 *
 * Market time, not wall time, decides, so a replay publishes the same snapshots at the same market times.
 *
 * Where it is computed: the main thread only assembles the inputs (`riskTaskInput`: the book and the proposal's
 * legs revalued on the live market); the snapshot itself (matrix, margins, payoff, the margin-call bisection) runs
 * on the worker pool's `riskSnapshot` task when a pool is given and `offThread()` says so (live and demo sources),
 * one task in flight per currency, and in-process otherwise (a replay, so that its snapshots, and the alerts read
 * from them, come at the same market times run after run).
 *
 * Replica vs Deribit (app/pmeComparison.ts): each publish may ask Deribit's pme/simulate for the book (rate-limited
 * there); the replica uses Deribit's latest `model_params` once one arrived, and the snapshot carries the
 * comparison, its age and whether it is stale.
 */
import type { RiskSettings, RiskSnapshot } from '../api/dto';
import type { HedgeSnapshot } from '../api/dto';
import type { CommandParams } from '../api/contract';
import type { CheckedPosition } from '../core/book/position';
import { CURRENCIES, type Currency } from '../core/market/events';
import { bookMarket } from '../engine/bookMarket';
import type { MarketState } from '../engine/marketState';
import { DEFAULT_RISK_SETTINGS, hedgeProposalMargin, marketSmiles, riskSnapshotFrom, riskTaskInput, type RiskInputs, type RiskTaskInput } from '../engine/riskSnapshot';
import type { PmeComparisons } from './pmeComparison';
import type { PmBook } from '../core/risk/pm';
import type { SettingsRepository } from '../store/settings';
import type { ApiHub, CommandHandlers, TopicResolvers } from './hub';

/** Risk snapshots of a currency at most this often, market ms. */
export const RISK_INTERVAL_MS = 1000;
/**
 * The distance to a margin call (a scan of PM margins of the whole book: ~0.1–0.3 s for 500 positions) is reused
 * until the book, the equity or the grid change, the index moves by this share, or this much market time passes.
 */
export const MARGIN_CALL_REUSE = Object.freeze({ indexMove: 0.005, maxAgeMs: 30_000 });

export interface RiskServiceDeps {
  hub: ApiHub;
  settings: SettingsRepository;
  /** The current market (replaced when the source changes). */
  market: () => MarketState;
  book: () => { version: number; positions: readonly CheckedPosition[] };
  /** The advisor's last snapshot for the currency, if any. */
  hedge: (currency: Currency) => HedgeSnapshot | null;
  /** Market time, ms (the injected feed clock). */
  nowMs: () => number;
  wallMs: () => number;
  /** The worker pool's `riskSnapshot` task; without it every snapshot is computed in-process. */
  pool?: { computeRiskSnapshot(input: RiskTaskInput): Promise<RiskSnapshot> } | null;
  /** Whether to use the pool now (default true when there is one); the app says false for a replay. */
  offThread?: () => boolean;
  /** Replica vs Deribit's pme/simulate; without it the snapshot says there is no comparison. */
  pme?: PmeComparisons | null;
  onError?: (error: unknown) => void;
}

const settingsKey = (currency: Currency): string => `risk.settings.${currency}`;
/** Sorted, without repeats. */
const axis = (values: readonly number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

export class RiskService {
  /** What the last snapshot of each currency was computed from. */
  private readonly last = new Map<Currency, { key: string; atMs: number }>();
  private settingsVersion = 0;
  /** The book's PM vectors per currency, for the margin of proposals. */
  private readonly pmBooks = new Map<Currency, { key: string; book: PmBook }>();
  /** The last distance to a margin call per currency, with what it was computed from. */
  private readonly marginCalls = new Map<Currency, { key: string; indexUsd: number; atMs: number; distances: RiskSnapshot['marginCall'] }>();
  /** Snapshots being computed on the pool, per currency (one at a time). */
  private readonly inFlight = new Map<Currency, Promise<void>>();
  /** Bumped by {@link reset}: a pool result computed for an earlier source is dropped. */
  private generation = 0;

  constructor(private readonly deps: RiskServiceDeps) {}

  settingsOf(currency: Currency): RiskSettings {
    const stored = this.deps.settings.get<Partial<RiskSettings>>(settingsKey(currency));
    return {
      ...DEFAULT_RISK_SETTINGS,
      ...stored,
      spotMoves: [...(stored?.spotMoves ?? DEFAULT_RISK_SETTINGS.spotMoves)],
      volShifts: [...(stored?.volShifts ?? DEFAULT_RISK_SETTINGS.volShifts)],
      payoffDates: [...(stored?.payoffDates ?? [])],
    };
  }

  private save(currency: Currency, settings: RiskSettings): RiskSettings {
    this.deps.settings.set(settingsKey(currency), settings, Math.floor(this.deps.nowMs()));
    this.settingsVersion++;
    this.last.delete(currency);
    return settings;
  }

  setGrid(params: CommandParams<'risk.settings.set'>): RiskSettings {
    const current = this.settingsOf(params.currency);
    return this.save(params.currency, { ...current, spotMoves: axis(params.spotMoves), volShifts: axis(params.volShifts), volShiftMode: params.volShiftMode, volDynamics: params.volDynamics });
  }

  setEquity(params: CommandParams<'risk.equity.set'>): RiskSettings {
    const current = this.settingsOf(params.currency);
    return this.save(params.currency, { ...current, equityCoin: params.equityCoin === 'none' ? null : params.equityCoin });
  }

  /** The payoff chart's chosen days (checked by the caller: app/whatIfService.ts). */
  setPayoffDates(currency: Currency, days: readonly string[]): RiskSettings {
    return this.save(currency, { ...this.settingsOf(currency), payoffDates: [...new Set(days)].sort() });
  }

  handlers(): CommandHandlers<'risk'> {
    return {
      'risk.settings.get': ({ currency }) => this.settingsOf(currency),
      'risk.settings.set': (params) => this.setGrid(params),
      'risk.equity.set': (params) => this.setEquity(params),
    };
  }

  resolvers(): TopicResolvers<'risk'> {
    return {
      risk: ({ currency }) => {
        // A new subscriber gets the current snapshot at once (computed now when there is none).
        if (!this.deps.hub.channel('risk', currency).current()) this.publish(currency);
        return currency;
      },
    };
  }

  /** The publish round: every currency somebody watches, when its inputs changed and a second has passed. */
  round(): void {
    const now = this.deps.nowMs();
    for (const currency of CURRENCIES) {
      if (this.deps.hub.channel('risk', currency).subscriberCount === 0) continue;
      if (this.inFlight.has(currency)) continue;
      const last = this.last.get(currency);
      if (last && now - last.atMs < RISK_INTERVAL_MS) continue;
      if (last && last.key === this.inputsKey(currency)) continue;
      this.publish(currency);
    }
  }

  /** Forgets what was published (a new source): the next round recomputes. */
  reset(): void {
    this.generation++;
    this.inFlight.clear();
    this.last.clear();
    this.pmBooks.clear();
    this.marginCalls.clear();
  }

  /**
   * The advisor's snapshot with the margin effect of its proposal (IM and MM before and after), on the market as
   * it is when the snapshot is published. The book's PM vectors are kept per market seq and book version, so a
   * proposal costs one vector per leg.
   */
  /**
   * The live book's last distance to a margin call when it can stand for a new one (same book and settings, the
   * index within MARGIN_CALL_REUSE of where it was found, not too old); null when it must be searched again.
   */
  reusableMarginCall(currency: Currency): { atMs: number; distances: RiskSnapshot['marginCall'] } | null {
    const market = this.deps.market();
    const indexUsd = market.currencies.get(currency)?.indexUsd ?? null;
    const previous = this.marginCalls.get(currency);
    const current =
      previous !== undefined && indexUsd !== null && previous.key === `${this.deps.book().version} ${this.settingsVersion}` &&
      Math.abs(indexUsd / previous.indexUsd - 1) < MARGIN_CALL_REUSE.indexMove && market.timeMs - previous.atMs < MARGIN_CALL_REUSE.maxAgeMs;
    return current ? previous : null;
  }

  /** The replica's parameters for risk inputs: Deribit's live model_params once read (app/pmeComparison.ts), else none (the table). */
  pmParamsOf(currency: Currency): Pick<RiskInputs, 'params' | 'paramsSource'> {
    const pm = this.deps.pme?.paramsFor(currency);
    return pm ? { params: pm.params, paramsSource: pm.source } : {};
  }

  withMargin(snapshot: HedgeSnapshot): HedgeSnapshot {
    const proposal = snapshot.proposal;
    if (!proposal || proposal.legs.length === 0) return snapshot;
    const market = this.deps.market();
    const book = this.deps.book();
    // The replica's parameters: Deribit's live model_params once read (app/pmeComparison.ts), else the table.
    const pm = this.deps.pme?.paramsFor(snapshot.currency);
    const key = `${market.seq} ${book.version} ${pm?.source.asOfMs ?? 'table'}`;
    const cached = this.pmBooks.get(snapshot.currency);
    const result = hedgeProposalMargin(snapshot.currency, book.positions, bookMarket(market, market.timeMs), market.seq, proposal.legs, cached?.key === key ? cached.book : null, ...(pm ? [pm.params] : []));
    if (result.book) this.pmBooks.set(snapshot.currency, { key, book: result.book });
    return { ...snapshot, margin: result.margin, marginReason: result.reason };
  }

  private inputsKey(currency: Currency): string {
    const hedge = this.deps.hedge(currency);
    return `${this.deps.market().seq} ${this.deps.book().version} ${this.settingsVersion} ${hedge?.inputsHash ?? ''} ${this.deps.pme?.stateKey(currency) ?? ''}`;
  }

  /** Resolves when no snapshot is being computed on the pool and no pme/simulate request is in flight (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight.values(), this.deps.pme?.settled()]);
  }

  private publish(currency: Currency): void {
    const market = this.deps.market();
    const book = this.deps.book();
    const hedge = this.deps.hedge(currency);
    const proposal = hedge?.proposal && hedge.proposal.status === 'trade' && hedge.proposal.legs.length > 0 ? { inputsHash: hedge.inputsHash, legs: hedge.proposal.legs } : null;
    const settings = this.settingsOf(currency);
    const indexUsd = market.currencies.get(currency)?.indexUsd ?? null;
    const callKey = `${book.version} ${this.settingsVersion}`;
    const reuse = this.reusableMarginCall(currency);
    const started = this.deps.wallMs();
    const input = riskTaskInput({
      currency,
      book: book.positions,
      bookVersion: book.version,
      market: bookMarket(market, market.timeMs),
      marketSeq: market.seq,
      settings,
      smiles: marketSmiles(market, currency),
      proposal,
      marginCall: reuse,
      ...this.pmParamsOf(currency),
    });
    this.deps.pme?.maybeRequest(currency, input.positions, input.indexUsd, input.nowMs, input.marketSeq, input.bookVersion);
    this.last.set(currency, { key: this.inputsKey(currency), atMs: this.deps.nowMs() });
    const finish = (snapshot: RiskSnapshot): void => {
      if (!reuse && indexUsd !== null && snapshot.marginCallAtMs !== null) this.marginCalls.set(currency, { key: callKey, indexUsd, atMs: snapshot.marginCallAtMs, distances: snapshot.marginCall });
      const pme = this.deps.pme?.view(currency) ?? { comparison: null, reason: 'no comparison with Deribit in this app' };
      this.deps.hub.channel('risk', currency).publish({ ...snapshot, pmComparison: pme.comparison, pmComparisonReason: pme.reason });
    };
    const pool = this.deps.pool;
    if (pool && (this.deps.offThread?.() ?? true)) {
      const generation = this.generation;
      const task = pool
        .computeRiskSnapshot(input)
        .then((snapshot) => {
          if (generation === this.generation) finish(snapshot);
        }, (error: unknown) => {
          // The pool failed (a worker crash): say so and compute this one in-process rather than show nothing.
          this.deps.onError?.(error);
          if (generation === this.generation) finish(riskSnapshotFrom(input));
        })
        .finally(() => {
          if (this.inFlight.get(currency) === task) this.inFlight.delete(currency);
        });
      this.inFlight.set(currency, task);
      return;
    }
    const snapshot = riskSnapshotFrom(input);
    snapshot.computeMs = this.deps.wallMs() - started;
    finish(snapshot);
  }
}
