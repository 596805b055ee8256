/**
 * Tardis.dev CSV rows → normalized market events. Pure: no IO, no clock. Handles the four Deribit data types
 * GammaDesk imports — `options_chain`, `trades`, `derivative_ticker`, `book_snapshot_25` — recognised by their
 * header. Units at this edge: timestamps are microseconds (→ epoch ms), IVs percent (→ decimal), option prices
 * coin, futures prices USD. A row that cannot be read raises TardisRowError with the reason; the importer
 * counts it, reports its line and goes on.
 */
import type {
  Currency,
  InstrumentDef,
  InstrumentEvent,
  MarketEvent,
  OptionTickerEvent,
} from '../../core/market/events';
import { InstrumentNameError, parseInstrumentName, type ParsedInstrument } from '../../core/pricing/instrument';
import { epochMs, instrumentName, type EpochMs } from '../../core/units';

export type TardisKind = 'options_chain' | 'trades' | 'derivative_ticker' | 'book_snapshot_25';

const REQUIRED: Record<TardisKind, readonly string[]> = {
  options_chain: [
    'exchange', 'symbol', 'timestamp', 'local_timestamp', 'type', 'strike_price', 'expiration', 'open_interest', 'last_price',
    'bid_price', 'bid_amount', 'bid_iv', 'ask_price', 'ask_amount', 'ask_iv', 'mark_price', 'mark_iv', 'underlying_index',
    'underlying_price', 'delta', 'gamma', 'vega', 'theta', 'rho',
  ],
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

/** Reads a header line; returns the data type and column positions, or throws with what is missing. */
export function readHeader(line: string): { kind: TardisKind; columns: Map<string, number> } {
  const names = line.trim().split(',');
  const columns = new Map(names.map((name, index) => [name, index]));
  const kind = (Object.keys(REQUIRED) as TardisKind[]).find((k) => REQUIRED[k].every((c) => columns.has(c)));
  if (!kind) {
    throw new TardisRowError(
      `header is not a Tardis options_chain, trades, derivative_ticker or book_snapshot_25 file (columns: ${names.slice(0, 8).join(',')}${names.length > 8 ? ',…' : ''})`,
    );
  }
  return { kind, columns };
}

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
    if (!Number.isFinite(value)) throw new TardisRowError(`${column} is not a number: ${JSON.stringify(raw)}`);
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

/** Decimal IV from a percent value, null when absent; 0 means Deribit had no IV for that side. */
function ivFromPercent(percent: number | null): number | null {
  return percent === null || percent <= 0 ? null : percent / 100;
}

const CURRENCIES: readonly string[] = ['BTC', 'ETH'];

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
      strikeUsd: parsed.strike,
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
 * Turns rows into events, remembering which instruments it has defined (an instrument event precedes the first
 * event of each instrument) and the last index price per currency (index events only on change).
 */
export class TardisNormalizer {
  private readonly defined = new Map<string, ParsedInstrument>();
  private readonly lastIndex = new Map<Currency, number>();
  /** Rows understood but deliberately not turned into events (option order books), by reason. */
  readonly skipped = new Map<string, number>();

  normalize(kind: TardisKind, fields: string[], columns: Map<string, number>): MarketEvent[] {
    const row = new Row(fields, columns);
    if (fields.length !== columns.size) throw new TardisRowError(`expected ${columns.size} fields, got ${fields.length}`);
    const exchange = row.text('exchange');
    if (exchange !== 'deribit') throw new TardisRowError(`exchange ${JSON.stringify(exchange)} is not deribit`);
    const tsEvent = row.micros('timestamp');
    const tsRecv = row.micros('local_timestamp');
    const out: MarketEvent[] = [];
    const symbol = row.text('symbol');
    const known = this.defined.get(symbol);
    const parsed = known ?? this.parse(symbol);
    switch (kind) {
      case 'options_chain':
        this.optionsChain(row, parsed, tsEvent, tsRecv, out);
        break;
      case 'trades':
        this.trade(row, parsed, tsEvent, tsRecv, out);
        break;
      case 'derivative_ticker':
        this.derivativeTicker(row, parsed, tsEvent, tsRecv, out);
        break;
      case 'book_snapshot_25':
        this.book(row, parsed, columns, tsEvent, tsRecv, out);
        break;
    }
    // Defined only once a row of it was read whole: a broken first row must not swallow the definition.
    if (!known && out.length > 0) {
      this.defined.set(symbol, parsed);
      const definitionEvent: InstrumentEvent = { type: 'instrument', tsEvent, tsRecv, instrument: definition(parsed) };
      out.unshift(definitionEvent);
    }
    return out;
  }

  private parse(symbol: string): ParsedInstrument {
    let parsed: ParsedInstrument;
    try {
      parsed = parseInstrumentName(symbol);
    } catch (error) {
      throw new TardisRowError(error instanceof InstrumentNameError ? error.message : `bad symbol ${JSON.stringify(symbol)}`);
    }
    if (!CURRENCIES.includes(parsed.currency)) throw new TardisRowError(`${symbol}: only BTC and ETH instruments are supported`);
    if (parsed.settlement !== 'inverse') throw new TardisRowError(`${symbol}: linear (USDC) instruments are not supported yet`);
    return parsed;
  }

  private optionsChain(row: Row, parsed: ParsedInstrument, tsEvent: EpochMs, tsRecv: EpochMs, out: MarketEvent[]): void {
    if (parsed.kind !== 'option') throw new TardisRowError(`${parsed.name} in an options_chain file is not an option`);
    const type = row.text('type');
    if (type !== parsed.optionType) throw new TardisRowError(`type ${type} disagrees with the symbol (${parsed.optionType})`);
    if (row.number('strike_price') !== parsed.strike) throw new TardisRowError(`strike_price disagrees with the symbol (${parsed.strike})`);
    const expiry = row.micros('expiration');
    if (expiry !== parsed.expiryMs) throw new TardisRowError(`expiration ${new Date(expiry).toISOString()} disagrees with the symbol`);
    const markIv = ivFromPercent(row.number('mark_iv', { nonNegative: true }));
    if (markIv === null) throw new TardisRowError('mark_iv is 0: no mark volatility');
    const ticker: OptionTickerEvent = {
      type: 'option_ticker',
      tsEvent,
      tsRecv,
      instrument: parsed.name,
      bidCoin: row.optionalNumber('bid_price'),
      askCoin: row.optionalNumber('ask_price'),
      bidAmount: row.optionalNumber('bid_amount') ?? 0,
      askAmount: row.optionalNumber('ask_amount') ?? 0,
      markCoin: row.number('mark_price', { nonNegative: true }),
      markIv,
      bidIv: ivFromPercent(row.optionalNumber('bid_iv')),
      askIv: ivFromPercent(row.optionalNumber('ask_iv')),
      underlyingPriceUsd: row.number('underlying_price', { positive: true }),
      underlyingIndex: row.text('underlying_index'),
      indexPriceUsd: null,
      openInterest: row.number('open_interest', { nonNegative: true }),
    };
    out.push(ticker);
  }

  private trade(row: Row, parsed: ParsedInstrument, tsEvent: EpochMs, tsRecv: EpochMs, out: MarketEvent[]): void {
    const side = row.text('side');
    if (side !== 'buy' && side !== 'sell') throw new TardisRowError(`side ${JSON.stringify(side)}: the taker side is unknown`);
    out.push({
      type: 'trade',
      tsEvent,
      tsRecv,
      instrument: parsed.name,
      tradeId: row.text('id'),
      price: row.number('price', { positive: true }),
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
    const markUsd = row.number('mark_price', { positive: true });
    const openInterestUsd = row.optionalNumber('open_interest') ?? 0;
    const funding8h = parsed.kind === 'perpetual' ? row.optionalNumber('funding_rate') : null;
    const index = row.optionalNumber('index_price');
    const currency = parsed.currency as Currency;
    if (index !== null && index > 0 && this.lastIndex.get(currency) !== index) {
      this.lastIndex.set(currency, index);
      out.push({ type: 'index', tsEvent, tsRecv, currency, priceUsd: index });
    }
    out.push({
      type: 'future_ticker',
      tsEvent,
      tsRecv,
      instrument: parsed.name,
      bidUsd: null,
      askUsd: null,
      bidAmountUsd: 0,
      askAmountUsd: 0,
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
    const levels = (side: 'bids' | 'asks'): [number, number][] => {
      const result: [number, number][] = [];
      for (let level = 0; columns.has(`${side}[${level}].price`); level++) {
        const price = row.optionalNumber(`${side}[${level}].price`);
        const amount = row.optionalNumber(`${side}[${level}].amount`);
        if (price === null || amount === null) break;
        result.push([price, amount]);
      }
      return result;
    };
    out.push({ type: 'book_snapshot', tsEvent, tsRecv, instrument: instrumentName(parsed.name), bids: levels('bids'), asks: levels('asks'), changeId: null });
  }
}
