/**
 * Builds the API's snapshot DTOs from the market state. Pure functions of the state: the same state gives the
 * same snapshot, byte for byte, which is what deterministic replay relies on.
 */
import type {
  ChainRow,
  ChainSnapshot,
  CurrencyHeader,
  ExpiryListSnapshot,
  FeedStatus,
  HeaderSnapshot,
  OptionQuoteRow,
} from '../api/dto';
import type { Currency } from '../core/market/events';
import { displayYearsToExpiry, settlementPhase } from '../core/pricing/time';
import type { ExpiryBook, MarketState, OptionState } from './marketState';

/** Years to an expiry as shown: 0 once it has passed (it rolls off with the next event). */
const displayYears = (book: ExpiryBook, market: MarketState): number => displayYearsToExpiry(book.expiryMs, market.timeMs);

const finiteOrNull = (value: number | undefined): number | null =>
  value !== undefined && Number.isFinite(value) ? value : null;

function quoteRow(option: OptionState, marketTimeMs: number): OptionQuoteRow {
  const ticker = option.ticker;
  const greeks = option.greeks;
  return {
    instrument: option.def.name,
    bidCoin: ticker?.bidCoin ?? null,
    askCoin: ticker?.askCoin ?? null,
    bidAmount: ticker ? ticker.bidAmount : null,
    askAmount: ticker ? ticker.askAmount : null,
    markCoin: ticker ? ticker.markCoin : null,
    // Deribit quotes inverse options in coin: USD value = coin price × the expiry's forward.
    markUsd: ticker ? ticker.markCoin * ticker.underlyingPriceUsd : null,
    iv: ticker ? ticker.markIv : null,
    ivBid: finiteOrNull(greeks?.ivBid),
    ivAsk: finiteOrNull(greeks?.ivAsk),
    ivMark: finiteOrNull(greeks?.ivMark),
    delta: finiteOrNull(greeks?.delta),
    gamma: finiteOrNull(greeks?.gamma),
    vega: finiteOrNull(greeks?.vega),
    theta: finiteOrNull(greeks?.theta),
    openInterest: ticker ? ticker.openInterest : null,
    volume24h: ticker?.volume24h ?? null,
    quoteAgeMs: ticker ? Math.max(0, marketTimeMs - ticker.tsEvent) : null,
  };
}

export function chainSnapshot(market: MarketState, book: ExpiryBook): ChainSnapshot {
  const rows: ChainRow[] = [];
  for (const option of book.options) {
    let row = rows.at(-1);
    if (!row || row.strikeUsd !== option.def.strikeUsd) {
      row = { strikeUsd: option.def.strikeUsd, call: null, put: null };
      rows.push(row);
    }
    row[option.def.optionType] = quoteRow(option, market.timeMs);
  }
  const forward = book.forward();
  return {
    currency: book.currency,
    expiryLabel: book.label,
    expiryMs: book.expiryMs,
    years: displayYears(book, market),
    phase: settlementPhase(book.expiryMs, market.timeMs),
    forwardUsd: forward?.forwardUsd ?? null,
    underlyingIndex: forward?.underlyingIndex ?? null,
    indexUsd: market.currencies.get(book.currency)?.indexUsd ?? null,
    rows,
    greeksSeq: book.greeksSeq,
    quotesSeq: book.quotesSeq,
    greeksComputeMs: book.greeksComputeMs,
  };
}

export function expiryList(market: MarketState, currency: Currency): ExpiryListSnapshot {
  const state = market.currencies.get(currency);
  return {
    currency,
    expiries: (state?.sortedExpiries() ?? []).map((book) => {
      const forward = book.forward();
      let openInterest = 0;
      const strikes = new Set<number>();
      for (const option of book.options) {
        strikes.add(option.def.strikeUsd);
        openInterest += option.ticker?.openInterest ?? 0;
      }
      return {
        label: book.label,
        expiryMs: book.expiryMs,
        years: displayYears(book, market),
        forwardUsd: forward?.forwardUsd ?? null,
        underlyingIndex: forward?.underlyingIndex ?? null,
        strikes: strikes.size,
        openInterest,
      };
    }),
  };
}

export function headerSnapshot(market: MarketState, feed: FeedStatus, currencies: readonly Currency[]): HeaderSnapshot {
  const headers: CurrencyHeader[] = currencies.map((currency) => {
    const state = market.currencies.get(currency);
    const front = state?.sortedExpiries()[0];
    const frontForward = front?.forward();
    return {
      currency,
      indexUsd: state?.indexUsd ?? null,
      perpetualUsd: state?.perpetual?.markUsd ?? null,
      frontForwardUsd: frontForward?.forwardUsd ?? null,
      frontExpiryLabel: front?.label ?? null,
    };
  });
  return { feed, currencies: headers, marketTimeMs: market.timeMs, seq: market.seq };
}

/** The key of an expiry's chain stream: `BTC/27DEC24`. */
export const chainKey = (book: ExpiryBook): string => `${book.currency}/${book.label}`;

export interface AnalyticsSnapshot {
  seq: number;
  marketTimeMs: number;
  chains: Omit<ChainSnapshot, 'greeksComputeMs'>[];
}

/**
 * Every chain's analytics, without wall-clock figures (compute times, feed rates): two replays of one session
 * give the same object, so its hash identifies the analytics state.
 */
export function analyticsSnapshot(market: MarketState): AnalyticsSnapshot {
  const chains: Omit<ChainSnapshot, 'greeksComputeMs'>[] = [];
  for (const currency of [...market.currencies.keys()].sort()) {
    for (const book of market.currencies.get(currency)!.sortedExpiries()) {
      const { greeksComputeMs: _wallClock, ...chain } = chainSnapshot(market, book);
      chains.push(chain);
    }
  }
  return { seq: market.seq, marketTimeMs: market.timeMs, chains };
}
