/**
 * Deribit as an {@link ExecutionVenue}: limit and market orders with `private/buy` / `private/sell` (post-only with
 * `reject_post_only`, so a post-only order that would cross is refused rather than repriced), cancel by order id,
 * `private/get_order_state_by_label` to find orders by label, and the `user.orders.any.any.raw` /
 * `user.trades.any.any.raw` subscriptions as {@link ExecutionVenue.onUpdate}.
 *
 * Never twice. Before an order is sent its label is looked up (this session's orders, then the server), so a
 * label the venue has seen is answered with that order's state and nothing is sent. When the reply to
 * `private/buy` is lost (the connection dropped after the request left), the order may or may not exist: the
 * venue waits for the next authenticated session and asks the server by label; found, it is returned; not found,
 * the submit fails as retryable (`sent, reply lost, not on the server`), and a later submit of the same label is
 * safe. After every reconnect the orders still open are re-read by label and changes reported with the fills
 * missed (`private/get_user_trades_by_order`), because notifications sent while disconnected are lost. Fills are
 * reported once each (by trade id), whichever way they arrive.
 *
 * Testnet by default; mainnet only when the setting `execution.mainnetConfirmed` is `true`
 * ({@link createDeribitVenue} refuses otherwise). The API key comes from a {@link SecretStore} and goes nowhere else.
 */
import { MAX_LABEL_LENGTH, VenueError, type ExecutionVenue, type Fill, type OrderRequest, type OrderState, type VenueKind } from '../../core/execution/venue';
import { deribitUrl, DeribitRpcError, type DeribitNetwork } from '../../feeds/deribit/client';
import { DeribitPrivateClient, type DeribitCredentials, type DeribitPrivateClientOptions } from '../../feeds/deribit/privateClient';
import type { DeribitParseError } from '../../feeds/deribit/parse';
import { parseOrder, parseOrderReply, parseOrders, parseTrades, settlementCurrency } from '../../feeds/deribit/privateParse';
import type { SecretStore } from '../secrets';

export const ORDERS_CHANNEL = 'user.orders.any.any.raw';
export const TRADES_CHANNEL = 'user.trades.any.any.raw';

/** Deribit error codes the venue names (docs.deribit.com, "Error codes"). */
export const DERIBIT_ERRORS = {
  orderNotFound: 10004,
  notEnoughFunds: 10009,
  tooManyRequests: 10028,
  notOpenOrder: 11044,
  postOnlyReject: 11054,
  invalidCredentials: 13004,
  unauthorized: 13009,
  invalidParams: -32602,
} as const;

const RETRYABLE_CODES = new Set<number>([DERIBIT_ERRORS.tooManyRequests, 10040 /* retry */, 10047 /* matching_engine_queue_full */, 11051 /* system_maintenance */]);

/** A Deribit failure as the desk shows it: Deribit's code and message, what was being done, retryable or not. */
export function venueErrorOf(error: unknown, doing: string): VenueError {
  if (error instanceof VenueError) return error;
  if (error instanceof DeribitRpcError) {
    if (typeof error.code === 'number') {
      const data = describeData(error.data);
      return new VenueError(`${doing}: Deribit error ${error.code} ${error.rpcMessage}${data}`, error.code, RETRYABLE_CODES.has(error.code));
    }
    return new VenueError(`${doing}: ${error.code === 'timeout' ? 'no answer in time' : 'connection lost'} (${error.rpcMessage})`, null, true);
  }
  return new VenueError(`${doing}: ${error instanceof Error ? error.message : String(error)}`, null, false);
}

/** Deribit's error `data` usually names the parameter (`{ param, reason }`); only those two fields are shown. */
function describeData(data: unknown): string {
  if (typeof data !== 'object' || data === null) return '';
  const { param, reason } = data as { param?: unknown; reason?: unknown };
  const parts = [typeof param === 'string' ? `param ${param}` : '', typeof reason === 'string' ? reason : ''].filter((part) => part !== '');
  return parts.length > 0 ? ` (${parts.join(': ')})` : '';
}

