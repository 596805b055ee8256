/**
 * The paper ledger's view of the live market: instrument data and order books from the engine's MarketState.
 *
 * Futures and perpetuals: the latest `book_snapshot` (full depth, USD prices and USD amounts), else the ticker's
 * best bid and ask with their sizes. Options: the market state keeps tickers, not books, so the book is the
 * ticker's best bid and ask (coin prices, contracts) — one level a side; an order larger than the top of the book
 * fills what is there (market) or rests (limit).
 */
import type { InstrumentName } from '../../core/units';
import { quoteLevel, type MarketState } from '../../engine/marketState';
import type { OrderBook, PaperMarket } from './paperVenue';

export function paperMarketFrom(market: MarketState): PaperMarket {
  return {
    instrument: (name: InstrumentName) => market.option(name)?.state.def ?? market.future(name) ?? null,
    book: (name: InstrumentName): OrderBook | null => {
      const option = market.option(name);
      if (option) {
        const ticker = option.state.ticker;
        if (!ticker) return null;
        return { bids: quoteLevel(ticker.bidCoin, ticker.bidAmount), asks: quoteLevel(ticker.askCoin, ticker.askAmount), tsMs: ticker.tsEvent, indexPriceUsd: ticker.indexPriceUsd };
      }
      const def = market.future(name);
      if (!def) return null;
      const currency = market.currency(def.currency);
      const snapshot = currency.books.get(name);
      if (snapshot) return { bids: snapshot.bids, asks: snapshot.asks, tsMs: snapshot.tsEvent, indexPriceUsd: currency.indexUsd };
      const ticker = def.kind === 'perpetual' ? currency.perpetual : currency.futures.get(name);
      if (!ticker) return null;
      return { ...currency.linearBook(ticker), indexPriceUsd: ticker.indexPriceUsd };
    },
  };
}
