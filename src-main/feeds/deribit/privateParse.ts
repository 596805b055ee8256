/**
 * Deribit API v2 private payloads (authentication, orders, trades, positions, account summaries) → typed values.
 *
 * Pure, like parse.ts: no IO, no clock. Every field that is used is validated and a bad payload yields a
 * {@link DeribitParseError} naming the path and the offending value, never a throw. Arrays (orders, trades,
 * positions) are validated item by item, so one bad item never loses the good ones next to it.
 *
 * Shapes (docs.deribit.com, v2.1.1):
 * - `public/auth` → `{ access_token, refresh_token, expires_in (s), scope, token_type }`;
 * - an order (`private/buy` → `{ order, trades }`, `private/cancel`, `private/get_order_state_by_label` → [order],
 *   `user.orders.*.raw` → order): `order_id`, `order_state` (open | filled | rejected | cancelled | untriggered),
 *   `label`, `instrument_name`, `direction`, `amount`, `filled_amount`, `average_price` (0 before a fill),
 *   `commission`, `last_update_timestamp`, optional `cancel_reason`;
 * - a trade (`user.trades.*` → [trade]): `trade_id`, `order_id`, `instrument_name`, `direction`, `amount`, `price`,
 *   `fee`, `fee_currency`, `timestamp`, `label`;
 * - a position (`private/get_positions` → [position]): `instrument_name`, `kind`, `direction`, `size` (signed:
 *   negative when short; contracts for options, USD for inverse futures), `average_price`, `mark_price`, P&L and
 *   margin fields in the settlement currency, greeks;
 * - an account summary (`private/get_account_summary`): `currency`, `equity`, `balance`, `margin_balance`,
 *   `initial_margin`, `maintenance_margin`, `available_funds`, `delta_total`, ... in that currency.
 *
 * Secrets never pass through here; tokens do (`AuthToken`), and nothing in this file puts them in a message.
 */
import type { Fill, OrderState, OrderStatus, Side } from '../../core/execution/venue';
import { epochMs, instrumentName, type InstrumentName } from '../../core/units';
import {
  DeribitParseError,
  fail,
  fieldError,
  NON_NEGATIVE,
  NON_NEGATIVE_INTEGER,
  ok,
  POSITIVE,
  Reader,
  SchemaViolation,
  type ParseResult,
} from './parse';

/** What `public/auth` grants. Tokens are secrets in their own right: never log them. */
export interface AuthToken {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  scope: string;
}

/** Validates a `public/auth` result. The error never quotes the token strings. */
export function parseAuthResult(result: unknown): ParseResult<AuthToken> {
  try {
    const r = Reader.of(result, 'result');
    const accessToken = r.raw('access_token');
    const refreshToken = r.raw('refresh_token');
    if (typeof accessToken !== 'string' || accessToken.length === 0) {
      return fail(new DeribitParseError('invalid_field', 'expected a non-empty token string', 'result.access_token'));
    }
    if (typeof refreshToken !== 'string' || refreshToken.length === 0) {
      return fail(new DeribitParseError('invalid_field', 'expected a non-empty token string', 'result.refresh_token'));
    }
    return ok({ accessToken, refreshToken, expiresInSeconds: r.number('expires_in', POSITIVE), scope: r.optionalString('scope') ?? '' });
  } catch (error) {
    return fail(fieldError(error, null, null));
  }
}

const ORDER_STATES = ['open', 'filled', 'rejected', 'cancelled', 'untriggered'] as const satisfies readonly OrderStatus[];
const DIRECTIONS = ['buy', 'sell'] as const satisfies readonly Side[];

/**
 * The currency fees and margins of an instrument are paid in: the base coin for inverse instruments
 * (`BTC-PERPETUAL` → BTC), the quote for linear ones (`BTC_USDC-PERPETUAL`, `SOL_USDC-…` → USDC).
 */
export function settlementCurrency(instrument: string): string {
  const head = instrument.split('-', 1)[0]!;
  const underscore = head.indexOf('_');
  return underscore < 0 ? head : head.slice(underscore + 1);
}

