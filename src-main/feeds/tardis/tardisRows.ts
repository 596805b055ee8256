/**
 * Tardis.dev CSV rows → normalized market events. Pure: no IO, no clock. Handles the four Deribit data types
 * GammaDesk imports — `options_chain`, `trades`, `derivative_ticker`, `book_snapshot_25` — recognised by their
 * header. Units at this edge: timestamps are microseconds (→ epoch ms), IVs percent (→ decimal), option prices
 * coin, futures prices USD; values are created with the checked unit constructors (core/units.ts). A row that
 * cannot be read raises TardisRowError with the reason (a unit constructor's RangeError included); the importer
 * counts it, reports its line and goes on.
 */
import {
  CURRENCIES,
  type Currency,
  type InstrumentDef,
  type InstrumentEvent,
  type MarketEvent,
  type OptionTickerEvent,
} from '../../core/market/events';
import { InstrumentNameError, parseInstrumentName, type ParsedInstrument } from '../../core/pricing/instrument';
import { capReason, quoteInput, validateMarketEvent } from '../../core/market/validate';
import { coin, epochMs, instrumentName, usd, type EpochMs, type Usd, type Vol } from '../../core/units';
import { OPTIONS_CHAIN_COLUMNS, OptionsChainCsvError, parseOptionsChainRow, type OptionsChainLayout, type OptionsChainRow } from './optionsChainCsv';

export type TardisKind = 'options_chain' | 'trades' | 'derivative_ticker' | 'book_snapshot_25';

const REQUIRED: Record<TardisKind, readonly string[]> = {
  options_chain: OPTIONS_CHAIN_COLUMNS,
  trades: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'id', 'side', 'price', 'amount'],
  derivative_ticker: [
    'exchange', 'symbol', 'timestamp', 'local_timestamp', 'funding_timestamp', 'funding_rate', 'predicted_funding_rate',
    'open_interest', 'last_price', 'index_price', 'mark_price',
  ],
  book_snapshot_25: ['exchange', 'symbol', 'timestamp', 'local_timestamp', 'asks[0].price', 'asks[0].amount', 'bids[0].price', 'bids[0].amount'],
};

export class TardisRowError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TardisRowError';
  }
}

/**
 * Reads a header line; returns the data type and column positions. A header that is none of the four says only
 * that: the file may be anything (a key, /proc/self/environ), so not one byte of it goes into the error.
 */
export function readHeader(line: string): { kind: TardisKind; columns: Map<string, number> } {
  const names = (line.charCodeAt(0) === 0xfeff ? line.slice(1) : line).trim().split(',');
  const columns = new Map(names.map((name, index) => [name, index]));
  const kind = (Object.keys(REQUIRED) as TardisKind[]).find((k) => REQUIRED[k].every((c) => columns.has(c)));
  if (!kind) throw new TardisRowError(NOT_TARDIS);
  return { kind, columns };
}

/** The one error for a file whose first line is not a Tardis header. */
export const NOT_TARDIS = 'not a Tardis CSV file (unknown header)';

/** One CSV row with typed, named access; every failure names the column and the value. */
class Row {
  constructor(
    private readonly fields: string[],
    private readonly columns: Map<string, number>,
  ) {}

  text(column: string): string {
    const value = this.fields[this.columns.get(column)!];
    if (value === undefined || value === '') throw new TardisRowError(`${column} is empty`);
    return value;
  }

  optionalNumber(column: string): number | null {
    const raw = this.fields[this.columns.get(column) ?? -1];
    if (raw === undefined || raw === '') return null;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new TardisRowError(`${column} is not a number: ${quoteInput(raw)}`);
    return value;
  }

  number(column: string, check?: { positive?: boolean; nonNegative?: boolean }): number {
    const value = this.optionalNumber(column);
    if (value === null) throw new TardisRowError(`${column} is empty`);
    if (check?.positive && !(value > 0)) throw new TardisRowError(`${column} must be > 0, got ${value}`);
    if (check?.nonNegative && value < 0) throw new TardisRowError(`${column} must be >= 0, got ${value}`);
    return value;
  }

  /** Microseconds since the epoch → integer epoch ms. */
  micros(column: string): EpochMs {
    const value = this.number(column, { positive: true });
    if (value < 1e15 || value > 1e17) throw new TardisRowError(`${column} ${value} is not a microsecond timestamp`);
    return epochMs(Math.floor(value / 1000));
  }
}


