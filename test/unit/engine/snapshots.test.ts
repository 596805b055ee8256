import { describe, expect, it } from 'vitest';
import type { FeedStatus } from '../../../src-main/api/dto';
import type { MarketEvent } from '../../../src-main/core/market/events';
import { MS_PER_YEAR } from '../../../src-main/core/units';
import { MarketState } from '../../../src-main/engine/marketState';
import { chainSnapshot, expiryList, headerSnapshot } from '../../../src-main/engine/snapshots';
import {
  EXPIRY_A,
  EXPIRY_B,
  T0,
  chainInstruments,
  indexEvent,
  instrumentEvent,
  optionDef,
  optionName,
  optionTicker,
} from '../../helpers/market';

const FEED: FeedStatus = { source: 'demo', label: 'x', state: 'live', messagesPerSecond: 1, lagMs: 0, silenceMs: 0, rejectedEvents: 0, lastRejectReason: null, reconnects: 0, lastError: null, staleInstruments: [], instruments: 0 };

function build(events: readonly MarketEvent[]): MarketState {
  const market = new MarketState();
  events.forEach((event, i) => market.apply(event, i + 1));
  return market;
}

describe('chainSnapshot', () => {
  it('groups a call and a put per strike row, in strike order, with markUsd = markCoin × forward', () => {
    const market = build([
      ...chainInstruments('BTC', EXPIRY_A, [90_000, 100_000]),
      // A put-only strike above and a call-only strike below.
      instrumentEvent(optionDef('BTC', EXPIRY_A, 110_000, 'put')),
      instrumentEvent(optionDef('BTC', EXPIRY_A, 70_000, 'call')),
      optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 101_000, iv: 0.52, markCoin: 0.045, openInterest: 12, volume24h: 3.7 }),
      optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'put'), { forward: 101_000, iv: 0.53, markCoin: 0.036 }),
      indexEvent('BTC', 100_700, T0 + 5000),
    ]);
    const book = market.currency('BTC').expiries.get(EXPIRY_A)!;
    const snap = chainSnapshot(market, book);
    expect(snap.rows.map((r) => r.strikeUsd)).toEqual([70_000, 90_000, 100_000, 110_000]);
    expect(snap.rows[0]!.call?.instrument).toBe('BTC-25DEC26-70000-C');
    expect(snap.rows[0]!.put).toBeNull();
    expect(snap.rows[3]!.call).toBeNull();
    expect(snap.rows[3]!.put?.instrument).toBe('BTC-25DEC26-110000-P');
    const atm = snap.rows[2]!;
    expect(atm.call?.instrument).toBe('BTC-25DEC26-100000-C');
    expect(atm.put?.instrument).toBe('BTC-25DEC26-100000-P');
    expect(atm.call?.markCoin).toBe(0.045);
    expect(atm.call?.markUsd).toBeCloseTo(0.045 * 101_000, 9);
    expect(atm.put?.markUsd).toBeCloseTo(0.036 * 101_000, 9);
    expect(atm.call?.iv).toBe(0.52);
    expect(atm.call?.openInterest).toBe(12);
    // 24 h volume as the ticker carries it; null when the ticker did not say, and for an unquoted option.
    expect(atm.call?.volume24h).toBe(3.7);
    expect(atm.put?.volume24h).toBeNull();
    expect(atm.call?.bidCoin).toBeCloseTo(0.0445, 12);
    expect(atm.call?.askCoin).toBeCloseTo(0.0455, 12);
    // Quote sizes in contracts, as the ticker carries them.
    expect(atm.call).toMatchObject({ bidAmount: 10, askAmount: 12 });
    // No greeks computed yet.
    expect(atm.call?.delta).toBeNull();
    // Unquoted options have null prices.
    expect(snap.rows[1]!.call).toMatchObject({ bidCoin: null, askCoin: null, bidAmount: null, askAmount: null, markCoin: null, markUsd: null, iv: null, openInterest: null, volume24h: null });
    expect(snap).toMatchObject({
      currency: 'BTC',
      expiryLabel: '25DEC26',
      expiryMs: EXPIRY_A,
      forwardUsd: 101_000,
      underlyingIndex: 'SYN.BTC-25DEC26',
      indexUsd: 100_700,
      greeksSeq: 0,
      quotesSeq: 8, // the put ticker: 6 instruments, then tickers at 7 and 8
    });
    expect(snap.years).toBeCloseTo((EXPIRY_A - (T0 + 5000)) / MS_PER_YEAR, 15);
    expect(snap.phase).toBe('open');
    // Inside the last 30 minutes the expiry is settling (Deribit's delta decays to 0 over the index average).
    const late = build([...chainInstruments('BTC', EXPIRY_A, [100_000]), indexEvent('BTC', 100_000, EXPIRY_A - 10 * 60_000)]);
    expect(chainSnapshot(late, late.currency('BTC').expiries.get(EXPIRY_A)!).phase).toBe('settling');
  });

  it('reports greeks when set, non-finite ones as null', () => {
    const market = build([...chainInstruments('BTC', EXPIRY_A, [100_000])]);
    const book = market.currency('BTC').expiries.get(EXPIRY_A)!;
    book.options[0]!.greeks = { priceUsd: 1, delta: 0.5, gamma: 1e-5, vega: 200, theta: -50, ivBid: 0.5, ivAsk: 0.6, ivMark: 0.55 };
    book.options[1]!.greeks = { priceUsd: NaN, delta: NaN, gamma: Infinity, vega: NaN, theta: NaN, ivBid: NaN, ivAsk: NaN, ivMark: NaN };
    book.greeksSeq = 2;
    const row = chainSnapshot(market, book).rows[0]!;
    expect(row.call).toMatchObject({ delta: 0.5, gamma: 1e-5, vega: 200, theta: -50, ivBid: 0.5, ivAsk: 0.6, ivMark: 0.55 });
    expect(row.put).toMatchObject({ delta: null, gamma: null, vega: null, theta: null, ivBid: null, ivAsk: null, ivMark: null });
    expect(JSON.parse(JSON.stringify(row))).toEqual(row); // JSON-safe
  });

  it('is deterministic: the same state gives the same bytes', () => {
    const events = [
      ...chainInstruments('BTC', EXPIRY_A),
      optionTicker(optionName('BTC', EXPIRY_A, 90_000, 'put'), { forward: 100_000, iv: 0.6 }),
    ];
    const a = build(events);
    const b = build(events);
    const bookA = a.currency('BTC').expiries.get(EXPIRY_A)!;
    const bookB = b.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(JSON.stringify(chainSnapshot(a, bookA))).toBe(JSON.stringify(chainSnapshot(b, bookB)));
  });

  it('years never go negative', () => {
    const market = build([...chainInstruments('BTC', EXPIRY_A, [100_000])]);
    const book = market.currency('BTC').expiries.get(EXPIRY_A)!;
    market.timeMs = EXPIRY_A + 1000;
    expect(chainSnapshot(market, book).years).toBe(0);
  });
});

