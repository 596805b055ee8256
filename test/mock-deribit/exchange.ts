/**
 * The private half of the mock Deribit server: one account with an API key, authentication, orders matched
 * against the server's books, positions, an account summary, `user.orders` / `user.trades` notifications and
 * fault injection. {@link MockDeribitServer} routes `public/auth` and `private/*` requests here.
 *
 * Behaviour modelled on Deribit API v2 (docs.deribit.com):
 * - `public/auth`: `client_credentials` (wrong id or secret → 13004 `invalid_credentials`) and `refresh_token`
 *   (an unknown or already used refresh token → 13009 `unauthorized`); the connection is authenticated as a whole.
 *   Every `private/*` method on an unauthenticated connection → 13009 `unauthorized`.
 * - `private/buy` / `private/sell`: a limit order takes the opposite side of the server's book up to its price
 *   (a market order without a limit), reducing the levels it takes; the rest rests `open` (a market order's rest is
 *   cancelled). `post_only` that would cross: with `reject_post_only` → error 11054 `post_only_reject`; without it,
 *   repriced one tick inside the spread (as Deribit does). Reply `{ order, trades }`.
 *   Fees: the instrument's `taker_commission` (`maker_commission` for a resting order filled later): options
 *   min(commission × amount, 12.5 % of the premium) in coin; inverse futures commission × amount / price in coin.
 * - `private/cancel` (10004 `order_not_found`, 11044 `not_open_order`), `private/cancel_by_label`,
 *   `private/get_order_state_by_label`, `private/get_user_trades_by_order`, `private/get_open_orders_by_currency`, `private/get_positions`,
 *   `private/get_account_summary`.
 * - `private/pme/simulate`: only for books that have a recorded result ({@link MockAccountOptions.pmeResponses});
 *   another book → -32602 naming why (the mock computes no margin of its own).
 * - Faults ({@link MockExchange.inject}): the next call of a method answered with an error (10009
 *   `not_enough_funds`, 10028 `too_many_requests`, ...), or accepted and executed with the connection dropped
 *   before the reply (a reply lost in a disconnect), the connection dropped before it is executed, or executed
 *   with the reply held back forever (the client dies waiting: the kill -9 test).
 *
 * Not modelled: margin checks (10009 comes from a fault, not from the balance), self-trade prevention, the margin
 * and greek fields of positions opened by trades here (zero; the configured positions carry their own).
 */
import { sameBook } from './pmeReference';
import type { MockInstrument } from './server';

export interface MockAccountOptions {
  clientId: string;
  clientSecret: string;
  /** `expires_in` of granted tokens, seconds (Deribit: 900 for a connection-scoped token). */
  tokenLifetimeSeconds?: number;
  /** `private/get_account_summary` result per currency (Deribit's field names). */
  summaries?: Record<string, Record<string, unknown>>;
  /** `private/get_positions` items at the start (Deribit's field names). */
  positions?: Record<string, unknown>[];
  /**
   * Recorded `private/pme/simulate` results (pmeReference.ts reads Deribit's published ones): a request whose
   * evaluated book (simulated positions, plus the account's when `add_positions` is not false) equals one of these
   * books gets its result; any other book an error, never invented numbers.
   */
  pmeResponses?: { currency: string; positions: Record<string, number>; result: Record<string, unknown> }[];
}

export type MockFault =
  | { method: string; error: { code: number; message: string; data?: unknown } }
  /** Executes the request, then drops the connection without replying. */
  | { method: string; dropReply: true }
  /** Drops the connection without executing the request (it never arrived). */
  | { method: string; dropRequest: true }
  /** Executes the request and never replies, the connection staying up (a client that dies waiting). */
  | { method: string; holdReply: true };

/** What the exchange needs from the server: its books, instruments, clock and connections. */
export interface ExchangePort {
  instrument(name: string): MockInstrument | undefined;
  /** The live book sides (price → amount) of an instrument, mutated by fills. */
  book(name: string): { bids: Map<number, number>; asks: Map<number, number> } | undefined;
  stamp(): number;
  reply(connection: object, id: unknown, result: unknown): void;
  replyError(connection: object, id: unknown, code: number, message: string, data?: unknown): void;
  drop(connection: object): void;
  /** Sends a notification on every open connection subscribed to `channel` (exact name). */
  notify(channel: string, data: unknown): void;
  subscribedChannels(): Iterable<string>;
}

