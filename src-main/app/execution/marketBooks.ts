/**
 * The paper ledger's view of the live market: instrument data and order books from the engine's MarketState.
 *
 * Futures and perpetuals: the latest `book_snapshot` (full depth, USD prices and USD amounts), else the ticker's
 * best bid and ask with their sizes. Options: the market state keeps tickers, not books, so the book is the
 * ticker's best bid and ask (coin prices, contracts) — one level a side; an order larger than the top of the book
 * fills what is there (market) or rests (limit).
 */
import type { InstrumentName } from '../../core/units';
import type { MarketState } from '../../engine/marketState';
import type { BookLevels, OrderBook, PaperMarket } from './paperVenue';

const level = (price: number | null, amount: number): BookLevels => (price !== null && price > 0 && amount > 0 ? [[price, amount]] : []);

export function paperMarketFrom(market: MarketState): PaperMarket {
  return {
    instrument: (name: InstrumentName) => market.option(name)?.state.def ?? market.future(name) ?? null,
    book: (name: InstrumentName): OrderBook | null => {
      const option = market.option(name);
      if (option) {
        const ticker = option.state.ticker;
        if (!ticker) return null;
        return { bids: level(ticker.bidCoin, ticker.bidAmount), asks: level(ticker.askCoin, ticker.askAmount), tsMs: ticker.tsEvent, indexPriceUsd: ticker.indexPriceUsd };
      }
      const def = market.future(name);
      if (!def) return null;
      const currency = market.currency(def.currency);
      const snapshot = currency.books.get(name);
      if (snapshot) return { bids: snapshot.bids, asks: snapshot.asks, tsMs: snapshot.tsEvent, indexPriceUsd: currency.indexUsd };
      const ticker = def.kind === 'perpetual' ? currency.perpetual : currency.futures.get(name);
      if (!ticker) return null;
      return { bids: level(ticker.bidUsd, ticker.bidAmountUsd), asks: level(ticker.askUsd, ticker.askAmountUsd), tsMs: ticker.tsEvent, indexPriceUsd: ticker.indexPriceUsd };
    },
  };
}
