/**
 * From the live market to the `surface` worker task: one currency's expiries packed for the pool. Per expiry its
 * label, expiry, time to expiry at the market's time (ACT/365, `yearsToExpiry`) and forward (the expiry's latest
 * ticker `underlying_price`); per option one row of SURFACE_QUOTE_FIELDS numbers in a single Float64Array (IVs
 * decimal as the tickers carry them, NaN where a side is absent) and its name beside it. An expiry without a
 * ticker has no forward and is sent with forward NaN: the fit gives it a reason instead of a curve.
 *
 * `starts` carries each expiry's previous raw SVI parameters (the refit's start point): the worker threads keep
 * no state between tasks, so the previous fit travels with the input.
 */
import type { SliceQuality } from '../api/contract/volatility';
import type { Currency } from '../core/market/events';
import type { SurfaceSnapshotDto } from '../core/surface/snapshot';
import { yearsToExpiry } from '../core/pricing/time';
import type { RawSvi } from '../core/surface/svi';
import type { ExpiryMarket, SurfaceQuote } from '../core/surface/slices';
import type { MarketState } from './marketState';

export const SURFACE_QUOTE_FIELDS = 6;
export const SurfaceQuoteField = { expiryIndex: 0, strike: 1, isCall: 2, bidIv: 3, askIv: 4, markIv: 5 } as const;

export interface SurfaceTaskExpiry {
  label: string;
  expiryMs: number;
  years: number;
  forward: number;
}

export interface SurfaceTaskInput {
  currency: Currency;
  expiries: SurfaceTaskExpiry[];
  /** Option names, one per packed row. */
  names: string[];
  /** names.length × SURFACE_QUOTE_FIELDS, row-major. */
  quotes: Float64Array;
  /** The previous fit's raw SVI parameters by expiry (ms), the searches' start points. */
  starts: { expiryMs: number; params: RawSvi }[];
}

const orNaN = (value: number | null): number => (value === null || !Number.isFinite(value) ? NaN : value);

/** A currency's live expiries (not yet expired at the market's time) as the fit's markets. */
export function liveExpiryMarkets(market: MarketState, currency: Currency): ExpiryMarket[] {
  const nowMs = market.timeMs;
  const markets: ExpiryMarket[] = [];
  for (const book of market.currencies.get(currency)?.sortedExpiries() ?? []) {
    const years = yearsToExpiry(book.expiryMs, nowMs);
    if (!(years > 0)) continue;
    const quotes: SurfaceQuote[] = [];
    for (const option of book.options) {
      const ticker = option.ticker;
      if (!ticker) continue;
      quotes.push({ name: option.def.name, strike: option.def.strikeUsd, isCall: option.def.optionType === 'call', bidIv: ticker.bidIv, askIv: ticker.askIv, markIv: ticker.markIv });
    }
    markets.push({ label: book.label, expiryMs: book.expiryMs, years, forward: book.forward()?.forwardUsd ?? NaN, quotes });
  }
  return markets;
}

/** Packs a currency's markets for the `surface` task. */
export function packSurfaceInputs(currency: Currency, markets: readonly ExpiryMarket[], starts: SurfaceTaskInput['starts']): SurfaceTaskInput {
  const names: string[] = [];
  const rows: number[] = [];
  markets.forEach((m, index) => {
    for (const q of m.quotes) {
      names.push(q.name);
      rows.push(index, q.strike, q.isCall ? 1 : 0, orNaN(q.bidIv), orNaN(q.askIv), orNaN(q.markIv));
    }
  });
  const expiries = markets.map((m) => ({ label: m.label, expiryMs: m.expiryMs, years: m.years, forward: m.forward }));
  return { currency, expiries, names, quotes: Float64Array.from(rows), starts };
}

/** The worker side: the packed rows back to the fit's markets. Throws a TypeError naming a malformed input. */
export function unpackSurfaceInputs(input: SurfaceTaskInput): ExpiryMarket[] {
  const { expiries, names, quotes } = input;
  if (!(quotes instanceof Float64Array) || quotes.length !== names.length * SURFACE_QUOTE_FIELDS) {
    throw new TypeError(`surface task: ${names.length} options need ${names.length * SURFACE_QUOTE_FIELDS} packed numbers, got ${quotes?.length}`);
  }
  const byExpiry: SurfaceQuote[][] = expiries.map(() => []);
  const iv = (value: number): number | null => (Number.isFinite(value) && value > 0 ? value : null);
  for (let i = 0; i < names.length; i++) {
    const row = i * SURFACE_QUOTE_FIELDS;
    const index = quotes[row + SurfaceQuoteField.expiryIndex]!;
    const target = byExpiry[index];
    if (target === undefined) throw new TypeError(`surface task: option ${names[i]} refers to expiry #${index} of ${expiries.length}`);
    target.push({
      name: names[i]!,
      strike: quotes[row + SurfaceQuoteField.strike]!,
      isCall: quotes[row + SurfaceQuoteField.isCall] === 1,
      bidIv: iv(quotes[row + SurfaceQuoteField.bidIv]!),
      askIv: iv(quotes[row + SurfaceQuoteField.askIv]!),
      markIv: iv(quotes[row + SurfaceQuoteField.markIv]!),
    });
  }
  return expiries.map((e, i) => ({ label: e.label, expiryMs: e.expiryMs, years: e.years, forward: e.forward, quotes: byExpiry[i]! }));
}

export interface SurfaceTaskOutput {
  snapshot: SurfaceSnapshotDto;
  quality: SliceQuality[];
  /** The new fit's parameters: the next task's `starts`. */
  starts: SurfaceTaskInput['starts'];
}
