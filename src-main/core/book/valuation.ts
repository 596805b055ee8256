/**
 * Marks a book to market: per position its P&L in coin and USD and its greeks, and totals per currency and per
 * expiry. Pure: the market comes in as a {@link BookMarket}, so the live app, the CLI (a chain file) and the
 * hedge policies value a book with the same code.
 *
 * Conventions (docs/decisions/0021-book-and-hedge-policies.md):
 * - Options: Black-76 at the mark IV on the expiry's forward (Deribit's mark model, decision 0005). `delta` is
 *   N(d1) per contract (Deribit's displayed delta); `deltaCoin` is the coin-P&L (premium-adjusted) delta, N(d1)
 *   − price in coin, what a coin-margined holder hedges. `deltaUsd` = delta × forward.
 * - Inverse futures and perpetuals: coin P&L = Q (1/avg − 1/mark) for Q USD notional; coin delta = Q / mark (the
 *   same in both senses, an inverse future has no premium); no gamma, vega or theta.
 * - USD P&L is the coin P&L at today's index (a coin-margined account keeps its P&L in coin; the USD figure is
 *   what it is worth now). Both are shown, never added together.
 * - Term-standardized vega: vega × √(30 / days to expiry), so that vega of short and long expiries adds up as a
 *   30-day vol move (short-dated vol moves more).
 */
import { black76Greeks, DAYS_PER_YEAR, toDeribitDisplay } from '../pricing/black76';
import { yearsToExpiry } from '../pricing/time';
import type { Currency } from '../market/events';
import type { CheckedPosition } from './position';

export interface BookQuote {
  /** Mark price in the instrument's quote currency (coin for options, USD for futures and perpetuals). */
  markPrice: number;
  /** Options: the mark IV (decimal) and the expiry's forward (USD); null for futures. */
  markIv: number | null;
  forwardUsd: number | null;
}

export interface BookMarket {
  nowMs: number;
  /** Deribit's price index, USD; null when not known yet. */
  indexUsd(currency: Currency): number | null;
  /** The latest quote of an instrument; null when the market has none. */
  quote(instrument: string): BookQuote | null;
}

/** The greeks and P&L fields that add up over positions. */
export interface BookGreeks {
  /** Coin-P&L delta, coin (+ gains when the price rises). */
  deltaCoin: number;
  /** N(d1) delta (Deribit's displayed delta; futures: Q / mark), coin. */
  delta: number;
  /** delta × the underlying price, USD. */
  deltaUsd: number;
  /** Dollar gamma: change of deltaUsd for a 1 % move, USD. */
  gammaUsdPer1Pct: number;
  /** USD per 1 vol point. */
  vegaUsd: number;
  /** vega × √(30 / days), USD per 1 vol point of a 30-day-equivalent move. */
  vega30Usd: number;
  /** USD per calendar day. */
  thetaUsdPerDay: number;
}

export interface PositionValue {
  instrument: string;
  currency: Currency;
  kind: CheckedPosition['parsed']['kind'];
  /** Epoch ms of expiry; null for perpetuals. */
  expiryMs: number | null;
  /** `27DEC26` or `PERPETUAL`. */
  expiryLabel: string;
  quantity: number;
  averagePrice: number | null;
  priceCurrency: string;
  markPrice: number | null;
  /** Options: the position's value at mark, coin (futures: none, their value is their P&L). */
  valueCoin: number | null;
  pnlCoin: number | null;
  pnlUsd: number | null;
  /** Null when the position has no quote, no IV or no forward (see `reason`). */
  greeks: BookGreeks | null;
  /** Why some numbers are null; null when all are there. */
  reason: string | null;
}

export interface BookTotals extends BookGreeks {
  pnlCoin: number;
  pnlUsd: number;
  valueCoin: number;
  positions: number;
  /** Positions left out of the greeks (no quote) or of the P&L (no quote or no average price). */
  missingGreeks: number;
  missingPnl: number;
}

export interface BookValuation {
  asOfMs: number;
  positions: PositionValue[];
  byCurrency: Partial<Record<Currency, BookTotals>>;
  /** Keyed `BTC 27DEC26`, `BTC PERPETUAL`; in expiry order per currency. */
  byExpiry: { currency: Currency; expiryLabel: string; expiryMs: number | null; totals: BookTotals }[];
}

const ZERO_GREEKS: BookGreeks = { deltaCoin: 0, delta: 0, deltaUsd: 0, gammaUsdPer1Pct: 0, vegaUsd: 0, vega30Usd: 0, thetaUsdPerDay: 0 };
const GREEK_KEYS = Object.keys(ZERO_GREEKS) as (keyof BookGreeks)[];

/** Greeks of `quantity` options at a forward, years to expiry and vol. */
export function optionGreeks(quantity: number, forward: number, strike: number, years: number, vol: number, isCall: boolean): BookGreeks {
  const display = toDeribitDisplay(black76Greeks(forward, strike, years, vol, isCall), forward);
  const days = years * DAYS_PER_YEAR;
  const vegaUsd = quantity * display.vega;
  return {
    deltaCoin: quantity * display.deltaPremiumAdjusted,
    delta: quantity * display.delta,
    deltaUsd: quantity * display.delta * forward,
    gammaUsdPer1Pct: quantity * display.gamma * forward * forward * 0.01,
    vegaUsd,
    vega30Usd: days > 0 ? vegaUsd * Math.sqrt(30 / days) : 0,
    thetaUsdPerDay: quantity * display.theta,
  };
}