export interface MockExchangeStats {
  auth: { client_credentials: number; refresh_token: number; refused: number };
  /** Orders accepted (each `private/buy` / `private/sell` that created an order). */
  ordersAccepted: number;
  /** Orders by label: how many times each label was accepted (a resent lost order would show 2). */
  ordersByLabel: Record<string, number>;
  faultsInjected: number;
  unauthorizedCalls: number;
}

interface MockOrder {
  order_id: string;
  order_state: 'open' | 'filled' | 'cancelled' | 'rejected';
  label: string;
  instrument_name: string;
  direction: 'buy' | 'sell';
  amount: number;
  filled_amount: number;
  average_price: number;
  price: number | 'market_price';
  order_type: 'limit' | 'market';
  post_only: boolean;
  reject_post_only?: boolean;
  reduce_only: boolean;
  commission: number;
  creation_timestamp: number;
  last_update_timestamp: number;
  cancel_reason?: string;
  time_in_force: string;
  api: boolean;
}

const ALL = 'any';

function settlementOf(instrument: string): string {
  const head = instrument.split('-', 1)[0]!;
  const underscore = head.indexOf('_');
  return underscore < 0 ? head : head.slice(underscore + 1);
}

function baseOf(instrument: string): string {
  return instrument.split('-', 1)[0]!.split('_', 1)[0]!;
}

export class MockExchange {
  readonly stats: MockExchangeStats = {
    auth: { client_credentials: 0, refresh_token: 0, refused: 0 },
    ordersAccepted: 0,
    ordersByLabel: {},
    faultsInjected: 0,
    unauthorizedCalls: 0,
  };
  private readonly authenticated = new WeakSet<object>();
  private readonly refreshTokens = new Set<string>();
  private readonly orders = new Map<string, MockOrder>();
  private readonly positions = new Map<string, Record<string, unknown>>();
  private readonly faults: MockFault[] = [];
  private readonly trades: Record<string, unknown>[] = [];
  private nextOrder = 1;
  private nextTrade = 1;
  private nextToken = 1;

  constructor(
    private readonly account: MockAccountOptions,
    private readonly port: ExchangePort,
  ) {
    for (const position of account.positions ?? []) this.positions.set(String(position.instrument_name), structuredClone(position));
  }

  /** Queues a fault for the next call of `fault.method` (faults of one method fire in order, once each). */
  inject(fault: MockFault): void {
    this.faults.push(fault);
  }

  /** Every order the exchange holds with this label. */
  ordersWithLabel(label: string): readonly Record<string, unknown>[] {
    return [...this.orders.values()].filter((order) => order.label === label).map((order) => ({ ...order }));
  }

  /** A counterparty trades against the resting order `label` (maker side): `amount` at its limit price. */
  fillResting(label: string, amount: number): void {
    const order = [...this.orders.values()].find((o) => o.label === label && o.order_state === 'open');
    if (!order || typeof order.price !== 'number') throw new Error(`mock exchange: no open limit order labelled ${label}`);
    const take = Math.min(amount, order.amount - order.filled_amount);
    const trade = this.execute(order, take, order.price, 'maker');
    this.publish(order, [trade]);
  }

  isAuthenticated(connection: object): boolean {
    return this.authenticated.has(connection);
  }

