/**
 * One currency's live options as the exposure kernels want them: a flat struct-of-arrays chain across expiries,
 * valued at market time, with the dealer position of the chosen convention. Pure function of the engine state.
 */
import { allocateExposureChain, type ExposureChain } from '../core/exposure/chain';
import type { FlowInventory } from '../core/exposure/flowInventory';
import { writeOpenInterestPositions, type DealerConvention } from '../core/exposure/positioning';
import type { Currency } from '../core/market/events';
import { yearsToExpiry } from '../core/pricing/time';
import type { MarketState } from './marketState';

export interface ExposureInput {
  chain: ExposureChain;
  /** Expiry labels and instants by expiry index. */
  expiries: { label: string; expiryMs: number }[];
  /** Instrument name of each row (flow positions are looked up by name). */
  names: string[];
}

/** Null when the currency has no quoted options or no reference price yet. */
export function buildExposureInput(market: MarketState, currency: Currency, convention: DealerConvention, flow: FlowInventory | undefined): ExposureInput | null {
  const state = market.currencies.get(currency);
  if (!state) return null;
  const books = state.sortedExpiries().filter((book) => book.expiryMs > market.timeMs);
  let count = 0;
  for (const book of books) for (const option of book.options) if (option.ticker) count++;
  if (count === 0) return null;
  const chain = allocateExposureChain(count);
  const names: string[] = [];
  const expiries: { label: string; expiryMs: number }[] = [];
  let row = 0;
  books.forEach((book, expiryIndex) => {
    expiries.push({ label: book.label, expiryMs: book.expiryMs });
    const years = yearsToExpiry(book.expiryMs, market.timeMs);
    for (const option of book.options) {
      const ticker = option.ticker;
      if (!ticker) continue;
      chain.forward[row] = ticker.underlyingPriceUsd;
      chain.strike[row] = option.def.strikeUsd;
      chain.years[row] = years;
      chain.vol[row] = ticker.markIv;
      chain.isCall[row] = option.def.optionType === 'call' ? 1 : 0;
      chain.openInterest[row] = ticker.openInterest;
      chain.expiryIndex[row] = expiryIndex;
      names.push(option.def.name);
      row++;
    }
  });
  // The index is the reference spot; before the first index event, the nearest forward stands in.
  chain.spotUsd = state.indexUsd ?? chain.forward[0]!;
  chain.contractSize = 1;
  if (convention === 'flow') {
    if (flow) flow.writePositions(names, chain.dealerPosition);
  } else {
    writeOpenInterestPositions(convention, chain);
  }
  return { chain, expiries, names };
}

/** Resting perpetual depth within 1 % of mid (bids and asks, USD), from the latest book snapshot; null without one. */
export function perpetualDepthWithin1Pct(market: MarketState, currency: Currency): { bidUsd: number; askUsd: number } | null {
  const state = market.currencies.get(currency);
  const perpetual = state?.perpetual?.instrument;
  const book = perpetual ? state.books.get(perpetual) : undefined;
  const bestBid = book?.bids[0]?.[0];
  const bestAsk = book?.asks[0]?.[0];
  if (!book || bestBid === undefined || bestAsk === undefined) return null;
  const mid = (bestBid + bestAsk) / 2;
  let bidUsd = 0;
  let askUsd = 0;
  // Deribit perpetual amounts are USD.
  for (const [price, amount] of book.bids) if (price >= mid * 0.99) bidUsd += amount;
  for (const [price, amount] of book.asks) if (price <= mid * 1.01) askUsd += amount;
  return { bidUsd, askUsd };
}
