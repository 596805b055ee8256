/**
 * Pins what the fast paths of the Deribit parsers must keep: every field the ticker reads by name reports its own
 * path when wrong, the channel scanner accepts and refuses exactly what splitting on '.' would, lazily built paths
 * of array items are right, and the memo tables (instrument names, refusals per channel) never change a result.
 * Payloads are the recorded tardis-node fixtures (../shared/data) and hand-made variants of them.
 */
import { describe, expect, it } from 'vitest';
import { parseChannel, parseNotification, parseTicker, type DeribitParseError, type ParsedNotification } from '../../../../src-main/feeds/deribit/parse';
import { recordedCases } from '../../../mock-deribit/scenario';

const TS_RECV = Date.UTC(2024, 0, 1);
const CASES = recordedCases();
const recorded = (channel: string): Record<string, unknown> =>
  CASES.find((c) => c.input_native_message.params.channel === channel)!.input_native_message.params.data as Record<string, unknown>;
const errorOf = (parsed: ParsedNotification): DeribitParseError => {
  expect(parsed.rejected).toHaveLength(1);
  return parsed.rejected[0]!;
};

describe('ticker fields read by name', () => {
  it('perpetual and linear-future tickers: every used field reports its own path when it has the wrong type', () => {
    const perpetual = recorded('ticker.BTC-PERPETUAL.raw');
    const fields = ['instrument_name', 'timestamp', 'mark_price', 'best_bid_price', 'best_bid_amount', 'best_ask_price', 'best_ask_amount', 'index_price', 'open_interest', 'current_funding', 'funding_8h', 'estimated_delivery_price'];
    for (const field of fields) {
      const bad = { ...perpetual, [field]: field === 'instrument_name' ? 42 : 'x' };
      const error = errorOf(parseNotification('ticker.BTC-PERPETUAL.100ms', bad, TS_RECV));
      expect([error.code, error.path], field).toEqual(['invalid_field', `data.${field}`]);
    }
    const linear = { ...perpetual, instrument_name: 'BTC_USDC-27DEC24' };
    for (const field of ['mark_price', 'index_price', 'open_interest', 'best_ask_amount']) {
      const error = errorOf(parseNotification('ticker.BTC_USDC-27DEC24.100ms', { ...linear, [field]: -1 }, TS_RECV));
      expect(error.path, field).toBe(`data.${field}`);
    }
  });

  it('an expired option checks delivery_price (positive)', () => {
    const expired = recorded('ticker.BTC-8JUN20-8750-P.raw');
    const error = errorOf(parseNotification('ticker.BTC-8JUN20-8750-P.raw', { ...expired, delivery_price: 0 }, TS_RECV));
    expect(error.path).toBe('data.delivery_price');
    expect(error.reason).toBe('expected a number > 0, got 0');
  });
});

describe('channel scanner', () => {
  const reasonOf = (channel: string): string => {
    const result = parseChannel(channel);
    if (result.ok) throw new Error(`accepted ${channel}`);
    expect(result.error.code).toBe('unsupported_channel');
    return result.error.reason;
  };

  it('refuses every empty part, wherever it is', () => {
    for (const channel of ['', '.', 'ticker.', '.ticker.BTC-PERPETUAL.raw', 'ticker.BTC-PERPETUAL.raw.', 'ticker..raw', 'trades.option..100ms']) {
      expect(reasonOf(channel), channel).toBe(`channel "${channel}" has an empty part`);
    }
  });

  it('matches the head and the part count exactly', () => {
    for (const channel of ['ticker', 'ticker.BTC-PERPETUAL', 'ticker.BTC-PERPETUAL.raw.x', 'book.BTC-PERPETUAL.none.10', 'book.a.b.c.d.e', 'trades.a.b.c.d', 'markprice.option.btc_usd', 'markprice.options', 'deribit_price_index.btc_usd.x', 'instrument.state.any', 'instrument.status.any.any', 'tickers.BTC-PERPETUAL.raw']) {
      expect(reasonOf(channel), channel).toBe(`channel "${channel}" is not one this adapter handles`);
    }
    expect(reasonOf('book.BTC-PERPETUAL.none.10.100ms')).toMatch(/grouped/);
    expect(parseChannel('trades.option.BTC.100ms')).toEqual({ ok: true, value: { kind: 'trades_kind', instrumentKind: 'option', currency: 'BTC', interval: '100ms' } });
    expect(parseChannel('instrument.state.option.ETH')).toEqual({ ok: true, value: { kind: 'instrument_state', instrumentKind: 'option', currency: 'ETH' } });
  });
});

