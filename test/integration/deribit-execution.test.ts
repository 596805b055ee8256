/**
 * The Deribit execution venue and account loader end to end against the mock Deribit server's private API
 * (test/mock-deribit/exchange.ts) on 127.0.0.1: authentication and its failures, token refresh, re-auth after a
 * reconnect, orders filled against the mock's book, post-only refusal, Deribit errors as VenueErrors, 10028 retried
 * on injected timers, a reply lost in a disconnect found by label and never sent twice, and the account load.
 *
 * Books are the mock's recorded BTC-PERPETUAL book (bid 9600.5 × 162 800 USD, ask 9601 × 49 710 USD; see
 * scenario.ts) and a made-up book for one option. Fees are hand-computed from the instrument list's commissions
 * (BTC-PERPETUAL taker 0.0005, maker 0; options 0.0003 per contract capped at 12.5 % of the premium: Deribit's fee
 * rule, docs.deribit.com "Fees").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VenueError, type Fill, type OrderState } from '../../src-main/core/execution/venue';
import { epochMs } from '../../src-main/core/units';
import { EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../src-main/app/secrets';
import { bookRows, loadDeribitAccount } from '../../src-main/app/execution/deribitAccount';
import { createDeribitVenue, type DeribitVenue, ORDERS_CHANNEL, TRADES_CHANNEL, type DeribitVenueOptions } from '../../src-main/app/execution/deribitVenue';
import { ManualTimers } from '../helpers/fakeTimers';
import { RECORDED_OPTIONS, recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer, type ScenarioStep } from '../mock-deribit/server';
import type { MockAccountOptions } from '../mock-deribit/exchange';

const CLIENT_ID = 'mock-client-7Qh2';
const SECRET = 'S3cr3t-do-not-leak-9f8e7d6c5b4a';
const OPTION = RECORDED_OPTIONS[0]; // BTC-5JUN20-9250-C

/**
 * The account's starting state. Field names and kinds of values as in Deribit's documented get_positions and
 * get_account_summary replies; the numbers are made up for the test (no published account to copy), chosen so that
 * every field differs.
 */
const ACCOUNT: MockAccountOptions = {
  clientId: CLIENT_ID,
  clientSecret: SECRET,
  summaries: {
    BTC: {
      currency: 'BTC', equity: 2.5123, balance: 2.5, margin_balance: 2.5101, initial_margin: 0.3121, maintenance_margin: 0.2345,
      available_funds: 2.198, delta_total: 0.4321, margin_model: 'segregated_sm', session_upl: 0.0123, total_pl: 0.0456,
    },
    ETH: {
      currency: 'ETH', equity: 10, balance: 10, margin_balance: 10, initial_margin: 0, maintenance_margin: 0,
      available_funds: 10, delta_total: 0, session_upl: 0, total_pl: 0,
    },
  },
  positions: [
    {
      instrument_name: OPTION, kind: 'option', direction: 'sell', size: -3, average_price: 0.041, average_price_usd: 393.6,
      mark_price: 0.0405, index_price: 9600.8, floating_profit_loss: 0.0015, realized_profit_loss: 0, total_profit_loss: 0.0015,
      initial_margin: 0.3, maintenance_margin: 0.225, delta: -1.62, gamma: -0.00045, vega: -22.1, theta: 41.7, settlement_price: 0.04,
    },
    {
      instrument_name: 'BTC-PERPETUAL', kind: 'future', direction: 'buy', size: 5000, size_currency: 0.5208, average_price: 9580,
      mark_price: 9601, index_price: 9600.8, floating_profit_loss: 0.0011, realized_profit_loss: -0.0002, total_profit_loss: 0.0009,
      initial_margin: 0.0121, maintenance_margin: 0.0095, delta: 0.5208,
    },
    // Broken on purpose: a short position with a positive size (reported by field, the rest kept).
    { instrument_name: 'ETH-PERPETUAL', kind: 'future', direction: 'sell', size: 100, average_price: 218, mark_price: 218.2, index_price: 218.1,
      floating_profit_loss: 0, total_profit_loss: 0, initial_margin: 0, maintenance_margin: 0, delta: 0 },
  ],
};

/** A made-up option book: bid 0.0400 × 8, ask 0.0410 × 2 then 0.0415 × 10 (coin per contract). */
const OPTION_BOOK = { bids: [[0.04, 8]] as [number, number][], asks: [[0.041, 2], [0.0415, 10]] as [number, number][], changeId: 1 };

