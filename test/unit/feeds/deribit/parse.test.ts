/**
 * The Deribit parsers against the 18 real recorded Deribit v2 notifications of
 * ../shared/data/tardis-node_deribit_ws_messages_with_normalized.json, compared with tardis-node's normalized
 * output where the fields overlap (prices, IVs, amounts, sides), plus Deribit's documented `get_instruments`
 * examples and hand-made malformed payloads.
 */
import { describe, expect, it } from 'vitest';
import type { FutureTickerEvent, MarketEvent, OptionTickerEvent, TradeEvent } from '../../../../src-main/core/market/events';
import { epochMs } from '../../../../src-main/core/units';
import {
  applyOptionMark,
  parseBook,
  parseChannel,
  parseFrame,
  parseInstrument,
  parseInstruments,
  parseInstrumentState,
  parseNotification,
  parseTicker,
  type BookLevelChange,
  type DeribitParseError,
  type OptionMarkUpdate,
  type ParsedNotification,
} from '../../../../src-main/feeds/deribit/parse';
import { recordedCases, type RecordedCase } from '../../../mock-deribit/scenario';

const TS_RECV = Date.UTC(2024, 0, 1);
const CASES = recordedCases();

function parseCase(c: RecordedCase): ParsedNotification {
  const frame = parseFrame(JSON.stringify(c.input_native_message));
  if (!frame.ok) throw frame.error;
  if (frame.value.kind !== 'subscription') throw new Error(`not a notification: ${frame.value.kind}`);
  return parseNotification(frame.value.channel, frame.value.data, TS_RECV);
}

const channelOf = (c: RecordedCase): string => c.input_native_message.params.channel;
const ofType = <T extends MarketEvent>(events: MarketEvent[], type: T['type']): T[] => events.filter((e): e is T => e.type === type);
const tardis = (c: RecordedCase, type: string): Record<string, unknown>[] => c.expected_tardis_normalized_output.filter((o) => o.type === type);
const errorOf = (parsed: ParsedNotification): DeribitParseError => {
  expect(parsed.rejected).toHaveLength(1);
  return parsed.rejected[0]!;
};

