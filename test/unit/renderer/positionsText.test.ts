import { describe, expect, it } from 'vitest';
import { formatPositions, parsePositions } from '../../../src-renderer/lib/positionsText';

describe('parsePositions', () => {
  it('reads one position a line, skipping blank lines and # comments, names upper-cased', () => {
    const text = '# my book\nbtc-27dec26-100000-c 10\n\n  BTC-27DEC26-80000-P   -5  # hedge\nETH-27DEC26-3000-C,2.5\n';
    expect(parsePositions(text)).toEqual({
      ok: true,
      positions: [
        { instrument: 'BTC-27DEC26-100000-C', amount: 10 },
        { instrument: 'BTC-27DEC26-80000-P', amount: -5 },
        { instrument: 'ETH-27DEC26-3000-C', amount: 2.5 },
      ],
    });
  });

  it('an empty text is an empty book', () => {
    expect(parsePositions('')).toEqual({ ok: true, positions: [] });
  });

  it('refuses the whole text at the first line it cannot read, naming the line', () => {
    expect(parsePositions('BTC-27DEC26-100000-C 10\nBTC-27DEC26-80000-P')).toEqual({
      ok: false,
      error: 'line 2: expected "INSTRUMENT QUANTITY [AVERAGE_PRICE]", got "BTC-27DEC26-80000-P"',
    });
    expect(parsePositions('BTC-27DEC26-100000-C ten')).toMatchObject({ ok: false, error: expect.stringContaining('line 1') });
    expect(parsePositions('BTC-27DEC26-100000-C 1 2 3')).toMatchObject({ ok: false });
    expect(parsePositions('BTC-27DEC26-100000-C 1 -0.5')).toMatchObject({ ok: false, error: expect.stringContaining('AVERAGE_PRICE') });
  });

  it('says in a trader\'s words when a line is too large (not the validator\'s raw text)', () => {
    expect(parsePositions('btc-27dec26-100000-c 1e9')).toEqual({
      ok: false,
      error: 'line 1: 1e9 contracts of BTC-27DEC26-100000-C: a line holds at most 1,000,000 contracts (negative = short)',
    });
    // Futures and perpetuals count USD notional.
    expect(parsePositions('BTC-PERPETUAL 5e9')).toEqual({
      ok: false,
      error: 'line 1: 5e9 USD of BTC-PERPETUAL: a line holds at most 1,000,000,000 USD (negative = short)',
    });
  });

  it('reads an optional average price (coin for options, USD for futures)', () => {
    expect(parsePositions('BTC-27DEC26-100000-C 10 0.0525\nbtc-perpetual -25000 91250.5')).toEqual({
      ok: true,
      positions: [
        { instrument: 'BTC-27DEC26-100000-C', amount: 10, averagePrice: 0.0525 },
        { instrument: 'BTC-PERPETUAL', amount: -25000, averagePrice: 91250.5 },
      ],
    });
  });
});

describe('formatPositions', () => {
  it('writes the stored book back as editor text that parses to the same positions', () => {
    const book = [
      { instrument: 'BTC-27DEC26-100000-C', amount: 10, averagePrice: null },
      { instrument: 'BTC-27DEC26-80000-P', amount: -5, averagePrice: 0.031 },
    ];
    const text = formatPositions(book);
    expect(text).toBe('BTC-27DEC26-100000-C 10\nBTC-27DEC26-80000-P -5 0.031');
    expect(parsePositions(text)).toEqual({
      ok: true,
      positions: [
        { instrument: 'BTC-27DEC26-100000-C', amount: 10 },
        { instrument: 'BTC-27DEC26-80000-P', amount: -5, averagePrice: 0.031 },
      ],
    });
  });
});
