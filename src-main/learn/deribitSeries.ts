/**
 * Reading Deribit's BTC-PERPETUAL series and its hourly DVOL from ../shared/data (see its README), for the learned
 * hedges' `deribit-hourly` and `deribit-daily` test paths and the `history` training source's `deribit` series
 * (core/learn/deribitSeries.ts; decision 0033):
 * - `lucashonorato_deribit_btc_perp_1h.csv`: `timestamp,open,high,low,close,volume`, timestamps like
 *   `2026-02-27 12:00:00+00:00` (UTC), 1441 rows 2026-02-27 12:00..2026-04-28 12:00;
 * - `lucashonorato_btc_dvol_1h_5y.csv.gz`: `timestamp,iv`, iv a DECIMAL (0.8488 = 84.88 %), 2021-03-24..2026-04-28;
 * - `ttienomy_deribit_BTC-PERPETUAL_daily.csv`: CryptoDataDownload layout, newest first, 2018-08-14..2026-01-30.
 * Bad rows are skipped, counted and reported with their line number; nothing else is lost.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildAnchoredHistory, type AnchoredHistory } from '../core/learn/b3';
import { dailyLogReturns, DERIBIT_SPANS, matchHours, type DailyReturns, type HourlyMatch } from '../core/learn/deribitSeries';
import { parseDailyColumnCsv } from '../core/risk/historical';
import { vol } from '../core/units';
import type { HourlyCloses } from './data';

export const DERIBIT_PERP_HOURLY_FILE = 'lucashonorato_deribit_btc_perp_1h.csv';
export const DERIBIT_DVOL_HOURLY_FILE = 'lucashonorato_btc_dvol_1h_5y.csv.gz';
export const DERIBIT_PERP_DAILY_FILE = 'ttienomy_deribit_BTC-PERPETUAL_daily.csv';

type BadRow = { line: number; reason: string };

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\+00:00|Z)?$/;

/** Epoch ms of a UTC timestamp `YYYY-MM-DD HH:MM:SS[+00:00|Z]`, or null (another offset is not UTC: refused). */
export function parseUtcTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 2026-02-30 over into March: a date that does not exist is refused.
  return new Date(ms).getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? ms : null;
}

/**
 * One numeric column of an hourly `timestamp,...` CSV, ascending: rows stamped on a whole UTC hour, the value
 * passing `check` (which returns why not, or null); a repeated hour keeps its first row.
 */
function parseHourlyColumn(text: string, column: string, check: (value: number) => string | null): { time: Float64Array; value: Float64Array; badRows: BadRow[] } {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  const timeColumn = header.indexOf('timestamp');
  const valueColumn = header.indexOf(column);
  if (timeColumn < 0 || valueColumn < 0) throw new Error(`line 1: header must name the columns timestamp and ${column}, got ${JSON.stringify(lines[0] ?? '')}`);
  const rows = new Map<number, number>();
  const badRows: BadRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const stamp = cells[timeColumn] ?? '';
    const t = parseUtcTimestamp(stamp);
    const raw = cells[valueColumn]?.trim() ?? '';
    const value = Number(raw);
    const why = raw === '' || !Number.isFinite(value) ? 'is not a number' : check(value);
    if (t === null) badRows.push({ line: i + 1, reason: `column timestamp: ${JSON.stringify(stamp)} is not a UTC time YYYY-MM-DD HH:MM:SS[+00:00]` });
    else if (t % 3_600_000 !== 0) badRows.push({ line: i + 1, reason: `column timestamp: ${JSON.stringify(stamp)} is not on a whole hour` });
    else if (why !== null) badRows.push({ line: i + 1, reason: `column ${column}: ${JSON.stringify(raw)} ${why}` });
    else if (rows.has(t)) badRows.push({ line: i + 1, reason: `column timestamp: ${stamp.trim()} appears twice (the first row is kept)` });
    else rows.set(t, value);
  }
  const sorted = [...rows.entries()].sort((a, b) => a[0] - b[0]);
  return { time: Float64Array.from(sorted, (r) => r[0]), value: Float64Array.from(sorted, (r) => r[1]), badRows };
}

const positivePrice = (x: number): string | null => (x > 0 ? null : 'is not a positive price');

/** The perpetual's hourly closes (`timestamp,...,close`), each row stamped with the start of its hour. */
export function parsePerpHourlyCsv(text: string): HourlyCloses {
  const { time, value, badRows } = parseHourlyColumn(text, 'close', positivePrice);
  return { time, close: value, badRows };
}