describe('recorded Deribit notifications (tardis-node fixtures)', () => {
  it('has the 18 recorded cases', () => {
    expect(CASES).toHaveLength(18);
  });

  it('parses every recorded message: no malformed input, only the unsupported ones refused with a reason', () => {
    for (const c of CASES) {
      const parsed = parseCase(c);
      const channel = channelOf(c);
      for (const error of parsed.rejected) expect(error.malformed, `${channel}: ${error.message}`).toBe(false);
      const produced = parsed.events.length + (parsed.book ? 1 : 0);
      if (channel.startsWith('quote.')) {
        expect(parsed.rejected.map((e) => e.code)).toEqual(['unsupported_channel']);
      } else if (/STRD|CSR12|-FS-/.test(channel)) {
        // Combos: tardis-node maps them to derivative tickers; this engine does not model combos.
        expect(parsed.rejected.map((e) => e.code), channel).toEqual(['unsupported_instrument']);
        expect(parsed.rejected[0]!.reason).toMatch(/combo/);
      } else {
        expect(parsed.rejected, channel).toEqual([]);
        expect(produced, channel).toBeGreaterThan(0);
      }
    }
  });

  it('trades: id, price, amount and taker side as tardis-node; liquidation flag where tardis emits a liquidation', () => {
    const tradeCases = CASES.filter((c) => channelOf(c).startsWith('trades.'));
    expect(tradeCases).toHaveLength(3);
    for (const c of tradeCases) {
      const trades = ofType<TradeEvent>(parseCase(c).events, 'trade');
      const expected = tardis(c, 'trade');
      expect(trades).toHaveLength(expected.length);
      const liquidated = new Set(tardis(c, 'liquidation').map((l) => l.id));
      trades.forEach((trade, i) => {
        const t = expected[i]!;
        expect(trade.tradeId).toBe(t.id);
        expect(trade.instrument).toBe(t.symbol);
        expect(trade.price).toBe(t.price);
        expect(trade.amount).toBe(t.amount); // perpetual: USD
        expect(trade.takerSide).toBe(t.side);
        expect(trade.tsEvent).toBe(Date.parse(t.timestamp as string));
        expect(trade.tsRecv).toBe(TS_RECV);
        expect(trade.priceUnit).toBe('usd');
        expect(trade.iv).toBeNull();
        expect(trade.blockTradeId).toBeNull();
        expect(trade.liquidation).toBe(liquidated.has(t.id));
      });
    }
    // Both recorded liquidation flags ("T" and "M") are read as liquidations.
    expect(CASES.filter((c) => JSON.stringify(c.input_native_message).includes('"liquidation"'))).toHaveLength(2);
  });

  it('option tickers: coin prices, decimal IVs, sizes, forward and open interest as tardis-node', () => {
    const optionCases = CASES.filter((c) => tardis(c, 'option_summary').length > 0);
    expect(optionCases).toHaveLength(5);
    for (const c of optionCases) {
      const parsed = parseCase(c);
      const [ticker] = ofType<OptionTickerEvent>(parsed.events, 'option_ticker');
      const t = tardis(c, 'option_summary')[0]!;
      const data = c.input_native_message.params.data as Record<string, number>;
      const name = ticker!.instrument;
      // Tardis upper-cases the symbol (MATIC_USDC-9MAR24-1D02-C); Deribit's name keeps the lower-case d.
      expect(name.toUpperCase()).toBe(t.symbol);
      const linear = name.includes('_USDC');
      const toCoin = linear ? 1 / (t.underlyingPrice as number) : 1;
      expect(ticker!.markCoin, name).toBeCloseTo((t.markPrice as number) * toCoin, 15);
      expect(ticker!.markIv, name).toBeCloseTo((t.markIV as number) / 100, 15);
      expect(ticker!.bidCoin, name).toBe(t.bestBidPrice === null ? null : (t.bestBidPrice as number) * toCoin);
      expect(ticker!.askCoin, name).toBe(t.bestAskPrice === null ? null : (t.bestAskPrice as number) * toCoin);
      expect(ticker!.bidAmount, name).toBe(t.bestBidAmount ?? 0);
      expect(ticker!.askAmount, name).toBe(t.bestAskAmount ?? 0);
      expect(ticker!.bidIv, name).toBe(t.bestBidIV === null ? null : (t.bestBidIV as number) / 100);
      // Tardis keeps a 500 % ask IV on a book with no ask (the expired put); without an ask there is no ask IV.
      expect(ticker!.askIv, name).toBe(t.bestAskIV === null || t.bestAskPrice === null ? null : (t.bestAskIV as number) / 100);
      expect(ticker!.underlyingPriceUsd, name).toBe(t.underlyingPrice);
      expect(ticker!.underlyingIndex, name).toBe(t.underlyingIndex);
      expect(ticker!.openInterest, name).toBe(t.openInterest);
      expect(ticker!.indexPriceUsd, name).toBe(data.index_price);
      expect(ticker!.tsEvent, name).toBe(Date.parse(t.timestamp as string));
    }
  });

  it('the expired option (estimated_delivery_price "expired") yields its final ticker and an expiry notice', () => {
    const c = CASES.find((x) => channelOf(x) === 'ticker.BTC-8JUN20-8750-P.raw')!;
    const parsed = parseCase(c);
    expect(parsed.expired).toEqual([{ instrument: 'BTC-8JUN20-8750-P', deliveryPriceUsd: 9728.65, tsEvent: 1591603200048 }]);
    const [ticker] = ofType<OptionTickerEvent>(parsed.events, 'option_ticker');
    expect(ticker).toMatchObject({ markCoin: 0, bidCoin: null, askCoin: null, bidIv: null, askIv: null, markIv: 0.7 });
    // The live ones are not expired.
    for (const name of ['BTC-5JUN20-9250-C', 'ETH-5JUN20-310-P', 'ETH-10JUN20-270-C']) {
      expect(parseCase(CASES.find((x) => channelOf(x) === `ticker.${name}.raw`)!).expired).toEqual([]);
    }
  });

  it('refuses a ticker the shared event rules refuse (a mark IV of 0) as invalid_field', () => {
    const c = CASES.find((x) => channelOf(x) === 'ticker.BTC-5JUN20-9250-C.raw')!;
    const data = c.input_native_message.params.data as Record<string, unknown>;
    const parsed = parseNotification(channelOf(c), { ...data, mark_iv: 0 }, TS_RECV);
    expect(parsed.events).toEqual([]);
    expect(parsed.rejected.map((e) => [e.code, e.reason])).toEqual([['invalid_field', 'BTC-5JUN20-9250-C: mark IV 0 is not > 0']]);
  });

  it('the linear USDC option (strike 1d02) is converted to coin-equivalent at its forward', () => {
    const c = CASES.find((x) => channelOf(x) === 'ticker.MATIC_USDC-9MAR24-1d02-C.raw')!;
    const [ticker] = ofType<OptionTickerEvent>(parseCase(c).events, 'option_ticker');
    expect(ticker!.markCoin * ticker!.underlyingPriceUsd).toBeCloseTo(0.139, 15);
    expect(ticker!.markIv).toBeCloseTo(2.0964, 15);
    expect(ticker!.underlyingIndex).toBe('index_price');
  });

  it('perpetual tickers: USD mark, index, open interest, best bid/ask as tardis-node; funding_8h kept', () => {
    const perpCases = CASES.filter((c) => channelOf(c) === 'ticker.BTC-PERPETUAL.raw');
    expect(perpCases).toHaveLength(2);
    for (const c of perpCases) {
      const [ticker] = ofType<FutureTickerEvent>(parseCase(c).events, 'future_ticker');
      const derivative = tardis(c, 'derivative_ticker')[0]!;
      const book = tardis(c, 'book_ticker')[0]!;
      const data = c.input_native_message.params.data as Record<string, number>;
      expect(ticker!.markUsd).toBe(derivative.markPrice);
      expect(ticker!.indexPriceUsd).toBe(derivative.indexPrice);
      expect(ticker!.openInterestUsd).toBe(derivative.openInterest);
      expect(ticker!.bidUsd).toBe(book.bidPrice);
      expect(ticker!.askUsd).toBe(book.askPrice);
      expect(ticker!.bidAmountUsd).toBe(book.bidAmount);
      expect(ticker!.askAmountUsd).toBe(book.askAmount);
      expect(ticker!.funding8h).toBe(data.funding_8h);
    }
  });

  it('book snapshots and changes: levels as tardis-node, snapshot flag by type / prev_change_id', () => {
    const bookCases = CASES.filter((c) => channelOf(c).startsWith('book.'));
    expect(bookCases).toHaveLength(4);
    for (const c of bookCases) {
      const { book } = parseCase(c);
      const t = tardis(c, 'book_change')[0]!;
      expect(book!.instrument.toUpperCase()).toBe(t.symbol);
      expect(book!.isSnapshot, channelOf(c)).toBe(t.isSnapshot);
      const levels = (side: BookLevelChange[]) => side.map((l) => ({ price: l.price, amount: l.amount }));
      expect(levels(book!.bids)).toEqual(t.bids);
      expect(levels(book!.asks)).toEqual(t.asks);
      expect(book!.tsEvent).toBe(Date.parse(t.timestamp as string));
      expect(book!.prevChangeId).toBe(book!.isSnapshot ? null : (c.input_native_message.params.data as { prev_change_id: number }).prev_change_id);
    }
  });
});

