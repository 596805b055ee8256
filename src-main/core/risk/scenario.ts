/**
 * Scenario matrix: full revaluation of the book over spot moves × vol shifts × elapsed times, per currency.
 *
 * - Spot move m (fraction): the index, every forward and every future's mark move by (1 + m), basis unchanged;
 *   the same m is applied to BTC and ETH.
 * - Vol shift (decimal: 0.05 = 5 vol points), `absolute` (every option's vol + shift) or `term-scaled` (shift ×
 *   √(30 / days to expiry), days floored at 1: short expiries move more, as in IB Risk Navigator's term-scaled vol
 *   shifts); vols are floored at 0.
 * - Vol dynamics: `sticky-strike` (each option keeps its vol as spot moves) or `sticky-moneyness` (an option at
 *   strike K takes the smile's vol at K / (1 + m), the same moneyness; applied as the smile's change so that the
 *   centre keeps the position's own mark vol). Options without a smile for their expiry keep sticky strike and are
 *   named in `notes`.
 * - Time: elapsed ms; options past expiry are worth their intrinsic value on the moved forward.
 *
 * P&L is the change from now. Coin P&L = Δ(coin value) (options: size × V/F, Deribit's coin mark; futures:
 * size × m/(1 + m)). USD P&L = Δ(coin value × index): the positions' value in USD at the moved index; the coin
 * held as collateral is not part of the book. Coin P&L is per currency only (BTC and ETH coins are never added);
 * the total is in USD only. The centre (no move, no vol shift, no time) is exactly 0.
 *
 * Per-position P&L for every cell is kept (`drill`), so a cell can be opened into its positions, and the matrix of
 * book + hedge is the matrix of the book plus the matrix of the hedge.
 */
import type { Currency } from '../market/events';
import { black76Price } from '../pricing/black76';
import { yearsToExpiry } from '../pricing/time';
import { MS_PER_DAY, MS_PER_YEAR } from '../units';
import { riskPositionProblem, type RiskPosition } from './riskPosition';

export type VolDynamics = 'sticky-strike' | 'sticky-moneyness';
export type VolShiftMode = 'absolute' | 'term-scaled';

/** A smile of one expiry: vols (decimal) at strikes (ascending), interpolated linearly in log-strike, flat outside. */
export interface Smile {
  strikes: readonly number[];
  vols: readonly number[];
}

export interface ScenarioTime {
  label: string;
  elapsedMs: number;
}

export interface ScenarioSpec {
  spotMoves: readonly number[];
  volShifts: readonly number[];
  times: readonly ScenarioTime[];
  volShiftMode: VolShiftMode;
  volDynamics: VolDynamics;
  /** Keyed by {@link smileKey}; needed for sticky moneyness. */
  smiles?: ReadonlyMap<string, Smile>;
}

export const DEFAULT_SPOT_MOVES: readonly number[] = [-0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3];
export const DEFAULT_VOL_SHIFTS: readonly number[] = [-0.2, -0.1, 0, 0.1, 0.2];

export function smileKey(currency: string, expiryMs: number): string {
  return `${currency} ${expiryMs}`;
}

/** The default time axis: now, +1 day and the currency's next expiry (when the book has one). */
export function defaultTimes(positions: readonly RiskPosition[], nowMs: number): ScenarioTime[] {
  const times: ScenarioTime[] = [{ label: 'now', elapsedMs: 0 }, { label: '+1d', elapsedMs: MS_PER_DAY }];
  const next = positions.reduce((min, p) => (p.expiryMs !== null && p.expiryMs > nowMs && p.expiryMs < min ? p.expiryMs : min), Infinity);
  if (Number.isFinite(next) && next - nowMs !== MS_PER_DAY) times.push({ label: 'next expiry', elapsedMs: next - nowMs });
  return times.sort((a, b) => a.elapsedMs - b.elapsedMs);
}

