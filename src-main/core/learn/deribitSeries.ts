/**
 * Deribit's own BTC-PERPETUAL price series as test and training data for the learned hedges (issue 14 item 1),
 * the pure half (file reading: learn/deribitSeries.ts; decision 0033).
 *
 * - Hourly 2026 (`deribit-hourly`): the perpetual's hourly closes of 2026-02-27 12:00..2026-04-28 12:00 UTC with
 *   Deribit's hourly DVOL of the same hours. Rows of both files are stamped with the START of their hour and hold
 *   its CLOSE (the DVOL row stamped 23:00 equals the daily DVOL close exactly, checked in the tests), so the close
 *   and the DVOL of one row are the same instant: a path anchored at row h starts at that close, priced at that
 *   row's DVOL, and uses only returns after it (no look-ahead). Anchors are every hour whose 720-hour window
 *   (B3's, decision 0023) lies inside the data; paths are B3's local circular 24-hour blocks of that window,
 *   shifted to a martingale (`anchoredBootstrapPaths`).
 * - Daily 2018-2026 (`deribit-daily`): daily closes (rows stamped 08:00, each covering 08:00..08:00, Deribit's
 *   settlement hour); log returns only between consecutive days.
 */
import { MS_PER_DAY } from '../units';
import type { AnchoredPaths } from './b3';
import type { HedgingProblem } from './train';

const HOUR_MS = 3_600_000;
const dayMs = (iso: string): number => Date.parse(`${iso}T00:00:00Z`);

