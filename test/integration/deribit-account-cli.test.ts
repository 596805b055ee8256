/**
 * `gammadesk deribit-account` called through the CLI's `main` against the mock Deribit server: the JSON output's
 * numbers are the account's, usage errors exit 2, a missing key or a refused one exits 1 with the reason.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../src-main/app/secrets';
import { main } from '../../src-main/cli/main';
import { recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';

let server: MockDeribitServer;
let out: string[];
let err: string[];

beforeAll(async () => {
  server = await MockDeribitServer.start({
    instruments: recordedInstruments(),
    books: recordedBooks(),
    minHeartbeatSeconds: 0.05,
    account: {
      clientId: 'cli-id',
      clientSecret: 'cli-secret',
      // Made-up values in Deribit's field names.
      summaries: { ETH: { currency: 'ETH', equity: 12.5, balance: 12, margin_balance: 12.4, initial_margin: 1.25, maintenance_margin: 0.9, available_funds: 11.15, delta_total: -3.5 } },
      positions: [
        {
          instrument_name: 'ETH-PERPETUAL', kind: 'future', direction: 'sell', size: -7000, size_currency: -32.1, average_price: 218.4, mark_price: 218.2,
          index_price: 218.1, floating_profit_loss: 0.03, realized_profit_loss: 0, total_profit_loss: 0.03, initial_margin: 0.65, maintenance_margin: 0.33, delta: -32.1,
        },
      ],
    },
  });
});
afterAll(async () => {
  await server.close();
});

function capture(): void {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void err.push(args.join(' ')));
}

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env[ENV_CLIENT_ID];
  delete process.env[ENV_CLIENT_SECRET];
});

describe('gammadesk deribit-account', () => {
  it('prints the account as JSON with its book rows', async () => {
    process.env[ENV_CLIENT_ID] = 'cli-id';
    process.env[ENV_CLIENT_SECRET] = 'cli-secret';
    capture();
    expect(await main(['deribit-account', '--url', server.url, '--currencies', 'eth', '--format', 'json'])).toBe(0);
    const report = JSON.parse(out.join('\n')) as {
      network: string;
      currencies: { currency: string; summary: { equity: number; initialMargin: number; maintenanceMargin: number }; positions: { size: number }[] }[];
      problems: string[];
      book: { rows: unknown[] };
    };
    expect(report.network).toBe('testnet');
    expect(report.currencies[0]).toMatchObject({ currency: 'ETH', summary: { equity: 12.5, initialMargin: 1.25, maintenanceMargin: 0.9 }, positions: [{ size: -7000 }] });
    expect(report.problems).toEqual([]);
    expect(report.book.rows).toEqual([{ instrument: 'ETH-PERPETUAL', quantity: -7000, averagePrice: 218.4, priceCurrency: 'USD' }]);
    expect(err).toEqual([]);
  });

  it('wrong arguments exit 2 naming the option', async () => {
    capture();
    expect(await main(['deribit-account', '--network', 'main'])).toBe(2);
    expect(err.join('\n')).toContain('--network must be testnet or mainnet, got main');
    expect(await main(['deribit-account', '--format', 'xml'])).toBe(2);
    expect(err.join('\n')).toContain('--format must be text, json, csv, got xml');
    expect(await main(['deribit-account', '--currencies', 'BTC;ETH'])).toBe(2);
    expect(err.join('\n')).toContain('--currencies: expected a comma-separated list like BTC,ETH, got "BTC;ETH"');
  });

  it('no key, or nothing loadable, exits 1 with the reason', async () => {
    capture();
    expect(await main(['deribit-account', '--url', server.url])).toBe(1);
    expect(err.join('\n')).toContain('no Deribit API key: set GAMMADESK_DERIBIT_CLIENT_ID and GAMMADESK_DERIBIT_CLIENT_SECRET');
    process.env[ENV_CLIENT_ID] = 'cli-id';
    process.env[ENV_CLIENT_SECRET] = 'cli-secret';
    expect(await main(['deribit-account', '--url', server.url, '--currencies', 'XRP'])).toBe(1);
    expect(err.join('\n')).toContain('deribit-account: XRP account: Deribit error -32602 Invalid params (param currency: unknown currency XRP)');
  });
});
