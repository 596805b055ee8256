import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExposureSnapshot } from '../../src-main/api/dto';
import { GammaDeskApp } from '../../src-main/app/app';
import { formatExpiryCode } from '../../src-main/core/market/expiryCode';
import { MS_PER_DAY } from '../../src-main/core/units';
import { makeTempDir } from '../helpers/tmp';
import { TSX_WORKER } from '../helpers/worker';

// The trader's own book: positions entered through the API are stored, validated, and overlaid on the exposure
// stream with their own GEX (a long call is long gamma: positive GEX).
const temp = makeTempDir('gammadesk-positions-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

async function waitFor<T>(read: () => T | null | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('positions and the own-book exposure overlay', () => {
  it('stores the book, refuses bad instruments, and shows its gamma next to the dealers', async () => {
    const dbPath = path.join(temp.dir, 'positions.db');
    app = GammaDeskApp.start({ dbPath, mode: 'in-process', worker: TSX_WORKER, publishIntervalMs: 50 });
    const client = app.hub.client();
    // A BTC expiry and strike that exist in the demo market.
    const chain = await waitFor(() => app!.engine.market.currencies.get('BTC')?.sortedExpiries()[3]);
    const call = chain.options.find((o) => o.def.optionType === 'call' && o.ticker && Math.abs(o.def.strikeUsd / o.ticker.underlyingPriceUsd - 1) < 0.05)!;
    // An option the demo does not list, whatever today's date: a week after its last BTC expiry. (A fixed name
    // such as BTC-1JAN30-100000-C is listed by a demo started on 2029-12-31.)
    const lastExpiryMs = app.engine.market.currencies.get('BTC')!.sortedExpiries().at(-1)!.expiryMs;
    const unlisted = `BTC-${formatExpiryCode(lastExpiryMs + 7 * MS_PER_DAY)}-100000-C`;
    expect(app.engine.market.option(unlisted)).toBeUndefined();
    await expect(client.call('positions.set', { positions: [{ instrument: 'BTC-1JAN20-1-X', amount: 1 }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.call('positions.set', { positions: [{ instrument: 'BTC-PERPETUAL', amount: 1 }] })).rejects.toThrow(/not an option/);
    const rows = await client.call('positions.set', { positions: [{ instrument: call.def.name, amount: 25 }, { instrument: unlisted, amount: -3 }] });
    // Listed by instrument name (byte order, as SQLite sorts): which comes first depends on the demo's dates.
    const byName = ([a]: [string, number], [b]: [string, number]) => (a < b ? -1 : a > b ? 1 : 0);
    expect(rows.map((r) => [r.instrument, r.amount])).toEqual(
      ([[unlisted, -3], [call.def.name, 25]] as [string, number][]).sort(byName),
    );
    let latest: ExposureSnapshot | null = null;
    const unsubscribe = client.subscribe('exposure', { currency: 'BTC', convention: 'naive' }, (m) => (latest = m.data));
    const snapshot = await waitFor(() => (latest as ExposureSnapshot | null)?.ownBook ?? null);
    unsubscribe();
    // Long 25 near-the-money calls: long gamma, positive delta; the unknown far expiry is listed as not quoted.
    expect(snapshot.positions).toBe(2);
    expect(snapshot.unquoted).toEqual([unlisted]);
    expect(snapshot.gexUsdPer1Pct).toBeGreaterThan(0);
    expect(snapshot.deltaCoin).toBeGreaterThan(0);
    expect(snapshot.deltaCoin).toBeLessThan(25);
    expect(snapshot.byStrike.map((r) => r.strikeUsd)).toEqual([call.def.strikeUsd]);
    // GEX of 25 BTC of this call: 25 × gamma × F² × 0.01 (the greeks the engine computed for it; the engine
    // computes an expiry's greeks while its chain is watched, so watch it).
    const unwatch = client.subscribe('chain', { currency: 'BTC', expiry: chain.label }, () => {});
    const gamma = (await waitFor(() => call.greeks)).gamma;
    unwatch();
    const forward = call.ticker!.underlyingPriceUsd;
    expect(snapshot.gexUsdPer1Pct / (25 * gamma * forward * forward * 0.01)).toBeCloseTo(1, 1);
    // Persisted: a new app on the same database has the book.
    await app.stop();
    app = GammaDeskApp.start({ dbPath, mode: 'in-process', worker: TSX_WORKER });
    expect((await app.hub.client().call('positions.list', {})).length).toBe(2);
  }, 60_000);
});
