/**
 * Time to expiry, Deribit convention: options and futures expire at 08:00 UTC on their expiry date, and time is
 * ACT/365 measured in milliseconds: T = (expiry - now) / (365 x 86 400 000 ms). No day-count calendar, no
 * business days, no leap-year adjustment (a leap year is 366/365 years long).
 *
 * Settlement: Deribit settles on the time-weighted average of its index over the 30 minutes before 08:00 UTC,
 * and during that window it decays the delta it shows linearly to 0: the share of the average already observed
 * no longer moves with the index, so that is also the delta left to hedge. The Black-76 kernels price to the
 * expiry instant; the delta the chain shows, the dealers' delta in the exposures and the coin delta of
 * `analyze` are multiplied by `settlementDeltaFactor` (flagged as `settling`); an expired option has no greeks.
 */
import { MS_PER_YEAR, type EpochMs, type Years } from '../units';

/** Length of Deribit's settlement averaging window: 30 minutes before expiry. */
export const SETTLEMENT_WINDOW_MS = 30 * 60 * 1000;

/**
 * ACT/365 years from `nowMs` to `expiryMs` (both epoch ms, UTC). Negative after expiry: callers treat
 * `years <= 0` as expired (the kernels return intrinsic values then). NaN if either input is NaN.
 */
export function yearsToExpiry(expiryMs: EpochMs | number, nowMs: EpochMs | number): Years {
  return ((expiryMs - nowMs) / MS_PER_YEAR) as Years;
}

/**
 * Years to expiry as displayed (chain and expiry-list snapshots): {@link yearsToExpiry} clamped at 0, so an
 * expiry that has just passed shows 0 until it rolls off. The only clamped variant: pricing and exposure use the
 * signed value, whose `<= 0` means expired.
 */
export function displayYearsToExpiry(expiryMs: EpochMs | number, nowMs: EpochMs | number): Years {
  return Math.max(0, yearsToExpiry(expiryMs, nowMs)) as Years;
}

/** Where an option stands relative to its settlement. */
export type SettlementPhase = 'open' | 'settling' | 'expired';

/**
 * 'open' more than 30 minutes before expiry, 'settling' inside the 30-minute averaging window
 * (expiry - 30 min < now < expiry), 'expired' at or after expiry.
 */
export function settlementPhase(expiryMs: EpochMs | number, nowMs: EpochMs | number): SettlementPhase {
  if (nowMs >= expiryMs) return 'expired';
  return expiryMs - nowMs < SETTLEMENT_WINDOW_MS ? 'settling' : 'open';
}

/**
 * Deribit's display-delta factor: 1 until 30 minutes before expiry, then falling linearly to 0 at expiry (the
 * share of the settlement average still to be observed); 0 after expiry. Multiply a Black-76 delta by it to get
 * the delta Deribit shows during settlement.
 */
export function settlementDeltaFactor(expiryMs: EpochMs | number, nowMs: EpochMs | number): number {
  return settlementDeltaFactorForYears(yearsToExpiry(expiryMs, nowMs));
}

/** The same factor from the years left to expiry (a chain row carries years, not instants). */
export function settlementDeltaFactorForYears(years: number): number {
  const remainingMs = years * MS_PER_YEAR;
  if (!(remainingMs > 0)) return 0;
  return remainingMs >= SETTLEMENT_WINDOW_MS ? 1 : remainingMs / SETTLEMENT_WINDOW_MS;
}
