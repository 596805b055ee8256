/**
 * The index stream into the estimators: ticks of one minute form one bar (add, then replace), the result equals
 * estimators fed the finished minute bars directly, and a seeded 1-tick-per-second GBM at 80 % comes out at 80 %.
 */
import { describe, expect, it } from 'vitest';
import { GarmanKlassVolatility, type OhlcBar, ParkinsonVolatility, RealizedVolatility } from '../../../../src-main/core/forecast/estimators';
import { MINUTE_MS, MinuteBarFeed } from '../../../../src-main/core/forecast/minuteBars';
import { secondTicks as ticks } from './simulated';

const DAY_MINUTES = 1440;
const makeFeed = () =>
  new MinuteBarFeed({
    closes: {
      rv1m: new RealizedVolatility({ returns: DAY_MINUTES, samplesPerReturn: 1, intervalMs: MINUTE_MS }),
      rv5m: new RealizedVolatility({ returns: DAY_MINUTES / 5, samplesPerReturn: 5, intervalMs: MINUTE_MS }),
    },
    bars: {
      parkinson: new ParkinsonVolatility({ bars: DAY_MINUTES, intervalMs: MINUTE_MS }),
      garmanKlass: new GarmanKlassVolatility({ bars: DAY_MINUTES, intervalMs: MINUTE_MS }),
    },
  });

describe('MinuteBarFeed', () => {
  const stream = ticks(3, 2 * 86_400, 0.8);

  it('equals estimators fed the finished 1-minute bars, and measures the simulated 80 % vol', () => {
    const feed = makeFeed();
    for (const [t, p] of stream) feed.onTick(t, p);
    // The same bars built by hand: contiguous (open = previous close), high/low over the minute's ticks.
    const bars: OhlcBar[] = [];
    let minute = Number.NaN;
    for (const [t, p] of stream) {
      const m = Math.floor(t / MINUTE_MS);
      const last = bars[bars.length - 1];
      if (m === minute && last) bars[bars.length - 1] = { open: last.open, high: Math.max(last.high, p), low: Math.min(last.low, p), close: p };
      else {
        const open = last ? last.close : p;
        bars.push({ open, high: Math.max(open, p), low: Math.min(open, p), close: p });
        minute = m;
      }
    }
    const rv1m = new RealizedVolatility({ returns: DAY_MINUTES, samplesPerReturn: 1, intervalMs: MINUTE_MS });
    const gk = new GarmanKlassVolatility({ bars: DAY_MINUTES, intervalMs: MINUTE_MS });
    for (const bar of bars) {
      rv1m.add(bar.close);
      gk.add(bar);
    }
    const results = feed.results();
    expect(results['rv1m']).toBe(rv1m.result);
    expect(results['garmanKlass']).toBe(gk.result);
    expect(feed.stats).toMatchObject({ ticks: stream.length, bars: bars.length, filledMinutes: 0, gaps: 0, outOfOrder: 0 });
    // 1440 one-minute returns: relative s.e. 1.9 %; 288 five-minute returns: 4.2 %; ranges of ~60 ticks read low.
    expect(Math.abs(results['rv1m']! / 0.8 - 1)).toBeLessThan(0.06);
    expect(Math.abs(results['rv5m']! / 0.8 - 1)).toBeLessThan(0.13);
    expect(results['parkinson']! / 0.8).toBeGreaterThan(0.85);
    expect(results['garmanKlass']! / 0.8).toBeGreaterThan(0.85);
  });

  it('is null until a day of minutes has been seen', () => {
    const feed = makeFeed();
    for (const [t, p] of stream.slice(0, 3600)) feed.onTick(t, p);
    expect(feed.results()).toEqual({ rv1m: null, rv5m: null, parkinson: null, garmanKlass: null });
  });

  it('fills empty minutes with flat bars, caps a long gap, ignores late ticks, refuses bad prices', () => {
    const feed = new MinuteBarFeed({ closes: { rv: new RealizedVolatility({ returns: 2, samplesPerReturn: 1, intervalMs: MINUTE_MS }) }, bars: {}, maxGapMinutes: 5 });
    feed.onTick(0, 100);
    feed.onTick(3 * MINUTE_MS + 5, 101); // minutes 1 and 2 empty: two flat bars at 100
    expect(feed.stats).toMatchObject({ bars: 4, filledMinutes: 2, gaps: 0 });
    // The window's two returns: 100 -> 100 (flat) and 100 -> 101.
    expect(feed.results()['rv']).toBeCloseTo(Math.sqrt((Math.log(1.01) ** 2 / 2) * 365 * 1440), 10);
    feed.onTick(2 * MINUTE_MS, 99); // older than the current minute
    expect(feed.stats.outOfOrder).toBe(1);
    feed.onTick(100 * MINUTE_MS, 102); // 96 empty minutes: 5 filled, one gap
    expect(feed.stats).toMatchObject({ filledMinutes: 7, gaps: 1, bars: 10 });
    expect(() => feed.onTick(101 * MINUTE_MS, Number.NaN)).toThrow(/price must be a positive finite number, got NaN/);
    expect(() => feed.onTick(Number.NaN, 100)).toThrow(/time must be a finite epoch ms/);
    expect(feed.stats.ticks).toBe(3);
  });
});