describe('frames', () => {
  it('classifies notifications, heartbeats, responses and error responses', () => {
    expect(parseFrame('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"test_request"}}')).toEqual({ ok: true, value: { kind: 'heartbeat', type: 'test_request' } });
    expect(parseFrame('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"heartbeat"}}')).toEqual({ ok: true, value: { kind: 'heartbeat', type: 'heartbeat' } });
    expect(parseFrame('{"jsonrpc":"2.0","id":7,"result":["a"],"usIn":1,"usOut":2}')).toEqual({ ok: true, value: { kind: 'response', id: 7, result: ['a'] } });
    expect(parseFrame('{"jsonrpc":"2.0","id":8,"error":{"code":10028,"message":"too_many_requests"}}')).toEqual({
      ok: true,
      value: { kind: 'error_response', id: 8, error: { code: 10028, message: 'too_many_requests' } },
    });
  });

  it('refuses non-JSON, non-JSON-RPC and incomplete frames with a typed reason', () => {
    const codeOf = (text: string): string => {
      const result = parseFrame(text);
      if (result.ok) throw new Error(`accepted ${text}`);
      return result.error.code;
    };
    expect(codeOf('{"jsonrpc":"2.0","method":"subscription","params":{')).toBe('invalid_json');
    expect(codeOf('{"jsonrpc":"1.0","id":1,"result":1}')).toBe('invalid_frame');
    expect(codeOf('{"jsonrpc":"2.0","method":"subscription","params":{"channel":"x"}}')).toBe('invalid_frame');
    expect(codeOf('{"jsonrpc":"2.0","method":"heartbeat","params":{"type":"ping"}}')).toBe('invalid_frame');
    expect(codeOf('{"jsonrpc":"2.0","method":"public/hello"}')).toBe('invalid_frame');
    expect(codeOf('{"jsonrpc":"2.0","id":"x","result":1}')).toBe('invalid_frame');
    expect(codeOf('[1,2]')).toBe('invalid_frame');
  });
});

