/**
 * A mock Deribit API v2 server on 127.0.0.1 (port 0) for integration tests: the same JSON-RPC 2.0 protocol over
 * WebSocket as `wss://www.deribit.com/ws/api/v2` for what the market-data adapter uses:
 *
 * - `public/get_instruments` (`currency`, `kind`; `future` includes perpetuals), `public/subscribe`,
 *   `public/unsubscribe`, `public/set_heartbeat`, `public/test`; anything else is answered with JSON-RPC error
 *   -32601;
 * - heartbeats: after `public/set_heartbeat` it sends a `test_request` every interval and, like Deribit, closes
 *   the connection when the previous one was not answered with `public/test`;
 * - `book.{instrument}.{interval}`: the server keeps each book and sends a snapshot (`type: "snapshot"`) on every
 *   subscription, then numbered changes (`change_id` / `prev_change_id`), as Deribit does.
 *
 * It plays a scripted scenario ({@link ScenarioStep}): notifications (built from the real recorded messages, see
 * `scenario.ts`) and faults — disconnect mid-stream, a stalled (silent) connection, raw malformed frames,
 * unsolicited notifications about unknown instruments, lost book changes (gaps), instrument listings/removals, and
 * `too_many_requests` (10028) replies to the first N subscribe requests.
 *
 * A `notify` step waits until the live connection has subscribed its channel (so a scenario is deterministic: a
 * reconnecting client misses nothing but what a fault removes on purpose). Every `timestamp` field is re-stamped
 * with the server's clock, strictly increasing, when sent.
 *
 * With `account`, it also plays the private API of one Deribit account (`public/auth`, orders, positions, the
 * account summary, `user.orders` / `user.trades`, `private/subscribe`): see exchange.ts and {@link exchange}.
 *
 * Besides scenarios, {@link MockDeribitServer.streamAtRate} streams notifications at a fixed rate (the latency
 * benchmark): each is stamped with its send time, and the socket's send buffer is sampled to show a backlog.
 */
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { MockExchange, type MockAccountOptions } from './exchange';

/** One `public/get_instruments` item, in Deribit's shape. */
export type MockInstrument = Record<string, unknown> & {
  instrument_name: string;
  kind: string;
  base_currency: string;
};

/** `[price, amount]` */
export type MockLevel = [number, number];

export interface MockBook {
  bids: MockLevel[];
  asks: MockLevel[];
  changeId: number;
}

/** One `["new" | "change" | "delete", price, amount]` book change, as Deribit sends it. */
export type MockLevelChange = ['new' | 'change' | 'delete', number, number];

export type ScenarioStep =
  /** A notification; waits until the live connection subscribed `channel`. */
  | { kind: 'notify'; channel: string; data: unknown }
  /** A book change on `book.{instrument}.{interval}`; `lose`: applied to the server's book but never sent (a gap). */
  | { kind: 'book'; instrument: string; bids: MockLevelChange[]; asks: MockLevelChange[]; lose?: boolean }
  /** The server drops the live connection. `resendLastTrades`: on the next subscription of each trades channel, the
   * last trades notification sent on it is sent again (an overlap the client must de-duplicate). */
  | { kind: 'disconnect'; resendLastTrades?: boolean }
  /** The live connection goes silent for good: no data, no heartbeats, no replies (a half-open connection). */
  | { kind: 'stall' }
  /** A raw text frame on the live connection. */
  | { kind: 'raw'; text: string }
  /** A notification on the live connection whether or not `channel` is subscribed. */
  | { kind: 'unsolicited'; channel: string; data: unknown }
  /** Lists a new instrument (get_instruments returns it) and announces it on `instrument.state.any.any`. */
  | { kind: 'list'; instrument: MockInstrument }
  /** Removes an instrument and announces `terminated` on `instrument.state.any.any`. */
  | { kind: 'delist'; instrument: string }
  /** Waits until the live connection has subscribed all of `channels` (or, with `absent`, none of them). */
  | { kind: 'await_subscribed'; channels: string[]; absent?: boolean }
  | { kind: 'pause'; ms: number };

