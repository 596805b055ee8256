/**
 * Quotes of the demo market: option bid / mark / ask in coin from the smile (Black-76 on the expiry's forward,
 * divided by the forward: Deribit's inverse options are priced in coin), rounded to Deribit's tick steps, and
 * dated-future / perpetual quotes in USD.
 *
 * Option quotes: mark = black76(F, K, T, iv) / F; bid / ask = the prices at iv ∓ a vol half-spread that widens
 * with |z| and for short expiries, rounded down / up to the tick (0.0001 coin below 0.005 coin, 0.0005 from
 * there); no bid when the bid would be below one tick; the ask is at least one tick. bidIv / askIv are iv ∓ the
 * half-spread (approximate: before tick rounding).
 */
import type { FutureTickerEvent, OptionTickerEvent } from '../../market/events';
import { black76Price } from '../../pricing/black76';
import { coin, usd, vol, type EpochMs } from '../../units';
import { isOptionAlive, PERPETUAL_EXPIRY_INDEX, roundToMinAmount, type DemoCurrencyMarket } from './currencyMarket';
import { OPTION_TICK, OPTION_TICK_ABOVE_STEP, OPTION_TICK_STEP_PRICE } from './params';
import { demoSmileVol } from './smile';

/** Prices are on a grid of 1/PRICE_GRID_PER_COIN coin (= OPTION_TICK); ticks are whole numbers of grid units. */
const PRICE_GRID_PER_COIN = 10_000;
const TICK_UNITS_BELOW_STEP = Math.round(OPTION_TICK * PRICE_GRID_PER_COIN); // 1
const TICK_UNITS_ABOVE_STEP = Math.round(OPTION_TICK_ABOVE_STEP * PRICE_GRID_PER_COIN); // 5

/** Deribit's inverse-option tick for a price level (coin). */
export function optionTickSize(priceCoin: number): number {
  return priceCoin < OPTION_TICK_STEP_PRICE ? OPTION_TICK : OPTION_TICK_ABOVE_STEP;
}

/**
 * Largest multiple of `tickUnits` grid units that is ≤ price (coin). The loops correct the float division so
 * the comparison holds exactly for the returned double.
 */
function floorToTickGrid(priceCoin: number, tickUnits: number): number {
  let ticks = Math.floor((priceCoin * PRICE_GRID_PER_COIN) / tickUnits);
  while (((ticks + 1) * tickUnits) / PRICE_GRID_PER_COIN <= priceCoin) ticks++;
  while (ticks > 0 && (ticks * tickUnits) / PRICE_GRID_PER_COIN > priceCoin) ticks--;
  return (ticks * tickUnits) / PRICE_GRID_PER_COIN;
}

/** Smallest multiple of `tickUnits` grid units that is ≥ price (coin), exact in double comparison. */
function ceilToTickGrid(priceCoin: number, tickUnits: number): number {
  let ticks = Math.ceil((priceCoin * PRICE_GRID_PER_COIN) / tickUnits);
  while (ticks > 0 && ((ticks - 1) * tickUnits) / PRICE_GRID_PER_COIN >= priceCoin) ticks--;
  while ((ticks * tickUnits) / PRICE_GRID_PER_COIN < priceCoin) ticks++;
  return (ticks * tickUnits) / PRICE_GRID_PER_COIN;
}

/** Rounds a coin price down to Deribit's option tick steps (0 when below one tick). */
export function roundOptionBid(priceCoin: number): number {
  if (!(priceCoin > 0)) return 0;
  return floorToTickGrid(priceCoin, priceCoin < OPTION_TICK_STEP_PRICE ? TICK_UNITS_BELOW_STEP : TICK_UNITS_ABOVE_STEP);
}

/**
 * Rounds a coin price up to Deribit's option tick steps (at least one tick). A price of exactly 0.005 stays on the
 * fine grid (it is on both), which is why this compares with ≤ where the bid compares with <.
 */
export function roundOptionAsk(priceCoin: number): number {
  if (!(priceCoin > OPTION_TICK)) return OPTION_TICK;
  return ceilToTickGrid(priceCoin, priceCoin <= OPTION_TICK_STEP_PRICE ? TICK_UNITS_BELOW_STEP : TICK_UNITS_ABOVE_STEP);
}