/**
 * Contract specifications Deribit publishes for its inverse instruments; Tardis files carry none. Fees are
 * left unknown (null) rather than guessed.
 */
function definition(parsed: ParsedInstrument): InstrumentDef {
  const currency = parsed.currency as Currency;
  const base = { name: parsed.name, currency, settlement: parsed.settlement, makerCommission: null, takerCommission: null };
  if (parsed.kind === 'option') {
    return {
      ...base,
      kind: 'option',
      expiryMs: parsed.expiryMs,
      strikeUsd: usd(parsed.strike),
      optionType: parsed.optionType,
      contractSize: 1,
      tickSize: 0.0001,
      minTradeAmount: currency === 'BTC' ? 0.1 : 1,
    };
  }
  return {
    ...base,
    kind: parsed.kind,
    expiryMs: parsed.kind === 'future' ? parsed.expiryMs : null,
    strikeUsd: null,
    optionType: null,
    contractSize: currency === 'BTC' ? 10 : 1,
    tickSize: currency === 'BTC' ? 0.5 : 0.05,
    minTradeAmount: currency === 'BTC' ? 10 : 1,
  };
}

/**
 * Cross-checks an options_chain row against its symbol (the symbol names a Deribit option; the columns must
 * agree): exchange deribit, an option, the same type, strike and expiration. Shared with `gammadesk analyze`.
 * @throws TardisRowError naming the column that disagrees.
 */
export function checkOptionsChainRow(row: OptionsChainRow, parsed: ParsedInstrument): asserts parsed is ParsedInstrument & { kind: 'option' } {
  if (row.exchange !== 'deribit') throw new TardisRowError(`exchange ${quoteInput(row.exchange)} is not deribit`);
  if (parsed.kind !== 'option') throw new TardisRowError(`${parsed.name} in an options_chain file is not an option`);
  if (row.optionType !== parsed.optionType) throw new TardisRowError(`type ${row.optionType} disagrees with the symbol (${parsed.optionType})`);
  if (row.strike !== parsed.strike) throw new TardisRowError(`strike_price ${row.strike} disagrees with the symbol (${parsed.strike})`);
  if (row.expirationMs !== parsed.expiryMs) {
    throw new TardisRowError(`expiration ${new Date(row.expirationMs).toISOString()} disagrees with the symbol (${new Date(parsed.expiryMs).toISOString()})`);
  }
}

/**
 * An options_chain row as the option ticker it stands for, checked by the event rules (core/market/validate.ts).
 * Prices stay in the row's quote unit (coin for inverse options). Shared with `gammadesk analyze`.
 * @throws TardisRowError for a missing mark, mark IV or forward, or an event the rules refuse.
 */
export function optionsChainTicker(row: OptionsChainRow, name: string): OptionTickerEvent {
  if (row.markIv === null) throw new TardisRowError('mark_iv is missing: no mark volatility');
  if (row.markPrice === null) throw new TardisRowError('mark_price is missing');
  if (row.underlyingPrice === null) throw new TardisRowError('underlying_price is missing');
  const ivOrNull = (iv: Vol | null): Vol | null => (iv === null || iv <= 0 ? null : iv);
  let ticker: OptionTickerEvent;
  try {
    ticker = {
    type: 'option_ticker',
    tsEvent: epochMs(row.timestampMs),
    tsRecv: epochMs(row.localTimestampMs),
    instrument: instrumentName(name),
    bidCoin: row.bidPrice === null ? null : coin(row.bidPrice),
    askCoin: row.askPrice === null ? null : coin(row.askPrice),
    bidAmount: row.bidAmount ?? 0,
    askAmount: row.askAmount ?? 0,
    markCoin: coin(row.markPrice),
    markIv: row.markIv,
    bidIv: ivOrNull(row.bidIv),
    askIv: ivOrNull(row.askIv),
    underlyingPriceUsd: usd(row.underlyingPrice),
    underlyingIndex: row.underlyingIndex,
    indexPriceUsd: null,
    openInterest: row.openInterest ?? 0,
    // Tardis options_chain rows have no traded volume (their columns: docs.tardis.dev, "options_chain").
    volume24h: null,
    };
  } catch (error) {
    // A checked unit constructor refusing a value is a bad row like any other.
    if (error instanceof RangeError) throw new TardisRowError(error.message);
    throw error;
  }
  const invalid = validateMarketEvent(ticker);
  if (invalid !== null) throw new TardisRowError(invalid);
  return ticker;
}

