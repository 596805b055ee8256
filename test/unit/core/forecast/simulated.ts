/** Seeded simulated price paths for the estimator tests (driftless geometric Brownian motion). */
import type { OhlcBar } from '../../../../src-main/core/forecast/estimators';
import { Rng } from '../../../../src-main/core/random';

/** Closes of a driftless GBM with annual vol `sigma`, one per `intervalMs`. */
export function gbmCloses(seed: number, count: number, sigma: number, intervalMs: number): number[] {
  const rng = new Rng(seed);
  const step = sigma * Math.sqrt(intervalMs / (365 * 86_400_000));
  const out = [50_000];
  for (let i = 1; i < count; i++) out.push(out[i - 1]! * Math.exp(step * rng.nextNormal() - 0.5 * step * step));
  return out;
}

/** OHLC bars of a driftless GBM with annual vol `sigma`, each from `substeps` sub-steps. */
export function gbmBars(seed: number, count: number, sigma: number, intervalMs: number, substeps = 60): OhlcBar[] {
  const rng = new Rng(seed);
  const step = sigma * Math.sqrt(intervalMs / substeps / (365 * 86_400_000));
  const bars: OhlcBar[] = [];
  let price = 50_000;
  for (let i = 0; i < count; i++) {
    const open = price;
    let high = price;
    let low = price;
    for (let k = 0; k < substeps; k++) {
      price *= Math.exp(step * rng.nextNormal());
      high = Math.max(high, price);
      low = Math.min(low, price);
    }
    bars.push({ open, high, low, close: price });
  }
  return bars;
}


/** Index ticks about once a second (jittered within the second) of a driftless GBM at `sigma`, from 2026-01-01. */
export function secondTicks(seed: number, seconds: number, sigma: number): [number, number][] {
  const rng = new Rng(seed);
  const step = sigma * Math.sqrt(1 / (365 * 86_400));
  const start = Date.UTC(2026, 0, 1);
  let price = 90_000;
  const out: [number, number][] = [];
  for (let s = 0; s < seconds; s++) {
    price *= Math.exp(step * rng.nextNormal());
    out.push([start + s * 1000 + rng.nextInt(0, 999), price]);
  }
  return out;
}
