/**
 * "IM after ≤ X" as a constraint of the least-cost selection (issue 12, item 3). The selection (core/hedge/
 * selection.ts) takes linear limits, and portfolio margin is not linear (a maximum over scenario vectors), so the
 * limit is a linearization around the current book:
 *
 *   IM(book + Σ q_i) ≈ IM(book) + Σ c_i q_i,   c_i = (IM(book + u_i) − IM(book − u_i)) / (2 u_i)
 *
 * with q_i the signed quantity (+ buy) and u_i a small probe: 0.1 contract (options) or 0.1 coin of notional
 * (futures and perpetuals, in USD, rounded to the lot), small enough not to cross the book's own kinks. The central difference is exact while the worst scenario
 * stays the same one; it misses when the trade moves the worst case to another vector (a kink), so after the solve
 * {@link checkInitialMarginAfter} recomputes IM exactly from the book's vectors and says when the linearization
 * missed.
 */
import type { BookMarket } from '../book/valuation';
import type { LinearLimit } from '../hedge/selection';
import type { HedgeInstrument, ProposalLeg } from '../hedge/types';
import { proposalMargin, type ProposalMargin } from './hedgeMargin';
import type { PmBook } from './pm';

/** The probe quantity of an instrument, in its quantity unit. */
function probe(instrument: Pick<HedgeInstrument, 'kind' | 'lot'>, indexUsd: number): number {
  if (instrument.kind === 'option') return Math.max(instrument.lot, 0.1);
  return Math.max(instrument.lot, Math.round((0.1 * indexUsd) / instrument.lot) * instrument.lot);
}

/** Per-unit IM coefficients (coin per quantity unit, + buy) of the instruments, by central difference. */
export function initialMarginCoefficients(book: PmBook, instruments: readonly Pick<HedgeInstrument, 'instrument' | 'kind' | 'lot'>[], market: BookMarket): Map<string, number> {
  const out = new Map<string, number>();
  for (const inst of instruments) {
    const u = probe(inst, book.indexUsd);
    const up = proposalMargin(book, [{ instrument: inst.instrument, side: 'buy', amount: u }], market);
    const down = proposalMargin(book, [{ instrument: inst.instrument, side: 'sell', amount: u }], market);
    // An instrument the market cannot revalue gets no coefficient: the limit does not see it (the exact check will).
    if (up.legsNotRevalued.length > 0 || down.legsNotRevalued.length > 0) continue;
    out.set(inst.instrument, (up.initialMarginAfter - down.initialMarginAfter) / (2 * u));
  }
  return out;
}

/** The linear limit "IM after ≤ maxInitialMarginCoin" for SelectionParams.limits. */
export function initialMarginLimit(book: PmBook, instruments: readonly Pick<HedgeInstrument, 'instrument' | 'kind' | 'lot'>[], market: BookMarket, maxInitialMarginCoin: number): LinearLimit {
  if (!Number.isFinite(maxInitialMarginCoin) || maxInitialMarginCoin < 0) throw new RangeError(`the IM limit must be a number of coins ≥ 0, got ${String(maxInitialMarginCoin)}`);
  const coefficients = initialMarginCoefficients(book, instruments, market);
  return {
    name: `IM after ≤ ${maxInitialMarginCoin} ${book.currency}`,
    coefficient: (instrument) => coefficients.get(instrument) ?? 0,
    upper: maxInitialMarginCoin - book.margin.initialMargin,
  };
}

export interface InitialMarginCheck {
  margin: ProposalMargin;
  /** IM after by the linearization. */
  linearized: number;
  within: boolean;
  /** Null when the exact IM after is within the limit; otherwise what happened (the linearization missed). */
  reason: string | null;
}

/** The exact IM after the selected legs against the limit, with what the linearization predicted. */
export function checkInitialMarginAfter(book: PmBook, legs: readonly Pick<ProposalLeg, 'instrument' | 'side' | 'amount'>[], market: BookMarket, limit: LinearLimit, maxInitialMarginCoin: number): InitialMarginCheck {
  const margin = proposalMargin(book, legs, market);
  const linearized = book.margin.initialMargin + legs.reduce((sum, leg) => sum + (leg.side === 'buy' ? 1 : -1) * leg.amount * limit.coefficient(leg.instrument), 0);
  const within = margin.initialMarginAfter <= maxInitialMarginCoin + 1e-12;
  const reason = within
    ? null
    : `IM after is ${margin.initialMarginAfter.toFixed(6)} ${book.currency}, above the limit ${maxInitialMarginCoin}: the linearization predicted ${linearized.toFixed(6)} (the worst scenario moved to another vector)`;
  return { margin, linearized, within, reason };
}
