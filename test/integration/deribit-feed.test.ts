/**
 * DeribitFeed against the mock Deribit server (test/mock-deribit) on 127.0.0.1, one fault per test: the feed
 * recovers (reconnects, resubscribes, re-snapshots books) and ends in the scenario's final state without losing
 * or duplicating anything, and counts what it dropped. Heartbeat intervals and backoffs are shortened through the
 * options so the whole file runs in a few seconds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type {
  BookSnapshotEvent,
  FutureTickerEvent,
  InstrumentEvent,
  MarketEvent,
  OptionTickerEvent,
  TradeEvent,
} from '../../src-main/core/market/events';
import type { ConnectionState } from '../../src-main/api/dto';
import { MarketState } from '../../src-main/engine/marketState';
import { DeribitFeed, type DeribitFeedOptions } from '../../src-main/feeds/deribit/deribitFeed';
import {
  buildScenario,
  EXPIRED_OPTION,
  NEW_OPTION,
  newOptionInstrument,
  optionMarks,
  optionTicker,
  optionTrades,
  perpetualTicker,
  perpetualTrades,
  recorded,
  RECORDED_LINEAR_OPTION,
  RECORDED_OPTIONS,
  recordedBooks,
  recordedInstruments,
  UNKNOWN_OPTION,
} from '../mock-deribit/scenario';
import { closedPort } from '../helpers/net';
import { MockDeribitServer, type ScenarioStep } from '../mock-deribit/server';

const ROUNDS = 6;
const HEARTBEAT_SECONDS = 0.25;

/** A small deterministic generator for the backoff jitter (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Harness {
  server: MockDeribitServer;
  feed: DeribitFeed;
  events: MarketEvent[];
  states: Set<ConnectionState>;
}

let harnesses: Harness[] = [];
let pollers: ReturnType<typeof setInterval>[] = [];

afterEach(async () => {
  for (const poller of pollers) clearInterval(poller);
  for (const h of harnesses) {
    h.feed.stop();
    await h.server.close();
  }
  harnesses = [];
  pollers = [];
});

async function setUp(
  scenario: ScenarioStep[],
  server: { rateLimitSubscribes?: number } = {},
  feed: Partial<DeribitFeedOptions> = {},
): Promise<Harness> {
  const mock = await MockDeribitServer.start({
    instruments: recordedInstruments(),
    books: recordedBooks(),
    scenario,
    minHeartbeatSeconds: 0.05,
    ...server,
  });
  const adapter = new DeribitFeed({
    url: mock.url,
    heartbeatIntervalSeconds: HEARTBEAT_SECONDS,
    requestTimeoutMs: 2_000,
    connectTimeoutMs: 2_000,
    reconnectBackoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5 },
    rateLimitBackoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0.5 },
    subscribeBatchSize: 4,
    subscribeMinIntervalMs: 2,
    staleAfterMs: 2_000,
    instrumentRefreshDelayMs: 10,
    bookSnapshotIntervalMs: 20,
    random: seeded(7),
    ...feed,
  });
  const h: Harness = { server: mock, feed: adapter, events: [], states: new Set() };
  harnesses.push(h);
  adapter.start((events) => h.events.push(...events));
  pollers.push(setInterval(() => h.states.add(adapter.state()), 5));
  return h;
}

async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Plays the scenario, then waits until the feed's books caught up with the server's (the last steps). */
async function playToEnd(h: Harness): Promise<void> {
  await h.server.play();
  await waitUntil(
    () =>
      ['BTC-PERPETUAL', 'ETH-PERPETUAL'].every((name) => {
        const book = h.feed.orderBook(name);
        return book !== null && !book.awaitingSnapshot && book.changeId === h.server.book(name)!.changeId;
      }),
    'the feed books to reach the server books',
  );
  await waitUntil(
    () => ['BTC-PERPETUAL', 'ETH-PERPETUAL'].every((name) => lastOf<BookSnapshotEvent>(h.events, 'book_snapshot', name)?.changeId === h.server.book(name)!.changeId),
    'the last book snapshot events',
  );
  await new Promise((resolve) => setTimeout(resolve, 20)); // let the last frames of the final round drain
}

const lastOf = <T extends MarketEvent>(events: MarketEvent[], type: T['type'], instrument: string): T | undefined =>
  events.filter((e): e is T => e.type === type && 'instrument' in e && e.instrument === instrument).at(-1);

