/**
 * What a hedge trade costs against the mark: half-spread and slippage walked through the visible order book,
 * plus Deribit's taker fee, in coin and USD.
 *
 * - Options (price in coin, quantity in contracts of 1 coin): buying `a` at `p` costs (p − mark)·a coin; the fee
 *   per contract is min(fee rate × 1 coin, 12.5 % of the option price) — Deribit's option fee cap
 *   (https://www.deribit.com/kb/fees).
 * - Inverse futures and perpetuals (price in USD, quantity in USD notional): buying Q at p is worth
 *   Q (1/p − 1/mark) coin at the mark, so it costs Q (1/mark − 1/p); selling costs Q (1/p − 1/mark). The fee is the
 *   rate times the notional in coin, Q / p × rate.
 *
 * Costs may be negative (a bid above the mark): the LP then prefers that trade, as a trader would.
 */
import type { BookGreeks } from '../book/valuation';
import { DERIBIT_FEE_SCHEDULE } from '../execution/fees';
import type { HedgeInstrument, ProposalLeg } from './types';


/** Cost of one unit of quantity traded at `price`, against the mark, in coin; and the fee part. */
export function unitCostCoin(instrument: HedgeInstrument, side: 'buy' | 'sell', price: number): { costCoin: number; feeCoin: number } {
  if (instrument.kind === 'option') {
    const feeCoin = Math.min(instrument.takerFee, DERIBIT_FEE_SCHEDULE.optionCapShareOfPrice * price);
    const edge = side === 'buy' ? price - instrument.markPrice : instrument.markPrice - price;
    return { costCoin: edge + feeCoin, feeCoin };
  }
  const feeCoin = instrument.takerFee / price;
  const edge = side === 'buy' ? 1 / instrument.markPrice - 1 / price : 1 / price - 1 / instrument.markPrice;
  return { costCoin: edge + feeCoin, feeCoin };
}

/** The levels a side takes liquidity from: buying lifts the asks, selling hits the bids. */
export const levelsFor = (instrument: HedgeInstrument, side: 'buy' | 'sell') => (side === 'buy' ? instrument.asks : instrument.bids);

/** Visible depth on a side, in the quantity unit. */
export function depth(instrument: HedgeInstrument, side: 'buy' | 'sell'): number {
  let total = 0;
  for (const [, amount] of levelsFor(instrument, side)) total += amount;
  return total;
}

export function scaleGreeks(greeks: BookGreeks, by: number): BookGreeks {
  return {
    deltaCoin: greeks.deltaCoin * by,
    delta: greeks.delta * by,
    deltaUsd: greeks.deltaUsd * by,
    gammaUsdPer1Pct: greeks.gammaUsdPer1Pct * by,
    vegaUsd: greeks.vegaUsd * by,
    vega30Usd: greeks.vega30Usd * by,
    thetaUsdPerDay: greeks.thetaUsdPerDay * by,
  };
}

export function addGreeks(a: BookGreeks, b: BookGreeks): BookGreeks {
  return {
    deltaCoin: a.deltaCoin + b.deltaCoin,
    delta: a.delta + b.delta,
    deltaUsd: a.deltaUsd + b.deltaUsd,
    gammaUsdPer1Pct: a.gammaUsdPer1Pct + b.gammaUsdPer1Pct,
    vegaUsd: a.vegaUsd + b.vegaUsd,
    vega30Usd: a.vega30Usd + b.vega30Usd,
    thetaUsdPerDay: a.thetaUsdPerDay + b.thetaUsdPerDay,
  };
}

/**
 * A leg of `amount` walked through the book, each level taken up to `maxShare` of its size. Null when the
 * visible depth within that share is not enough (with how much there is).
 */
export function walkLeg(
  instrument: HedgeInstrument,
  side: 'buy' | 'sell',
  amount: number,
  indexUsd: number,
  maxShare: number,
): { ok: true; leg: ProposalLeg } | { ok: false; available: number } {
  let left = amount;
  let costCoin = 0;
  let feeCoin = 0;
  let notional = 0;
  let limitPrice = NaN;
  let available = 0;
  for (const [price, size] of levelsFor(instrument, side)) {
    const usable = size * maxShare;
    available += usable;
    if (left <= 1e-12) continue;
    const take = Math.min(left, usable);
    if (take <= 0) continue;
    const unit = unitCostCoin(instrument, side, price);
    costCoin += unit.costCoin * take;
    feeCoin += unit.feeCoin * take;
    // Options average over prices; inverse futures over 1/price (the contract's value is notional / price).
    notional += instrument.kind === 'option' ? take * price : take / price;
    limitPrice = price;
    left -= take;
  }
  if (left > 1e-9) return { ok: false, available };
  const averagePrice = instrument.kind === 'option' ? notional / amount : amount / notional;
  const signed = side === 'buy' ? amount : -amount;
  return {
    ok: true,
    leg: {
      instrument: instrument.instrument,
      side,
      amount,
      averagePrice,
      limitPrice,
      costCoin,
      costUsd: costCoin * indexUsd,
      feeCoin,
      greeks: scaleGreeks(instrument.unitGreeks, signed),
    },
  };
}

/** Rounds a quantity to the instrument's lot (towards zero when `down`, else to nearest). */
export function roundToLot(quantity: number, lot: number, mode: 'nearest' | 'down' = 'nearest'): number {
  const lots = quantity / lot;
  const whole = mode === 'down' ? Math.trunc(lots + Math.sign(lots) * 1e-9) : Math.round(lots);
  // Lot multiples printed without binary noise (0.1 × 3 = 0.30000000000000004).
  return Number((whole * lot).toPrecision(12));
}
