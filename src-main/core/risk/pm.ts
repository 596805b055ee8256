/**
 * A local replica of Deribit's portfolio margin (S:PM, one currency), after ../shared/reference/deribit_margin.md
 * (§3) and docs/decisions/0014-margin-replica.md. Per position, a risk vector of coin P&L:
 *
 *   standard  (2·buckets + 1) price moves from −range to +range, ascending, × 3 vol scenarios in the order
 *             [vol up, unchanged, vol down]: 27 entries for 4 buckets. Entry index = 3 × bucket + scenario.
 *   extended  one entry per extended move (vol up only), scaled to a fraction of its P&L:
 *             pnl(m) × extended_table_factor × range/|m| × (1 + m)/(1 + sign(m) range)
 *             (the USD P&L × range/|m|, converted to coin at the edge-of-range price).
 *
 * Vol shocks (options; Deribit publishes only the parameter names, this is the third-party reading used by
 * oreome, Paradex and Derive): f = (30 / DTE)^p, p = short_term_vega_power below 30 days else long_term,
 * DTE floored at 1 day; σ_up = max(σ (1 + volRangeUp f), minVolForShockUp), σ_down = max(σ (1 − volRangeDown f), 0).
 * Repricing: Black-76 on the forward × (1 + m), no time step, coin value = USD value / shifted forward.
 *
 * Aggregation (per currency): the sum over positions ("pre-aggregated"); extended entries move towards 0 by the
 * dampener (|m|/range − 1) × extended_dampener USD converted at the index × (1 + sign(m) range); then every gain
 * is multiplied by pnl_offset (capped at max_offsetable_pnl USD).
 *
 *   worst case          = max over the aggregated entries of −value (≥ 0: the centre entry is 0)
 *   roll shock          = Σ over futures and perpetuals (per instrument) of |size| × max(min_annualised_move,
 *                         e^{annualised_move_risk T} − 1); options are not charged (unconfirmed)
 *   delta shock         = |Δ| × min(m_inc × max(|Δ| − threshold/index, 0), max_delta_shock), Δ the coin delta
 *                         (hypothesis: 0 below $20M of delta, which is all that has been checked)
 *   risk-matrix margin  = round(worst case, 9 dp) + roll shock + delta shock
 *   IM                  = risk-matrix margin + MMP + open orders + spot margins (inputs), rounded to 9 dp
 *   MM                  = mm_factor × risk-matrix margin
 * Reproduces both published pme/simulate responses vector by vector (test/unit/core/risk/pm.test.ts).
 *
 * The vectors add over positions, so the margin of the book plus a candidate hedge costs one candidate vector and
 * one aggregation ({@link pmMarginChange}), not a full recomputation.
 */
import type { Currency } from '../market/events';
import { black76CoinValue, black76Price, DAYS_PER_YEAR } from '../pricing/black76';
import { yearsToExpiry } from '../pricing/time';
import { standardMoves, type PmParams } from './pmParams';
import { riskPositionProblem, type RiskPosition } from './riskPosition';

export type PmVolScenario = 'up' | 'unchanged' | 'down';
export const PM_VOL_SCENARIOS: readonly PmVolScenario[] = ['up', 'unchanged', 'down'];

/** Extra IM components Deribit adds outside the risk matrix (not in MM); coin, default 0. */
export interface PmExtras {
  mmpMargin?: number;
  openOrdersMargin?: number;
  spotMargin?: number;
}

export interface PmWorstCase {
  source: 'standard' | 'extended';
  /** 0-based index in its vector. */
  index: number;
  /** Standard: 1 … 2·buckets + 1 (1 = −range); extended: 1 … number of extended moves. */
  bucket: number;
  side: 'left' | 'centre' | 'right';
  move: number;
  vol: PmVolScenario;
}

export interface PmMargin {
  currency: Currency;
  indexUsd: number;
  /** The standard price moves (ascending) and the extended moves. */
  standardMoves: number[];
  extendedMoves: number[];
  /** Σ of the positions' vectors, coin. */
  preAggregatedStandard: number[];
  preAggregatedExtended: number[];
  /** After dampener and pnl_offset, coin. */
  standard: number[];
  extended: number[];
  worstCase: number;
  worstCaseBucket: PmWorstCase;
  rollShock: number;
  deltaShock: number;
  /** The coin delta the delta shock is computed on. */
  deltaCoin: number;
  riskMatrixMargin: number;
  mmpMargin: number;
  openOrdersMargin: number;
  spotMargin: number;
  initialMargin: number;
  maintenanceMargin: number;
}

