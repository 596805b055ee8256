/**
 * The Deribit series as learned-hedging test and training data (decision 0033), on the real files of
 * ../shared/data. Golden values, from ../shared/data/README.md and read with plain Python from the files:
 * - `lucashonorato_deribit_btc_perp_1h.csv`: 1441 rows 2026-02-27 12:00..2026-04-28 12:00 UTC, no gaps; first
 *   close 65903.5, last close 76275.0.
 * - `lucashonorato_btc_dvol_1h_5y.csv.gz`: 44680 rows 2021-03-24 00:00..2026-04-28 15:00, decimals; 0.8488 first,
 *   2026-02-27 12:00 -> 0.5331, 2026-03-10 07:00 -> 0.542, 2026-03-29 12:00 -> 0.5319; the rows hold each hour's
 *   CLOSE: 2024-03-14 23:00 -> 0.7458 and 2022-11-09 23:00 -> 1.1472 are the daily closes 74.58 and 114.72 of
 *   `joachimoliver_btc_dvol.csv` (README: "On 2024-03-14 BTC was 74.58 ... on 2022-11-09 (FTX) BTC was 114.72").
 * - `ttienomy_deribit_BTC-PERPETUAL_daily.csv`: 2727 rows 2018-08-14..2026-01-30, newest first; closes 6403.0
 *   (2018-08-14), 6377.0 (2018-08-15), 82627.5 (2026-01-29), 83413.0 (2026-01-30).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { anchoredBootstrapPaths, b3Problem } from '../../../src-main/core/learn/b3';
import { benchmarkProblem } from '../../../src-main/core/learn/benchmarks';
import { coarserSteps, dailyLogReturns, DERIBIT_SPANS, matchHours } from '../../../src-main/core/learn/deribitSeries';
import { Rng } from '../../../src-main/core/random';
import { UsageError } from '../../../src-main/cli/args';
import { learnCommands } from '../../../src-main/cli/commands/learn';
import {
  DERIBIT_DVOL_HOURLY_FILE, DERIBIT_PERP_DAILY_FILE, DERIBIT_PERP_HOURLY_FILE, deribitDailyReturns, loadDeribitHourly, parseHourlyDvolCsv,
  parsePerpHourlyCsv, parseUtcTimestamp,
} from '../../../src-main/learn/deribitSeries';
import { deribitDailyTestReturns, deribitTestPaths } from '../../../src-main/learn/deribitPaths';
import { readHistorySeries } from '../../../src-main/learn/historySeries';
import { bootstrapPathSource, HISTORY_BLOCK_DAYS } from '../../../src-main/learn/historyTrain';
import { gateTestPaths } from '../../../src-main/learn/trainJob';
import type { PathSet } from '../../../src-main/core/sim/paths';
import { sharedPath } from '../core/pricing/sharedData';

const at = (iso: string): number => Date.parse(`${iso.replace(' ', 'T')}:00Z`);
const dvolText = (): string => gunzipSync(readFileSync(sharedPath('data', DERIBIT_DVOL_HOURLY_FILE))).toString('utf8');

describe('readers of the Deribit files', () => {
  it('reads the perpetual hourly file: 1441 hours 2026-02-27 12:00..2026-04-28 12:00 UTC, no bad row', () => {
    const perp = parsePerpHourlyCsv(readFileSync(sharedPath('data', DERIBIT_PERP_HOURLY_FILE), 'utf8'));
    expect(perp.badRows).toEqual([]);
    expect(perp.time.length).toBe(1441);
    expect(perp.time[0]).toBe(at('2026-02-27 12:00'));
    expect(perp.time[1440]).toBe(at('2026-04-28 12:00'));
    expect(perp.close[0]).toBe(65903.5);
    expect(perp.close[1440]).toBe(76275.0);
  });

  it('reads the hourly DVOL as decimals, each row its hour\'s close (the 23:00 row is the daily close)', () => {
    const dvol = parseHourlyDvolCsv(dvolText());
    expect(dvol.badRows).toEqual([]);
    expect(dvol.time.length).toBe(44680);
    expect(dvol.time[0]).toBe(at('2021-03-24 00:00'));
    expect(dvol.vol[0]).toBe(0.8488);
    expect(dvol.time[44679]).toBe(at('2026-04-28 15:00'));
    const value = (iso: string): number => dvol.vol[dvol.time.indexOf(at(iso))]!;
    expect(value('2024-03-14 23:00')).toBeCloseTo(74.58 / 100, 12);
    expect(value('2022-11-09 23:00')).toBeCloseTo(114.72 / 100, 12);
  });

  it('matches the perpetual and the DVOL hour by hour over the perpetual\'s span', () => {
    const data = loadDeribitHourly(sharedPath('data'));
    expect(data.match).toEqual({ hours: 1441, missingFromOther: [], missingFromReference: [] });
    expect(data.problems).toEqual([]);
  });

  it('reports the hours one file has and the other lacks', () => {
    const hours = (list: string[]): Float64Array => Float64Array.from(list, at);
    // The other file's 2026-02-28 23:00 lies before the reference's span: not reported.
    expect(matchHours(hours(['2026-03-01 00:00', '2026-03-01 01:00', '2026-03-01 03:00']), hours(['2026-02-28 23:00', '2026-03-01 00:00', '2026-03-01 02:00', '2026-03-01 03:00'])))
      .toEqual({ hours: 3, missingFromOther: ['2026-03-01 01:00'], missingFromReference: ['2026-03-01 02:00'] });
  });

  it('reports a DVOL hour the perpetual has and skips that anchor instead of pricing it at another vol', () => {
    // 800 synthetic hours from 2026-01-01 00:00; the DVOL file lacks 2026-01-02 05:00; the perpetual repeats a row.
    const dir = mkdtempSync(join(tmpdir(), 'gammadesk-deribit-'));
    try {
      const hour = (h: number): string => new Date(Date.UTC(2026, 0, 1) + h * 3_600_000).toISOString().slice(0, 19).replace('T', ' ') + '+00:00';
      const perp = ['timestamp,open,high,low,close,volume', ...Array.from({ length: 800 }, (_, h) => `${hour(h)},1,1,1,${100 + Math.sin(h)},1`)];
      perp.splice(11, 0, `${hour(9)},1,1,1,55,1`);
      writeFileSync(join(dir, DERIBIT_PERP_HOURLY_FILE), perp.join('\n'));
      const dvol = ['timestamp,iv', ...Array.from({ length: 800 }, (_, h) => (h === 29 ? null : `${hour(h)},0.5`)).filter((x) => x !== null)];
      writeFileSync(join(dir, DERIBIT_DVOL_HOURLY_FILE), gzipSync(dvol.join('\n')));
      const data = loadDeribitHourly(dir);
      expect(data.match.missingFromOther).toEqual(['2026-01-02 05:00']);
      expect(data.problems).toEqual([
        `${join(dir, DERIBIT_PERP_HOURLY_FILE)}:12: column timestamp: ${hour(9)} appears twice (the first row is kept)`,
        `${join(dir, DERIBIT_DVOL_HOURLY_FILE)}: no DVOL for the perpetual's hour 2026-01-02 05:00 UTC`,
        '1 anchor hour(s) skipped, the first 2026-01-02 05:00 UTC: no DVOL at this anchor',
      ]);
      // Hours 0..79 have a 720-hour window; hour 29 has no DVOL.
      expect(data.history.anchorTime.length).toBe(79);
      expect(data.history.anchorTime.includes(at('2026-01-02 05:00'))).toBe(false);
      expect(data.history.anchorVolSource.every((s) => s === 'dvol')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips and reports bad rows by line and field, keeping every good row', () => {
    const perp = parsePerpHourlyCsv([
      'timestamp,open,high,low,close,volume',
      '2026-03-01 00:00:00+00:00,1,1,1,100,1',
      '2026-03-01 01:00:00+02:00,1,1,1,101,1',
      '2026-03-01 02:30:00+00:00,1,1,1,102,1',
      '2026-02-30 03:00:00+00:00,1,1,1,103,1',
      '2026-03-01 04:00:00+00:00,1,1,1,-5,1',
      '2026-03-01 05:00:00+00:00,1,1,1,,1',
      '2026-03-01 00:00:00+00:00,1,1,1,99,1',
      '',
      '2026-03-01 06:00:00Z,1,1,1,106,1',
    ].join('\n'));
    expect(Array.from(perp.close)).toEqual([100, 106]);
    expect(Array.from(perp.time)).toEqual([at('2026-03-01 00:00'), at('2026-03-01 06:00')]);
    expect(perp.badRows).toEqual([
      { line: 3, reason: 'column timestamp: "2026-03-01 01:00:00+02:00" is not a UTC time YYYY-MM-DD HH:MM:SS[+00:00]' },
      { line: 4, reason: 'column timestamp: "2026-03-01 02:30:00+00:00" is not on a whole hour' },
      { line: 5, reason: 'column timestamp: "2026-02-30 03:00:00+00:00" is not a UTC time YYYY-MM-DD HH:MM:SS[+00:00]' },
      { line: 6, reason: 'column close: "-5" is not a positive price' },
      { line: 7, reason: 'column close: "" is not a number' },
      { line: 8, reason: 'column timestamp: 2026-03-01 00:00:00+00:00 appears twice (the first row is kept)' },
    ]);
    const dvol = parseHourlyDvolCsv('timestamp,iv\n2026-03-01 00:00:00+00:00,0.55\n2026-03-01 01:00:00+00:00,55.1\n2026-03-01 02:00:00+00:00,NaN\n2026-03-01 03:00:00+00:00,0');
    expect(Array.from(dvol.vol)).toEqual([0.55]);
    expect(dvol.badRows.map((b) => b.line)).toEqual([3, 4, 5]);
    expect(dvol.badRows[0]!.reason).toBe('column iv: "55.1" is above 5: the file holds decimals (0.85 = 85 %), not percent');
    expect(() => parseHourlyDvolCsv('time,iv\n')).toThrow(/line 1: header must name the columns timestamp and iv/);
    expect(parseUtcTimestamp('2026-03-01T07:00:00Z')).toBe(at('2026-03-01 07:00'));
  });

  it('reads the perpetual daily file (newest first) into consecutive-day log returns of a span', () => {
    const all = deribitDailyReturns({ from: 0, to: Infinity }, sharedPath('data', DERIBIT_PERP_DAILY_FILE));
    expect(all.problems).toEqual([]);
    expect(all.returns.length).toBe(2726); // 2727 rows, no gap
    // No gap: the file's 2727 dates are consecutive days 2018-08-14..2026-01-30 (read with plain Python: sorted
    // dates, every neighbour one day apart), so deribit-daily draws every one of its blocks.
    expect([all.gaps, all.breaks, all.gapSpans]).toEqual([0, [], []]);
    const test = deribitDailyTestReturns(sharedPath('data', DERIBIT_PERP_DAILY_FILE));
    expect(test.gaps).toBe(0);
    expect(test.blockStarts).toBeUndefined();
    expect(test.notes.some((n) => n.includes('gap'))).toBe(false);
    expect(all.firstDate).toBe('2018-08-14');
    expect(all.lastDate).toBe('2026-01-30');
    expect(all.returns[0]).toBeCloseTo(Math.log(6377.0 / 6403.0), 15);
    expect(all.returns[2725]).toBeCloseTo(Math.log(83413.0 / 82627.5), 15);
    // A missing day breaks the chain: no two-day return.
    const gap = dailyLogReturns([{ date: '2021-01-01', value: 1 }, { date: '2021-01-02', value: 2 }, { date: '2021-01-04', value: 4 }, { date: '2021-01-05', value: 2 }], { from: 0, to: Infinity });
    expect(Array.from(gap.returns)).toEqual([Math.log(2), Math.log(0.5)]);
    expect(gap.gaps).toBe(1);
  });

  it('splits the daily history: 2018-08-14..2020-12-31 trains, 2021-01-01..2026-01-30 tests, no return in both', () => {
    const file = sharedPath('data', DERIBIT_PERP_DAILY_FILE);
    const train = deribitDailyReturns(DERIBIT_SPANS.historyTrain, file);
    const test = deribitDailyReturns(DERIBIT_SPANS.historyTest, file);
    expect([train.firstDate, train.lastDate, train.returns.length]).toEqual(['2018-08-14', '2020-12-31', 870]);
    expect([test.firstDate, test.lastDate, test.returns.length]).toEqual(['2021-01-01', '2026-01-30', 1855]);
    // The return of 2020-12-31 -> 2021-01-01 belongs to neither: the last training return ends before the first test return starts.
    expect(train.endDates[train.endDates.length - 1]).toBe('2020-12-31');
    expect(test.endDates[0]).toBe('2021-01-02');
  });
});

describe('deribit-hourly test paths (B3 7 days)', () => {
  const data = loadDeribitHourly(sharedPath('data'));
  const { history } = data;
  const problem = b3Problem(7);

  it('anchors every hour whose 720-hour window fits: 2026-02-27 12:00..2026-03-29 12:00, all 1440 returns', () => {
    expect(history.anchorTime.length).toBe(721);
    expect(history.anchorTime[0]).toBe(at('2026-02-27 12:00'));
    expect(history.anchorTime[720]).toBe(at('2026-03-29 12:00'));
    expect(history.logReturns.length).toBe(1440);
    expect(history.skipped).toEqual([]);
    for (let a = 0; a < 721; a++) expect(history.returnTime[history.anchorStart[a]!]).toBe(history.anchorTime[a]);
  });

  it('prices each path at the DVOL of its anchor hour, read independently from the file', () => {
    const lines = new Map(dvolText().split('\n').slice(1).map((l) => l.split(',')).map(([t, iv]) => [Date.parse(t!.replace(' ', 'T').replace('+00:00', 'Z')), Number(iv)]));
    expect(history.anchorVol[history.anchorTime.indexOf(at('2026-02-27 12:00'))]).toBe(0.5331);
    expect(history.anchorVol[history.anchorTime.indexOf(at('2026-03-10 07:00'))]).toBe(0.542);
    expect(history.anchorVol[history.anchorTime.indexOf(at('2026-03-29 12:00'))]).toBeCloseTo(0.5319, 12);
    const set = anchoredBootstrapPaths(history, problem, 500, new Rng(1000));
    for (let i = 0; i < 500; i++) {
      const t = history.anchorTime[set.anchor[i]!]!;
      expect(set.impliedVol[i]).toBe(lines.get(t));
    }
  });

  it('draws every step from the 2026 perpetual returns of the path\'s own window (no other data)', () => {
    const perp = parsePerpHourlyCsv(readFileSync(sharedPath('data', DERIBIT_PERP_HOURLY_FILE), 'utf8'));
    const count = 200;
    const set = anchoredBootstrapPaths(history, problem, count, new Rng(7));
    for (let i = 0; i < count; i++) {
      const a = set.anchor[i]!;
      const startRow = perp.time.indexOf(history.anchorTime[a]!);
      // The window's returns, straight from the file's closes, and its martingale shift.
      const window = Array.from({ length: 720 }, (_, j) => Math.log(perp.close[startRow + j + 1]! / perp.close[startRow + j]!));
      const shift = -Math.log(window.reduce((s, r) => s + Math.exp(r), 0) / 720);
      for (let k = 0; k < set.paths.steps; k++) {
        const r = Math.log(set.paths.spot[(k + 1) * count + i]! / set.paths.spot[k * count + i]!) - shift;
        if (!window.some((w) => Math.abs(w - r) < 1e-11)) throw new Error(`path ${i} step ${k}: ${r} is not a return of its window`);
      }
    }
    expect(set.paths.steps).toBe(168);
  });

  it('is a martingale: the mean one-hour growth is 1 within Monte Carlo error', () => {
    const count = 20_000;
    const set = anchoredBootstrapPaths(history, problem, count, new Rng(11));
    const n = count * set.paths.steps;
    let sum = 0;
    let squares = 0;
    for (let k = 0; k < set.paths.steps; k++) {
      for (let i = 0; i < count; i++) {
        const g = set.paths.spot[(k + 1) * count + i]! / set.paths.spot[k * count + i]!;
        sum += g;
        squares += g * g;
      }
    }
    const mean = sum / n;
    // Steps of one path are dependent (24-hour blocks): a generous standard error, the per-path count.
    const se = Math.sqrt((squares / n - mean * mean) / count);
    expect(Math.abs(mean - 1)).toBeLessThan(3 * se);
    // Without the shift the drift of the window shows: the test would notice a missing shift.
    const raw = anchoredBootstrapPaths(history, problem, count, new Rng(11), { martingale: false });
    let rawFinal = 0;
    for (let i = 0; i < count; i++) rawFinal += raw.paths.spot[raw.paths.steps * count + i]! / 100;
    let final = 0;
    for (let i = 0; i < count; i++) final += set.paths.spot[set.paths.steps * count + i]! / 100;
    expect(Math.abs(final / count - 1)).toBeLessThan(Math.abs(rawFinal / count - 1));
  });

  it('seen every 24 hours, the paths are those of a daily problem with the same anchors and vols', () => {
    const daily = { ...problem, dt: 1 / 365 };
    const set = anchoredBootstrapPaths(history, problem, 10, new Rng(3));
    const coarse = coarserSteps(set, 24, daily);
    expect(coarse.paths.steps).toBe(7);
    expect(coarse.paths.dt).toBe(1 / 365);
    for (let k = 0; k <= 7; k++) for (let i = 0; i < 10; i++) expect(coarse.paths.spot[k * 10 + i]).toBe(set.paths.spot[k * 24 * 10 + i]);
    expect(coarse.impliedVol).toBe(set.impliedVol);
    expect(() => coarserSteps(set, 5, daily)).toThrow(/must divide the 168 hourly steps/);
  });
});

describe('CLI: deribit-hourly is 7-day test data', () => {
  // evaluate throws before its first await: wrapped so both commands reject.
  const run = async (command: 'evaluate' | 'train', flags: Record<string, string>): Promise<number> => Promise.resolve().then(() => learnCommands[command]!.run({ positionals: [], flags }));

  it('refuses 30 days, naming the data span', async () => {
    await expect(run('evaluate', { benchmark: 'B3', days: '30', simulator: 'deribit-hourly', policy: 'bs-delta', paths: '100' }))
      .rejects.toThrow(new UsageError('deribit-hourly paths are at most 7 days: the Deribit perpetual hourly file spans 2026-02-27 12:00..2026-04-28 12:00 UTC (60 days, 1440 hourly returns), so its 720-hour windows all start in the first 30 days and a 30-day path would reshuffle one month; use 7 days'));
  });

  it('train --history takes bitstamp or deribit, as a source of its own', async () => {
    await expect(run('train', { history: 'coinbase', out: '/nonexistent/x.json' })).rejects.toThrow(new UsageError('--history must be bitstamp or deribit, got "coinbase"'));
    await expect(run('train', { history: 'deribit', benchmark: 'B1', out: '/nonexistent/x.json' })).rejects.toThrow(/--history is a source of its own/);
    await expect(run('train', { history: 'deribit', data: '/nonexistent', out: '/nonexistent/x.json' })).rejects.toThrow(/gymtradingenv_BTC_USD-Hourly\.csv\.gz does not exist/);
  });

  it('refuses to train on it', async () => {
    await expect(run('train', { benchmark: 'B3', simulator: 'deribit-hourly', out: '/nonexistent/x.json' })).rejects.toThrow(/deribit-hourly is test data only/);
  });
});

describe('deribit-daily across a gap in the daily rows', () => {
  /**
   * A daily file (CryptoDataDownload layout, newest first) of 200 days from 2022-01-01 whose log return on day k is
   * 0.001 (k − 100): the return grows by the same step every day, so consecutive days' returns differ by one step
   * and a block glued across a gap shows a jump. Rows missing: 2022-04-11 (one day) and 2022-05-31..2022-06-02
   * (three days).
   */
  function gappedDailyFile(dir: string, from = '2022-01-01', missing = (date: string): boolean => date === '2022-04-11' || (date >= '2022-05-31' && date <= '2022-06-02')): string {
    const rows: string[] = [];
    let close = 100;
    for (let k = 0; k < 200; k++) {
      close *= Math.exp(0.001 * (k - 100));
      const date = new Date(Date.parse(`${from}T00:00:00Z`) + k * 86_400_000).toISOString().slice(0, 10);
      if (missing(date)) continue;
      rows.push(`${Date.parse(`${date}T08:00:00Z`)},${date} 08:00:00,BTC-PERPETUAL,1,1,1,${close},1,1`);
    }
    const file = join(dir, DERIBIT_PERP_DAILY_FILE);
    writeFileSync(file, ['unix,date,symbol,open,high,low,close,volume,base_volume', ...rows.reverse()].join('\n'));
    return file;
  }

  /** Steps within a 5-step block of `set` that are not one day after the previous (the affine map's one-day step). */
  function gluedSteps(set: PathSet): number {
    const count = set.paths;
    const step = (k: number, i: number): number => Math.log(set.spot[(k + 1) * count + i]! / set.spot[k * count + i]!);
    const within: number[] = [];
    for (let i = 0; i < count; i++) for (let k = 0; k < set.steps; k++) if (k % 5 !== 4) within.push(step(k + 1, i) - step(k, i));
    // The one-day difference: the median of the differences within blocks (all of them when no block is glued).
    const unit = [...within].sort((a, b) => a - b)[within.length >> 1]!;
    expect(unit).toBeGreaterThan(0);
    return within.filter((d) => Math.abs(d - unit) > 1e-9 * Math.abs(unit) + 1e-12).length;
  }

  it('counts and names the gaps and draws no block across one: every step of a path is the day after the previous', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gammadesk-deribit-daily-'));
    try {
      const file = gappedDailyFile(dir);
      // 196 rows in three runs of 100, 49 and 47 consecutive days: 99 + 48 + 46 = 193 returns.
      const daily = deribitDailyReturns(DERIBIT_SPANS.dailyTest, file);
      expect([daily.returns.length, daily.gaps, daily.breaks]).toEqual([193, 2, [99, 147]]);
      expect(daily.gapSpans).toEqual([{ before: '2022-04-10', after: '2022-04-12', missingDays: 1 }, { before: '2022-05-30', after: '2022-06-03', missingDays: 3 }]);
      // 5-day blocks: 95 + 44 + 42 = 181 hold no gap, of the 189 a gap-blind draw would take.
      const read = deribitDailyTestReturns(file);
      expect(read.blockStarts!.length).toBe(181);
      expect(read.notes[1]).toBe('2 gaps in the daily rows (no return taken across them, no block spans one): 2022-04-10 → 2022-04-12 (1 missing day), 2022-05-30 → 2022-06-03 (3 missing days); 181 of 189 5-day blocks hold no gap and are drawn');

      const problem = benchmarkProblem('B1');
      const count = 2000;
      const { set, notes } = deribitTestPaths(problem, 'deribit-daily', count, 1000, dir);
      expect(notes).toEqual(read.notes);
      // The paths' step returns are the file's, rescaled and shifted by one affine map: consecutive days differ by one
      // fixed amount; a block glued across the one-day gap would jump by 3 of them, across the three-day gap by 5
      // (before gaps were respected: 476 such steps in 428 of these 2000 paths).
      expect(gluedSteps(set)).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the history source (series deribit) trains and gates on blocks without a gap, and counts the gaps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gammadesk-deribit-history-'));
    try {
      // 200 days from 2020-10-01: training rows to 2020-12-31 lack 2020-11-15, test rows lack 2021-01-20..21.
      gappedDailyFile(dir, '2020-10-01', (date) => date === '2020-11-15' || date === '2021-01-20' || date === '2021-01-21');
      // The Bitstamp history file is only where the Deribit file is looked for (beside it): not read here.
      const history = readHistorySeries(join(dir, 'gymtradingenv_BTC_USD-Hourly.csv.gz'), 'deribit');
      expect(history.range.gaps).toBe(2);
      // Training: 44 + 45 returns (rows 2020-10-01..11-14, 11-16..12-31): 40 + 41 gap-free blocks of 85.
      expect([history.train.length, history.trainBlockStarts!.length]).toEqual([89, 81]);
      // Test: rows 2021-01-01..01-19 and 01-22..2021-04-18: 18 + 86 returns, 14 + 82 gap-free blocks of 100.
      expect([history.test.length, history.testBlockStarts!.length]).toEqual([104, 96]);
      const problem = benchmarkProblem('B1');
      const training = bootstrapPathSource(problem, history.train, HISTORY_BLOCK_DAYS, history.trainBlockStarts).sample(2000, new Rng(2)).paths;
      expect(gluedSteps(training)).toBe(0);
      const gate = gateTestPaths(problem, { kind: 'bootstrap', returns: history.test, blockStarts: history.testBlockStarts! }, 2000, 1000);
      expect(gluedSteps(gate)).toBe(0);
      // Without the block starts the same draws glue blocks across the gaps: what the check above would catch.
      expect(gluedSteps(gateTestPaths(problem, { kind: 'bootstrap', returns: history.test }, 2000, 1000))).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file with no five consecutive days, naming its gaps', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gammadesk-deribit-daily-'));
    try {
      // Every third day missing: runs of two days, one return each, never five in a row.
      const rows = Array.from({ length: 90 }, (_, k) => k).filter((k) => k % 3 !== 2).map((k) => {
        const date = new Date(Date.UTC(2022, 0, 1) + k * 86_400_000).toISOString().slice(0, 10);
        return `0,${date} 08:00:00,BTC-PERPETUAL,1,1,1,${100 + k},1,1`;
      });
      writeFileSync(join(dir, DERIBIT_PERP_DAILY_FILE), ['unix,date,symbol,open,high,low,close,volume,base_volume', ...rows].join('\n'));
      expect(() => deribitTestPaths(benchmarkProblem('B1'), 'deribit-daily', 10, 1, dir)).toThrow(/no 5 consecutive daily returns between 2021-03-24 and 2026-01-30 without a gap; 29 gaps in the daily rows .*: 2022-01-02 → 2022-01-04 \(1 missing day\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
