/**
 * Pure parser for Tardis.dev `options_chain` CSV files (docs.tardis.dev, "Downloadable CSV files"): the header
 * is validated once, then each line is parsed into typed fields. No IO here: the streaming reader
 * (lineReader.ts) feeds lines with their numbers, and every error names the line and the column.
 *
 * Units on the way in, as Tardis writes them: timestamps and `expiration` in microseconds since the epoch;
 * bid/ask/mark prices in the option's quote unit (coin for Deribit inverse options); IVs in percent; greeks as
 * Deribit publishes them. On the way out: epoch milliseconds (floored to whole ms) and decimal IVs. Empty
 * fields (no bid, no ask, no greeks) become null.
 *
 * Header (Tardis, 2020-): exchange,symbol,timestamp,local_timestamp,type,strike_price,expiration,open_interest,
 * last_price,bid_price,bid_amount,bid_iv,ask_price,ask_amount,ask_iv,mark_price,mark_iv,underlying_index,
 * underlying_price,delta,gamma,vega,theta,rho. Columns are located by name, so an added column or another order
 * is accepted; a missing one is an error.
 */
import type { OptionChainQuote } from '../../core/pricing/analyze';
import { MAX_EVENT_MS, quoteInput } from '../../core/market/validate';
import { volFromPercentOrNull, type Vol } from '../../core/units';

export const OPTIONS_CHAIN_COLUMNS = [
  'exchange', 'symbol', 'timestamp', 'local_timestamp', 'type', 'strike_price', 'expiration', 'open_interest',
  'last_price', 'bid_price', 'bid_amount', 'bid_iv', 'ask_price', 'ask_amount', 'ask_iv', 'mark_price', 'mark_iv',
  'underlying_index', 'underlying_price', 'delta', 'gamma', 'vega', 'theta', 'rho',
] as const;
export type OptionsChainColumn = (typeof OPTIONS_CHAIN_COLUMNS)[number];

/** A malformed header or row; `lineNumber` is 1-based, `column` names the field when one is at fault. */
export class OptionsChainCsvError extends Error {
  override readonly name = 'OptionsChainCsvError';
  /** The reason without the line number: `column mark_iv: "abc" is not a number`. */
  readonly detail: string;
  constructor(
    readonly lineNumber: number,
    readonly column: string | null,
    detail: string,
  ) {
    super(`options_chain CSV line ${lineNumber}${column === null ? '' : `, column ${column}`}: ${detail}`);
    this.detail = `${column === null ? '' : `column ${column}: `}${detail}`;
  }
}

/** Column positions found in the header. */
export interface OptionsChainLayout {
  readonly index: Readonly<Record<OptionsChainColumn, number>>;
  readonly columnCount: number;
}

/** One parsed row: the analysis fields (`OptionChainQuote`) plus the rest of Tardis' columns. */
export interface OptionsChainRow extends OptionChainQuote {
  exchange: string;
  /** When Tardis received the message, epoch ms. */
  localTimestampMs: number;
  lastPrice: number | null;
  /** Sizes in contracts; null when absent. */
  bidAmount: number | null;
  askAmount: number | null;
}

/**
 * Validates the header line and locates the columns.
 * @throws OptionsChainCsvError listing the missing columns.
 */
export function parseOptionsChainHeader(line: string, lineNumber = 1): OptionsChainLayout {
  const names = stripBom(line).trim().split(',');
  const missing = OPTIONS_CHAIN_COLUMNS.filter((column) => !names.includes(column));
  // Names only our own column names, never the line: the file may be anything the user pointed at.
  if (missing.length > 0) throw new OptionsChainCsvError(lineNumber, null, `not an options_chain header: missing ${missing.join(', ')}`);
  const index = {} as Record<OptionsChainColumn, number>;
  for (const column of OPTIONS_CHAIN_COLUMNS) index[column] = names.indexOf(column);
  return { index, columnCount: names.length };
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses one data line. Blank lines are the caller's to skip (they return null here).
 * @throws OptionsChainCsvError with the line number and column for a wrong field count, a non-numeric number,
 *   a missing required field or an unknown option type.
 */
export function parseOptionsChainRow(line: string, layout: OptionsChainLayout, lineNumber: number): OptionsChainRow | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return null;
  if (text.includes('"')) throw new OptionsChainCsvError(lineNumber, null, 'quoted fields are not part of the Tardis format');
  const cells = text.split(',');
  if (cells.length !== layout.columnCount) {
    throw new OptionsChainCsvError(lineNumber, null, `expected ${layout.columnCount} fields, got ${cells.length}`);
  }
  const { index } = layout;
  const cell = (column: OptionsChainColumn): string => cells[index[column]]!;
  const required = (column: OptionsChainColumn): string => {
    const value = cell(column);
    if (value === '') throw new OptionsChainCsvError(lineNumber, column, 'required field is empty');
    return value;
  };
  const number = (column: OptionsChainColumn, value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || /^\s|\s$/.test(value)) throw new OptionsChainCsvError(lineNumber, column, `${quoteInput(value)} is not a number`);
    return parsed;
  };
  const requiredNumber = (column: OptionsChainColumn): number => number(column, required(column));
  const optionalNumber = (column: OptionsChainColumn): number | null => {
    const value = cell(column);
    return value === '' ? null : number(column, value);
  };
  // Microseconds within what an event time may be (core/market/validate.ts): 1e23 would overflow a Date and SQLite.
  const micros = (column: OptionsChainColumn): number => {
    const value = requiredNumber(column);
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_EVENT_MS * 1000) {
      throw new OptionsChainCsvError(lineNumber, column, `${quoteInput(cell(column))} is not a microsecond timestamp`);
    }
    return Math.floor(value / 1000); // µs -> ms, floored so ordering is kept
  };
  // Percent → decimal at this edge; a negative percent (not a vol) reads as absent, like an empty field.
  const percent = (column: OptionsChainColumn): Vol | null => volFromPercentOrNull(optionalNumber(column));
  const type = required('type');
  if (type !== 'call' && type !== 'put') throw new OptionsChainCsvError(lineNumber, 'type', `expected call or put, got ${quoteInput(type)}`);
  return {
    exchange: required('exchange'),
    symbol: required('symbol'),
    timestampMs: micros('timestamp'),
    localTimestampMs: micros('local_timestamp'),
    optionType: type,
    strike: requiredNumber('strike_price'),
    expirationMs: micros('expiration'),
    openInterest: optionalNumber('open_interest'),
    lastPrice: optionalNumber('last_price'),
    bidPrice: optionalNumber('bid_price'),
    bidAmount: optionalNumber('bid_amount'),
    bidIv: percent('bid_iv'),
    askPrice: optionalNumber('ask_price'),
    askAmount: optionalNumber('ask_amount'),
    askIv: percent('ask_iv'),
    markPrice: optionalNumber('mark_price'),
    markIv: percent('mark_iv'),
    underlyingIndex: cell('underlying_index'),
    underlyingPrice: optionalNumber('underlying_price'),
    delta: optionalNumber('delta'),
    gamma: optionalNumber('gamma'),
    vega: optionalNumber('vega'),
    theta: optionalNumber('theta'),
    rho: optionalNumber('rho'),
  };
}
