/**
 * The `history` training source's series (learn/historySeries.ts, decision 0033): Deribit BTC-PERPETUAL daily
 * closes train on 2018-08-14..2020-12-31 and gate on 2021-01-01..2026-01-30, never the reverse. Golden values from
 * ../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv with plain Python: 870 training returns (2018-08-14 to
 * 2020-12-31, no gap), 1855 test returns (2021-01-01 to 2026-01-30); the closes 2020-12-31 29186.0 and 2021-01-01
 * 29850.0 bound the one return that belongs to neither part.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/random';
import { bootstrapPathSource, historyProblem } from '../../../src-main/learn/historyTrain';
import { readHistorySeries } from '../../../src-main/learn/historySeries';
import { DERIBIT_PERP_DAILY_FILE } from '../../../src-main/learn/deribitSeries';
import { sharedPath } from '../core/pricing/sharedData';

const HISTORY_FILE = sharedPath('data', 'gymtradingenv_BTC_USD-Hourly.csv.gz');

describe('readHistorySeries', () => {
  const deribit = readHistorySeries(HISTORY_FILE, 'deribit');

  it('reads the Deribit daily file beside the history file: 870 training and 1855 test returns', () => {
    expect(deribit.range).toMatchObject({
      file: sharedPath('data', DERIBIT_PERP_DAILY_FILE), series: 'deribit', seriesLabel: 'Deribit BTC-PERPETUAL',
      trainDays: 870, trainFirstMs: Date.parse('2018-08-14T00:00:00Z'), trainLastMs: Date.parse('2020-12-31T00:00:00Z'),
      testDays: 1855, testFirstMs: Date.parse('2021-01-01T00:00:00Z'), testLastMs: Date.parse('2026-01-30T00:00:00Z'), badRows: 0,
      // No gap in either part (the file's dates are consecutive: see the header): every block is drawn.
      gaps: 0,
    });
    expect(deribit.trainBlockStarts).toBeUndefined();
    expect(deribit.testBlockStarts).toBeUndefined();
    expect(deribit.range.realizedVol).toBeGreaterThan(0.3);
    expect(deribit.range.realizedVol).toBeLessThan(1.2);
  });

  it('keeps Bitstamp as the default series', () => {
    expect(readHistorySeries(HISTORY_FILE).range).toMatchObject({ series: 'bitstamp', seriesLabel: 'BTC', file: HISTORY_FILE });
  });

  it('never trains on a test return: every step of a training path is a 2018-2020 return (shifted to a martingale)', () => {
    // Independently of the reader: the file's closes by date, and the returns of consecutive days up to 2020-12-31.
    const lines = readFileSync(sharedPath('data', DERIBIT_PERP_DAILY_FILE), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const close = new Map(lines.map((c) => [c[1]!.slice(0, 10), Number(c[6])]));
    expect(close.get('2020-12-31')).toBe(29186.0);
    expect(close.get('2021-01-01')).toBe(29850.0);
    const trainReturns: number[] = [];
    const testReturns: number[] = [];
    for (const [date, value] of [...close].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const previous = close.get(new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10));
      if (previous === undefined) continue;
      if (date <= '2020-12-31') trainReturns.push(Math.log(value / previous));
      else if (date >= '2021-01-02') testReturns.push(Math.log(value / previous));
    }
    expect(trainReturns.length).toBe(870);
    expect(testReturns.length).toBe(1855);
    const problem = historyProblem(deribit.train, 30, 5e-4);
    const set = bootstrapPathSource(problem, deribit.train).sample(200, new Rng(2)).paths;
    let sum = 0;
    for (const r of deribit.train) sum += Math.exp(r);
    const shift = -Math.log(sum / deribit.train.length);
    for (let i = 0; i < 200; i++) {
      for (let k = 0; k < set.steps; k++) {
        const r = Math.log(set.spot[(k + 1) * 200 + i]! / set.spot[k * 200 + i]!) - shift;
        if (!trainReturns.some((x) => Math.abs(x - r) < 1e-12)) throw new Error(`path ${i} step ${k}: ${r} is not a training return`);
      }
    }
    // The gate's returns are the test span's own.
    expect(Array.from(deribit.test).every((r, j) => Math.abs(r - testReturns[j]!) < 1e-15)).toBe(true);
  });
});
