/**
 * Data for benchmark B3's bootstrap (core/learn/b3.ts): the Bitstamp hourly BTC closes (learn/data.ts) and
 * Deribit's daily BTC DVOL (`joachimoliver_btc_dvol.csv`: `date,symbol,open,high,low,close`, percent, newest
 * first, 2021-03-24..2026-04-06; see ../shared/data/README.md), cut into the training, validation and test
 * periods. The vol of a day is the DVOL open, the value at 00:00 UTC when the anchored path starts (the close
 * would be a day of look-ahead). Bad rows are skipped, counted and reported with their line number.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { volFromPercent } from '../core/units';
import { B3_PERIODS, b3SplitSegments, buildAnchoredHistory, joinAnchoredHistories, type AnchoredHistory, type B3Period, type B3ValidationSplit, type DvolByDay } from '../core/learn/b3';
import { readHourlyCloses } from './data';
import { parseDailyColumnCsv } from '../core/risk/historical';

export const B3_HOURLY_FILE = 'gymtradingenv_BTC_USD-Hourly.csv.gz';
export const B3_DVOL_FILE = 'joachimoliver_btc_dvol.csv';

export interface DailyDvol {
  /** Decimal vol at 00:00 UTC (the day's open), keyed by the day's 00:00 UTC epoch ms. */
  byDay: DvolByDay;
  badRows: { line: number; reason: string }[];
}

/** The daily DVOL CSV's `open` column (percent) by day (`parseDailyColumnCsv`: bad rows by line, first of a repeated date kept). */
export function parseDailyDvolCsv(text: string): DailyDvol {
  const { rows, errors } = parseDailyColumnCsv(text, 'open');
  return { byDay: new Map(rows.map(({ date, value }) => [Date.parse(`${date}T00:00:00Z`), volFromPercent(value)])), badRows: errors };
}

export interface B3Data {
  histories: Record<B3Period, AnchoredHistory>;
  /** Bad rows of both files, `file:line: reason`. */
  problems: string[];
}

/**
 * Reads both files from `dataDir` (default ../shared/data) and builds the anchored history of every period; the
 * training and validation histories follow `split` (core/learn/b3.ts `b3SplitSegments`: 'tail' is 0023's
 * 2020-H2 validation, 'spread' validation segments spread over 2018-2020), the test history is always 2021-2022.
 */
export function loadB3Data(dataDir = join(process.cwd(), '..', 'shared', 'data'), split: B3ValidationSplit = 'tail'): B3Data {
  const hourlyFile = join(dataDir, B3_HOURLY_FILE);
  const dvolFile = join(dataDir, B3_DVOL_FILE);
  for (const file of [hourlyFile, dvolFile]) if (!existsSync(file)) throw new Error(`B3 data: ${file} does not exist`);
  const hourly = readHourlyCloses(hourlyFile);
  const dvol = parseDailyDvolCsv(readFileSync(dvolFile, 'utf8'));
  const problems = [
    ...hourly.badRows.map((b) => `${hourlyFile}:${b.line}: ${b.reason}`),
    ...dvol.badRows.map((b) => `${dvolFile}:${b.line}: ${b.reason}`),
  ];
  const build = (period: B3Period): AnchoredHistory => buildAnchoredHistory(hourly, dvol.byDay, B3_PERIODS[period]);
  if (split === 'tail') return { histories: { train: build('train'), validation: build('validation'), test: build('test') }, problems };
  const segments = b3SplitSegments(split);
  const joined = (spans: readonly { from: number; to: number }[]): AnchoredHistory => joinAnchoredHistories(spans.map((span) => buildAnchoredHistory(hourly, dvol.byDay, span)));
  return { histories: { train: joined(segments.train), validation: joined(segments.validation), test: build('test') }, problems };
}
