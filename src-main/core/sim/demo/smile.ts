/**
 * The demo market's implied vols: an upward-sloping ATM term structure moved by a mean-reverting log-vol shock,
 * and a smile in standardized moneyness z = ln(K/F) / (atmVol · √T).
 *
 * vol(z) = atmVol · (1 + skew · z + curvature(T) · (√(1 + z²) − 1)): skew < 0 is a mild put skew, the hyperbolic
 * term is convex, and because z scales with 1/√T the short-dated wings are much higher at a fixed moneyness.
 * All vols are decimals (0.55 = 55 %), times in years (ACT/365).
 */
import type { DemoCurrencyParams } from './params';

/** Cap on any quoted vol (decimal), so deep wings of very short expiries stay finite and priceable. */
const MAX_VOL = 3;
/** Floor of the smile multiplier, so a steep skew never drives a wing's vol to zero or below. */
const MIN_SMILE_MULTIPLIER = 0.3;

/** The demo smile: vol at standardized moneyness z for an ATM vol, skew and convexity. */
export function demoSmileVol(atmVol: number, moneynessZ: number, skew: number, curvature: number): number {
  const multiplier = 1 + skew * moneynessZ + curvature * (Math.sqrt(1 + moneynessZ * moneynessZ) - 1);
  return Math.min(MAX_VOL, atmVol * Math.max(multiplier, MIN_SMILE_MULTIPLIER));
}

/** ATM vol before the shock: atmLong + (atmShort − atmLong) · exp(−T/τ). */
export function termStructureAtmVol(params: DemoCurrencyParams, years: number): number {
  return params.atmLong + (params.atmShort - params.atmLong) * Math.exp(-years / params.termTauYears);
}

/** How strongly the log-vol shock moves an expiry's ATM vol: 1 at T → 0, 0.6 for long expiries. */
export function volShockWeight(years: number): number {
  return 0.6 + 0.4 * Math.exp(-years / 0.1);
}

/** Smile convexity at an expiry: the currency's curvature, up to 1.8× for expiries a few days out. */
export function smileCurvature(params: DemoCurrencyParams, years: number): number {
  const days = years * 365;
  return params.curvature * (1 + 0.8 * Math.exp(-days / 10));
}
