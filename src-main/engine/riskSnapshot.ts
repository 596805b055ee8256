/**
 * The Risk view's snapshot of one currency (issue 12): the live book revalued over the trader's scenario grid
 * (core/risk/scenario.ts), the portfolio-margin replica's IM and MM with the worst vector (core/risk/pm.ts), the
 * standard-margin alternative, equity and usage when the trader entered an equity, the distance to a margin call
 * (at current vols and +10 vol points), the payoff curve (today and at the next expiry), and the margin effect of
 * the advisor's current proposal (core/risk/hedgeMargin.ts).
 *
 * A pure function of the book, the market and the settings: the same inputs give the same snapshot (replays
 * included); `computeMs` is the only wall-clock field. Numbers that cannot be computed are null with a reason.
 *
 * Two halves, so that the work can leave the main thread: {@link riskTaskInput} assembles plain, cloneable inputs
 * from the live book and market (the risk records of the positions and of the proposal's legs, the smiles), and
 * {@link riskSnapshotFrom} computes the snapshot from them alone — in-process, or on the worker pool as the named
 * task `riskSnapshot` (workers/riskSnapshotTask.ts). {@link riskSnapshot} is the two in a row.
 */
import type { RiskSettings, RiskSnapshot } from '../api/dto';
import type { CheckedPosition } from '../core/book/position';
import type { BookMarket } from '../core/book/valuation';
import type { ProposalLeg } from '../core/hedge/types';
import type { Currency } from '../core/market/events';
import { legPositions, proposalMargin, proposalMarginOfLegs, type ProposalMargin } from '../core/risk/hedgeMargin';
import { distanceToMarginCall, type MarginCallDistance } from '../core/risk/marginCall';
import { payoffDates } from '../core/risk/payoffDates';
import { pmBook, PmInputError, type PmBook } from '../core/risk/pm';
import { PM_PARAMS, type PmParams } from '../core/risk/pmParams';
import { riskPositions, type RiskPosition } from '../core/risk/riskPosition';
import { DEFAULT_SPOT_MOVES, DEFAULT_VOL_SHIFTS, defaultTimes, payoffCurve, scenarioMatrix, ScenarioSpecError, smileKey, type Smile } from '../core/risk/scenario';
import { standardMargin } from '../core/risk/standardMargin';
import type { MarketState } from './marketState';

/** The default grid: −30 … +30 % in 10 % steps, −20 … +20 vol points, sticky strike, no equity entered. */
export const DEFAULT_RISK_SETTINGS: Readonly<RiskSettings> = Object.freeze({
  spotMoves: [...DEFAULT_SPOT_MOVES],
  volShifts: [...DEFAULT_VOL_SHIFTS],
  volShiftMode: 'absolute',
  volDynamics: 'sticky-strike',
  equityCoin: null,
  payoffDates: [],
});

/** The vol shift of the "vol up" distance to a margin call: +10 vol points (as `gammadesk risk`). */
export const MARGIN_CALL_VOL_UP = 0.1;
/**
 * The live scan for a margin call: 5 % steps to −95 % and +100 %, then bisection to 0.01 % of the index (the CLI
 * scans 1 % steps to +300 %; live, each step is a PM margin of the whole book, so the scan is coarser).
 */
export const LIVE_MARGIN_CALL_SCAN = Object.freeze({ stepMove: 0.05, maxDown: 0.95, maxUp: 1, tolerance: 1e-4 });
/** Payoff curve: index levels from −50 % to +50 % in this many steps. */
const PAYOFF_POINTS = 81;
const PAYOFF_RANGE = 0.5;

export interface RiskInputs {
  currency: Currency;
  book: readonly CheckedPosition[];
  bookVersion: number;
  market: BookMarket;
  marketSeq: number;
  settings: Readonly<RiskSettings>;
  /** Smiles per expiry (sticky moneyness); from {@link marketSmiles}. */
  smiles?: ReadonlyMap<string, Smile>;
  params?: Readonly<PmParams>;
  /** The advisor's current proposal for the currency, if it trades. */
  proposal?: { inputsHash: string; legs: readonly Pick<ProposalLeg, 'instrument' | 'side' | 'amount'>[] } | null;
  /** Wall-clock reading for `computeMs` only. */
  wallMs?: () => number;
  /** The book's risk records when the caller has them already (the benchmark); otherwise built from `book`. */
  riskBook?: { positions: RiskPosition[]; skipped: { instrument: string; reason: string }[] };
  /** A distance to a margin call computed earlier to reuse (the caller decides when it is still current). */
  marginCall?: { atMs: number; distances: RiskSnapshot['marginCall'] } | null;
  /** Where `params` came from (default: the documented table). */
  paramsSource?: RiskSnapshot['pmParamsSource'];
}

