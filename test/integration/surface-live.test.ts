import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VolatilitySurfaceDto } from '../../src-main/api/contract/volatility';
import type { GammaDeskApp } from '../../src-main/app/app';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

// The live surface: the kernel's `surface` schedule on the stepped clock, fits on the worker pool, published on
// the `surface` topic of the API hub.
const temp = makeTempDir('gammadesk-surface-');
let apps: GammaDeskApp[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  apps = [];
});

async function collect(name: string, marketMs: number): Promise<{ messages: VolatilitySurfaceDto[]; steppedApp: ReturnType<typeof startSteppedApp> }> {
  const stepped = startSteppedApp({ dbPath: path.join(temp.dir, `${name}.db`), publishIntervalMs: 50 });
  apps.push(stepped.app);
  const messages: VolatilitySurfaceDto[] = [];
  await stepped.until(() => stepped.app.engine.market.currencies.get('BTC')?.sortedExpiries()[3]?.forward());
  stepped.app.hub.client().subscribe('surface', { currency: 'BTC' }, (m) => messages.push(m.data));
  await stepped.step(marketMs, 50);
  return { messages, steppedApp: stepped };
}

describe('live volatility surface', () => {
  it('fits every BTC expiry on the pool, at most once a second, with fit quality, flags and the premium waiting for the forecast', async () => {
    const { messages, steppedApp } = await collect('a', 5_000);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    // Coalesced: at most the subscription's fit plus one per 1 s tick of the 5 s stepped.
    expect(messages.length).toBeLessThanOrEqual(6);
    const times = messages.map((m) => m.marketTimeMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const last = messages.at(-1)!;
    const expiries = steppedApp.app.engine.market.currencies.get('BTC')!.sortedExpiries().filter((b) => b.expiryMs > last.marketTimeMs);
    expect(last.surface.smiles.map((s) => s.label)).toEqual(expiries.map((b) => b.label));
    expect(last.quality).toHaveLength(expiries.length);
    const fitted = last.surface.smiles.filter((s) => s.reason === null);
    expect(fitted.length).toBeGreaterThan(3);
    for (const smile of fitted) {
      expect(smile.curveIv.length).toBe(smile.curveK.length);
      expect(smile.atmIv).toBeGreaterThan(0.05);
      expect(smile.atmIv).toBeLessThan(3);
      // The fitted curve passes near the market: the demo's marks are on a smooth smile (simulator/demoFeed.ts).
      expect(smile.rmseDelta5).not.toBeNull();
      expect(smile.rmseDelta5!).toBeLessThan(2);
    }
    // Each point's residual is its mark IV minus the fitted curve at its k (identity, not a stored number).
    const smile = fitted[0]!;
    const starts = smile.points.find((p) => p.markIv !== null && p.residualVolPoints !== null)!;
    expect(starts.residualVolPoints).toBeCloseTo(100 * (starts.markIv! - interpolate(smile.curveK, smile.curveIv, starts.k)), 0);
    // Realized vol warms up over 30 one-minute returns: 5 s of market gives no forecast, and the premium says why.
    expect(last.realized.forecastVol).toBeNull();
    expect(last.realized.reason).toMatch(/warming up: \d+ of 30 one-minute index returns/);
    expect(last.premiums.every((p) => p.volPoints === null && /warming up/.test(p.reason ?? ''))).toBe(true);
    expect(last.realized.model).toBe('ewma');
    expect(last.realized.ticks).toBeGreaterThan(0);
    expect(last.fits).toBe(messages.length);
  }, 120_000);

  it('is deterministic under the stepped clock: two runs publish the same snapshots', async () => {
    const first = await collect('b', 3_000);
    const second = await collect('c', 3_000);
    expect(second.messages.length).toBe(first.messages.length);
    expect(JSON.stringify(second.messages)).toBe(JSON.stringify(first.messages));
  }, 120_000);

  it('fits nothing while nobody listens', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'idle.db'), publishIntervalMs: 50 });
    apps.push(stepped.app);
    await stepped.step(3_000, 100);
    expect(stepped.app.kernel.surface!.snapshot('BTC')).toBeNull();
    expect(stepped.app.kernel.surface!.snapshot('ETH')).toBeNull();
  }, 60_000);
});

function interpolate(xs: readonly number[], ys: readonly (number | null)[], x: number): number {
  let i = 1;
  while (i < xs.length - 1 && xs[i]! < x) i++;
  const t = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
  return (1 - t) * ys[i - 1]! + t * ys[i]!;
}
