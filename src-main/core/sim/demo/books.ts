/**
 * The perpetual's order book in the demo market: published with each perpetual quote, so the hedge-pressure map
 * has a depth to divide by. Levels are [price USD, amount USD] (Deribit perpetual amounts are in USD).
 */
import type { BookSnapshotEvent, FutureTickerEvent } from '../../market/events';
import { usd, type EpochMs, type Usd } from '../../units';
import type { DemoCurrencyMarket } from './currencyMarket';
import { roundUsd } from './quotes';

/** 25 levels a side, 0.04 % of the price apart: the first 1 % of the book. */
const BOOK_LEVELS = 25;
const BOOK_LEVEL_SPACING = 0.0004;

/**
 * The perpetual's book around its new quote: from the best bid / ask outwards, sizes log-normal around $400k and
 * deeper away from the touch. Draws from the currency's order-book stream: bid then ask size, level by level.
 */
export function perpetualBook(market: DemoCurrencyMarket, ticker: FutureTickerEvent, nowMs: EpochMs): BookSnapshotEvent {
  const tickUsd = market.params.perpTickUsd;
  const contractUsd = market.params.futureContractSizeUsd;
  const random = market.orderBookRandom;
  const bids: [Usd, number][] = [];
  const asks: [Usd, number][] = [];
  const midUsd = ((ticker.bidUsd ?? ticker.markUsd) + (ticker.askUsd ?? ticker.markUsd)) / 2;
  const levelSpacingUsd = Math.max(tickUsd, Math.round((midUsd * BOOK_LEVEL_SPACING) / tickUsd) * tickUsd);
  const levelSizeUsd = (level: number): number =>
    contractUsd * Math.max(1, Math.round((400_000 * (1 + level / 8) * Math.exp(0.6 * random.nextNormal())) / contractUsd));
  for (let level = 0; level < BOOK_LEVELS; level++) {
    bids.push([usd(roundUsd((ticker.bidUsd ?? midUsd) - level * levelSpacingUsd)), levelSizeUsd(level)]);
    asks.push([usd(roundUsd((ticker.askUsd ?? midUsd) + level * levelSpacingUsd)), levelSizeUsd(level)]);
  }
  return { type: 'book_snapshot', tsEvent: nowMs, tsRecv: nowMs, instrument: ticker.instrument, bids, asks, changeId: null };
}
