/**
 * Parameters of Deribit's portfolio margin (S:PM, the "ERM" risk matrix), one table per currency. Deribit changes
 * them without notice, so the table is only the default: `pmParamsWith` takes overrides from settings and
 * `pmParamsFromModelParams` reads the live `model_params` object of `private/pme/simulate`.
 *
 * Defaults (../shared/reference/deribit_margin.md §3.1):
 *   BTC  the `model_params` of Deribit's API reference example for pme/simulate (2024-06-17).
 *   ETH  the `model_params` of a real mainnet pme/simulate response captured 2026-02-15.
 * Amounts named `Usd` are US dollars; rates are decimals.
 */
import type { Currency } from '../market/events';

export interface PmParams {
  /** Standard table spans ±priceRange (decimal move of the index), `currency_pair.*.price_range`. */
  priceRange: number;
  /** Price points per side of the standard table (9 points = 2·4 + 1), `general.buckets_count`. */
  bucketsCount: number;
  /** Relative vol shock up / down at 30 days to expiry, `volatility_range_up` / `_down`. */
  volRangeUp: number;
  volRangeDown: number;
  /** Exponent on 30/DTE for DTE < 30 days and ≥ 30 days, `short_term_vega_power` / `long_term_vega_power`. */
  shortTermVegaPower: number;
  longTermVegaPower: number;
  /** Floor of the up-shocked vol (decimal), `min_volatility_for_shock_up`. */
  minVolForShockUp: number;
  /** Multiplies the extended table's fraction range/|move|, `extended_table_factor`. */
  extendedTableFactor: number;
  /** Moves of the extended table (vol up only); Deribit's support article lists these as its example. */
  extendedMoves: readonly number[];
  /** Delta shock: `max_delta_shock`, `delta_total_liq_shock_threshold` (USD), `m_inc`. */
  maxDeltaShock: number;
  deltaShockThresholdUsd: number;
  deltaShockIncrement: number;
  /** Roll shock: `annualised_move_risk` and its floor `min_annualised_move` of the coin. */
  annualisedMoveRisk: number;
  minAnnualisedMove: number;
  /** Extended-table dampener of the coin, USD (`extended_dampener`). */
  extendedDampenerUsd: number;
  /** Share of a scenario gain kept in the aggregated vectors (`pnl_offset`), and its cap in USD (`max_offsetable_pnl`). */
  pnlOffset: number;
  maxOffsetablePnlUsd: number;
  /** MM = mmFactor × risk-matrix margin (`general.mm_factor`). */
  mmFactor: number;
}

/** Deribit's example list of extended moves (support article "Portfolio Margin"). */
export const EXTENDED_MOVES: readonly number[] = Object.freeze([-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]);

/** The default table; see the file comment for where each column comes from. */
export const PM_PARAMS: Readonly<Record<Currency, Readonly<PmParams>>> = Object.freeze({
  BTC: Object.freeze({
    priceRange: 0.16, bucketsCount: 4, volRangeUp: 0.5, volRangeDown: 0.25, shortTermVegaPower: 0.3, longTermVegaPower: 0.13,
    minVolForShockUp: 0.5, extendedTableFactor: 1, extendedMoves: EXTENDED_MOVES, maxDeltaShock: 0.1, deltaShockThresholdUsd: 20_000_000,
    deltaShockIncrement: 0.00005, annualisedMoveRisk: 0.075, minAnnualisedMove: 0.01, extendedDampenerUsd: 100_000, pnlOffset: 0,
    maxOffsetablePnlUsd: 0, mmFactor: 0.8,
  }),
  ETH: Object.freeze({
    priceRange: 0.18, bucketsCount: 4, volRangeUp: 0.4, volRangeDown: 0.25, shortTermVegaPower: 0.3, longTermVegaPower: 0.13,
    minVolForShockUp: 0.5, extendedTableFactor: 1, extendedMoves: EXTENDED_MOVES, maxDeltaShock: 0.1, deltaShockThresholdUsd: 20_000_000,
    deltaShockIncrement: 0.000004, annualisedMoveRisk: 0.05, minAnnualisedMove: 0.005, extendedDampenerUsd: 200_000, pnlOffset: 0.6,
    maxOffsetablePnlUsd: 20_000_000, mmFactor: 0.8,
  }),
});

export class PmParamsError extends Error {
  override readonly name = 'PmParamsError';
}