/** Rounds a coin price to the nearest tick of its level (at least one tick): block trades print near mark. */
export function roundOptionNearest(priceCoin: number): number {
  if (!(priceCoin > OPTION_TICK)) return OPTION_TICK;
  const tickUnits = priceCoin < OPTION_TICK_STEP_PRICE ? TICK_UNITS_BELOW_STEP : TICK_UNITS_ABOVE_STEP;
  return (Math.round((priceCoin * PRICE_GRID_PER_COIN) / tickUnits) * tickUnits) / PRICE_GRID_PER_COIN;
}

/** Rounds USD to cents. */
export function roundUsd(amountUsd: number): number {
  return Math.round(amountUsd * 100) / 100;
}

/**
 * Vol half-spread of a quote (decimal vol): ~0.5 vol point ATM on long expiries, wider in the wings (|z|) and for
 * expiries under a week (up to 1 + 0.7 · 4 times).
 */
function volHalfSpread(moneynessZ: number, years: number): number {
  const shortExpiryBoost = Math.min(4, Math.sqrt(7 / 365 / years));
  return (0.005 + 0.0025 * Math.abs(moneynessZ)) * (1 + 0.7 * shortExpiryBoost);
}

/**
 * An option's quote in coin and decimal vols. Filled in place by `priceOption` and read at once (no churn); plain
 * numbers here, branded (`coin`, `vol`) when they become an event.
 */
export interface OptionQuote {
  iv: number;
  markCoin: number;
  bidCoin: number | null;
  askCoin: number;
  bidIv: number | null;
  askIv: number;
}

export function emptyOptionQuote(): OptionQuote {
  return { iv: 0, markCoin: 0, bidCoin: null, askCoin: 0, bidIv: null, askIv: 0 };
}

/** Prices an option (alive expiry) from the current expiry state into `quote`, and returns it. */
export function priceOption(market: DemoCurrencyMarket, option: number, quote: OptionQuote): OptionQuote {
  const { expiries, options } = market;
  const expiry = options.expiryIndex[option]!;
  const forwardUsd = expiries.forwardUsd[expiry]!;
  const years = expiries.years[expiry]!;
  const atmVol = expiries.atmVol[expiry]!;
  const strikeUsd = options.strikeUsd[option]!;
  const isCall = options.isCall[option] === 1;
  const moneynessZ = Math.log(strikeUsd / forwardUsd) / (atmVol * expiries.sqrtYears[expiry]!);
  const iv = demoSmileVol(atmVol, moneynessZ, market.params.skew, expiries.smileCurvature[expiry]!);
  const halfSpread = volHalfSpread(moneynessZ, years);
  const markCoin = black76Price(forwardUsd, strikeUsd, years, iv, isCall) / forwardUsd;
  const bidBeforeTick = Math.min(markCoin, black76Price(forwardUsd, strikeUsd, years, iv - halfSpread, isCall) / forwardUsd);
  const askBeforeTick = Math.max(markCoin, black76Price(forwardUsd, strikeUsd, years, iv + halfSpread, isCall) / forwardUsd);
  const bidCoin = roundOptionBid(bidBeforeTick);
  let askCoin = roundOptionAsk(askBeforeTick);
  // Rounding can close the spread on cheap options: keep the ask one tick above the bid.
  if (bidCoin > 0 && askCoin <= bidCoin) askCoin = roundOptionAsk(bidCoin + optionTickSize(bidCoin) / 2);
  quote.iv = iv;
  quote.markCoin = markCoin;
  quote.bidCoin = bidCoin > 0 ? bidCoin : null;
  quote.askCoin = askCoin;
  quote.bidIv = bidCoin > 0 ? iv - halfSpread : null;
  quote.askIv = iv + halfSpread;
  return quote;
}

/** A displayed quote size: 1–500 minimum amounts, log-uniform (one draw). */
function quoteAmount(market: DemoCurrencyMarket): number {
  const draw = market.random.nextFloat();
  return roundToMinAmount(market, market.params.minTradeAmount * Math.exp(draw * Math.log(500)));
}

