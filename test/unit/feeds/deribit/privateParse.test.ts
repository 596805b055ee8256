/**
 * The private-payload parsers: documented shapes in, typed values out; every bad field named by its path and value,
 * the good items next to a bad one kept.
 */
import { describe, expect, it } from 'vitest';
import {
  parseAccountSummary,
  parseAuthResult,
  parseOrder,
  parseOrderReply,
  parseOrders,
  parsePositions,
  parseTrades,
  settlementCurrency,
} from '../../../../src-main/feeds/deribit/privateParse';

/**
 * The example reply of `private/get_order_state_by_label` in Deribit's API reference (currency ETH, label
 * "fooBar"), as mirrored at docs.cdp.coinbase.com/api-reference/trading/private-get_order_state_by_label.
 */
const DOCUMENTED_ORDER = {
  amount: 37,
  api: false,
  average_price: 118.94,
  creation_timestamp: 1550219749176,
  direction: 'sell',
  filled_amount: 37,
  instrument_name: 'ETH-PERPETUAL',
  is_liquidation: false,
  is_rebalance: false,
  label: 'fooBar',
  last_update_timestamp: 1550219810944,
  max_show: 37,
  order_id: 'ETH-331562',
  order_state: 'filled',
  order_type: 'limit',
  post_only: false,
  price: 118.94,
  reduce_only: false,
  time_in_force: 'good_til_cancelled',
};

describe('orders', () => {
  it("reads Deribit's documented get_order_state_by_label example", () => {
    const parsed = parseOrders([DOCUMENTED_ORDER]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.items).toEqual([
      {
        label: 'fooBar',
        orderId: 'ETH-331562',
        instrument: 'ETH-PERPETUAL',
        side: 'sell',
        amount: 37,
        filledAmount: 37,
        averagePrice: 118.94,
        status: 'filled',
        fee: 0, // the example carries no `commission`
        feeCurrency: 'ETH',
        updatedMs: 1550219810944,
      },
    ]);
  });

  it('an open order with nothing filled has no average price (Deribit sends 0); a cancel reason is kept', () => {
    const open = parseOrder({ ...DOCUMENTED_ORDER, order_state: 'open', filled_amount: 0, average_price: 0 });
    expect(open.ok && open.value.averagePrice).toBeNull();
    const cancelled = parseOrder({ ...DOCUMENTED_ORDER, order_state: 'cancelled', cancel_reason: 'mmp_trigger' });
    expect(cancelled.ok && cancelled.value.reason).toBe('mmp_trigger');
    const byUser = parseOrder({ ...DOCUMENTED_ORDER, order_state: 'cancelled', cancel_reason: 'user_request' });
    expect(byUser.ok && byUser.value.reason).toBeUndefined();
  });

  it('a bad item is refused by path and value, the good ones kept', () => {
    const parsed = parseOrders([DOCUMENTED_ORDER, { ...DOCUMENTED_ORDER, order_state: 'archived?' }, { ...DOCUMENTED_ORDER, amount: -1 }, 'x']);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.errors.map((e) => e.message)).toEqual([
      'invalid_field at result[1].order_state: expected one of open, filled, rejected, cancelled, untriggered, got "archived?" (string)',
      'invalid_field at result[2].amount: expected a number > 0, got -1',
      'invalid_field at result[3]: expected an object, got "x" (string)',
    ]);
    expect(parseOrders({ not: 'a list' }).errors[0]!.message).toBe('invalid_field at result: expected an array, got object');
  });

  it('a buy/sell reply gives the order and its trades; a bad trade is reported, the order kept', () => {
    const trade = {
      trade_id: '48079269', order_id: 'ETH-331562', label: 'fooBar', instrument_name: 'ETH-PERPETUAL', direction: 'sell',
      amount: 37, price: 118.94, fee: 0.000155, fee_currency: 'ETH', timestamp: 1550219810944,
    };
    const reply = parseOrderReply({ order: DOCUMENTED_ORDER, trades: [trade, { ...trade, fee: 'NaN' }] });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.value.fills).toEqual([
      { label: 'fooBar', orderId: 'ETH-331562', tradeId: '48079269', instrument: 'ETH-PERPETUAL', side: 'sell', amount: 37, price: 118.94, fee: 0.000155, feeCurrency: 'ETH', timestampMs: 1550219810944 },
    ]);
    expect(reply.value.errors.map((e) => e.message)).toEqual(['invalid_field at result.trades[1].fee: expected a finite number, got "NaN" (string)']);
    const noOrder = parseOrderReply({ trades: [] });
    expect(!noOrder.ok && noOrder.error.message).toBe('invalid_field at result.order: expected an object, got nothing (field missing)');
  });

  it('trade notifications name the channel of a bad item', () => {
    const parsed = parseTrades([{ trade_id: '1' }], 'data', 'user.trades.any.any.raw');
    expect(parsed.errors[0]!.message).toBe('invalid_field on user.trades.any.any.raw at data[0].order_id: expected a non-empty string, got nothing (field missing)');
  });
});