/** A book's risk vectors, kept so that a candidate's margin effect is one vector addition away. */
export interface PmBook {
  currency: Currency;
  params: Readonly<PmParams>;
  indexUsd: number;
  nowMs: number;
  positions: readonly RiskPosition[];
  /** Entries per vector: standard (3 × points) then extended. */
  width: number;
  standardCount: number;
  /** Row i (width entries) = position i's vector, coin. */
  vectors: Float64Array;
  /** Σ of the rows. */
  total: Float64Array;
  /** Net coin size and roll rate per future / perpetual instrument. */
  deltaOne: Map<string, { sizeCoin: number; rollRate: number }>;
  deltaCoin: number;
  /** The book's own margin. */
  margin: PmMargin;
}

function round9(x: number): number {
  return Math.round(x * 1e9) / 1e9;
}

/** The shocked vols of an option with `vol` and `years` to expiry: [up, unchanged, down]. */
export function pmShockedVols(vol: number, years: number, params: Readonly<PmParams>): [number, number, number] {
  const days = Math.max(years * DAYS_PER_YEAR, 1);
  const factor = Math.pow(30 / days, days < 30 ? params.shortTermVegaPower : params.longTermVegaPower);
  return [Math.max(vol * (1 + params.volRangeUp * factor), params.minVolForShockUp), vol, Math.max(vol * (1 - params.volRangeDown * factor), 0)];
}

/** Roll-shock rate of a dated future (years to expiry) or perpetual (0). */
export function pmRollRate(years: number, params: Readonly<PmParams>): number {
  return Math.max(params.minAnnualisedMove, Math.expm1(params.annualisedMoveRisk * Math.max(years, 0)));
}

/** Per extended move: extended_table_factor × range/|m| × (1 + m)/(1 + sign(m) range). */
function extendedScales(params: Readonly<PmParams>): Float64Array {
  const range = params.priceRange;
  return Float64Array.from(params.extendedMoves, (m) => (params.extendedTableFactor * range * (1 + m)) / (Math.abs(m) * (1 + Math.sign(m) * range)));
}

/**
 * USD prices of the CALL at an option's strike, expiry and vol at every scenario point (standard, then extended),
 * then today's price (last entry). A put is the call − (F − K) (put-call parity, r = 0), so the call and the put
 * of one strike share one set of prices.
 */
function callScenarioPrices(position: RiskPosition, years: number, params: Readonly<PmParams>, moves: readonly number[], out: Float64Array): void {
  const forward = position.forwardUsd;
  const strike = position.strike;
  const vols = pmShockedVols(position.vol, years, params);
  const standardCount = moves.length * 3;
  const today = black76Price(forward, strike, years, position.vol, true);
  for (let i = 0; i < moves.length; i++) {
    const shifted = forward * (1 + moves[i]!);
    for (let v = 0; v < 3; v++) out[3 * i + v] = moves[i] === 0 && v === 1 ? today : black76Price(shifted, strike, years, vols[v]!, true);
  }
  for (let j = 0; j < params.extendedMoves.length; j++) out[standardCount + j] = black76Price(forward * (1 + params.extendedMoves[j]!), strike, years, vols[0], true);
  out[standardCount + params.extendedMoves.length] = today;
}

/**
 * Writes one position's risk vector (standard then extended, coin P&L) into `out` at `offset`.
 * `moves` = standardMoves(params). `cache` (keyed by expiry, strike and vol) shares the scenario prices of the
 * options of one strike across positions; `scales` = the extended fractions (computed once per book).
 */
