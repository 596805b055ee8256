import { describe, expect, it } from 'vitest';
import { BookCsvHeaderError, formatBookCsv, parseBookCsv } from '../../../../src-main/core/book/csv';
import { checkPosition, type CheckedPosition } from '../../../../src-main/core/book/position';
import { optionGreeks, valueBook, type BookMarket, type BookQuote } from '../../../../src-main/core/book/valuation';
import { black76Price } from '../../../../src-main/core/pricing/black76';

const NOW = Date.parse('2026-12-01T08:00:00Z');

function checked(instrument: string, quantity: number, averagePrice: number | null, priceCurrency: 'BTC' | 'ETH' | 'USD'): CheckedPosition {
  const r = checkPosition({ instrument, quantity, averagePrice, priceCurrency }, null);
  if (!r.ok) throw new Error(r.reason);
  return r.position;
}

function market(quotes: Record<string, BookQuote>, index: { BTC?: number; ETH?: number }): BookMarket {
  return { nowMs: NOW, indexUsd: (c) => index[c] ?? null, quote: (name) => quotes[name] ?? null };
}

describe('book positions', () => {
  it('takes options, futures and perpetuals of BTC and ETH and refuses the rest with a reason', () => {
    expect(checkPosition({ instrument: 'BTC-25DEC26-100000-C', quantity: 1.5, averagePrice: 0.05, priceCurrency: 'BTC' }, null).ok).toBe(true);
    expect(checkPosition({ instrument: 'ETH-PERPETUAL', quantity: -2500, averagePrice: 3000, priceCurrency: 'USD' }, null).ok).toBe(true);
    const reasons = [
      checkPosition({ instrument: 'BTC_USDC-PERPETUAL', quantity: 1, averagePrice: 1, priceCurrency: 'USD' }, null),
      checkPosition({ instrument: 'SOL-PERPETUAL', quantity: 1, averagePrice: 1, priceCurrency: 'USD' }, null),
      checkPosition({ instrument: 'BTC-25DEC26-100000-C', quantity: 1, averagePrice: 0.05, priceCurrency: 'USD' }, null),
      checkPosition({ instrument: 'BTC-25DEC26-100000-C', quantity: 0.05, averagePrice: null, priceCurrency: 'BTC' }, { minTradeAmount: 0.1, contractSize: 1 }),
      checkPosition({ instrument: 'BTC-25DEC26', quantity: 15, averagePrice: 90000, priceCurrency: 'USD' }, { minTradeAmount: 10, contractSize: 10 }),
      checkPosition({ instrument: 'BTC-25DEC26-100000-C', quantity: 1e9, averagePrice: null, priceCurrency: 'BTC' }, null),
      checkPosition({ instrument: 'BTC-STRD-25DEC26-100000', quantity: 1, averagePrice: null, priceCurrency: 'BTC' }, null),
    ].map((r) => (r.ok ? 'ok' : r.reason));
    expect(reasons[0]).toMatch(/linear \(USDC\) instruments are not supported/);
    expect(reasons[1]).toMatch(/only BTC and ETH/);
    expect(reasons[2]).toMatch(/priced in BTC, not USD/);
    expect(reasons[3]).toBe("0.05 contracts of BTC-25DEC26-100000-C is below Deribit's minimum of 0.1");
    expect(reasons[4]).toBe("15 USD of BTC-25DEC26 is not a whole number of Deribit's 10 USD contracts");
    expect(reasons[5]).toMatch(/larger than/);
    expect(reasons[6]).toMatch(/Invalid Deribit instrument name/);
  });
});

describe('book CSV', () => {
  it('keeps good rows and names bad ones by line', () => {
    const csv = [
      '# my book',
      'instrument,quantity,average_price,price_currency',
      'BTC-25DEC26-100000-C,2,0.0525,BTC',
      'BTC-PERPETUAL,-50000,91000,USD',
      '',
      'BTC-25DEC26-100000-P,abc,0.01,BTC',
      'ETH-25DEC26,1000,,',
      'BTC-25DEC26-100000-C,1,0.05,BTC',
      'XRP-PERPETUAL,1,1,USD',
    ].join('\r\n');
    const result = parseBookCsv(csv);
    expect(result.rows).toBe(6);
    expect(result.positions.map((p) => [p.instrument, p.quantity, p.averagePrice, p.priceCurrency])).toEqual([
      ['BTC-25DEC26-100000-C', 2, 0.0525, 'BTC'],
      ['BTC-PERPETUAL', -50000, 91000, 'USD'],
      ['ETH-25DEC26', 1000, null, 'USD'],
    ]);
    expect(result.errors).toEqual([
      { line: 6, reason: 'BTC-25DEC26-100000-P: quantity "abc" is not a number' },
      { line: 8, reason: 'BTC-25DEC26-100000-C is already on line 3' },
      { line: 9, reason: 'XRP-PERPETUAL: only BTC and ETH instruments are supported' },
    ]);
    // Round trip through the writer.
    expect(parseBookCsv(formatBookCsv(result.positions)).positions).toEqual(result.positions);
  });

  it('refuses a file without the required columns, and unlisted instruments when asked to', () => {
    expect(() => parseBookCsv('name,amount\nBTC-PERPETUAL,10\n')).toThrow(BookCsvHeaderError);
    expect(() => parseBookCsv('')).toThrow(/no header/);
    const r = parseBookCsv('instrument,quantity\nBTC-31DEC26-100000-C,1\n', { rules: () => null, requireListed: true });
    expect(r.errors).toEqual([{ line: 2, reason: 'BTC-31DEC26-100000-C is not a listed Deribit instrument (not in the current instrument list)' }]);
  });
});