/** The smile's vol at `strike`; NaN for an empty smile. */
export function smileVol(smile: Smile, strike: number): number {
  const { strikes, vols } = smile;
  const n = strikes.length;
  if (n === 0) return NaN;
  if (strike <= strikes[0]!) return vols[0]!;
  if (strike >= strikes[n - 1]!) return vols[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (strikes[mid]! <= strike) lo = mid;
    else hi = mid;
  }
  const w = Math.log(strike / strikes[lo]!) / Math.log(strikes[hi]! / strikes[lo]!);
  return vols[lo]! + w * (vols[hi]! - vols[lo]!);
}

export interface CurrencyMatrix {
  currency: Currency;
  indexUsd: number;
  /** Cell c = (spot × volShifts + vol) × times + time. */
  pnlCoin: Float64Array;
  pnlUsd: Float64Array;
  /** Row i × cells: position i's P&L per cell (coin, USD). */
  drillCoin: Float64Array;
  drillUsd: Float64Array;
  positions: readonly RiskPosition[];
}

export interface ScenarioMatrix {
  spec: ScenarioSpec;
  cells: number;
  currencies: CurrencyMatrix[];
  /** Σ over currencies, USD only. */
  totalUsd: Float64Array;
  notes: string[];
}

export class ScenarioSpecError extends Error {
  override readonly name = 'ScenarioSpecError';
}

function checkSpec(spec: ScenarioSpec): void {
  const bad = (axis: string, values: readonly number[], ok: (v: number) => boolean, rule: string): void => {
    if (values.length === 0) throw new ScenarioSpecError(`${axis}: at least one value is needed`);
    const wrong = values.find((v) => !Number.isFinite(v) || !ok(v));
    if (wrong !== undefined) throw new ScenarioSpecError(`${axis}: ${String(wrong)} is not ${rule}`);
  };
  bad('spot moves', spec.spotMoves, (v) => v > -1, 'a move above −100 %');
  bad('vol shifts', spec.volShifts, (v) => Math.abs(v) <= 5, 'a vol shift within ±500 points');
  bad('times', spec.times.map((t) => t.elapsedMs), (v) => v >= 0, 'an elapsed time ≥ 0');
}

/** Index of a cell. */
export function cellIndex(spec: ScenarioSpec, spot: number, volShift: number, time: number): number {
  return (spot * spec.volShifts.length + volShift) * spec.times.length + time;
}

/**
 * The scenario matrix of `positions` (any currencies) at the indices `indexUsd`.
 * @throws ScenarioSpecError for an empty axis, a value out of range or a position that cannot be revalued; Error
 * for a currency without an index.
 */
