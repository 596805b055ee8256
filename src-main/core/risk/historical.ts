/**
 * Historical scenarios: the largest daily moves of the index in a price history, with the DVOL move of the same
 * day where the vol history covers it, to be applied to today's book as (spot move, vol shift) pairs.
 *
 * The daily move of day d is close(d) / close(d − 1) − 1 on consecutive days of the history (a gap skips the
 * pair). Price and vol histories are matched by their date label (YYYY-MM-DD); the vol move is DVOL's close-to-close
 * change in vol points, null with a reason when the vol history does not have both days.
 */
import type { Currency } from '../market/events';
import type { RiskPosition } from './riskPosition';
import { scenarioMatrix } from './scenario';

export interface DailyClose {
  /** YYYY-MM-DD (UTC). */
  date: string;
  close: number;
}

export interface HistoricalScenario {
  date: string;
  /** Fraction: −0.29 = −29 %. */
  spotMove: number;
  /** DVOL change in vol points; null when unknown (see `volReason`). */
  volShiftPoints: number | null;
  volReason: string | null;
}

const DATE = /^(\d{4}-\d{2}-\d{2})/;

/** The row's YYYY-MM-DD when it starts with a real calendar date (2021-02-30 and 2021-13-01 are not), else undefined. */
function calendarDate(cell: string): string | undefined {
  const date = DATE.exec(cell)?.[1];
  return date !== undefined && new Date(Date.parse(`${date}T00:00:00Z`) || 0).toISOString().slice(0, 10) === date ? date : undefined;
}

/** One column of a daily CSV: the row's date and the column's value. */
export interface DailyValue {
  /** YYYY-MM-DD (UTC). */
  date: string;
  value: number;
}

export interface DailyColumnResult {
  /** In date order; a date given twice keeps its first row (the later ones are errors). */
  rows: DailyValue[];
  errors: { line: number; reason: string }[];
  /** Rows of a wide file with this coin's cells empty (not listed yet): skipped, not errors. */
  emptyRows: number;
}

/**
 * Reads one positive column (`close` or `open`) of a daily OHLC CSV with a header that has `date` and that column
 * (CryptoDataDownload layout: the Deribit perpetual daily file, or the DVOL file). Rows in any order; returned in
 * date order; bad rows by line.
 *
 * With `currency`, a wide file of several coins is read too (the Bitstamp daily layout `,BTC:open,…,ETH:close,…`):
 * when there is no plain column, `<CURRENCY>:<column>` is taken, and an unnamed first column is the date. A wide
 * file leaves a coin's cells empty before it was listed: such rows are skipped and counted in `emptyRows`.
 */
export function parseDailyColumnCsv(text: string, column: 'open' | 'close', options: { currency?: string } = {}): DailyColumnResult {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const wideColumn = options.currency === undefined ? -1 : header.indexOf(`${options.currency.toLowerCase()}:${column}`);
  const dateColumn = header.indexOf('date') >= 0 ? header.indexOf('date') : wideColumn >= 0 && header[0] === '' ? 0 : -1;
  const valueColumn = header.indexOf(column) >= 0 ? header.indexOf(column) : wideColumn;
  if (dateColumn < 0 || valueColumn < 0) throw new Error(`a daily history needs the columns date and ${column}${options.currency ? ` (or ${options.currency}:${column})` : ''}; the header is "${lines[0] ?? ''}"`);
  const wide = valueColumn === wideColumn;
  const rows: DailyValue[] = [];
  const seen = new Set<string>();
  const errors: { line: number; reason: string }[] = [];
  let emptyRows = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const date = calendarDate(cells[dateColumn]?.trim() ?? '');
    const valueText = cells[valueColumn]?.trim() ?? '';
    const value = Number(valueText);
    if (wide && valueText === '' && date !== undefined) emptyRows++;
    else if (date === undefined) errors.push({ line: i + 1, reason: `column date: "${cells[dateColumn] ?? ''}" is not a date` });
    else if (!(Number.isFinite(value) && value > 0) || valueText === '') errors.push({ line: i + 1, reason: `column ${column}: "${cells[valueColumn] ?? ''}" is not a positive number` });
    else if (seen.has(date)) errors.push({ line: i + 1, reason: `column date: ${date} appears twice (the first row is kept)` });
    else {
      seen.add(date);
      rows.push({ date, value });
    }
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { rows, errors, emptyRows };
}

