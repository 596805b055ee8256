/**
 * GammaDeskApp end to end, in process: real SQLite file, real worker threads (tsx), the demo market,
 * subscriptions through the hub's typed client.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StreamMessage } from '../../src-main/api/contract';
import type { ChainSnapshot, ExpiryListSnapshot, HeaderSnapshot } from '../../src-main/api/dto';
import { ApiException } from '../../src-main/api/errors';
import type { GammaDeskApp } from '../../src-main/app/app';
import { formatExpiryCode } from '../../src-main/core/market/expiryCode';
import { MS_PER_DAY } from '../../src-main/core/units';
import { openDatabase } from '../../src-main/store/database';
import { makeTempDir } from '../helpers/tmp';
import { startSteppedApp, type SteppedApp } from '../helpers/steppedApp';

/**
 * Subscribes and steps market time until a message passes the test (checked on every message, including the
 * current one); then unsubscribes.
 */
async function waitFor<T>(
  subscribe: (listener: (m: StreamMessage<T>) => void) => () => void,
  test: (m: StreamMessage<T>) => boolean,
): Promise<StreamMessage<T>> {
  let found: StreamMessage<T> | null = null;
  const unsubscribe = subscribe((m) => {
    if (!found && test(m)) found = m;
  });
  try {
    return await stepped.until(() => found);
  } finally {
    unsubscribe();
  }
}

let tmp: { dir: string; remove: () => void };
let app: GammaDeskApp;
let stepped: SteppedApp;
let dbPath: string;
const errors: unknown[][] = [];

beforeAll(() => {
  tmp = makeTempDir();
  dbPath = path.join(tmp.dir, 'app.db');
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
  stepped = startSteppedApp({ dbPath, publishIntervalMs: 50, demoSeed: 7 });
  app = stepped.app;
});

afterAll(async () => {
  await app?.stop();
  vi.restoreAllMocks();
  tmp?.remove();
});

