/**
 * The surface schedule on a manual clock, with a real market state and the worker's `surface` task run
 * in-process as its port: fits only while wanted and only after a change, at most once per interval; the realized
 * vol of a seeded index path (GBM at 50 %, one tick a second) warms up over 30 one-minute returns, then every
 * expiry's premium is its fitted ATM IV minus that forecast (identities checked on the published numbers).
 */
import { describe, expect, it } from 'vitest';
import type { VolatilitySurfaceDto } from '../../../src-main/api/contract/volatility';
import type { MarketEvent } from '../../../src-main/core/market/events';
import { Rng } from '../../../src-main/core/random';
import { MarketState } from '../../../src-main/engine/marketState';
import { SurfaceSchedule } from '../../../src-main/engine/surfaceSchedule';
import { surfaceTask } from '../../../src-main/workers/surfaceTask';
import { ManualTimers } from '../../helpers/fakeTimers';
import { chainInstruments, chainTickers, EXPIRY_A, EXPIRY_B, indexEvent, T0 } from '../../helpers/market';

const STRIKES = [70_000, 80_000, 90_000, 95_000, 100_000, 105_000, 110_000, 120_000, 130_000];

function setup(wanted: () => boolean) {
  const timers = new ManualTimers();
  timers.nowMs = T0;
  const market = new MarketState();
  let seq = 0;
  const published: VolatilitySurfaceDto[] = [];
  const errors: unknown[] = [];
  const schedule = new SurfaceSchedule(
    { port: { computeSurface: async (input) => surfaceTask(input) }, wanted: (currency) => currency === 'BTC' && wanted(), publish: (_c, s) => published.push(s) },
    timers,
    () => market,
    (error) => errors.push(error),
  );
  const apply = (events: readonly MarketEvent[]): void => {
    for (const event of events) {
      market.apply(event, ++seq);
      if (event.type === 'index') schedule.onIndex(event.currency, event.tsEvent, event.priceUsd);
      else schedule.marketChanged('BTC');
    }
  };
  apply([...chainInstruments('BTC', EXPIRY_A, STRIKES), ...chainInstruments('BTC', EXPIRY_B, STRIKES)]);
  apply([...chainTickers('BTC', EXPIRY_A, 100_000, T0, STRIKES), ...chainTickers('BTC', EXPIRY_B, 101_000, T0, STRIKES)]);
  schedule.start();
  const step = async (ms: number): Promise<void> => {
    timers.advance(ms);
    await Promise.all(schedule.running);
  };
  return { timers, schedule, apply, step, published, errors };
}

describe('SurfaceSchedule', () => {
  it('fits only while wanted, only after a change, at most once per second', async () => {
    let wanted = false;
    const s = setup(() => wanted);
    await s.step(3000);
    expect(s.published).toHaveLength(0);
    wanted = true;
    await s.step(1000);
    expect(s.published).toHaveLength(1);
    // No change: no refit.
    await s.step(3000);
    expect(s.published).toHaveLength(1);
    // Ten changes within one interval: one refit.
    for (let i = 0; i < 10; i++) s.apply(chainTickers('BTC', EXPIRY_A, 100_000 + 10 * i, T0 + 5000 + i, STRIKES));
    await s.step(1000);
    expect(s.published).toHaveLength(2);
    expect(s.published[1]!.surface.smiles[0]!.forward).toBe(100_090);
    expect(s.errors).toEqual([]);
  });

  it('publishes the premium of each expiry once the forecast has warmed up, null with the reason before', async () => {
    const s = setup(() => true);
    const rng = new Rng(7);
    const step = 0.5 * Math.sqrt(1 / (365 * 86_400));
    let price = 100_000;
    const tick = (second: number): void => {
      price *= Math.exp(step * rng.nextNormal());
      s.apply([indexEvent('BTC', price, T0 + second * 1000)]);
    };
    for (let second = 0; second < 10 * 60; second++) tick(second);
    s.schedule.marketChanged('BTC');
    await s.step(1000);
    const early = s.published.at(-1)!;
    expect(early.realized.forecastVol).toBeNull();
    expect(early.premiums.map((p) => p.reason)).toEqual(early.premiums.map(() => expect.stringMatching(/^warming up: 9 of 30 one-minute index returns$/)));
    for (let second = 10 * 60; second < 45 * 60; second++) tick(second);
    s.schedule.marketChanged('BTC');
    await s.step(1000);
    const late = s.published.at(-1)!;
    const forecast = late.realized.forecastVol!;
    // 44 one-minute returns of a 50 % path: standard error about 0.5 / sqrt(88) = 5 %.
    expect(forecast).toBeGreaterThan(0.35);
    expect(forecast).toBeLessThan(0.65);
    expect(late.premiums).toHaveLength(2);
    for (const p of late.premiums) {
      expect(p.reason).toBeNull();
      // The helper's smile has 50 % at the money (test/helpers/market.ts smileIv).
      expect(p.atmIv!).toBeCloseTo(0.5, 1);
      expect(p.volPoints!).toBeCloseTo(100 * (p.atmIv! - forecast), 10);
      expect(p.variance!).toBeCloseTo(p.atmIv! ** 2 - forecast ** 2, 12);
      expect(p.horizonDays).toBe(Math.round(p.years * 365));
      expect(p.zScore).toBeNull();
      expect(p.zReason).toMatch(/0 earlier values; a z-score needs 30/);
    }
  });
});