export function positionPmVector(
  position: RiskPosition, nowMs: number, params: Readonly<PmParams>, moves: readonly number[], out: Float64Array, offset: number,
  cache?: Map<number, Map<number, Float64Array>>, scales: Float64Array = extendedScales(params),
): void {
  const extendedMoves = params.extendedMoves;
  const standardCount = moves.length * 3;
  const size = position.sizeCoin;
  if (position.kind !== 'option') {
    for (let i = 0; i < moves.length; i++) {
      const m = moves[i]!;
      const pnl = (size * m) / (1 + m);
      out[offset + 3 * i] = pnl;
      out[offset + 3 * i + 1] = pnl;
      out[offset + 3 * i + 2] = pnl;
    }
    for (let j = 0; j < extendedMoves.length; j++) {
      const m = extendedMoves[j]!;
      out[offset + standardCount + j] = ((size * m) / (1 + m)) * scales[j]!;
    }
    return;
  }
  const years = yearsToExpiry(position.expiryMs!, nowMs);
  // Keyed by expiry, then strike × vol (a vol is below 100 and a strike an integer or a 1-2 decimal number,
  // so different pairs give different keys in practice; a collision only costs a fresh computation: checked).
  let byExpiry = cache?.get(position.expiryMs!);
  if (cache && !byExpiry) cache.set(position.expiryMs!, (byExpiry = new Map()));
  const key = position.strike * 1e4 + position.vol;
  let calls = byExpiry?.get(key);
  if (calls && (calls[calls.length - 2] !== position.strike || calls[calls.length - 1] !== position.vol)) calls = undefined;
  if (!calls) {
    calls = new Float64Array(standardCount + extendedMoves.length + 3);
    callScenarioPrices(position, years, params, moves, calls);
    calls[calls.length - 2] = position.strike;
    calls[calls.length - 1] = position.vol;
    byExpiry?.set(key, calls);
  }
  const forward = position.forwardUsd;
  const strike = position.strike;
  // Put = call − (F − K); coin value = USD price / forward.
  const put = position.isCall ? 0 : 1;
  const base = (calls[standardCount + extendedMoves.length]! - put * (forward - strike)) / forward;
  for (let i = 0; i < moves.length; i++) {
    const shifted = forward * (1 + moves[i]!);
    const intrinsicShift = put * (shifted - strike);
    for (let v = 0; v < 3; v++) {
      out[offset + 3 * i + v] = moves[i] === 0 && v === 1 ? 0 : size * ((calls[3 * i + v]! - intrinsicShift) / shifted - base);
    }
  }
  for (let j = 0; j < extendedMoves.length; j++) {
    const shifted = forward * (1 + extendedMoves[j]!);
    out[offset + standardCount + j] = size * ((calls[standardCount + j]! - put * (shifted - strike)) / shifted - base) * scales[j]!;
  }
}

function positionDeltaCoin(position: RiskPosition, nowMs: number): number {
  if (position.kind !== 'option') return position.sizeCoin;
  const years = yearsToExpiry(position.expiryMs!, nowMs);
  if (years <= 0) return 0;
  return position.sizeCoin * black76CoinValue(position.forwardUsd, position.strike, years, position.vol, position.isCall).deltaPremiumAdjusted;
}

/** Reusable buffers for {@link aggregate}: one per book, so the hedge path allocates nothing but the result. */
interface Scratch {
  total: Float64Array;
  aggregated: Float64Array;
  candidate: Float64Array;
}
const scratchByBook = new WeakMap<PmBook, Scratch>();

/** Aggregates `total` into `out` (dampener, pnl_offset) and returns the worst loss and its index. */
function aggregate(total: Float64Array, standardCount: number, params: Readonly<PmParams>, indexUsd: number, out: Float64Array): { worst: number; at: number } {
  const range = params.priceRange;
  const cap = params.maxOffsetablePnlUsd / indexUsd;
  let worst = -Infinity;
  let at = 0;
  for (let k = 0; k < total.length; k++) {
    let value = total[k]!;
    if (k >= standardCount) {
      const m = params.extendedMoves[k - standardCount]!;
      const damp = ((Math.abs(m) / range - 1) * params.extendedDampenerUsd) / (indexUsd * (1 + Math.sign(m) * range));
      value = value > 0 ? Math.max(value - damp, 0) : Math.min(value + damp, 0);
    }
    if (value > 0) value = Math.min(value * params.pnlOffset, cap);
    out[k] = value;
    // Ties: the first price point wins; inside its triple the vol-unchanged entry is reported (both published
    // responses name the middle of a tied triple).
    if (-value > worst) {
      worst = -value;
      at = k;
    }
  }
  if (at < standardCount && at % 3 !== 1 && out[at - (at % 3) + 1] === out[at]) at = at - (at % 3) + 1;
  return { worst: Math.max(worst, 0), at };
}