/** The option's ticker at nowMs (its expiry must be alive). Draws the bid size (when there is a bid), then the ask's. */
export function optionTicker(market: DemoCurrencyMarket, option: number, nowMs: EpochMs, scratch: OptionQuote): OptionTickerEvent {
  if (!isOptionAlive(market, option)) throw new RangeError(`optionTicker: ${market.options.defs[option]!.name} has expired`);
  const quote = priceOption(market, option, scratch);
  const expiry = market.options.expiryIndex[option]!;
  return {
    type: 'option_ticker',
    tsEvent: nowMs,
    tsRecv: nowMs,
    instrument: market.options.defs[option]!.name,
    bidCoin: quote.bidCoin === null ? null : coin(quote.bidCoin),
    askCoin: coin(quote.askCoin),
    bidAmount: quote.bidCoin === null ? 0 : quoteAmount(market),
    askAmount: quoteAmount(market),
    markCoin: coin(quote.markCoin),
    markIv: vol(quote.iv),
    bidIv: quote.bidIv === null ? null : vol(quote.bidIv),
    askIv: vol(quote.askIv),
    underlyingPriceUsd: usd(market.expiries.forwardUsd[expiry]!),
    underlyingIndex: market.expiries.underlyingIndex[expiry]!,
    indexPriceUsd: usd(market.indexUsd),
    openInterest: market.options.openInterest[option]!,
    volume24h: market.options.volume24h[option]!,
  };
}

/** Deribit's 8-hour funding rate from the perpetual premium: the premium beyond a ±0.05 % dead band. */
function fundingRate8h(premium: number): number {
  return Math.max(0.0005, premium) + Math.min(-0.0005, premium);
}

/**
 * A future's ticker (prices and sizes in USD; inverse contracts); null when it has expired, or (unless `force`)
 * when its bid and ask did not change since the last published one. The perpetual's mark is index · (1 +
 * premium), a dated future's its expiry's forward; the spread is one tick around the perpetual, three around a
 * dated future.
 */
export function futureTicker(market: DemoCurrencyMarket, future: number, nowMs: EpochMs, force: boolean): FutureTickerEvent | null {
  const { futures, params } = market;
  const expiry = futures.expiryIndex[future]!;
  const isPerpetual = expiry === PERPETUAL_EXPIRY_INDEX;
  if (!isPerpetual && market.expiries.alive[expiry] !== 1) return null;
  const tickUsd = isPerpetual ? params.perpTickUsd : params.futureTickUsd;
  const markUsd = isPerpetual ? market.indexUsd * (1 + market.perpetualPremium) : market.expiries.forwardUsd[expiry]!;
  const halfSpreadUsd = tickUsd * (isPerpetual ? 0.5 : 1.5);
  const bidUsd = roundUsd(Math.floor((markUsd - halfSpreadUsd) / tickUsd) * tickUsd);
  let askUsd = roundUsd(Math.ceil((markUsd + halfSpreadUsd) / tickUsd) * tickUsd);
  if (askUsd <= bidUsd) askUsd = roundUsd(bidUsd + tickUsd);
  if (!force && bidUsd === futures.lastBidUsd[future] && askUsd === futures.lastAskUsd[future]) return null;
  futures.lastBidUsd[future] = bidUsd;
  futures.lastAskUsd[future] = askUsd;
  const contractUsd = params.futureContractSizeUsd;
  // Displayed size: $20k–$1M, log-uniform, in whole contracts.
  const sizeUsd = (): number => contractUsd * Math.round((20_000 * Math.exp(market.random.nextFloat() * Math.log(50))) / contractUsd);
  return {
    type: 'future_ticker',
    tsEvent: nowMs,
    tsRecv: nowMs,
    instrument: futures.defs[future]!.name,
    bidUsd: usd(bidUsd),
    askUsd: usd(askUsd),
    bidAmountUsd: usd(sizeUsd()),
    askAmountUsd: usd(sizeUsd()),
    markUsd: usd(markUsd),
    indexPriceUsd: usd(market.indexUsd),
    openInterestUsd: usd(futures.openInterestUsd[future]!),
    funding8h: isPerpetual ? fundingRate8h(market.perpetualPremium) : null,
  };
}