export function scenarioMatrix(positions: readonly RiskPosition[], indexUsd: Partial<Record<Currency, number>>, nowMs: number, spec: ScenarioSpec): ScenarioMatrix {
  checkSpec(spec);
  const nSpot = spec.spotMoves.length;
  const nVol = spec.volShifts.length;
  const nTime = spec.times.length;
  const cells = nSpot * nVol * nTime;
  const notes: string[] = [];
  const byCurrency = new Map<Currency, RiskPosition[]>();
  for (const p of positions) {
    const problem = riskPositionProblem(p);
    if (problem !== null) throw new ScenarioSpecError(problem);
    const list = byCurrency.get(p.currency) ?? [];
    list.push(p);
    byCurrency.set(p.currency, list);
  }
  const currencies: CurrencyMatrix[] = [];
  const totalUsd = new Float64Array(cells);
  const elapsedYears = spec.times.map((t) => t.elapsedMs / MS_PER_YEAR);
  const at = (values: readonly number[]): number => values.indexOf(0);
  const zeroTime = spec.times.findIndex((t) => t.elapsedMs === 0);
  const centre = at(spec.spotMoves) >= 0 && at(spec.volShifts) >= 0 && zeroTime >= 0 ? cellIndex(spec, at(spec.spotMoves), at(spec.volShifts), zeroTime) : -1;
  const vols = new Float64Array(nSpot);
  for (const currency of [...byCurrency.keys()].sort()) {
    const list = byCurrency.get(currency)!;
    const index = indexUsd[currency];
    if (index === undefined || !(index > 0)) throw new Error(`no ${currency} index price: the ${currency} positions cannot be revalued`);
    const pnlCoin = new Float64Array(cells);
    const pnlUsd = new Float64Array(cells);
    const drillCoin = new Float64Array(list.length * cells);
    const drillUsd = new Float64Array(list.length * cells);
    const cache = new Map<number, Map<number, Float64Array>>();
    /** Call USD prices at every cell, then today's (entry `cells`), for an option's expiry, strike and vol. */
    const callPrices = (p: RiskPosition, years: number): Float64Array => {
      let byExpiry = cache.get(p.expiryMs!);
      if (!byExpiry) cache.set(p.expiryMs!, (byExpiry = new Map()));
      const key = p.strike * 1e4 + p.vol;
      const cached = byExpiry.get(key);
      if (cached && cached[cells + 1] === p.strike && cached[cells + 2] === p.vol) return cached;
      const out = new Float64Array(cells + 3);
      const forward = p.forwardUsd;
      // Base vol per spot move (the vol dynamics), before the vol shift.
      const smile = spec.volDynamics === 'sticky-moneyness' ? spec.smiles?.get(smileKey(p.currency, p.expiryMs!)) : undefined;
      for (let s = 0; s < nSpot; s++) {
        vols[s] = smile && smile.strikes.length > 0 ? p.vol + (smileVol(smile, p.strike / (1 + spec.spotMoves[s]!)) - smileVol(smile, p.strike)) : p.vol;
      }
      const termScale = spec.volShiftMode === 'term-scaled' ? Math.sqrt(30 / Math.max(years * 365, 1)) : 1;
      for (let s = 0; s < nSpot; s++) {
        const shifted = forward * (1 + spec.spotMoves[s]!);
        for (let v = 0; v < nVol; v++) {
          const vol = Math.max(vols[s]! + spec.volShifts[v]! * termScale, 0);
          for (let t = 0; t < nTime; t++) out[(s * nVol + v) * nTime + t] = black76Price(shifted, p.strike, years - elapsedYears[t]!, vol, true);
        }
      }
      out[cells] = black76Price(forward, p.strike, years, p.vol, true);
      out[cells + 1] = p.strike;
      out[cells + 2] = p.vol;
      byExpiry.set(key, out);
      return out;
    };
    list.forEach((p, i) => {
      const row = i * cells;
      if (p.kind !== 'option') {
        for (let s = 0; s < nSpot; s++) {
          const m = spec.spotMoves[s]!;
          const coin = m === 0 ? 0 : (p.sizeCoin * m) / (1 + m); // no −0 at the centre
          const usdValue = coin * index * (1 + m);
          for (let c = s * nVol * nTime; c < (s + 1) * nVol * nTime; c++) {
            drillCoin[row + c] = coin;
            drillUsd[row + c] = usdValue;
          }
        }
        return;
      }
      const years = yearsToExpiry(p.expiryMs!, nowMs);
      const forward = p.forwardUsd;
      const calls = callPrices(p, years);
      if (spec.volDynamics === 'sticky-moneyness' && !(spec.smiles?.get(smileKey(p.currency, p.expiryMs!))?.strikes.length)) notes.push(`${p.instrument}: no smile for its expiry, sticky strike used`);
      // Put = call − (F − K) (put-call parity, r = 0): the call and the put of a strike share one set of prices.
      const put = p.isCall ? 0 : 1;
      const baseUsd = calls[cells]! - put * (forward - p.strike);
      const baseCoin = baseUsd / forward;
      const usdPerCoin = index / forward; // S/F: the coin value × index, per USD of option value
      for (let s = 0; s < nSpot; s++) {
        const shifted = forward * (1 + spec.spotMoves[s]!);
        const intrinsicShift = put * (shifted - p.strike);
        for (let c = s * nVol * nTime; c < (s + 1) * nVol * nTime; c++) {
          const afterUsd = calls[c]! - intrinsicShift;
          drillCoin[row + c] = c === centre ? 0 : p.sizeCoin * (afterUsd / shifted - baseCoin);
          drillUsd[row + c] = c === centre ? 0 : p.sizeCoin * usdPerCoin * (afterUsd - baseUsd);
        }
      }
    });
    for (let i = 0; i < list.length; i++) {
      const row = i * cells;
      for (let c = 0; c < cells; c++) {
        pnlCoin[c]! += drillCoin[row + c]!;
        pnlUsd[c]! += drillUsd[row + c]!;
      }
    }
    for (let c = 0; c < cells; c++) totalUsd[c]! += pnlUsd[c]!;
    currencies.push({ currency, indexUsd: index, pnlCoin, pnlUsd, drillCoin, drillUsd, positions: list });
  }
  return { spec, cells, currencies, totalUsd, notes };
}

