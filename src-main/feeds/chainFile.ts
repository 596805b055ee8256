/**
 * One reader for a "chain file": a whole option chain at one time, for the commands that need one (`surface`,
 * `risk`, `margin`, `hedge propose`). Two layouts, told apart by the header:
 *
 *   tardis_options_chain  Tardis.dev `options_chain` CSV (plain or .gz): many rows per symbol over time; the latest
 *                         row per symbol at or before the as-of time is kept (the rule of `gammadesk analyze`).
 *                         Prices in coin, IVs in percent, timestamps in microseconds (optionsChainCsv.ts).
 *   deribit_snapshot      a full-chain snapshot as collected from Deribit's REST API (the layout of
 *                         ../shared/data/znmahbub_deribit_options_snapshot_*.csv): `timestamp` ISO 8601,
 *                         `bid_price`/`ask_price`/`mark_price` in coin, `futures_price` the expiry's forward in
 *                         USD, `implied_volatility` the mark IV as a DECIMAL (0.3735), `index_price` USD. No bid or
 *                         ask IVs: they are computed here with the pricing core (Black-76, r = 0, at the row's time).
 *
 * Bad rows (wrong field count, a field that is not a number, a name that is not a Deribit option or disagrees with
 * its columns, a forward that is not positive) are reported with their line number and reason, counted, and the
 * rest of the file is kept. Numbers that cannot be had are null with a reason (an IV with no price, or a price
 * that carries no vol).
 */
