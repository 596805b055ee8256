/**
 * The margin effect of a hedge proposal (issue 12, item 3): IM and MM of the currency's book before and after the
 * proposal's legs, from the book's stored PM vectors (`pmMarginChange`: one vector per leg). Legs the market cannot
 * revalue (no quote, no forward, no IV) are left out and named, never guessed.
 */
import { checkPosition } from '../book/position';
import type { BookMarket } from '../book/valuation';
import type { ProposalLeg } from '../hedge/types';
import { pmMarginChange, type PmBook, type PmExtras, type PmMarginChange } from './pm';
import { riskPositions, type RiskPosition } from './riskPosition';

export interface ProposalMargin extends PmMarginChange {
  currency: PmBook['currency'];
  /** Legs left out of the "after" figures, with the reason. */
  legsNotRevalued: { instrument: string; reason: string }[];
}

/** The risk records of a proposal's legs (buy = +amount, sell = −amount) in `market`. */
export function legPositions(legs: readonly Pick<ProposalLeg, 'instrument' | 'side' | 'amount'>[], market: BookMarket): { positions: RiskPosition[]; skipped: { instrument: string; reason: string }[] } {
  const checked = [];
  const skipped: { instrument: string; reason: string }[] = [];
  for (const leg of legs) {
    const quantity = (leg.side === 'buy' ? 1 : -1) * leg.amount;
    const priceCurrency = /-(PERPETUAL|\d{1,2}[A-Z]{3}\d{2})$/.test(leg.instrument) ? 'USD' : (leg.instrument.slice(0, 3) as 'BTC' | 'ETH');
    const result = checkPosition({ instrument: leg.instrument, quantity, averagePrice: null, priceCurrency }, null);
    if (result.ok) checked.push(result.position);
    else skipped.push({ instrument: leg.instrument, reason: result.reason });
  }
  const revalued = riskPositions(checked, market);
  return { positions: revalued.positions, skipped: [...skipped, ...revalued.skipped.map(({ instrument, reason }) => ({ instrument, reason }))] };
}

/** IM and MM before and after the proposal's legs, coin. */
export function proposalMargin(book: PmBook, legs: readonly Pick<ProposalLeg, 'instrument' | 'side' | 'amount'>[], market: BookMarket, extras: PmExtras = {}): ProposalMargin {
  return proposalMarginOfLegs(book, legPositions(legs, market), extras);
}

/** {@link proposalMargin} from legs already revalued ({@link legPositions}): no market needed (a pool thread). */
export function proposalMarginOfLegs(book: PmBook, revalued: ReturnType<typeof legPositions>, extras: PmExtras = {}): ProposalMargin {
  const { positions, skipped } = revalued;
  const other = positions.filter((p) => p.currency !== book.currency);
  const own = positions.filter((p) => p.currency === book.currency);
  const change = pmMarginChange(book, own, extras);
  return { currency: book.currency, ...change, legsNotRevalued: [...skipped, ...other.map((p) => ({ instrument: p.instrument, reason: `a ${p.currency} leg, not ${book.currency}` }))] };
}

/** The "IM after ≤ X" constraint of a proposal (X in coin). */
export function initialMarginWithin(margin: ProposalMargin, maxInitialMarginCoin: number): boolean {
  return margin.initialMarginAfter <= maxInitialMarginCoin;
}