/**
 * Turns rows into events, remembering which instruments it has defined (an instrument event precedes the first
 * event of each instrument) and the last index price per currency (index events only on change).
 */
export class TardisNormalizer {
  private readonly defined = new Map<string, ParsedInstrument>();
  private readonly lastIndex = new Map<Currency, number>();
  /** Rows understood but deliberately not turned into events (option order books), by reason. */
  readonly skipped = new Map<string, number>();

  /**
   * Events of one data row (none for a row deliberately skipped); throws TardisRowError for a bad row.
   * `layout` is the options_chain header layout (options_chain files only).
   */
  normalize(
    kind: TardisKind,
    line: string,
    lineNumber: number,
    fields: string[],
    columns: Map<string, number>,
    layout: OptionsChainLayout | null = null,
  ): MarketEvent[] {
    try {
      return this.normalizeRow(kind, line, lineNumber, fields, columns, layout);
    } catch (error) {
      // A checked unit constructor (usd, coin, epochMs, ...) refusing a value is a bad row like any other.
      if (error instanceof RangeError) throw new TardisRowError(error.message);
      throw error;
    }
  }

  private normalizeRow(
    kind: TardisKind,
    line: string,
    lineNumber: number,
    fields: string[],
    columns: Map<string, number>,
    layout: OptionsChainLayout | null,
  ): MarketEvent[] {
    const out: MarketEvent[] = [];
    let parsed: ParsedInstrument | null;
    let tsEvent: EpochMs;
    let tsRecv: EpochMs;
    if (kind === 'options_chain') {
      if (!layout) throw new Error('options_chain rows need the header layout');
      parsed = this.optionsChain(line, lineNumber, layout, out);
      if (!parsed) return out;
      tsEvent = out[0]!.tsEvent;
      tsRecv = out[0]!.tsRecv;
    } else {
      const row = new Row(fields, columns);
      if (fields.length !== columns.size) throw new TardisRowError(`expected ${columns.size} fields, got ${fields.length}`);
      const exchange = row.text('exchange');
      if (exchange !== 'deribit') throw new TardisRowError(`exchange ${quoteInput(exchange)} is not deribit`);
      tsEvent = row.micros('timestamp');
      tsRecv = row.micros('local_timestamp');
      const symbol = row.text('symbol');
      parsed = this.defined.get(symbol) ?? this.parse(symbol);
      if (kind === 'trades') this.trade(row, parsed, tsEvent, tsRecv, out);
      else if (kind === 'derivative_ticker') this.derivativeTicker(row, parsed, tsEvent, tsRecv, out);
      else this.book(row, parsed, columns, tsEvent, tsRecv, out);
    }
    // Defined only once a row of it was read whole: a broken first row must not swallow the definition.
    const define = !this.defined.has(parsed.name) && out.length > 0;
    if (define) out.unshift({ type: 'instrument', tsEvent, tsRecv, instrument: definition(parsed) } satisfies InstrumentEvent);
    // The one set of event rules (core/market/validate.ts), before any state changes: what is stored replays.
    for (const event of out) {
      const invalid = validateMarketEvent(event);
      if (invalid !== null) throw new TardisRowError(invalid);
    }
    if (define) this.defined.set(parsed.name, parsed);
    for (const event of out) if (event.type === 'index') this.lastIndex.set(event.currency, event.priceUsd);
    return out;
  }

  private parse(symbol: string): ParsedInstrument {
    let parsed: ParsedInstrument;
    try {
      parsed = parseInstrumentName(symbol);
    } catch (error) {
      throw new TardisRowError(error instanceof InstrumentNameError ? capReason(error.message) : `bad symbol ${quoteInput(symbol)}`);
    }
    if (!(CURRENCIES as readonly string[]).includes(parsed.currency)) throw new TardisRowError(`${symbol}: only BTC and ETH instruments are supported`);
    if (parsed.settlement !== 'inverse') throw new TardisRowError(`${symbol}: linear (USDC) instruments are not supported yet`);
    return parsed;
  }

