/**
 * Close-price series from the CSV layouts of the price files in shared/data (see its README): a time column and a
 * close column, newest-first or oldest-first, optionally under a one-line banner (CryptoDataDownload's
 * "Timestamps are UTC timezone,…"). Pure: the caller reads (and gunzips) the file.
 *
 * Time column: `unix` when present (seconds, or milliseconds when >= 1e11), else `timestamp`, `date`, or an unnamed
 * first column. Text times: `2026-01-30`, `2026-01-30 08:00:00`, `2021-03-24 00:00:00+00:00`, ISO 8601, and
 * CryptoDataDownload's `2019-10-17 09-AM`; all UTC. Close column: `close` (any case) unless named, e.g. `ETH:close`
 * in the wide Bitstamp file.
 *
 * Bad rows (wrong field count, unparsable time or price, non-positive price, a repeated time) are reported by line
 * (1-based, as an editor shows it) and skipped; nothing else is lost. An empty close cell is not an error: the wide
 * file leaves a coin's cells empty before it was listed; those rows are counted as `emptyCloses`.
 */
import { MS_PER_DAY } from '../units';

export interface PriceRowError {
  line: number;
  message: string;
}

export interface PriceSeries {
  /** Epoch ms, strictly increasing. */
  times: number[];
  closes: number[];
  timeColumn: string;
  closeColumn: string;
  /** Data rows read (excluding header and banner). */
  rowsRead: number;
  emptyCloses: number;
  errors: PriceRowError[];
  /** Median spacing of consecutive times, ms (NaN with fewer than 2 rows). */
  intervalMs: number;
}

export interface PriceCsvOptions {
  closeColumn?: string;
  timeColumn?: string;
}

const CDD_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2})-(AM|PM)$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses one time cell to epoch ms (UTC); throws an Error saying why. */
export function parsePriceTime(text: string): number {
  const cell = text.trim();
  if (/^\d+(\.\d+)?$/.test(cell)) {
    const value = Number(cell);
    // Seconds until the year 5138; milliseconds after; microseconds beyond 1e14 ms (year 5138 again).
    const ms = value >= 1e14 ? value / 1000 : value >= 1e11 ? value : value * 1000;
    return Math.round(ms);
  }
  const cdd = CDD_TIME.exec(cell);
  if (cdd) {
    const hour12 = Number(cdd[4]);
    if (hour12 < 1 || hour12 > 12) throw new Error(`hour ${cdd[4]} is not 01..12 in "${cell}"`);
    const hour = (hour12 % 12) + (cdd[5] === 'PM' ? 12 : 0);
    return Date.UTC(Number(cdd[1]), Number(cdd[2]) - 1, Number(cdd[3]), hour);
  }
  if (DATE_ONLY.test(cell) || DATE_TIME.test(cell)) {
    let iso = cell.replace(' ', 'T');
    if (DATE_ONLY.test(cell)) iso += 'T00:00:00Z';
    else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
    const ms = Date.parse(iso);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error(`"${cell}" is not a time (epoch seconds/ms, YYYY-MM-DD[ HH:MM:SS], ISO 8601 or YYYY-MM-DD HH-AM)`);
}

function pickColumn(header: readonly string[], wanted: string | undefined, candidates: readonly string[], what: string): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  if (wanted !== undefined) {
    const index = lower.indexOf(wanted.toLowerCase());
    if (index < 0) throw new Error(`no ${what} column "${wanted}"; the header has ${header.join(', ')}`);
    return index;
  }
  for (const candidate of candidates) {
    const index = lower.indexOf(candidate);
    if (index >= 0) return index;
  }
  throw new Error(`no ${what} column (looked for ${candidates.map((c) => (c === '' ? '(unnamed first)' : c)).join(', ')}); the header has ${header.join(', ')}`);
}