describe('expiryList and headerSnapshot', () => {
  it('lists expiries in date order with strikes counted once and open interest summed', () => {
    const market = build([
      ...chainInstruments('BTC', EXPIRY_B, [90_000, 100_000, 110_000]),
      ...chainInstruments('BTC', EXPIRY_A, [100_000]),
      optionTicker(optionName('BTC', EXPIRY_B, 90_000, 'put'), { forward: 102_000, iv: 0.5, openInterest: 40, underlyingIndex: 'BTC-26MAR27' }),
      optionTicker(optionName('BTC', EXPIRY_B, 110_000, 'call'), { forward: 102_000, iv: 0.5, openInterest: 2.5, underlyingIndex: 'BTC-26MAR27' }),
    ]);
    const list = expiryList(market, 'BTC');
    expect(list.currency).toBe('BTC');
    expect(list.expiries.map((e) => e.label)).toEqual(['25DEC26', '26MAR27']);
    expect(list.expiries[0]).toMatchObject({ strikes: 1, openInterest: 0, forwardUsd: null, underlyingIndex: null });
    expect(list.expiries[1]).toMatchObject({ strikes: 3, openInterest: 42.5, forwardUsd: 102_000, underlyingIndex: 'BTC-26MAR27' });
    expect(expiryList(market, 'ETH')).toEqual({ currency: 'ETH', expiries: [] });
  });

  it('header: per currency index, front expiry and forward; market time and seq', () => {
    const market = build([
      ...chainInstruments('BTC', EXPIRY_B, [100_000]),
      ...chainInstruments('BTC', EXPIRY_A, [100_000]),
      optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 100_900, iv: 0.5, ts: T0 + 10 }),
      indexEvent('BTC', 100_800, T0 + 20),
    ]);
    const header = headerSnapshot(market, FEED, ['BTC', 'ETH']);
    expect(header.seq).toBe(6);
    expect(header.marketTimeMs).toBe(T0 + 20);
    expect(header.feed).toBe(FEED);
    expect(header.currencies).toEqual([
      { currency: 'BTC', indexUsd: 100_800, perpetualUsd: null, frontForwardUsd: 100_900, frontExpiryLabel: '25DEC26' },
      { currency: 'ETH', indexUsd: null, perpetualUsd: null, frontForwardUsd: null, frontExpiryLabel: null },
    ]);
  });
});