export interface MockDeribitOptions {
  instruments: MockInstrument[];
  /** Initial books by instrument name. */
  books?: Record<string, MockBook>;
  scenario?: ScenarioStep[];
  /** Interval suffix of book channels (default `100ms`). */
  interval?: string;
  /** Delay between scenario steps (default 1 ms). */
  stepDelayMs?: number;
  /** Smallest accepted heartbeat interval in seconds (Deribit: 10; tests lower it). */
  minHeartbeatSeconds?: number;
  /** Answer the first N `public/subscribe` requests with `too_many_requests` (10028). */
  rateLimitSubscribes?: number;
  /** How long a step waits for its channel before the scenario fails (default 5 s). */
  gateTimeoutMs?: number;
  /** An account for the private API (exchange.ts); without it `public/auth` and `private/*` are unknown methods. */
  account?: MockAccountOptions;
}

export interface MockDeribitStats {
  /** Connections accepted. */
  connections: number;
  /** Requests by method. */
  requests: Record<string, number>;
  rateLimitedReplies: number;
  testRequestsSent: number;
  testRequestsAnswered: number;
  /** Connections the server closed because a test_request went unanswered. */
  closedForMissedHeartbeat: number;
  notificationsSent: number;
  bookSnapshotsSent: number;
  /** Every channel unsubscribed, in order. */
  unsubscribed: string[];
  /** Every `public/subscribe` request's channel list, in order. */
  subscribeBatches: string[][];
}

export interface RateStreamOptions {
  ratePerSecond: number;
  durationMs: number;
  /** The `index`-th notification of the stream (0-based); its `timestamp` is set to the send time (epoch ms). */
  message: (index: number) => { channel: string; data: Record<string, unknown> };
  /** The first index (a stream continuing an earlier one keeps counting). */
  firstIndex?: number;
  /** Each notification's index and send time: epoch ms with sub-ms resolution (performance.timeOrigin + now()). */
  onSent?: (index: number, sentMs: number) => void;
}

export interface RateStreamResult {
  /** Notifications written to the socket. */
  sent: number;
  /** The index after the last one sent. */
  nextIndex: number;
  /** Notifications not sent because their channel was not subscribed. */
  skipped: number;
  elapsedMs: number;
  /** The connection's `bufferedAmount` (bytes queued in the socket, not yet taken by the kernel): max, and once a second. */
  maxBufferedBytes: number;
  bufferedBytesPerSecond: number[];
  /** The largest number of notifications sent in one timer tick (a late tick catches up in one burst). */
  largestBurst: number;
}

interface Connection {
  id: number;
  socket: WebSocket;
  subscribed: Set<string>;
  muted: boolean;
  heartbeatTimer: ReturnType<typeof setInterval> | null;
  awaitingTest: boolean;
  closed: boolean;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Deep copy with every `timestamp` field (top level, or of each array item) set to `stamp`. */
function restamp(data: unknown, stamp: number): unknown {
  const copy = structuredClone(data);
  const set = (value: unknown): void => {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'timestamp' in value) {
      (value as Record<string, unknown>).timestamp = stamp;
    }
  };
  if (Array.isArray(copy)) copy.forEach(set);
  else set(copy);
  return copy;
}

function applyChanges(side: Map<number, number>, changes: readonly MockLevelChange[]): void {
  for (const [action, price, amount] of changes) {
    if (action === 'delete') side.delete(price);
    else side.set(price, amount);
  }
}

export class MockDeribitServer {
  readonly stats: MockDeribitStats = {
    connections: 0,
    requests: {},
    rateLimitedReplies: 0,
    testRequestsSent: 0,
    testRequestsAnswered: 0,
    closedForMissedHeartbeat: 0,
    notificationsSent: 0,
    bookSnapshotsSent: 0,
    unsubscribed: [],
    subscribeBatches: [],
  };