const stampOf = (data: unknown): number => (Array.isArray(data) ? (data[0] as { timestamp: number }) : (data as { timestamp: number })).timestamp;

/** The final per-instrument state equals the last round of the scenario (values from the recorded messages). */
function expectFinalState(h: Harness, interval = '100ms'): void {
  const last = ROUNDS - 1;
  for (const name of RECORDED_OPTIONS) {
    const raw = optionTicker(name, last);
    const ticker = lastOf<OptionTickerEvent>(h.events, 'option_ticker', name)!;
    expect(ticker, name).toBeDefined();
    const mark = name === 'BTC-5JUN20-9250-C' ? optionMarks(last)[0]! : null;
    const sentAt = stampOf(h.server.lastSent(mark ? 'markprice.options.btc_usd' : `ticker.${name}.${interval}`));
    expect(ticker.tsEvent, name).toBe(sentAt);
    expect(ticker.markCoin, name).toBe(mark ? mark.mark_price : raw.mark_price);
    expect(ticker.markIv, name).toBeCloseTo(mark ? (mark.iv as number) : (raw.mark_iv as number) / 100, 12);
    expect(ticker.bidCoin, name).toBe((raw.best_bid_price as number) > 0 ? raw.best_bid_price : null);
    expect(ticker.askCoin, name).toBe((raw.best_ask_price as number) > 0 ? raw.best_ask_price : null);
    expect(ticker.underlyingPriceUsd, name).toBe(raw.underlying_price);
    expect(ticker.openInterest, name).toBe(raw.open_interest);
    // 24 h volume from the ticker's stats (a mark update carries the last ticker's over).
    expect(ticker.volume24h, name).toBe((raw.stats as { volume: number | null }).volume);
  }
  const perp = lastOf<FutureTickerEvent>(h.events, 'future_ticker', 'BTC-PERPETUAL')!;
  const rawPerp = perpetualTicker(last);
  expect(perp.markUsd).toBe(rawPerp.mark_price);
  expect(perp.bidUsd).toBe(rawPerp.best_bid_price);
  expect(perp.bidAmountUsd).toBe(rawPerp.best_bid_amount);
  expect(perp.funding8h).toBe(rawPerp.funding_8h);
  expect(perp.tsEvent).toBe(stampOf(h.server.lastSent(`ticker.BTC-PERPETUAL.${interval}`)));

  // Every trade of the scenario exactly once.
  const trades = h.events.filter((e): e is TradeEvent => e.type === 'trade');
  const ids = trades.map((t) => t.tradeId);
  expect(new Set(ids).size).toBe(ids.length);
  const expectedIds = Array.from({ length: ROUNDS }, (_, r) => [...perpetualTrades(r), ...optionTrades(r)].map((t) => t.trade_id as string)).flat();
  expect([...ids].sort()).toEqual([...expectedIds].sort());

  // Books equal the server's books.
  for (const name of ['BTC-PERPETUAL', 'ETH-PERPETUAL']) {
    const book = h.feed.orderBook(name)!;
    const server = h.server.book(name)!;
    expect(book.levels('bids').map((l) => [l.price, l.amount]), name).toEqual(server.bids);
    expect(book.levels('asks').map((l) => [l.price, l.amount]), name).toEqual(server.asks);
    // Published as BookSnapshotEvents (throttled): the last one is the server's book; change ids never go back.
    const snapshots = h.events.filter((e): e is BookSnapshotEvent => e.type === 'book_snapshot' && e.instrument === name);
    expect(snapshots.at(-1)!, name).toMatchObject({ bids: server.bids, asks: server.asks, changeId: server.changeId });
    const changeIds = snapshots.map((e) => e.changeId!);
    expect(changeIds, name).toEqual([...changeIds].sort((a, b) => a - b));
  }

  // Each instrument announced once, however many connections there were; the expired option dropped.
  const instrumentEvents = h.events.filter((e): e is InstrumentEvent => e.type === 'instrument');
  const names = instrumentEvents.map((e) => e.instrument.name as string);
  expect(new Set(names).size).toBe(names.length);
  expect(h.feed.instruments().has(EXPIRED_OPTION)).toBe(false);
}

