/**
 * Authenticated Deribit API v2 session over the JSON-RPC WebSocket client ({@link DeribitClient}).
 *
 * - `public/auth` with `grant_type: client_credentials` on every connection, before its channels are subscribed
 *   (a WebSocket session is authenticated as a whole, so later private calls on it need no token);
 * - the token refreshed with `grant_type: refresh_token` before it expires (at `refreshAtFraction` of its
 *   lifetime), falling back to client credentials when the refresh is refused;
 * - a reconnect authenticates again; private channels (`user.orders.*`, `user.trades.*`) are resubscribed with
 *   `private/subscribe` by the underlying client once that succeeded;
 * - {@link DeribitPrivateClient.call}: a private request that waits for the session to be authenticated and retries
 *   `too_many_requests` (10028) with exponential backoff on the injected timers. A lost connection is not retried
 *   here: whether an order request reached the server is for the caller to find out (by label).
 * - wrong credentials (13004 `invalid_credentials`, or any refusal of `client_credentials`) stop the client: no
 *   reconnect loop hammering the server with a bad key; waiting and later calls fail with that error.
 *
 * The client secret is held in this object only; no message, error or statistic built here contains it or a token.
 */
import { systemFeedClock, type FeedClock } from '../types';
import {
  backoffDelayMs,
  DEFAULT_RATE_LIMIT_BACKOFF,
  DeribitClient,
  DeribitRpcError,
  TOO_MANY_REQUESTS,
  type BackoffPolicy,
  type DeribitClientOptions,
} from './client';
import type { Currency } from '../../core/market/events';
import type { PmeSimulateResult } from '../../core/risk/pmCompare';
import type { DeribitParseError } from './parse';
import { parsePmeSimulate, pmeSimulateParams } from './pmeParse';
import { parseAuthResult } from './privateParse';

export interface DeribitCredentials {
  clientId: string;
  clientSecret: string;
}

/** Deribit's error code for a wrong client id or secret. */
export const INVALID_CREDENTIALS = 13004;

export interface DeribitPrivateClientOptions extends Omit<DeribitClientOptions, 'subscribeScope'> {
  credentials: DeribitCredentials;
  /** Timers for the token refresh, the rate-limit backoff and the wait for authentication (tests: ManualTimers). */
  timers?: FeedClock;
  /** Refresh the token at this fraction of its lifetime (default 0.8). */
  refreshAtFraction?: number;
  /** Retries of a private call refused with `too_many_requests` before the error is passed on (default 5). */
  rateLimitRetries?: number;
  /** How long {@link DeribitPrivateClient.call} waits for an authenticated session (default 15 s). */
  authWaitMs?: number;
  /** Backoff between retries of a call refused with 10028 (default 1 s doubling to 30 s). */
  callRateLimitBackoff?: BackoffPolicy;
}

export interface DeribitPrivateHandlers {
  /** A private or public channel notification. */
  onNotification(channel: string, data: unknown, tsRecv: number): void;
  /** The session authenticated (`session` counts connections); after a reconnect this is the place to reconcile. */
  onAuthenticated?(session: number): void;
  onDisconnected?(reason: string): void;
  /** Authentication failed for good (wrong credentials): the client stopped. */
  onAuthFailed?(error: DeribitRpcError): void;
  onInvalidFrame?(error: DeribitParseError): void;
  onError?(error: unknown): void;
}

export interface DeribitPrivateStats {
  /** `public/auth` with client credentials that succeeded. */
  authentications: number;
  /** Token refreshes that succeeded. */
  refreshes: number;
  /** Refreshes refused (a full authentication followed). */
  refreshFailures: number;
  /** Private calls refused with 10028 and retried. */
  rateLimitRetries: number;
  /** Auth replies that failed validation. */
  invalidAuthReplies: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
  timer: unknown;
}

export class DeribitPrivateClient {
  readonly client: DeribitClient;
  private readonly timers: FeedClock;
  private readonly refreshAt: number;
  private readonly retries: number;
  private readonly authWaitMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly random: () => number;
  private readonly credentials: Readonly<DeribitCredentials>;

  private authenticatedSession = 0;
  private currentSession = 0;
  private refreshToken: string | null = null;
  private refreshTimer: unknown = null;
  private failure: DeribitRpcError | null = null;
  private stopped = false;
  private readonly waiters = new Set<Waiter>();
  private readonly pauses = new Set<{ resolve: () => void; timer: unknown }>();

  readonly stats: DeribitPrivateStats = { authentications: 0, refreshes: 0, refreshFailures: 0, rateLimitRetries: 0, invalidAuthReplies: 0 };

  constructor(
    private readonly handlers: DeribitPrivateHandlers,
    options: DeribitPrivateClientOptions,
  ) {
    const credentials = Object.freeze({ ...options.credentials });
    this.credentials = credentials;
    if (credentials.clientId.length === 0 || credentials.clientSecret.length === 0) {
      throw new RangeError('Deribit credentials: client id and client secret must both be non-empty');
    }
    this.timers = options.timers ?? systemFeedClock;
    this.refreshAt = options.refreshAtFraction ?? 0.8;
    if (!(this.refreshAt > 0 && this.refreshAt < 1)) throw new RangeError(`refreshAtFraction must be in (0, 1), got ${this.refreshAt}`);
    this.retries = options.rateLimitRetries ?? 5;
    this.authWaitMs = options.authWaitMs ?? 15_000;
    this.backoff = options.callRateLimitBackoff ?? DEFAULT_RATE_LIMIT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.client = new DeribitClient(
      {
        onConnected: (session) => this.authenticate(session),
        onNotification: (channel, data, tsRecv) => handlers.onNotification(channel, data, tsRecv),
        onInvalidFrame: (error) => handlers.onInvalidFrame?.(error),
        onDisconnected: (reason) => {
          this.authenticatedSession = 0;
          this.clearRefresh();
          handlers.onDisconnected?.(reason);
        },
        onError: (error) => handlers.onError?.(error),
      },
      { ...options, subscribeScope: 'private' },
    );
  }

