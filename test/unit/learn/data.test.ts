/**
 * The hourly BTC loader on the shared Bitstamp file. Known values (../shared/data/README.md, checked there with
 * plain Python): 33259 rows 2018-05-15 06:00..2022-03-01 00:00 UTC, no gaps; the 2020-03-12 23:00 bar closes at
 * 4841.67.
 */
import { describe, expect, it } from 'vitest';
import { hourlyLogReturns, parseHourlyCsv, readHourlyCloses } from '../../../src-main/learn/data';
import { sharedPath } from '../core/pricing/sharedData';

describe('readHourlyCloses', () => {
  const data = readHourlyCloses(sharedPath('data', 'gymtradingenv_BTC_USD-Hourly.csv.gz'));

  it('reads every row of the Bitstamp hourly file in time order', () => {
    expect(data.badRows).toEqual([]);
    expect(data.time.length).toBe(33_259);
    expect(new Date(data.time[0]!).toISOString()).toBe('2018-05-15T06:00:00.000Z');
    expect(new Date(data.time[data.time.length - 1]!).toISOString()).toBe('2022-03-01T00:00:00.000Z');
    const i = data.time.indexOf(Date.parse('2020-03-12T23:00:00Z'));
    expect(data.close[i]).toBe(4841.67);
  });

  it('gives hourly log returns for a date range with no gaps (train 2018-2020, test 2021-2022 never overlap)', () => {
    const train = hourlyLogReturns(data, Date.parse('2018-01-01T00:00:00Z'), Date.parse('2021-01-01T00:00:00Z'));
    const test = hourlyLogReturns(data, Date.parse('2021-01-01T00:00:00Z'), Date.parse('2023-01-01T00:00:00Z'));
    expect(train.skipped).toBe(0);
    expect(test.skipped).toBe(0);
    // 2018-05-15 06:00 .. 2020-12-31 23:00 spans 23 081 hours; 2021-01-01 00:00 .. 2022-03-01 00:00 spans 10 176 (one return per hour).
    expect(train.logReturns.length).toBe(23_081);
    expect(test.logReturns.length).toBe(10_176);
    let sum = 0;
    for (const r of train.logReturns) sum += r;
    expect(Math.exp(sum)).toBeCloseTo(data.close[23_081]! / data.close[0]!, 8);
  });
});

describe('parseHourlyCsv', () => {
  it('skips and reports bad rows by line and keeps the rest; a gap breaks the return chain', () => {
    const text = ['unix,date,symbol,open,high,low,close', '7200,x,BTC,1,1,1,110', 'abc,x,BTC,1,1,1,100', '3600,x,BTC,1,1,1,100', '14400,x,BTC,1,1,1,-5', '18000,x,BTC,1,1,1,120'].join('\n');
    const data = parseHourlyCsv(text);
    expect(data.badRows).toEqual([
      { line: 3, reason: 'column unix: "abc" is not a positive whole number of seconds' },
      { line: 5, reason: 'column close: "-5" is not a positive price' },
    ]);
    expect(Array.from(data.close)).toEqual([100, 110, 120]);
    const { logReturns, skipped } = hourlyLogReturns(data, 0, 1e12);
    expect(Array.from(logReturns)).toEqual([Math.log(1.1)]);
    expect(skipped).toBe(1);
    expect(() => parseHourlyCsv('time,price\n1,2')).toThrow(/line 1: header/);
  });
});