describe('authentication', () => {
  it('reads the token and its lifetime; a bad reply names the field and never quotes a token', () => {
    const granted = parseAuthResult({ access_token: 'acc-1', refresh_token: 'ref-1', expires_in: 900, scope: 'connection', token_type: 'bearer' });
    expect(granted).toEqual({ ok: true, value: { accessToken: 'acc-1', refreshToken: 'ref-1', expiresInSeconds: 900, scope: 'connection' } });
    const noRefresh = parseAuthResult({ access_token: 'acc-SECRET', expires_in: 900 });
    expect(!noRefresh.ok && noRefresh.error.message).toBe('invalid_field at result.refresh_token: expected a non-empty token string');
    const badLifetime = parseAuthResult({ access_token: 'acc-SECRET', refresh_token: 'ref-SECRET', expires_in: 0 });
    expect(!badLifetime.ok && badLifetime.error.message).toBe('invalid_field at result.expires_in: expected a number > 0, got 0');
    expect(JSON.stringify([noRefresh, badLifetime])).not.toContain('SECRET');
  });
});

describe('account', () => {
  const position = {
    instrument_name: 'BTC-27DEC24-60000-C', kind: 'option', direction: 'sell', size: -2, average_price: 0.05, average_price_usd: 3100,
    mark_price: 0.045, index_price: 62000, floating_profit_loss: 0.01, realized_profit_loss: 0, total_profit_loss: 0.01,
    initial_margin: 0.3, maintenance_margin: 0.2, delta: -1.1, gamma: -0.00002, vega: -150, theta: 80,
  };

  it('reads positions with signed sizes and optional greeks; inconsistent ones are refused by field', () => {
    const parsed = parsePositions([position, { ...position, size: 2 }, { ...position, kind: 'swap' }, { ...position, instrument_name: 'BTC_USDC-PERPETUAL', kind: 'future', direction: 'buy', size: 0.5, gamma: undefined }]);
    expect(parsed.items.map((p) => [p.instrument, p.size, p.currency, p.gamma])).toEqual([
      ['BTC-27DEC24-60000-C', -2, 'BTC', -0.00002],
      ['BTC_USDC-PERPETUAL', 0.5, 'USDC', null],
    ]);
    expect(parsed.errors.map((e) => e.message)).toEqual([
      'invalid_field at result[1].size: a sell position must not have size 2',
      'invalid_field at result[2].kind: expected one of option, future, spot, future_combo, option_combo, got "swap" (string)',
    ]);
  });

  it('reads the account summary; a missing equity is named', () => {
    const summary = { currency: 'BTC', equity: 3.2, balance: 3, margin_balance: 3.1, initial_margin: 0.4, maintenance_margin: 0.3, available_funds: 2.7, delta_total: 0.2, margin_model: 'cross_pm' };
    expect(parseAccountSummary(summary)).toEqual({
      ok: true,
      value: { currency: 'BTC', equity: 3.2, balance: 3, marginBalance: 3.1, initialMargin: 0.4, maintenanceMargin: 0.3, availableFunds: 2.7, deltaTotal: 0.2, marginModel: 'cross_pm', sessionUpl: 0, totalPl: 0 },
    });
    const missing = parseAccountSummary({ ...summary, equity: undefined });
    expect(!missing.ok && missing.error.message).toBe('invalid_field at result.equity: expected a finite number, got nothing (field missing)');
  });

  it('settlement currency: the coin for inverse instruments, the quote for linear ones', () => {
    expect(['BTC-PERPETUAL', 'ETH-27DEC24-3000-P', 'BTC_USDC-PERPETUAL', 'XRP_USDC-30AUG24-0d625-C'].map(settlementCurrency)).toEqual(['BTC', 'ETH', 'USDC', 'USDC']);
  });
});