  private readonly instruments: MockInstrument[];
  private readonly books = new Map<string, { bids: Map<number, number>; asks: Map<number, number>; changeId: number }>();
  private readonly connections: Connection[] = [];
  private readonly lastSentByChannel = new Map<string, unknown>();
  private readonly lastTradesByChannel = new Map<string, unknown>();
  private resendTradesFor = new Set<string>();
  private rateLimitLeft: number;
  private lastStamp = 0;
  private nextConnectionId = 1;
  private closing = false;
  /** The private API (null without `account`). */
  readonly exchange: MockExchange | null;

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
    private readonly options: MockDeribitOptions,
  ) {
    this.instruments = [...options.instruments];
    for (const [name, book] of Object.entries(options.books ?? {})) {
      this.books.set(name, { bids: new Map(book.bids), asks: new Map(book.asks), changeId: book.changeId });
    }
    this.rateLimitLeft = options.rateLimitSubscribes ?? 0;
    this.exchange = options.account ? this.createExchange(options.account) : null;
    wss.on('connection', (socket) => this.accept(socket));
  }

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: MockDeribitOptions): Promise<MockDeribitServer> {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve, reject) => {
      wss.once('listening', resolve);
      wss.once('error', reject);
    });
    const address = wss.address();
    if (typeof address === 'string' || address === null) throw new Error('mock Deribit: no TCP address');
    return new MockDeribitServer(wss, `ws://127.0.0.1:${address.port}/ws/api/v2`, options);
  }

  private get interval(): string {
    return this.options.interval ?? '100ms';
  }

  /** The newest open connection that is not stalled, if any. */
  private live(): Connection | null {
    for (let i = this.connections.length - 1; i >= 0; i--) {
      const connection = this.connections[i]!;
      if (!connection.closed && !connection.muted) return connection;
    }
    return null;
  }

  /** The live connection's socket (its `bufferedAmount`: bytes sent but not yet taken by the client). */
  liveSocket(): { readonly bufferedAmount: number } | null {
    return this.live()?.socket ?? null;
  }

  /** Channels subscribed on the live connection. */
  subscribed(): ReadonlySet<string> {
    return this.live()?.subscribed ?? new Set();
  }

  /** Open connections (stalled ones included). */
  openConnections(): number {
    return this.connections.filter((connection) => !connection.closed).length;
  }

  /** The data last sent on `channel` (after re-stamping). */
  lastSent(channel: string): unknown {
    return this.lastSentByChannel.get(channel);
  }

  /** The server's current book of `instrument`, best levels first. */
  book(instrument: string): { bids: MockLevel[]; asks: MockLevel[]; changeId: number } | null {
    const book = this.books.get(instrument);
    if (!book) return null;
    return {
      bids: [...book.bids.entries()].sort((a, b) => b[0] - a[0]),
      asks: [...book.asks.entries()].sort((a, b) => a[0] - b[0]),
      changeId: book.changeId,
    };
  }

  /** Plays the scenario to its end (resolves) or fails on a step that cannot run (rejects). */
  async play(): Promise<void> {
    for (const [index, step] of (this.options.scenario ?? []).entries()) {
      if (this.closing) return;
      try {
        await this.runStep(step);
      } catch (error) {
        throw new Error(`mock Deribit: scenario step ${index} (${step.kind}) failed: ${(error as Error).message}`, { cause: error });
      }
      await sleep(this.options.stepDelayMs ?? 1);
    }
  }

  /** Waits until `predicate` holds (polling), or fails after `timeoutMs` naming `what`. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = this.options.gateTimeoutMs ?? 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (this.closing) throw new Error('mock Deribit closed');
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(2);
    }
  }

  /**
   * Streams notifications on the live connection at `ratePerSecond` for `durationMs`, paced by the clock: every
   * ~1 ms timer tick sends what is due by then (so a late tick sends a burst, as a backlog on this side would).
   * Each is serialized and sent at once, stamped with its send time.
   */
  async streamAtRate(options: RateStreamOptions): Promise<RateStreamResult> {
    const connection = await this.waitForLive();
    const started = performance.now();
    const firstIndex = options.firstIndex ?? 0;
    let sent = 0;
    let skipped = 0;
    let maxBuffered = 0;
    let largestBurst = 0;
    const perSecond: number[] = [];
    for (;;) {
      if (this.closing || connection.closed) break;
      const elapsed = performance.now() - started;
      const due = Math.min(Math.floor((elapsed * options.ratePerSecond) / 1000), Math.floor((options.durationMs * options.ratePerSecond) / 1000));
      const burst = due - (sent + skipped);
      largestBurst = Math.max(largestBurst, burst);
      for (let k = 0; k < burst; k++) {
        const index = firstIndex + sent + skipped;
        const { channel, data } = options.message(index);
        if (!connection.subscribed.has(channel)) {
          skipped++;
          continue;
        }
        const sentMs = performance.timeOrigin + performance.now();
        data.timestamp = Math.floor(sentMs);
        connection.socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'subscription', params: { channel, data } }));
        options.onSent?.(index, sentMs);
        sent++;
        this.stats.notificationsSent++;
      }
      maxBuffered = Math.max(maxBuffered, connection.socket.bufferedAmount);
      if (elapsed >= (perSecond.length + 1) * 1000) perSecond.push(connection.socket.bufferedAmount);
      if (elapsed >= options.durationMs) break;
      await sleep(1);
    }
    return {
      sent,
      nextIndex: firstIndex + sent + skipped,
      skipped,
      elapsedMs: performance.now() - started,
      maxBufferedBytes: maxBuffered,
      bufferedBytesPerSecond: perSecond,
      largestBurst,
    };
  }

  /** Drops the live connection now (as a `disconnect` step does), outside any scenario. */
  dropLive(): void {
    const connection = this.live();
    if (connection) this.closeConnection(connection, true);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const connection of this.connections) this.closeConnection(connection, true);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------------------------
  // Scenario

  private async runStep(step: ScenarioStep): Promise<void> {
    switch (step.kind) {
      case 'notify': {
        const connection = await this.waitForChannel(step.channel);
        this.notify(connection, step.channel, step.data);
        return;
      }
      case 'book': {
        const channel = `book.${step.instrument}.${this.interval}`;
        const connection = await this.waitForChannel(channel);
        const book = this.books.get(step.instrument);
        if (!book) throw new Error(`no book for ${step.instrument}`);
        const prevChangeId = book.changeId;
        book.changeId += 1;
        applyChanges(book.bids, step.bids);
        applyChanges(book.asks, step.asks);
        if (step.lose) return;
        this.send(connection, {
          jsonrpc: '2.0',
          method: 'subscription',
          params: {
            channel,
            data: {
              type: 'change',
              timestamp: this.stamp(),
              prev_change_id: prevChangeId,
              instrument_name: step.instrument,
              change_id: book.changeId,
              bids: step.bids,
              asks: step.asks,
            },
          },
        });
        this.stats.notificationsSent++;
        return;
      }
      case 'disconnect': {
        const connection = await this.waitForLive();
        if (step.resendLastTrades) this.resendTradesFor = new Set(this.lastTradesByChannel.keys());
        this.closeConnection(connection, true);
        return;
      }
      case 'stall': {
        const connection = await this.waitForLive();
        connection.muted = true;
        return;
      }
      case 'raw': {
        const connection = await this.waitForLive();
        connection.socket.send(step.text);
        return;
      }
      case 'unsolicited': {
        const connection = await this.waitForLive();
        this.notify(connection, step.channel, step.data);
        return;
      }
      case 'list': {
        this.instruments.push(step.instrument);
        await this.announceState(step.instrument.instrument_name, 'created');
        return;
      }
      case 'delist': {
        const index = this.instruments.findIndex((instrument) => instrument.instrument_name === step.instrument);
        if (index < 0) throw new Error(`cannot delist unknown instrument ${step.instrument}`);
        this.instruments.splice(index, 1);
        await this.announceState(step.instrument, 'terminated');
        return;
      }
      case 'await_subscribed':
        await this.waitFor(
          () => {
            const live = this.live();
            if (!live) return false;
            return step.channels.every((channel) => live.subscribed.has(channel) !== (step.absent ?? false));
          },
          `${step.absent ? 'unsubscription' : 'subscription'} of ${step.channels.join(', ')}`,
        );
        return;
      case 'pause':
        await sleep(step.ms);
        return;
    }
  }

  private async announceState(instrument: string, state: string): Promise<void> {
    const channel = 'instrument.state.any.any';
    const connection = await this.waitForChannel(channel);
    this.notify(connection, channel, { instrument_name: instrument, state, timestamp: 0 });
  }

  private async waitForLive(): Promise<Connection> {
    await this.waitFor(() => this.live() !== null, 'a live connection');
    return this.live()!;
  }

  private async waitForChannel(channel: string): Promise<Connection> {
    await this.waitFor(() => this.live()?.subscribed.has(channel) ?? false, `a subscription to ${channel}`);
    return this.live()!;
  }

  /** Strictly increasing epoch-ms stamps (two messages in one millisecond still order). */
  private stamp(): number {
    this.lastStamp = Math.max(Date.now(), this.lastStamp + 1);
    return this.lastStamp;
  }

  private notify(connection: Connection, channel: string, data: unknown): void {
    const stamped = restamp(data, this.stamp());
    this.lastSentByChannel.set(channel, stamped);
    if (channel.startsWith('trades.')) this.lastTradesByChannel.set(channel, stamped);
    this.send(connection, { jsonrpc: '2.0', method: 'subscription', params: { channel, data: stamped } });
    this.stats.notificationsSent++;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Connections and requests

  private accept(socket: WebSocket): void {
    const connection: Connection = {
      id: this.nextConnectionId++,
      socket,
      subscribed: new Set(),
      muted: false,
      heartbeatTimer: null,
      awaitingTest: false,
      closed: false,
    };
    this.connections.push(connection);
    this.stats.connections++;
    socket.on('message', (data) => this.onRequest(connection, data));
    socket.on('close', () => this.closeConnection(connection, false));
    socket.on('error', () => this.closeConnection(connection, true));
  }

  private closeConnection(connection: Connection, terminate: boolean): void {
    if (connection.heartbeatTimer !== null) clearInterval(connection.heartbeatTimer);
    connection.heartbeatTimer = null;
    if (!connection.closed && terminate) connection.socket.terminate();
    connection.closed = true;
  }

  private send(connection: Connection, message: unknown): void {
    if (connection.muted || connection.closed || connection.socket.readyState !== WebSocket.OPEN) return;
    connection.socket.send(JSON.stringify(message));
  }

  private reply(connection: Connection, id: unknown, result: unknown): void {
    this.send(connection, { jsonrpc: '2.0', id, result, usIn: 0, usOut: 0, usDiff: 0, testnet: true });
  }

  private replyError(connection: Connection, id: unknown, code: number, message: string, data?: unknown): void {
    const error = data === undefined ? { code, message } : { code, message, data };
    this.send(connection, { jsonrpc: '2.0', id: id ?? null, error, usIn: 0, usOut: 0, usDiff: 0, testnet: true });
  }

  private createExchange(account: MockAccountOptions): MockExchange {
    return new MockExchange(account, {
      instrument: (name) => this.instruments.find((instrument) => instrument.instrument_name === name),
      book: (name) => this.books.get(name),
      stamp: () => this.stamp(),
      reply: (connection, id, result) => this.reply(connection as Connection, id, result),
      replyError: (connection, id, code, message, data) => this.replyError(connection as Connection, id, code, message, data),
      drop: (connection) => this.closeConnection(connection as Connection, true),
      notify: (channel, data) => {
        for (const connection of this.connections) if (!connection.closed && connection.subscribed.has(channel)) this.notify(connection, channel, data);
      },
      subscribedChannels: () => this.connections.filter((connection) => !connection.closed).flatMap((connection) => [...connection.subscribed]),
    });
  }

  private onRequest(connection: Connection, data: RawData): void {
    if (connection.muted) return; // a stalled connection hears nothing either
    let request: { id?: unknown; method?: unknown; params?: unknown };
    try {
      request = JSON.parse(data.toString()) as typeof request;
    } catch {
      this.replyError(connection, null, -32700, 'parse_error');
      return;
    }
    const method = typeof request.method === 'string' ? request.method : '';
    const params = (typeof request.params === 'object' && request.params !== null ? request.params : {}) as Record<string, unknown>;
    this.stats.requests[method] = (this.stats.requests[method] ?? 0) + 1;
    if (this.exchange?.handle(connection, request.id, method, params)) return;
    switch (method) {
      case 'public/set_heartbeat': {
        const interval = params.interval;
        const min = this.options.minHeartbeatSeconds ?? 10;
        if (typeof interval !== 'number' || interval < min) {
          this.replyError(connection, request.id, -32602, `invalid_params: interval must be a number ≥ ${min}`);
          return;
        }
        this.reply(connection, request.id, 'ok');
        this.startHeartbeats(connection, interval * 1000);
        return;
      }
      case 'public/test':
        if (connection.awaitingTest) this.stats.testRequestsAnswered++;
        connection.awaitingTest = false;
        this.reply(connection, request.id, { version: 'mock-2.1.1' });
        return;
      case 'public/get_instruments': {
        const currency = params.currency;
        const kind = params.kind;
        const result = this.instruments.filter(
          (instrument) => (currency === 'any' || instrument.base_currency === currency) && (kind === undefined || instrument.kind === kind),
        );
        this.reply(connection, request.id, structuredClone(result));
        return;
      }
      case 'public/subscribe':
      case 'private/subscribe': {
        const channels = Array.isArray(params.channels) ? params.channels.filter((c): c is string => typeof c === 'string') : [];
        // Private channels need private/subscribe on an authenticated connection (Deribit: 13009 unauthorized).
        if (channels.some((c) => c.startsWith('user.')) && (method === 'public/subscribe' || !this.exchange?.isAuthenticated(connection))) {
          this.replyError(connection, request.id, 13009, 'unauthorized');
          return;
        }
        this.stats.subscribeBatches.push(channels);
        if (this.rateLimitLeft > 0) {
          this.rateLimitLeft--;
          this.stats.rateLimitedReplies++;
          this.replyError(connection, request.id, 10028, 'too_many_requests');
          return;
        }
        for (const channel of channels) connection.subscribed.add(channel);
        this.reply(connection, request.id, channels);
        for (const channel of channels) this.afterSubscribe(connection, channel);
        return;
      }
      case 'public/unsubscribe':
      case 'private/unsubscribe': {
        const channels = Array.isArray(params.channels) ? params.channels.filter((c): c is string => typeof c === 'string') : [];
        const removed = channels.filter((channel) => connection.subscribed.delete(channel));
        this.stats.unsubscribed.push(...removed);
        this.reply(connection, request.id, removed);
        return;
      }
      default:
        this.replyError(connection, request.id, -32601, 'Method not found');
    }
  }

  /** What Deribit sends right after a subscription: a book snapshot; here also the resent trades of a fault. */
  private afterSubscribe(connection: Connection, channel: string): void {
    const bookMatch = /^book\.(.+)\.[^.]+$/.exec(channel);
    if (bookMatch) {
      const name = bookMatch[1]!;
      const book = this.books.get(name);
      if (!book) return;
      const levels = (side: Map<number, number>, descending: boolean): MockLevelChange[] =>
        [...side.entries()].sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0])).map(([price, amount]) => ['new', price, amount]);
      this.send(connection, {
        jsonrpc: '2.0',
        method: 'subscription',
        params: {
          channel,
          data: {
            type: 'snapshot',
            timestamp: this.stamp(),
            instrument_name: name,
            change_id: book.changeId,
            bids: levels(book.bids, true),
            asks: levels(book.asks, false),
          },
        },
      });
      this.stats.bookSnapshotsSent++;
      return;
    }
    if (this.resendTradesFor.delete(channel)) {
      const last = this.lastTradesByChannel.get(channel);
      if (last !== undefined) this.send(connection, { jsonrpc: '2.0', method: 'subscription', params: { channel, data: last } });
    }
  }

  private startHeartbeats(connection: Connection, intervalMs: number): void {
    if (connection.heartbeatTimer !== null) clearInterval(connection.heartbeatTimer);
    connection.heartbeatTimer = setInterval(() => {
      if (connection.closed || connection.muted) return;
      if (connection.awaitingTest) {
        // Deribit closes a connection that leaves a test_request unanswered.
        this.stats.closedForMissedHeartbeat++;
        connection.socket.close(1000, 'test_request not answered');
        this.closeConnection(connection, false);
        return;
      }
      connection.awaitingTest = true;
      this.stats.testRequestsSent++;
      this.send(connection, { jsonrpc: '2.0', method: 'heartbeat', params: { type: 'test_request' } });
    }, intervalMs);
  }
}
