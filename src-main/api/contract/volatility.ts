/**
 * Volatility domain: the live volatility surface of a currency (every expiry's fitted smile, fit quality,
 * arbitrage flags, the ATM term structure, 25-delta risk reversal and butterfly, an IV heatmap) with the live
 * realized vol, its forecast and the variance risk premium per expiry (engine/surfaceSchedule.ts).
 */
import type { VolatilitySurfaceDto } from '../../engine/surfaceSchedule';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

export type { VolatilitySurfaceDto } from '../../engine/surfaceSchedule';

const currency = v.literal('BTC', 'ETH');

export const volatilityCommands = {} as const satisfies CommandTable;

export const volatilityTopics = {
  /** Refitted at most once a second while quotes change and somebody listens. */
  surface: { params: v.object({ currency }), payload: typed<VolatilitySurfaceDto>() },
} as const satisfies TopicTable;
