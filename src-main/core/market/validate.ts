/**
 * The validity rules of a normalized market event, in one place. Every edge that makes events runs them — the
 * Tardis import (tardisRows.ts), `gammadesk analyze` (cli/analyze.ts), the Deribit parser (parse.ts) — so that
 * what is stored always replays; the engine runs them again (MarketState.apply) and counts an event that fails
 * as a rejection with this reason, so a session written before these rules (or by a bug) replays too, minus that
 * event. Pure: no IO, no clock.
 *
 * The rules are what the engine and its estimators need to hold without throwing: finite numbers, prices and
 * sizes of the right sign, a mark IV to compute greeks with, times a `Date` can show and SQLite can store as an
 * INTEGER. They are not opinions about the market (a zero bid, a 500 % IV, a stale quote are valid events).
 */
import { CURRENCIES, type MarketEvent } from './events';

/** Event times are epoch ms in [0, 8.64e15]: the range of a JavaScript `Date` (ECMA-262 §21.4.1.1). */
export const MAX_EVENT_MS = 8.64e15;

/** At most this many characters of any one input value go into a reason; the rest is counted, not echoed. */
export const MAX_ECHOED_CHARS = 200;

/**
 * A value from outside as it may appear in an error: JSON-quoted, cut to {@link MAX_ECHOED_CHARS} characters
 * (with how long it was), so a 1 MB field cannot become a 1 MB error.
 */