describe('array items', () => {
  it('name the item index in the path, for refused names and for bad fields', () => {
    const trade = { trade_id: '1', timestamp: 1, price: 0.01, instrument_name: 'BTC-5JUN20-9250-C', index_price: 9434.36, direction: 'buy', amount: 1 };
    const parsed = parseNotification('trades.option.BTC.100ms', [trade, { ...trade, instrument_name: 'BTC-STRD-5JUN20-9250' }, { ...trade, amount: 0 }, 'x'], TS_RECV);
    expect(parsed.events).toHaveLength(1);
    expect(parsed.rejected.map((e) => [e.code, e.path, e.instrument])).toEqual([
      ['unsupported_instrument', 'data[1].instrument_name', 'BTC-STRD-5JUN20-9250'],
      ['invalid_field', 'data[2].amount', 'BTC-5JUN20-9250-C'],
      ['invalid_field', 'data[3]', null],
    ]);
  });
});

describe('memo tables', () => {
  it('give the same result the second time, for good and refused inputs alike', () => {
    for (const c of CASES) {
      const { channel, data } = c.input_native_message.params;
      const first = parseNotification(channel, structuredClone(data), TS_RECV);
      const second = parseNotification(channel, structuredClone(data), TS_RECV);
      expect(second, channel).toEqual(first);
      expect(second.rejected.map((e) => e.message), channel).toEqual(first.rejected.map((e) => e.message));
    }
  });

  it('share a refusal per channel only while it is the same refusal, and keep it frozen', () => {
    const quote = errorOf(parseNotification('quote.BTC-PERPETUAL', {}, TS_RECV));
    expect(errorOf(parseNotification('quote.BTC-PERPETUAL', {}, TS_RECV))).toBe(quote);
    expect(Object.isFrozen(quote)).toBe(true);
    expect([quote.code, quote.channel, quote.path, quote.instrument]).toEqual(['unsupported_channel', 'quote.BTC-PERPETUAL', '', null]);
    const combo = errorOf(parseNotification('ticker.BTC-STRD-30SEP22-20000.raw', {}, TS_RECV));
    expect([combo.code, combo.path, combo.instrument]).toEqual(['unsupported_instrument', 'channel', 'BTC-STRD-30SEP22-20000']);
    // Same channel, another instrument (parseTicker called directly): a refusal of its own, not the shared one.
    const other = errorOf(parseTicker('ticker.BTC-STRD-30SEP22-20000.raw', 'BTC-CSR12-16SEP22-21000_23000', {}, TS_RECV));
    expect(other.instrument).toBe('BTC-CSR12-16SEP22-21000_23000');
    expect(other.message).toMatch(/CSR12/);
    expect(errorOf(parseNotification('ticker.BTC-STRD-30SEP22-20000.raw', {}, TS_RECV)).instrument).toBe('BTC-STRD-30SEP22-20000');
    // A malformed name in the channel is refused as malformed, every time.
    const bad = errorOf(parseNotification('ticker.BTC-32JAN20-1-C.raw', {}, TS_RECV));
    expect([bad.code, bad.path, bad.malformed]).toEqual(['invalid_field', 'channel', true]);
    expect(errorOf(parseNotification('ticker.BTC-32JAN20-1-C.raw', {}, TS_RECV)).message).toBe(bad.message);
  });
});