function worstCaseOf(at: number, standardCount: number, moves: readonly number[], params: Readonly<PmParams>): PmWorstCase {
  if (at < standardCount) {
    const point = Math.floor(at / 3);
    const move = moves[point]!;
    return { source: 'standard', index: at, bucket: point + 1, side: move < 0 ? 'left' : move > 0 ? 'right' : 'centre', move, vol: PM_VOL_SCENARIOS[at % 3]! };
  }
  const j = at - standardCount;
  const move = params.extendedMoves[j]!;
  return { source: 'extended', index: j, bucket: j + 1, side: move < 0 ? 'left' : 'right', move, vol: 'up' };
}

function deltaShock(deltaCoin: number, params: Readonly<PmParams>, indexUsd: number): number {
  const size = Math.abs(deltaCoin);
  const fraction = Math.min(params.deltaShockIncrement * Math.max(size - params.deltaShockThresholdUsd / indexUsd, 0), params.maxDeltaShock);
  return fraction * size;
}

function rollShock(deltaOne: Map<string, { sizeCoin: number; rollRate: number }>): number {
  let sum = 0;
  for (const { sizeCoin, rollRate } of deltaOne.values()) sum += Math.abs(sizeCoin) * rollRate;
  return sum;
}

function marginFrom(
  book: Pick<PmBook, 'currency' | 'params' | 'indexUsd' | 'standardCount'>,
  moves: readonly number[],
  total: Float64Array,
  aggregated: Float64Array,
  roll: number,
  deltaCoin: number,
  extras: PmExtras,
): PmMargin {
  const { params, indexUsd, standardCount } = book;
  const { worst, at } = aggregate(total, standardCount, params, indexUsd, aggregated);
  const delta = deltaShock(deltaCoin, params, indexUsd);
  const riskMatrixMargin = round9(worst) + roll + delta;
  const mmpMargin = extras.mmpMargin ?? 0;
  const openOrdersMargin = extras.openOrdersMargin ?? 0;
  const spotMargin = extras.spotMargin ?? 0;
  return {
    currency: book.currency,
    indexUsd,
    standardMoves: [...moves],
    extendedMoves: [...params.extendedMoves],
    preAggregatedStandard: Array.from(total.subarray(0, standardCount)),
    preAggregatedExtended: Array.from(total.subarray(standardCount)),
    standard: Array.from(aggregated.subarray(0, standardCount)),
    extended: Array.from(aggregated.subarray(standardCount)),
    worstCase: worst,
    worstCaseBucket: worstCaseOf(at, standardCount, moves, params),
    rollShock: roll,
    deltaShock: delta,
    deltaCoin,
    riskMatrixMargin,
    mmpMargin,
    openOrdersMargin,
    spotMargin,
    initialMargin: round9(riskMatrixMargin + mmpMargin + openOrdersMargin + spotMargin),
    maintenanceMargin: params.mmFactor * riskMatrixMargin,
  };
}

export class PmInputError extends Error {
  override readonly name = 'PmInputError';
}

/**
 * The risk vectors and margin of the `currency` positions of a book at `indexUsd`.
 * @throws PmInputError for a position of another currency, a non-positive index or a non-finite input.
 */
