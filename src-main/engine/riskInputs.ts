/**
 * The hedge selection's "IM after ≤ X" (issue 12, item 3) from the live book and market: the linear limit for the
 * solve (core/risk/imLimit.ts) and, after the solve, the exact IM of the book plus the selected legs, written into
 * the proposal's rationale — with a warning when the linearization missed the limit.
 */
import type { CheckedPosition } from '../core/book/position';
import type { BookMarket } from '../core/book/valuation';
import type { LinearLimit } from '../core/hedge/selection';
import type { HedgeInstrument, Proposal } from '../core/hedge/types';
import type { Currency } from '../core/market/events';
import { checkInitialMarginAfter, initialMarginLimit } from '../core/risk/imLimit';
import { pmBook, PmInputError, type PmBook } from '../core/risk/pm';
import { PM_PARAMS, type PmParams } from '../core/risk/pmParams';
import { riskPositions } from '../core/risk/riskPosition';

export interface MarginLimit {
  limit: LinearLimit;
  book: PmBook;
  maxInitialMarginCoin: number;
}

/**
 * The limit for the solve; null with the reason when the book's margin cannot be computed. `params`: the replica's
 * parameters (default: the documented table).
 */
export function marginLimitFor(
  currency: Currency,
  positions: readonly CheckedPosition[],
  market: BookMarket,
  instruments: readonly HedgeInstrument[],
  maxInitialMarginCoin: number,
  params: Readonly<PmParams> = PM_PARAMS[currency],
): MarginLimit | { reason: string } {
  const indexUsd = market.indexUsd(currency);
  if (indexUsd === null || !(indexUsd > 0)) return { reason: `no ${currency} index price` };
  try {
    const book = pmBook(currency, riskPositions(positions.filter((p) => p.currency === currency), market).positions, indexUsd, market.nowMs, params);
    return { limit: initialMarginLimit(book, instruments, market, maxInitialMarginCoin), book, maxInitialMarginCoin };
  } catch (error) {
    if (error instanceof PmInputError || error instanceof RangeError) return { reason: error.message };
    throw error;
  }
}

/** The proposal with the exact IM after its legs in the rationale; a missed limit is the proposal's reason too. */
export function withMarginCheck(proposal: Proposal, limit: MarginLimit | { reason: string }, market: BookMarket): Proposal {
  if (!('limit' in limit)) return { ...proposal, rationale: [...proposal.rationale, `IM limit not applied: ${limit.reason}`] };
  const { book, maxInitialMarginCoin } = limit;
  const check = checkInitialMarginAfter(book, proposal.legs, market, limit.limit, maxInitialMarginCoin);
  const line = `IM ${book.margin.initialMargin.toFixed(6)} → ${check.margin.initialMarginAfter.toFixed(6)} ${book.currency} (limit ${maxInitialMarginCoin}, linearized ${check.linearized.toFixed(6)})`;
  if (check.within) return { ...proposal, rationale: [...proposal.rationale, `${line}: within the limit`] };
  return { ...proposal, rationale: [...proposal.rationale, `${line}: ${check.reason!}`], reason: [proposal.reason, check.reason].filter(Boolean).join('; ') };
}