describe('channels', () => {
  it('parses the channels the adapter uses, any interval', () => {
    expect(parseChannel('ticker.BTC-PERPETUAL.100ms')).toEqual({ ok: true, value: { kind: 'ticker', instrument: 'BTC-PERPETUAL', interval: '100ms' } });
    expect(parseChannel('trades.option.ETH.100ms')).toEqual({ ok: true, value: { kind: 'trades_kind', instrumentKind: 'option', currency: 'ETH', interval: '100ms' } });
    expect(parseChannel('trades.BTC-27DEC24.raw')).toEqual({ ok: true, value: { kind: 'trades_instrument', instrument: 'BTC-27DEC24', interval: 'raw' } });
    expect(parseChannel('markprice.options.btc_usd')).toEqual({ ok: true, value: { kind: 'markprice_options', indexName: 'btc_usd' } });
    expect(parseChannel('deribit_price_index.eth_usd')).toEqual({ ok: true, value: { kind: 'price_index', indexName: 'eth_usd' } });
    expect(parseChannel('instrument.state.any.any')).toEqual({ ok: true, value: { kind: 'instrument_state', instrumentKind: 'any', currency: 'any' } });
    for (const channel of ['quote.BTC-PERPETUAL', 'book.BTC-PERPETUAL.none.10.100ms', 'chart.trades.BTC-PERPETUAL.1', 'ticker..100ms']) {
      const result = parseChannel(channel);
      expect(result.ok ? null : result.error.code, channel).toBe('unsupported_channel');
    }
  });
});

/** Documented `public/get_instruments` / `public/get_instrument` examples (docs.deribit.com). */
const DOC_FUTURE = {
  tick_size: 2.5, tick_size_steps: [], taker_commission: 0.0005, settlement_period: 'month', settlement_currency: 'BTC', quote_currency: 'USD',
  price_index: 'btc_usd', min_trade_amount: 10, max_liquidation_commission: 0.0075, max_leverage: 50, maker_commission: 0, kind: 'future',
  is_active: true, instrument_name: 'BTC-29SEP23', instrument_id: 138583, instrument_type: 'reversed', expiration_timestamp: 1695974400000,
  creation_timestamp: 1664524802000, counter_currency: 'USD', contract_size: 10, block_trade_tick_size: 0.01, block_trade_min_trade_amount: 200000,
  block_trade_commission: 0.00025, base_currency: 'BTC', state: 'open',
};
const DOC_PERPETUAL = {
  ...DOC_FUTURE, tick_size: 0.5, settlement_period: 'perpetual', instrument_name: 'BTC-PERPETUAL', instrument_id: 124972,
  expiration_timestamp: 32503708800000, creation_timestamp: 1534167754000,
};
const DOC_OPTION = {
  tick_size: 0.0005, tick_size_steps: [{ above_price: 120, tick_size: 0.001 }, { above_price: 200, tick_size: 0.003 }], taker_commission: 0.0003,
  strike: 16000, settlement_period: 'week', settlement_currency: 'BTC', quote_currency: 'BTC', price_index: 'btc_usd', option_type: 'put',
  min_trade_amount: 0.1, maker_commission: 0.0003, kind: 'option', is_active: true, instrument_name: 'BTC-13JAN23-16000-P', instrument_id: 144613,
  expiration_timestamp: 1673596800000, creation_timestamp: 1671696002000, counter_currency: 'USD', contract_size: 1, block_trade_tick_size: 0.0001,
  block_trade_min_trade_amount: 25, block_trade_commission: 0.00015, base_currency: 'BTC', state: 'open',
};