/** Greeks of an inverse future or perpetual of `notionalUsd` at `markUsd`. */
export function futureGreeks(notionalUsd: number, markUsd: number): BookGreeks {
  const coins = notionalUsd / markUsd;
  return { ...ZERO_GREEKS, deltaCoin: coins, delta: coins, deltaUsd: coins * markUsd };
}

export function valuePosition(position: CheckedPosition, market: BookMarket): PositionValue {
  const p = position.parsed;
  const expiryMs = p.kind === 'perpetual' ? null : p.expiryMs;
  const base = {
    instrument: position.instrument,
    currency: position.currency,
    kind: p.kind,
    expiryMs,
    expiryLabel: p.kind === 'perpetual' ? 'PERPETUAL' : p.expiryCode,
    quantity: position.quantity,
    averagePrice: position.averagePrice,
    priceCurrency: position.priceCurrency,
  };
  const quote = market.quote(position.instrument);
  const index = market.indexUsd(position.currency);
  if (!quote || !(quote.markPrice >= 0)) {
    return { ...base, markPrice: null, valueCoin: null, pnlCoin: null, pnlUsd: null, greeks: null, reason: 'no quote for this instrument in the current market' };
  }
  const reasons: string[] = [];
  let pnlCoin: number | null = null;
  let valueCoin: number | null = null;
  let greeks: BookGreeks | null = null;
  if (p.kind === 'option') {
    valueCoin = position.quantity * quote.markPrice;
    if (position.averagePrice !== null) pnlCoin = position.quantity * (quote.markPrice - position.averagePrice);
    const years = yearsToExpiry(p.expiryMs, market.nowMs);
    if (quote.forwardUsd === null || !(quote.forwardUsd > 0)) reasons.push('no forward for this expiry');
    else if (years > 0 && (quote.markIv === null || !(quote.markIv > 0))) reasons.push('no mark IV');
    else greeks = optionGreeks(position.quantity, quote.forwardUsd, p.strike, years, quote.markIv ?? 0, p.isCall);
  } else {
    if (!(quote.markPrice > 0)) reasons.push('the mark price is 0');
    else {
      greeks = futureGreeks(position.quantity, quote.markPrice);
      if (position.averagePrice !== null) pnlCoin = position.quantity * (1 / position.averagePrice - 1 / quote.markPrice);
    }
  }
  if (position.averagePrice === null) reasons.push('no average price: P&L unknown');
  let pnlUsd: number | null = null;
  if (pnlCoin !== null) {
    if (index === null) reasons.push('no index price: USD P&L unknown');
    else pnlUsd = pnlCoin * index;
  }
  return { ...base, markPrice: quote.markPrice, valueCoin, pnlCoin, pnlUsd, greeks, reason: reasons.length > 0 ? reasons.join('; ') : null };
}

function emptyTotals(): BookTotals {
  return { ...ZERO_GREEKS, pnlCoin: 0, pnlUsd: 0, valueCoin: 0, positions: 0, missingGreeks: 0, missingPnl: 0 };
}

function add(totals: BookTotals, value: PositionValue): void {
  totals.positions++;
  if (value.greeks) for (const key of GREEK_KEYS) totals[key] += value.greeks[key];
  else totals.missingGreeks++;
  if (value.pnlCoin !== null && value.pnlUsd !== null) {
    totals.pnlCoin += value.pnlCoin;
    totals.pnlUsd += value.pnlUsd;
  } else totals.missingPnl++;
  if (value.valueCoin !== null) totals.valueCoin += value.valueCoin;
}

/** Values every position and sums them per currency and per expiry. */
export function valueBook(positions: readonly CheckedPosition[], market: BookMarket): BookValuation {
  const values = positions.map((p) => valuePosition(p, market));
  const byCurrency: Partial<Record<Currency, BookTotals>> = {};
  const byExpiry = new Map<string, { currency: Currency; expiryLabel: string; expiryMs: number | null; totals: BookTotals }>();
  for (const value of values) {
    add((byCurrency[value.currency] ??= emptyTotals()), value);
    const key = `${value.currency} ${value.expiryLabel}`;
    let group = byExpiry.get(key);
    if (!group) byExpiry.set(key, (group = { currency: value.currency, expiryLabel: value.expiryLabel, expiryMs: value.expiryMs, totals: emptyTotals() }));
    add(group.totals, value);
  }
  const order = (e: { currency: string; expiryMs: number | null }): [string, number] => [e.currency, e.expiryMs ?? Number.MAX_SAFE_INTEGER];
  const expiries = [...byExpiry.values()].sort((a, b) => {
    const [ca, ta] = order(a);
    const [cb, tb] = order(b);
    return ca === cb ? ta - tb : ca < cb ? -1 : 1;
  });
  return { asOfMs: market.nowMs, positions: values, byCurrency, byExpiry: expiries };
}
