/**
 * The live realized vol of the Surface view: warming up with a reason, then the EWMA forecast of a seeded GBM at
 * a known vol comes out near it (the simulated sigma is the reference), the per-minute EWMA equals the recursion
 * lambda_min = 0.94^(1/1440) written out as a weighted sum, and bad ticks are counted without losing the stream.
 */
import { describe, expect, it } from 'vitest';
import { LiveRealizedVol } from '../../../../src-main/core/forecast/liveRealized';
import { MINUTE_MS } from '../../../../src-main/core/forecast/minuteBars';
import { secondTicks as ticks } from './simulated';

describe('LiveRealizedVol', () => {
  it('is null with the reason while warming up, then forecasts the simulated 60 % vol', () => {
    const live = new LiveRealizedVol();
    const stream = ticks(11, 86_400, 0.6);
    for (const [t, p] of stream.slice(0, 20 * 60)) live.onTick(t, p);
    const early = live.snapshot();
    expect(early.forecastVol).toBeNull();
    expect(early.reason).toMatch(/^warming up: 1\d of 30 one-minute index returns$/);
    for (const [t, p] of stream.slice(20 * 60)) live.onTick(t, p);
    const day = live.snapshot();
    expect(day.reason).toBeNull();
    // One day of 1-minute returns: about 1440 returns, a relative standard error near 1/sqrt(2 x 1440) = 1.9 %.
    expect(day.forecastVol!).toBeGreaterThan(0.6 * 0.93);
    expect(day.forecastVol!).toBeLessThan(0.6 * 1.07);
    // The 1-hour windows are noisier (60 returns: about 9 % standard error).
    for (const v of [day.estimates.rv1m, day.estimates.parkinson, day.estimates.garmanKlass]) {
      expect(v!).toBeGreaterThan(0.6 * 0.6);
      expect(v!).toBeLessThan(0.6 * 1.4);
    }
    expect(day.bars).toBeGreaterThanOrEqual(1439);
    expect(day.history.timesMs.length).toBe(1440);
    expect(day.history.ewma.at(-1)).toBe(day.forecastVol);
    expect(day.model).toBe('ewma');
  });

  it('is the normalized EWMA of the minute returns with lambda 0.94 per day, written out as a weighted sum', () => {
    const live = new LiveRealizedVol({ warmUpMinutes: 5 });
    const closes: number[] = [];
    const stream = ticks(5, 3600, 0.8);
    for (const [t, p] of stream) {
      live.onTick(t, p);
      const minute = Math.floor(t / MINUTE_MS) - Math.floor(stream[0]![0] / MINUTE_MS);
      closes[minute] = p;
    }
    const lambda = 0.94 ** (1 / 1440);
    // Written out: sum over returns of lambda^(age) r^2 over the sum of the weights.
    let weighted = 0, weights = 0;
    const n = closes.length - 1;
    for (let i = 1; i <= n; i++) {
      weighted += lambda ** (n - i) * Math.log(closes[i]! / closes[i - 1]!) ** 2;
      weights += lambda ** (n - i);
    }
    const variance = weighted / weights;
    expect(live.forecast()!).toBeCloseTo(Math.sqrt((variance * 365 * 86_400_000) / MINUTE_MS), 12);
  });

  it('counts a bad tick with its reason and keeps the stream', () => {
    const live = new LiveRealizedVol();
    const stream = ticks(2, 600, 0.5);
    for (const [t, p] of stream.slice(0, 300)) live.onTick(t, p);
    live.onTick(stream[300]![0], Number.NaN);
    live.onTick(stream[300]![0], -1);
    for (const [t, p] of stream.slice(300)) live.onTick(t, p);
    expect(live.rejected).toBe(2);
    expect(live.lastRejection).toMatch(/price must be a positive finite number, got -1/);
    expect(live.snapshot().ticks).toBe(600);
  });
});
