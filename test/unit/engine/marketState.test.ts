import { describe, expect, it } from 'vitest';
import type { FutureTickerEvent, InstrumentRemovedEvent, SequencedEvent } from '../../../src-main/core/market/events';
import { usd, type EpochMs, type InstrumentName } from '../../../src-main/core/units';
import { MarketState } from '../../../src-main/engine/marketState';
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
  perpetualDef,
  sequence,
} from '../../helpers/market';

function perpTicker(markUsd: number, ts = T0): FutureTickerEvent {
  return {
    type: 'future_ticker',
    instrument: 'BTC-PERPETUAL' as InstrumentName,
    tsEvent: ts as EpochMs,
    tsRecv: ts as EpochMs,
    bidUsd: usd(markUsd - 0.5),
    askUsd: usd(markUsd + 0.5),
    bidAmountUsd: usd(1000),
    askAmountUsd: usd(1000),
    markUsd: usd(markUsd),
    indexPriceUsd: usd(markUsd - 10),
    openInterestUsd: usd(1e9),
    funding8h: 0.0001,
  };
}

describe('MarketState', () => {
  it('groups options into expiry books sorted by strike, calls before puts', () => {
    const market = new MarketState();
    // Added in a scrambled order: puts first, descending strikes.
    const events = chainInstruments('BTC', EXPIRY_A).reverse();
    for (const event of sequence(events)) expect(market.apply(event, event.seq).kind).toBe('expiry');
    const book = market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(book.label).toBe('25DEC26');
    expect(book.options.map((o) => `${o.def.strikeUsd}${o.def.optionType[0]}`)).toEqual([
      '80000c', '80000p', '90000c', '90000p', '100000c', '100000p', '110000c', '110000p', '120000c', '120000p',
    ]);
  });

  it('applies only increasing seqs and advances market time monotonically', () => {
    const market = new MarketState();
    expect(market.apply(indexEvent('BTC', 100_000, T0 + 1000), 5).kind).toBe('currency');
    const stale = market.apply(indexEvent('BTC', 1, T0 + 2000), 5);
    expect(stale).toEqual({ kind: 'rejected', reason: 'seq 5 is not after 5' });
    expect(market.currency('BTC').indexUsd).toBe(100_000);
    // An older timestamp is applied but does not move time backwards.
    market.apply(indexEvent('BTC', 101_000, T0), 6);
    expect(market.timeMs).toBe(T0 + 1000);
    expect(market.seq).toBe(6);
    expect(market.currency('BTC').indexUsd).toBe(101_000);
  });

  it('rejects tickers and trades for unknown instruments, naming them', () => {
    const market = new MarketState();
    const change = market.apply(optionTicker('BTC-25DEC26-1-C', { forward: 1, iv: 0.5 }), 1);
    expect(change).toEqual({ kind: 'rejected', reason: 'ticker for unknown option BTC-25DEC26-1-C' });
    expect(market.apply(perpTicker(95_000), 2)).toEqual({ kind: 'rejected', reason: 'ticker for unknown future BTC-PERPETUAL' });
  });

  it('rejects an option definition without expiry, strike or type', () => {
    const market = new MarketState();
    const def = { ...optionDef('BTC', EXPIRY_A, 100_000, 'call'), strikeUsd: null };
    const change = market.apply(instrumentEvent(def), 1);
    expect(change.kind).toBe('rejected');
    expect(market.currencies.size).toBe(0);
  });

  it('stores tickers and stamps quotesSeq; the forward comes from the latest ticker', () => {
    const market = new MarketState();
    const events = sequence([
      ...chainInstruments('BTC', EXPIRY_A),
      optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 100_100, iv: 0.5, underlyingIndex: 'SYN.A' }),
      optionTicker(optionName('BTC', EXPIRY_A, 90_000, 'put'), { forward: 100_200, iv: 0.55, underlyingIndex: 'SYN.B' }),
    ]);
    for (const event of events) market.apply(event, event.seq);
    const book = market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(book.quotesSeq).toBe(12);
    expect(book.forward()).toEqual({ forwardUsd: 100_200, underlyingIndex: 'SYN.B' });
    const put90 = book.options.find((o) => o.def.name === optionName('BTC', EXPIRY_A, 90_000, 'put'))!;
    expect(put90.tickerSeq).toBe(12);
    expect(put90.ticker?.markIv).toBe(0.55);
  });

  it('a repeated instrument definition updates in place without a new book entry', () => {
    const market = new MarketState();
    const def = optionDef('BTC', EXPIRY_A, 100_000, 'call');
    market.apply(instrumentEvent(def), 1);
    const change = market.apply(instrumentEvent({ ...def, takerCommission: 0.0005 }), 2);
    expect(change.kind).toBe('none');
    const book = market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(book.options).toHaveLength(1);
    expect(book.options[0]!.def.takerCommission).toBe(0.0005);
  });

  it('futures and the perpetual update the currency state', () => {
    const market = new MarketState();
    const events: SequencedEvent[] = sequence([instrumentEvent(perpetualDef('BTC')), perpTicker(100_050)]);
    expect(market.apply(events[0]!, events[0]!.seq)).toEqual({ kind: 'currency', currency: 'BTC' });
    expect(market.apply(events[1]!, events[1]!.seq)).toEqual({ kind: 'currency', currency: 'BTC' });
    expect(market.currency('BTC').perpetual?.markUsd).toBe(100_050);
  });

  it('rollOff removes settled expiries and forgets their options', () => {
    const market = new MarketState();
    for (const event of sequence([...chainInstruments('BTC', EXPIRY_A), ...chainInstruments('BTC', EXPIRY_B)])) market.apply(event, event.seq);
    expect(market.rollOff(EXPIRY_A - 1)).toEqual([]);
    const removed = market.rollOff(EXPIRY_A);
    expect(removed.map((b) => b.expiryMs)).toEqual([EXPIRY_A]);
    expect([...market.currency('BTC').expiries.keys()]).toEqual([EXPIRY_B]);
    const late = market.apply(optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 1, iv: 0.5 }), 100);
    expect(late.kind).toBe('rejected');
  });
  it('an instrument removed before its expiry leaves the book, the expiry with its last option, and the recording state', () => {
    const removal = (name: string): InstrumentRemovedEvent => ({ type: 'instrument_removed', tsEvent: T0 as EpochMs, tsRecv: T0 as EpochMs, instrument: name as InstrumentName, reason: 'terminated' });
    const market = new MarketState();
    const b = optionDef('BTC', EXPIRY_B, 100_000, 'call');
    const events = sequence([...chainInstruments('BTC', EXPIRY_A), instrumentEvent(b), instrumentEvent(perpetualDef('BTC')), perpTicker(100_050)]);
    for (const event of events) market.apply(event, event.seq);
    let seq = events.length;
    const gone = optionName('BTC', EXPIRY_A, 90_000, 'put');
    const bookA = market.currency('BTC').expiries.get(EXPIRY_A)!;
    const before = bookA.options;
    const change = market.apply(removal(gone), ++seq);
    expect(change).toEqual({ kind: 'removed', book: bookA, instrument: gone });
    expect(bookA.options).toHaveLength(9);
    expect(bookA.options).not.toBe(before); // a new list: a computation holding the old one sees it is stale
    expect(market.option(gone)).toBeUndefined();
    expect(market.apply(optionTicker(gone, { forward: 1, iv: 0.5 }), ++seq).kind).toBe('rejected');
    // The last option of an expiry takes the expiry with it.
    market.apply(removal(b.name), ++seq);
    expect([...market.currency('BTC').expiries.keys()]).toEqual([EXPIRY_A]);
    // The perpetual: its ticker goes too.
    expect(market.apply(removal('BTC-PERPETUAL'), ++seq)).toEqual({ kind: 'currency', currency: 'BTC' });
    expect(market.currency('BTC').perpetual).toBeNull();
    // A recording started now does not bring them back.
    const names = market.currentStateEvents().map((e) => (e.type === 'instrument' ? e.instrument.name : 'instrument' in e ? e.instrument : null));
    expect(names).not.toContain(gone);
    expect(names).not.toContain(b.name);
    expect(names).not.toContain('BTC-PERPETUAL');
    // Removing what was never seen changes nothing.
    expect(market.apply(removal('BTC-1JAN27-1-C'), seq + 1)).toEqual({ kind: 'none' });
  });
});
