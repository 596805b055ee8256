/**
 * Risk domain: the live book's scenario matrix, portfolio margin, equity and usage, distance to a margin call and
 * payoff per currency (the `risk` stream, engine/riskSnapshot.ts); the grid settings and the equity the trader
 * enters per currency.
 */
import type { RiskSettings, RiskSnapshot } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

const currency = v.literal('BTC', 'ETH');

export const riskCommands = {
  'risk.settings.get': { params: v.object({ currency }), result: typed<RiskSettings>() },
  /** The scenario grid: index moves (fractions, above −1), vol shifts (decimal, ±5), the shift mode and vol dynamics. */
  'risk.settings.set': {
    params: v.object({
      currency,
      spotMoves: v.array(v.number({ min: -0.99, max: 10 }), { minLength: 1, maxLength: 41 }),
      volShifts: v.array(v.number({ min: -5, max: 5 }), { minLength: 1, maxLength: 21 }),
      volShiftMode: v.literal('absolute', 'term-scaled'),
      volDynamics: v.literal('sticky-strike', 'sticky-moneyness'),
    }),
    result: typed<RiskSettings>(),
  },
  /** The account's equity in coin, as the trader reads it at Deribit; "none" forgets it. */
  'risk.equity.set': {
    params: v.object({ currency, equityCoin: v.union([v.number({ min: 0, max: 1e9 }), v.literal('none')], 'a number of coins ≥ 0 or "none"') }),
    result: typed<RiskSettings>(),
  },
} as const satisfies CommandTable;

export const riskTopics = {
  /** The live book's risk for a currency: recomputed when the book, the market or the settings change, at most once a second of market time. */
  risk: { params: v.object({ currency }), payload: typed<RiskSnapshot>() },
} as const satisfies TopicTable;
