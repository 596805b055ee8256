/**
 * The trader's book: positions in Deribit options, dated futures and perpetuals, BTC and ETH, coin-margined
 * (inverse). Linear USDC instruments are refused with a clear "not supported" (the market feed does not carry
 * them, so they could be neither priced nor hedged).
 *
 * Quantities and prices follow Deribit:
 *
 *   inverse option      quantity in contracts of the coin (1 = 1 BTC), + long;  price in coin (BTC / ETH)
 *   inverse future,     quantity in USD notional (multiples of the contract size: 10 USD for BTC, 1 USD for ETH),
 *   perpetual           + long;  price in USD
 *
 * The average entry price may be unknown (a book typed in from memory): its P&L is then null with a reason,
 * while its greeks are still computed.
 */
import { InstrumentNameError, parseInstrumentName, type ParsedInstrument } from '../pricing/instrument';
import type { Currency } from '../market/events';

export type PriceCurrency = 'BTC' | 'ETH' | 'USD';

export interface BookPosition {
  instrument: string;
  /** + long, − short; contracts (options) or USD notional (futures, perpetuals). */
  quantity: number;
  /** Average entry price in `priceCurrency`; null when not known. */
  averagePrice: number | null;
  /** The currency of `averagePrice`: the coin for options, USD for futures and perpetuals. */
  priceCurrency: PriceCurrency;
}

/** A position whose instrument name has been parsed and checked: what valuation and hedging work on. */
export interface CheckedPosition extends BookPosition {
  parsed: ParsedInstrument;
  currency: Currency;
}

/** What the instrument list says about an instrument, when it is known (minimum amount and tick). */
export interface InstrumentRules {
  minTradeAmount: number;
  /** Futures: the contract size in USD; the quantity must be a multiple of it. Options: 1 coin. */
  contractSize: number;
}

/** The only price currency each kind of position takes. */
export function priceCurrencyOf(parsed: ParsedInstrument): PriceCurrency {
  return parsed.kind === 'option' ? (parsed.currency as Currency) : 'USD';
}

/** What a position's quantity counts, for labels and messages. */
export function quantityUnit(parsed: ParsedInstrument): string {
  return parsed.kind === 'option' ? `contracts (1 = 1 ${parsed.currency})` : 'USD notional';
}

/** Largest |quantity| taken: far above any real book, low enough that a typo (1e9) is caught. */
export const MAX_OPTION_CONTRACTS = 1e6;
export const MAX_FUTURE_NOTIONAL_USD = 1e9;

/**
 * Checks one position; returns the checked position or the reason it is refused, in words a trader reads.
 * `rules` is the instrument's entry in the instrument list; null when the list does not know the instrument
 * (the caller decides whether an unlisted instrument is an error: it is, in the app; a CSV of expired positions
 * read offline is not).
 */
export function checkPosition(position: BookPosition, rules: InstrumentRules | null): { ok: true; position: CheckedPosition } | { ok: false; reason: string } {
  let parsed: ParsedInstrument;
  try {
    parsed = parseInstrumentName(position.instrument);
  } catch (error) {
    return { ok: false, reason: error instanceof InstrumentNameError ? error.message : String(error) };
  }
  const name = position.instrument;
  if (parsed.settlement === 'linear') return { ok: false, reason: `${name}: linear (USDC) instruments are not supported; only coin-margined BTC and ETH` };
  if (parsed.currency !== 'BTC' && parsed.currency !== 'ETH') return { ok: false, reason: `${name}: only BTC and ETH instruments are supported` };
  const quantity = position.quantity;
  if (!Number.isFinite(quantity) || quantity === 0) return { ok: false, reason: `${name}: quantity must be a non-zero number, got ${String(quantity)}` };
  const max = parsed.kind === 'option' ? MAX_OPTION_CONTRACTS : MAX_FUTURE_NOTIONAL_USD;
  if (Math.abs(quantity) > max) return { ok: false, reason: `${name}: quantity ${quantity} is larger than ${max} ${quantityUnit(parsed)}` };
  if (rules) {
    const size = Math.abs(quantity);
    const option = parsed.kind === 'option';
    const what = option ? `${size} contracts of ${name}` : `${size} USD of ${name}`;
    if (size < rules.minTradeAmount - 1e-12) return { ok: false, reason: `${what} is below Deribit's minimum of ${rules.minTradeAmount}${option ? '' : ' USD'}` };
    const step = option ? rules.minTradeAmount : rules.contractSize;
    const steps = size / step;
    if (step > 0 && Math.abs(steps - Math.round(steps)) > 1e-9) {
      return { ok: false, reason: option ? `${what} is not a whole number of Deribit's ${step}-contract lots` : `${what} is not a whole number of Deribit's ${step} USD contracts` };
    }
  }
  const expected = priceCurrencyOf(parsed);
  if (position.priceCurrency !== expected) {
    return { ok: false, reason: `${name} is priced in ${expected}, not ${String(position.priceCurrency)}` };
  }
  const price = position.averagePrice;
  if (price !== null && !(Number.isFinite(price) && price >= 0)) return { ok: false, reason: `${name}: average price must be a number ≥ 0, got ${String(price)}` };
  if (price !== null && parsed.kind !== 'option' && price === 0) return { ok: false, reason: `${name}: a future's average price must be above 0` };
  return { ok: true, position: { ...position, parsed, currency: parsed.currency as Currency } };
}

/**
 * A fill applied to a position: the quantity changes by `signed` (+ bought) at `price`. Adding to a position
 * averages the entry price (arithmetically for options, harmonically for inverse futures, whose value is notional /
 * price); reducing keeps it; crossing zero starts a new position at the fill price. Null when the fill closes it.
 */
export function applyFill(kind: ParsedInstrument['kind'], quantity: number, averagePrice: number | null, signed: number, price: number): { quantity: number; averagePrice: number | null } | null {
  const next = Number((quantity + signed).toPrecision(12));
  if (next === 0) return null;
  if (quantity === 0 || Math.sign(next) !== Math.sign(quantity)) return { quantity: next, averagePrice: price };
  if (Math.abs(next) < Math.abs(quantity)) return { quantity: next, averagePrice };
  if (averagePrice === null) return { quantity: next, averagePrice: null };
  const average = kind === 'option' ? (quantity * averagePrice + signed * price) / next : next / (quantity / averagePrice + signed / price);
  return { quantity: next, averagePrice: average };
}
