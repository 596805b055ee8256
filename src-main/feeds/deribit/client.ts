/**
 * Deribit API v2 JSON-RPC 2.0 client over WebSocket (`ws`): the IO shell around the pure parsers.
 *
 * What it takes care of, so the feed only sees notifications:
 * - request/response matching by `id`, with a timeout per request;
 * - heartbeats: `public/set_heartbeat` on every connection, and every `test_request` answered with `public/test`
 *   (Deribit closes a connection that does not answer);
 * - silence: no frame at all for more than `silenceFactor` (2) heartbeat intervals means the connection is dead
 *   (a half-open TCP connection never reports itself): it is dropped and replaced;
 * - reconnection with exponential backoff and jitter (random source injectable), and every wanted channel
 *   subscribed again on the new connection;
 * - `public/subscribe` in batches (≤ `subscribeBatchSize` channels per request), paced to stay under Deribit's
 *   sustained subscribe rate (~3.3 requests/s), and on `too_many_requests` (code 10028) backed off and retried;
 * - {@link DeribitClient.resubscribe}: unsubscribe + subscribe one channel, which makes Deribit send a fresh book
 *   snapshot (the repair for a book gap);
 * - last-message times per connection and per channel, for staleness in the UI.
 *
 * Time comes from an injected {@link FeedClock}; the socket is a real `ws` WebSocket to `url` (tests point it at
 * the mock server on 127.0.0.1).
 */
import WebSocket from 'ws';
import { systemFeedClock, type FeedClock } from '../types';
import { parseFrame, type DeribitParseError } from './parse';

export const DERIBIT_MAINNET_URL = 'wss://www.deribit.com/ws/api/v2';
export const DERIBIT_TESTNET_URL = 'wss://test.deribit.com/ws/api/v2';
export type DeribitNetwork = 'mainnet' | 'testnet';

/** The WebSocket endpoint of a Deribit network. */
export function deribitUrl(network: DeribitNetwork): string {
  return network === 'testnet' ? DERIBIT_TESTNET_URL : DERIBIT_MAINNET_URL;
}

/** Deribit's error code for an exhausted rate-limit credit pool (`too_many_requests`). */
export const TOO_MANY_REQUESTS = 10028;

/**
 * A failed request: `code` is Deribit's numeric error code, or `timeout` (no answer within the request timeout)
 * or `disconnected` (the connection closed first, or there was none).
 */
export class DeribitRpcError extends Error {
  override readonly name = 'DeribitRpcError';
  constructor(
    readonly method: string,
    readonly code: number | 'timeout' | 'disconnected',
    readonly rpcMessage: string,
    readonly data?: unknown,
  ) {
    super(`${method} failed: ${typeof code === 'number' ? `error ${code} ` : ''}${rpcMessage}`);
  }
}

/** Exponential backoff: attempt n waits min(maxMs, initialMs × factor^n), less up to `jitter` of it at random. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay that is randomized, in [0, 1]: the delay is in [base × (1 − jitter), base]. */
  jitter: number;
}

/** The delay before attempt `attempt` (0-based) under `policy`, with `random()` in [0, 1). Pure. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return Math.round(base * (1 - policy.jitter * random()));
}

export const DEFAULT_RECONNECT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };
export const DEFAULT_RATE_LIMIT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 30_000, factor: 2, jitter: 0.5 };

export interface DeribitClientOptions {
  /** Which Deribit network (default mainnet); ignored when `url` is given. */
  network?: DeribitNetwork;
  /** Overrides the endpoint (tests: the mock server's `ws://127.0.0.1:port`). */
  url?: string;
  /** `public/set_heartbeat` interval in seconds. Deribit's minimum is 10 (the default); tests use less with the mock. */
  heartbeatIntervalSeconds?: number;
  /** Silence longer than this many heartbeat intervals drops the connection (default 2). */
  silenceFactor?: number;
  /** Per-request timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** WebSocket opening handshake timeout (default 10 s). */
  connectTimeoutMs?: number;
  reconnectBackoff?: BackoffPolicy;
  /** Backoff after `too_many_requests` (10028) before the refused subscribe batch is retried. */
  rateLimitBackoff?: BackoffPolicy;
  /**
   * `public` (default) subscribes with `public/subscribe`; `private` with `private/subscribe`, which private channels
   * (`user.orders.*`, `user.trades.*`) need, on a connection authenticated in {@link DeribitClientHandlers.onConnected}.
   */
  subscribeScope?: 'public' | 'private';
  /** Channels per `public/subscribe` request (default 100). */
  subscribeBatchSize?: number;
  /** Minimum gap between subscribe/unsubscribe requests (default 350 ms ≈ 2.9 requests/s, under Deribit's ~3.3/s). */
  subscribeMinIntervalMs?: number;
  /** Random source in [0, 1) for jitter (default Math.random). */
  random?: () => number;
  clock?: FeedClock;
}