function readOrder(raw: unknown, base: string, index = -1): OrderState {
  const o = Reader.of(raw, base, index);
  const instrument: InstrumentName = instrumentName(o.string('instrument_name'));
  const filledAmount = o.number('filled_amount', NON_NEGATIVE);
  const average = o.optionalNumber('average_price', NON_NEGATIVE);
  const status = o.oneOf('order_state', ORDER_STATES);
  const state: OrderState = {
    label: typeof o.raw('label') === 'string' ? (o.raw('label') as string) : '',
    orderId: o.string('order_id'),
    instrument,
    side: o.oneOf('direction', DIRECTIONS),
    amount: o.number('amount', POSITIVE),
    filledAmount,
    // Deribit reports 0 before the first fill.
    averagePrice: filledAmount > 0 && average !== null ? average : null,
    status,
    fee: o.optionalNumber('commission') ?? 0,
    feeCurrency: settlementCurrency(instrument),
    updatedMs: epochMs(o.number(o.has('last_update_timestamp') ? 'last_update_timestamp' : 'creation_timestamp', NON_NEGATIVE_INTEGER)),
  };
  const cancelReason = o.optionalString('cancel_reason');
  if ((status === 'cancelled' || status === 'rejected') && cancelReason !== null && cancelReason !== 'user_request') state.reason = cancelReason;
  return state;
}

function readTrade(raw: unknown, base: string, index: number): Fill {
  const t = Reader.of(raw, base, index);
  return {
    label: typeof t.raw('label') === 'string' ? (t.raw('label') as string) : '',
    orderId: t.string('order_id'),
    tradeId: t.string('trade_id'),
    instrument: instrumentName(t.string('instrument_name')),
    side: t.oneOf('direction', DIRECTIONS),
    amount: t.number('amount', POSITIVE),
    price: t.number('price', NON_NEGATIVE),
    fee: t.number('fee'),
    feeCurrency: t.string('fee_currency'),
    timestampMs: t.timestamp(),
  };
}

/** One order object (`path` names where it sits, for the error). */
export function parseOrder(raw: unknown, path = 'result'): ParseResult<OrderState> {
  try {
    return ok(readOrder(raw, path));
  } catch (error) {
    return fail(fieldError(error, null, null));
  }
}

/** Items that passed and the errors of those that did not (each naming its index). */
export interface ParsedItems<T> {
  items: T[];
  errors: DeribitParseError[];
}

function parseItems<T>(raw: unknown, base: string, read: (item: unknown, base: string, index: number) => T, channel: string | null): ParsedItems<T> {
  if (!Array.isArray(raw)) {
    return { items: [], errors: [new DeribitParseError('invalid_field', `expected an array, got ${raw === null ? 'null' : typeof raw}`, base, channel)] };
  }
  const out: ParsedItems<T> = { items: [], errors: [] };
  for (let index = 0; index < raw.length; index++) {
    try {
      out.items.push(read(raw[index], base, index));
    } catch (error) {
      out.errors.push(fieldError(error, channel, null));
    }
  }
  return out;
}

/** A list of orders (`private/get_order_state_by_label`, `private/get_open_orders_by_currency`). */
export function parseOrders(raw: unknown, path = 'result'): ParsedItems<OrderState> {
  return parseItems(raw, path, readOrder, null);
}

/** Trades (`user.trades.*` notifications, the `trades` of a `private/buy` reply). */
export function parseTrades(raw: unknown, path = 'data', channel: string | null = null): ParsedItems<Fill> {
  return parseItems(raw, path, readTrade, channel);
}

/** The reply to `private/buy` / `private/sell`: the order as it stands and the trades it made at once. */
export interface OrderReply {
  order: OrderState;
  fills: Fill[];
  /** Trades in the reply that failed validation (the order itself passed). */
  errors: DeribitParseError[];
}