interface Harness {
  server: MockDeribitServer;
  venue: DeribitVenue;
  timers: ManualTimers;
  updates: { order: OrderState; fills: readonly Fill[] }[];
  errors: unknown[];
}

let harnesses: Harness[] = [];

afterEach(async () => {
  for (const h of harnesses) {
    await h.venue.close();
    await h.server.close();
  }
  harnesses = [];
});

async function setUp(options: { secret?: string; venue?: Partial<DeribitVenueOptions>; scenario?: ScenarioStep[]; clockIsTimers?: boolean } = {}): Promise<Harness> {
  const server = await MockDeribitServer.start({
    scenario: options.scenario ?? [],
    instruments: recordedInstruments(),
    books: { ...recordedBooks(), [OPTION]: OPTION_BOOK },
    minHeartbeatSeconds: 0.05,
    account: ACCOUNT,
  });
  const timers = new ManualTimers();
  const errors: unknown[] = [];
  const secrets = new EnvSecretStore({ [ENV_CLIENT_ID]: CLIENT_ID, [ENV_CLIENT_SECRET]: options.secret ?? SECRET });
  const venue = createDeribitVenue({ get: () => null }, secrets, {
    url: server.url,
    heartbeatIntervalSeconds: 0.25,
    requestTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    reconnectBackoff: { initialMs: 10, maxMs: 50, factor: 2, jitter: 0 },
    subscribeMinIntervalMs: 1,
    timers,
    callRateLimitBackoff: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0 },
    onError: (error) => errors.push(error),
    ...(options.clockIsTimers ? { clock: timers } : {}),
    ...options.venue,
  });
  const h: Harness = { server, venue, timers, updates: [], errors };
  venue.onUpdate((update) => h.updates.push(update));
  harnesses.push(h);
  return h;
}

/** Waits for both private channels to be confirmed, so notifications of the next order are not missed. */
async function subscribed(h: Harness): Promise<void> {
  await h.venue.ready();
  await h.server.waitFor(() => h.server.subscribed().has(ORDERS_CHANNEL) && h.server.subscribed().has(TRADES_CHANNEL), 'private subscriptions');
}

/** The VenueError a promise rejects with. */
function rejection(promise: Promise<unknown>): Promise<VenueError> {
  return promise.then(
    () => Promise.reject(new Error('expected a rejection')),
    (error: unknown) => {
      expect(error).toBeInstanceOf(VenueError);
      return error as VenueError;
    },
  );
}

