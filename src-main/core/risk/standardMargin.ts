/**
 * Deribit's standard margin (S:SM), the alternative to portfolio margin: a margin per position, summed.
 *
 * Inverse options, per contract in coin, S the index, mark the option's mark price in coin (Deribit support
 * "Inverse Options", support.deribit.com/hc/en-us/articles/31424939096093; also doc.tslab.pro "Deribit Margin
 * Requirements Calculation"; ../shared/reference/deribit_margin.md §5):
 *   short call  IM = max(0.15 − OTM/S, 0.10) + mark                     MM = 0.075 + mark          (OTM = max(K − S, 0))
 *   short put   IM = max(max(0.15 − OTM/S, 0.10) + mark, MM)            MM = max(0.075, 0.075 mark) + mark  (OTM = max(S − K, 0))
 *   long        no margin (the premium is paid).
 * Inverse futures and perpetuals, on the coin size |Q| / mark of each instrument (Deribit support "11 January
 * 2022" margin change, support.deribit.com/hc/en-us/articles/25944826427293, worked examples in "Linear
 * Perpetual", …/25944738177565):
 *   BTC  IM = (2 % + size × 0.005 %) × size    MM = (1 % + size × 0.005 %) × size
 *   ETH  IM = (2 % + size × 0.0004 %) × size   MM = (1 % + size × 0.0004 %) × size
 * Deribit announced a new SM model on 2026-08-05 (size-dependent leverage); the rates are a table so that they
 * can be updated.
 */
import type { Currency } from '../market/events';
import { black76Price } from '../pricing/black76';
import { yearsToExpiry } from '../pricing/time';
import type { RiskPosition } from './riskPosition';

export interface StandardMarginRates {
  /** Futures: IM base rate, MM base rate, increase per coin of position (all decimals). */
  futureInitial: number;
  futureMaintenance: number;
  futureIncreasePerCoin: number;
  /** Short options: IM rate, its floor, MM rate (coin per contract, i.e. fractions of the index). */
  optionInitial: number;
  optionInitialFloor: number;
  optionMaintenance: number;
}

export const STANDARD_MARGIN_RATES: Readonly<Record<Currency, Readonly<StandardMarginRates>>> = Object.freeze({
  BTC: Object.freeze({ futureInitial: 0.02, futureMaintenance: 0.01, futureIncreasePerCoin: 0.00005, optionInitial: 0.15, optionInitialFloor: 0.1, optionMaintenance: 0.075 }),
  ETH: Object.freeze({ futureInitial: 0.02, futureMaintenance: 0.01, futureIncreasePerCoin: 0.000004, optionInitial: 0.15, optionInitialFloor: 0.1, optionMaintenance: 0.075 }),
});

/** IM and MM of one short option contract, coin. */
export function shortOptionMargin(isCall: boolean, strike: number, indexUsd: number, markCoin: number, rates: Readonly<StandardMarginRates>): { initial: number; maintenance: number } {
  if (isCall) {
    const otm = Math.max(strike - indexUsd, 0);
    return { initial: Math.max(rates.optionInitial - otm / indexUsd, rates.optionInitialFloor) + markCoin, maintenance: rates.optionMaintenance + markCoin };
  }
  const otm = Math.max(indexUsd - strike, 0);
  const maintenance = Math.max(rates.optionMaintenance, rates.optionMaintenance * markCoin) + markCoin;
  return { initial: Math.max(Math.max(rates.optionInitial - otm / indexUsd, rates.optionInitialFloor) + markCoin, maintenance), maintenance };
}

/** IM and MM of a future or perpetual position of `sizeCoin` (either sign), coin. */
export function futureMargin(sizeCoin: number, rates: Readonly<StandardMarginRates>): { initial: number; maintenance: number } {
  const size = Math.abs(sizeCoin);
  return { initial: (rates.futureInitial + size * rates.futureIncreasePerCoin) * size, maintenance: (rates.futureMaintenance + size * rates.futureIncreasePerCoin) * size };
}

export interface StandardMargin {
  currency: Currency;
  initialMargin: number;
  maintenanceMargin: number;
  positions: { instrument: string; initialMargin: number; maintenanceMargin: number }[];
}

/**
 * Standard margin of the `currency` positions at `indexUsd`; options marked by Black-76 at their vol on their
 * forward (coin = USD / forward), futures netted per instrument.
 */
export function standardMargin(currency: Currency, positions: readonly RiskPosition[], indexUsd: number, nowMs: number, rates: Readonly<StandardMarginRates> = STANDARD_MARGIN_RATES[currency]): StandardMargin {
  const rows: StandardMargin['positions'] = [];
  const futures = new Map<string, number>();
  for (const position of positions) {
    if (position.currency !== currency) continue;
    if (position.kind !== 'option') {
      futures.set(position.instrument, (futures.get(position.instrument) ?? 0) + position.sizeCoin);
      continue;
    }
    if (position.sizeCoin >= 0) {
      rows.push({ instrument: position.instrument, initialMargin: 0, maintenanceMargin: 0 });
      continue;
    }
    const years = yearsToExpiry(position.expiryMs!, nowMs);
    const mark = black76Price(position.forwardUsd, position.strike, years, position.vol, position.isCall) / position.forwardUsd;
    const one = shortOptionMargin(position.isCall, position.strike, indexUsd, mark, rates);
    rows.push({ instrument: position.instrument, initialMargin: -position.sizeCoin * one.initial, maintenanceMargin: -position.sizeCoin * one.maintenance });
  }
  for (const [instrument, size] of futures) {
    const one = futureMargin(size, rates);
    rows.push({ instrument, initialMargin: one.initial, maintenanceMargin: one.maintenance });
  }
  return {
    currency,
    initialMargin: rows.reduce((sum, row) => sum + row.initialMargin, 0),
    maintenanceMargin: rows.reduce((sum, row) => sum + row.maintenanceMargin, 0),
    positions: rows,
  };
}
