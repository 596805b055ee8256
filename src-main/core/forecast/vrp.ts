/**
 * Variance risk premium: implied minus realized, per expiry and as a history.
 *
 * Per expiry (live use): the ATM implied vol of the expiry (a fitted surface's ATM point, or Deribit's DVOL for
 * the 30-day point) against the forecast realized vol over the same horizon. Reported both ways:
 *   - in variance, the premium proper: sigma_iv^2 - sigma_rv^2 (annualized decimal variance);
 *   - in vol points: 100 x (sigma_iv - sigma_rv), what a trader reads off a screen.
 * and as a z-score of the vol-point premium against its own history (mean and sample standard deviation of the
 * earlier values only, so the score never uses the value it scores).
 *
 * History (research use): `impliedVersusFollowingRealized` pairs each day's implied vol with the vol actually
 * realized over the following h days (sqrt(365 / h x sum of squared daily log returns)), the ex-post premium.
 */
import type { Vol } from '../units';

export interface VarianceRiskPremium {
  /** sigma_iv^2 - sigma_rv^2, annualized decimal variance. */
  variance: number;
  /** 100 x (sigma_iv - sigma_rv). */
  volPoints: number;
}

export function varianceRiskPremium(impliedVol: Vol, forecastVol: Vol): VarianceRiskPremium {
  return { variance: impliedVol * impliedVol - forecastVol * forecastVol, volPoints: 100 * (impliedVol - forecastVol) };
}

export interface ExpiryPremium extends VarianceRiskPremium {
  /** Whole days of realized vol the forecast covers: the expiry's time left, at least 1. */
  horizonDays: number;
  /** z-score of `volPoints` against the expiry's (or its tenor's) earlier premiums. */
  zScore: ZScore;
}

/** Forecast days for an expiry `years` away (ACT/365): round(years x 365), at least 1. */
export function horizonDaysForExpiry(years: number): number {
  if (!Number.isFinite(years)) throw new RangeError(`horizonDaysForExpiry: years is ${String(years)}`);
  return Math.max(1, Math.round(years * 365));
}

/**
 * The premium of one expiry: its ATM implied vol against the realized vol forecast over its horizon, given by
 * `forecastVol(horizonDays)` (e.g. a fitted model's `forecastFromHistory(…).vol`), with the z-score against
 * `history` (earlier vol-point premiums). Null with the reason when the forecast cannot be made.
 */
export function expiryPremium(
  atmImpliedVol: Vol,
  years: number,
  forecastVol: (horizonDays: number) => Vol | null,
  history: readonly number[],
): ExpiryPremium | { horizonDays: number; premium: null; reason: string } {
  const horizonDays = horizonDaysForExpiry(years);
  const forecast = forecastVol(horizonDays);
  if (forecast === null) return { horizonDays, premium: null, reason: `no realized-vol forecast for ${horizonDays} days` };
  const premium = varianceRiskPremium(atmImpliedVol, forecast);
  return { ...premium, horizonDays, zScore: zScore(premium.volPoints, history) };
}

export interface ZScore {
  value: number | null;
  reason: string | null;
  mean: number;
  standardDeviation: number;
  observations: number;
}

/** z = (current - mean(history)) / sd(history); null with a reason with fewer than `minHistory` values or zero spread. */
export function zScore(current: number, history: readonly number[], minHistory = 30): ZScore {
  const values = history.filter((v) => Number.isFinite(v));
  const n = values.length;
  const mean = n > 0 ? values.reduce((s, v) => s + v, 0) / n : Number.NaN;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : Number.NaN;
  const standardDeviation = Math.sqrt(variance);
  const base = { mean, standardDeviation, observations: n };
  if (!Number.isFinite(current)) return { ...base, value: null, reason: `the current premium is ${String(current)}` };
  if (n < minHistory) return { ...base, value: null, reason: `${n} earlier values; a z-score needs ${minHistory}` };
  if (!(standardDeviation > 0)) return { ...base, value: null, reason: 'the history has no spread' };
  return { ...base, value: (current - mean) / standardDeviation, reason: null };
}

export interface PremiumPoint {
  dayMs: number;
  implied: Vol;
  realized: Vol;
  premium: VarianceRiskPremium;
}

export interface PremiumSummary {
  points: PremiumPoint[];
  /** Days without a complete following window or without an implied vol. */
  skipped: number;
  meanVolPoints: number;
  medianVolPoints: number;
  meanVariance: number;
  /** Share of days with implied above the following realized. */
  sharePositive: number;
  meanImplied: number;
  meanRealized: number;
  byYear: { year: number; days: number; meanVolPoints: number; meanImplied: number; meanRealized: number }[];
}

/**
 * For each day t with an implied vol and h following daily returns (t+1..t+h, all present), the implied vol of t
 * against the realized vol of those h days. `dailyReturn[t]` is the log return ending on day t.
 */
export function impliedVersusFollowingRealized(dayMs: readonly number[], impliedVol: readonly (number | null)[], dailyReturn: readonly number[], horizonDays: number): PremiumSummary {
  const points: PremiumPoint[] = [];
  let skipped = 0;
  for (let t = 0; t < dayMs.length; t++) {
    const iv = impliedVol[t];
    if (iv === null || iv === undefined || !(iv > 0) || t + horizonDays >= dayMs.length) {
      skipped++;
      continue;
    }
    let sum = 0;
    for (let k = 1; k <= horizonDays; k++) sum += dailyReturn[t + k]! ** 2;
    const realized = Math.sqrt((sum * 365) / horizonDays) as Vol;
    points.push({ dayMs: dayMs[t]!, implied: iv as Vol, realized, premium: varianceRiskPremium(iv as Vol, realized) });
  }
  const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;
  const volPoints = points.map((p) => p.premium.volPoints);
  const sorted = [...volPoints].sort((a, b) => a - b);
  const years = new Map<number, PremiumPoint[]>();
  for (const p of points) {
    const year = new Date(p.dayMs).getUTCFullYear();
    years.set(year, [...(years.get(year) ?? []), p]);
  }
  return {
    points,
    skipped,
    meanVolPoints: mean(volPoints),
    medianVolPoints: sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : 0.5 * (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!),
    meanVariance: mean(points.map((p) => p.premium.variance)),
    sharePositive: points.filter((p) => p.premium.volPoints > 0).length / Math.max(points.length, 1),
    meanImplied: mean(points.map((p) => p.implied)),
    meanRealized: mean(points.map((p) => p.realized)),
    byYear: [...years.entries()].map(([year, ps]) => ({
      year,
      days: ps.length,
      meanVolPoints: mean(ps.map((p) => p.premium.volPoints)),
      meanImplied: mean(ps.map((p) => p.implied)),
      meanRealized: mean(ps.map((p) => p.realized)),
    })),
  };
}

/** Aligns an implied-vol series (by UTC day) to the days of a history: null where the day has none. */
export function alignByDay(dayMs: readonly number[], ivDayMs: readonly number[], iv: readonly number[]): (number | null)[] {
  const byDay = new Map<number, number>();
  ivDayMs.forEach((d, i) => byDay.set(Math.floor(d / 86_400_000) * 86_400_000, iv[i]!));
  return dayMs.map((d) => byDay.get(Math.floor(d / 86_400_000) * 86_400_000) ?? null);
}
