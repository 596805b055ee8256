/**
 * Historical scenarios: the largest daily moves of the index in a price history, with the DVOL move of the same
 * day where the vol history covers it, to be applied to today's book as (spot move, vol shift) pairs.
 *
 * The daily move of day d is close(d) / close(d − 1) − 1 on consecutive days of the history (a gap skips the
 * pair). Price and vol histories are matched by their date label (YYYY-MM-DD); the vol move is DVOL's close-to-close
 * change in vol points, null with a reason when the vol history does not have both days.
 */

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
}

const DATE = /^(\d{4}-\d{2}-\d{2})/;

/**
 * Reads a daily OHLC CSV with a header that has `date` and `close` columns (CryptoDataDownload layout: the
 * Deribit perpetual daily file, or the DVOL file). Rows in any order; returned in date order; bad rows by line.
 */
export function parseDailyCloseCsv(text: string): DailyCsvResult {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const dateColumn = header.indexOf('date');
  const closeColumn = header.indexOf('close');
  if (dateColumn < 0 || closeColumn < 0) throw new Error(`a daily history needs the columns date and close; the header is "${lines[0] ?? ''}"`);
  const closes: DailyClose[] = [];
  const errors: { line: number; reason: string }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const date = DATE.exec(cells[dateColumn]?.trim() ?? '')?.[1];
    const close = Number(cells[closeColumn]);
    if (date === undefined) errors.push({ line: i + 1, reason: `column date: "${cells[dateColumn] ?? ''}" is not a date` });
    else if (!(Number.isFinite(close) && close > 0)) errors.push({ line: i + 1, reason: `column close: "${cells[closeColumn] ?? ''}" is not a positive number` });
    else closes.push({ date, close });
  }
  closes.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { closes, errors };
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