/** Parses the CSV text. Throws an Error when no header with a time and a close column is found. */
export function parsePriceCsv(text: string, options: PriceCsvOptions = {}): PriceSeries {
  const lines = text.split(/\r?\n/);
  let headerLine = 0;
  // A banner line has no time-like column: try the next line as the header.
  const looksLikeHeader = (line: string): boolean => /(^|,)\s*(unix|timestamp|date)\s*(,|$)/i.test(line) || line.startsWith(',');
  if (!looksLikeHeader(lines[0] ?? '') && looksLikeHeader(lines[1] ?? '')) headerLine = 1;
  const header = (lines[headerLine] ?? '').split(',');
  const timeIndex = pickColumn(header, options.timeColumn, ['unix', 'timestamp', 'date', ''], 'time');
  const closeIndex = pickColumn(header, options.closeColumn, ['close'], 'close');
  const rows: [number, number, number][] = [];
  const errors: PriceRowError[] = [];
  let rowsRead = 0;
  let emptyCloses = 0;
  for (let i = headerLine + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    rowsRead++;
    const cells = line.split(',');
    const lineNumber = i + 1;
    if (cells.length !== header.length) {
      errors.push({ line: lineNumber, message: `expected ${header.length} fields, got ${cells.length}` });
      continue;
    }
    let time: number;
    try {
      time = parsePriceTime(cells[timeIndex]!);
    } catch (error) {
      errors.push({ line: lineNumber, message: `column ${header[timeIndex] || '(time)'}: ${(error as Error).message}` });
      continue;
    }
    const closeCell = cells[closeIndex]!.trim();
    if (closeCell === '') {
      emptyCloses++;
      continue;
    }
    const close = Number(closeCell);
    if (!Number.isFinite(close) || close <= 0) {
      errors.push({ line: lineNumber, message: `column ${header[closeIndex]}: "${closeCell}" is not a positive price` });
      continue;
    }
    rows.push([time, close, lineNumber]);
  }
  rows.sort((a, b) => a[0] - b[0] || a[2] - b[2]);
  const times: number[] = [];
  const closes: number[] = [];
  for (const [time, close, lineNumber] of rows) {
    if (times.length > 0 && times[times.length - 1] === time) {
      errors.push({ line: lineNumber, message: `time ${new Date(time).toISOString()} repeats an earlier row; kept the first` });
      continue;
    }
    times.push(time);
    closes.push(close);
  }
  errors.sort((a, b) => a.line - b.line);
  return {
    times,
    closes,
    timeColumn: header[timeIndex] || '(unnamed first column)',
    closeColumn: header[closeIndex]!,
    rowsRead,
    emptyCloses,
    errors,
    intervalMs: medianSpacing(times),
  };
}

function medianSpacing(times: readonly number[]): number {
  if (times.length < 2) return NaN;
  const gaps = times.slice(1).map((t, i) => t - times[i]!);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)]!;
}

/** 100 x ln(close_t / close_{t-1}): percent log returns, one fewer than the closes. */
export function percentLogReturns(closes: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < closes.length; i++) out.push(100 * Math.log(closes[i]! / closes[i - 1]!));
  return out;
}

export interface DailyVariance {
  /** UTC day start, epoch ms. */
  dayMs: number[];
  /** Daily realized variance, decimal (log-return^2 units, not annualized). */
  variance: number[];
  /** Daily close-to-close log return (decimal) ending on that day. */
  dailyReturn: number[];
  /** 'intraday' when the variance sums intraday returns, 'daily' when it is the squared daily return. */
  source: 'intraday' | 'daily';
  /** Intraday days dropped because a return was missing. */
  incompleteDays: number;
  /** Daily data: gaps between consecutive closes longer than a day (the return across a gap is not used). */
  gaps: number;
}

/**
 * Daily realized variance from a price series. Intraday data (spacing under a day): the sum of the squared
 * log returns of the day's bars, for UTC days with every return present (as in the HAR reference: 24 hourly
 * returns; the first return of a day is the one from the previous day's last bar). Daily data: the squared
 * daily log return (a noisy but unbiased proxy), one per day with a previous close one day earlier; a gap is
 * counted and the days either side become neighbours in the series (the models see trading days, not calendar days).
 */
export function dailyRealizedVariance(series: Pick<PriceSeries, 'times' | 'closes' | 'intervalMs'>): DailyVariance {
  const { times, closes, intervalMs } = series;
  const out: DailyVariance = { dayMs: [], variance: [], dailyReturn: [], source: intervalMs < MS_PER_DAY ? 'intraday' : 'daily', incompleteDays: 0, gaps: 0 };
  if (out.source === 'daily') {
    for (let i = 1; i < times.length; i++) {
      if (times[i]! - times[i - 1]! !== MS_PER_DAY) {
        out.gaps++;
        continue;
      }
      const r = Math.log(closes[i]! / closes[i - 1]!);
      out.dayMs.push(Math.floor(times[i]! / MS_PER_DAY) * MS_PER_DAY);
      out.variance.push(r * r);
      out.dailyReturn.push(r);
    }
    return out;
  }
  const perDay = Math.round(MS_PER_DAY / intervalMs);
  let day = NaN;
  let count = 0;
  let sum = 0;
  let dayReturn = 0;
  const flush = (): void => {
    if (Number.isNaN(day)) return;
    if (count === perDay) {
      out.dayMs.push(day);
      out.variance.push(sum);
      out.dailyReturn.push(dayReturn);
    } else out.incompleteDays++;
  };
  for (let i = 1; i < times.length; i++) {
    // A return belongs to the UTC day of the later bar's time stamp (the return stamped 00:00 opens the day), as in
    // the HAR reference; attributing it to the earlier bar's day instead changes bd in the third decimal.
    const d = Math.floor(times[i]! / MS_PER_DAY) * MS_PER_DAY;
    if (d !== day) {
      flush();
      day = d;
      count = 0;
      sum = 0;
      dayReturn = 0;
    }
    if (times[i]! - times[i - 1]! !== intervalMs) continue;
    const r = Math.log(closes[i]! / closes[i - 1]!);
    count++;
    sum += r * r;
    dayReturn += r;
  }
  flush();
  return out;
}
