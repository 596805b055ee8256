/**
 * Hourly BTC closes for the block bootstrap (core/sim/paths.ts `bootstrapPaths`), read from the shared data:
 * the Bitstamp hourly file (`gymtradingenv_BTC_USD-Hourly.csv.gz`, 2018-05-15..2022-03-01, newest first,
 * `unix,date,symbol,open,high,low,close,...`; see ../shared/data/README.md) or any CSV with the same columns.
 * Bad rows are skipped, counted and reported with their line number; nothing else is lost. Log returns are
 * taken only between consecutive hours (a gap breaks the chain rather than producing a multi-hour return).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export interface HourlyCloses {
  /** Hour start, epoch ms, ascending. */
  time: Float64Array;
  close: Float64Array;
  badRows: { line: number; reason: string }[];
}

const HOUR_MS = 3_600_000;

/** Parses the CDD-layout hourly CSV text (header line with `unix` and `close`). */
export function parseHourlyCsv(text: string): HourlyCloses {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',');
  const unixColumn = header.indexOf('unix');
  const closeColumn = header.indexOf('close');
  if (unixColumn < 0 || closeColumn < 0) throw new Error(`line 1: header must name the columns unix and close, got ${JSON.stringify(lines[0] ?? '')}`);
  const rows: [number, number][] = [];
  const badRows: { line: number; reason: string }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const unix = Number(cells[unixColumn]);
    const close = Number(cells[closeColumn]);
    if (!Number.isSafeInteger(unix) || unix <= 0) badRows.push({ line: i + 1, reason: `column unix: ${JSON.stringify(cells[unixColumn] ?? null)} is not a positive whole number of seconds` });
    else if (!(close > 0) || !Number.isFinite(close)) badRows.push({ line: i + 1, reason: `column close: ${JSON.stringify(cells[closeColumn] ?? null)} is not a positive price` });
    else rows.push([unix * 1000, close]);
  }
  rows.sort((a, b) => a[0] - b[0]);
  return { time: Float64Array.from(rows, (r) => r[0]), close: Float64Array.from(rows, (r) => r[1]), badRows };
}

/** Reads a .csv or .csv.gz file of hourly closes. */
export function readHourlyCloses(file: string): HourlyCloses {
  const raw = readFileSync(file);
  return parseHourlyCsv((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'));
}

/**
 * Hourly log returns whose both ends lie in [fromMs, toMs) and are exactly one hour apart (duplicated hours and
 * gaps are skipped and counted).
 */
export function hourlyLogReturns(data: HourlyCloses, fromMs: number, toMs: number): { logReturns: Float64Array; skipped: number } {
  const out: number[] = [];
  let skipped = 0;
  for (let i = 1; i < data.time.length; i++) {
    const t0 = data.time[i - 1]!;
    const t1 = data.time[i]!;
    if (t0 < fromMs || t1 >= toMs) continue;
    if (t1 - t0 !== HOUR_MS) {
      skipped++;
      continue;
    }
    out.push(Math.log(data.close[i]! / data.close[i - 1]!));
  }
  return { logReturns: Float64Array.from(out), skipped };
}