/** Refuses an order the desk should never have built; the message names the field. */
export function checkOrderRequest(order: OrderRequest): void {
  const bad = (field: string, why: string): never => {
    throw new VenueError(`order ${JSON.stringify(order.label)}: ${field} ${why}`, DERIBIT_ERRORS.invalidParams, false);
  };
  if (order.label.length === 0 || order.label.length > MAX_LABEL_LENGTH) bad('label', `must have 1 to ${MAX_LABEL_LENGTH} characters, has ${order.label.length}`);
  if (!(Number.isFinite(order.amount) && order.amount > 0)) bad('amount', `must be a finite number > 0, got ${order.amount}`);
  if (order.type === 'limit' && !(order.price !== undefined && Number.isFinite(order.price) && order.price > 0)) {
    bad('price', `must be a finite number > 0 for a limit order, got ${order.price}`);
  }
  if (order.type === 'market' && order.postOnly) bad('postOnly', 'is for limit orders only');
}

/** The currency `private/get_order_state_by_label` and the open-order queries take for an instrument. */
function queryCurrency(instrument: string): string {
  return settlementCurrency(instrument);
}

const FINAL = new Set(['filled', 'cancelled', 'rejected']);

export interface DeribitVenueOptions extends Omit<DeribitPrivateClientOptions, 'credentials' | 'network' | 'url'> {
  /** Currencies searched by label when the instrument of a label is not known in this session (default BTC, ETH, USDC). */
  currencies?: readonly string[];
  /** Invalid notifications, failed reconciliations and other errors nobody awaits (counted in stats as well). */
  onError?: (error: unknown) => void;
}

export interface DeribitVenueStats {
  submitted: number;
  /** Submits answered from a known label without sending. */
  deduplicated: number;
  /** Submits whose reply was lost and that were found on the server by label. */
  recoveredByLabel: number;
  /** Notifications that failed validation (counted, reported through onError, the rest kept). */
  invalidNotifications: number;
  /** Replies (or items of them) that failed validation. */
  invalidReplies: number;
  /** Orders re-read after a reconnect. */
  reconciled: number;
}

type Listener = (update: { order: OrderState; fills: readonly Fill[] }) => void;

export class DeribitVenue implements ExecutionVenue {
  readonly session: DeribitPrivateClient;
  private readonly listeners = new Set<Listener>();
  /** The latest state of every order this session saw, by label (a label can carry several orders on Deribit). */
  private readonly byLabel = new Map<string, Map<string, OrderState>>();
  private readonly byId = new Map<string, OrderState>();
  /** Fills that arrived before their order: emitted with it. */
  private readonly earlyFills = new Map<string, Fill[]>();
  private readonly seenTrades = new Set<string>();
  private readonly submitting = new Map<string, Promise<OrderState>>();
  private readonly currencies: readonly string[];
  private readonly onError: (error: unknown) => void;
  readonly stats: DeribitVenueStats = { submitted: 0, deduplicated: 0, recoveredByLabel: 0, invalidNotifications: 0, invalidReplies: 0, reconciled: 0 };

  constructor(
    readonly kind: VenueKind,
    url: string,
    credentials: DeribitCredentials,
    options: DeribitVenueOptions = {},
  ) {
    this.currencies = options.currencies ?? ['BTC', 'ETH', 'USDC'];
    this.onError = options.onError ?? (() => undefined);
    this.session = new DeribitPrivateClient(
      {
        onNotification: (channel, data) => this.onNotification(channel, data),
        onAuthenticated: (session) => {
          if (session > 1) void this.reconcileOpen();
        },
        onError: (error) => this.onError(error),
        onInvalidFrame: (error) => {
          this.stats.invalidNotifications++;
          this.onError(error);
        },
      },
      { ...options, url, credentials },
    );
    this.session.setChannels([ORDERS_CHANNEL, TRADES_CHANNEL]);
    this.session.start();
  }

  /** Resolves when authenticated (and rejects with the reason when the key is refused). */
  async ready(): Promise<void> {
    try {
      await this.session.ready();
    } catch (error) {
      throw venueErrorOf(error, 'Deribit authentication');
    }
  }