import { basename, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { IV_REASON_NAMES, IvReason, impliedVolBlack76 } from '../core/pricing/impliedVol';
import { InstrumentNameError, parseOptionName, type ParsedOption } from '../core/pricing/instrument';
import { yearsToExpiry } from '../core/pricing/time';
import { MAX_EVENT_MS, capReason, quoteInput } from '../core/market/validate';
import { epochMs, usd, vol, type EpochMs, type InstrumentName, type Usd, type Vol } from '../core/units';
import { MAX_LINE_BYTES, readLines, type NumberedLine } from './tardis/lineReader';
import { OPTIONS_CHAIN_COLUMNS, OptionsChainCsvError, parseOptionsChainHeader, parseOptionsChainRow, type OptionsChainLayout } from './tardis/optionsChainCsv';
import { checkOptionsChainRow, TardisRowError } from './tardis/tardisRows';

export type ChainFileLayout = 'tardis_options_chain' | 'deribit_snapshot';

/** One option row as read, before its missing IVs are computed: what both layouts yield. */
export interface ChainRow {
  name: InstrumentName;
  instrument: ParsedOption;
  /** When this quote was taken, epoch ms. */
  timestampMs: EpochMs;
  /** Prices in the option's quote unit: coin for inverse options (USDC for linear); null when absent (no bid). */
  bid: number | null;
  ask: number | null;
  mark: number | null;
  /** Decimal IVs as the file gives them (null when it has none; the snapshot layout has no bid/ask IVs). */
  markIv: Vol | null;
  bidIv: Vol | null;
  askIv: Vol | null;
  /** The expiry's forward, USD, as the row gives it (Tardis `underlying_price`, snapshot `futures_price`). */
  forwardUsd: Usd;
  /** The index, USD (snapshot `index_price`); null in the Tardis layout. */
  indexUsd: Usd | null;
  /** Contracts (1 contract = 1 coin); null when absent. */
  openInterest: number | null;
  /** Traded contracts over 24 h (snapshot layout); null when the file has none. */
  volume: number | null;
}

/**
 * One option of the chain at the as-of time: its row with the IVs completed (from the file where it has them,
 * else computed from the price at the quote's time), and why an IV is still null.
 */
export interface ChainOption extends Omit<ChainRow, 'timestampMs' | 'indexUsd'> {
  expiryMs: EpochMs;
  /** USD (USDC for linear options). */
  strike: number;
  isCall: boolean;
  /** When this quote was taken, epoch ms (at or before the snapshot's as-of). */
  quoteTimestampMs: EpochMs;
  /** Why an IV is null (`no bid`, `below_intrinsic`, …); null when the IV is there. */
  markIvReason: string | null;
  bidIvReason: string | null;
  askIvReason: string | null;
}

export interface ChainCurrency {
  currency: string;
  /** The index in USD (median of the rows' `index_price`); null when the layout has none (Tardis options_chain). */
  indexUsd: Usd | null;
  /** Sorted by expiry, strike, puts before calls. */
  options: ChainOption[];
  /** One forward per expiry (epoch ms → USD): the median of the forwards of its options' rows. */
  forwards: Map<number, Usd>;
}

export interface ChainBadRow {
  line: number;
  reason: string;
}

export interface ChainSnapshot {
  file: string;
  layout: ChainFileLayout;
  /** The as-of time: `--at` when given, else the latest quote in the file. */
  asOfMs: EpochMs;
  currencies: Map<string, ChainCurrency>;
  /** Data rows read (bad ones not counted). */
  rowsRead: number;
  /** Every bad row is counted; the first {@link MAX_BAD_ROW_SAMPLES} are listed with their reason. */
  badRowCount: number;
  badRows: ChainBadRow[];
}

export const MAX_BAD_ROW_SAMPLES = 100;

/** The columns the snapshot layout must have (others, e.g. `mid_price`, `vega`, are ignored). */
export const DERIBIT_SNAPSHOT_COLUMNS = [
  'timestamp', 'instrument_name', 'option_type', 'strike', 'expiry_datetime', 'bid_price', 'ask_price', 'mark_price',
  'futures_price', 'implied_volatility', 'open_interest', 'volume', 'currency', 'index_price',
] as const;
type SnapshotColumn = (typeof DERIBIT_SNAPSHOT_COLUMNS)[number];

/** A row that cannot be used; `reason` names the field and the value. */
export class ChainRowError extends Error {
  override readonly name = 'ChainRowError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

const NOT_A_CHAIN_FILE =
  'not a chain file: the header is neither a Tardis options_chain header nor a Deribit snapshot header ' +
  `(${DERIBIT_SNAPSHOT_COLUMNS.join(',')})`;

/**
 * Tells the layout from the header line. Never echoes the line (the file may be anything).
 * @throws ChainRowError when it is neither layout.
 */
export function detectChainLayout(header: string): { layout: 'tardis_options_chain'; tardis: OptionsChainLayout } | { layout: 'deribit_snapshot'; columns: Map<string, number>; columnCount: number } {
  const names = (header.charCodeAt(0) === 0xfeff ? header.slice(1) : header).trim().split(',');
  if (OPTIONS_CHAIN_COLUMNS.every((column) => names.includes(column))) {
    return { layout: 'tardis_options_chain', tardis: parseOptionsChainHeader(header) };
  }
  if (DERIBIT_SNAPSHOT_COLUMNS.every((column) => names.includes(column))) {
    return { layout: 'deribit_snapshot', columns: new Map(names.map((name, index) => [name, index])), columnCount: names.length };
  }
  throw new ChainRowError(NOT_A_CHAIN_FILE);
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** ISO 8601 with an explicit zone (`2026-01-02T09:18:09.153333+00:00`) → epoch ms, floored to the millisecond. */
export function parseIsoTimestamp(text: string): number | null {
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, zone] = match as unknown as [string, string, string, string, string, string, string, string | undefined, string];
  const ms = fraction === undefined ? 0 : Number(fraction.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (zone !== 'Z') offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const month = Number(mo) - 1;
  const utc = Date.UTC(Number(y), month, Number(d), Number(h), Number(mi), Number(s), ms) - offsetMinutes * 60_000;
  // Date.UTC rolls 31 Feb over into March: refuse dates that do not exist.
  const check = new Date(Date.UTC(Number(y), month, Number(d)));
  if (check.getUTCMonth() !== month || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return utc >= 0 && utc <= MAX_EVENT_MS ? utc : null;
}

function optionFromName(symbol: string): ParsedOption {
  try {
    return parseOptionName(symbol);
  } catch (error) {
    if (error instanceof InstrumentNameError) throw new ChainRowError(`instrument ${quoteInput(symbol)}: ${error.reason}`);
    throw error;
  }
}

const nonNegativeOrNull = (column: string, value: number | null): number | null => {
  if (value !== null && value < 0) throw new ChainRowError(`${column} must be >= 0, got ${value}`);
  return value;
};
/** A bid or ask of 0 is no quote. */
const priceOrNull = (column: string, value: number | null): number | null => {
  const price = nonNegativeOrNull(column, value);
  return price === null || price === 0 ? null : price;
};
const positiveForward = (column: string, value: number | null): Usd => {
  if (value === null) throw new ChainRowError(`${column} is missing: no forward for the expiry`);
  if (!(value > 0)) throw new ChainRowError(`${column} must be > 0, got ${value}`);
  return usd(value);
};
/** An IV of 0 (Deribit writes 0 for a price at intrinsic) carries no vol: null. */
const ivOrNull = (value: Vol | null): Vol | null => (value === null || value <= 0 ? null : value);

/**
 * One snapshot-layout data line → a chain row. Blank lines give null.
 * @throws ChainRowError naming the column and the value.
 */
export function parseSnapshotRow(line: string, columns: Map<string, number>, columnCount: number): ChainRow | null {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return null;
  if (text.includes('"')) throw new ChainRowError('quoted fields are not part of the snapshot layout');
  const cells = text.split(',');
  if (cells.length !== columnCount) throw new ChainRowError(`expected ${columnCount} fields, got ${cells.length}`);
  const cell = (column: SnapshotColumn): string => cells[columns.get(column)!]!;
  const optionalNumber = (column: SnapshotColumn): number | null => {
    const raw = cell(column);
    if (raw === '') return null;
    const value = Number(raw);
    if (!Number.isFinite(value) || /^\s|\s$/.test(raw)) throw new ChainRowError(`${column} is not a number: ${quoteInput(raw)}`);
    return value;
  };
  const symbol = cell('instrument_name');
  if (symbol === '') throw new ChainRowError('instrument_name is empty');
  const instrument = optionFromName(symbol);
  const timestampMs = parseIsoTimestamp(cell('timestamp'));
  if (timestampMs === null) throw new ChainRowError(`timestamp ${quoteInput(cell('timestamp'))} is not an ISO 8601 time with a zone`);
  const type = cell('option_type');
  if (type !== 'call' && type !== 'put') throw new ChainRowError(`option_type ${quoteInput(type)} is not call or put`);
  if (type !== instrument.optionType) throw new ChainRowError(`option_type ${type} disagrees with the name (${instrument.optionType})`);
  const strike = optionalNumber('strike');
  if (strike !== instrument.strike) throw new ChainRowError(`strike ${String(strike)} disagrees with the name (${instrument.strike})`);
  const expiry = parseIsoTimestamp(cell('expiry_datetime'));
  if (expiry !== instrument.expiryMs) throw new ChainRowError(`expiry_datetime ${quoteInput(cell('expiry_datetime'))} disagrees with the name (${new Date(instrument.expiryMs).toISOString()})`);
  if (cell('currency') !== instrument.currency) throw new ChainRowError(`currency ${quoteInput(cell('currency'))} disagrees with the name (${instrument.currency})`);
  const markIv = optionalNumber('implied_volatility');
  const index = optionalNumber('index_price');
  return {
    name: instrument.name,
    instrument,
    timestampMs: epochMs(timestampMs),
    bid: priceOrNull('bid_price', optionalNumber('bid_price')),
    ask: priceOrNull('ask_price', optionalNumber('ask_price')),
    mark: nonNegativeOrNull('mark_price', optionalNumber('mark_price')),
    // The snapshot's IV is already a decimal: no percent conversion here.
    markIv: ivOrNull(markIv === null ? null : vol(nonNegativeOrNull('implied_volatility', markIv)!)),
    bidIv: null,
    askIv: null,
    forwardUsd: positiveForward('futures_price', optionalNumber('futures_price')),
    indexUsd: index !== null && index > 0 ? usd(index) : null,
    openInterest: nonNegativeOrNull('open_interest', optionalNumber('open_interest')),
    volume: nonNegativeOrNull('volume', optionalNumber('volume')),
  };
}

/**
 * One Tardis options_chain data line → a chain row: the Tardis parser, then the symbol cross-checked against its
 * columns (the checks of `gammadesk import`). Blank lines give null.
 * @throws ChainRowError with the column and the reason.
 */
export function parseTardisChainRow(line: string, layout: OptionsChainLayout, lineNumber: number): ChainRow | null {
  let row;
  try {
    row = parseOptionsChainRow(line, layout, lineNumber);
    if (row === null) return null;
    const instrument = optionFromName(row.symbol);
    checkOptionsChainRow(row, instrument);
    return {
      name: instrument.name,
      instrument,
      timestampMs: epochMs(row.timestampMs),
      bid: priceOrNull('bid_price', row.bidPrice),
      ask: priceOrNull('ask_price', row.askPrice),
      mark: nonNegativeOrNull('mark_price', row.markPrice),
      markIv: ivOrNull(row.markIv),
      bidIv: ivOrNull(row.bidIv),
      askIv: ivOrNull(row.askIv),
      forwardUsd: positiveForward('underlying_price', row.underlyingPrice),
      indexUsd: null,
      openInterest: nonNegativeOrNull('open_interest', row.openInterest),
      volume: null,
    };
  } catch (error) {
    if (error instanceof OptionsChainCsvError) throw new ChainRowError(error.detail);
    if (error instanceof TardisRowError) throw new ChainRowError(error.reason);
    throw error;
  }
}

/** An IV from the file, or from the price at the quote's time with the reason when none can be had. */
function completeIv(fromFile: Vol | null, price: number | null, side: string, row: ChainRow): { iv: Vol | null; reason: string | null } {
  if (fromFile !== null) return { iv: fromFile, reason: null };
  if (price === null) return { iv: null, reason: `no ${side}` };
  const years = yearsToExpiry(row.instrument.expiryMs, row.timestampMs);
  // Inverse options quote in coin (USD = coin x forward); linear ones in USDC already.
  const priceUsd = row.instrument.settlement === 'inverse' ? price * row.forwardUsd : price;
  const result = impliedVolBlack76(priceUsd, row.forwardUsd, row.instrument.strike, years, row.instrument.isCall);
  if (result.reason !== IvReason.Ok) return { iv: null, reason: IV_REASON_NAMES[result.reason] };
  return { iv: vol(result.vol), reason: null };
}

/** A chain row with its IVs completed (computed where the file lacks them). */
export function chainOption(row: ChainRow): ChainOption {
  const mark = completeIv(row.markIv, row.mark, 'mark', row);
  const bid = completeIv(row.bidIv, row.bid, 'bid', row);
  const ask = completeIv(row.askIv, row.ask, 'ask', row);
  return {
    name: row.name,
    instrument: row.instrument,
    expiryMs: row.instrument.expiryMs,
    strike: row.instrument.strike,
    isCall: row.instrument.isCall,
    quoteTimestampMs: row.timestampMs,
    bid: row.bid,
    ask: row.ask,
    mark: row.mark,
    markIv: mark.iv,
    bidIv: bid.iv,
    askIv: ask.iv,
    markIvReason: mark.reason,
    bidIvReason: bid.reason,
    askIvReason: ask.reason,
    forwardUsd: row.forwardUsd,
    openInterest: row.openInterest,
    volume: row.volume,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Groups the latest rows by currency: options sorted, one forward per expiry, the index. Pure. */
export function groupChain(rows: Iterable<ChainRow>): Map<string, ChainCurrency> {
  const byCurrency = new Map<string, ChainRow[]>();
  for (const row of rows) {
    const list = byCurrency.get(row.instrument.currency) ?? [];
    list.push(row);
    byCurrency.set(row.instrument.currency, list);
  }
  const result = new Map<string, ChainCurrency>();
  for (const currency of [...byCurrency.keys()].sort()) {
    const list = byCurrency.get(currency)!;
    const options = list.map(chainOption).sort((a, b) => a.expiryMs - b.expiryMs || a.strike - b.strike || Number(a.isCall) - Number(b.isCall));
    const forwardsByExpiry = new Map<number, number[]>();
    for (const option of options) {
      const values = forwardsByExpiry.get(option.expiryMs) ?? [];
      values.push(option.forwardUsd);
      forwardsByExpiry.set(option.expiryMs, values);
    }
    const indexes = list.flatMap((row) => (row.indexUsd === null ? [] : [row.indexUsd as number]));
    result.set(currency, {
      currency,
      indexUsd: indexes.length === 0 ? null : usd(median(indexes)),
      options,
      forwards: new Map([...forwardsByExpiry].map(([expiry, values]) => [expiry, usd(median(values))])),
    });
  }
  return result;
}

/** The layout and row parser for a file's first line; the error names the file, never the line. */
function rowParser(path: string, header: NumberedLine): { layout: ChainFileLayout; parse: (text: string, lineNumber: number) => ChainRow | null } {
  let detected;
  try {
    if (header.tooLongBytes !== undefined) throw new ChainRowError(NOT_A_CHAIN_FILE);
    detected = detectChainLayout(header.text);
  } catch (error) {
    if (error instanceof ChainRowError || error instanceof OptionsChainCsvError) throw new Error(`${basename(path)}: ${NOT_A_CHAIN_FILE}`, { cause: error });
    throw error;
  }
  if (detected.layout === 'tardis_options_chain') {
    const tardis = detected.tardis;
    return { layout: detected.layout, parse: (line, lineNumber) => parseTardisChainRow(line, tardis, lineNumber) };
  }
  const { columns, columnCount } = detected;
  return { layout: detected.layout, parse: (line) => parseSnapshotRow(line, columns, columnCount) };
}

export interface ReadChainFileOptions {
  /** As-of time, epoch ms: rows stamped later are left out. Default: the latest row in the file. */
  atMs?: number;
}

/**
 * Reads a chain file (either layout, plain or gzip) into the chain at the as-of time.
 * @throws Error for a file that is missing, empty, not a chain file, or has no row at or before `atMs`.
 */
export async function readChainFile(file: string, options: ReadChainFileOptions = {}): Promise<ChainSnapshot> {
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`cannot read ${path}: no such file`);
  const limit = options.atMs ?? Infinity;
  const latest = new Map<string, ChainRow>();
  const badRows: ChainBadRow[] = [];
  let badRowCount = 0;
  let rowsRead = 0;
  let lastTimestamp = -Infinity;
  const badRow = (line: number, reason: string): void => {
    badRowCount++;
    if (badRows.length < MAX_BAD_ROW_SAMPLES) badRows.push({ line, reason: capReason(reason) });
  };
  const lines = readLines(path);
  const first = await lines.next();
  if (first.done === true) throw new Error(`${basename(path)} is empty`);
  let parser;
  try {
    parser = rowParser(path, first.value);
  } catch (error) {
    await lines.return(undefined); // closes the file
    throw error;
  }
  const { layout, parse } = parser;
  for await (const { lineNumber, text, tooLongBytes } of lines) {
    let row: ChainRow | null;
    try {
      if (tooLongBytes !== undefined) throw new ChainRowError(`line of ${tooLongBytes} bytes is longer than the ${MAX_LINE_BYTES} bytes a row may have`);
      row = parse(text, lineNumber);
    } catch (error) {
      if (error instanceof ChainRowError) badRow(lineNumber, error.reason);
      else if (error instanceof RangeError) badRow(lineNumber, error.message); // a unit constructor's refusal
      else throw error;
      continue;
    }
    if (row === null) continue;
    rowsRead++;
    if (!(row.timestampMs <= limit)) continue;
    if (row.timestampMs > lastTimestamp) lastTimestamp = row.timestampMs;
    const current = latest.get(row.name);
    if (current === undefined || row.timestampMs >= current.timestampMs) latest.set(row.name, row);
  }
  if (latest.size === 0) {
    throw new Error(options.atMs !== undefined ? `${basename(path)}: no rows at or before ${new Date(options.atMs).toISOString()}` : `${basename(path)}: no readable rows`);
  }
  return {
    file: path,
    layout,
    asOfMs: epochMs(options.atMs ?? lastTimestamp),
    currencies: groupChain(latest.values()),
    rowsRead,
    badRowCount,
    badRows,
  };
}
