/**
 * What the demo market lists: Deribit-shaped expiries (dailies, Friday weeklies, last-Friday monthlies and
 * quarterlies, all at 08:00 UTC) relative to the start time, and a Deribit-like strike grid per expiry.
 */
import { formatExpiryCode } from '../../market/expiryCode';
import { epochMs, MS_PER_DAY } from '../../units';
import type { EpochMs } from '../../units';

export type DemoExpiryKind = 'daily' | 'weekly' | 'monthly' | 'quarterly';

export interface DemoExpiry {
  readonly expiryMs: EpochMs;
  /** Deribit date code, e.g. `27NOV26`. */
  readonly code: string;
  /** The most significant cycle the date belongs to (quarterly > monthly > weekly > daily). */
  readonly kind: DemoExpiryKind;
}

/** Expiries closer than this to startMs are not listed (a daily about to expire is useless as demo data). */
const MIN_EXPIRY_LEAD_MS = 12 * 3_600_000;
/** Deribit lists about a year of quarterlies (366 days, so a quarterly exactly a year out on a leap year stays). */
const MAX_EXPIRY_HORIZON_MS = 366 * MS_PER_DAY;
const DAILIES_LISTED = 2;
const WEEKLIES_LISTED = 3;
const MONTHLIES_LISTED = 3;
const KIND_RANK: Record<DemoExpiryKind, number> = { daily: 0, weekly: 1, monthly: 2, quarterly: 3 };
/** `Date.getUTCDay()` of a Friday. */
const FRIDAY = 5;
/** Deribit options and futures expire at 08:00 UTC. */
const EXPIRY_HOUR_UTC = 8;

/** 08:00 UTC on the last Friday of a month (month may run past 11: Date.UTC rolls it into later years). */
function lastFridayAtExpiryHour(year: number, month: number): number {
  const lastDayOfMonth = Date.UTC(year, month + 1, 0, EXPIRY_HOUR_UTC);
  const weekday = new Date(lastDayOfMonth).getUTCDay();
  return lastDayOfMonth - ((weekday - FRIDAY + 7) % 7) * MS_PER_DAY;
}

/**
 * Deribit's listing shape relative to `startMs`: the next 2 dailies (non-Friday), the next 3 Friday weeklies, the
 * next 3 last-Friday monthlies, and the quarterlies (last Friday of Mar/Jun/Sep/Dec) within a year; all at 08:00
 * UTC and at least 12 h after startMs. Usually 9–11 expiries from ~1 day to ~1 year.
 */
export function demoExpirySchedule(startMs: EpochMs): DemoExpiry[] {
  const earliestMs = startMs + MIN_EXPIRY_LEAD_MS;
  const latestMs = startMs + MAX_EXPIRY_HORIZON_MS;
  // A date on several cycles (the last Friday of March is a weekly, a monthly and a quarterly) keeps the highest.
  const kindByExpiryMs = new Map<number, DemoExpiryKind>();
  const list = (expiryMs: number, kind: DemoExpiryKind): void => {
    const listed = kindByExpiryMs.get(expiryMs);
    if (listed === undefined || KIND_RANK[kind] > KIND_RANK[listed]) kindByExpiryMs.set(expiryMs, kind);
  };
  const start = new Date(startMs);
  const startYear = start.getUTCFullYear();
  const startMonth = start.getUTCMonth();
  const startDayAtExpiryHour = Date.UTC(startYear, startMonth, start.getUTCDate(), EXPIRY_HOUR_UTC);

  let dailies = 0;
  let fridays = 0;
  for (let day = 0; day < 40 && (dailies < DAILIES_LISTED || fridays < WEEKLIES_LISTED); day++) {
    const expiryMs = startDayAtExpiryHour + day * MS_PER_DAY;
    if (expiryMs < earliestMs) continue;
    if (new Date(expiryMs).getUTCDay() === FRIDAY) {
      if (fridays < WEEKLIES_LISTED) list(expiryMs, 'weekly');
      fridays++;
    } else if (dailies < DAILIES_LISTED) {
      list(expiryMs, 'daily');
      dailies++;
    }
  }
  let monthlies = 0;
  for (let monthOffset = 0; monthlies < MONTHLIES_LISTED; monthOffset++) {
    const expiryMs = lastFridayAtExpiryHour(startYear, startMonth + monthOffset);
    if (expiryMs < earliestMs) continue;
    list(expiryMs, 'monthly');
    monthlies++;
  }
  for (let monthOffset = 0; monthOffset < 15; monthOffset++) {
    const month = (startMonth + monthOffset) % 12;
    const isQuarterEnd = month % 3 === 2; // March, June, September, December
    if (!isQuarterEnd) continue;
    const expiryMs = lastFridayAtExpiryHour(startYear, startMonth + monthOffset);
    if (expiryMs >= earliestMs && expiryMs <= latestMs) list(expiryMs, 'quarterly');
  }
  return [...kindByExpiryMs.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([expiryMs, kind]) => ({ expiryMs: epochMs(expiryMs), code: formatExpiryCode(expiryMs), kind }));
}

/** Index into `strikeSteps` of the spacing used near the money: finer for short expiries. */
export function nearMoneyStrikeStepIndex(daysToExpiry: number): number {
  if (daysToExpiry <= 3) return 0;
  if (daysToExpiry <= 45) return 1;
  if (daysToExpiry <= 150) return 2;
  return 3;
}

/**
 * Deribit-like strike grid (USD, ascending): the near-money spacing within 1 sd of the forward, then one step
 * coarser per band at 2 and 3 sd and beyond; range −3.5 sd … +4.5 sd in log-moneyness (at least −6 % … +7 %, at
 * most 0.15× … 4× the forward), where sd = atmVol · √years.
 *
 * @param strikeSteps spacings from finest to coarsest; every strike is a multiple of the first.
 */
export function listStrikes(
  forwardUsd: number,
  years: number,
  atmVol: number,
  strikeSteps: readonly number[],
  nearMoneyStepIndex: number,
): number[] {
  const finestStep = strikeSteps[0];
  if (finestStep === undefined) throw new RangeError('listStrikes needs at least one strike step');
  const coarsestStepIndex = strikeSteps.length - 1;
  const standardDeviation = atmVol * Math.sqrt(years);
  const lowestLogMoneyness = Math.max(Math.min(-3.5 * standardDeviation, -0.06), Math.log(0.15));
  const highestLogMoneyness = Math.min(Math.max(4.5 * standardDeviation, 0.07), Math.log(4));
  const lowestStrike = Math.ceil((forwardUsd * Math.exp(lowestLogMoneyness)) / finestStep) * finestStep;
  const highestStrike = Math.floor((forwardUsd * Math.exp(highestLogMoneyness)) / finestStep) * finestStep;
  const strikes: number[] = [];
  for (let strike = Math.max(lowestStrike, finestStep); strike <= highestStrike; strike += finestStep) {
    const standardDeviationsAway = Math.abs(Math.log(strike / forwardUsd)) / standardDeviation;
    const band = standardDeviationsAway <= 1 ? 0 : standardDeviationsAway <= 2 ? 1 : standardDeviationsAway <= 3 ? 2 : 3;
    const step = strikeSteps[Math.min(nearMoneyStepIndex + band, coarsestStepIndex)]!;
    if (strike % step === 0) strikes.push(strike);
  }
  return strikes;
}
