import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RecommendationDto } from '../../src-main/api/dto';
import type { GammaDeskApp } from '../../src-main/app/app';
import { EncryptedFileSecretStore, EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET, fileBlob } from '../../src-main/app/secrets';
import { aesCipher } from '../helpers/aesCipher';
import { recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

// The desk's venue chosen in the app: paper by default, Deribit testnet with a key (the mock exchange), mainnet only
// with the explicit confirmation; an approved hedge goes to the venue chosen, and nothing of the key reaches the API.
const temp = makeTempDir('gammadesk-venue-');
const CLIENT_ID = 'desk-client-4Kf9';
const SECRET = 'desk-secret-never-shown-1a2b3c';
let app: GammaDeskApp | null = null;
let server: MockDeribitServer | null = null;
afterEach(async () => {
  await app?.stop();
  await server?.close();
  app = null;
  server = null;
});

describe('execution venue', () => {
  it('paper by default; Deribit testnet with a key; mainnet refused without the confirmation; an approval goes to the chosen venue', async () => {
    server = await MockDeribitServer.start({
      scenario: [],
      instruments: recordedInstruments(),
      books: recordedBooks(),
      account: { clientId: CLIENT_ID, clientSecret: SECRET, summaries: {}, positions: [] },
    });
    const stepped = startSteppedApp({
      dbPath: path.join(temp.dir, 'venue.db'),
      publishIntervalMs: 50,
      deribitUrl: server.url,
      secrets: new EnvSecretStore({ [ENV_CLIENT_ID]: CLIENT_ID, [ENV_CLIENT_SECRET]: SECRET }),
    });
    app = stepped.app;
    const client = app.hub.client();
    const initial = await client.call('execution.status', {});
    expect(initial).toMatchObject({ venue: 'paper', active: 'paper', problem: null, credentials: { configured: true, source: 'environment' } });
    expect(JSON.stringify(initial)).not.toContain(SECRET);
    await expect(client.call('execution.set', { venue: 'deribit', network: 'mainnet', mainnetConfirmed: false })).rejects.toThrow(/mainnet execution trades real money and needs an explicit confirmation/);
    expect((await client.call('execution.status', {})).venue).toBe('paper');
    const testnet = await client.call('execution.set', { venue: 'deribit', network: 'testnet', mainnetConfirmed: false });
    expect(testnet).toMatchObject({ venue: 'deribit', network: 'testnet', active: 'deribit-testnet', problem: null });

    // A short-call book, the threshold advisor, and an approval: the order reaches the (mock) exchange.
    const market = app.engine.market;
    const expiry = await stepped.until(() => market.currencies.get('BTC')?.sortedExpiries()[3]);
    await stepped.until(() => market.currencies.get('BTC')?.perpetual);
    const call = expiry.options.find((o) => o.def.optionType === 'call' && o.ticker && o.def.strikeUsd > o.ticker.underlyingPriceUsd)!;
    await client.call('positions.set', { positions: [{ instrument: call.def.name, amount: -2 }] });
    let recs: RecommendationDto[] = [];
    const unsubscribe = client.subscribe('recommendations', {}, (m) => (recs = m.data));
    await client.call('hedge.settings.set', {
      currency: 'BTC', enabled: true, delta: { target: 0, tolerance: 0.2, unit: 'coin' }, gamma: 'none', vega: 'none',
      policy: 'threshold', hedgeRatio: 1, riskAversion: 1e-4, maxBookShare: 0.5, proposalTtlMs: 60_000,
    });
    const proposed = await stepped.until(() => recs.find((r) => r.state === 'proposed'));
    await client.call('recommendations.approve', { id: proposed.id, amounts: [10] });
    // The venue talks to a real socket: each step also lets the event loop take the exchange's replies (a turn, not
    // a sleep), which the stepped clock alone would never do.
    const sentOf = (): RecommendationDto | undefined => recs.find((r) => r.id === proposed.id && r.orders.length > 0 && r.orders[0]!.status !== 'sending');
    for (let turn = 0; turn < 2000 && !sentOf(); turn++) {
      await stepped.step(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const sent = sentOf()!;
    expect(sent).toBeDefined();
    unsubscribe();
    expect(sent.orders[0]!.label).toBe(`${proposed.id}:0`);
    // The mock exchange has the order under the recommendation's label.
    expect(server.exchange!.ordersWithLabel(`${proposed.id}:0`)).toHaveLength(1);
    const audit = await client.call('audit.list', { limit: 100, filter: 'execution.venue' });
    expect(audit.map((r) => r.subject)).toEqual(['deribit-testnet']);
    expect(JSON.stringify(audit)).not.toContain(SECRET);
  }, 120_000);
});

describe('Deribit account into the book', () => {
  it('loads positions (each row checked against the instrument list) with equity, IM and MM per currency', async () => {
    server = await MockDeribitServer.start({
      scenario: [],
      instruments: recordedInstruments(),
      books: recordedBooks(),
      account: {
        clientId: CLIENT_ID,
        clientSecret: SECRET,
        summaries: {
          // Made-up account figures in Deribit's field names.
          BTC: { currency: 'BTC', equity: 2.5123, balance: 2.5, margin_balance: 2.5101, initial_margin: 0.3121, maintenance_margin: 0.2345, available_funds: 2.198, delta_total: 0.4321, margin_model: 'segregated_sm', session_upl: 0.0123, total_pl: 0.0456 },
          ETH: { currency: 'ETH', equity: 10, balance: 10, margin_balance: 10, initial_margin: 0, maintenance_margin: 0, available_funds: 10, delta_total: 0, session_upl: 0, total_pl: 0 },
        },
        positions: [
          { instrument_name: 'BTC-5JUN20-9250-C', kind: 'option', direction: 'sell', size: -3, average_price: 0.041, average_price_usd: 393.6, mark_price: 0.0405, index_price: 9600.8, floating_profit_loss: 0.0015, realized_profit_loss: 0, total_profit_loss: 0.0015, initial_margin: 0.3, maintenance_margin: 0.225, delta: -1.62, gamma: -0.00045, vega: -22.1, theta: 41.7, settlement_price: 0.04 },
          { instrument_name: 'BTC-PERPETUAL', kind: 'future', direction: 'buy', size: 5000, size_currency: 0.5208, average_price: 9580, mark_price: 9601, index_price: 9600.8, floating_profit_loss: 0.0011, realized_profit_loss: -0.0002, total_profit_loss: 0.0009, initial_margin: 0.0121, maintenance_margin: 0.0095, delta: 0.5208 },
        ],
      },
    });
    const stepped = startSteppedApp({
      dbPath: path.join(temp.dir, 'account.db'),
      deribitUrl: server.url,
      secrets: new EnvSecretStore({ [ENV_CLIENT_ID]: CLIENT_ID, [ENV_CLIENT_SECRET]: SECRET }),
    });
    app = stepped.app;
    await stepped.until(() => app!.engine.market.currencies.get('BTC')?.perpetual);
    const result = await app.hub.client().call('positions.loadDeribit', { network: 'testnet' });
    expect(result.accounts.find((a) => a.currency === 'BTC')).toEqual({ currency: 'BTC', equity: 2.5123, initialMargin: 0.3121, maintenanceMargin: 0.2345, marginModel: 'segregated_sm' });
    expect(result.positions.map((p) => [p.instrument, p.amount, p.averagePrice, p.priceCurrency])).toEqual([['BTC-PERPETUAL', 5000, 9580, 'USD']]);
    // The 2020 option is not listed by this (demo) market: named, not kept.
    expect(result.errors.map((e) => e.reason)).toEqual([expect.stringMatching(/BTC-5JUN20-9250-C .*not a listed Deribit instrument|BTC-5JUN20-9250-C has expired/)]);
    const noKey = startSteppedApp({ dbPath: path.join(temp.dir, 'nokey.db'), deribitUrl: server.url, secrets: new EnvSecretStore({}) }).app;
    try {
      await expect(noKey.hub.client().call('positions.loadDeribit', { network: 'testnet' })).rejects.toThrow(/no Deribit API key \(environment\)/);
    } finally {
      await noKey.stop();
    }
  }, 60_000);
});

describe('Deribit key entered in the desktop app', () => {
  it('is saved encrypted (safeStorage stand-in), never returned or stored in SQLite; headless it is refused', async () => {
    const keyFile = path.join(temp.dir, 'deribit-key.bin');
    const dbPath = path.join(temp.dir, 'key.db');
    const stepped = startSteppedApp({ dbPath, secrets: new EncryptedFileSecretStore(aesCipher(), fileBlob(keyFile)) });
    app = stepped.app;
    const client = app.hub.client();
    expect((await client.call('execution.status', {})).credentials).toMatchObject({ configured: false, source: 'safeStorage' });
    const status = await client.call('execution.saveKey', { clientId: CLIENT_ID, clientSecret: SECRET });
    expect(status.credentials).toMatchObject({ configured: true, source: 'safeStorage' });
    expect(JSON.stringify(status)).not.toContain(SECRET);
    expect(readFileSync(keyFile).includes(Buffer.from(SECRET))).toBe(false);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    await app.stop();
    app = null;
    for (const file of [dbPath, `${dbPath}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(SECRET))).toBe(false);
    const headless = startSteppedApp({ dbPath: path.join(temp.dir, 'headless.db'), secrets: new EnvSecretStore({}) });
    app = headless.app;
    await expect(app.hub.client().call('execution.saveKey', { clientId: CLIENT_ID, clientSecret: SECRET })).rejects.toThrow(/keys come from the environment here/);
  }, 60_000);
});
