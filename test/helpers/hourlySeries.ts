/** Synthetic hourly closes for B3's anchored-history tests (core/learn/b3.ts `HourlySeries`). */
import { Rng } from '../../src-main/core/random';

const HOUR = 3_600_000;

/**
 * `days` days of hourly closes from `start` (epoch ms), starting at 100, with seeded log returns of hourly vol
 * `hourlyVol` plus `drift` per hour.
 */
export function hourlySeries(start: number, days: number, hourlyVol: number, seed: number, drift = 0): { time: Float64Array; close: Float64Array } {
  const n = days * 24 + 1;
  const rng = new Rng(seed);
  const time = Float64Array.from({ length: n }, (_, i) => start + i * HOUR);
  const close = new Float64Array(n);
  close[0] = 100;
  for (let i = 1; i < n; i++) close[i] = close[i - 1]! * Math.exp(hourlyVol * rng.nextNormal() + drift);
  return { time, close };
}
