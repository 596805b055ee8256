/**
 * B3's data on the shared files: the DVOL lookup by day, the trailing realized-vol fallback before DVOL exists
 * (2021-03-24), and the train / validation / test split, which must never leak. Golden values:
 * - DVOL (../shared/data/joachimoliver_btc_dvol.csv): row `2021-03-24,BTC,84.8,95.94,80.52,95.04` (the first
 *   day) and row `2021-03-25,BTC,95.03,97.43,87.25,89.74`; the day's vol is its open (00:00 UTC), in percent.
 * - Trailing 30-day realized vol sqrt(8760 x mean r^2) of the 720 hourly log returns before 00:00 UTC, computed
 *   with plain Python from the Bitstamp hourly file (../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz):
 *   2021-03-23 from the rows unix 1613865600 (close 55852.13) .. 1616457600 (54724.37): 0.9827439229575378;
 *   2021-01-01 from 1606867200 (18848.71) .. 1609459200 (29056.94): 0.6963853950475148;
 *   2019-06-01 from 1556755200 (5318.38) .. 1559347200 (8587.74): 0.8655782713256369.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/random';
import { anchoredBootstrapPaths, B3_PERIODS, b3Problem, b3SplitSegments } from '../../../src-main/core/learn/b3';
import { loadB3Data, parseDailyDvolCsv } from '../../../src-main/learn/b3Data';
import { readHourlyCloses } from '../../../src-main/learn/data';
import { sharedPath } from '../core/pricing/sharedData';

const HOUR = 3_600_000;
const day = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

describe('B3 data from ../shared/data', () => {
  const data = loadB3Data(sharedPath('data'));
  const { train, validation, test } = data.histories;

  it('reads both files without a bad row', () => {
    expect(data.problems).toEqual([]);
  });

  it('prices a day at its DVOL open from 2021-03-24, and at the trailing 30-day realized vol before', () => {
    const at = (iso: string): { vol: number; source: string } => {
      const h = [train, validation, test].find((x) => x.anchorTime.includes(day(iso)))!;
      const i = h.anchorTime.indexOf(day(iso));
      return { vol: h.anchorVol[i]!, source: h.anchorVolSource[i]! };
    };
    expect(at('2021-03-24')).toEqual({ vol: 0.848, source: 'dvol' });
    expect(at('2021-03-25')).toEqual({ vol: 0.9503, source: 'dvol' });
    expect(at('2021-03-23').source).toBe('realized');
    expect(at('2021-03-23').vol).toBeCloseTo(0.9827439229575378, 12);
    expect(at('2021-01-01').vol).toBeCloseTo(0.6963853950475148, 12);
    expect(at('2019-06-01')).toEqual({ vol: expect.closeTo(0.8655782713256369, 12) as unknown as number, source: 'realized' });
    // Every training and validation day is before DVOL existed; the test period switches on 2021-03-24.
    expect(train.anchorVolSource.every((s) => s === 'realized')).toBe(true);
    expect(validation.anchorVolSource.every((s) => s === 'realized')).toBe(true);
    expect(test.anchorVolSource.filter((s) => s === 'realized').length).toBe(82); // 2021-01-01 .. 2021-03-23
    expect(test.anchorVolSource.filter((s) => s === 'dvol').length).toBe(313); // 2021-03-24 .. 2022-01-30
  });

  it('never lets the periods overlap: training and validation returns all end before the first test return', () => {
    const span = (h: typeof train): [number, number] => [h.returnTime[0]!, h.returnTime[h.returnTime.length - 1]! + HOUR];
    const [trainFrom, trainTo] = span(train);
    const [validationFrom, validationTo] = span(validation);
    const [testFrom, testTo] = span(test);
    expect(trainFrom).toBeGreaterThanOrEqual(B3_PERIODS.train.from);
    expect(trainTo).toBeLessThanOrEqual(validationFrom);
    expect(validationTo).toBeLessThanOrEqual(testFrom);
    expect(testFrom).toBe(day('2021-01-01'));
    expect(testTo).toBe(day('2022-03-01'));
    expect(validationTo).toBe(day('2021-01-01'));
    // Every window stays inside its period.
    for (const h of [train, validation, test]) {
      for (let a = 0; a < h.anchorStart.length; a++) {
        const first = h.returnTime[h.anchorStart[a]!]!;
        const last = h.returnTime[h.anchorStart[a]! + h.windowLength - 1]! + HOUR;
        expect(first).toBe(h.anchorTime[a]);
        expect(first).toBeGreaterThanOrEqual(h.period.from);
        expect(last).toBeLessThanOrEqual(h.period.to);
      }
    }
  });

  it('draws training paths only from 2018-2020 returns: no step of a training path is a 2021-2022 return', () => {
    const problem = b3Problem(7);
    const set = anchoredBootstrapPaths(train, problem, 300, new Rng(1));
    // Sorted returns, searched with a tolerance (a step is exp/log'ed: equal to ~1e-15, not to the bit).
    // Independently of the history: every hourly return of the file that ends by 2020-07-01 00:00.
    const raw = readHourlyCloses(sharedPath('data', 'gymtradingenv_BTC_USD-Hourly.csv.gz'));
    const before: number[] = [];
    for (let j = 1; j < raw.time.length && raw.time[j]! <= B3_PERIODS.train.to; j++) before.push(Math.log(raw.close[j]! / raw.close[j - 1]!));
    const sortedTrain = Float64Array.from(before).sort();
    const near = (sorted: Float64Array, x: number): boolean => {
      let lo = 0;
      let hi = sorted.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (sorted[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      return Math.abs(sorted[lo]! - x) < 1e-11 || (lo > 0 && Math.abs(sorted[lo - 1]! - x) < 1e-11);
    };
    let seen = 0;
    for (let i = 0; i < 300; i++) {
      const a = set.anchor[i]!;
      const begin = train.anchorStart[a]!;
      let sum = 0;
      for (let j = 0; j < train.windowLength; j++) sum += Math.exp(train.logReturns[begin + j]!);
      const shift = -Math.log(sum / train.windowLength);
      for (let k = 0; k < set.paths.steps; k++) {
        const r = Math.log(set.paths.spot[(k + 1) * 300 + i]! / set.paths.spot[k * 300 + i]!) - shift;
        if (!near(sortedTrain, r)) throw new Error(`training path ${i} step ${k}: return ${r} is not a 2018-2020 return`);
        seen++;
      }
      expect(train.anchorTime[a]! + 30 * 24 * HOUR).toBeLessThanOrEqual(B3_PERIODS.train.to);
    }
    expect(seen).toBe(300 * 168);
  });
});

describe('B3 data with the spread validation split (decision 0035)', () => {
  const tail = loadB3Data(sharedPath('data'));
  const spread = loadB3Data(sharedPath('data'), 'spread');
  const { train, validation, test } = spread.histories;
  const segments = b3SplitSegments('spread');
  const windowHours = (h: typeof train, a: number): number[] => Array.from(h.returnTime.subarray(h.anchorStart[a]!, h.anchorStart[a]! + h.windowLength));

  it('keeps training and validation inside 2018-05-15..2020-12-31, each window inside one of its own segments', () => {
    for (const [h, spans] of [[train, segments.train], [validation, segments.validation]] as const) {
      expect(h.anchorStart.length).toBeGreaterThan(100);
      for (let a = 0; a < h.anchorStart.length; a++) {
        const hours = windowHours(h, a);
        expect(hours[0]).toBe(h.anchorTime[a]);
        const first = hours[0]!;
        const end = hours[hours.length - 1]! + HOUR;
        expect(first).toBeGreaterThanOrEqual(B3_PERIODS.train.from);
        expect(end).toBeLessThanOrEqual(B3_PERIODS.test.from);
        expect(spans.some((s) => s.from <= first && end <= s.to)).toBe(true);
      }
    }
  });

  it('never lets a training window and a validation window share an hourly return', () => {
    const validationHours = new Set<number>();
    for (let a = 0; a < validation.anchorStart.length; a++) for (const t of windowHours(validation, a)) validationHours.add(t);
    for (let a = 0; a < train.anchorStart.length; a++) for (const t of windowHours(train, a)) if (validationHours.has(t)) throw new Error(`training anchor ${a} uses the validation hour ${new Date(t).toISOString()}`);
    // Validation from each year of the span, not only 2020-H2.
    expect(new Set(Array.from(validation.anchorTime, (t) => new Date(t).getUTCFullYear()))).toEqual(new Set([2018, 2019, 2020]));
  });

  it('leaves the test period as it is, and the hourly returns are those of the tail split', () => {
    expect(Array.from(test.anchorTime)).toEqual(Array.from(tail.histories.test.anchorTime));
    expect(Array.from(test.anchorVol)).toEqual(Array.from(tail.histories.test.anchorVol));
    // The same day has the same vol in both splits (priced from the whole series' past), and the same window.
    const byDay = new Map<number, number>();
    for (const h of [tail.histories.train, tail.histories.validation]) h.anchorTime.forEach((t, a) => byDay.set(t, h.anchorVol[a]!));
    let shared = 0;
    for (const h of [train, validation]) {
      h.anchorTime.forEach((t, a) => {
        if (!byDay.has(t)) return; // a day whose window crosses 2020-07-01 anchors only in the spread split
        expect(h.anchorVol[a]).toBe(byDay.get(t));
        shared++;
      });
    }
    expect(shared).toBeGreaterThan(500);
    // Fewer anchors than the tail split: each segment loses the 29 days whose window would cross its end.
    expect(train.anchorStart.length + validation.anchorStart.length).toBeLessThan(tail.histories.train.anchorStart.length + tail.histories.validation.anchorStart.length);
  });
});

describe('parseDailyDvolCsv', () => {
  it('skips and reports bad rows by line and keeps the rest', () => {
    const text = ['date,symbol,open,high,low,close', '2021-03-25,BTC,95.03,1,1,1', '2021-3-26,BTC,90,1,1,1', '2021-03-27,BTC,,1,1,1', '2021-03-25,BTC,70,1,1,1', '2021-03-28,BTC,-4,1,1,1'].join('\n');
    const parsed = parseDailyDvolCsv(text);
    expect(Array.from(parsed.byDay.entries())).toEqual([[day('2021-03-25'), 0.9503]]);
    expect(parsed.badRows).toEqual([
      { line: 3, reason: 'column date: "2021-3-26" is not a date' },
      { line: 4, reason: 'column open: "" is not a positive number' },
      { line: 5, reason: 'column date: 2021-03-25 appears twice (the first row is kept)' },
      { line: 6, reason: 'column open: "-4" is not a positive number' },
    ]);
    expect(() => parseDailyDvolCsv('day,iv\n1,2')).toThrow(/needs the columns date and open/);
    // A date that is no calendar day is a bad row, not a NaN (2021-13-01) or a shifted (2021-02-30 -> 03-02) key.
    const impossible = parseDailyDvolCsv(['date,open', '2021-13-01,80', '2021-02-30,81', '2021-03-02,82'].join('\n'));
    expect(Array.from(impossible.byDay.entries())).toEqual([[day('2021-03-02'), 0.82]]);
    expect(impossible.badRows).toEqual([
      { line: 2, reason: 'column date: "2021-13-01" is not a date' },
      { line: 3, reason: 'column date: "2021-02-30" is not a date' },
    ]);
  });
});
