/**
 * The book as CSV: `instrument,quantity,average_price,price_currency` (header required, columns in any order,
 * extra columns ignored). `average_price` may be empty (unknown: P&L is then not computed); `price_currency`
 * may be empty (the instrument's own: the coin for options, USD for futures and perpetuals). Blank lines and
 * lines starting with `#` are skipped.
 *
 * A bad row is reported with its line number and reason and left out; every good row is kept. A file whose
 * header lacks a required column is refused as a whole.
 */
import { checkPosition, priceCurrencyOf, type BookPosition, type CheckedPosition, type InstrumentRules, type PriceCurrency } from './position';
import { parseInstrumentName } from '../pricing/instrument';

export const BOOK_CSV_COLUMNS = ['instrument', 'quantity', 'average_price', 'price_currency'] as const;

export interface BookCsvError {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

export interface BookCsvResult {
  positions: CheckedPosition[];
  errors: BookCsvError[];
  /** Data rows read (good and bad). */
  rows: number;
}

export class BookCsvHeaderError extends Error {
  override readonly name = 'BookCsvHeaderError';
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a book CSV. `rules(name)` gives the instrument list's entry (minimum amount, contract size), or null
 * for an instrument the list does not know; `requireListed` makes that an error (the app), otherwise it is
 * accepted on its name alone (offline CLI use with a chain file).
 */
export function parseBookCsv(
  text: string,
  options: {
    rules?: (instrument: string) => InstrumentRules | null;
    requireListed?: boolean;
    /** A further check of a parsed position (the app: expired?); a reason refuses the row. */
    check?: (position: CheckedPosition) => string | null;
  } = {},
): BookCsvResult {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (headerAt < 0) throw new BookCsvHeaderError(`no header: expected the columns ${BOOK_CSV_COLUMNS.join(',')}`);
  const header = splitCsvLine(lines[headerAt]!).map((h) => h.toLowerCase());
  const column: Record<string, number> = {};
  for (const name of BOOK_CSV_COLUMNS) {
    const at = header.indexOf(name);
    if (at < 0 && name !== 'average_price' && name !== 'price_currency') {
      throw new BookCsvHeaderError(`line ${headerAt + 1}: the header lacks the column "${name}" (expected ${BOOK_CSV_COLUMNS.join(',')})`);
    }
    column[name] = at;
  }
  const positions: CheckedPosition[] = [];
  const errors: BookCsvError[] = [];
  const seen = new Map<string, number>();
  let rows = 0;
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    rows++;
    const line = i + 1;
    const cells = splitCsvLine(raw);
    const cell = (name: string): string => (column[name]! >= 0 ? (cells[column[name]!] ?? '') : '');
    const instrument = cell('instrument');
    if (instrument === '') {
      errors.push({ line, reason: 'instrument is empty' });
      continue;
    }
    const quantityText = cell('quantity');
    if (!NUMBER.test(quantityText)) {
      errors.push({ line, reason: `${instrument}: quantity "${quantityText}" is not a number` });
      continue;
    }
    const priceText = cell('average_price');
    if (priceText !== '' && !NUMBER.test(priceText)) {
      errors.push({ line, reason: `${instrument}: average_price "${priceText}" is not a number` });
      continue;
    }
    let priceCurrency = cell('price_currency').toUpperCase();
    if (priceCurrency === '') {
      try {
        priceCurrency = priceCurrencyOf(parseInstrumentName(instrument));
      } catch {
        // checkPosition names the bad instrument below.
      }
    }
    const position: BookPosition = {
      instrument,
      quantity: Number(quantityText),
      averagePrice: priceText === '' ? null : Number(priceText),
      priceCurrency: priceCurrency as PriceCurrency,
    };
    const rules = options.rules?.(instrument) ?? null;
    const checked = checkPosition(position, rules);
    if (!checked.ok) {
      errors.push({ line, reason: checked.reason });
      continue;
    }
    if (rules === null && options.requireListed) {
      errors.push({ line, reason: `${instrument} is not a listed Deribit instrument (not in the current instrument list)` });
      continue;
    }
    const problem = options.check?.(checked.position) ?? null;
    if (problem !== null) {
      errors.push({ line, reason: problem });
      continue;
    }
    const before = seen.get(instrument);
    if (before !== undefined) {
      errors.push({ line, reason: `${instrument} is already on line ${before}` });
      continue;
    }
    seen.set(instrument, line);
    positions.push(checked.position);
  }
  return { positions, errors, rows };
}

/** Writes a book as CSV in the same columns (what `positions export` and the UI's "Export" give). */
export function formatBookCsv(positions: readonly BookPosition[]): string {
  const lines = [BOOK_CSV_COLUMNS.join(',')];
  for (const p of positions) lines.push([p.instrument, String(p.quantity), p.averagePrice === null ? '' : String(p.averagePrice), p.priceCurrency].join(','));
  return lines.join('\n') + '\n';
}
