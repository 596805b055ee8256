import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ExposureSnapshot } from '../../src-main/api/dto';
import type { GammaDeskApp } from '../../src-main/app/app';
import { formatExpiryCode } from '../../src-main/core/market/expiryCode';
import { MS_PER_DAY } from '../../src-main/core/units';
import { makeTempDir } from '../helpers/tmp';
import { startSteppedApp } from '../helpers/steppedApp';

// The trader's own book: positions entered through the API are stored, validated, and overlaid on the exposure
// stream with their own GEX (a long call is long gamma: positive GEX).
const temp = makeTempDir('gammadesk-positions-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

describe('positions and the own-book exposure overlay', () => {
  it('stores the book, refuses bad instruments, and shows its gamma next to the dealers', async () => {
    const dbPath = path.join(temp.dir, 'positions.db');
    const stepped = startSteppedApp({ dbPath, publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    // A BTC expiry and strike that exist in the demo market.
    const chain = await stepped.until(() => app!.engine.market.currencies.get('BTC')?.sortedExpiries()[3]);
    const call = chain.options.find((o) => o.def.optionType === 'call' && o.ticker && Math.abs(o.def.strikeUsd / o.ticker.underlyingPriceUsd - 1) < 0.05)!;
    // An option the demo does not list, whatever today's date: a week after its last BTC expiry. (A fixed name
    // such as BTC-1JAN30-100000-C is listed by a demo started on 2029-12-31.)
    const lastExpiryMs = app.engine.market.currencies.get('BTC')!.sortedExpiries().at(-1)!.expiryMs;
    const unlisted = `BTC-${formatExpiryCode(lastExpiryMs + 7 * MS_PER_DAY)}-100000-C`;
    expect(app.engine.market.option(unlisted)).toBeUndefined();
    await expect(client.call('positions.set', { positions: [{ instrument: 'BTC-1JAN20-1-X', amount: 1 }] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.call('positions.set', { positions: [{ instrument: 'BTC-PERPETUAL', amount: 1 }] })).rejects.toThrow(/not an option/);
    // Lines are checked against the listed instruments and their lots, all at once, and nothing is saved.
    const strikeBetween = `BTC-${chain.label}-${call.def.strikeUsd + 1}-C`;
    await expect(
      client.call('positions.set', { positions: [{ instrument: call.def.name, amount: 0.05 }, { instrument: unlisted, amount: 1 }, { instrument: strikeBetween, amount: 2 }, { instrument: call.def.name.replace('-C', '-P'), amount: 0.25 }] }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: `the book was not saved: 0.05 contracts of ${call.def.name} is below Deribit's minimum of 0.1; ${unlisted} is not a listed instrument (no such expiry or strike); ${strikeBetween} is not a listed instrument (no such expiry or strike); 0.25 contracts of ${call.def.name.replace('-C', '-P')} is not a whole number of Deribit's 0.1-contract lots`,
    });
    expect(await client.call('positions.list', {})).toEqual([]);
    // An option a feed listed before but the current market does not quote is accepted, and shown as not quoted.
    app.instrumentRepository.upsertMany([{ ...call.def, name: unlisted as typeof call.def.name, expiryMs: (lastExpiryMs + 7 * MS_PER_DAY) as typeof call.def.expiryMs, strikeUsd: 100_000 as typeof call.def.strikeUsd }], 'deribit', 0);
    const rows = await client.call('positions.set', { positions: [{ instrument: call.def.name, amount: 25 }, { instrument: unlisted, amount: -3 }] });
    // Listed by instrument name (byte order, as SQLite sorts): which comes first depends on the demo's dates.
    const byName = ([a]: [string, number], [b]: [string, number]) => (a < b ? -1 : a > b ? 1 : 0);
    expect(rows.map((r) => [r.instrument, r.amount])).toEqual(
      ([[unlisted, -3], [call.def.name, 25]] as [string, number][]).sort(byName),
    );
    let latest: ExposureSnapshot | null = null;
    const unsubscribe = client.subscribe('exposure', { currency: 'BTC', convention: 'naive' }, (m) => (latest = m.data));
    const snapshot = await stepped.until(() => (latest as ExposureSnapshot | null)?.ownBook ?? null);
    unsubscribe();
    // Long 25 near-the-money calls: long gamma, positive delta; the unknown far expiry is listed as not quoted.
    expect(snapshot.positions).toBe(2);
    expect(snapshot.unquoted).toEqual([unlisted]);
    expect(snapshot.gexUsdPer1Pct).toBeGreaterThan(0);
    expect(snapshot.deltaCoin).toBeGreaterThan(0);
    expect(snapshot.deltaCoin).toBeLessThan(25);
    // The coin-P&L delta of inverse options is the delta minus the premium in coin: smaller for a long call.
    const premiumCoin = 25 * call.ticker!.markCoin;
    expect(snapshot.coinDeltaCoin).toBeLessThan(snapshot.deltaCoin);
    expect(snapshot.deltaCoin - snapshot.coinDeltaCoin).toBeCloseTo(premiumCoin, 1);
    expect(snapshot.byStrike.map((r) => r.strikeUsd)).toEqual([call.def.strikeUsd]);
    // GEX of 25 BTC of this call: 25 × gamma × F² × 0.01 (the greeks the engine computed for it; the engine
    // computes an expiry's greeks while its chain is watched, so watch it).
    const unwatch = client.subscribe('chain', { currency: 'BTC', expiry: chain.label }, () => {});
    const gamma = (await stepped.until(() => call.greeks)).gamma;
    unwatch();
    const forward = call.ticker!.underlyingPriceUsd;
    expect(snapshot.gexUsdPer1Pct / (25 * gamma * forward * forward * 0.01)).toBeCloseTo(1, 1);
    // Persisted: a new app on the same database has the book.
    await app.stop();
    app = startSteppedApp({ dbPath }).app;
    expect((await app.hub.client().call('positions.list', {})).length).toBe(2);
  }, 60_000);
});