describe('DeribitFeed against the mock Deribit server', () => {
  it('loads the universe, subscribes in paced batches, answers heartbeats and ends in the scenario state', async () => {
    const h = await setUp(buildScenario({ rounds: ROUNDS }), {}, { staleAfterMs: 400 });
    await playToEnd(h);
    expect(h.feed.state()).toBe('live');
    await waitUntil(() => h.server.stats.testRequestsAnswered >= 2, 'two answered heartbeats');

    // Instruments: one event per recorded instrument, fees and sizes from get_instruments.
    const defs = h.events.filter((e): e is InstrumentEvent => e.type === 'instrument').map((e) => e.instrument);
    expect(defs.map((d) => d.name).sort()).toEqual(recordedInstruments().map((i) => i.instrument_name).sort());
    const perpetual = defs.find((d) => d.name === 'BTC-PERPETUAL')!;
    expect(perpetual).toMatchObject({ kind: 'perpetual', currency: 'BTC', settlement: 'inverse', expiryMs: null, contractSize: 10, tickSize: 0.5, makerCommission: 0, takerCommission: 0.0005 });
    const call = defs.find((d) => d.name === 'BTC-5JUN20-9250-C')!;
    expect(call).toMatchObject({ kind: 'option', strikeUsd: 9250, optionType: 'call', expiryMs: Date.UTC(2020, 5, 5, 8), makerCommission: 0.0003 });

    // Subscriptions: batches of at most 4, everything wanted was subscribed, the expired option's ticker dropped.
    expect(h.server.stats.subscribeBatches.every((batch) => batch.length <= 4)).toBe(true);
    const subscribed = new Set(h.server.stats.subscribeBatches.flat());
    for (const channel of h.feed.channels()) expect(subscribed.has(channel), channel).toBe(true);
    expect(h.server.stats.unsubscribed).toEqual([`ticker.${EXPIRED_OPTION}.100ms`]);
    const expired = lastOf<OptionTickerEvent>(h.events, 'option_ticker', EXPIRED_OPTION)!;
    expect(expired).toMatchObject({ markCoin: 0, bidCoin: null, askCoin: null, askIv: null });

    expectFinalState(h);
    const counters = h.feed.counters();
    expect(counters).toMatchObject({ rejected: 0, malformed: 0, unknownInstruments: 0, duplicateTrades: 0, reconnects: 0, bookGaps: 0, resubscribes: 0 });
    expect(counters.heartbeatsAnswered).toBeGreaterThanOrEqual(2);
    expect(h.server.stats.closedForMissedHeartbeat).toBe(0);
    expect(h.server.stats.connections).toBe(1);

    // Index events in USD; the market goes quiet after the scenario: live → stale while heartbeats continue.
    expect(h.events.some((e) => e.type === 'index' && e.currency === 'ETH')).toBe(true);
    await waitUntil(() => h.feed.state() === 'stale', 'stale after 400 ms without market data');
    const staleness = h.feed.staleness();
    expect(staleness.marketDataSilenceMs!).toBeGreaterThan(400);
    expect(staleness.feedSilenceMs!).toBeLessThan(HEARTBEAT_SECONDS * 1000 * 2);
    expect(staleness.instruments.find((i) => i.instrument === 'BTC-PERPETUAL')!.silenceMs).not.toBeNull();
    expect(staleness.booksAwaitingSnapshot).toEqual([]);
  });

  it('reconnects after a disconnect mid-stream, resubscribes, re-snapshots books and drops re-sent trades', async () => {
    const h = await setUp(buildScenario({ rounds: ROUNDS, faultsAfterRound: { 2: [{ kind: 'disconnect', resendLastTrades: true }] } }));
    await playToEnd(h);
    expectFinalState(h);
    const counters = h.feed.counters();
    expect(counters.reconnects).toBe(1);
    expect(h.server.stats.connections).toBe(2);
    // Round 2's trades were sent again after the reconnect (4 perpetual + 2 option trades): each dropped once.
    expect(counters.duplicateTrades).toBe(perpetualTrades(2).length + optionTrades(2).length);
    expect(counters.duplicateTrades).toBe(6);
    // A fresh snapshot per book on each connection.
    expect(h.server.stats.bookSnapshotsSent).toBe(4);
    expect(h.server.stats.requests['public/get_instruments']).toBe(8);
    expect(h.states.has('disconnected') || h.states.has('connecting')).toBe(true);
    expect(h.feed.state()).toBe('live');
    expect(h.feed.health().lastError).toBeNull(); // connected again: no error on show
  });

  it('an unreachable endpoint: keeps retrying with backoff and says why in its health', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}/ws/api/v2`;
    const feed = new DeribitFeed({ url, connectTimeoutMs: 500, reconnectBackoff: { initialMs: 20, maxMs: 50, factor: 2, jitter: 0 } });
    feed.start(() => {});
    try {
      await waitUntil(() => feed.counters().reconnects >= 2, 'two reconnect attempts');
      expect(feed.state()).not.toBe('live');
      expect(feed.health().lastError).toMatch(/ECONNREFUSED/);
    } finally {
      feed.stop();
    }
  });

  it('detects a silent (stalled) connection within two heartbeat intervals and replaces it', async () => {
    const h = await setUp(buildScenario({ rounds: ROUNDS, faultsAfterRound: { 2: [{ kind: 'stall' }] } }));
    const started = Date.now();
    await playToEnd(h);
    expectFinalState(h);
    const counters = h.feed.counters();
    expect(counters.silenceTimeouts).toBe(1);
    expect(counters.reconnects).toBe(1);
    expect(h.server.stats.connections).toBe(2);
    expect(h.server.openConnections()).toBe(1); // the stalled one was closed by the client
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(h.states.has('disconnected') || h.states.has('connecting')).toBe(true);
  });

  it('counts malformed frames and fields without losing the good messages around them', async () => {
    const badTicker = { ...optionTicker('BTC-5JUN20-9250-C', 2), mark_price: '0.038' };
    const [goodTrade] = perpetualTrades(99);
    const faults: ScenarioStep[] = [
      { kind: 'raw', text: '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"ticker.BTC-5JUN20-9250-C.100ms","data":{' },
      { kind: 'raw', text: '{"jsonrpc":"2.0","method":"subscription","params":{"channel":"deribit_price_index.btc_usd"}}' },
      { kind: 'notify', channel: 'ticker.BTC-5JUN20-9250-C.100ms', data: badTicker },
      { kind: 'notify', channel: 'trades.BTC-PERPETUAL.100ms', data: [goodTrade, { ...goodTrade, trade_id: 'BAD-1', amount: -5 }] },
    ];
    const h = await setUp(buildScenario({ rounds: ROUNDS, faultsAfterRound: { 2: faults } }));
    await playToEnd(h);
    const counters = h.feed.counters();
    expect(counters.malformed).toBe(4);
    expect(counters.rejected).toBe(4);
    expect(counters.reconnects).toBe(0);
    expect(counters.lastRejectReason).toMatch(/amount/);
    // The good trade of the mixed batch was kept, the bad one dropped.
    const ids = h.events.filter((e): e is TradeEvent => e.type === 'trade').map((t) => t.tradeId);
    expect(ids).toContain(goodTrade!.trade_id);
    expect(ids).not.toContain('BAD-1');
    // And the stream after the bad frames was unaffected (the extra trade aside).
    const last = ROUNDS - 1;
    const ticker = lastOf<OptionTickerEvent>(h.events, 'option_ticker', 'ETH-5JUN20-310-P')!;
    expect(ticker.markCoin).toBe(optionTicker('ETH-5JUN20-310-P', last).mark_price);
  });

  it('counts notifications about unknown instruments and emits nothing for them', async () => {
    const unknownTrade = { ...optionTrades(0)[0]!, trade_id: 'UNKNOWN-1', instrument_name: UNKNOWN_OPTION };
    const faults: ScenarioStep[] = [
      { kind: 'unsolicited', channel: `ticker.${RECORDED_LINEAR_OPTION}.raw`, data: recorded(`ticker.${RECORDED_LINEAR_OPTION}.raw`) },
      { kind: 'unsolicited', channel: 'ticker.BTC-STRD-30SEP22-20000.raw', data: recorded('ticker.BTC-STRD-30SEP22-20000.raw') },
      { kind: 'notify', channel: 'trades.option.BTC.100ms', data: [unknownTrade] },
      { kind: 'notify', channel: 'markprice.options.btc_usd', data: [{ instrument_name: UNKNOWN_OPTION, mark_price: 0.01, iv: 0.8, timestamp: 0 }] },
    ];
    const h = await setUp(buildScenario({ rounds: ROUNDS, faultsAfterRound: { 3: faults } }));
    await playToEnd(h);
    expectFinalState(h);
    const counters = h.feed.counters();
    expect(counters.unknownInstruments).toBe(4);
    expect(counters.malformed).toBe(0);
    expect(counters.rejected).toBe(4);
    const strangers = h.events.filter((e) => 'instrument' in e && [UNKNOWN_OPTION, RECORDED_LINEAR_OPTION].includes(e.instrument as string));
    expect(strangers).toEqual([]);
  });

  it('detects a book gap, resubscribes that book for a fresh snapshot and ends equal to the server book', async () => {
    const faults: ScenarioStep[] = [
      { kind: 'book', instrument: 'ETH-PERPETUAL', bids: [['new', 217.5, 4242]], asks: [], lose: true },
      { kind: 'book', instrument: 'ETH-PERPETUAL', bids: [['change', 217.5, 4343]], asks: [['new', 219.9, 7]] },
    ];
    const h = await setUp(buildScenario({ rounds: ROUNDS, faultsAfterRound: { 2: faults } }));
    await playToEnd(h);
    expectFinalState(h);
    const counters = h.feed.counters();
    expect(counters.bookGaps).toBe(1);
    expect(counters.resubscribes).toBe(1);
    expect(counters.reconnects).toBe(0);
    expect(h.server.stats.unsubscribed).toContain('book.ETH-PERPETUAL.100ms');
    expect(h.server.stats.bookSnapshotsSent).toBe(3); // two at start, one for the repair
    const level = h.feed.orderBook('ETH-PERPETUAL')!.levels('bids').find((l) => l.price === 217.5);
    expect(level?.amount).toBe(4343);
  });

  it('backs off and retries subscribe batches refused with too_many_requests (10028)', async () => {
    const h = await setUp(buildScenario({ rounds: ROUNDS }), { rateLimitSubscribes: 3 });
    await playToEnd(h);
    expectFinalState(h);
    const counters = h.feed.counters();
    expect(counters.rateLimited).toBe(3);
    expect(h.server.stats.rateLimitedReplies).toBe(3);
    expect(counters.reconnects).toBe(0);
    // The first refused batch was sent again, unchanged.
    expect(h.server.stats.subscribeBatches[3]).toEqual(h.server.stats.subscribeBatches[0]);
  });

  it('follows instrument listings and removals from instrument.state.any.any', async () => {
    const faults: ScenarioStep[] = [
      { kind: 'list', instrument: newOptionInstrument() },
      { kind: 'notify', channel: `ticker.${NEW_OPTION}.100ms`, data: optionTicker('BTC-5JUN20-9250-C', 1, NEW_OPTION) },
      { kind: 'delist', instrument: 'ETH-10JUN20-270-C' },
      { kind: 'await_subscribed', channels: ['ticker.ETH-10JUN20-270-C.100ms'], absent: true },
    ];
    const h = await setUp(buildScenario({ rounds: ROUNDS, faultsAfterRound: { [ROUNDS - 1]: faults } }));
    await playToEnd(h);
    await waitUntil(() => h.events.some((e) => e.type === 'option_ticker' && e.instrument === NEW_OPTION), 'the new option ticker');
    expectFinalState(h);
    const listed = h.events.filter((e): e is InstrumentEvent => e.type === 'instrument' && e.instrument.name === NEW_OPTION);
    expect(listed).toHaveLength(1);
    expect(listed[0]!.instrument).toMatchObject({ strikeUsd: 9500, optionType: 'call' });
    expect(h.feed.instruments().has('ETH-10JUN20-270-C')).toBe(false);
    expect(h.feed.channels().has('ticker.ETH-10JUN20-270-C.100ms')).toBe(false);
    expect(h.feed.counters().instrumentLoads).toBe(2);
    // The removal is an event of its own (so recordings replay it), and the market state drops the option.
    const removals = h.events.filter((e) => e.type === 'instrument_removed');
    // (The recorded BTC-8JUN20-8750-P ticker says `expired`: that removes it too.)
    expect(removals).toMatchObject([{ instrument: 'BTC-8JUN20-8750-P', reason: 'expired' }, { instrument: 'ETH-10JUN20-270-C', reason: 'terminated' }]);
    const market = new MarketState();
    h.events.forEach((event, i) => market.apply(event, i + 1));
    expect(market.option('ETH-10JUN20-270-C')).toBeUndefined();
    expect(market.option('BTC-8JUN20-8750-P')).toBeUndefined();
    expect(market.option(NEW_OPTION)).toBeDefined();
    expect(market.option('BTC-5JUN20-9250-C')).toBeDefined();
  });
});