describe('instruments (public/get_instruments)', () => {
  it('maps options, dated futures and perpetuals with fees, sizes, expiry and strike', () => {
    const parsed = parseInstruments([DOC_FUTURE, DOC_PERPETUAL, DOC_OPTION], TS_RECV);
    expect(parsed.rejected).toEqual([]);
    expect(parsed.events.map((e) => e.instrument)).toEqual([
      { name: 'BTC-29SEP23', currency: 'BTC', kind: 'future', settlement: 'inverse', expiryMs: Date.UTC(2023, 8, 29, 8), strikeUsd: null, optionType: null, contractSize: 10, tickSize: 2.5, minTradeAmount: 10, makerCommission: 0, takerCommission: 0.0005 },
      { name: 'BTC-PERPETUAL', currency: 'BTC', kind: 'perpetual', settlement: 'inverse', expiryMs: null, strikeUsd: null, optionType: null, contractSize: 10, tickSize: 0.5, minTradeAmount: 10, makerCommission: 0, takerCommission: 0.0005 },
      { name: 'BTC-13JAN23-16000-P', currency: 'BTC', kind: 'option', settlement: 'inverse', expiryMs: Date.UTC(2023, 0, 13, 8), strikeUsd: 16000, optionType: 'put', contractSize: 1, tickSize: 0.0005, minTradeAmount: 0.1, makerCommission: 0.0003, takerCommission: 0.0003 },
    ]);
    expect(parsed.events[0]).toMatchObject({ type: 'instrument', tsEvent: TS_RECV, tsRecv: TS_RECV });
  });

  it('tells linear (USDC) instruments from inverse ones', () => {
    const linear = {
      ...DOC_PERPETUAL, instrument_name: 'BTC_USDC-PERPETUAL', settlement_currency: 'USDC', quote_currency: 'USDC', instrument_type: 'linear',
      contract_size: 0.001, min_trade_amount: 0.001,
    };
    const result = parseInstrument(linear, TS_RECV);
    expect(result.ok && result.value.instrument.settlement).toBe('linear');
    // A USDC settlement on an inverse name is a contradiction, not a guess.
    const contradiction = parseInstrument({ ...DOC_PERPETUAL, settlement_currency: 'USDC' }, TS_RECV);
    expect(contradiction.ok ? null : contradiction.error.code).toBe('invalid_field');
  });

  it('refuses bad items one by one with the path and value, keeping the good ones', () => {
    const noFee = { ...DOC_OPTION, taker_commission: undefined };
    const wrongStrike = { ...DOC_OPTION, strike: 17000 };
    const wrongExpiry = { ...DOC_OPTION, expiration_timestamp: 1673596800000 + 86_400_000 };
    const combo = { ...DOC_OPTION, kind: 'option_combo', instrument_name: 'BTC-STRD-13JAN23-16000' };
    const sol = { ...DOC_PERPETUAL, instrument_name: 'SOL-PERPETUAL', base_currency: 'SOL' };
    const mislabelled = { ...DOC_FUTURE, settlement_period: 'perpetual' };
    const parsed = parseInstruments([noFee, DOC_OPTION, wrongStrike, wrongExpiry, combo, sol, mislabelled, 'x'], TS_RECV);
    expect(parsed.events.map((e) => e.instrument.name)).toEqual(['BTC-13JAN23-16000-P']);
    expect(parsed.rejected.map((e) => [e.code, e.path])).toEqual([
      ['invalid_field', 'result[0].taker_commission'],
      ['invalid_field', 'result[2].strike'],
      ['invalid_field', 'result[3].expiration_timestamp'],
      ['unsupported_instrument', 'result[4].kind'],
      ['unsupported_instrument', 'result[5].base_currency'],
      ['invalid_field', 'result[6].kind'],
      ['invalid_field', 'result[7]'],
    ]);
    expect(parsed.rejected[0]!.message).toMatch(/taker_commission.*finite number.*missing/);
    expect(parsed.rejected[0]!.instrument).toBe('BTC-13JAN23-16000-P');
    expect(parseInstruments({ not: 'an array' }, TS_RECV).rejected[0]!.code).toBe('invalid_field');
  });
});

