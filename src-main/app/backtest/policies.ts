/**
 * The policies a backtest can run, by the names the command line takes. The classical ones are the hedge
 * advisor's own classes (core/hedge/deltaPolicies.ts) with the app's default settings (core/hedge/settings.ts),
 * hedging the coin-P&L delta with the perpetual:
 *
 * - `bs-delta`: Black-Scholes delta hedging, the threshold policy with a band of half a lot of the perpetual: back
 *   to delta 0 at every rebalance, as close as the 10 USD (BTC) or 1 USD (ETH) lot goes.
 * - `threshold`: the advisor's threshold policy, its default band (0.5 BTC, 5 ETH) unless `deltaBand`.
 * - `ww`: the Whalley–Wilmott band with the advisor's default risk aversion (1e-4 per USD) unless `riskAversion`.
 * - `none`: never trades (the option book's own P&L).
 */
import type { JsonValue } from '../../core/audit/canonicalJson';
import { ThresholdPolicy, WhalleyWilmottPolicy } from '../../core/hedge/deltaPolicies';
import { defaultHedgeSettings } from '../../core/hedge/settings';
import type { HedgeMarket, HedgeObjectives } from '../../core/hedge/types';
import type { Currency } from '../../core/market/events';
import type { BacktestPolicySpec } from './backtest';

export const CLASSICAL_POLICIES = ['bs-delta', 'ww', 'threshold', 'none'] as const;
export type ClassicalPolicyName = (typeof CLASSICAL_POLICIES)[number];

export function isClassicalPolicy(name: string): name is ClassicalPolicyName {
  return (CLASSICAL_POLICIES as readonly string[]).includes(name);
}

export interface ClassicalParams {
  /** Threshold policy: the delta band's half-width, coin. */
  deltaBand?: number;
  /** Whalley–Wilmott: absolute risk aversion per USD. */
  riskAversion?: number;
}

function deltaObjectives(currency: Currency, tolerance: number): () => HedgeObjectives {
  return () => ({ currency, delta: { target: 0, tolerance, unit: 'coin' } });
}

/** A band of half a lot of the perpetual at its price: as close to delta 0 as its 10 USD (BTC) or 1 USD (ETH) lot goes. */
function halfLotObjectives(currency: Currency): (market: HedgeMarket) => HedgeObjectives {
  return (market) => {
    const hedge = market.instruments.find((i) => i.instrument === `${currency}-PERPETUAL`);
    return { currency, delta: { target: 0, tolerance: hedge ? (hedge.lot / 2) * Math.abs(hedge.unitGreeks.deltaCoin) : 0, unit: 'coin' } };
  };
}

export function classicalPolicy(name: ClassicalPolicyName, currency: Currency, params: ClassicalParams = {}): BacktestPolicySpec {
  const defaults = defaultHedgeSettings(currency);
  const maxBookShare = defaults.maxBookShare;
  const spec = (extra: Record<string, JsonValue>): Record<string, JsonValue> => ({ policy: name, delta: 'coin', hedge: `${currency}-PERPETUAL`, max_book_share: maxBookShare, ...extra });
  switch (name) {
    case 'bs-delta':
      return { name, policy: new ThresholdPolicy({ hedgeRatio: 1, maxBookShare }), objectives: halfLotObjectives(currency), spec: spec({ band: 'half a lot' }) };
    case 'threshold': {
      const band = params.deltaBand ?? defaults.delta.tolerance;
      return { name, policy: new ThresholdPolicy({ hedgeRatio: defaults.hedgeRatio, maxBookShare }), objectives: deltaObjectives(currency, band), spec: spec({ band, hedge_ratio: defaults.hedgeRatio }) };
    }
    case 'ww': {
      const riskAversion = params.riskAversion ?? defaults.riskAversion;
      return { name, policy: new WhalleyWilmottPolicy({ riskAversion, maxBookShare }), objectives: deltaObjectives(currency, 0), spec: spec({ risk_aversion: riskAversion }) };
    }
    case 'none':
      return { name, policy: null, objectives: deltaObjectives(currency, 0), spec: { policy: 'none' } };
  }
}