  /**
   * Submits of the same label while one is under way share it: two approvals racing each other (a double click,
   * two windows) must not both pass the label check before either order exists.
   */
  submit(order: OrderRequest): Promise<OrderState> {
    const running = this.submitting.get(order.label);
    if (running) {
      this.stats.deduplicated++;
      return running;
    }
    const started = this.submitOnce(order).finally(() => this.submitting.delete(order.label));
    this.submitting.set(order.label, started);
    return started;
  }

  private async submitOnce(order: OrderRequest): Promise<OrderState> {
    checkOrderRequest(order);
    const known = await this.ordersByLabel(order.label, order.instrument);
    if (known.length > 0) {
      this.stats.deduplicated++;
      return newest(known);
    }
    const method = order.side === 'buy' ? 'private/buy' : 'private/sell';
    const params: Record<string, unknown> = { instrument_name: order.instrument, amount: order.amount, type: order.type, label: order.label };
    if (order.type === 'limit') params.price = order.price;
    if (order.postOnly) {
      params.post_only = true;
      params.reject_post_only = true;
    }
    if (order.reduceOnly) params.reduce_only = true;
    const doing = `${method} ${order.instrument} ${order.amount} (label ${order.label})`;
    this.stats.submitted++;
    let result: unknown;
    try {
      result = await this.session.call(method, params);
    } catch (error) {
      if (error instanceof DeribitRpcError && (error.code === 'disconnected' || error.code === 'timeout')) return this.recoverLostReply(order, doing, error);
      throw venueErrorOf(error, doing);
    }
    const reply = parseOrderReply(result);
    if (!reply.ok) throw this.refusedReply(doing, reply.error);
    for (const error of reply.value.errors) this.onError(this.refusedReply(doing, error));
    const { order: state, fills } = reply.value;
    this.remember(state);
    // The trades made at once, unless their notification came first (before the private channels are confirmed,
    // the reply is the only place they appear).
    const fresh = fills.filter((fill) => !this.seenTrades.has(fill.tradeId));
    for (const fill of fresh) this.seenTrades.add(fill.tradeId);
    if (fresh.length > 0) this.emit(this.byId.get(state.orderId) ?? state, fresh);
    return state;
  }

  /** The reply was lost: the request may have reached the server. Ask it by label once a session is back. */
  private async recoverLostReply(order: OrderRequest, doing: string, cause: DeribitRpcError): Promise<OrderState> {
    let found: OrderState[];
    try {
      found = await this.ordersByLabel(order.label, order.instrument);
    } catch (error) {
      throw venueErrorOf(error, `${doing}: reply lost (${cause.rpcMessage}) and the label could not be checked`);
    }
    if (found.length === 0) {
      // After a disconnect the request was either executed before the connection died or never arrived. After a
      // timeout on a live connection it may still be in the server's queue: the outcome stays open.
      throw new VenueError(
        cause.code === 'disconnected'
          ? `${doing}: reply lost (${cause.rpcMessage}); the server has no order with this label, so sending it again is safe`
          : `${doing}: no reply in time (${cause.rpcMessage}) and no order with this label yet; it may still arrive, and a new submit checks the label first`,
        null,
        true,
      );
    }
    this.stats.recoveredByLabel++;
    const state = newest(found);
    // Its notifications went down with the connection: report the order and its fills now.
    await this.catchUp(state);
    return state;
  }

  /** Emits `order` with the fills of it not reported yet (read with `private/get_user_trades_by_order`). */
  private async catchUp(order: OrderState): Promise<void> {
    let fills: Fill[] = [];
    if (order.filledAmount > 0) {
      try {
        const result = await this.session.call('private/get_user_trades_by_order', { order_id: order.orderId });
        // A list of trades (older API versions: `{ trades: [...] }`).
        const trades = Array.isArray(result) ? result : (result as { trades?: unknown } | null)?.trades;
        const parsed = parseTrades(trades, 'result');
        for (const error of parsed.errors) this.onError(this.refusedReply(`private/get_user_trades_by_order ${order.orderId}`, error));
        fills = parsed.items.filter((fill) => !this.seenTrades.has(fill.tradeId));
        for (const fill of fills) this.seenTrades.add(fill.tradeId);
      } catch (error) {
        this.onError(venueErrorOf(error, `private/get_user_trades_by_order ${order.orderId} (label ${order.label})`));
      }
    }
    this.emit(order, fills);
  }