  /** True while the current connection is authenticated. */
  get authenticated(): boolean {
    return this.authenticatedSession !== 0 && this.authenticatedSession === this.currentSession;
  }

  /** The error that stopped the client (wrong credentials), if any. */
  get authFailure(): DeribitRpcError | null {
    return this.failure;
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.stopped = true;
    this.clearRefresh();
    this.client.stop();
    this.rejectWaiters(this.failure ?? new DeribitRpcError('(private session)', 'disconnected', 'client stopped'));
    for (const pause of this.pauses) {
      this.timers.clearTimeout(pause.timer);
      pause.resolve();
    }
    this.pauses.clear();
  }

  setChannels(channels: Iterable<string>): void {
    this.client.setChannels(channels);
  }

  /** Resolves once the current connection is authenticated; rejects after `authWaitMs`, on stop or on bad credentials. */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.stopped) return Promise.reject(new DeribitRpcError('(private session)', 'disconnected', 'client stopped'));
    if (this.authenticated) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: this.timers.setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new DeribitRpcError('(private session)', 'timeout', `not authenticated within ${this.authWaitMs} ms (${this.client.phase})`));
        }, this.authWaitMs),
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * One private request on the authenticated session. `too_many_requests` (10028) is retried up to
   * `rateLimitRetries` times with backoff; every other error (and a lost connection) is passed on as it is.
   */
  async call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      await this.ready();
      try {
        return await this.client.request(method, params);
      } catch (error) {
        if (!(error instanceof DeribitRpcError) || error.code !== TOO_MANY_REQUESTS || attempt >= this.retries) throw error;
        this.stats.rateLimitRetries++;
        await this.wait(backoffDelayMs(attempt, this.backoff, this.random));
      }
    }
  }

  /**
   * Deribit's portfolio margin of `positions` (`{instrument: size in base currency}`, evaluated alone:
   * `add_positions: false`), or of the account's own positions when `positions` is null: `private/pme/simulate`
   * (scope `account:read`), validated by feeds/deribit/pmeParse.ts.
   * @throws DeribitRpcError for Deribit's refusal, DeribitParseError for a result that fails validation.
   */
  async pmeSimulate(currency: Currency, positions: Readonly<Record<string, number>> | null): Promise<PmeSimulateResult> {
    const parsed = parsePmeSimulate(await this.call('private/pme/simulate', pmeSimulateParams(currency, positions)), currency);
    if (!parsed.ok) throw parsed.error;
    return parsed.value;
  }

  // -------------------------------------------------------------------------------------------------------------

  /** A backoff pause; cut short (resolved at once) by {@link stop}, after which the next `ready()` fails. */
  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pause = {
        resolve,
        timer: this.timers.setTimeout(() => {
          this.pauses.delete(pause);
          resolve();
        }, ms),
      };
      this.pauses.add(pause);
    });
  }

  private async authenticate(session: number): Promise<void> {
    const credentials = this.credentials;
    this.currentSession = session;
    let result: unknown;
    try {
      result = await this.client.request('public/auth', {
        grant_type: 'client_credentials',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      });
    } catch (error) {
      // A refusal (as opposed to a lost connection or a rate limit) will not change on retry: stop, say why.
      if (error instanceof DeribitRpcError && typeof error.code === 'number' && error.code !== TOO_MANY_REQUESTS) {
        this.failure = error;
        this.stop();
        this.handlers.onAuthFailed?.(error);
      }
      throw error;
    }
    this.accept(session, result, 'client_credentials');
    this.stats.authentications++;
    this.handlers.onAuthenticated?.(session);
  }

  /** Takes a granted token: schedules its refresh and releases the waiters. */
  private accept(session: number, result: unknown, grant: string): void {
    const token = parseAuthResult(result);
    if (!token.ok) {
      this.stats.invalidAuthReplies++;
      throw new DeribitRpcError('public/auth', 'disconnected', `${grant} reply refused: ${token.error.message}`);
    }
    this.refreshToken = token.value.refreshToken;
    this.authenticatedSession = session;
    this.clearRefresh();
    const conn = session;
    this.refreshTimer = this.timers.setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh(conn);
    }, token.value.expiresInSeconds * 1000 * this.refreshAt);
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) {
      this.timers.clearTimeout(waiter.timer);
      waiter.resolve();
    }
  }

  private async refresh(session: number): Promise<void> {
    if (session !== this.authenticatedSession || this.refreshToken === null) return;
    try {
      const result = await this.client.request('public/auth', { grant_type: 'refresh_token', refresh_token: this.refreshToken });
      if (session !== this.currentSession) return;
      this.accept(session, result, 'refresh_token');
      this.stats.refreshes++;
    } catch (error) {
      if (session !== this.currentSession || this.stopped) return;
      this.stats.refreshFailures++;
      this.handlers.onError?.(error);
      // The refresh token was refused or its reply lost: authenticate from scratch on this connection.
      try {
        await this.authenticate(session);
      } catch (retryError) {
        this.handlers.onError?.(retryError);
      }
    }
  }

  private clearRefresh(): void {
    if (this.refreshTimer !== null) this.timers.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  private rejectWaiters(error: Error): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const waiter of waiters) {
      this.timers.clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}
