import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HedgeSnapshot } from '../../src-main/api/dto';
import type { GammaDeskApp } from '../../src-main/app/app';
import { makeTempDir } from '../helpers/tmp';
import { startSteppedApp } from '../helpers/steppedApp';

// The hedge advisor live: settings through the API, proposals from the kernel's schedule on the stepped clock,
// the selection policy solved by HiGHS on the worker pool.
const temp = makeTempDir('gammadesk-hedge-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

const settings = {
  currency: 'BTC' as const,
  enabled: true,
  delta: { target: 0, tolerance: 0.2, unit: 'coin' as const },
  gamma: 'none' as const,
  vega: 'none' as const,
  policy: 'threshold' as const,
  hedgeRatio: 1,
  riskAversion: 1e-4,
  maxBookShare: 0.5,
  proposalTtlMs: 60_000,
};

describe('hedge advisor', () => {
  it('proposes a perpetual hedge for a short-call book, then a multi-instrument one that brings gamma into band', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'hedge.db'), publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    const market = app.engine.market;
    const expiry = await stepped.until(() => market.currencies.get('BTC')?.sortedExpiries()[3]);
    await stepped.until(() => market.currencies.get('BTC')?.perpetual);
    const call = expiry.options.find((o) => o.def.optionType === 'call' && o.ticker && o.def.strikeUsd > o.ticker.underlyingPriceUsd)!;
    await client.call('positions.set', { positions: [{ instrument: call.def.name, amount: -20, averagePrice: 0.02 }] });
    // Off by default: no proposal, and the snapshot says why.
    expect((await client.call('hedge.settings.get', { currency: 'BTC' })).enabled).toBe(false);
    await expect(client.call('hedge.settings.set', { ...settings, delta: { ...settings.delta, tolerance: 0 } })).rejects.toThrow(/delta band needs a tolerance above 0/);
    await client.call('hedge.settings.set', settings);
    let latest: HedgeSnapshot | null = null;
    const unsubscribe = client.subscribe('hedge', { currency: 'BTC' }, (m) => (latest = m.data));
    const threshold = await stepped.until(() => {
      const s = latest as HedgeSnapshot | null;
      return s?.proposal && s.policy === 'threshold' ? s : null;
    });
    const p = threshold.proposal!;
    // Short calls: negative delta, so the hedge buys the perpetual back to within the band.
    expect(p.before.deltaCoin).toBeLessThan(-0.2);
    expect(p.status).toBe('trade');
    expect(p.legs.map((l) => [l.instrument, l.side])).toEqual([['BTC-PERPETUAL', 'buy']]);
    expect(Math.abs(p.after.deltaCoin)).toBeLessThanOrEqual(0.2);
    expect(threshold.inputsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(threshold.marketSeq).toBeGreaterThan(0);
    expect(p.rationale.join('\n')).toMatch(/risk removed/);

    // Gamma too: only options can change it; the selection policy solves for it on the pool.
    const gammaBefore = p.before.gammaUsdPer1Pct;
    expect(gammaBefore).toBeLessThan(0);
    await client.call('hedge.settings.set', { ...settings, policy: 'select', gamma: { target: 0, tolerance: Math.abs(gammaBefore) * 0.5 } });
    const selected = await stepped.until(() => {
      const s = latest as HedgeSnapshot | null;
      return s?.proposal && s.policy === 'select' ? s : null;
    });
    unsubscribe();
    const q = selected.proposal!;
    expect(['trade', 'cannot']).toContain(q.status);
    if (q.status === 'trade') {
      expect(q.bands.every((b) => b.inBandAfter)).toBe(true);
      expect(q.legs.some((l) => /-[CP]$/.test(l.instrument))).toBe(true);
    } else expect(q.reason).toBeTruthy();
    expect(q.rationale.join('\n')).toMatch(/least-cost selection over \d+ instruments/);
  }, 120_000);
});