/** The spans of the Deribit series, [from, to) in epoch ms (UTC); a return belongs to a span when both its ends do. */
export const DERIBIT_SPANS = Object.freeze({
  /** Every hour of the 2026 perpetual file (its test paths never train anything). */
  hourly: { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2027-01-01T00:00:00Z') },
  /** `deribit-daily` test paths: the days DVOL exists for, to the end of the daily file. */
  dailyTest: { from: dayMs('2021-03-24'), to: dayMs('2026-01-31') },
  /** `history` source, series deribit: training and validation (different seeds) ... */
  historyTrain: { from: dayMs('2018-08-14'), to: dayMs('2021-01-01') },
  /** ... and the gate's test returns, never the reverse. */
  historyTest: { from: dayMs('2021-01-01'), to: dayMs('2026-01-31') },
});

/**
 * The longest `deribit-hourly` path, days. The 2026 file holds 60 days: the 720-hour windows that fit start in its
 * first 30 days and overlap each other almost entirely, so a 30-day path (as long as its window) would only
 * reshuffle one month; 7-day paths draw 7 of the window's 30 daily blocks.
 */
export const DERIBIT_HOURLY_MAX_DAYS = 7;

/** UTC `YYYY-MM-DD HH:MM` of an epoch-ms instant. */
export function utcHour(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Null when a `days`-day path fits the hourly data spanning `first`..`last` (row stamps), else why not. */
export function deribitHourlyMaturityError(days: number, first: number, last: number): string | null {
  if (days <= DERIBIT_HOURLY_MAX_DAYS) return null;
  const spanDays = (last - first) / MS_PER_DAY;
  return `deribit-hourly paths are at most ${DERIBIT_HOURLY_MAX_DAYS} days: the Deribit perpetual hourly file spans ${utcHour(first)}..${utcHour(last)} UTC `
    + `(${spanDays.toFixed(0)} days, ${Math.round((last - first) / HOUR_MS)} hourly returns), so its 720-hour windows all start in the first `
    + `${(spanDays - 30).toFixed(0)} days and a ${days}-day path would reshuffle one month; use 7 days`;
}

/** Whether two hourly series cover the same hours: the hours of `reference` missing from `other`, and the reverse. */
export interface HourlyMatch {
  /** Hours of the reference series. */
  hours: number;
  /** Hours of the reference missing from the other series (UTC `YYYY-MM-DD HH:MM`). */
  missingFromOther: string[];
  /** Hours of the other series inside the reference's span but missing from the reference. */
  missingFromReference: string[];
}

/** Hour-by-hour match of two ascending lists of row stamps (epoch ms), within the reference's first..last hour. */
export function matchHours(reference: Float64Array, other: Float64Array): HourlyMatch {
  const mine = new Set(reference);
  const theirs = new Set(other);
  const missingFromOther: string[] = [];
  for (const t of reference) if (!theirs.has(t)) missingFromOther.push(utcHour(t));
  const missingFromReference: string[] = [];
  if (reference.length > 0) {
    const first = reference[0]!;
    const last = reference[reference.length - 1]!;
    for (const t of other) if (t >= first && t <= last && !mine.has(t)) missingFromReference.push(utcHour(t));
  }
  return { hours: reference.length, missingFromOther, missingFromReference };
}

/** Daily log returns of a span, with what was left out. */
export interface DailyReturns {
  /** ln(close_d / close_{d-1}) for consecutive days d-1, d both in the span, oldest first. */
  returns: Float64Array;
  /** Row date of each return's end. */
  endDates: string[];
  firstDate: string | null;
  lastDate: string | null;
  /** Consecutive rows of the span more than one day apart (no return is taken across them). */
  gaps: number;
  /**
   * Indices j of `returns` that follow a gap (returns j − 1 and j are not of consecutive days), ascending: a block of
   * returns holding one would glue days the file does not join (`gapFreeBlockStarts`).
   */
  breaks: number[];
  /** Each gap: the row dates either side and the days missing between them. */
  gapSpans: { before: string; after: string; missingDays: number }[];
}

/** Daily log returns whose both row dates lie in [from, to) (epoch ms of 00:00 UTC), from rows sorted by date. */
export function dailyLogReturns(rows: readonly { date: string; value: number }[], span: { from: number; to: number }): DailyReturns {
  const returns: number[] = [];
  const endDates: string[] = [];
  const breaks: number[] = [];
  const gapSpans: DailyReturns['gapSpans'] = [];
  let previous: { ms: number; date: string; value: number } | null = null;
  for (const { date, value } of rows) {
    const ms = dayMs(date);
    if (ms < span.from || ms >= span.to) continue;
    if (previous !== null) {
      if (ms - previous.ms === MS_PER_DAY) {
        returns.push(Math.log(value / previous.value));
        endDates.push(date);
      } else {
        gapSpans.push({ before: previous.date, after: date, missingDays: Math.round((ms - previous.ms) / MS_PER_DAY) - 1 });
        if (returns.length > 0 && breaks.at(-1) !== returns.length) breaks.push(returns.length);
      }
    }
    previous = { ms, date, value };
  }
  const inSpan = rows.filter((r) => dayMs(r.date) >= span.from && dayMs(r.date) < span.to);
  return {
    returns: Float64Array.from(returns), endDates, firstDate: inSpan[0]?.date ?? null, lastDate: inSpan[inSpan.length - 1]?.date ?? null,
    gaps: gapSpans.length, breaks, gapSpans,
  };
}

/**
 * Starts of the moving blocks of `blockLength` returns (of `count`) that hold no gap: block s is returns
 * s..s + blockLength − 1, refused when a break j (`DailyReturns.breaks`) lies inside it, s < j < s + blockLength —
 * as an hourly anchor whose window holds a gap is skipped (b3.ts `buildAnchoredHistory`). Every step of a path drawn
 * from these blocks is one day after the previous one.
 */
export function gapFreeBlockStarts(count: number, breaks: readonly number[], blockLength: number): Int32Array {
  const starts: number[] = [];
  let next = 0;
  for (let s = 0; s + blockLength <= count; s++) {
    while (next < breaks.length && breaks[next]! <= s) next++;
    if (next < breaks.length && breaks[next]! < s + blockLength) continue;
    starts.push(s);
  }
  return Int32Array.from(starts);
}

/** "2 gaps (no return taken across them, no block spans one): 2022-04-10 → 2022-04-12 (1 missing day), …". */
export function gapNote(daily: Pick<DailyReturns, 'gapSpans'>, blocks: { kept: number; all: number; blockLength: number } | null): string {
  const shown = daily.gapSpans.slice(0, 5).map((g) => `${g.before} → ${g.after} (${g.missingDays} missing day${g.missingDays === 1 ? '' : 's'})`);
  const more = daily.gapSpans.length > shown.length ? `, and ${daily.gapSpans.length - shown.length} more` : '';
  const kept = blocks ? `; ${blocks.kept} of ${blocks.all} ${blocks.blockLength}-day blocks hold no gap and are drawn` : '';
  return `${daily.gapSpans.length} gap${daily.gapSpans.length === 1 ? '' : 's'} in the daily rows (no return taken across them, no block spans one): ${shown.join(', ')}${more}${kept}`;
}

/**
 * Hourly anchored paths (`anchoredBootstrapPaths` of an hourly problem) seen every `hoursPerStep` hours: the
 * paths of a problem that rebalances every `hoursPerStep` hours (24 for the daily problems), the implied vol and
 * anchor of each path kept. With 24-hour blocks and `hoursPerStep` 24, each step is one whole block.
 */
export function coarserSteps(set: AnchoredPaths, hoursPerStep: number, problem: HedgingProblem): AnchoredPaths {
  const { paths: count, steps, spot } = set.paths;
  if (!Number.isSafeInteger(hoursPerStep) || hoursPerStep < 1 || steps % hoursPerStep !== 0) {
    throw new RangeError(`hoursPerStep must divide the ${steps} hourly steps, got ${String(hoursPerStep)}`);
  }
  const coarse = steps / hoursPerStep;
  const out = new Float64Array((coarse + 1) * count);
  for (let k = 0; k <= coarse; k++) out.set(spot.subarray(k * hoursPerStep * count, (k * hoursPerStep + 1) * count), k * count);
  return { ...set, paths: { paths: count, steps: coarse, dt: problem.dt, spot: out } };
}

/** One line on how much data test paths recombine: returns, distinct blocks of `blockLength`, the non-overlapping ones. */
export function blockCountNote(returns: number, blockLength: number, unit: string): string {
  return `${returns} ${unit} returns: ${Math.max(0, returns - blockLength + 1)} distinct ${blockLength}-${unit === 'hourly' ? 'hour' : 'day'} blocks, `
    + `${Math.floor(returns / blockLength)} of them non-overlapping`;
}