export function quoteInput(value: string): string {
  if (value.length <= MAX_ECHOED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_ECHOED_CHARS))}… (${value.length} characters)`;
}

/** Caps a whole reason (several echoed values) at a few echoes' length. */
export function capReason(reason: string, max = 3 * MAX_ECHOED_CHARS): string {
  return reason.length <= max ? reason : `${reason.slice(0, max)}… (reason cut at ${max} characters)`;
}

const isTime = (value: number): boolean => Number.isSafeInteger(value) && value >= 0 && value <= MAX_EVENT_MS;
const isFinite = (value: number): boolean => typeof value === 'number' && Number.isFinite(value);
const nonNegative = (value: number): boolean => isFinite(value) && value >= 0;
const positive = (value: number): boolean => isFinite(value) && value > 0;
const nonNegativeOrNull = (value: number | null): boolean => value === null || nonNegative(value);

function levelsProblem(side: string, levels: readonly (readonly [number, number])[]): string | null {
  if (!Array.isArray(levels)) return `${side} is not a list of levels`;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (!positive(level[0])) return `${side}[${i}] price ${String(level[0])} is not > 0`;
    if (!nonNegative(level[1])) return `${side}[${i}] amount ${String(level[1])} is not >= 0`;
  }
  return null;
}

/**
 * Why `event` is not a valid market event, or null when it is. The reason names the field and its value
 * (numbers only: string fields are named, not echoed beyond {@link MAX_ECHOED_CHARS}).
 */
export function validateMarketEvent(event: MarketEvent): string | null {
  if (!isTime(event.tsEvent)) return `timestamp ${String(event.tsEvent)} is not an epoch-ms time between 1970 and 275760`;
  if (!isTime(event.tsRecv)) return `receive time ${String(event.tsRecv)} is not an epoch-ms time between 1970 and 275760`;
  switch (event.type) {
    case 'instrument': {
      const def = event.instrument;
      if (typeof def.name !== 'string' || def.name.length === 0) return 'instrument has no name';
      if (!CURRENCIES.includes(def.currency)) return `${def.name}: currency ${quoteInput(String(def.currency))} is not BTC or ETH`;
      if (!positive(def.contractSize)) return `${def.name}: contract size ${def.contractSize} is not > 0`;
      if (!positive(def.tickSize)) return `${def.name}: tick size ${def.tickSize} is not > 0`;
      if (!nonNegative(def.minTradeAmount)) return `${def.name}: minimum trade amount ${def.minTradeAmount} is not >= 0`;
      if (def.kind === 'perpetual') return def.expiryMs === null ? null : `${def.name}: a perpetual has no expiry`;
      if (def.expiryMs === null || !isTime(def.expiryMs)) return `${def.name}: expiry ${String(def.expiryMs)} is not an epoch-ms time`;
      if (def.kind === 'future') return null;
      if (def.strikeUsd === null || !positive(def.strikeUsd)) return `${def.name}: strike ${String(def.strikeUsd)} is not > 0`;
      if (def.optionType !== 'call' && def.optionType !== 'put') return `${def.name}: option type is not call or put`;
      return null;
    }
    case 'instrument_removed':
      return typeof event.instrument === 'string' && event.instrument.length > 0 ? null : 'removal of an instrument without a name';
    case 'index':
      if (!CURRENCIES.includes(event.currency)) return `index of ${quoteInput(String(event.currency))}, not BTC or ETH`;
      return positive(event.priceUsd) ? null : `${event.currency} index ${event.priceUsd} is not > 0`;
    case 'option_ticker': {
      const name = event.instrument;
      if (!nonNegative(event.markCoin)) return `${name}: mark price ${event.markCoin} is not >= 0`;
      // Greeks are computed with the mark IV: 0 (or none) prices nothing.
      if (!positive(event.markIv)) return `${name}: mark IV ${event.markIv} is not > 0`;
      if (!nonNegativeOrNull(event.bidCoin)) return `${name}: bid ${String(event.bidCoin)} is not >= 0`;
      if (!nonNegativeOrNull(event.askCoin)) return `${name}: ask ${String(event.askCoin)} is not >= 0`;
      if (!nonNegative(event.bidAmount)) return `${name}: bid amount ${event.bidAmount} is not >= 0`;
      if (!nonNegative(event.askAmount)) return `${name}: ask amount ${event.askAmount} is not >= 0`;
      if (!nonNegativeOrNull(event.bidIv)) return `${name}: bid IV ${String(event.bidIv)} is not >= 0`;
      if (!nonNegativeOrNull(event.askIv)) return `${name}: ask IV ${String(event.askIv)} is not >= 0`;
      if (!positive(event.underlyingPriceUsd)) return `${name}: underlying price ${event.underlyingPriceUsd} is not > 0`;
      if (event.indexPriceUsd !== null && !positive(event.indexPriceUsd)) return `${name}: index price ${event.indexPriceUsd} is not > 0`;
      if (!nonNegative(event.openInterest)) return `${name}: open interest ${event.openInterest} is not >= 0`;
      if (!nonNegativeOrNull(event.volume24h)) return `${name}: 24 h volume ${String(event.volume24h)} is not >= 0`;
      return null;
    }
    case 'future_ticker': {
      const name = event.instrument;
      if (!positive(event.markUsd)) return `${name}: mark price ${event.markUsd} is not > 0`;
      if (event.bidUsd !== null && !positive(event.bidUsd)) return `${name}: bid ${event.bidUsd} is not > 0`;
      if (event.askUsd !== null && !positive(event.askUsd)) return `${name}: ask ${event.askUsd} is not > 0`;
      if (!nonNegative(event.bidAmountUsd) || !nonNegative(event.askAmountUsd)) return `${name}: bid/ask amounts ${event.bidAmountUsd}/${event.askAmountUsd} are not >= 0`;
      if (event.indexPriceUsd !== null && !positive(event.indexPriceUsd)) return `${name}: index price ${event.indexPriceUsd} is not > 0`;
      if (!nonNegative(event.openInterestUsd)) return `${name}: open interest ${event.openInterestUsd} is not >= 0`;
      if (event.funding8h !== null && !isFinite(event.funding8h)) return `${name}: funding rate ${event.funding8h} is not a finite number`;
      return null;
    }
    case 'trade': {
      const name = event.instrument;
      if (typeof event.tradeId !== 'string' || event.tradeId.length === 0) return `${name}: trade without an id`;
      if (!nonNegative(event.price)) return `${name}: trade price ${event.price} is not >= 0`;
      if (!positive(event.amount)) return `${name}: trade amount ${event.amount} is not > 0`;
      if (event.iv !== null && !nonNegative(event.iv)) return `${name}: trade IV ${event.iv} is not >= 0`;
      if (event.indexPriceUsd !== null && !positive(event.indexPriceUsd)) return `${name}: index price ${event.indexPriceUsd} is not > 0`;
      return null;
    }
    case 'book_snapshot':
      return levelsProblem(`${event.instrument} bids`, event.bids) ?? levelsProblem(`${event.instrument} asks`, event.asks);
    default:
      return `unknown event type ${quoteInput(String((event as { type: unknown }).type))}`;
  }
}