describe('book valuation', () => {
  it('inverse future P&L in coin and USD, by hand', () => {
    // Long 10,000 USD at 50,000, mark 55,000: 10,000 × (1/50,000 − 1/55,000) = 0.0181818… BTC; at index 54,900.
    const v = valueBook([checked('BTC-PERPETUAL', 10_000, 50_000, 'USD')], market({ 'BTC-PERPETUAL': { markPrice: 55_000, markIv: null, forwardUsd: null } }, { BTC: 54_900 }));
    const p = v.positions[0]!;
    expect(p.pnlCoin).toBeCloseTo(10_000 * (1 / 50_000 - 1 / 55_000), 15);
    expect(p.pnlUsd).toBeCloseTo(p.pnlCoin! * 54_900, 9);
    expect(p.greeks!.deltaCoin).toBeCloseTo(10_000 / 55_000, 15);
    expect(p.greeks!.gammaUsdPer1Pct).toBe(0);
    expect(p.reason).toBeNull();
  });

  it('options: coin delta is N(d1) delta minus the premium; call − put coin delta is K / F (parity)', () => {
    const F = 92_000;
    const K = 100_000;
    const expiryMs = Date.parse('2026-12-25T08:00:00Z');
    const T = (expiryMs - NOW) / (365 * 86_400_000);
    const sigma = 0.5;
    const call = black76Price(F, K, T, sigma, true) / F;
    const put = black76Price(F, K, T, sigma, false) / F;
    const quotes = {
      'BTC-25DEC26-100000-C': { markPrice: call, markIv: sigma, forwardUsd: F },
      'BTC-25DEC26-100000-P': { markPrice: put, markIv: sigma, forwardUsd: F },
    };
    const book = [checked('BTC-25DEC26-100000-C', 1, 0.01, 'BTC'), checked('BTC-25DEC26-100000-P', -1, 0.05, 'BTC')];
    const v = valueBook(book, market(quotes, { BTC: 91_950 }));
    const [c, p] = v.positions;
    expect(c!.greeks!.deltaCoin).toBeCloseTo(c!.greeks!.delta - c!.valueCoin!, 14);
    // Long call + short put = long forward: N(d1) delta 1, coin delta K/F, no gamma or vega.
    const total = v.byCurrency.BTC!;
    expect(total.delta).toBeCloseTo(1, 12);
    expect(total.deltaCoin).toBeCloseTo(K / F, 12);
    expect(total.gammaUsdPer1Pct).toBeCloseTo(0, 8);
    expect(total.vegaUsd).toBeCloseTo(0, 8);
    expect(p!.pnlCoin).toBeCloseTo(-1 * (put - 0.05), 15);
    expect(total.pnlCoin).toBeCloseTo(c!.pnlCoin! + p!.pnlCoin!, 15);
    expect(v.byExpiry.map((e) => [e.currency, e.expiryLabel, e.totals.positions])).toEqual([['BTC', '25DEC26', 2]]);
  });

  it('term-standardized vega equals vega at 30 days and scales by √(30/days) elsewhere', () => {
    const T30 = 30 / 365;
    const g30 = optionGreeks(1, 90_000, 90_000, T30, 0.5, true);
    expect(g30.vega30Usd).toBeCloseTo(g30.vegaUsd, 10);
    const g7 = optionGreeks(1, 90_000, 90_000, 7 / 365, 0.5, true);
    expect(g7.vega30Usd).toBeCloseTo(g7.vegaUsd * Math.sqrt(30 / 7), 10);
  });

  it('says why numbers are missing instead of guessing', () => {
    const book = [checked('ETH-PERPETUAL', 1000, null, 'USD'), checked('ETH-25DEC26-4000-C', 1, 0.02, 'ETH')];
    const v = valueBook(book, market({ 'ETH-PERPETUAL': { markPrice: 3000, markIv: null, forwardUsd: null } }, {}));
    expect(v.positions[0]!.pnlCoin).toBeNull();
    expect(v.positions[0]!.reason).toMatch(/no average price/);
    expect(v.positions[1]!.greeks).toBeNull();
    expect(v.positions[1]!.reason).toMatch(/no quote/);
    expect(v.byCurrency.ETH!.missingGreeks).toBe(1);
    expect(v.byCurrency.ETH!.missingPnl).toBe(2);
  });
});
