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

export interface DailyCsvResult {
  closes: DailyClose[];
  errors: { line: number; reason: string }[];
  /** Rows of a wide file with this coin's cells empty (not listed yet): skipped, not errors. */
  emptyRows: number;
}

const DATE = /^(\d{4}-\d{2}-\d{2})/;

/**
 * Reads a daily OHLC CSV with a header that has `date` and `close` columns (CryptoDataDownload layout: the
 * Deribit perpetual daily file, or the DVOL file). Rows in any order; returned in date order; bad rows by line.
 *
 * With `currency`, a wide file of several coins is read too (the Bitstamp daily layout `,BTC:open,…,ETH:close,…`):
 * when there is no `close` column, `<CURRENCY>:close` is taken, and an unnamed first column is the date. A wide
 * file leaves a coin's cells empty before it was listed: such rows are skipped and counted in `emptyRows`.
 */
export function parseDailyCloseCsv(text: string, options: { currency?: string } = {}): DailyCsvResult {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const wideClose = options.currency === undefined ? -1 : header.indexOf(`${options.currency.toLowerCase()}:close`);
  const dateColumn = header.indexOf('date') >= 0 ? header.indexOf('date') : wideClose >= 0 && header[0] === '' ? 0 : -1;
  const closeColumn = header.indexOf('close') >= 0 ? header.indexOf('close') : wideClose;
  if (dateColumn < 0 || closeColumn < 0) throw new Error(`a daily history needs the columns date and close${options.currency ? ` (or ${options.currency}:close)` : ''}; the header is "${lines[0] ?? ''}"`);
  const wide = closeColumn === wideClose;
  const closes: DailyClose[] = [];
  const errors: { line: number; reason: string }[] = [];
  let emptyRows = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const date = DATE.exec(cells[dateColumn]?.trim() ?? '')?.[1];
    const closeText = cells[closeColumn]?.trim() ?? '';
    const close = Number(closeText);
    if (wide && closeText === '' && date !== undefined) emptyRows++;
    else if (date === undefined) errors.push({ line: i + 1, reason: `column date: "${cells[dateColumn] ?? ''}" is not a date` });
    else if (!(Number.isFinite(close) && close > 0)) errors.push({ line: i + 1, reason: `column close: "${cells[closeColumn] ?? ''}" is not a positive number` });
    else closes.push({ date, close });
  }
  closes.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { closes, errors, emptyRows };
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