export interface DeribitClientHandlers {
  /**
   * Called on every new connection after heartbeats are set and before the wanted channels are (re)subscribed:
   * the place to load the instrument universe and call {@link DeribitClient.setChannels}. A rejection drops the
   * connection (and a reconnect follows with backoff).
   */
  onConnected?(session: number): Promise<void> | void;
  /** One subscription notification; `tsRecv` is the clock reading when the frame arrived. */
  onNotification(channel: string, data: unknown, tsRecv: number): void;
  /** A frame that is not valid JSON-RPC (counted; the connection stays up). */
  onInvalidFrame?(error: DeribitParseError): void;
  /** The connection went away; `reason` says why. A reconnect is scheduled unless the client was stopped. */
  onDisconnected?(reason: string): void;
  /** Channels the server confirmed. */
  onSubscribed?(channels: readonly string[]): void;
  /** Channels the server did not confirm (unknown names) or refused with an error other than 10028. */
  onSubscriptionRefused?(channels: readonly string[], reason: string): void;
  /** A handler threw, or another unexpected internal error; the client carries on. */
  onError?(error: unknown): void;
}

/**
 * - `idle`: not started. `connecting`: socket opening or session being set up. `ready`: session set up,
 *   subscriptions flowing. `waiting`: disconnected, a reconnect is scheduled. `stopped`: stopped for good.
 */
export type DeribitClientPhase = 'idle' | 'connecting' | 'ready' | 'waiting' | 'stopped';

export interface DeribitClientStats {
  /** Connection attempts (sockets created). */
  connects: number;
  /** Connections that opened. */
  sessions: number;
  /** Reconnects scheduled after a lost connection. */
  reconnects: number;
  /** Frames received (any kind). */
  frames: number;
  invalidFrames: number;
  /** `test_request` heartbeats answered with `public/test`. */
  testRequestsAnswered: number;
  /** Connections dropped because nothing arrived for `silenceFactor` heartbeat intervals. */
  silenceTimeouts: number;
  /** `too_many_requests` replies to subscribe/unsubscribe. */
  rateLimited: number;
  /** `public/subscribe` requests sent. */
  subscribeRequests: number;
  /** Channels resubscribed on request (book snapshot repairs). */
  resubscribes: number;
  requestTimeouts: number;
}

interface PendingRequest {
  method: string;
  resolve: (result: unknown) => void;
  reject: (error: DeribitRpcError) => void;
  timer: unknown;
}

type SubscriptionWork = { method: `${'public' | 'private'}/${'subscribe' | 'unsubscribe'}`; unsubscribe: boolean; channels: string[] };

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function frameText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}

export class DeribitClient {
  readonly url: string;
  private readonly clock: FeedClock;
  private readonly random: () => number;
  private readonly heartbeatSeconds: number;
  private readonly silenceMs: number;
  private readonly requestTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly reconnectBackoff: BackoffPolicy;
  private readonly rateLimitBackoff: BackoffPolicy;
  private readonly batchSize: number;
  private readonly minIntervalMs: number;
  private readonly scope: 'public' | 'private';

  private phaseValue: DeribitClientPhase = 'idle';
  private socket: WebSocket | null = null;
  /** Identifies the current socket; callbacks of older sockets compare and bail out. */
  private connection = 0;
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private reconnectAttempt = 0;
  private rateLimitAttempt = 0;
  private reconnectTimer: unknown = null;
  private watchdogTimer: unknown = null;
  private pumpTimer: unknown = null;
  private pumpingConnection = 0;
  private nextSlotMs = 0;

