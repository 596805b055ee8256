/**
 * Replica vs Deribit, live (app/pmeComparison.ts) through the real private client against the mock Deribit
 * server, whose exchange answers the books of Deribit's two published pme/simulate responses
 * (../shared/reference/deribit_margin_cases.json) with those responses. Wall time is a stepped number (no sleeps):
 * the comparison of a reference book is zero, Deribit's model_params become the replica's, requests are
 * rate-limited per currency, results turn stale, a refused book shows Deribit's error, and without a key there is
 * no request and the reason says why. The risk service carries the comparison in its snapshot.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import type { RiskSnapshot } from '../../src-main/api/dto';
import { PME_COMPARE_DEFAULTS, PmeComparisons, pmeUnavailableReason, secondsSetting } from '../../src-main/app/pmeComparison';
import type { Currency } from '../../src-main/core/market/events';
import type { RiskPosition } from '../../src-main/core/risk/riskPosition';
import type { PmeReferenceCase } from '../mock-deribit/pmeReference';
import { usePmeMock } from '../helpers/pmeMock';
import { enterShortCallBook } from '../helpers/shortCallBook';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const mock = usePmeMock();
const { cases } = mock;

function bookOf(c: PmeReferenceCase): RiskPosition[] {
  const marks = c.result['ticker'] as Record<string, { mark_price: number }>;
  return Object.entries(c.positions).map(([instrument, sizeCoin]) => {
    const expiry = c.expiries[instrument];
    return { instrument, currency: c.currency, kind: expiry ? 'future' : 'perpetual', sizeCoin, expiryMs: expiry ? Date.parse(expiry) : null, strike: NaN, isCall: false, forwardUsd: marks[instrument]!.mark_price, vol: 0 };
  });
}
const indexOf = (c: PmeReferenceCase): number => (c.result['index_price'] as Record<string, number>)[`${c.currency.toLowerCase()}_usd`]!;

function harness(unavailable: () => string | null = () => null): { pme: PmeComparisons; clock: { now: number }; requests: Currency[] } {
  const clock = { now: 1_000_000 };
  const requests: Currency[] = [];
  const pme = new PmeComparisons({
    unavailable,
    simulate: (currency, positions) => {
      requests.push(currency);
      return mock.client.pmeSimulate(currency, positions);
    },
    nowMs: () => clock.now,
    intervalMs: () => 10_000,
    staleAfterMs: () => 60_000,
  });
  return { pme, clock, requests };
}

describe('live comparison with pme/simulate', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s: zero differences, Deribit\'s model_params become the replica\'s', async (_, c) => {
    const { pme } = harness();
    expect(pme.paramsFor(c.currency).source.kind).toBe('table');
    pme.maybeRequest(c.currency, bookOf(c), indexOf(c), c.atMs, 42, 7);
    expect(pme.view(c.currency).reason).toBe("waiting for Deribit's pme/simulate");
    await pme.settled();
    const { comparison, reason } = pme.view(c.currency);
    expect(reason).toBeNull();
    expect(comparison!.stale).toBe(false);
    expect(comparison!.paramsSource).toBe('deribit');
    expect({ seq: comparison!.marketSeq, version: comparison!.bookVersion, positions: comparison!.positions }).toEqual({ seq: 42, version: 7, positions: Object.keys(c.positions).length });
    const cmp = comparison!.comparison!;
    for (const d of [...cmp.standard, ...cmp.extended]) expect(Math.abs(d.diff)).toBeLessThanOrEqual(1e-17 + 1e-15 * Math.abs(d.deribit));
    expect(cmp.margins.initialMargin.diff).toBe(0);
    expect(Math.abs(cmp.margins.maintenanceMargin.diff)).toBeLessThan(5e-13);
    const params = pme.paramsFor(c.currency);
    expect(params.source.kind).toBe('deribit');
    expect(params.params.priceRange).toBe(c.currency === 'BTC' ? 0.16 : 0.18);
  });

  it('asks at most once per interval per currency, and marks the result stale after a while', async () => {
    const { pme, clock, requests } = harness();
    const c = cases[1]!;
    pme.maybeRequest('ETH', bookOf(c), indexOf(c), c.atMs, 1, 1);
    pme.maybeRequest('ETH', bookOf(c), indexOf(c), c.atMs, 1, 1); // in flight: not asked again
    await pme.settled();
    clock.now += 9_999;
    pme.maybeRequest('ETH', bookOf(c), indexOf(c), c.atMs, 2, 1); // within 10 s: not asked
    expect(requests).toEqual(['ETH']);
    const fresh = pme.stateKey('ETH');
    clock.now += 1;
    pme.maybeRequest('ETH', bookOf(c), indexOf(c), c.atMs, 3, 1);
    expect(requests).toEqual(['ETH', 'ETH']);
    await pme.settled();
    const asOf = pme.view('ETH').comparison!.asOfMs;
    expect(asOf).toBe(clock.now);
    clock.now = asOf + 60_000;
    expect(pme.view('ETH').comparison!.stale).toBe(false);
    clock.now = asOf + 60_001;
    const stale = pme.view('ETH').comparison!;
    expect(stale.stale).toBe(true);
    expect(stale.ageMs).toBe(60_001);
    expect(pme.stateKey('ETH')).not.toBe(fresh);
  });

  it('reads the interval and staleness settings in seconds, refusing values that would mean "every round"', () => {
    expect(secondsSetting(30, PME_COMPARE_DEFAULTS.intervalMs)).toBe(30_000);
    for (const bad of [0, 0.5, -5, Number.NaN, '30', null, undefined]) expect(secondsSetting(bad, PME_COMPARE_DEFAULTS.intervalMs)).toBe(10_000);
    expect(secondsSetting(null, PME_COMPARE_DEFAULTS.staleAfterMs)).toBe(60_000);
  });

  it('a book Deribit (here: the mock) refuses shows the error and keeps the last comparison', async () => {
    const { pme, clock } = harness();
    const c = cases[0]!;
    pme.maybeRequest('BTC', bookOf(c), indexOf(c), c.atMs, 1, 1);
    await pme.settled();
    clock.now += 10_000;
    const other = bookOf(c).map((p) => ({ ...p, sizeCoin: p.sizeCoin * 2 }));
    pme.maybeRequest('BTC', other, indexOf(c), c.atMs, 2, 2);
    await pme.settled();
    const view = pme.view('BTC');
    expect(view.reason).toMatch(/^Deribit's pme\/simulate failed: .*error -32602 Invalid params \(mock exchange: no recorded pme\/simulate result for this BTC book/);
    expect(view.comparison!.bookVersion).toBe(1);
  });

  it('without a key: no request, and the reason', async () => {
    const why = pmeUnavailableReason({ source: { kind: 'deribit', network: 'testnet' }, venue: 'deribit', network: 'testnet', credentials: { configured: false, source: 'environment', problem: null } });
    expect(why).toBe("no Deribit API key (environment): no comparison with Deribit's pme/simulate");
    const { pme, requests } = harness(() => why);
    const c = cases[0]!;
    pme.maybeRequest('BTC', bookOf(c), indexOf(c), c.atMs, 1, 1);
    await pme.settled();
    expect(requests).toEqual([]);
    expect(pme.view('BTC')).toEqual({ comparison: null, reason: why });
    expect(pme.paramsFor('BTC').source.kind).toBe('table');
    expect(pmeUnavailableReason({ source: { kind: 'deribit', network: 'testnet' }, venue: 'paper', network: 'testnet', credentials: { configured: true, source: 'environment', problem: null } })).toMatch(/venue is paper/);
    expect(pmeUnavailableReason({ source: { kind: 'demo' }, venue: 'deribit', network: 'testnet', credentials: { configured: true, source: 'environment', problem: null } })).toMatch(/the demo market, not Deribit's live market/);
    expect(pmeUnavailableReason({ source: { kind: 'deribit', network: 'mainnet' }, venue: 'deribit', network: 'testnet', credentials: { configured: true, source: 'safeStorage', problem: null } })).toBe('the market is Deribit mainnet but the key is for testnet: no comparison');
    expect(pmeUnavailableReason({ source: { kind: 'deribit', network: 'testnet' }, venue: 'deribit', network: 'testnet', credentials: { configured: true, source: 'safeStorage', problem: null } })).toBeNull();
  });

  it('the app\'s risk snapshot (demo market, on the pool) says why there is no comparison and which parameters it used', async () => {
    const temp = makeTempDir('gammadesk-pme-app-');
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'pme.db'), publishIntervalMs: 50 });
    try {
      await enterShortCallBook(stepped);
      const snapshots: RiskSnapshot[] = [];
      stepped.app.hub.client().subscribe('risk', { currency: 'BTC' }, (m) => snapshots.push(m.data));
      const s = await stepped.until(() => snapshots.findLast((x) => x.margin !== null));
      expect(s.pmComparison).toBeNull();
      expect(s.pmComparisonReason).toBe("the market source is the demo market, not Deribit's live market: no comparison with Deribit's pme/simulate");
      expect(s.pmParamsSource).toMatchObject({ kind: 'table', asOfMs: null });
      expect(s.computeMs).toBeGreaterThan(0);
    } finally {
      await stepped.app.stop();
      temp.remove();
    }
  });
});
