/**
 * The trader's book as a service: stored in SQLite (store/positions.ts), checked against the instrument list,
 * imported from CSV, marked to market on the current market (core/book/valuation.ts) for the `book` stream, and
 * given to the kernel as the options overlay of the exposure view.
 */
import type { BookImportResult, BookSnapshot, PositionDto } from '../api/dto';
import { ApiException } from '../api/errors';
import { BookCsvHeaderError, parseBookCsv } from '../core/book/csv';
import { applyFill, checkPosition, priceCurrencyOf, type BookPosition, type CheckedPosition, type InstrumentRules } from '../core/book/position';
import { valueBook } from '../core/book/valuation';
import { parseInstrumentName } from '../core/pricing/instrument';
import { bookMarket } from '../engine/bookMarket';
import type { MarketState } from '../engine/marketState';
import type { PositionRepository, PositionRow } from '../store/positions';

/** What the instrument list knows of an instrument: its trading rules and expiry. */
export type InstrumentLookup = (name: string) => (InstrumentRules & { expiryMs: number | null }) | null;

export interface BookLine {
  instrument: string;
  amount: number;
  averagePrice?: number;
  priceCurrency?: BookPosition['priceCurrency'];
}

const toDto = (row: PositionRow): PositionDto => ({
  instrument: row.instrument,
  amount: row.amount,
  averagePrice: row.averagePrice,
  priceCurrency: row.priceCurrency,
  updatedMs: row.updatedMs,
});

function checkedFromRows(rows: readonly PositionRow[]): CheckedPosition[] {
  const out: CheckedPosition[] = [];
  for (const row of rows) {
    const r = checkPosition({ instrument: row.instrument, quantity: row.amount, averagePrice: row.averagePrice, priceCurrency: row.priceCurrency }, null);
    // Stored rows were checked when saved; one that no longer parses (a newer app's row) is left out, not fatal.
    if (r.ok) out.push(r.position);
    else console.error(`[gammadesk] book: ${r.reason}`);
  }
  return out;
}

export class BookService {
  private rows: PositionRow[];
  private checked: CheckedPosition[];
  private optionMap: Map<string, number>;
  /** Increases with every change of the book. */
  version = 1;

  constructor(
    private readonly repo: PositionRepository,
    private readonly lookup: InstrumentLookup,
    private readonly nowMs: () => number,
    private readonly onChange: () => void,
  ) {
    this.rows = repo.list();
    this.checked = checkedFromRows(this.rows);
    this.optionMap = this.options();
  }

  list(): PositionDto[] {
    return this.rows.map(toDto);
  }

  positions(): readonly CheckedPosition[] {
    return this.checked;
  }

  /** Options by instrument (contracts): the exposure view's own-book overlay. */
  optionAmounts(): ReadonlyMap<string, number> {
    return this.optionMap;
  }

  /**
   * What is wrong with a line in a trader's words, or null: the instrument must parse, be BTC/ETH coin-margined,
   * be listed (by the current market or the last feed that listed it) and not expired, the quantity a whole
   * number of Deribit's lots, the price in the instrument's own currency.
   */
  lineProblem(line: BookPosition): string | null {
    const rules = this.lookup(line.instrument);
    const checked = checkPosition(line, rules);
    if (!checked.ok) return checked.reason;
    if (!rules) return `${line.instrument} is not a listed instrument (no such expiry or strike)`;
    const now = this.nowMs();
    if (rules.expiryMs !== null && now > 0 && rules.expiryMs <= now) return `${line.instrument} has expired`;
    return null;
  }

  private static withCurrency(line: BookLine): BookPosition {
    let priceCurrency = line.priceCurrency;
    if (priceCurrency === undefined) {
      try {
        priceCurrency = priceCurrencyOf(parseInstrumentName(line.instrument));
      } catch (error) {
        throw new ApiException('INVALID_ARGUMENT', error instanceof Error ? error.message : String(error));
      }
    }
    return { instrument: line.instrument, quantity: line.amount, averagePrice: line.averagePrice ?? null, priceCurrency };
  }

  /** Replaces the whole book, all or nothing: every problem is named and nothing is saved when there is one. */
  set(lines: readonly BookLine[]): PositionDto[] {
    const seen = new Set<string>();
    const problems: string[] = [];
    const book: BookPosition[] = [];
    for (const line of lines) {
      const position = BookService.withCurrency(line);
      if (seen.has(line.instrument)) throw new ApiException('INVALID_ARGUMENT', `${line.instrument} is listed twice`);
      seen.add(line.instrument);
      // A zero line removes the position (it is not stored): nothing to check.
      if (position.quantity === 0) continue;
      const problem = this.lineProblem(position);
      if (problem) problems.push(problem);
      book.push(position);
    }
    if (problems.length > 0) throw new ApiException('INVALID_ARGUMENT', `the book was not saved: ${problems.join('; ')}`);
    return this.save(book);
  }

  /**
   * Imports a positions CSV: the good rows replace the book (`replace`) or replace/add those instruments
   * (`merge`); every bad row is returned with its line number and reason. Saved in one transaction.
   */
  import(csv: string, mode: 'replace' | 'merge'): BookImportResult {
    let parsed;
    try {
      parsed = parseBookCsv(csv, { rules: this.lookup, requireListed: true, check: (position) => this.lineProblem(position) });
    } catch (error) {
      if (error instanceof BookCsvHeaderError) throw new ApiException('INVALID_ARGUMENT', error.message);
      throw error;
    }
    const kept: BookPosition[] = parsed.positions;
    const imported = new Set(kept.map((p) => p.instrument));
    const book = mode === 'replace' ? kept : [...this.rows.filter((r) => !imported.has(r.instrument)), ...kept];
    const positions = kept.length > 0 || mode === 'replace' ? this.save(book) : this.list();
    return { positions, rows: parsed.rows, errors: parsed.errors };
  }

  /** A fill from execution (paper or Deribit): the position's quantity and average price follow it. */
  applyFill(instrument: string, side: 'buy' | 'sell', amount: number, price: number): PositionDto[] {
    const parsed = parseInstrumentName(instrument);
    const current = this.rows.find((r) => r.instrument === instrument);
    const next = applyFill(parsed.kind, current?.amount ?? 0, current?.averagePrice ?? null, side === 'buy' ? amount : -amount, price);
    const others: BookPosition[] = this.rows.filter((r) => r.instrument !== instrument);
    return this.save(next ? [...others, { instrument, quantity: next.quantity, averagePrice: next.averagePrice, priceCurrency: priceCurrencyOf(parsed) }] : others);
  }

  private save(book: readonly BookPosition[]): PositionDto[] {
    this.rows = this.repo.replaceAll(book, Math.floor(this.nowMs()));
    this.checked = checkedFromRows(this.rows);
    this.optionMap = this.options();
    this.version++;
    this.onChange();
    return this.list();
  }

  private options(): Map<string, number> {
    return new Map(this.checked.filter((p) => p.parsed.kind === 'option').map((p) => [p.instrument, p.quantity]));
  }

  /** The book marked to the current market. */
  snapshot(market: MarketState, stale: boolean): BookSnapshot {
    return { ...valueBook(this.checked, bookMarket(market, market.timeMs)), bookVersion: this.version, marketSeq: market.seq, stale };
  }
}