describe('Deribit venue: authentication', () => {
  it('authenticates with client credentials, on testnet by default, and subscribes the private channels', async () => {
    const h = await setUp();
    await subscribed(h);
    expect(h.venue.kind).toBe('deribit-testnet');
    expect(h.server.exchange!.stats.auth.client_credentials).toBe(1);
    expect(h.server.stats.requests['private/subscribe']).toBeGreaterThanOrEqual(1);
  });

  it('stops on a wrong secret with 13004 invalid_credentials, without a reconnect loop, and never says the secret', async () => {
    // The client's own clock is the test's: a reconnect (or any retry) would leave a timer scheduled on it.
    const h = await setUp({ secret: 'wrong-secret-0000', clockIsTimers: true });
    const error = await rejection(h.venue.ready());
    expect(error.code).toBe(13004);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('invalid_credentials');
    expect(error.message).not.toContain('wrong-secret-0000');
    expect(h.timers.pending).toBe(0);
    h.timers.advance(10_000); // past any backoff: nothing was scheduled, so nothing happens
    expect(h.server.stats.connections).toBe(1);
    expect(h.server.exchange!.stats.auth.refused).toBe(1);
  });

  it('refreshes the token at 80 % of its lifetime with the refresh_token grant', async () => {
    const h = await setUp();
    await subscribed(h);
    h.timers.advance(900 * 1000 * 0.8 - 1); // the mock grants 900 s tokens
    expect(h.server.exchange!.stats.auth.refresh_token).toBe(0);
    h.timers.advance(1);
    await h.server.waitFor(() => h.venue.session.stats.refreshes === 1, 'a token refresh');
    expect(h.server.exchange!.stats.auth.refresh_token).toBe(1);
    expect(await h.venue.ordersByLabel('nothing-here')).toEqual([]); // the session still works
  });

  it('a refused refresh falls back to client credentials on the same connection', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.exchange!.inject({ method: 'public/auth', error: { code: 13009, message: 'unauthorized' } });
    h.timers.advance(900 * 1000 * 0.8);
    await h.server.waitFor(() => h.venue.session.stats.authentications === 2, 'the fallback authentication');
    expect(h.venue.session.stats).toMatchObject({ refreshes: 0, refreshFailures: 1 });
    expect(h.server.stats.connections).toBe(1);
    expect(h.venue.session.authFailure).toBeNull();
    expect(await h.venue.ordersByLabel('nothing-here')).toEqual([]);
  });

  it('authenticates again after a reconnect and resubscribes the private channels', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.dropLive();
    await h.server.waitFor(() => h.venue.session.stats.authentications === 2, 'a second authentication');
    await h.server.waitFor(() => h.server.subscribed().has(ORDERS_CHANNEL), 'private resubscription');
    expect(h.server.stats.connections).toBe(2);
  });

  it('the factory refuses mainnet without the confirmation, and a missing key, with clear errors', () => {
    const secrets = new EnvSecretStore({ [ENV_CLIENT_ID]: CLIENT_ID, [ENV_CLIENT_SECRET]: SECRET });
    const mainnet = { get: <T>(key: string): T | null => (key === 'execution.network' ? ('mainnet' as T) : null) };
    expect(() => createDeribitVenue(mainnet, secrets)).toThrow(/execution\.mainnetConfirmed/);
    const wrongConfirmation = { get: <T>(key: string): T | null => (key === 'execution.network' ? 'mainnet' : key === 'execution.mainnetConfirmed' ? 'yes' : null) as T };
    expect(() => createDeribitVenue(wrongConfirmation, secrets)).toThrow(/execution\.mainnetConfirmed/);
    expect(() => createDeribitVenue({ get: () => null }, new EnvSecretStore({}))).toThrow(/GAMMADESK_DERIBIT_CLIENT_ID and GAMMADESK_DERIBIT_CLIENT_SECRET/);
    const typo = { get: <T>(key: string): T | null => (key === 'execution.network' ? ('mainet' as T) : null) };
    expect(() => createDeribitVenue(typo, secrets)).toThrow(/"testnet" or "mainnet", got "mainet"/);
  });
});

