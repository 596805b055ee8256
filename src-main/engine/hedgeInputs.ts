/**
 * The hedge advisor's inputs from the live market: the currency's perpetual and futures with their order books
 * (or their best quote when no book is subscribed), and its liquid options (two-sided quotes, the most open
 * interest first) with their best bid and ask and per-contract greeks at the mark IV. Plain values: a proposal is
 * a pure function of them, and their hash (the kernel's injected `hash`) identifies what a recommendation was made
 * from.
 */
import { futureGreeks, optionGreeks } from '../core/book/valuation';
import { DERIBIT_FEE_SCHEDULE } from '../core/execution/fees';
import type { HedgeInstrument, HedgeMarket } from '../core/hedge/types';
import type { Currency, InstrumentDef } from '../core/market/events';
import { yearsToExpiry } from '../core/pricing/time';
import type { MarketState } from './marketState';
import type { SurfaceSnapshotDto } from '../core/surface/snapshot';


/** The options offered to the selection policy: at most this many, the most open interest first. */
export const MAX_HEDGE_OPTIONS = 300;
/** Options closer to expiry than this are not offered as hedges (settlement in under a day). */
const MIN_OPTION_DAYS = 1;

function fee(def: InstrumentDef): { takerFee: number; feeSource: HedgeInstrument['feeSource'] } {
  // Deribit's published schedule (core/execution/fees.ts, the paper venue's too) when the source did not say.
  const schedule = DERIBIT_FEE_SCHEDULE[def.settlement][def.kind].taker;
  return def.takerCommission !== null ? { takerFee: def.takerCommission, feeSource: 'instrument' } : { takerFee: schedule, feeSource: 'schedule' };
}

export function hedgeMarketFrom(market: MarketState, currency: Currency, options: { maxOptions?: number } = {}): HedgeMarket | null {
  const state = market.currencies.get(currency);
  const index = state?.indexUsd ?? null;
  if (!state || index === null) return null;
  const nowMs = market.timeMs;
  const instruments: HedgeInstrument[] = [];
  const linear = [...(state.perpetual ? [state.perpetual] : []), ...[...state.futures.values()].sort((a, b) => (a.instrument < b.instrument ? -1 : 1))];
  for (const ticker of linear) {
    const def = market.future(ticker.instrument);
    if (!def || !(ticker.markUsd > 0)) continue;
    if (def.expiryMs !== null && def.expiryMs <= nowMs) continue;
    const { bids, asks } = state.linearBook(ticker);
    instruments.push({
      instrument: ticker.instrument,
      kind: def.kind === 'perpetual' ? 'perpetual' : 'future',
      lot: def.contractSize,
      minAmount: Math.max(def.minTradeAmount, def.contractSize),
      ...fee(def),
      bids,
      asks,
      markPrice: ticker.markUsd,
      unitGreeks: futureGreeks(1, ticker.markUsd),
    });
  }
  const candidates = [];
  // maxOptions 0 (linear hedges only: the backtest's delta policies) skips the walk over every option.
  for (const book of (options.maxOptions ?? MAX_HEDGE_OPTIONS) > 0 ? state.sortedExpiries() : []) {
    for (const option of book.options) {
      const t = option.ticker;
      if (!t || t.bidCoin === null || t.askCoin === null || !(t.bidCoin > 0) || !(t.askAmount > 0) || !(t.bidAmount > 0)) continue;
      const years = yearsToExpiry(option.def.expiryMs, nowMs);
      if (years * 365 < MIN_OPTION_DAYS || !(t.markIv > 0) || !(t.underlyingPriceUsd > 0)) continue;
      candidates.push({ option, t, years });
    }
  }
  // Most open interest first, then by name: a stable order (the selection is the same on every replay).
  candidates.sort((a, b) => b.t.openInterest - a.t.openInterest || (a.option.def.name < b.option.def.name ? -1 : 1));
  for (const { option, t, years } of candidates.slice(0, options.maxOptions ?? MAX_HEDGE_OPTIONS)) {
    const def = option.def;
    instruments.push({
      instrument: def.name,
      kind: 'option',
      lot: def.minTradeAmount,
      minAmount: def.minTradeAmount,
      ...fee(def),
      bids: [[t.bidCoin!, t.bidAmount]],
      asks: [[t.askCoin!, t.askAmount]],
      markPrice: t.markCoin,
      unitGreeks: optionGreeks(1, t.underlyingPriceUsd, def.strikeUsd, years, t.markIv, def.optionType === 'call'),
    });
  }
  return { nowMs, marketSeq: market.seq, currency, indexUsd: index, instruments };
}

/**
 * The IV–RV signals of the live surface on a copy of the hedge market: each option's IV residual to the fit (vol
 * points) and each expiry's variance risk premium (vol points, where the forecast exists).
 */
export function withSurfaceResiduals(market: HedgeMarket, surface: SurfaceSnapshotDto, premiums: readonly { label: string; volPoints: number | null }[] = []): HedgeMarket {
  const residuals = new Map<string, number | null>();
  for (const smile of surface.smiles) for (const point of smile.points) residuals.set(point.instrument, point.residualVolPoints);
  const variancePremiums: Record<string, number> = {};
  for (const p of premiums) if (p.volPoints !== null && Number.isFinite(p.volPoints)) variancePremiums[p.label] = p.volPoints;
  return {
    ...market,
    instruments: market.instruments.map((i) => (i.kind === 'option' && residuals.has(i.instrument) ? { ...i, ivResidualVolPoints: residuals.get(i.instrument)! } : i)),
    ...(Object.keys(variancePremiums).length > 0 ? { variancePremiums } : {}),
  };
}