export interface DailyCsvResult {
  closes: DailyClose[];
  errors: { line: number; reason: string }[];
  emptyRows: number;
}

/** The `close` column of a daily CSV (`parseDailyColumnCsv`). */
export function parseDailyCloseCsv(text: string, options: { currency?: string } = {}): DailyCsvResult {
  const { rows, errors, emptyRows } = parseDailyColumnCsv(text, 'close', options);
  return { closes: rows.map(({ date, value }) => ({ date, close: value })), errors, emptyRows };
}

function previousDay(date: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`) - 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The `count` largest |daily moves| of `prices` (largest first), with the DVOL move of that day from `vols`; only
 * days from `since` (YYYY-MM-DD) when given.
 */
export function largestDailyMoves(prices: readonly DailyClose[], vols: readonly DailyClose[], count: number, since?: string): HistoricalScenario[] {
  const byDate = new Map(prices.map((p) => [p.date, p.close]));
  const volByDate = new Map(vols.map((v) => [v.date, v.close]));
  const first = vols.length > 0 ? vols.reduce((a, b) => (a.date < b.date ? a : b)).date : null;
  const moves: HistoricalScenario[] = [];
  for (const { date, close } of prices) {
    if (since !== undefined && date < since) continue;
    const before = byDate.get(previousDay(date));
    if (before === undefined) continue;
    const volNow = volByDate.get(date);
    const volBefore = volByDate.get(previousDay(date));
    const known = volNow !== undefined && volBefore !== undefined;
    moves.push({
      date,
      spotMove: close / before - 1,
      volShiftPoints: known ? Math.round((volNow - volBefore) * 1e6) / 1e6 : null,
      volReason: known ? null : first !== null && date <= first ? `no DVOL history before ${first}` : 'DVOL missing for this day',
    });
  }
  return moves.sort((a, b) => Math.abs(b.spotMove) - Math.abs(a.spotMove)).slice(0, count);
}

/** A historical day applied to today's book: the book's P&L (change from now) and the positions that make it. */
export interface HistoricalPnl extends HistoricalScenario {
  pnlUsd: number;
  pnlCoin: number;
  /** Per position, largest |USD P&L| first; they add up to the book's P&L. */
  positions: { instrument: string; pnlUsd: number; pnlCoin: number }[];
}

/**
 * Each day's index move and vol move (absolute vol points on every option, 0 where the vol move is unknown) applied
 * now to the `currency` positions of `positions`, sticky strike, no time passing — the same revaluation as a cell
 * of the scenario matrix (and as `gammadesk risk --history`). Sorted by loss: the worst day first.
 */
export function historicalPnl(positions: readonly RiskPosition[], currency: Currency, indexUsd: number, nowMs: number, scenarios: readonly HistoricalScenario[]): HistoricalPnl[] {
  const own = positions.filter((p) => p.currency === currency);
  return scenarios
    .map((h) => {
      const matrix = scenarioMatrix(own, { [currency]: indexUsd }, nowMs, {
        spotMoves: [h.spotMove], volShifts: [(h.volShiftPoints ?? 0) * 0.01], times: [{ label: 'now', elapsedMs: 0 }], volShiftMode: 'absolute', volDynamics: 'sticky-strike',
      });
      const m = matrix.currencies[0];
      const rows = m ? m.positions.map((p, i) => ({ instrument: p.instrument, pnlUsd: m.drillUsd[i]!, pnlCoin: m.drillCoin[i]! })) : [];
      rows.sort((a, b) => Math.abs(b.pnlUsd) - Math.abs(a.pnlUsd));
      return { ...h, pnlUsd: m ? m.pnlUsd[0]! : 0, pnlCoin: m ? m.pnlCoin[0]! : 0, positions: rows };
    })
    .sort((a, b) => a.pnlUsd - b.pnlUsd);
}