  /** options_chain rows go through the dedicated parser that `gammadesk analyze` uses too. */
  private optionsChain(line: string, lineNumber: number, layout: OptionsChainLayout, out: MarketEvent[]): ParsedInstrument | null {
    let row: OptionsChainRow | null;
    try {
      row = parseOptionsChainRow(line, layout, lineNumber);
    } catch (error) {
      if (!(error instanceof OptionsChainCsvError)) throw error;
      throw new TardisRowError(error.detail);
    }
    if (row === null) return null;
    if (row.exchange !== 'deribit') throw new TardisRowError(`exchange ${quoteInput(row.exchange)} is not deribit`);
    const parsed = this.defined.get(row.symbol) ?? this.parse(row.symbol);
    checkOptionsChainRow(row, parsed);
    out.push(optionsChainTicker(row, parsed.name));
    return parsed;
  }

  private trade(row: Row, parsed: ParsedInstrument, tsEvent: EpochMs, tsRecv: EpochMs, out: MarketEvent[]): void {
    const side = row.text('side');
    if (side !== 'buy' && side !== 'sell') throw new TardisRowError(`side ${quoteInput(side)}: the taker side is unknown`);
    const price = row.number('price', { positive: true });
    out.push({
      type: 'trade',
      tsEvent,
      tsRecv,
      instrument: parsed.name,
      tradeId: row.text('id'),
      price: parsed.kind === 'option' ? coin(price) : usd(price),
      priceUnit: parsed.kind === 'option' ? 'coin' : 'usd',
      amount: row.number('amount', { positive: true }),
      takerSide: side,
      iv: null,
      indexPriceUsd: null,
      blockTradeId: null,
      liquidation: false,
    });
  }

  private derivativeTicker(row: Row, parsed: ParsedInstrument, tsEvent: EpochMs, tsRecv: EpochMs, out: MarketEvent[]): void {
    if (parsed.kind === 'option') throw new TardisRowError(`${parsed.name}: derivative_ticker rows are for futures and perpetuals`);
    // Read every field before any state changes, so a broken row leaves no trace.
    const markUsd = usd(row.number('mark_price', { positive: true }));
    const openInterestUsd = usd(row.optionalNumber('open_interest') ?? 0);
    const funding8h = parsed.kind === 'perpetual' ? row.optionalNumber('funding_rate') : null;
    const rawIndex = row.optionalNumber('index_price');
    const index = rawIndex === null ? null : usd(rawIndex);
    const currency = parsed.currency as Currency;
    // lastIndex is updated by normalizeRow once the whole row is valid.
    if (index !== null && index > 0 && this.lastIndex.get(currency) !== index) {
      out.push({ type: 'index', tsEvent, tsRecv, currency, priceUsd: index });
    }
    out.push({
      type: 'future_ticker',
      tsEvent,
      tsRecv,
      instrument: parsed.name,
      bidUsd: null,
      askUsd: null,
      bidAmountUsd: usd(0),
      askAmountUsd: usd(0),
      markUsd,
      indexPriceUsd: index,
      openInterestUsd,
      funding8h,
    });
  }

  private book(
    row: Row,
    parsed: ParsedInstrument,
    columns: Map<string, number>,
    tsEvent: EpochMs,
    tsRecv: EpochMs,
    out: MarketEvent[],
  ): void {
    if (parsed.kind === 'option') {
      // Option quotes come from options_chain; their books are not used.
      this.skipped.set('option order book', (this.skipped.get('option order book') ?? 0) + 1);
      return;
    }
    const levels = (side: 'bids' | 'asks'): [Usd, number][] => {
      const result: [Usd, number][] = [];
      for (let level = 0; columns.has(`${side}[${level}].price`); level++) {
        const price = row.optionalNumber(`${side}[${level}].price`);
        const amount = row.optionalNumber(`${side}[${level}].amount`);
        if (price === null || amount === null) break;
        result.push([usd(price), amount]);
      }
      return result;
    };
    out.push({ type: 'book_snapshot', tsEvent, tsRecv, instrument: instrumentName(parsed.name), bids: levels('bids'), asks: levels('asks'), changeId: null });
  }
}
