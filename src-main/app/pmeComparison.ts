/**
 * Replica vs Deribit, live (issue 12, item 2): with a Deribit key configured, Deribit's `private/pme/simulate`
 * evaluates exactly the trader's GammaDesk book (`simulated_positions` = the book's revalued positions in base
 * currency, `add_positions: false`), and the replica (core/risk/pm.ts) is compared with its answer vector by vector
 * and for IM / MM (core/risk/pmCompare.ts).
 *
 * - Asked from the risk service's publish round, never awaited there and never on the engine's clock path: at most
 *   once per `intervalMs` per currency (wall time, the injected clock), one request in flight per currency.
 * - The replica side of a comparison is computed when the answer arrives, on the book and market the request was
 *   built from, with the answer's live `model_params` (and Deribit's MMP / open-order / spot margins in IM).
 * - Results carry their as-of time (the answer's arrival); after `staleAfterMs` they are marked stale.
 * - Deribit's latest `model_params` become the replica's parameters for the currency's risk snapshot; before any
 *   answer (or without a key) the documented table is used. The snapshot says which.
 * - Without a key (or with the paper venue, or a replayed session) there is no request, and the reason is shown.
 */
import type { PmComparisonView, RiskSnapshot } from '../api/dto';
import type { Currency } from '../core/market/events';
import { pmBook, PmInputError } from '../core/risk/pm';
import { comparePm, PmCompareError, pmExtrasOf, type PmeSimulateResult } from '../core/risk/pmCompare';
import { PM_PARAMS, PmParamsError, pmParamsFromModelParams, type PmParams } from '../core/risk/pmParams';
import type { RiskPosition } from '../core/risk/riskPosition';
import { PM_TABLE_SOURCE } from '../engine/riskSnapshot';

/** Defaults: a request per currency at most every 10 s; a result older than 60 s is stale. */
export const PME_COMPARE_DEFAULTS = Object.freeze({ intervalMs: 10_000, staleAfterMs: 60_000 });
export const SETTING_PME_INTERVAL = 'risk.pmeCompare.intervalSeconds';
export const SETTING_PME_STALE = 'risk.pmeCompare.staleSeconds';

export interface PmeComparisonDeps {
  /** Why no request can be made now (no key, paper venue, a replay); null when it can. */
  unavailable: () => string | null;
  /** `private/pme/simulate` for exactly `positions` (base currency). */
  simulate: (currency: Currency, positions: Record<string, number>) => Promise<PmeSimulateResult>;
  /** Wall time, ms (injected: tests step it). */
  nowMs: () => number;
  intervalMs?: () => number;
  staleAfterMs?: () => number;
  /** A result or an error arrived (the risk stream should republish). */
  onChange?: () => void;
}

interface Request {
  requestedMs: number;
  positions: RiskPosition[];
  indexUsd: number;
  marketNowMs: number;
  marketSeq: number;
  bookVersion: number;
}

interface CurrencyState {
  lastRequestMs: number | null;
  inFlight: Promise<void> | null;
  view: Omit<PmComparisonView, 'ageMs' | 'stale'> | null;
  params: { params: PmParams; asOfMs: number } | null;
  error: string | null;
}

const message = (error: unknown): string => {
  if (error instanceof Error) {
    const data = (error as { data?: { reason?: unknown } }).data;
    return typeof data?.reason === 'string' ? `${error.message} (${data.reason})` : error.message;
  }
  return String(error);
};

/** A seconds setting as ms: a number ≥ `minSeconds`, else the default (a bad stored value never means "ask every round"). */
export function secondsSetting(value: unknown, defaultMs: number, minSeconds = 1): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= minSeconds ? value * 1000 : defaultMs;
}

/** What decides whether the replica can be compared with Deribit now. */
export interface PmeAvailability {
  source: { kind: 'demo' | 'deribit' | 'replay'; network?: 'testnet' | 'mainnet' };
  venue: 'paper' | 'deribit';
  network: 'testnet' | 'mainnet';
  credentials: { configured: boolean; source: string; problem: string | null };
}

/** Why there can be no comparison (shown in the Risk view), or null when Deribit can be asked. */
export function pmeUnavailableReason(a: PmeAvailability): string | null {
  if (a.source.kind !== 'deribit') return `the market source is ${a.source.kind === 'replay' ? 'a replayed session' : 'the demo market'}, not Deribit's live market: no comparison with Deribit's pme/simulate`;
  if (a.venue !== 'deribit') return "the execution venue is paper: choose Deribit and configure an API key to compare the replica with Deribit's pme/simulate";
  if (!a.credentials.configured) return `no Deribit API key (${a.credentials.source}${a.credentials.problem ? `: ${a.credentials.problem}` : ''}): no comparison with Deribit's pme/simulate`;
  if (a.source.network !== a.network) return `the market is Deribit ${a.source.network ?? '?'} but the key is for ${a.network}: no comparison`;
  return null;
}

/** The book as `simulated_positions`: base-currency size per instrument. */
export function simulatedPositions(positions: readonly RiskPosition[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of positions) out[p.instrument] = (out[p.instrument] ?? 0) + p.sizeCoin;
  return out;
}

