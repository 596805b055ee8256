/**
 * Hedging domain: the advisor's settings per currency and its live proposal stream; the recommendations the
 * trader approves (with changed quantities or not) or rejects; the audit log (list, verify, export).
 */
import type { HedgeSettings } from '../../core/hedge/settings';
import type { AuditRowDto, AuditVerifyDto, ExecutionStatusDto, HedgeSnapshot, RecommendationDto } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

const currency = v.literal('BTC', 'ETH');
const band = v.object({ target: v.number({ min: -1e12, max: 1e12 }), tolerance: v.number({ min: 0, max: 1e12 }) });
const optionalBand = v.union([band, v.literal('none')], 'a band {target, tolerance} or "none"');
/** Recommendation ids: the inputs hash prefix and a base-36 time (store/recommendations.ts). */
const recommendationId = v.string({ maxLength: 48, pattern: /^[A-Za-z0-9_-]+$/ });

export const hedgingCommands = {
  'hedge.settings.get': { params: v.object({ currency }), result: typed<HedgeSettings>() },
  'hedge.settings.set': {
    params: v.object({
      currency,
      enabled: v.boolean(),
      delta: v.object({ target: v.number({ min: -1e12, max: 1e12 }), tolerance: v.number({ min: 0, max: 1e12 }), unit: v.literal('coin', 'usd') }),
      gamma: optionalBand,
      vega: optionalBand,
      policy: v.literal('threshold', 'band', 'select', 'learned'),
      /** Learned policy: a stored model that passed its gate (models domain); "none" or absent for the others. */
      modelId: v.optional(v.union([v.number({ min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }), v.literal('none')], 'a model id or "none"')),
      hedgeInstrument: v.optional(v.string({ maxLength: 64 })),
      hedgeRatio: v.number({ min: 0, max: 1 }),
      riskAversion: v.number({ min: 0, max: 1 }),
      maxBookShare: v.number({ min: 0, max: 1 }),
      proposalTtlMs: v.number({ min: 1000, max: 86_400_000, integer: true }),
      useSurface: v.optional(v.boolean()),
      /** Selection policy: "IM after ≤ X" in coin; "none" or absent: no limit. */
      maxInitialMarginCoin: v.optional(v.union([v.number({ min: 0, max: 1e9 }), v.literal('none')], 'a number of coins ≥ 0 or "none"')),
    }),
    result: typed<HedgeSettings>(),
  },
  /** Approves as proposed, or with changed amounts (one per leg, same order). Committed before it returns. */
  'recommendations.approve': {
    params: v.object({ id: recommendationId, amounts: v.optional(v.array(v.number({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 400 })) }),
    result: typed<RecommendationDto>(),
  },
  'recommendations.reject': { params: v.object({ id: recommendationId, reason: v.string({ maxLength: 500 }) }), result: typed<RecommendationDto>() },
  /**
   * Stops a working hedge: cancels the resting legs of a submitted recommendation; it then settles as
   * partially-filled or failed from what did fill (a recommendation in another state comes back unchanged).
   */
  'recommendations.cancel': { params: v.object({ id: recommendationId }), result: typed<RecommendationDto>() },
  'audit.list': {
    params: v.object({ limit: v.number({ min: 1, max: 1000, integer: true }), beforeSeq: v.optional(v.number({ min: 1, integer: true })), filter: v.optional(v.string({ maxLength: 100 })) }),
    result: typed<AuditRowDto[]>(),
  },
  'audit.verify': { params: v.object({}), result: typed<AuditVerifyDto>() },
  /** Where approved hedges go: the paper ledger or Deribit (testnet; mainnet only with the confirmation). */
  'execution.status': { params: v.object({}), result: typed<ExecutionStatusDto>() },
  /**
   * Saves a Deribit key entered in the desktop app (Electron safeStorage). Headless keys come from the environment
   * and this is refused. The key is never returned, logged or stored in SQLite.
   */
  'execution.saveKey': {
    params: v.object({ clientId: v.string({ maxLength: 4096 }), clientSecret: v.string({ maxLength: 4096 }) }),
    result: typed<ExecutionStatusDto>(),
  },
  'execution.set': {
    params: v.object({ venue: v.literal('paper', 'deribit'), network: v.literal('testnet', 'mainnet'), mainnetConfirmed: v.boolean() }),
    result: typed<ExecutionStatusDto>(),
  },
  /** The whole log as CSV or JSON text (the UI saves it as a file). */
  'audit.export': { params: v.object({ format: v.literal('csv', 'json') }), result: typed<{ text: string; rows: number }>() },
} as const satisfies CommandTable;

export const hedgingTopics = {
  /** The advisor's current proposal for a currency (recomputed when the market, the book or the settings change). */
  hedge: { params: v.object({ currency }), payload: typed<HedgeSnapshot>() },
  /** Open recommendations and the latest decided ones, newest first. */
  recommendations: { params: v.object({}), payload: typed<RecommendationDto[]>() },
} as const satisfies TopicTable;