describe('Deribit venue: orders', () => {
  it('submit → filled at once against the book → onUpdate with the order and its fill, fee hand-computed', async () => {
    const h = await setUp();
    await subscribed(h);
    const state = await h.venue.submit({ label: 'rec-1:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 20_000, type: 'limit', price: 9_601 });
    expect(state).toMatchObject({ label: 'rec-1:0', status: 'filled', amount: 20_000, filledAmount: 20_000, averagePrice: 9_601, feeCurrency: 'BTC' });
    // Taker 0.0005 × 20 000 USD / 9 601 USD per BTC (inverse perpetual fee in coin).
    expect(state.fee).toBeCloseTo((0.0005 * 20_000) / 9_601, 12);
    await h.server.waitFor(() => h.updates.some((u) => u.fills.length > 0), 'the fill notification');
    const withFill = h.updates.find((u) => u.fills.length > 0)!;
    expect(withFill.order.status).toBe('filled');
    expect(withFill.fills).toHaveLength(1);
    expect(withFill.fills[0]).toMatchObject({ label: 'rec-1:0', amount: 20_000, price: 9_601, feeCurrency: 'BTC', side: 'buy' });
    expect(h.server.book('BTC-PERPETUAL')!.asks[0]).toEqual([9_601, 49_710 - 20_000]);
  });

  it('partially filled, rests open, then filled by a counterparty: each step reported, fills not repeated', async () => {
    const h = await setUp();
    await subscribed(h);
    const state = await h.venue.submit({ label: 'rec-2:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 60_000, type: 'limit', price: 9_601 });
    expect(state).toMatchObject({ status: 'open', filledAmount: 49_710, averagePrice: 9_601 });
    h.server.exchange!.fillResting('rec-2:0', 60_000 - 49_710);
    await h.server.waitFor(() => h.updates.some((u) => u.order.status === 'filled'), 'the final fill');
    const fills = h.updates.flatMap((u) => u.fills);
    expect(fills.map((f) => f.amount)).toEqual([49_710, 10_290]);
    expect(fills[1]!.fee).toBe(0); // maker commission 0 on BTC-PERPETUAL
    const [final] = await h.venue.ordersByLabel('rec-2:0');
    expect(final).toMatchObject({ status: 'filled', filledAmount: 60_000 });
  });

  it('an option fill walks two levels and pays 0.0003 per contract (under the 12.5 % cap)', async () => {
    const h = await setUp();
    await subscribed(h);
    const state = await h.venue.submit({ label: 'rec-3:0', instrument: OPTION as never, side: 'buy', amount: 5, type: 'limit', price: 0.0415 });
    expect(state.status).toBe('filled');
    expect(state.averagePrice).toBeCloseTo((2 * 0.041 + 3 * 0.0415) / 5, 12);
    // min(0.0003 × 2, 0.125 × 0.041 × 2) + min(0.0003 × 3, 0.125 × 0.0415 × 3) = 0.0006 + 0.0009
    expect(state.fee).toBeCloseTo(0.0015, 12);
  });

  it('post-only that would cross is refused (11054), post-only that rests stays open and cancels', async () => {
    const h = await setUp();
    await subscribed(h);
    const error = await rejection(h.venue.submit({ label: 'rec-4:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601, postOnly: true }));
    expect(error.code).toBe(11054);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/post_only_reject/);
    const resting = await h.venue.submit({ label: 'rec-4:1', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_600, postOnly: true });
    expect(resting).toMatchObject({ status: 'open', filledAmount: 0, averagePrice: null });
    const cancelled = await h.venue.cancel('rec-4:1');
    expect(cancelled?.status).toBe('cancelled');
    expect(await h.venue.cancel('rec-4:1')).toMatchObject({ status: 'cancelled' }); // a no-op on a final order
    expect(await h.venue.cancel('never-sent')).toBeNull();
  });

  it('10009 not_enough_funds fails the submit with the reason, not retryable, nothing on the server', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.exchange!.inject({ method: 'private/buy', error: { code: 10009, message: 'not_enough_funds' } });
    const error = await rejection(h.venue.submit({ label: 'rec-5:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 }));
    expect(error).toMatchObject({ code: 10009, retryable: false });
    expect(error.message).toContain('10009 not_enough_funds');
    expect(error.message).toContain('rec-5:0');
    expect(h.server.exchange!.ordersWithLabel('rec-5:0')).toEqual([]);
  });

  it('10028 too_many_requests is retried after backoff on the injected timers, and the order is sent once', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.exchange!.inject({ method: 'private/sell', error: { code: 10028, message: 'too_many_requests' } });
    h.server.exchange!.inject({ method: 'private/sell', error: { code: 10028, message: 'too_many_requests' } });
    const submitted = h.venue.submit({ label: 'rec-6:0', instrument: 'BTC-PERPETUAL' as never, side: 'sell', amount: 1_000, type: 'limit', price: 9_600.5 });
    await h.server.waitFor(() => h.venue.session.stats.rateLimitRetries === 1, 'the first retry to be scheduled');
    h.timers.advance(99);
    expect(h.server.stats.requests['private/sell']).toBe(1); // still waiting: the backoff is 100 ms, then 200 ms
    h.timers.advance(1);
    await h.server.waitFor(() => h.venue.session.stats.rateLimitRetries === 2, 'the second retry to be scheduled');
    h.timers.advance(200);
    const state = await submitted;
    expect(state.status).toBe('filled');
    expect(h.server.stats.requests['private/sell']).toBe(3);
    expect(h.server.exchange!.stats.ordersByLabel['rec-6:0']).toBe(1);
  });

  it('closing the venue during a rate-limit backoff ends the submit at once, nothing sent', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.exchange!.inject({ method: 'private/buy', error: { code: 10028, message: 'too_many_requests' } });
    const submitted = rejection(h.venue.submit({ label: 'rec-13:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 }));
    await h.server.waitFor(() => h.venue.session.stats.rateLimitRetries === 1, 'the retry to be scheduled');
    await h.venue.close();
    const error = await submitted;
    expect(error.message).toMatch(/client stopped/);
    expect(h.server.exchange!.ordersWithLabel('rec-13:0')).toEqual([]);
  });

  it('a reply lost in a disconnect: the order is found by label after the reconnect, never sent twice', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.exchange!.inject({ method: 'private/buy', dropReply: true });
    const order = { label: 'rec-7:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy' as const, amount: 3_000, type: 'limit' as const, price: 9_601 };
    const state = await h.venue.submit(order);
    expect(state).toMatchObject({ label: 'rec-7:0', status: 'filled', filledAmount: 3_000 });
    expect(h.venue.stats.recoveredByLabel).toBe(1);
    expect(h.server.stats.connections).toBe(2);
    // The fill, whose notification died with the connection, is reported once, read back by order.
    expect(h.updates.flatMap((u) => u.fills).filter((f) => f.label === 'rec-7:0').map((f) => f.amount)).toEqual([3_000]);
    // The desk, unsure, submits again: answered from the label, nothing sent.
    const again = await h.venue.submit(order);
    expect(again.orderId).toBe(state.orderId);
    expect(h.venue.stats.deduplicated).toBe(1);
    expect(h.server.exchange!.stats.ordersByLabel['rec-7:0']).toBe(1);
    expect(h.server.stats.requests['private/buy']).toBe(1);
  });

  it('a request lost in a disconnect before the server saw it: retryable, safe to resend, then sent once', async () => {
    const h = await setUp();
    await subscribed(h);
    h.server.exchange!.inject({ method: 'private/buy', dropRequest: true });
    const order = { label: 'rec-12:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy' as const, amount: 1_000, type: 'limit' as const, price: 9_601 };
    const error = await rejection(h.venue.submit(order));
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('the server has no order with this label, so sending it again is safe');
    expect(await h.venue.submit(order)).toMatchObject({ status: 'filled' });
    expect(h.server.exchange!.stats.ordersByLabel['rec-12:0']).toBe(1);
  });

  it('an order filled while disconnected is reported after the reconnect, with its fill, once', async () => {
    const h = await setUp();
    await subscribed(h);
    const resting = await h.venue.submit({ label: 'rec-10:0', instrument: 'BTC-PERPETUAL' as never, side: 'sell', amount: 2_000, type: 'limit', price: 9_700 });
    expect(resting.status).toBe('open');
    h.server.dropLive();
    h.server.exchange!.fillResting('rec-10:0', 2_000); // nobody is connected to hear it
    await h.server.waitFor(() => h.updates.some((u) => u.order.label === 'rec-10:0' && u.order.status === 'filled'), 'the reconciled fill');
    const fills = h.updates.flatMap((u) => u.fills).filter((f) => f.label === 'rec-10:0');
    expect(fills.map((f) => [f.amount, f.price])).toEqual([[2_000, 9_700]]);
    expect(h.venue.stats.reconciled).toBe(1);
  });

  it('a malformed order notification is counted and reported by field; the next order is reported as usual', async () => {
    const h = await setUp({ scenario: [{ kind: 'unsolicited', channel: ORDERS_CHANNEL, data: { order_id: 'BTC-99', order_state: 'gone' } }] });
    await subscribed(h);
    await h.server.play();
    await h.server.waitFor(() => h.venue.stats.invalidNotifications === 1, 'the refused notification');
    expect(String(h.errors[0])).toContain('invalid_field at data.instrument_name: expected a non-empty string, got nothing (field missing)');
    await h.venue.submit({ label: 'rec-11:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 });
    await h.server.waitFor(() => h.updates.some((u) => u.order.label === 'rec-11:0' && u.fills.length === 1), 'the fill');
    expect(h.updates.flatMap((u) => u.fills).filter((f) => f.label === 'rec-11:0')).toHaveLength(1); // reply and notification: once
  });

  it('two submits of one label racing each other send one order', async () => {
    const h = await setUp();
    await subscribed(h);
    const order = { label: 'rec-14:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy' as const, amount: 1_000, type: 'limit' as const, price: 9_000 };
    const [first, second] = await Promise.all([h.venue.submit(order), h.venue.submit(order)]);
    expect(second.orderId).toBe(first.orderId);
    expect(h.server.exchange!.stats.ordersByLabel['rec-14:0']).toBe(1);
    expect(h.server.stats.requests['private/buy']).toBe(1);
  });

  it('a new venue (a restart) finds the earlier order by label and does not send it again', async () => {
    const h = await setUp();
    await subscribed(h);
    const first = await h.venue.submit({ label: 'rec-8:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 100_000, type: 'limit', price: 9_000 });
    expect(first.status).toBe('open');
    await h.venue.close();
    const secrets = new EnvSecretStore({ [ENV_CLIENT_ID]: CLIENT_ID, [ENV_CLIENT_SECRET]: SECRET });
    const restarted = createDeribitVenue({ get: () => null }, secrets, { url: h.server.url, heartbeatIntervalSeconds: 0.25 });
    try {
      const found = await restarted.ordersByLabel('rec-8:0');
      expect(found.map((o) => o.orderId)).toEqual([first.orderId]);
      const again = await restarted.submit({ label: 'rec-8:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 100_000, type: 'limit', price: 9_000 });
      expect(again.orderId).toBe(first.orderId);
      expect(h.server.exchange!.stats.ordersByLabel['rec-8:0']).toBe(1);
    } finally {
      await restarted.close();
    }
  });

  it('refuses a malformed order before sending, naming the field', async () => {
    const h = await setUp();
    await subscribed(h);
    const long = 'x'.repeat(65);
    await expect(h.venue.submit({ label: long, instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 10, type: 'limit', price: 1 })).rejects.toThrow(/label must have 1 to 64 characters, has 65/);
    await expect(h.venue.submit({ label: 'a', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: Number.NaN, type: 'limit', price: 1 })).rejects.toThrow(/amount must be a finite number > 0, got NaN/);
    await expect(h.venue.submit({ label: 'a', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 10, type: 'limit' })).rejects.toThrow(/price must be a finite number > 0/);
    const unknown = await rejection(h.venue.submit({ label: 'b', instrument: 'BTC-26JUN20-99999-C' as never, side: 'buy', amount: 1, type: 'limit', price: 0.1 }));
    expect(unknown.code).toBe(-32602);
    expect(unknown.message).toContain('param instrument_name');
    expect(h.server.stats.requests['private/buy']).toBe(1); // only the unknown instrument reached the server
  });
});

describe('Deribit account load', () => {
  it('loads equity, margins and positions per currency; a bad position is reported by field, the rest kept', async () => {
    const h = await setUp();
    await h.venue.ready();
    const account = await loadDeribitAccount((method, params) => h.venue.session.call(method, params), ['BTC', 'ETH', 'XRP'], epochMs(1_700_000_000_000));
    expect(account.currencies.map((c) => c.currency)).toEqual(['BTC', 'ETH']);
    const btc = account.currencies[0]!;
    expect(btc.summary).toMatchObject({ equity: 2.5123, initialMargin: 0.3121, maintenanceMargin: 0.2345, availableFunds: 2.198, marginModel: 'segregated_sm' });
    expect(btc.positions.map((p) => [p.instrument, p.kind, p.size])).toEqual([
      [OPTION, 'option', -3],
      ['BTC-PERPETUAL', 'future', 5_000],
    ]);
    expect(btc.positions[0]).toMatchObject({ averagePrice: 0.041, averagePriceUsd: 393.6, gamma: -0.00045, vega: -22.1 });
    expect(btc.positions[1]).toMatchObject({ sizeCoin: 0.5208, gamma: null });
    expect(account.currencies[1]!.positions).toEqual([]);
    expect(account.problems).toHaveLength(2);
    expect(account.problems[0]).toMatch(/private\/get_positions ETH: .*result\[0\]\.size: a sell position must not have size 100/);
    expect(account.problems[1]).toMatch(/XRP account: Deribit error -32602 Invalid params \(param currency: unknown currency XRP\)/);
    const { rows, unsupported } = bookRows(account);
    expect(rows).toEqual([
      { instrument: OPTION, quantity: -3, averagePrice: 0.041, priceCurrency: 'BTC' },
      { instrument: 'BTC-PERPETUAL', quantity: 5_000, averagePrice: 9_580, priceCurrency: 'USD' },
    ]);
    expect(unsupported).toEqual([]);
  });

  it('positions opened through the venue appear in get_positions', async () => {
    const h = await setUp();
    await subscribed(h);
    await h.venue.submit({ label: 'rec-9:0', instrument: 'BTC-PERPETUAL' as never, side: 'sell', amount: 7_000, type: 'limit', price: 9_600.5 });
    const account = await loadDeribitAccount((method, params) => h.venue.session.call(method, params), ['BTC'], epochMs(0));
    const perpetual = account.currencies[0]!.positions.find((p) => p.instrument === 'BTC-PERPETUAL')!;
    expect(perpetual.size).toBe(5_000 - 7_000);
    expect(perpetual.averagePrice).toBe(9_600.5); // crossed through zero: the new short's price
  });
});