/** The replica's default parameter source, as the snapshot names it. */
export const PM_TABLE_SOURCE: RiskSnapshot['pmParamsSource'] = Object.freeze({ kind: 'table', asOfMs: null, label: 'the documented table (core/risk/pmParams.ts; Deribit changes it without notice)' });

/** Each expiry's smile from the live marks (mark IV by strike; a call and a put of a strike averaged). */
export function marketSmiles(market: MarketState, currency: Currency): Map<string, Smile> {
  const smiles = new Map<string, Smile>();
  const state = market.currencies.get(currency);
  if (!state) return smiles;
  for (const book of state.sortedExpiries()) {
    const byStrike = new Map<number, number[]>();
    for (const option of book.options) {
      const iv = option.ticker?.markIv;
      if (iv === undefined || !(iv > 0)) continue;
      const list = byStrike.get(option.def.strikeUsd) ?? [];
      list.push(iv);
      byStrike.set(option.def.strikeUsd, list);
    }
    const sorted = [...byStrike.entries()].sort((a, b) => a[0] - b[0]);
    if (sorted.length > 0) smiles.set(smileKey(currency, book.expiryMs), { strikes: sorted.map(([k]) => k), vols: sorted.map(([, v]) => v.reduce((a, b) => a + b, 0) / v.length) });
  }
  return smiles;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function marginCallDto(d: MarginCallDistance): RiskSnapshot['marginCall'][number] {
  return { volShift: d.volShift, down: d.down, up: d.up };
}

/** Everything {@link riskSnapshotFrom} needs, as plain data (structured-cloneable: it crosses to a pool thread). */
export interface RiskTaskInput {
  currency: Currency;
  nowMs: number;
  indexUsd: number | null;
  marketSeq: number;
  bookVersion: number;
  settings: RiskSettings;
  params: PmParams;
  paramsSource: RiskSnapshot['pmParamsSource'];
  positions: RiskPosition[];
  skipped: { instrument: string; reason: string }[];
  positionCount: number;
  smiles: [string, Smile][] | null;
  /** The proposal with its legs already revalued on the market (the legs of this currency and the rest). */
  proposal: { inputsHash: string; legs: { instrument: string; side: 'buy' | 'sell'; amount: number }[]; revalued: ReturnType<typeof legPositions> } | null;
  marginCall: { atMs: number; distances: RiskSnapshot['marginCall'] } | null;
}

/** The main thread's half: the book and the proposal's legs revalued on the live market, as plain data. */
export function riskTaskInput(inputs: RiskInputs): RiskTaskInput {
  const { currency, market, settings } = inputs;
  const own = inputs.book.filter((p) => p.currency === currency);
  const { positions, skipped } = inputs.riskBook ?? riskPositions(own, market);
  const proposal = inputs.proposal && inputs.proposal.legs.length > 0 ? inputs.proposal : null;
  const legs = proposal ? proposal.legs.map((l) => ({ instrument: l.instrument, side: l.side, amount: l.amount })) : [];
  return {
    currency,
    nowMs: market.nowMs,
    indexUsd: market.indexUsd(currency),
    marketSeq: inputs.marketSeq,
    bookVersion: inputs.bookVersion,
    settings: { ...settings, spotMoves: [...settings.spotMoves], volShifts: [...settings.volShifts] },
    params: { ...(inputs.params ?? PM_PARAMS[currency]) },
    paramsSource: { ...(inputs.paramsSource ?? PM_TABLE_SOURCE) },
    positions,
    skipped,
    positionCount: inputs.riskBook ? positions.length + skipped.length : own.length,
    smiles: inputs.smiles ? [...inputs.smiles.entries()] : null,
    proposal: proposal ? { inputsHash: proposal.inputsHash, legs, revalued: legPositions(legs, market) } : null,
    marginCall: inputs.marginCall ?? null,
  };
}

export function riskSnapshot(inputs: RiskInputs): RiskSnapshot {
  const started = inputs.wallMs?.() ?? 0;
  const snapshot = riskSnapshotFrom(riskTaskInput(inputs));
  snapshot.computeMs = (inputs.wallMs?.() ?? 0) - started;
  return snapshot;
}

/** The snapshot from plain inputs alone (in-process or on a pool thread); `computeMs` is the caller's to set. */
export function riskSnapshotFrom(input: RiskTaskInput): RiskSnapshot {
  const { currency, settings, params, nowMs, indexUsd, positions, skipped } = input;
  const notes: string[] = [];
  const base = {
    currency,
    marketTimeMs: nowMs,
    marketSeq: input.marketSeq,
    bookVersion: input.bookVersion,
    settings: { ...settings, spotMoves: [...settings.spotMoves], volShifts: [...settings.volShifts], payoffDates: [...settings.payoffDates] },
    indexUsd,
    positionCount: input.positionCount,
    skipped,
  };
  const empty: RiskSnapshot = {
    ...base,
    matrix: null,
    matrixReason: null,
    margin: null,
    marginReason: null,
    standardMargin: null,
    equityCoin: settings.equityCoin,
    equityReason: settings.equityCoin === null ? 'enter your equity (coin) to see usage and the distance to a margin call' : null,
    usage: null,
    marginCall: [],
    marginCallAtMs: null,
    marginCallReason: null,
    payoff: null,
    proposal: null,
    notes,
    pmParamsSource: input.paramsSource,
    pmComparison: null,
    pmComparisonReason: null,
    computeMs: 0,
  };
  if (indexUsd === null || !(indexUsd > 0)) return { ...empty, matrixReason: `no ${currency} index price yet`, marginReason: `no ${currency} index price yet` };
  if (positions.length === 0) {
    const why = positions.length + skipped.length === 0 ? `no ${currency} positions in the book` : `none of the ${currency} positions can be revalued`;
    return { ...empty, matrixReason: why, marginReason: why, marginCallReason: why };
  }
  const snapshot: RiskSnapshot = { ...empty };
  // Scenario matrix.
  try {
    const times = defaultTimes(positions, nowMs);
    const matrix = scenarioMatrix(positions, { [currency]: indexUsd }, nowMs, {
      spotMoves: settings.spotMoves,
      volShifts: settings.volShifts,
      times,
      volShiftMode: settings.volShiftMode,
      volDynamics: settings.volDynamics,
      ...(input.smiles ? { smiles: new Map(input.smiles) } : {}),
    });
    notes.push(...matrix.notes);
    const m = matrix.currencies[0]!;
    const cells = matrix.cells;
    snapshot.matrix = {
      times,
      pnlUsd: Array.from(m.pnlUsd),
      pnlCoin: Array.from(m.pnlCoin),
      positions: m.positions.map((p) => ({ instrument: p.instrument, kind: p.kind, sizeCoin: p.sizeCoin })),
      drillUsd: m.positions.map((_, i) => Array.from(m.drillUsd.subarray(i * cells, (i + 1) * cells))),
      drillCoin: m.positions.map((_, i) => Array.from(m.drillCoin.subarray(i * cells, (i + 1) * cells))),
    };
  } catch (error) {
    if (!(error instanceof ScenarioSpecError)) throw error;
    snapshot.matrixReason = message(error);
  }
  // Portfolio margin, standard margin, usage, distance to a margin call.
  let book = null;
  try {
    book = pmBook(currency, positions, indexUsd, nowMs, params);
  } catch (error) {
    if (!(error instanceof PmInputError)) throw error;
    snapshot.marginReason = message(error);
  }
  if (book) {
    const mg = book.margin;
    snapshot.margin = {
      initialMargin: mg.initialMargin,
      maintenanceMargin: mg.maintenanceMargin,
      riskMatrixMargin: mg.riskMatrixMargin,
      worstCase: mg.worstCase,
      worstCaseBucket: mg.worstCaseBucket,
      rollShock: mg.rollShock,
      deltaShock: mg.deltaShock,
      standardMoves: mg.standardMoves,
      extendedMoves: mg.extendedMoves,
      standard: mg.standard,
      extended: mg.extended,
    };
    const sm = standardMargin(currency, positions, indexUsd, nowMs);
    snapshot.standardMargin = { initialMargin: sm.initialMargin, maintenanceMargin: sm.maintenanceMargin };
    const equity = settings.equityCoin;
    if (equity !== null) {
      snapshot.usage = equity > 0 ? { initial: mg.initialMargin / equity, maintenance: mg.maintenanceMargin / equity } : null;
      if (!(equity > 0)) snapshot.equityReason = 'usage needs an equity above 0';
      if (input.marginCall) {
        snapshot.marginCall = input.marginCall.distances;
        snapshot.marginCallAtMs = input.marginCall.atMs;
      } else {
        snapshot.marginCall = [0, MARGIN_CALL_VOL_UP].map((volShift) => marginCallDto(distanceToMarginCall(currency, positions, indexUsd, nowMs, params, equity, { ...LIVE_MARGIN_CALL_SCAN, volShift })));
        snapshot.marginCallAtMs = nowMs;
      }
    } else snapshot.marginCallReason = 'enter your equity (coin) to see the distance to a margin call';
    const proposal = input.proposal;
    if (proposal) {
      const pm = proposalMarginOfLegs(book, proposal.revalued);
      snapshot.proposal = { inputsHash: proposal.inputsHash, legs: proposal.legs, margin: pm, payoffAfter: null };
    }
  }
  // Payoff curve: today, at the chosen dates and at the next expiry (book, and book + proposal).
  const nextExpiry = positions.reduce((min, p) => (p.expiryMs !== null && p.expiryMs > nowMs && p.expiryMs < min ? p.expiryMs : min), Infinity);
  // Today, the trader's chosen dates and the next expiry (core/risk/payoffDates.ts).
  const { dates, notes: dateNotes } = payoffDates(nowMs, Number.isFinite(nextExpiry) ? nextExpiry : null, settings.payoffDates);
  notes.push(...dateNotes);
  const spots = Array.from({ length: PAYOFF_POINTS }, (_, i) => indexUsd * (1 - PAYOFF_RANGE + (2 * PAYOFF_RANGE * i) / (PAYOFF_POINTS - 1)));
  snapshot.payoff = payoffCurve(currency, positions, indexUsd, nowMs, spots, dates);
  if (snapshot.proposal && input.proposal) {
    const legs = input.proposal.revalued.positions.filter((p) => p.currency === currency);
    if (legs.length > 0) snapshot.proposal.payoffAfter = payoffCurve(currency, [...positions, ...legs], indexUsd, nowMs, spots, dates);
  }
  return snapshot;
}

/** The margin effect of a proposal's legs on the currency's live book, or null with the reason. */
export interface HedgeMarginResult {
  margin: (ProposalMargin & { marketSeq: number }) | null;
  reason: string | null;
}

/**
 * IM and MM of the currency's book before and after `legs` (issue 12, item 3), on the market as it is now
 * (`marketSeq` says which). `book` is the book's PM vectors when the caller keeps them (one per market seq and
 * book version); otherwise they are computed here.
 */
export function hedgeProposalMargin(
  currency: Currency,
  positions: readonly CheckedPosition[],
  market: BookMarket,
  marketSeq: number,
  legs: readonly Pick<ProposalLeg, 'instrument' | 'side' | 'amount'>[],
  cached: PmBook | null = null,
  params: Readonly<PmParams> = PM_PARAMS[currency],
): HedgeMarginResult & { book: PmBook | null } {
  const indexUsd = market.indexUsd(currency);
  if (indexUsd === null || !(indexUsd > 0)) return { margin: null, reason: `no ${currency} index price yet`, book: null };
  let book = cached;
  if (!book) {
    const { positions: own } = riskPositions(positions.filter((p) => p.currency === currency), market);
    try {
      book = pmBook(currency, own, indexUsd, market.nowMs, params);
    } catch (error) {
      if (!(error instanceof PmInputError)) throw error;
      return { margin: null, reason: message(error), book: null };
    }
  }
  try {
    return { margin: { ...proposalMargin(book, legs, market), marketSeq }, reason: null, book };
  } catch (error) {
    if (!(error instanceof PmInputError)) throw error;
    return { margin: null, reason: message(error), book };
  }
}