describe('GammaDeskApp with the demo market', () => {
  it('answers app.info and feed.status', async () => {
    const client = app.hub.client();
    const info = await client.call('app.info', {});
    expect(info).toMatchObject({ name: 'GammaDesk', mode: 'in-process', dbPath, source: 'demo', currencies: ['BTC', 'ETH'] });
    expect(info.eventsApplied).toBeGreaterThan(1000); // the demo snapshot arrives at start
    const status = await client.call('feed.status', {});
    expect(status).toMatchObject({ source: 'demo', label: 'Demo market (seed 7)', state: 'live', rejectedEvents: 0 });
  });

  it('streams the header, the expiry list and a chain whose greeks arrive and keep updating', async () => {
    const client = app.hub.client();

    const header = await waitFor<HeaderSnapshot>(
      (l) => client.subscribe('header', {}, l),
      (m) => m.data.currencies.every((c) => c.indexUsd !== null && c.frontForwardUsd !== null),
    );
    expect(header.data.currencies.map((c) => c.currency)).toEqual(['BTC', 'ETH']);
    const btcHeader = header.data.currencies[0]!;
    expect(btcHeader.indexUsd).toBeGreaterThan(0);
    expect(btcHeader.perpetualUsd).toBeGreaterThan(0);
    expect(header.data.seq).toBeGreaterThan(0);

    const expiries = await waitFor<ExpiryListSnapshot>(
      (l) => client.subscribe('expiries', { currency: 'BTC' }, l),
      (m) => m.data.expiries.length > 0,
    );
    const list = expiries.data.expiries;
    expect(list.length).toBeGreaterThanOrEqual(9);
    expect(list.length).toBeLessThanOrEqual(11);
    const times = list.map((e) => e.expiryMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const e of list) {
      expect(e.label).toMatch(/^[0-9]{1,2}[A-Z]{3}[0-9]{2}$/);
      expect(new Date(e.expiryMs).getUTCHours()).toBe(8);
      expect(e.strikes).toBeGreaterThan(3);
      expect(e.forwardUsd).toBeGreaterThan(0);
    }

    // A monthly-ish expiry a few weeks out: plenty of strikes on both sides.
    const target = list[Math.min(4, list.length - 1)]!;
    const chainMessages: StreamMessage<ChainSnapshot>[] = [];
    const unsubscribeChain = client.subscribe('chain', { currency: 'BTC', expiry: target.label }, (m) => chainMessages.push(m));
    expect(chainMessages).toHaveLength(1); // the current snapshot arrives synchronously

    const withGreeks = await waitFor<ChainSnapshot>(
      (l) => client.subscribe('chain', { currency: 'BTC', expiry: target.label }, l),
      (m) => m.data.greeksSeq > 0 && m.data.rows.some((r) => r.call?.delta !== null),
    );
    const chain = withGreeks.data;
    expect(chain.expiryLabel).toBe(target.label);
    expect(chain.forwardUsd).toBeGreaterThan(0);
    expect(chain.greeksSeq).toBeLessThanOrEqual(chain.quotesSeq);
    const strikes = chain.rows.map((r) => r.strikeUsd);
    expect(strikes).toEqual([...strikes].sort((a, b) => a - b));
    let calls = 0;
    let puts = 0;
    for (const row of chain.rows) {
      const callDelta = row.call?.delta ?? null;
      const putDelta = row.put?.delta ?? null;
      if (row.call && callDelta !== null) {
        calls++;
        expect(row.call.delta).toBeGreaterThan(0);
        expect(row.call.delta).toBeLessThan(1);
        expect(row.call.gamma).toBeGreaterThan(0);
        expect(row.call.vega).toBeGreaterThan(0);
        expect(row.call.theta).toBeLessThan(0);
        // Each row converts with its own ticker's forward, which moves a little between ticks.
        expect(row.call.markUsd! / (row.call.markCoin! * chain.forwardUsd!)).toBeCloseTo(1, 2);
        expect(row.call.iv).toBeGreaterThan(0.05);
        expect(row.call.iv).toBeLessThan(3);
      }
      if (putDelta !== null) {
        puts++;
        expect(putDelta).toBeGreaterThan(-1);
        expect(putDelta).toBeLessThan(0);
      }
      // Same strike: call delta - put delta = 1 in Black-76 when both use the same forward and vol (the demo
      // quotes one smile vol per strike; the forwards of the two tickers differ only slightly).
      if (callDelta !== null && putDelta !== null) expect(callDelta - putDelta).toBeCloseTo(1, 2);
    }
    expect(calls).toBeGreaterThan(3);
    expect(puts).toBeGreaterThan(3);

    // It keeps updating: over about a second the chain stream publishes new versions with newer quotes.
    const countBefore = chainMessages.length;
    const lastBefore = chainMessages.at(-1)!;
    await stepped.step(1200);
    unsubscribeChain();
    const after = chainMessages.slice(countBefore);
    expect(after.length).toBeGreaterThan(0);
    const versions = chainMessages.map((m) => m.version);
    for (let i = 1; i < versions.length; i++) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
    expect(after.at(-1)!.data.quotesSeq).toBeGreaterThan(lastBefore.data.quotesSeq);
    expect(after.at(-1)!.data.greeksSeq).toBeGreaterThanOrEqual(lastBefore.data.greeksSeq);
  });

  it('a chain for an expiry that does not exist is NOT_FOUND', () => {
    // A week after the demo's last expiry: never listed, whatever today's date (a fixed code is listed on some day).
    const lastExpiryMs = app.engine.market.currencies.get('BTC')!.sortedExpiries().at(-1)!.expiryMs;
    const unlisted = formatExpiryCode(lastExpiryMs + 7 * MS_PER_DAY);
    try {
      app.hub.client().subscribe('chain', { currency: 'BTC', expiry: unlisted }, () => {});
      throw new Error('expected NOT_FOUND');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiException);
      expect((error as ApiException).code).toBe('NOT_FOUND');
    }
  });

  it('stores the instrument universe in SQLite', () => {
    const count = app.db.prepare("SELECT COUNT(*) FROM instruments WHERE source = 'demo'").pluck().get() as number;
    expect(count).toBeGreaterThan(1000);
  });

  it('uses the worker pool, not the main thread, for greeks', () => {
    expect(app.pool.tasksRun).toBeGreaterThan(0);
    expect(app.engine.eventsRejected).toBe(0);
  });

  it('stop() closes feed, pool and database cleanly, without errors, and is idempotent', async () => {
    const feedState = (): string => app.feed.state();
    await app.stop();
    expect(feedState()).toBe('stopped');
    expect(app.db.open).toBe(false);
    expect(app.pool.threads).toBe(0);
    await app.stop();
    // Nothing reported as an analytics error while running or stopping.
    expect(errors.map((args) => args.map(String).join(" "))).toEqual([]);
    // The database file is left consistent: it reopens at the latest schema with the instruments in it.
    const db = openDatabase(dbPath);
    try {
      expect((db.prepare('SELECT COUNT(*) FROM instruments').pluck().get() as number) > 1000).toBe(true);
    } finally {
      db.close();
    }
  });
});
