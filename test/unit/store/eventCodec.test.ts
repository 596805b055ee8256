import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../../src-main/core/market/events';
import { validateMarketEvent } from '../../../src-main/core/market/validate';
import { DemoMarket } from '../../../src-main/core/sim/demo';
import { epochMs, usd } from '../../../src-main/core/units';
import { parseFrame, parseNotification } from '../../../src-main/feeds/deribit/parse';
import { decodeRow, encodePayload, instrumentColumn } from '../../../src-main/store/eventCodec';

// Every event type the feeds produce goes through the log's compact payload and comes back equal.
function roundTrip(event: MarketEvent, seq = 7): unknown {
  return decodeRow(seq, event.type, event.tsEvent, event.tsRecv, instrumentColumn(event), encodePayload(event));
}

describe('event log payload codec', () => {
  it('round-trips every demo-market event (instruments, index, option and future tickers, trades, books)', () => {
    const START = Date.UTC(2026, 10, 21, 12);
    const market = new DemoMarket({ seed: 3, startMs: epochMs(START) });
    const events = [...market.snapshot(epochMs(START))];
    for (let k = 1; k <= 30; k++) events.push(...market.step(epochMs(START + k * 200)));
    const types = new Set(events.map((e) => e.type));
    expect(types).toEqual(new Set(['instrument', 'index', 'option_ticker', 'future_ticker', 'trade', 'book_snapshot']));
    for (const event of events) expect(roundTrip(event)).toEqual({ ...event, seq: 7 });
  });

  it('round-trips the events parsed from the real recorded Deribit messages', () => {
    const file = resolve('../shared/data/tardis-node_deribit_ws_messages_with_normalized.json');
    const cases = (JSON.parse(readFileSync(file, 'utf8')) as { cases: { input_native_message: unknown }[] }).cases;
    let n = 0;
    for (const c of cases) {
      const frame = parseFrame(JSON.stringify(c.input_native_message));
      if (!frame.ok || frame.value.kind !== 'subscription') continue;
      for (const event of parseNotification(frame.value.channel, frame.value.data, 1_700_000_000_000).events) {
        expect(roundTrip(event)).toEqual({ ...event, seq: 7 });
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });

  it('option tickers: format 2 appends volume24h; a format-1 row (stored before volume was kept) decodes it as null', () => {
    // A payload as format 1 wrote it (12 fields, before 2026-12): BTC-5JUN20-9250-C from the recorded Deribit ticker
    // in ../shared/data/tardis-node_deribit_ws_messages_with_normalized.json.
    const formatOne = '[0.0365,0.04,15.4,4.8,0.03847784,0.6321,0.5839,0.669,9440.73,"SYN.BTC-5JUN20",9434.36,533.2]';
    const old = decodeRow(3, 'option_ticker', 1590969652595, 1590969652600, 'BTC-5JUN20-9250-C', formatOne);
    expect(old).toEqual({
      type: 'option_ticker', tsEvent: 1590969652595, tsRecv: 1590969652600, instrument: 'BTC-5JUN20-9250-C', bidCoin: 0.0365, askCoin: 0.04,
      bidAmount: 15.4, askAmount: 4.8, markCoin: 0.03847784, markIv: 0.6321, bidIv: 0.5839, askIv: 0.669, underlyingPriceUsd: 9440.73,
      underlyingIndex: 'SYN.BTC-5JUN20', indexPriceUsd: 9434.36, openInterest: 533.2, volume24h: null, seq: 3,
    });
    expect(validateMarketEvent(old)).toBeNull();
    // Format 2 writes the volume last, so format-1 positions keep their meaning.
    const current = { ...old, volume24h: 13.4 } as MarketEvent;
    expect(encodePayload(current)).toBe(`${formatOne.slice(0, -1)},13.4]`);
    expect(roundTrip(current)).toEqual({ ...current, seq: 7 });
  });

  it('is compact (no keys), reads missing trailing fields as null, and refuses corrupt rows with the seq', () => {
    const index: MarketEvent = { type: 'index', tsEvent: epochMs(1), tsRecv: epochMs(2), currency: 'BTC', priceUsd: usd(95_000.5) };
    expect(encodePayload(index)).toBe('["BTC",95000.5]');
    expect(decodeRow(1, 'index', 1, 2, null, '["BTC"]')).toEqual({ type: 'index', tsEvent: 1, tsRecv: 2, currency: 'BTC', priceUsd: null, seq: 1 });
    expect(() => decodeRow(9, 'index', 1, 2, null, '{"currency":"BTC"}')).toThrow('event 9: payload is not an array');
    expect(() => decodeRow(9, 'quote', 1, 2, null, '[]')).toThrow('event 9: unknown type "quote"');
    const removal: MarketEvent = { type: 'instrument_removed', tsEvent: epochMs(1), tsRecv: epochMs(2), instrument: 'BTC-27DEC24-60000-C' as never, reason: 'terminated' };
    expect(encodePayload(removal)).toBe('["terminated"]');
    expect(roundTrip(removal)).toEqual({ ...removal, seq: 7 });
  });
});