type Check = (value: number) => boolean;
const nonNegative: Check = (v) => v >= 0;
const unit: Check = (v) => v >= 0 && v <= 1;
const positive: Check = (v) => v > 0;
const CHECKS: Record<Exclude<keyof PmParams, 'extendedMoves'>, [Check, string]> = {
  priceRange: [(v) => v > 0 && v < 1, 'in (0, 1)'],
  bucketsCount: [(v) => Number.isInteger(v) && v >= 1 && v <= 50, 'an integer in 1..50'],
  volRangeUp: [nonNegative, '≥ 0'],
  volRangeDown: [unit, 'in [0, 1]'],
  shortTermVegaPower: [nonNegative, '≥ 0'],
  longTermVegaPower: [nonNegative, '≥ 0'],
  minVolForShockUp: [nonNegative, '≥ 0'],
  extendedTableFactor: [nonNegative, '≥ 0'],
  maxDeltaShock: [unit, 'in [0, 1]'],
  deltaShockThresholdUsd: [nonNegative, '≥ 0'],
  deltaShockIncrement: [nonNegative, '≥ 0'],
  annualisedMoveRisk: [nonNegative, '≥ 0'],
  minAnnualisedMove: [unit, 'in [0, 1]'],
  extendedDampenerUsd: [nonNegative, '≥ 0'],
  pnlOffset: [unit, 'in [0, 1]'],
  maxOffsetablePnlUsd: [nonNegative, '≥ 0'],
  mmFactor: [positive, '> 0'],
};

/**
 * The parameters with `overrides` applied (from settings), each checked.
 * @throws PmParamsError naming the parameter and the value refused.
 */
export function pmParamsWith(base: Readonly<PmParams>, overrides: Partial<PmParams>): PmParams {
  const result: PmParams = { ...base };
  for (const [key, value] of Object.entries(overrides) as [keyof PmParams, unknown][]) {
    if (key === 'extendedMoves') {
      if (!Array.isArray(value) || value.length === 0 || !value.every((m) => typeof m === 'number' && Number.isFinite(m) && m > -1 && m !== 0)) {
        throw new PmParamsError(`extendedMoves must be a non-empty list of moves > -1 and ≠ 0, got ${JSON.stringify(value)}`);
      }
      result.extendedMoves = Object.freeze([...(value as number[])]);
      continue;
    }
    if (!Object.hasOwn(CHECKS, key)) throw new PmParamsError(`unknown portfolio-margin parameter "${String(key)}"`);
    const [check, rule] = CHECKS[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) throw new PmParamsError(`${key} must be a number ${rule}, got ${JSON.stringify(value)}`);
    result[key] = value;
  }
  return result;
}

/** The parts of pme/simulate's `model_params` that the replica reads. */
export interface DeribitModelParams {
  general?: { mm_factor?: number; buckets_count?: number };
  currency_pair?: Record<string, Record<string, unknown>>;
  currency?: Record<string, Record<string, unknown>>;
}

/**
 * Parameters of `currency` from pme/simulate's `model_params` (keys `btc_usd` and `btc`), on top of `base` for
 * anything the object lacks. Used to run the replica with Deribit's live parameters.
 * @throws PmParamsError for a value out of range.
 */
export function pmParamsFromModelParams(modelParams: DeribitModelParams, currency: Currency, base: Readonly<PmParams> = PM_PARAMS[currency]): PmParams {
  const pair = modelParams.currency_pair?.[`${currency.toLowerCase()}_usd`] ?? {};
  const coin = modelParams.currency?.[currency.toLowerCase()] ?? {};
  const pick = (source: Record<string, unknown> | undefined, key: string): number | undefined => {
    const value = source?.[key];
    return value === undefined ? undefined : (value as number);
  };
  const mapping: [keyof PmParams, number | undefined][] = [
    ['priceRange', pick(pair, 'price_range')],
    ['volRangeUp', pick(pair, 'volatility_range_up')],
    ['volRangeDown', pick(pair, 'volatility_range_down')],
    ['shortTermVegaPower', pick(pair, 'short_term_vega_power')],
    ['longTermVegaPower', pick(pair, 'long_term_vega_power')],
    ['minVolForShockUp', pick(pair, 'min_volatility_for_shock_up')],
    ['extendedTableFactor', pick(pair, 'extended_table_factor')],
    ['maxDeltaShock', pick(pair, 'max_delta_shock')],
    ['deltaShockThresholdUsd', pick(pair, 'delta_total_liq_shock_threshold')],
    ['deltaShockIncrement', pick(pair, 'm_inc')],
    ['annualisedMoveRisk', pick(coin, 'annualised_move_risk')],
    ['minAnnualisedMove', pick(coin, 'min_annualised_move')],
    ['extendedDampenerUsd', pick(coin, 'extended_dampener')],
    ['pnlOffset', pick(coin, 'pnl_offset')],
    ['maxOffsetablePnlUsd', pick(coin, 'max_offsetable_pnl')],
    ['mmFactor', modelParams.general?.mm_factor],
    ['bucketsCount', modelParams.general?.buckets_count],
  ];
  const overrides: Partial<Record<keyof PmParams, number>> = {};
  for (const [key, value] of mapping) if (value !== undefined) overrides[key] = value;
  return pmParamsWith(base, overrides as Partial<PmParams>);
}

/** The standard table's price moves, ascending: −range … +range in `bucketsCount` steps per side. */
export function standardMoves(params: Readonly<PmParams>): number[] {
  const moves: number[] = [];
  const n = params.bucketsCount;
  for (let i = -n; i <= n; i++) moves.push((params.priceRange * i) / n);
  return moves;
}