/** One record per currency and cell: what `gammadesk risk` prints and the heatmap reads. */
export interface ScenarioRecord {
  currency: Currency | 'TOTAL';
  spot_move: number;
  /** Vol points (5 = +5 vol points), before term scaling. */
  vol_shift: number;
  days: number;
  time: string;
  pnl_usd: number;
  /** Null for the total (coins of different currencies are not added). */
  pnl_coin: number | null;
}

export function scenarioRecords(matrix: ScenarioMatrix): ScenarioRecord[] {
  const { spec } = matrix;
  const records: ScenarioRecord[] = [];
  const each = (currency: Currency | 'TOTAL', usdValues: Float64Array, coinValues: Float64Array | null): void => {
    spec.spotMoves.forEach((spot, s) => spec.volShifts.forEach((shift, v) => spec.times.forEach((time, t) => {
      const c = cellIndex(spec, s, v, t);
      records.push({ currency, spot_move: spot, vol_shift: Math.round(shift * 1e6) / 1e4, days: time.elapsedMs / MS_PER_DAY, time: time.label, pnl_usd: usdValues[c]!, pnl_coin: coinValues ? coinValues[c]! : null });
    })));
  };
  for (const m of matrix.currencies) each(m.currency, m.pnlUsd, m.pnlCoin);
  if (matrix.currencies.length > 1) each('TOTAL', matrix.totalUsd, null);
  return records;
}

/** The positions that make a cell's P&L, largest |USD P&L| first. */
export function drillDown(matrix: ScenarioMatrix, currency: Currency, cell: number): { instrument: string; pnlCoin: number; pnlUsd: number }[] {
  const m = matrix.currencies.find((x) => x.currency === currency);
  if (!m) return [];
  return m.positions
    .map((p, i) => ({ instrument: p.instrument, pnlCoin: m.drillCoin[i * matrix.cells + cell]!, pnlUsd: m.drillUsd[i * matrix.cells + cell]! }))
    .sort((a, b) => Math.abs(b.pnlUsd) - Math.abs(a.pnlUsd));
}

export interface PayoffCurve {
  currency: Currency;
  /** Index levels, USD. */
  spotsUsd: number[];
  /** One line per date: the book's P&L from now at each index level (sticky strike, today's vols). */
  lines: { label: string; atMs: number; pnlCoin: number[]; pnlUsd: number[] }[];
}

/**
 * The book's P&L over index levels at chosen dates (Deribit Position Builder's payoff chart): each date a line;
 * options expired by then are at intrinsic value. For "book + hedge", pass both; for a what-if book, a copy.
 */
export function payoffCurve(currency: Currency, positions: readonly RiskPosition[], indexUsd: number, nowMs: number, spotsUsd: readonly number[], dates: readonly { label: string; atMs: number }[]): PayoffCurve {
  const own = positions.filter((p) => p.currency === currency);
  const moves = spotsUsd.map((s) => s / indexUsd - 1);
  const matrix = scenarioMatrix(own, { [currency]: indexUsd }, nowMs, {
    spotMoves: moves, volShifts: [0], times: dates.map((d) => ({ label: d.label, elapsedMs: Math.max(d.atMs - nowMs, 0) })), volShiftMode: 'absolute', volDynamics: 'sticky-strike',
  });
  const m = matrix.currencies[0];
  return {
    currency,
    spotsUsd: [...spotsUsd],
    lines: dates.map((d, t) => ({
      label: d.label,
      atMs: d.atMs,
      pnlCoin: moves.map((_, s) => (m ? m.pnlCoin[cellIndex(matrix.spec, s, 0, t)]! : 0)),
      pnlUsd: moves.map((_, s) => (m ? m.pnlUsd[cellIndex(matrix.spec, s, 0, t)]! : 0)),
    })),
  };
}
