import { describe, expect, it } from 'vitest';
import { bookCsv, rebalanceLabel } from '../../../src-main/app/backtestService';
import { parseBookCsv } from '../../../src-main/core/book/csv';

describe('the app backtest’s inputs', () => {
  it('writes the rebalance interval as the CLI’s --rebalance would (the label is part of the hashed context)', () => {
    expect(rebalanceLabel(3600)).toBe('1h');
    expect(rebalanceLabel(7200)).toBe('2h');
    expect(rebalanceLabel(1800)).toBe('30m');
    expect(rebalanceLabel(60)).toBe('1m');
    expect(rebalanceLabel(90)).toBe('90s');
    expect(rebalanceLabel(5400)).toBe('90m');
  });

  it('hands the current book over as a positions CSV that reads back to the same positions', () => {
    const text = ['instrument,quantity,average_price,price_currency', 'BTC-25DEC26-100000-C,-2.5,0.031,BTC', 'BTC-25DEC26-80000-P,1,,', 'BTC-PERPETUAL,-1000,95000,USD'].join('\n');
    const book = parseBookCsv(text);
    expect(book.errors).toEqual([]);
    const again = parseBookCsv(bookCsv(book.positions));
    expect(again.errors).toEqual([]);
    expect(again.positions).toEqual(book.positions);
    // Line numbers as a file's: the header is line 1.
    expect(bookCsv(book.positions).split('\n')[3]).toBe('BTC-PERPETUAL,-1000,95000,USD');
  });
});