describe('ticker validation', () => {
  const recordedTicker = (name: string) => CASES.find((c) => channelOf(c) === `ticker.${name}.raw`)!.input_native_message.params.data as Record<string, unknown>;

  it('refuses every used option-ticker field when it has the wrong type, naming the field', () => {
    const good = recordedTicker('BTC-5JUN20-9250-C');
    for (const field of ['instrument_name', 'timestamp', 'mark_price', 'mark_iv', 'best_bid_price', 'best_bid_amount', 'best_ask_price', 'best_ask_amount', 'bid_iv', 'ask_iv', 'underlying_price', 'underlying_index', 'index_price', 'open_interest', 'estimated_delivery_price']) {
      const bad = { ...good, [field]: field === 'underlying_index' || field === 'instrument_name' ? 42 : 'x' };
      const error = errorOf(parseTicker('ticker.BTC-5JUN20-9250-C.100ms', 'BTC-5JUN20-9250-C', bad, TS_RECV));
      expect(error.code, field).toBe('invalid_field');
      expect(error.path, field).toBe(`data.${field}`);
      expect(error.channel).toBe('ticker.BTC-5JUN20-9250-C.100ms');
    }
    // Required fields missing are refused too; negative prices are out of range.
    expect(errorOf(parseTicker('c', 'BTC-5JUN20-9250-C', { ...good, mark_iv: undefined }, TS_RECV)).message).toMatch(/mark_iv.*missing/);
    expect(errorOf(parseTicker('c', 'BTC-5JUN20-9250-C', { ...good, mark_price: -0.01 }, TS_RECV)).message).toMatch(/≥ 0, got -0.01/);
    expect(errorOf(parseTicker('c', 'BTC-5JUN20-9250-C', { ...good, timestamp: 1.5 }, TS_RECV)).path).toBe('data.timestamp');
  });

  it('24 h volume: stats.volume in contracts as recorded; null when Deribit sends null or no stats; bad values refused', () => {
    // The recorded tickers' own stats.volume (tardis-node fixtures): 13.4 and 2.5 traded, null for untraded options.
    const volumeOf = (name: string, data: Record<string, unknown> = recordedTicker(name)): number | null => {
      const parsed = parseTicker(`ticker.${name}.100ms`, name, data, TS_RECV);
      expect(parsed.rejected, name).toEqual([]);
      return ofType<OptionTickerEvent>(parsed.events, 'option_ticker')[0]!.volume24h;
    };
    expect(volumeOf('BTC-5JUN20-9250-C')).toBe(13.4);
    expect(volumeOf('BTC-8JUN20-8750-P')).toBe(2.5);
    expect(volumeOf('ETH-5JUN20-310-P')).toBeNull();
    expect(volumeOf('MATIC_USDC-9MAR24-1d02-C')).toBe(0);
    const good = recordedTicker('BTC-5JUN20-9250-C');
    expect(volumeOf('BTC-5JUN20-9250-C', { ...good, stats: undefined })).toBeNull();
    for (const [stats, path] of [[{ volume: 'x' }, 'data.stats.volume'], [{ volume: -1 }, 'data.stats.volume'], [[], 'data.stats'], ['x', 'data.stats']] as const) {
      const error = errorOf(parseTicker('c', 'BTC-5JUN20-9250-C', { ...good, stats }, TS_RECV));
      expect(error.code, JSON.stringify(stats)).toBe('invalid_field');
      expect(error.path, JSON.stringify(stats)).toBe(path);
    }
  });

  it('refuses a ticker whose instrument is not the channel instrument', () => {
    const good = recordedTicker('BTC-5JUN20-9250-C');
    const error = errorOf(parseNotification('ticker.BTC-5JUN20-9500-C.100ms', good, TS_RECV));
    expect(error.path).toBe('data.instrument_name');
  });

  it('refuses wrong perpetual fields (funding, prices) with their path', () => {
    const good = recordedTicker('BTC-PERPETUAL');
    expect(errorOf(parseNotification('ticker.BTC-PERPETUAL.100ms', { ...good, funding_8h: '0.1' }, TS_RECV)).path).toBe('data.funding_8h');
    expect(errorOf(parseNotification('ticker.BTC-PERPETUAL.100ms', { ...good, current_funding: [] }, TS_RECV)).path).toBe('data.current_funding');
    expect(errorOf(parseNotification('ticker.BTC-PERPETUAL.100ms', { ...good, mark_price: 0 }, TS_RECV)).path).toBe('data.mark_price');
    // A dated future has no funding.
    const future = parseNotification('ticker.BTC-29SEP23.100ms', { ...good, instrument_name: 'BTC-29SEP23' }, TS_RECV);
    expect(ofType<FutureTickerEvent>(future.events, 'future_ticker')[0]!.funding8h).toBeNull();
  });
});