export function parseOrderReply(result: unknown): ParseResult<OrderReply> {
  try {
    const r = Reader.of(result, 'result');
    const order = readOrder(r.raw('order'), 'result.order');
    const trades = r.has('trades') ? parseTrades(r.raw('trades'), 'result.trades') : { items: [], errors: [] };
    return ok({ order, fills: trades.items, errors: trades.errors });
  } catch (error) {
    return fail(fieldError(error, null, null));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Account

export type PositionKind = 'option' | 'future' | 'spot' | 'future_combo' | 'option_combo';
const POSITION_KINDS = ['option', 'future', 'spot', 'future_combo', 'option_combo'] as const satisfies readonly PositionKind[];

/** One `private/get_positions` item. Money fields are in {@link AccountPosition.currency}. */
export interface AccountPosition {
  instrument: InstrumentName;
  kind: PositionKind;
  /** Settlement currency (BTC, ETH, USDC), where P&L and margins are counted. */
  currency: string;
  /** Signed: negative when short. Options: contracts (coin); inverse futures and perpetuals: USD. */
  size: number;
  /** Futures only: the size in coin (`size_currency`); null for options. */
  sizeCoin: number | null;
  /** In the instrument's quote currency: coin for inverse options, USD for inverse futures. */
  averagePrice: number;
  /** Options: the average price in USD (`average_price_usd`); null where Deribit does not send it. */
  averagePriceUsd: number | null;
  markPrice: number;
  indexPrice: number;
  floatingPnl: number;
  realizedPnl: number;
  totalPnl: number;
  initialMargin: number;
  maintenanceMargin: number;
  /** Deribit's delta of the position, in coin. */
  delta: number;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
}

function readPosition(raw: unknown, base: string, index: number): AccountPosition {
  const p = Reader.of(raw, base, index);
  const instrument = instrumentName(p.string('instrument_name'));
  const direction = p.oneOf('direction', ['buy', 'sell', 'zero'] as const);
  const size = p.number('size');
  if ((direction === 'sell' && size > 0) || (direction === 'buy' && size < 0)) {
    throw new SchemaViolation(p.at('size'), `a ${direction} position must not have size ${size}`);
  }
  return {
    instrument,
    kind: p.oneOf('kind', POSITION_KINDS),
    currency: settlementCurrency(instrument),
    size,
    sizeCoin: p.optionalNumber('size_currency'),
    averagePrice: p.number('average_price', NON_NEGATIVE),
    averagePriceUsd: p.optionalNumber('average_price_usd', NON_NEGATIVE),
    markPrice: p.number('mark_price', NON_NEGATIVE),
    indexPrice: p.number('index_price', POSITIVE),
    floatingPnl: p.number('floating_profit_loss'),
    realizedPnl: p.optionalNumber('realized_profit_loss') ?? 0,
    totalPnl: p.number('total_profit_loss'),
    initialMargin: p.number('initial_margin', NON_NEGATIVE),
    maintenanceMargin: p.number('maintenance_margin', NON_NEGATIVE),
    delta: p.number('delta'),
    gamma: p.optionalNumber('gamma'),
    vega: p.optionalNumber('vega'),
    theta: p.optionalNumber('theta'),
  };
}

export function parsePositions(raw: unknown, path = 'result'): ParsedItems<AccountPosition> {
  return parseItems(raw, path, readPosition, null);
}

/** `private/get_account_summary`: balances and margins of one currency, in that currency. */
export interface AccountSummary {
  currency: string;
  equity: number;
  balance: number;
  marginBalance: number;
  initialMargin: number;
  maintenanceMargin: number;
  availableFunds: number;
  /** Sum of the position deltas, in coin (`delta_total`). */
  deltaTotal: number;
  /** `cross_pm`, `segregated_sm`, ... (`margin_model`); null when absent. */
  marginModel: string | null;
  /** Unrealized P&L of the session (`session_upl`) and total P&L (`total_pl`). */
  sessionUpl: number;
  totalPl: number;
}

export function parseAccountSummary(result: unknown): ParseResult<AccountSummary> {
  try {
    const r = Reader.of(result, 'result');
    return ok({
      currency: r.string('currency'),
      equity: r.number('equity'),
      balance: r.number('balance'),
      marginBalance: r.number('margin_balance'),
      initialMargin: r.number('initial_margin', NON_NEGATIVE),
      maintenanceMargin: r.number('maintenance_margin', NON_NEGATIVE),
      availableFunds: r.number('available_funds'),
      deltaTotal: r.optionalNumber('delta_total') ?? 0,
      marginModel: r.optionalString('margin_model'),
      sessionUpl: r.optionalNumber('session_upl') ?? 0,
      totalPl: r.optionalNumber('total_pl') ?? 0,
    });
  } catch (error) {
    return fail(fieldError(error, null, null));
  }
}