export class PmeComparisons {
  private readonly states = new Map<Currency, CurrencyState>();
  /** Bumped on every result or error. */
  version = 0;

  constructor(private readonly deps: PmeComparisonDeps) {}

  private state(currency: Currency): CurrencyState {
    let s = this.states.get(currency);
    if (!s) this.states.set(currency, (s = { lastRequestMs: null, inFlight: null, view: null, params: null, error: null }));
    return s;
  }

  private get intervalMs(): number {
    return this.deps.intervalMs?.() ?? PME_COMPARE_DEFAULTS.intervalMs;
  }

  private get staleAfterMs(): number {
    return this.deps.staleAfterMs?.() ?? PME_COMPARE_DEFAULTS.staleAfterMs;
  }

  /** The replica's parameters for the currency: Deribit's latest `model_params`, else the documented table. */
  paramsFor(currency: Currency): { params: PmParams; source: RiskSnapshot['pmParamsSource'] } {
    const live = this.states.get(currency)?.params;
    if (live) return { params: live.params, source: { kind: 'deribit', asOfMs: live.asOfMs, label: "Deribit's live model_params (private/pme/simulate)" } };
    return { params: { ...PM_PARAMS[currency] }, source: { ...PM_TABLE_SOURCE } };
  }

  /**
   * Asks Deribit for the book when the interval has passed, nothing is in flight and a request is possible.
   * Returns at once; the answer is handled when it arrives.
   */
  maybeRequest(currency: Currency, positions: readonly RiskPosition[], indexUsd: number | null, marketNowMs: number, marketSeq: number, bookVersion: number): void {
    const s = this.state(currency);
    if (s.inFlight || this.deps.unavailable() !== null || indexUsd === null || !(indexUsd > 0) || positions.length === 0) return;
    const now = this.deps.nowMs();
    if (s.lastRequestMs !== null && now - s.lastRequestMs < this.intervalMs) return;
    s.lastRequestMs = now;
    const request: Request = { requestedMs: now, positions: [...positions], indexUsd, marketNowMs, marketSeq, bookVersion };
    s.inFlight = this.deps
      .simulate(currency, simulatedPositions(positions))
      .then((result) => this.accept(currency, request, result), (error: unknown) => {
        s.error = `Deribit's pme/simulate failed: ${message(error)}`;
      })
      .finally(() => {
        s.inFlight = null;
        this.version++;
        this.deps.onChange?.();
      });
  }

  private accept(currency: Currency, request: Request, result: PmeSimulateResult): void {
    const s = this.state(currency);
    const asOfMs = this.deps.nowMs();
    s.error = null;
    let params: PmParams;
    try {
      params = result.modelParams ? pmParamsFromModelParams(result.modelParams, currency) : { ...PM_PARAMS[currency] };
    } catch (error) {
      if (!(error instanceof PmParamsError)) throw error;
      s.error = `Deribit's model_params were refused: ${error.message}; the documented table stays in use`;
      params = { ...PM_PARAMS[currency] };
    }
    if (result.modelParams && s.error === null) s.params = { params, asOfMs };
    const base = {
      asOfMs,
      requestedMs: request.requestedMs,
      staleAfterMs: this.staleAfterMs,
      marketSeq: request.marketSeq,
      bookVersion: request.bookVersion,
      positions: request.positions.length,
      paramsSource: result.modelParams && s.params ? ('deribit' as const) : ('table' as const),
      deribitIndexUsd: result.indexUsd,
    };
    try {
      const replica = pmBook(currency, request.positions, request.indexUsd, request.marketNowMs, params, pmExtrasOf(result));
      s.view = { ...base, comparison: comparePm(replica, result), reason: null };
    } catch (error) {
      if (!(error instanceof PmCompareError || error instanceof PmInputError)) throw error;
      s.view = { ...base, comparison: null, reason: error.message };
    }
  }

  /** What the risk snapshot shows: the latest comparison (stale or not), or why there is none. */
  view(currency: Currency): { comparison: PmComparisonView | null; reason: string | null } {
    const s = this.states.get(currency);
    const unavailable = this.deps.unavailable();
    const view = s?.view ?? null;
    if (!view) {
      if (unavailable !== null) return { comparison: null, reason: unavailable };
      if (s?.error) return { comparison: null, reason: s.error };
      return { comparison: null, reason: s?.inFlight ? "waiting for Deribit's pme/simulate" : 'no comparison yet (it is asked for while the Risk view is watched and the book has positions)' };
    }
    const ageMs = this.deps.nowMs() - view.asOfMs;
    const reasons = [unavailable, s?.error].filter((r): r is string => typeof r === 'string');
    return { comparison: { ...view, ageMs, stale: ageMs > view.staleAfterMs }, reason: reasons.length > 0 ? reasons.join('; ') : null };
  }

  /** Changes when what {@link view} shows changes (a result, an error, turning stale). */
  stateKey(currency: Currency): string {
    const v = this.view(currency);
    return `${this.version} ${v.comparison?.stale ?? '-'} ${v.reason ?? ''}`;
  }

  /** Resolves when no request is in flight (tests). */
  async settled(): Promise<void> {
    await Promise.all([...this.states.values()].map((s) => s.inFlight));
  }
}