  private desired = new Set<string>();
  private readonly active = new Set<string>();
  private readonly inFlight = new Set<string>();
  private readonly refused = new Set<string>();
  private readonly unsubscribeQueue = new Set<string>();

  private lastFrameMs: number | null = null;
  private readonly channelLastMs = new Map<string, number>();

  readonly stats: DeribitClientStats = {
    connects: 0,
    sessions: 0,
    reconnects: 0,
    frames: 0,
    invalidFrames: 0,
    testRequestsAnswered: 0,
    silenceTimeouts: 0,
    rateLimited: 0,
    subscribeRequests: 0,
    resubscribes: 0,
    requestTimeouts: 0,
  };

  constructor(
    private readonly handlers: DeribitClientHandlers,
    options: DeribitClientOptions = {},
  ) {
    this.url = options.url ?? deribitUrl(options.network ?? 'mainnet');
    this.clock = options.clock ?? systemFeedClock;
    this.random = options.random ?? Math.random;
    this.heartbeatSeconds = options.heartbeatIntervalSeconds ?? 10;
    if (!(this.heartbeatSeconds > 0)) throw new RangeError(`heartbeatIntervalSeconds must be > 0, got ${this.heartbeatSeconds}`);
    this.silenceMs = this.heartbeatSeconds * 1000 * (options.silenceFactor ?? 2);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.reconnectBackoff = options.reconnectBackoff ?? DEFAULT_RECONNECT_BACKOFF;
    this.rateLimitBackoff = options.rateLimitBackoff ?? DEFAULT_RATE_LIMIT_BACKOFF;
    this.batchSize = options.subscribeBatchSize ?? 100;
    if (!(this.batchSize >= 1)) throw new RangeError(`subscribeBatchSize must be ≥ 1, got ${this.batchSize}`);
    this.minIntervalMs = options.subscribeMinIntervalMs ?? 350;
    this.scope = options.subscribeScope ?? 'public';
  }

  get phase(): DeribitClientPhase {
    return this.phaseValue;
  }

  /** Clock reading of the last frame of any kind (heartbeats included); null before the first. */
  get lastMessageMs(): number | null {
    return this.lastFrameMs;
  }

  /** Clock reading of the last notification on `channel`; null if none arrived. */
  channelLastMessageMs(channel: string): number | null {
    return this.channelLastMs.get(channel) ?? null;
  }

  /** Channels confirmed on the current connection. */
  subscribedChannels(): ReadonlySet<string> {
    return this.active;
  }

  /** Channels the server did not confirm (they are not retried until {@link setChannels} drops and re-adds them). */
  refusedChannels(): ReadonlySet<string> {
    return this.refused;
  }

  /** True when every wanted channel is confirmed (or refused) on the current connection. */
  get fullySubscribed(): boolean {
    if (this.phaseValue !== 'ready' || this.unsubscribeQueue.size > 0) return false;
    for (const channel of this.desired) if (!this.active.has(channel) && !this.refused.has(channel)) return false;
    return true;
  }

  /** Opens the connection; reconnects on its own until {@link stop}. */
  start(): void {
    if (this.phaseValue !== 'idle') throw new Error(`DeribitClient.start: already ${this.phaseValue}`);
    this.connect();
  }

  /** Closes the connection for good; pending requests fail with `disconnected`. */
  stop(): void {
    if (this.phaseValue === 'stopped') return;
    this.phaseValue = 'stopped';
    this.clearTimer('reconnectTimer');
    const socket = this.socket;
    this.teardown('client stopped');
    if (socket) this.terminate(socket);
  }

  /**
   * Replaces the set of wanted channels. New ones are subscribed (batched, paced), dropped ones unsubscribed.
   * The set survives reconnects: everything in it is subscribed again on each new connection.
   */
  setChannels(channels: Iterable<string>): void {
    const next = new Set(channels);
    for (const channel of this.desired) {
      if (next.has(channel)) continue;
      if (this.active.has(channel) || this.inFlight.has(channel)) this.unsubscribeQueue.add(channel);
      this.refused.delete(channel);
    }
    this.desired = next;
    this.pump(this.connection);
  }

