/**
 * The live market as the book sees it (core/book/valuation.ts's BookMarket): option marks with their IV and
 * forward, future and perpetual marks, the index. Reads the current MarketState; copies nothing.
 */
import type { BookMarket } from '../core/book/valuation';
import type { Currency } from '../core/market/events';
import type { MarketState } from './marketState';

export function bookMarket(market: MarketState, nowMs: number): BookMarket {
  return {
    nowMs,
    indexUsd: (currency: Currency) => market.currencies.get(currency)?.indexUsd ?? null,
    quote: (name: string) => {
      const option = market.option(name);
      if (option) {
        const ticker = option.state.ticker;
        return ticker ? { markPrice: ticker.markCoin, markIv: ticker.markIv, forwardUsd: ticker.underlyingPriceUsd } : null;
      }
      const def = market.future(name);
      if (!def) return null;
      const currency = market.currencies.get(def.currency);
      const ticker = def.kind === 'perpetual' ? currency?.perpetual : currency?.futures.get(name);
      return ticker ? { markPrice: ticker.markUsd, markIv: null, forwardUsd: ticker.markUsd } : null;
    },
  };
}
