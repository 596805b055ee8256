/**
 * Random option trades of the demo market: a customer taker against the quotes, weighted towards short expiries
 * and near-the-money strikes, with a buying bias on near-money OTM options, 4 % block trades, and open interest
 * that each trade opens or closes.
 */
import type { TradeEvent } from '../../market/events';
import type { RandomSource } from '../../random';
import { coin, usd, vol, type EpochMs } from '../../units';
import { roundToMinAmount, type DemoCurrencyMarket } from './currencyMarket';
import { priceOption, roundOptionNearest, type OptionQuote } from './quotes';
import type { DemoExpiryKind } from './schedule';

/** Relative chance that a trade is in an expiry of this kind (short expiries trade more). */
function expiryTradeWeight(kind: DemoExpiryKind): number {
  switch (kind) {
    case 'daily':
      return 2.5;
    case 'weekly':
      return 2;
    case 'monthly':
      return 1.5;
    case 'quarterly':
      return 1.2;
  }
}

/** Poisson draw by Knuth's product method (fine for the small means used here). */
export function poisson(random: RandomSource, mean: number): number {
  if (!(mean > 0)) return 0;
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random.nextFloat();
  while (product > limit) {
    count++;
    product *= random.nextFloat();
  }
  return count;
}

/** Index of the value nearest to x in a sorted, non-empty array (the lower one on a tie). */
function nearestIndex(sorted: Float64Array, x: number): number {
  let low = 0;
  let high = sorted.length - 1;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (sorted[middle]! <= x) low = middle;
    else high = middle;
  }
  return Math.abs(sorted[high]! - x) < Math.abs(sorted[low]! - x) ? high : low;
}

/** Picks a live expiry with probability proportional to its kind's trade weight; null when none is alive. */
function drawExpiry(market: DemoCurrencyMarket): number | null {
  const { listed, alive } = market.expiries;
  let totalWeight = 0;
  listed.forEach((expiry, expiryIndex) => {
    if (alive[expiryIndex] === 1) totalWeight += expiryTradeWeight(expiry.kind);
  });
  if (totalWeight === 0) return null;
  let remaining = market.random.nextFloat() * totalWeight;
  let chosen: number | null = null;
  for (let expiryIndex = 0; expiryIndex < listed.length; expiryIndex++) {
    if (alive[expiryIndex] !== 1) continue;
    chosen = expiryIndex;
    remaining -= expiryTradeWeight(listed[expiryIndex]!.kind);
    if (remaining < 0) break;
  }
  return chosen;
}

/**
 * One random option trade at the current quotes; moves the option's open interest by the amount and records
 * `stepNumber` as the option's last traded step (so the step sends its ticker). Null when no expiry is alive.
 *
 * Draws, in this order: expiry, moneyness, OTM or not, side, block or not, amount, open or close.
 */
export function randomTrade(market: DemoCurrencyMarket, nowMs: EpochMs, stepNumber: number, scratch: OptionQuote): TradeEvent | null {
  const { random, params, expiries, options } = market;
  const expiry = drawExpiry(market);
  if (expiry === null) return null;
  const strikes = expiries.strikesUsd[expiry]!;
  const forwardUsd = expiries.forwardUsd[expiry]!;
  // Strike near a normal draw in standardized moneyness (0.9 sd wide).
  const moneynessZ = 0.9 * random.nextNormal();
  const targetStrike = forwardUsd * Math.exp(moneynessZ * expiries.atmVol[expiry]! * expiries.sqrtYears[expiry]!);
  const strikeIndex = nearestIndex(strikes, targetStrike);
  const strikeUsd = strikes[strikeIndex]!;
  const outOfTheMoney = random.nextFloat() < 0.8;
  const isCall = outOfTheMoney ? strikeUsd >= forwardUsd : strikeUsd < forwardUsd;
  // Options are laid out call, put per strike (OptionColumns).
  const option = expiries.firstOption[expiry]! + 2 * strikeIndex + (isCall ? 0 : 1);

  const nearMoneyOtm = outOfTheMoney && Math.abs(moneynessZ) < 1.5;
  let takerSide: 'buy' | 'sell' = random.nextFloat() < (nearMoneyOtm ? 0.62 : 0.5) ? 'buy' : 'sell';
  const isBlock = random.nextFloat() < 0.04;
  const amountDraw = random.nextFloat();
  // Log-uniform: blocks 1–8× the block minimum in whole contracts, others 1–250 minimum amounts.
  const amount = isBlock
    ? Math.round(params.blockMinAmount * Math.exp(amountDraw * Math.log(8)))
    : roundToMinAmount(market, params.minTradeAmount * Math.exp(amountDraw * Math.log(250)));

  const quote = priceOption(market, option, scratch);
  // A screen trade cannot hit a bid that is not there; a block is negotiated and prints at the mark's tick.
  if (takerSide === 'sell' && quote.bidCoin === null && !isBlock) takerSide = 'buy';
  const price = isBlock
    ? roundOptionNearest(quote.markCoin)
    : takerSide === 'buy'
      ? quote.askCoin
      : (quote.bidCoin ?? quote.askCoin);

  // Open interest: opening (up) 60 % of the time, closing (down) otherwise when enough is open.
  const openInterest = options.openInterest[option]!;
  const opens = random.nextFloat() < 0.6 || openInterest < amount;
  options.openInterest[option] = roundToMinAmount(market, opens ? openInterest + amount : openInterest - amount);
  options.volume24h[option] = roundToMinAmount(market, options.volume24h[option]! + amount);
  options.lastTradedStep[option] = stepNumber;

  return {
    type: 'trade',
    tsEvent: nowMs,
    tsRecv: nowMs,
    instrument: options.defs[option]!.name,
    tradeId: `DEMO-${market.currency}-${++market.tradeCount}`,
    price: coin(price),
    priceUnit: 'coin',
    amount,
    takerSide,
    iv: vol(quote.iv),
    indexPriceUsd: usd(market.indexUsd),
    blockTradeId: isBlock ? `DEMO-BLOCK-${market.currency}-${++market.blockTradeCount}` : null,
    liquidation: false,
  };
}