describe('trades', () => {
  const optionTrade = {
    trade_seq: 1, trade_id: 'OPT-1', timestamp: 1590969652595, tick_direction: 0, price: 0.038, mark_price: 0.0385, iv: 63.21,
    instrument_name: 'BTC-5JUN20-9250-C', index_price: 9434.36, direction: 'buy', amount: 25, block_trade_id: '1234',
  };

  it('option trades: coin price, contracts, IV percent → decimal, block trade id; one bad item does not lose the others', () => {
    const parsed = parseNotification('trades.option.BTC.100ms', [optionTrade, { ...optionTrade, trade_id: 'OPT-2', direction: 'up' }, { ...optionTrade, trade_id: 'OPT-3', block_trade_id: undefined, iv: undefined }], TS_RECV);
    const trades = ofType<TradeEvent>(parsed.events, 'trade');
    expect(trades.map((t) => t.tradeId)).toEqual(['OPT-1', 'OPT-3']);
    expect(trades[0]).toEqual({
      type: 'trade', tsEvent: 1590969652595, tsRecv: TS_RECV, instrument: 'BTC-5JUN20-9250-C', tradeId: 'OPT-1', price: 0.038, priceUnit: 'coin',
      amount: 25, takerSide: 'buy', iv: 0.6321, indexPriceUsd: 9434.36, blockTradeId: '1234', liquidation: false,
    });
    expect(trades[1]).toMatchObject({ iv: null, blockTradeId: null });
    expect(parsed.rejected.map((e) => e.path)).toEqual(['data[1].direction']);
  });

  it('refuses trades of another instrument on an instrument channel, and combos', () => {
    const wrong = parseNotification('trades.BTC-PERPETUAL.100ms', [{ ...optionTrade }], TS_RECV);
    expect(wrong.rejected.map((e) => e.path)).toEqual(['data[0].instrument_name']);
    const combo = parseNotification('trades.option.BTC.100ms', [{ ...optionTrade, instrument_name: 'BTC-STRD-5JUN20-9250' }], TS_RECV);
    expect(combo.rejected.map((e) => e.code)).toEqual(['unsupported_instrument']);
    expect(parseNotification('trades.option.BTC.100ms', { not: 'an array' }, TS_RECV).rejected[0]!.code).toBe('invalid_field');
  });

  it('linear futures: amounts in coin are converted to USD at the trade price', () => {
    const parsed = parseNotification('trades.BTC_USDC-PERPETUAL.100ms', [{ ...optionTrade, instrument_name: 'BTC_USDC-PERPETUAL', price: 60_000, amount: 0.5, iv: undefined }], TS_RECV);
    expect(ofType<TradeEvent>(parsed.events, 'trade')[0]).toMatchObject({ amount: 30_000, priceUnit: 'usd', iv: null });
  });
});