export interface HourlyDvol {
  /** Row stamp (start of the hour), epoch ms, ascending. */
  time: Float64Array;
  /** DVOL at the close of that hour, decimal. */
  vol: Float64Array;
  badRows: BadRow[];
}

/**
 * Hourly DVOL (`timestamp,iv`), iv a decimal already (0.8488); a value above 5 (500 %) is refused as a percent
 * written by mistake rather than divided silently.
 */
export function parseHourlyDvolCsv(text: string): HourlyDvol {
  const { time, value, badRows } = parseHourlyColumn(text, 'iv', (x) => (!(x > 0) ? 'is not a positive vol' : x > 5 ? 'is above 5: the file holds decimals (0.85 = 85 %), not percent' : null));
  return { time, vol: Float64Array.from(value, (x) => vol(x)), badRows };
}

const readText = (file: string): string => {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const raw = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
};

export const defaultDataDir = (): string => join(process.cwd(), '..', 'shared', 'data');

/** `file:line: reason` of each bad row. */
const located = (file: string, rows: readonly BadRow[]): string[] => rows.map((b) => `${file}:${b.line}: ${b.reason}`);

/** The 2026 hourly series as B3's anchored history, with what was checked. */
export interface DeribitHourlyData {
  /** Anchors every hour whose 720-hour window fits, priced at that hour's DVOL. */
  history: AnchoredHistory;
  /** First and last row stamp of the perpetual file. */
  firstMs: number;
  lastMs: number;
  /** The perpetual's hours against the DVOL file's. */
  match: HourlyMatch;
  /** Bad rows of both files (`file:line: reason`) and hours without a DVOL. */
  problems: string[];
}

/** Skipped anchor hours, one line per reason: how many, and the first (a gap skips every window that holds it). */
function skippedAnchors(history: AnchoredHistory): string[] {
  const byReason = new Map<string, string[]>();
  for (const s of history.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.day]);
  return [...byReason].map(([reason, hours]) => `${hours.length} anchor hour(s) skipped, the first ${hours[0]!} UTC: ${reason}`);
}

/** Reads the perpetual hourly and hourly DVOL files from `dataDir` and anchors every hour whose window fits. */
export function loadDeribitHourly(dataDir = defaultDataDir()): DeribitHourlyData {
  const perpFile = join(dataDir, DERIBIT_PERP_HOURLY_FILE);
  const dvolFile = join(dataDir, DERIBIT_DVOL_HOURLY_FILE);
  const perp = parsePerpHourlyCsv(readText(perpFile));
  const dvol = parseHourlyDvolCsv(readText(dvolFile));
  if (perp.time.length < 2) throw new Error(`${perpFile}: fewer than two good rows`);
  const match = matchHours(perp.time, dvol.time);
  const byHour = new Map<number, number>();
  for (let i = 0; i < dvol.time.length; i++) byHour.set(dvol.time[i]!, dvol.vol[i]!);
  // From the first row: the hours of the span before the file starts are not anchors that failed.
  const history = buildAnchoredHistory(perp, byHour, { from: Math.max(perp.time[0]!, DERIBIT_SPANS.hourly.from), to: DERIBIT_SPANS.hourly.to }, { anchorEveryHours: 1, dvolOnly: true });
  if (history.anchorTime.length === 0) throw new Error(`${perpFile}: no hour has a gap-free 720-hour window after it and a DVOL in ${dvolFile}`);
  return {
    history,
    firstMs: perp.time[0]!,
    lastMs: perp.time[perp.time.length - 1]!,
    match,
    problems: [
      ...located(perpFile, perp.badRows),
      ...located(dvolFile, dvol.badRows),
      ...match.missingFromOther.map((h) => `${dvolFile}: no DVOL for the perpetual's hour ${h} UTC`),
      ...match.missingFromReference.map((h) => `${perpFile}: no perpetual close for the DVOL hour ${h} UTC`),
      ...skippedAnchors(history),
    ],
  };
}

/** Daily log returns of a span of the perpetual daily file, with its bad rows. */
export interface DeribitDailyReturns extends DailyReturns {
  file: string;
  problems: string[];
}

/** The perpetual daily file's closes, log returns of consecutive days with both dates in `span`. */
export function deribitDailyReturns(span: { from: number; to: number }, file = join(defaultDataDir(), DERIBIT_PERP_DAILY_FILE)): DeribitDailyReturns {
  const { rows, errors } = parseDailyColumnCsv(readText(file), 'close');
  const daily = dailyLogReturns(rows, span);
  return { ...daily, file, problems: located(file, errors) };
}
