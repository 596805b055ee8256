import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BookSnapshot, ExposureSnapshot } from '../../src-main/api/dto';
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
    // Perpetuals and futures count USD notional in whole contracts (10 USD for BTC).
    await expect(client.call('positions.set', { positions: [{ instrument: 'BTC-PERPETUAL', amount: 15 }] })).rejects.toThrow(/15 USD of BTC-PERPETUAL is not a whole number of Deribit's 10 USD contracts/);
    await expect(client.call('positions.set', { positions: [{ instrument: 'BTC-PERPETUAL', amount: 10, priceCurrency: 'BTC' }] })).rejects.toThrow(/BTC-PERPETUAL is priced in USD, not BTC/);
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

  it('imports a positions CSV (bad rows named by line, the rest kept) and marks futures and options to market', async () => {
    const dbPath = path.join(temp.dir, 'book.db');
    const stepped = startSteppedApp({ dbPath, publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    const market = app.engine.market;
    const book = await stepped.until(() => market.currencies.get('BTC')?.sortedExpiries()[2]);
    const perp = await stepped.until(() => market.currencies.get('BTC')?.perpetual);
    const put = book.options.find((o) => o.def.optionType === 'put' && o.ticker)!;
    const csv = [
      'instrument,quantity,average_price,price_currency',
      `${put.def.name},-3,0.02,BTC`,
      'BTC-PERPETUAL,20000,90000,USD',
      'BTC-PERPETUAL,10,90000,USD',
      `${put.def.name.replace('BTC-', 'ETH-')},1,0.01,ETH`,
      'BTC_USDC-PERPETUAL,1,1,USD',
      `${put.def.name.replace('-P', '-C')},oops,,`,
    ].join('\n');
    const result = await client.call('positions.import', { csv, mode: 'replace' });
    expect(result.rows).toBe(6);
    expect(result.positions.map((p) => [p.instrument, p.amount, p.averagePrice, p.priceCurrency])).toEqual(
      ([['BTC-PERPETUAL', 20000, 90000, 'USD'], [put.def.name, -3, 0.02, 'BTC']] as [string, number, number, string][]).sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    expect(result.errors.map((e) => e.line)).toEqual([4, 5, 6, 7]);
    expect(result.errors[0]!.reason).toBe('BTC-PERPETUAL is already on line 3');
    expect(result.errors[1]!.reason).toMatch(/not a listed Deribit instrument/);
    expect(result.errors[2]!.reason).toMatch(/linear \(USDC\) instruments are not supported/);
    expect(result.errors[3]!.reason).toMatch(/quantity "oops" is not a number/);
    await expect(client.call('positions.import', { csv: 'name,size\nBTC-PERPETUAL,10', mode: 'merge' })).rejects.toThrow(/lacks the column "instrument"/);

    let latest: BookSnapshot | null = null;
    const unsubscribe = client.subscribe('book', {}, (m) => (latest = m.data));
    const snapshot = await stepped.until(() => {
      const s = latest as BookSnapshot | null;
      return s && s.positions.every((p) => p.greeks !== null) ? s : null;
    });
    unsubscribe();
    const perpValue = snapshot.positions.find((p) => p.instrument === 'BTC-PERPETUAL')!;
    const mark = perpValue.markPrice!;
    // Inverse perpetual: coin P&L = Q (1/avg − 1/mark), coin delta Q / mark.
    expect(perpValue.pnlCoin).toBeCloseTo(20000 * (1 / 90000 - 1 / mark), 12);
    expect(perpValue.greeks!.deltaCoin).toBeCloseTo(20000 / mark, 12);
    expect(mark).toBeGreaterThan(0);
    expect(perp.markUsd).toBeGreaterThan(0);
    const putValue = snapshot.positions.find((p) => p.instrument === put.def.name)!;
    // Short puts: positive N(d1) delta, negative gamma and vega.
    expect(putValue.greeks!.delta).toBeGreaterThan(0);
    expect(putValue.greeks!.gammaUsdPer1Pct).toBeLessThan(0);
    expect(putValue.greeks!.vegaUsd).toBeLessThan(0);
    expect(putValue.pnlCoin).toBeCloseTo(-3 * (putValue.markPrice! - 0.02), 12);
    const btc = snapshot.byCurrency.BTC!;
    expect(btc.positions).toBe(2);
    expect(btc.deltaCoin).toBeCloseTo(perpValue.greeks!.deltaCoin + putValue.greeks!.deltaCoin, 9);
    expect(btc.pnlCoin).toBeCloseTo(perpValue.pnlCoin! + putValue.pnlCoin!, 12);
    expect(snapshot.byExpiry.map((e) => e.expiryLabel)).toEqual([book.label, 'PERPETUAL']);
    expect(snapshot.stale).toBe(false);
    // Only the options reach the exposure overlay.
    expect([...app.book.optionAmounts()]).toEqual([[put.def.name, -3]]);
  }, 60_000);
});