describe('index, option marks and instrument states', () => {
  it('deribit_price_index → IndexEvent for btc_usd / eth_usd only', () => {
    const parsed = parseNotification('deribit_price_index.btc_usd', { index_name: 'btc_usd', price: 3937.89, timestamp: 1550588002899 }, TS_RECV);
    expect(parsed.events).toEqual([{ type: 'index', tsEvent: 1550588002899, tsRecv: TS_RECV, currency: 'BTC', priceUsd: 3937.89 }]);
    expect(errorOf(parseNotification('deribit_price_index.sol_usdc', { index_name: 'sol_usdc', price: 1, timestamp: 1 }, TS_RECV)).code).toBe('unsupported_channel');
    expect(errorOf(parseNotification('deribit_price_index.btc_usd', { index_name: 'eth_usd', price: 1, timestamp: 1 }, TS_RECV)).path).toBe('data.index_name');
  });

  it('markprice.options items: decimal IV as sent; applied to the last full ticker', () => {
    const parsed = parseNotification('markprice.options.btc_usd', [
      { timestamp: 1590969700000, mark_price: 0.0333, iv: 0.9, instrument_name: 'BTC-5JUN20-9250-C' },
      { timestamp: 1590969700000, mark_price: 'x', iv: 0.9, instrument_name: 'BTC-5JUN20-9250-P' },
    ], TS_RECV);
    expect(parsed.marks).toHaveLength(1);
    expect(parsed.rejected.map((e) => e.path)).toEqual(['data[1].mark_price']);
    const mark = parsed.marks[0]!;
    const ticker = ofType<OptionTickerEvent>(parseCase(CASES.find((c) => channelOf(c) === 'ticker.BTC-5JUN20-9250-C.raw')!).events, 'option_ticker')[0]!;
    const updated = applyOptionMark(ticker, mark)!;
    expect(updated).toEqual({ ...ticker, markCoin: 0.0333, markIv: 0.9, tsEvent: 1590969700000, tsRecv: TS_RECV });
    // Older than the ticker, or changing nothing: no event.
    expect(applyOptionMark(ticker, { ...mark, tsEvent: ticker.tsEvent })).toBeNull();
    expect(applyOptionMark(updated, { ...mark, tsEvent: epochMs(mark.tsEvent + 1) })).toBeNull();
    // A linear mark (USDC) becomes coin at the ticker's forward.
    const linear: OptionMarkUpdate = { ...mark, linear: true, markPrice: 94.4073 };
    expect(applyOptionMark(ticker, linear)!.markCoin).toBeCloseTo(94.4073 / 9440.73, 15);
    expect(() => applyOptionMark(ticker, { ...mark, instrument: 'BTC-5JUN20-9000-C' as never })).toThrow(/applied to the ticker/);
  });

  it('instrument.state: listings and removals', () => {
    const state = (s: string) => parseInstrumentState('instrument.state.any.any', { instrument_name: 'BTC-5JUN20-9250-C', state: s, timestamp: 1 });
    expect(state('created')).toEqual({ ok: true, value: { instrument: 'BTC-5JUN20-9250-C', state: 'created', effect: 'listed', tsEvent: 1 } });
    expect(state('terminated').ok && state('terminated')).toMatchObject({ value: { effect: 'removed' } });
    expect(state('settled').ok && state('settled')).toMatchObject({ value: { effect: 'removed' } });
    expect(state('locked').ok && state('locked')).toMatchObject({ value: { effect: 'other' } });
    expect(parseInstrumentState('c', { state: 'created', timestamp: 1 }).ok).toBe(false);
  });
});

describe('books', () => {
  it('refuses malformed levels and change ids', () => {
    const base = { type: 'change', timestamp: 1, instrument_name: 'BTC-PERPETUAL', change_id: 5, prev_change_id: 4, bids: [['new', 100, 1]], asks: [] };
    const path = (data: unknown): string => {
      const result = parseBook('book.BTC-PERPETUAL.100ms', 'BTC-PERPETUAL', data, TS_RECV);
      return result.ok ? 'ok' : result.error.path;
    };
    expect(path(base)).toBe('ok');
    expect(path({ ...base, bids: [['add', 100, 1]] })).toBe('data.bids[0][0]');
    expect(path({ ...base, bids: [['new', 100]] })).toBe('data.bids[0]');
    expect(path({ ...base, asks: [['new', 100, -1]] })).toBe('data.asks[0][2]');
    expect(path({ ...base, change_id: '5' })).toBe('data.change_id');
    expect(path({ ...base, type: 'delta' })).toBe('data.type');
    expect(path({ ...base, instrument_name: 'ETH-PERPETUAL' })).toBe('data.instrument_name');
  });
});