  /** Handles `public/auth` and `private/*`; false for anything else. */
  handle(connection: object, id: unknown, method: string, params: Record<string, unknown>): boolean {
    if (method !== 'public/auth' && !method.startsWith('private/')) return false;
    if (method === 'private/subscribe' || method === 'private/unsubscribe') return false; // the server's
    const faultIndex = this.faults.findIndex((fault) => fault.method === method);
    const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0]! : null;
    if (fault) this.stats.faultsInjected++;
    if (fault && 'error' in fault) {
      this.port.replyError(connection, id, fault.error.code, fault.error.message, fault.error.data);
      return true;
    }
    if (method === 'public/auth') {
      this.auth(connection, id, params);
      return true;
    }
    if (!this.authenticated.has(connection)) {
      this.stats.unauthorizedCalls++;
      this.port.replyError(connection, id, 13009, 'unauthorized');
      return true;
    }
    if (fault && 'dropRequest' in fault) {
      this.port.drop(connection);
      return true;
    }
    if (fault && 'holdReply' in fault) {
      try {
        this.run(method, params);
      } catch (error) {
        if (!(error instanceof RpcFailure)) throw error;
      }
      return true;
    }
    if (fault && 'dropReply' in fault) {
      // The request arrived and is executed, but the connection dies before anything is sent back on it.
      this.port.drop(connection);
      try {
        this.run(method, params);
      } catch (error) {
        if (!(error instanceof RpcFailure)) throw error;
      }
      return true;
    }
    let result: unknown;
    try {
      result = this.run(method, params);
    } catch (error) {
      if (error instanceof RpcFailure) {
        this.port.replyError(connection, id, error.code, error.message, error.data);
        return true;
      }
      throw error;
    }
    this.port.reply(connection, id, result);
    return true;
  }

  private auth(connection: object, id: unknown, params: Record<string, unknown>): void {
    const grant = params.grant_type;
    if (grant === 'client_credentials') {
      if (params.client_id !== this.account.clientId || params.client_secret !== this.account.clientSecret) {
        this.stats.auth.refused++;
        this.port.replyError(connection, id, 13004, 'invalid_credentials');
        return;
      }
      this.stats.auth.client_credentials++;
    } else if (grant === 'refresh_token') {
      if (typeof params.refresh_token !== 'string' || !this.refreshTokens.delete(params.refresh_token)) {
        this.stats.auth.refused++;
        this.port.replyError(connection, id, 13009, 'unauthorized', { reason: 'invalid refresh token' });
        return;
      }
      this.stats.auth.refresh_token++;
    } else {
      this.port.replyError(connection, id, -32602, 'Invalid params', { param: 'grant_type', reason: 'must be one of client_credentials, refresh_token' });
      return;
    }
    this.authenticated.add(connection);
    const n = this.nextToken++;
    const refresh = `mock-refresh-${n}`;
    this.refreshTokens.add(refresh);
    this.port.reply(connection, id, {
      access_token: `mock-access-${n}`,
      refresh_token: refresh,
      expires_in: this.account.tokenLifetimeSeconds ?? 900,
      scope: 'connection mainaccount account:read trade:read_write',
      token_type: 'bearer',
    });
  }

  private run(method: string, params: Record<string, unknown>): unknown {
    switch (method) {
      case 'private/buy':
      case 'private/sell':
        return this.place(method === 'private/buy' ? 'buy' : 'sell', params);
      case 'private/cancel': {
        const order = this.orders.get(String(params.order_id));
        if (!order) throw new RpcFailure(10004, 'order_not_found');
        if (order.order_state !== 'open') throw new RpcFailure(11044, 'not_open_order');
        this.cancel(order, 'user_request');
        return { ...order };
      }
      case 'private/cancel_by_label': {
        const open = [...this.orders.values()].filter((o) => o.label === params.label && o.order_state === 'open');
        for (const order of open) this.cancel(order, 'user_request');
        return open.length;
      }
      case 'private/get_order_state_by_label':
        return [...this.orders.values()]
          .filter((o) => o.label === params.label && settlementOf(o.instrument_name) === params.currency)
          .map((o) => ({ ...o }));
      case 'private/get_open_orders_by_currency':
        return [...this.orders.values()].filter((o) => o.order_state === 'open' && settlementOf(o.instrument_name) === params.currency).map((o) => ({ ...o }));
      case 'private/get_user_trades_by_order': {
        const order = this.orders.get(String(params.order_id));
        if (!order) throw new RpcFailure(10004, 'order_not_found');
        return this.trades.filter((trade) => trade.order_id === order.order_id).map((trade) => ({ ...trade }));
      }
      case 'private/get_positions':
        return [...this.positions.values()]
          .filter((p) => settlementOf(String(p.instrument_name)) === params.currency && (params.kind === undefined || params.kind === p.kind))
          .map((p) => structuredClone(p));
      case 'private/get_account_summary': {
        const summary = this.account.summaries?.[String(params.currency)];
        if (!summary) throw new RpcFailure(-32602, 'Invalid params', { param: 'currency', reason: `unknown currency ${String(params.currency)}` });
        return structuredClone(summary);
      }
      case 'private/pme/simulate':
        return this.pmeSimulate(params);
      default:
        throw new RpcFailure(-32601, 'Method not found');
    }
  }

  private pmeSimulate(params: Record<string, unknown>): unknown {
    const currency = params.currency;
    if (currency !== 'BTC' && currency !== 'ETH' && currency !== 'USDC' && currency !== 'USDT' && currency !== 'CROSS') {
      throw new RpcFailure(-32602, 'Invalid params', { param: 'currency', reason: 'must be one of BTC, ETH, USDC, USDT, CROSS' });
    }
    const simulated = params.simulated_positions ?? {};
    if (typeof simulated !== 'object' || simulated === null || Array.isArray(simulated) || !Object.values(simulated).every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new RpcFailure(-32602, 'Invalid params', { param: 'simulated_positions', reason: 'must be an object of instrument: size' });
    }
    // The evaluated book, base currency: the simulated sizes, plus the account's positions unless add_positions is false.
    const book: Record<string, number> = {};
    if (params.add_positions !== false) {
      for (const p of this.positions.values()) {
        if (baseOf(String(p.instrument_name)) !== currency) continue;
        const size = p.kind === 'future' ? p.size_currency : p.size;
        if (typeof size === 'number') book[String(p.instrument_name)] = (book[String(p.instrument_name)] ?? 0) + size;
      }
    }
    for (const [name, size] of Object.entries(simulated as Record<string, number>)) book[name] = (book[name] ?? 0) + size;
    const recorded = (this.account.pmeResponses ?? []).find((r) => r.currency === currency && sameBook(r.positions, book));
    if (!recorded) {
      throw new RpcFailure(-32602, 'Invalid params', { param: 'simulated_positions', reason: `mock exchange: no recorded pme/simulate result for this ${currency} book (${Object.keys(book).length} instruments)` });
    }
    return structuredClone(recorded.result);
  }

  private place(direction: 'buy' | 'sell', params: Record<string, unknown>): unknown {
    const name = params.instrument_name;
    const instrument = typeof name === 'string' ? this.port.instrument(name) : undefined;
    if (!instrument || typeof name !== 'string') throw new RpcFailure(-32602, 'Invalid params', { param: 'instrument_name', reason: 'wrong format' });
    const amount = params.amount;
    if (typeof amount !== 'number' || !(amount > 0)) throw new RpcFailure(-32602, 'Invalid params', { param: 'amount', reason: 'must be > 0' });
    const type = params.type ?? 'limit';
    if (type !== 'limit' && type !== 'market') throw new RpcFailure(-32602, 'Invalid params', { param: 'type', reason: 'unsupported' });
    let price = params.price;
    if (type === 'limit' && (typeof price !== 'number' || !(price > 0))) throw new RpcFailure(-32602, 'Invalid params', { param: 'price', reason: 'required' });
    const label = typeof params.label === 'string' ? params.label : '';
    if (label.length > 64) throw new RpcFailure(-32602, 'Invalid params', { param: 'label', reason: 'too long' });
    const book = this.port.book(name);
    const opposite = book ? (direction === 'buy' ? book.asks : book.bids) : new Map<number, number>();
    const levels = [...opposite.entries()].sort((a, b) => (direction === 'buy' ? a[0] - b[0] : b[0] - a[0]));
    const crosses = (level: number): boolean => type === 'market' || (direction === 'buy' ? level <= (price as number) : level >= (price as number));
    const postOnly = params.post_only === true;
    if (postOnly && levels.length > 0 && crosses(levels[0]![0])) {
      if (params.reject_post_only === true) throw new RpcFailure(11054, 'post_only_reject');
      const tick = Number(instrument.tick_size ?? 0.0005);
      price = direction === 'buy' ? levels[0]![0] - tick : levels[0]![0] + tick;
    }
    const now = this.port.stamp();
    const order: MockOrder = {
      order_id: `${baseOf(name)}-${this.nextOrder++}`,
      order_state: 'open',
      label,
      instrument_name: name,
      direction,
      amount,
      filled_amount: 0,
      average_price: 0,
      price: type === 'market' ? 'market_price' : (price as number),
      order_type: type,
      post_only: postOnly,
      reduce_only: params.reduce_only === true,
      commission: 0,
      creation_timestamp: now,
      last_update_timestamp: now,
      time_in_force: 'good_til_cancelled',
      api: true,
    };
    if (postOnly) order.reject_post_only = params.reject_post_only === true;
    this.orders.set(order.order_id, order);
    this.stats.ordersAccepted++;
    this.stats.ordersByLabel[label] = (this.stats.ordersByLabel[label] ?? 0) + 1;
    const trades: Record<string, unknown>[] = [];
    for (const [level, available] of levels) {
      const left = order.amount - order.filled_amount;
      if (left <= 0 || !crosses(level)) break;
      const take = Math.min(left, available);
      if (take >= available) opposite.delete(level);
      else opposite.set(level, available - take);
      trades.push(this.execute(order, take, level, 'taker'));
    }
    if (order.order_state === 'open' && type === 'market') {
      order.order_state = 'cancelled';
      order.cancel_reason = 'not_enough_liquidity';
    }
    this.publish(order, trades);
    return { order: { ...order }, trades };
  }

  /** One fill of `order`: updates it and the position; returns the trade in Deribit's shape. */
  private execute(order: MockOrder, amount: number, price: number, liquidity: 'maker' | 'taker'): Record<string, unknown> {
    const instrument = this.port.instrument(order.instrument_name)!;
    const commission = Number(liquidity === 'maker' ? (instrument.maker_commission ?? 0) : (instrument.taker_commission ?? 0));
    const fee = instrument.kind === 'option' ? Math.min(commission * amount, 0.125 * price * amount) : (commission * amount) / price;
    const filled = order.filled_amount + amount;
    order.average_price = (order.average_price * order.filled_amount + price * amount) / filled;
    order.filled_amount = filled;
    order.commission += fee;
    order.last_update_timestamp = this.port.stamp();
    if (filled >= order.amount) order.order_state = 'filled';
    this.movePosition(order, amount, price);
    const trade = {
      trade_id: String(this.nextTrade++),
      trade_seq: this.nextTrade,
      order_id: order.order_id,
      label: order.label,
      instrument_name: order.instrument_name,
      direction: order.direction,
      amount,
      price,
      fee,
      fee_currency: settlementOf(order.instrument_name),
      liquidity: liquidity === 'maker' ? 'M' : 'T',
      order_type: order.order_type,
      post_only: order.post_only,
      reduce_only: order.reduce_only,
      state: order.order_state,
      timestamp: order.last_update_timestamp,
      index_price: 0,
      mark_price: price,
      tick_direction: 0,
      self_trade: false,
      api: true,
    };
    this.trades.push(trade);
    return trade;
  }

  private movePosition(order: MockOrder, amount: number, price: number): void {
    const name = order.instrument_name;
    const instrument = this.port.instrument(name)!;
    const signed = order.direction === 'buy' ? amount : -amount;
    const position = this.positions.get(name) ?? {
      instrument_name: name,
      kind: instrument.kind,
      size: 0,
      average_price: 0,
      mark_price: price,
      index_price: price > 1 ? price : 1,
      floating_profit_loss: 0,
      realized_profit_loss: 0,
      total_profit_loss: 0,
      initial_margin: 0,
      maintenance_margin: 0,
      delta: 0,
    };
    const size = Number(position.size);
    const next = size + signed;
    // Adding to a position moves its average price; reducing it keeps it; crossing through zero starts afresh.
    if (Math.sign(signed) === Math.sign(size) || size === 0) position.average_price = (Number(position.average_price) * Math.abs(size) + price * amount) / Math.abs(next);
    else if (next !== 0 && Math.sign(next) !== Math.sign(size)) position.average_price = price;
    position.size = next;
    position.direction = next > 0 ? 'buy' : next < 0 ? 'sell' : 'zero';
    position.mark_price = price;
    if (instrument.kind === 'future') position.size_currency = next / price;
    this.positions.set(name, position);
  }

  private cancel(order: MockOrder, reason: string): void {
    order.order_state = 'cancelled';
    order.cancel_reason = reason;
    order.last_update_timestamp = this.port.stamp();
    this.publish(order, []);
  }

  /** `user.orders.{kind}.{currency}.raw` (the order) and `user.trades.{kind}.{currency}.raw` (the trades). */
  private publish(order: MockOrder, trades: Record<string, unknown>[]): void {
    const kind = String(this.port.instrument(order.instrument_name)?.kind ?? 'future');
    const currency = baseOf(order.instrument_name);
    const matches = (channel: string, prefix: string): boolean => {
      const parts = channel.split('.');
      if (`${parts[0]}.${parts[1]}` !== prefix || parts.length !== 5 || parts[4] !== 'raw') return false;
      return (parts[2] === ALL || parts[2] === kind) && (parts[3] === ALL || parts[3] === currency);
    };
    const channels = [...new Set(this.port.subscribedChannels())];
    for (const channel of channels) if (matches(channel, 'user.orders')) this.port.notify(channel, { ...order });
    if (trades.length === 0) return;
    for (const channel of channels) if (matches(channel, 'user.trades')) this.port.notify(channel, trades);
  }
}

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
  }
}
