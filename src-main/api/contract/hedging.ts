/** Hedging domain: the advisor's settings per currency and its live proposal stream. */
import type { HedgeSettings } from '../../core/hedge/settings';
import type { HedgeSnapshot } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

const currency = v.literal('BTC', 'ETH');
const band = v.object({ target: v.number({ min: -1e12, max: 1e12 }), tolerance: v.number({ min: 0, max: 1e12 }) });
const optionalBand = v.union([band, v.literal('none')], 'a band {target, tolerance} or "none"');

export const hedgingCommands = {
  'hedge.settings.get': { params: v.object({ currency }), result: typed<HedgeSettings>() },
  'hedge.settings.set': {
    params: v.object({
      currency,
      enabled: v.boolean(),
      delta: v.object({ target: v.number({ min: -1e12, max: 1e12 }), tolerance: v.number({ min: 0, max: 1e12 }), unit: v.literal('coin', 'usd') }),
      gamma: optionalBand,
      vega: optionalBand,
      policy: v.literal('threshold', 'band', 'select'),
      hedgeInstrument: v.optional(v.string({ maxLength: 64 })),
      hedgeRatio: v.number({ min: 0, max: 1 }),
      riskAversion: v.number({ min: 0, max: 1 }),
      maxBookShare: v.number({ min: 0, max: 1 }),
      proposalTtlMs: v.number({ min: 1000, max: 86_400_000, integer: true }),
    }),
    result: typed<HedgeSettings>(),
  },
} as const satisfies CommandTable;

export const hedgingTopics = {
  /** The advisor's current proposal for a currency (recomputed when the market, the book or the settings change). */
  hedge: { params: v.object({ currency }), payload: typed<HedgeSnapshot>() },
} as const satisfies TopicTable;
