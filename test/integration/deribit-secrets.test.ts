/**
 * The Deribit API secret goes nowhere but the `public/auth` request: a whole session — the CLI account load (text,
 * JSON, CSV, and a wrong secret), the venue created from settings in a real SQLite database (orders, a refusal, a
 * reply lost in a disconnect, a wrong key) — runs while everything written to stdout, stderr and the console is
 * captured; then the captured text, every error (message, stack, JSON), every update the venue emitted and every
 * byte of the database files are searched for the secret and for the tokens the mock granted.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeribitVenue } from '../../src-main/app/execution/deribitVenue';
import { describeCredentials, EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../src-main/app/secrets';
import { main } from '../../src-main/cli/main';
import { openDatabase } from '../../src-main/store/database';
import { SettingsRepository } from '../../src-main/store/settings';
import type { MockAccountOptions } from '../mock-deribit/exchange';
import { recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';
import { makeTempDir } from '../helpers/tmp';

const CLIENT_ID = 'leakcheck-id-41';
const SECRET = 'Leak-Canary-5ecret-7b1d2e';
const WRONG_SECRET = 'Wrong-Canary-5ecret-0a9c';

const ACCOUNT: MockAccountOptions = {
  clientId: CLIENT_ID,
  clientSecret: SECRET,
  summaries: {
    BTC: { currency: 'BTC', equity: 1, balance: 1, margin_balance: 1, initial_margin: 0.1, maintenance_margin: 0.05, available_funds: 0.9 },
  },
  positions: [],
};

let captured: string[] = [];
let restore: (() => void)[] = [];

beforeEach(() => {
  captured = [];
  const record = (...args: unknown[]): void => {
    captured.push(args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? `${a.message}\n${a.stack}` : JSON.stringify(a))).join(' '));
  };
  for (const level of ['log', 'error', 'warn', 'info', 'debug'] as const) {
    const spy = vi.spyOn(console, level).mockImplementation(record);
    restore.push(() => spy.mockRestore());
  }
  for (const stream of [process.stdout, process.stderr]) {
    const spy = vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    restore.push(() => spy.mockRestore());
  }
});

afterEach(() => {
  for (const undo of restore) undo();
  restore = [];
  delete process.env[ENV_CLIENT_ID];
  delete process.env[ENV_CLIENT_SECRET];
});

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.message}\n${error.stack ?? ''}\n${JSON.stringify(error)}\n${JSON.stringify(Object.entries(error))}`;
  return JSON.stringify(error);
}

/** Secrets to look for: the API secret and every token the mock granted during the test. */
function canaries(server: MockDeribitServer): string[] {
  const grants = server.exchange!.stats.auth.client_credentials + server.exchange!.stats.auth.refresh_token;
  const tokens: string[] = [];
  for (let n = 1; n <= grants; n++) tokens.push(`mock-access-${n}`, `mock-refresh-${n}`);
  return [SECRET, WRONG_SECRET, ...tokens];
}

describe('the Deribit secret is never written', () => {
  it('not to stdout/stderr/console, errors, venue updates, or the SQLite files', async () => {
    const server = await MockDeribitServer.start({ instruments: recordedInstruments(), books: recordedBooks(), minHeartbeatSeconds: 0.05, account: ACCOUNT });
    const tmp = makeTempDir();
    const texts: string[] = [];
    try {
      // 1. The CLI account load, in each format, then with a wrong secret.
      process.env[ENV_CLIENT_ID] = CLIENT_ID;
      process.env[ENV_CLIENT_SECRET] = SECRET;
      for (const format of ['text', 'json', 'csv']) {
        expect(await main(['deribit-account', '--url', server.url, '--currencies', 'BTC', '--format', format])).toBe(0);
      }
      expect(captured.join('\n')).toContain('instrument,quantity,average_price,price_currency'); // the capture works
      process.env[ENV_CLIENT_SECRET] = WRONG_SECRET;
      expect(await main(['deribit-account', '--url', server.url])).toBe(1);
      expect(captured.join('\n')).toMatch(/13004 invalid_credentials/);

      // 2. The venue from settings stored in SQLite.
      const db = openDatabase(path.join(tmp.dir, 'gammadesk.db'));
      const settings = new SettingsRepository(db);
      settings.set('execution.network', 'testnet', 1);
      settings.set('execution.mainnetConfirmed', false, 1);
      const env = { [ENV_CLIENT_ID]: CLIENT_ID, [ENV_CLIENT_SECRET]: SECRET };
      const venue = createDeribitVenue(settings, new EnvSecretStore(env), { url: server.url, heartbeatIntervalSeconds: 0.25, reconnectBackoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 0 }, onError: (e) => texts.push(errorText(e)) });
      venue.onUpdate((update) => texts.push(JSON.stringify(update)));
      try {
        await venue.ready();
        texts.push(JSON.stringify(await venue.submit({ label: 'leak:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 })));
        server.exchange!.inject({ method: 'private/buy', error: { code: 10009, message: 'not_enough_funds' } });
        await venue.submit({ label: 'leak:1', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 }).catch((e: unknown) => texts.push(errorText(e)));
        server.exchange!.inject({ method: 'private/buy', dropReply: true });
        texts.push(JSON.stringify(await venue.submit({ label: 'leak:2', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 })));
        texts.push(JSON.stringify(describeCredentials(new EnvSecretStore(env))));
      } finally {
        await venue.close();
      }
      const wrong = createDeribitVenue(settings, new EnvSecretStore({ ...env, [ENV_CLIENT_SECRET]: WRONG_SECRET }), { url: server.url });
      await wrong.ready().catch((e: unknown) => texts.push(errorText(e)));
      await wrong.close();
      expect(texts.join('\n')).toContain('10009 not_enough_funds');
      expect(texts.join('\n')).toContain('13004 invalid_credentials');
      db.close();

      const everything = [captured.join('\n'), texts.join('\n')];
      const files = readdirSync(tmp.dir).map((name) => readFileSync(path.join(tmp.dir, name)));
      expect(files.length).toBeGreaterThan(0);
      expect(Buffer.concat(files).includes('execution.mainnetConfirmed')).toBe(true); // the settings did reach the file
      const found = canaries(server).filter((canary) => everything.some((text) => text.includes(canary)) || files.some((file) => file.includes(canary)));
      expect(found).toEqual([]);
    } finally {
      await server.close();
      tmp.remove();
    }
  });
});