  async cancel(label: string): Promise<OrderState | null> {
    const orders = await this.ordersByLabel(label);
    if (orders.length === 0) return null;
    let last: OrderState = newest(orders);
    for (const order of orders) {
      if (FINAL.has(order.status)) continue;
      const doing = `private/cancel ${order.orderId} (label ${label})`;
      try {
        const parsed = parseOrder(await this.session.call('private/cancel', { order_id: order.orderId }));
        if (!parsed.ok) throw this.refusedReply(doing, parsed.error);
        this.remember(parsed.value);
        last = parsed.value;
      } catch (error) {
        const venueError = venueErrorOf(error, doing);
        // Filled or cancelled in the meantime: read its final state instead.
        if (venueError.code !== DERIBIT_ERRORS.notOpenOrder && venueError.code !== DERIBIT_ERRORS.orderNotFound) throw venueError;
        const again = await this.ordersByLabel(label, order.instrument);
        last = again.find((o) => o.orderId === order.orderId) ?? last;
      }
    }
    return last;
  }

  /** Every order with this label on the server (queried in the instrument's currency, or in each currency). */
  async ordersByLabel(label: string, instrument?: string): Promise<OrderState[]> {
    const knownInstrument = instrument ?? this.byLabel.get(label)?.values().next().value?.instrument;
    const currencies = knownInstrument !== undefined ? [queryCurrency(knownInstrument)] : this.currencies;
    const found: OrderState[] = [];
    for (const currency of currencies) {
      const doing = `private/get_order_state_by_label ${currency} (label ${label})`;
      let result: unknown;
      try {
        result = await this.session.call('private/get_order_state_by_label', { currency, label });
      } catch (error) {
        throw venueErrorOf(error, doing);
      }
      const parsed = parseOrders(result);
      const refused = parsed.errors.map((error) => this.refusedReply(doing, error));
      for (const error of refused) this.onError(error);
      // An order that cannot be read might be the one looked for: never answer "not there" then.
      if (refused.length > 0) throw refused[0]!;
      for (const order of parsed.items) {
        if (order.label !== label) continue;
        this.remember(order);
        found.push(order);
      }
    }
    return found;
  }

  onUpdate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.session.stop();
    this.listeners.clear();
  }

  // -------------------------------------------------------------------------------------------------------------

  /** A reply that failed validation: counted, and a VenueError naming the call and the field. */
  private refusedReply(doing: string, error: DeribitParseError): VenueError {
    this.stats.invalidReplies++;
    return new VenueError(`${doing}: reply refused: ${error.message}`, null, false);
  }

  /** Records an order state; returns true when it changed what was known. */
  private remember(order: OrderState): boolean {
    const before = this.byId.get(order.orderId);
    // Older news never replaces newer (a reply can arrive after the notification of a later change).
    if (before && (before.updatedMs > order.updatedMs || (before.updatedMs === order.updatedMs && before.filledAmount > order.filledAmount))) return false;
    this.byId.set(order.orderId, order);
    let orders = this.byLabel.get(order.label);
    if (!orders) this.byLabel.set(order.label, (orders = new Map()));
    orders.set(order.orderId, order);
    return !before || before.status !== order.status || before.filledAmount !== order.filledAmount || before.fee !== order.fee;
  }

  private emit(order: OrderState, fills: readonly Fill[]): void {
    for (const listener of [...this.listeners]) {
      try {
        listener({ order, fills });
      } catch (error) {
        this.onError(error);
      }
    }
  }

  private onNotification(channel: string, data: unknown): void {
    if (channel.startsWith('user.orders.')) {
      const parsed = parseOrder(data, 'data');
      if (!parsed.ok) {
        this.stats.invalidNotifications++;
        this.onError(parsed.error);
        return;
      }
      const order = parsed.value;
      this.remember(order);
      const fills = this.earlyFills.get(order.orderId) ?? [];
      this.earlyFills.delete(order.orderId);
      this.emit(this.byId.get(order.orderId) ?? order, fills);
      return;
    }
    if (channel.startsWith('user.trades.')) {
      const parsed = parseTrades(data, 'data', channel);
      for (const error of parsed.errors) {
        this.stats.invalidNotifications++;
        this.onError(error);
      }
      const byOrder = new Map<string, Fill[]>();
      for (const fill of parsed.items) {
        if (this.seenTrades.has(fill.tradeId)) continue;
        this.seenTrades.add(fill.tradeId);
        const list = byOrder.get(fill.orderId) ?? [];
        list.push(fill);
        byOrder.set(fill.orderId, list);
      }
      for (const [orderId, fills] of byOrder) {
        const order = this.byId.get(orderId);
        if (order) this.emit(order, fills);
        else this.earlyFills.set(orderId, [...(this.earlyFills.get(orderId) ?? []), ...fills]);
      }
    }
  }

  /** After a reconnect: re-read every order not yet final, and report those that changed while disconnected. */
  private async reconcileOpen(): Promise<void> {
    const labels = new Set<string>();
    for (const order of this.byId.values()) if (!FINAL.has(order.status)) labels.add(order.label);
    for (const label of labels) {
      try {
        const before = new Map([...(this.byLabel.get(label)?.values() ?? [])].map((o) => [o.orderId, o]));
        const orders = await this.ordersByLabel(label);
        this.stats.reconciled += orders.length;
        for (const order of orders) {
          const old = before.get(order.orderId);
          if (!old || old.status !== order.status || old.filledAmount !== order.filledAmount) await this.catchUp(order);
        }
      } catch (error) {
        this.onError(error);
      }
    }
  }
}

