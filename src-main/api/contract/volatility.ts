/**
 * Volatility domain: the live volatility surface of a currency (every expiry's fitted smile, fit quality,
 * arbitrage flags, the ATM term structure, 25-delta risk reversal and butterfly, an IV heatmap) with the live
 * realized vol, its forecast and the variance risk premium per expiry (engine/surfaceSchedule.ts).
 */
import type { ForecastEvaluateResult } from '../../core/forecast/fileEvaluation';
import type { Currency } from '../../core/market/events';
import type { LiveRealizedSnapshot } from '../../core/forecast/liveRealized';
import type { SurfaceSnapshotDto } from '../../core/surface/snapshot';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

/** Fit quality of one expiry (vol points; null where the slice was not fitted or had no strike there). */
export interface SliceQuality {
  label: string;
  years: number;
  points: number;
  rmseDelta5: number | null;
  countDelta5: number;
  maxAbsDelta5: number | null;
  rmseAll: number | null;
  /** k-intervals with Durrleman's g < 0, and with total variance below the previous expiry's. */
  butterflyFlags: number;
  calendarFlags: number;
  lee: string | null;
  reason: string | null;
}

/** The variance risk premium of one expiry. */
export interface ExpiryPremiumDto {
  label: string;
  years: number;
  horizonDays: number;
  atmIv: number | null;
  forecastVol: number | null;
  /** 100 × (ATM IV − forecast RV); null with `reason`. */
  volPoints: number | null;
  /** ATM implied variance − forecast realized variance (annualized decimal). */
  variance: number | null;
  zScore: number | null;
  zReason: string | null;
  reason: string | null;
}

/** The `surface` topic's payload. */
export interface VolatilitySurfaceDto {
  currency: Currency;
  marketTimeMs: number;
  marketSeq: number;
  /** Scheduler time from the fit's start to its result (the stepped clock makes it deterministic in tests). */
  computeMs: number;
  fits: number;
  surface: SurfaceSnapshotDto;
  quality: SliceQuality[];
  premiums: ExpiryPremiumDto[];
  realized: LiveRealizedSnapshot;
}


/** `forecast.evaluate`'s result (workers/forecastEvaluateTask.ts). */
export type ForecastEvaluationDto = ForecastEvaluateResult;

const currency = v.literal('BTC', 'ETH');

export const volatilityCommands = {
  /**
   * Every model's realized-vol forecast and the out-of-sample evaluation (QLIKE, MSE, Diebold–Mariano vs HAR) on a
   * price file in the import folder (the layouts `gammadesk forecast --prices` reads); runs on the jobs pool.
   */
  'forecast.evaluate': {
    params: v.object({ file: v.string({ maxLength: 1024 }), close: v.optional(v.string({ maxLength: 64 })) }),
    result: typed<ForecastEvaluationDto>(),
  },
} as const satisfies CommandTable;

export const volatilityTopics = {
  /** Refitted at most once a second while quotes change and somebody listens. */
  surface: { params: v.object({ currency }), payload: typed<VolatilitySurfaceDto>() },
} as const satisfies TopicTable;