export function pmBook(currency: Currency, positions: readonly RiskPosition[], indexUsd: number, nowMs: number, params: Readonly<PmParams>, extras: PmExtras = {}): PmBook {
  if (!(indexUsd > 0 && Number.isFinite(indexUsd))) throw new PmInputError(`${currency} index must be a positive number, got ${String(indexUsd)}`);
  const moves = standardMoves(params);
  const standardCount = moves.length * 3;
  const width = standardCount + params.extendedMoves.length;
  const vectors = new Float64Array(positions.length * width);
  const total = new Float64Array(width);
  const deltaOne = new Map<string, { sizeCoin: number; rollRate: number }>();
  let deltaCoin = 0;
  const cache = new Map<number, Map<number, Float64Array>>();
  const scales = extendedScales(params);
  positions.forEach((position, i) => {
    if (position.currency !== currency) throw new PmInputError(`${position.instrument} is a ${position.currency} position, not ${currency}`);
    const problem = riskPositionProblem(position);
    if (problem !== null) throw new PmInputError(problem);
    positionPmVector(position, nowMs, params, moves, vectors, i * width, cache, scales);
    for (let k = 0; k < width; k++) total[k]! += vectors[i * width + k]!;
    deltaCoin += positionDeltaCoin(position, nowMs);
    if (position.kind !== 'option') {
      const years = position.expiryMs === null ? 0 : yearsToExpiry(position.expiryMs, nowMs);
      const entry = deltaOne.get(position.instrument) ?? { sizeCoin: 0, rollRate: pmRollRate(years, params) };
      entry.sizeCoin += position.sizeCoin;
      deltaOne.set(position.instrument, entry);
    }
  });
  const head = { currency, params, indexUsd, standardCount };
  const margin = marginFrom(head, moves, total, new Float64Array(width), rollShock(deltaOne), deltaCoin, extras);
  const book: PmBook = { ...head, nowMs, positions, width, vectors, total, deltaOne, deltaCoin, margin };
  scratchByBook.set(book, { total: new Float64Array(width), aggregated: new Float64Array(width), candidate: new Float64Array(width) });
  return book;
}

export interface PmMarginChange {
  initialMarginBefore: number;
  initialMarginAfter: number;
  maintenanceMarginBefore: number;
  maintenanceMarginAfter: number;
  /** after − before, coin. */
  initialMarginChange: number;
  maintenanceMarginChange: number;
  worstCaseAfter: PmWorstCase;
}

/**
 * The margin of the book plus `candidate` positions (a proposed hedge), from the book's stored vectors: one vector
 * per candidate leg and one aggregation. Equal to `pmBook` on the combined book (a test checks it).
 */
export function pmMarginChange(book: PmBook, candidate: readonly RiskPosition[], extras: PmExtras = {}): PmMarginChange {
  const scratch = scratchByBook.get(book)!;
  const { total, aggregated, candidate: vector } = scratch;
  total.set(book.total);
  const moves = book.margin.standardMoves;
  let deltaCoin = book.deltaCoin;
  let roll = rollShock(book.deltaOne);
  const added = new Map<string, number>();
  for (const leg of candidate) {
    if (leg.currency !== book.currency) throw new PmInputError(`${leg.instrument} is a ${leg.currency} position, not ${book.currency}`);
    positionPmVector(leg, book.nowMs, book.params, moves, vector, 0);
    for (let k = 0; k < book.width; k++) total[k]! += vector[k]!;
    deltaCoin += positionDeltaCoin(leg, book.nowMs);
    if (leg.kind !== 'option') {
      const existing = book.deltaOne.get(leg.instrument);
      const rate = existing?.rollRate ?? pmRollRate(leg.expiryMs === null ? 0 : yearsToExpiry(leg.expiryMs, book.nowMs), book.params);
      const before = (existing?.sizeCoin ?? 0) + (added.get(leg.instrument) ?? 0);
      roll += rate * (Math.abs(before + leg.sizeCoin) - Math.abs(before));
      added.set(leg.instrument, (added.get(leg.instrument) ?? 0) + leg.sizeCoin);
    }
  }
  const after = marginFrom(book, moves, total, aggregated, roll, deltaCoin, extras);
  const before = book.margin;
  return {
    initialMarginBefore: before.initialMargin,
    initialMarginAfter: after.initialMargin,
    maintenanceMarginBefore: before.maintenanceMargin,
    maintenanceMarginAfter: after.maintenanceMargin,
    initialMarginChange: after.initialMargin - before.initialMargin,
    maintenanceMarginChange: after.maintenanceMargin - before.maintenanceMargin,
    worstCaseAfter: after.worstCaseBucket,
  };
}

/** Position i's risk vector: its standard and extended entries, coin. */
export function positionVector(book: PmBook, i: number): { standard: number[]; extended: number[] } {
  const row = book.vectors.subarray(i * book.width, (i + 1) * book.width);
  return { standard: Array.from(row.subarray(0, book.standardCount)), extended: Array.from(row.subarray(book.standardCount)) };
}