function newest(orders: readonly OrderState[]): OrderState {
  return orders.reduce((a, b) => (b.updatedMs > a.updatedMs ? b : a));
}

/** What the venue factory reads: the settings repository, or any `get`. */
export interface SettingsReader {
  get<T>(key: string): T | null;
}

export const SETTING_NETWORK = 'execution.network';
export const SETTING_MAINNET_CONFIRMED = 'execution.mainnetConfirmed';

/**
 * The Deribit venue the settings ask for: testnet unless `execution.network` is `"mainnet"`, and mainnet only when
 * `execution.mainnetConfirmed` is exactly `true`. Refuses (VenueError) without a key or without the confirmation.
 * `url` overrides the endpoint (tests: the mock server) and keeps the network's venue kind.
 */
export function createDeribitVenue(settings: SettingsReader, secrets: SecretStore, options: DeribitVenueOptions & { url?: string } = {}): DeribitVenue {
  const networkSetting = settings.get<string>(SETTING_NETWORK) ?? 'testnet';
  if (networkSetting !== 'testnet' && networkSetting !== 'mainnet') {
    throw new VenueError(`setting ${SETTING_NETWORK} must be "testnet" or "mainnet", got ${JSON.stringify(networkSetting)}`, null, false);
  }
  const network: DeribitNetwork = networkSetting;
  if (network === 'mainnet' && settings.get<unknown>(SETTING_MAINNET_CONFIRMED) !== true) {
    throw new VenueError(
      `Deribit mainnet execution trades real money and needs an explicit confirmation: set ${SETTING_MAINNET_CONFIRMED} to true (or use testnet)`,
      null,
      false,
    );
  }
  let credentials: DeribitCredentials | null;
  try {
    credentials = secrets.deribitCredentials();
  } catch (error) {
    throw new VenueError(`Deribit API key (${secrets.source}): ${error instanceof Error ? error.message : String(error)}`, null, false);
  }
  if (credentials === null) {
    throw new VenueError(
      secrets.source === 'environment'
        ? 'no Deribit API key: set GAMMADESK_DERIBIT_CLIENT_ID and GAMMADESK_DERIBIT_CLIENT_SECRET'
        : `no Deribit API key in ${secrets.source}: enter it in Settings`,
      null,
      false,
    );
  }
  const { url, ...rest } = options;
  return new DeribitVenue(network === 'mainnet' ? 'deribit' : 'deribit-testnet', url ?? deribitUrl(network), credentials, rest);
}
