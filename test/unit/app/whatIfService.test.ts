/**
 * The what-if service's edges without the app: which history files it reads (only those named, as the CLI's
 * --history/--dvol), and how a bad, missing, gzipped or wide history file is reported (rows by file and line,
 * counted; a file that cannot be read is the reason, nothing thrown). The book is one perpetual, whose P&L on a
 * day is the inverse identity size × m/(1 + m) coin.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { RiskSettings } from '../../../src-main/api/dto';
import { riskHistoryFromEnv, WhatIfService, type RiskHistoryFiles } from '../../../src-main/app/whatIfService';
import { checkWhatIfLines } from '../../../src-main/core/risk/whatIf';
import { MarketState } from '../../../src-main/engine/marketState';
import { DEFAULT_RISK_SETTINGS } from '../../../src-main/engine/riskSnapshot';
import { indexEvent, instrumentEvent, perpetualDef, perpetualTicker } from '../../helpers/market';
import { makeTempDir } from '../../helpers/tmp';

const temp = makeTempDir('gammadesk-whatif-service-');
afterAll(() => temp.remove());
const INDEX = 90_000;

function service(history: RiskHistoryFiles): WhatIfService {
  const market = new MarketState();
  market.apply(indexEvent('BTC', INDEX), 1);
  market.apply(instrumentEvent(perpetualDef('BTC')), 2);
  market.apply(perpetualTicker('BTC', INDEX), 3);
  const book = checkWhatIfLines([{ instrument: 'BTC-PERPETUAL', amount: 90_000 }], () => null).positions;
  const settings: RiskSettings = { ...DEFAULT_RISK_SETTINGS };
  return new WhatIfService({ market: () => market, book: () => ({ version: 7, positions: book }), lineProblem: () => null, risk: { settingsOf: () => settings, setPayoffDates: () => settings, pmParamsOf: () => ({}), reusableMarginCall: () => null }, history });
}

function file(name: string, text: string | Buffer): string {
  const p = path.join(temp.dir, name);
  fs.writeFileSync(p, text);
  return p;
}

describe('history files', () => {
  it('are only the ones named in the environment, per currency', () => {
    expect(riskHistoryFromEnv({})).toEqual({});
    expect(riskHistoryFromEnv({ GAMMADESK_BTC_DVOL: '/d.csv' })).toEqual({});
    expect(riskHistoryFromEnv({ GAMMADESK_BTC_HISTORY: '/p.csv', GAMMADESK_BTC_DVOL: '/d.csv', GAMMADESK_ETH_HISTORY: '/e.csv' })).toEqual({
      riskHistory: { BTC: { prices: '/p.csv', dvol: '/d.csv' }, ETH: { prices: '/e.csv' } },
    });
  });

  it('reports bad rows by file and line, counts them, and keeps the good days', () => {
    const prices = file('prices.csv', 'date,close\n2024-01-01,100\n2024-01-02,110\nnot-a-day,5\n2024-01-03,-1\n2024-01-04,99\n2024-01-05,99\n');
    const dvol = file('dvol.csv.gz', gzipSync('date,close\n2024-01-01,50\n2024-01-02,55.5\n2024-01-04,60\n'));
    const r = service({ BTC: { prices, dvol } }).historical('BTC', 5);
    expect(r.configured).toBe(true);
    expect(r.reason).toBeNull();
    expect(r.files).toEqual({ prices: 'prices.csv', dvol: 'dvol.csv.gz' });
    expect(r.rows).toEqual({ prices: 4, dvol: 3 });
    expect(r.badRowCount).toBe(2);
    expect(r.badRows).toEqual([
      { file: 'prices.csv', line: 4, reason: 'column date: "not-a-day" is not a date' },
      { file: 'prices.csv', line: 5, reason: 'column close: "-1" is not a positive number' },
    ]);
    // Consecutive days only: 01-02 (+10 %, DVOL +5.5 pts) and 01-05 (0 %); 01-04 has no 01-03 close.
    expect(r.scenarios.map((d) => [d.date, d.volShiftPoints])).toEqual([
      ['2024-01-05', null],
      ['2024-01-02', 5.5],
    ]);
    // A long perpetual of 90 000 USD = 1 BTC at 90 000: the +10 % day gains 1 × 0.1/1.1 BTC (inverse P&L).
    const up = r.scenarios.find((d) => d.date === '2024-01-02')!;
    expect(up.pnlCoin).toBeCloseTo(0.1 / 1.1, 12);
    expect(up.pnlUsd).toBeCloseTo((0.1 / 1.1) * INDEX * 1.1, 6);
    expect(up.whatIf).toBeNull();
  });

  it('says what is wrong with a file that cannot be read or has no close column, without throwing', () => {
    const missing = service({ BTC: { prices: path.join(temp.dir, 'nope.csv') } }).historical('BTC', 5);
    expect(missing.configured).toBe(true);
    expect(missing.reason).toBe('cannot read the BTC history file nope.csv: ENOENT');
    const wrong = service({ BTC: { prices: file('wrong.csv', 'day,price\n2024-01-01,1\n') } }).historical('BTC', 5);
    expect(wrong.reason).toMatch(/^wrong\.csv: a daily history needs the columns date and close \(or BTC:close\)/);
    const none = service({}).historical('BTC', 5);
    expect(none.configured).toBe(false);
    expect(none.reason).toMatch(/GAMMADESK_BTC_HISTORY=daily\.csv/);
  });

  it('reads one coin of a wide file and says how many days it had no close', () => {
    const wide = file('wide.csv', ',BTC:close,ETH:close\n2024-01-01,100,\n2024-01-02,110,10\n2024-01-03,121,11\n');
    const r = service({ BTC: { prices: wide } }).historical('BTC', 5);
    expect(r.rows.prices).toBe(3);
    expect(r.notes).toContain('no DVOL file configured (GAMMADESK_BTC_DVOL): the vol is left unchanged on every day');
    // This market has no ETH index: the file is still read and reported, and the reason says what is missing.
    const eth = service({ ETH: { prices: wide } }).historical('ETH', 5);
    expect(eth.rows.prices).toBe(2);
    expect(eth.notes).toContain('wide.csv: 1 day without a close for ETH (before it was listed) skipped');
    expect(eth.reason).toBe('no ETH index price yet');
  });
});