  /** The wanted channels. */
  channels(): ReadonlySet<string> {
    return this.desired;
  }

  /**
   * Unsubscribes and subscribes `channel` again so the server sends a fresh snapshot (the repair for a book gap).
   * Returns false when the channel is not wanted, or a resubscription of it is already under way.
   */
  resubscribe(channel: string): boolean {
    if (!this.desired.has(channel) || this.unsubscribeQueue.has(channel)) return false;
    this.stats.resubscribes++;
    // Not yet confirmed on this connection: its subscription (and so its snapshot) is still to come.
    if (this.active.has(channel)) this.unsubscribeQueue.add(channel);
    this.pump(this.connection);
    return true;
  }

  /**
   * Sends one JSON-RPC request and resolves with its `result`.
   * @throws (rejects with) DeribitRpcError: the server's error, `timeout`, or `disconnected`.
   */
  request(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new DeribitRpcError(method, 'disconnected', 'no open connection'));
    }
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (!this.pending.delete(id)) return;
        this.stats.requestTimeouts++;
        reject(new DeribitRpcError(method, 'timeout', `no answer within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (error) => {
        if (!error) return;
        const entry = this.pending.get(id);
        if (!entry) return;
        this.pending.delete(id);
        this.clock.clearTimeout(entry.timer);
        reject(new DeribitRpcError(method, 'disconnected', `send failed: ${error.message}`));
      });
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Connection lifecycle

  private connect(): void {
    const conn = ++this.connection;
    this.phaseValue = 'connecting';
    this.stats.connects++;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, { handshakeTimeout: this.connectTimeoutMs, perMessageDeflate: false });
    } catch (error) {
      this.lost(conn, `cannot open ${this.url}: ${messageOf(error)}`);
      return;
    }
    this.socket = socket;
    socket.on('open', () => this.onOpen(conn));
    socket.on('message', (data) => this.onFrame(conn, data));
    socket.on('close', (code, reason) => this.lost(conn, `connection closed (code ${code}${reason.length > 0 ? `, ${reason.toString()}` : ''})`));
    // Always listened to: an 'error' without a listener would crash the process.
    socket.on('error', (error) => this.lost(conn, `socket error: ${error.message}`));
  }

  private onOpen(conn: number): void {
    if (conn !== this.connection) return;
    this.stats.sessions++;
    this.lastFrameMs = this.clock.now();
    this.startWatchdog(conn);
    void this.setUpSession(conn);
  }

  private async setUpSession(conn: number): Promise<void> {
    try {
      await this.request('public/set_heartbeat', { interval: this.heartbeatSeconds });
      if (conn !== this.connection) return;
      await this.handlers.onConnected?.(this.stats.sessions);
      if (conn !== this.connection) return;
      this.phaseValue = 'ready';
      this.pump(conn);
    } catch (error) {
      if (conn !== this.connection) return;
      this.drop(conn, `session setup failed: ${messageOf(error)}`);
    }
  }

  /** Drops the current connection on our side (silence, failed setup) and reconnects. */
  private drop(conn: number, reason: string): void {
    if (conn !== this.connection) return;
    const socket = this.socket;
    this.lost(conn, reason);
    if (socket) this.terminate(socket);
  }

  /** The connection `conn` is gone (closed, errored, or dropped by us): clean up and schedule a reconnect. */
  private lost(conn: number, reason: string): void {
    if (conn !== this.connection || this.phaseValue === 'stopped') return;
    this.teardown(reason);
    this.phaseValue = 'waiting';
    this.safely(() => this.handlers.onDisconnected?.(reason));
    if (this.phaseValue !== 'waiting') return; // a handler stopped the client
    const delay = backoffDelayMs(this.reconnectAttempt++, this.reconnectBackoff, this.random);
    this.stats.reconnects++;
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.phaseValue === 'waiting') this.connect();
    }, delay);
  }

  /** Forgets everything tied to the current connection. */
  private teardown(reason: string): void {
    this.connection++;
    this.socket = null;
    this.clearTimer('watchdogTimer');
    this.clearTimer('pumpTimer');
    this.pumpingConnection = 0;
    this.active.clear();
    this.inFlight.clear();
    this.unsubscribeQueue.clear();
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const entry of pending) {
      this.clock.clearTimeout(entry.timer);
      entry.reject(new DeribitRpcError(entry.method, 'disconnected', reason));
    }
  }

  private terminate(socket: WebSocket): void {
    try {
      socket.terminate();
    } catch {
      // Already closed: nothing to do.
    }
  }

  private startWatchdog(conn: number): void {
    const period = Math.max(5, Math.min(1_000, this.silenceMs / 4));
    let lastCheckMs = this.clock.now();
    const check = (): void => {
      this.watchdogTimer = null;
      if (conn !== this.connection || this.lastFrameMs === null) return;
      const now = this.clock.now();
      // A check that runs far later than scheduled means this process was blocked, not the connection silent:
      // timers fire before pending socket reads, so give the frames that may be waiting one period to arrive.
      const processWasBlocked = now - lastCheckMs > 2 * period;
      lastCheckMs = now;
      const quietMs = now - this.lastFrameMs;
      if (quietMs > this.silenceMs && !processWasBlocked) {
        this.stats.silenceTimeouts++;
        this.drop(conn, `no message for ${quietMs} ms (limit ${this.silenceMs} ms, ${this.silenceMs / 1000 / this.heartbeatSeconds} heartbeat intervals)`);
        return;
      }
      this.watchdogTimer = this.clock.setTimeout(check, period);
    };
    this.watchdogTimer = this.clock.setTimeout(check, period);
  }

  private clearTimer(field: 'reconnectTimer' | 'watchdogTimer' | 'pumpTimer'): void {
    const timer = this[field];
    if (timer !== null) this.clock.clearTimeout(timer);
    this[field] = null;
  }

  private safely(body: () => void): void {
    try {
      body();
    } catch (error) {
      try {
        this.handlers.onError?.(error);
      } catch {
        // The error reporter itself failed; nothing sensible is left to do.
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Inbound frames

  private onFrame(conn: number, data: WebSocket.RawData): void {
    if (conn !== this.connection) return;
    const now = this.clock.now();
    this.lastFrameMs = now;
    this.stats.frames++;
    const parsed = parseFrame(frameText(data));
    if (!parsed.ok) {
      this.stats.invalidFrames++;
      this.safely(() => this.handlers.onInvalidFrame?.(parsed.error));
      return;
    }
    const frame = parsed.value;
    switch (frame.kind) {
      case 'subscription':
        this.channelLastMs.set(frame.channel, now);
        this.safely(() => this.handlers.onNotification(frame.channel, frame.data, now));
        return;
      case 'heartbeat':
        if (frame.type === 'test_request') {
          this.stats.testRequestsAnswered++;
          this.request('public/test').catch(() => {
            // A lost answer is caught by the server (it closes) or by our silence watchdog.
          });
        }
        return;
      case 'response': {
        const entry = this.pending.get(frame.id);
        if (!entry) return; // late answer to a timed-out request
        this.pending.delete(frame.id);
        this.clock.clearTimeout(entry.timer);
        entry.resolve(frame.result);
        return;
      }
      case 'error_response': {
        const entry = frame.id === null ? undefined : this.pending.get(frame.id);
        if (!entry) {
          this.safely(() => this.handlers.onError?.(new DeribitRpcError('(unmatched)', frame.error.code, frame.error.message, frame.error.data)));
          return;
        }
        this.pending.delete(frame.id!);
        this.clock.clearTimeout(entry.timer);
        entry.reject(new DeribitRpcError(entry.method, frame.error.code, frame.error.message, frame.error.data));
        return;
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Subscriptions: one pump per connection sends batches, paced, unsubscribes first.

  private nextWork(): SubscriptionWork | null {
    if (this.unsubscribeQueue.size > 0) {
      return { method: `${this.scope}/unsubscribe`, unsubscribe: true, channels: [...this.unsubscribeQueue].slice(0, this.batchSize) };
    }
    const channels: string[] = [];
    for (const channel of this.desired) {
      if (this.active.has(channel) || this.inFlight.has(channel) || this.refused.has(channel)) continue;
      channels.push(channel);
      if (channels.length === this.batchSize) break;
    }
    return channels.length > 0 ? { method: `${this.scope}/subscribe`, unsubscribe: false, channels } : null;
  }

  private pump(conn: number): void {
    if (this.phaseValue !== 'ready' || conn !== this.connection || this.pumpingConnection === conn) return;
    this.pumpingConnection = conn;
    this.runPump(conn)
      .catch((error: unknown) => this.safely(() => this.handlers.onError?.(error)))
      .finally(() => {
        if (this.pumpingConnection !== conn) return;
        this.pumpingConnection = 0;
        if (conn === this.connection && this.nextWork() !== null) this.pump(conn);
      });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.pumpTimer = this.clock.setTimeout(() => {
        this.pumpTimer = null;
        resolve();
      }, ms);
    });
  }

  private async runPump(conn: number): Promise<void> {
    for (;;) {
      if (conn !== this.connection || this.phaseValue !== 'ready') return;
      const work = this.nextWork();
      if (work === null) return;
      const waitMs = this.nextSlotMs - this.clock.now();
      if (waitMs > 0) {
        await this.sleep(waitMs);
        continue;
      }
      this.nextSlotMs = this.clock.now() + this.minIntervalMs;
      if (work.unsubscribe) {
        for (const channel of work.channels) this.unsubscribeQueue.delete(channel);
        try {
          await this.request(work.method, { channels: work.channels });
        } catch (error) {
          if (conn !== this.connection) return;
          if (this.retryAfterRateLimit(error)) {
            for (const channel of work.channels) this.unsubscribeQueue.add(channel);
            continue;
          }
          if (error instanceof DeribitRpcError && error.code === 'timeout') {
            this.drop(conn, `${work.method} timed out`);
            return;
          }
          // Any other error: treat the channels as gone and carry on.
        }
        if (conn !== this.connection) return;
        for (const channel of work.channels) this.active.delete(channel);
        continue;
      }
      for (const channel of work.channels) this.inFlight.add(channel);
      this.stats.subscribeRequests++;
      let result: unknown;
      try {
        result = await this.request(work.method, { channels: work.channels });
      } catch (error) {
        if (conn !== this.connection) return;
        for (const channel of work.channels) this.inFlight.delete(channel);
        if (this.retryAfterRateLimit(error)) continue;
        if (error instanceof DeribitRpcError && error.code === 'timeout') {
          this.drop(conn, `${work.method} timed out`);
          return;
        }
        for (const channel of work.channels) this.refused.add(channel);
        this.safely(() => this.handlers.onSubscriptionRefused?.(work.channels, messageOf(error)));
        continue;
      }
      if (conn !== this.connection) return;
      this.rateLimitAttempt = 0;
      for (const channel of work.channels) this.inFlight.delete(channel);
      const confirmed = new Set(Array.isArray(result) ? result.filter((c): c is string => typeof c === 'string') : []);
      const accepted: string[] = [];
      const notConfirmed: string[] = [];
      for (const channel of work.channels) {
        if (!confirmed.has(channel)) {
          this.refused.add(channel);
          notConfirmed.push(channel);
        } else if (this.desired.has(channel)) {
          this.active.add(channel);
          accepted.push(channel);
        } else {
          this.active.add(channel);
          this.unsubscribeQueue.add(channel); // dropped from the wanted set while the request was in flight
        }
      }
      if (accepted.length > 0) this.safely(() => this.handlers.onSubscribed?.(accepted));
      if (notConfirmed.length > 0) {
        this.safely(() => this.handlers.onSubscriptionRefused?.(notConfirmed, 'not confirmed by the server'));
      }
      // The connection carries everything it should: it proved itself, so the next reconnect starts fast again.
      if (this.fullySubscribed) this.reconnectAttempt = 0;
    }
  }

  /** On `too_many_requests`: counts it, pushes the next request slot out by the backoff, and returns true. */
  private retryAfterRateLimit(error: unknown): boolean {
    if (!(error instanceof DeribitRpcError) || error.code !== TOO_MANY_REQUESTS) return false;
    this.stats.rateLimited++;
    const delay = backoffDelayMs(this.rateLimitAttempt++, this.rateLimitBackoff, this.random);
    this.nextSlotMs = this.clock.now() + delay;
    return true;
  }
}
