/**
 * Deribit API v2 (JSON-RPC over WebSocket) payloads → normalized {@link MarketEvent}s.
 *
 * Everything here is pure: no IO, no clock (the receive time `tsRecv` is a parameter), no randomness. Every field
 * that is used is validated; a payload that fails validation yields a {@link DeribitParseError} with the
 * offending path and value, never a throw. Array payloads (trades, option marks, instrument lists) are validated
 * item by item, so one bad item never loses the good ones next to it. Two bounded memo tables (parsed instrument
 * names, refusals that follow from a channel name) remember results of pure functions: they change the speed
 * (the target is ≥ 300k notifications/s on one core, `npm run bench -- feeds`), never the results.
 *
 * Units at this edge (DESIGN.md, "Deribit conventions"):
 * - inverse option prices (`mark_price`, `best_bid_price`, trade `price`) are in coin; kept in coin.
 * - linear (USDC) option prices are in USDC; converted to coin-equivalent by dividing by `underlying_price`, so
 *   that `markCoin × underlyingPriceUsd` is the USD price for both settlement styles.
 * - ticker IVs (`mark_iv`, `bid_iv`, `ask_iv`) and trade `iv` are percent → decimals; `markprice.options` `iv`
 *   is already a decimal.
 * - future/perpetual prices are USD; amounts and open interest of inverse futures are USD. Linear (USDC)
 *   futures quote amounts in coin: they are converted to USD at the quoted price.
 * - option amounts and open interest are in contracts (1 contract = 1 coin).
 * Values leave as the branded units of core/units.ts (`Usd`, `Coin`, `Vol`, `EpochMs`), made by its checked
 * constructors after the field checks here (so they do not throw on a field that passed; if one did, its
 * RangeError would become an `invalid_field` refusal, see `fieldError`).
 *
 * Channel intervals are not interpreted: `ticker.X.100ms`, `ticker.X.raw` and `ticker.X.agg2` parse alike, so the
 * recorded (`.raw`) fixtures and the live (`.100ms`) subscriptions share one code path.
 */
import type {
  Currency,
  FutureTickerEvent,
  IndexEvent,
  InstrumentDef,
  InstrumentEvent,
  InstrumentKind,
  MarketEvent,
  OptionTickerEvent,
  TradeEvent,
} from '../../core/market/events';
import { validateMarketEvent } from '../../core/market/validate';
import { InstrumentNameError, parseInstrumentName, type ParsedInstrument } from '../../core/pricing/instrument';
import { coin, epochMs, instrumentName, usd, vol, volFromPercent, type EpochMs, type InstrumentName, type Usd, type Vol } from '../../core/units';

// ---------------------------------------------------------------------------------------------------------------
// Errors and results

/**
 * Why an input was refused:
 * - `invalid_json`: the frame is not JSON.
 * - `invalid_frame`: JSON, but not a JSON-RPC 2.0 response, notification or heartbeat.
 * - `invalid_field`: a field this parser uses is missing, of the wrong type or out of range.
 * - `unsupported_channel`: a well-formed notification on a channel this adapter does not handle (e.g. `quote.*`).
 * - `unsupported_instrument`: a well-formed payload about an instrument this adapter does not model (combos,
 *   spot, currencies other than BTC/ETH where a {@link Currency} is needed).
 */
export type DeribitParseErrorCode =
  | 'invalid_json'
  | 'invalid_frame'
  | 'invalid_field'
  | 'unsupported_channel'
  | 'unsupported_instrument';

/** A refused input, returned (never thrown) by the parsers. `message` names the path and the offending value. */
export class DeribitParseError extends Error {
  override readonly name = 'DeribitParseError';
  constructor(
    readonly code: DeribitParseErrorCode,
    /** Full-sentence reason including the offending value. */
    readonly reason: string,
    /** JSON path of the offending field, e.g. `data[2].amount`; empty for whole-frame errors. */
    readonly path: string = '',
    readonly channel: string | null = null,
    readonly instrument: string | null = null,
  ) {
    super(`${code}${channel ? ` on ${channel}` : ''}${path ? ` at ${path}` : ''}: ${reason}`);
  }

  /** True for malformed input (as opposed to well-formed input about something unsupported). */
  get malformed(): boolean {
    return this.code === 'invalid_json' || this.code === 'invalid_frame' || this.code === 'invalid_field';
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: DeribitParseError };

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(error: DeribitParseError): ParseResult<T> => ({ ok: false, error });

// ---------------------------------------------------------------------------------------------------------------
// Schema validation (internal). Readers throw SchemaViolation; every exported function catches it.
//
// Hot path (hundreds of thousands of notifications a second): nothing here builds a path string, a closure or a
// rule object unless a check fails. The fast check (`satisfies`) only decides; a value it refuses goes to the
// checker that words the error (`checkNumber`), which throws with the path built then.

class SchemaViolation extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return 'an object';
}

/** A numeric range. All rules have every field (one object shape, so the fast check stays monomorphic). */
interface NumberRule {
  /** Smallest allowed value (inclusive); -Infinity for none. */
  readonly min: number;
  /** Strictly greater than zero. */
  readonly positive: boolean;
  readonly integer: boolean;
}

const ANY_NUMBER: NumberRule = { min: -Infinity, positive: false, integer: false };
const NON_NEGATIVE: NumberRule = { min: 0, positive: false, integer: false };
const POSITIVE: NumberRule = { min: -Infinity, positive: true, integer: false };
const INTEGER: NumberRule = { min: -Infinity, positive: false, integer: true };
const NON_NEGATIVE_INTEGER: NumberRule = { min: 0, positive: false, integer: true };

/** True when {@link checkNumber} would accept `value` under `rule` (the fast path: no allocation). */
function satisfies(value: unknown, rule: NumberRule): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (!rule.positive || value > 0) &&
    value >= rule.min
  );
}

/** Validates a number, throwing a {@link SchemaViolation} that names `path` and the value. */
function checkNumber(value: unknown, path: string, rule: NumberRule = ANY_NUMBER): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new SchemaViolation(path, `expected a finite number, got ${describe(value)}`);
  }
  if (rule.integer && !Number.isInteger(value)) throw new SchemaViolation(path, `expected an integer, got ${value}`);
  if (rule.positive && !(value > 0)) throw new SchemaViolation(path, `expected a number > 0, got ${value}`);
  if (value < rule.min) throw new SchemaViolation(path, `expected a number ≥ ${rule.min}, got ${value}`);
  return value;
}

/** JSON path of an object: `base` (`data`, `params`, '' for the root) or `base[index]` for an array item. */
function objectPath(base: string, index: number): string {
  return index < 0 ? base : `${base}[${index}]`;
}

/**
 * Typed access to one JSON object. It knows where the object sits (`base`, and `index` for an array item) but
 * builds the path string only when a field fails its check.
 */
class Reader {
  private constructor(
    private readonly record: Readonly<Record<string, unknown>>,
    private readonly base: string,
    private readonly index: number,
  ) {}

  static of(value: unknown, base: string, index = -1): Reader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SchemaViolation(objectPath(base, index) || '(root)', `expected an object, got ${describe(value)}`);
    }
    return new Reader(value as Record<string, unknown>, base, index);
  }

  /** This object's JSON path, e.g. `data[2]`; for error messages. */
  get path(): string {
    return objectPath(this.base, this.index);
  }

  /** The JSON path of one field, e.g. `data[2].amount`; for error messages. */
  at(key: string): string {
    const path = this.path;
    return path ? `${path}.${key}` : key;
  }

  has(key: string): boolean {
    const value = this.record[key];
    return value !== undefined && value !== null;
  }

  raw(key: string): unknown {
    return this.record[key];
  }

  number(key: string, rule: NumberRule = ANY_NUMBER): number {
    return this.numberField(key, this.record[key], rule);
  }

  /** A number, or null when the field is absent or null. */
  optionalNumber(key: string, rule: NumberRule = ANY_NUMBER): number | null {
    return this.optionalNumberField(key, this.record[key], rule);
  }

  timestamp(key = 'timestamp'): EpochMs {
    return epochMs(this.number(key, NON_NEGATIVE_INTEGER));
  }

  string(key: string): string {
    return this.stringField(key, this.record[key]);
  }

  // The *Field variants check a value the caller has already read as `record.key`: a property load written at the
  // call site gets its own inline cache (one object shape per message type), where `this.record[key]` in a
  // shared method sees every key and every shape and goes megamorphic. Used on the ticker path only.

  numberField(key: string, value: unknown, rule: NumberRule = ANY_NUMBER): number {
    return satisfies(value, rule) ? value : checkNumber(value, this.at(key), rule);
  }

  optionalNumberField(key: string, value: unknown, rule: NumberRule = ANY_NUMBER): number | null {
    if (value === undefined || value === null) return null;
    return satisfies(value, rule) ? value : checkNumber(value, this.at(key), rule);
  }

  stringField(key: string, value: unknown): string {
    if (typeof value !== 'string' || value.length === 0) {
      throw new SchemaViolation(this.at(key), `expected a non-empty string, got ${describe(value)}`);
    }
    return value;
  }

  optionalString(key: string): string | null {
    return this.has(key) ? this.string(key) : null;
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T {
    const value = this.record[key];
    if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
      throw new SchemaViolation(this.at(key), `expected one of ${values.join(', ')}, got ${describe(value)}`);
    }
    return value as T;
  }

  boolean(key: string): boolean {
    const value = this.record[key];
    if (typeof value !== 'boolean') throw new SchemaViolation(this.at(key), `expected true or false, got ${describe(value)}`);
    return value;
  }

  array(key: string): unknown[] {
    const value = this.record[key];
    if (!Array.isArray(value)) throw new SchemaViolation(this.at(key), `expected an array, got ${describe(value)}`);
    return value;
  }
}

/**
 * Turns what a parser body threw into a typed error: schema violations, and the RangeErrors of the checked unit
 * constructors (epochMs, instrumentName, usd, coin, vol, volFromPercent, ...), become `invalid_field`; anything
 * else is a programming error and is rethrown (fail fast, STYLE.md 14). Parser bodies are plain functions called
 * inside a try/catch (no closures), so the happy path allocates nothing for error handling.
 */
function fieldError(error: unknown, channel: string | null, instrument: string | null): DeribitParseError {
  if (error instanceof SchemaViolation) return new DeribitParseError('invalid_field', error.reason, error.path, channel, instrument);
  if (error instanceof RangeError) return new DeribitParseError('invalid_field', error.message, '', channel, instrument);
  throw error;
}

// ---------------------------------------------------------------------------------------------------------------
// Frames

/** One JSON-RPC error object from Deribit (`too_many_requests` is code 10028). */
export interface RpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

/** A classified inbound frame. */
export type DeribitFrame =
  | { kind: 'response'; id: number; result: unknown }
  | { kind: 'error_response'; id: number | null; error: RpcErrorBody }
  | { kind: 'subscription'; channel: string; data: unknown }
  /** `heartbeat` is informational; `test_request` must be answered with `public/test`. */
  | { kind: 'heartbeat'; type: 'heartbeat' | 'test_request' };

/** Classifies one WebSocket text frame. Notification `data` is left for {@link parseNotification}. */
export function parseFrame(text: string): ParseResult<DeribitFrame> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return fail(new DeribitParseError('invalid_json', `frame is not JSON (${(error as Error).message}): ${describe(text)}`));
  }
  return parseFrameValue(json);
}

/** As {@link parseFrame}, for an already-decoded JSON value. */
export function parseFrameValue(json: unknown): ParseResult<DeribitFrame> {
  try {
    const frame = Reader.of(json, '');
    const version = frame.raw('jsonrpc');
    if (version !== '2.0') {
      return fail(new DeribitParseError('invalid_frame', `"jsonrpc" must be "2.0", got ${describe(version)}`, 'jsonrpc'));
    }
    const method = frame.raw('method');
    if (method === 'subscription') {
      const params = Reader.of(frame.raw('params'), 'params');
      const channel = params.string('channel');
      const data = params.raw('data');
      if (data === undefined) return fail(new DeribitParseError('invalid_frame', 'notification has no "data"', 'params.data', channel));
      return ok({ kind: 'subscription', channel, data });
    }
    if (method === 'heartbeat') {
      const params = Reader.of(frame.raw('params'), 'params');
      return ok({ kind: 'heartbeat', type: params.oneOf('type', HEARTBEAT_TYPES) });
    }
    if (method !== undefined) {
      return fail(new DeribitParseError('invalid_frame', `unexpected server method ${describe(method)}`, 'method'));
    }
    const rawId = frame.raw('id');
    const rawError = frame.raw('error');
    if (rawError !== undefined) {
      const error = Reader.of(rawError, 'error');
      const id = rawId === null || rawId === undefined ? null : checkNumber(rawId, 'id', INTEGER);
      const body: RpcErrorBody = { code: error.number('code', INTEGER), message: error.optionalString('message') ?? '' };
      if (error.raw('data') !== undefined) body.data = error.raw('data');
      return ok({ kind: 'error_response', id, error: body });
    }
    if (!('result' in (json as object))) {
      return fail(new DeribitParseError('invalid_frame', 'frame is neither a notification, a heartbeat nor a response (no "result")'));
    }
    return ok({ kind: 'response', id: checkNumber(rawId, 'id', INTEGER), result: frame.raw('result') });
  } catch (error) {
    if (error instanceof SchemaViolation) return fail(new DeribitParseError('invalid_frame', error.reason, error.path));
    throw error;
  }
}

const HEARTBEAT_TYPES = ['heartbeat', 'test_request'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Channels

/** A parsed subscription channel name. */
export type DeribitChannel =
  | { kind: 'ticker'; instrument: string; interval: string }
  | { kind: 'book'; instrument: string; interval: string }
  | { kind: 'trades_instrument'; instrument: string; interval: string }
  | { kind: 'trades_kind'; instrumentKind: string; currency: string; interval: string }
  | { kind: 'markprice_options'; indexName: string }
  | { kind: 'price_index'; indexName: string }
  | { kind: 'instrument_state'; instrumentKind: string; currency: string };

/** Parses a channel name such as `ticker.BTC-PERPETUAL.100ms` or `trades.option.BTC.100ms`. */
export function parseChannel(channel: string): ParseResult<DeribitChannel> {
  const parsed = readChannel(channel);
  return typeof parsed === 'string' ? fail(new DeribitParseError('unsupported_channel', parsed, '', channel)) : ok(parsed);
}

const DOT = 46; // '.'

/** The part of `channel` after the dot at `dot` and before the dot at `nextDot` (-1: to the end). */
function partAfter(channel: string, dot: number, nextDot: number): string {
  return channel.slice(dot + 1, nextDot < 0 ? channel.length : nextDot);
}

/**
 * The parsed channel, or why it is not one this adapter handles (the reason of an `unsupported_channel`).
 * Equivalent to splitting on '.', refusing any empty part and matching the head and the part count, but scans
 * with indexOf instead (no array; this runs for every notification).
 */
function readChannel(channel: string): DeribitChannel | string {
  const length = channel.length;
  if (length === 0 || channel.charCodeAt(0) === DOT || channel.charCodeAt(length - 1) === DOT || channel.includes('..')) {
    return `channel "${channel}" has an empty part`;
  }
  // Dots d1 < d2 < d3 < d4 (-1 when there are fewer); the channel has `count` non-empty parts.
  const d1 = channel.indexOf('.');
  const d2 = d1 < 0 ? -1 : channel.indexOf('.', d1 + 1);
  const d3 = d2 < 0 ? -1 : channel.indexOf('.', d2 + 1);
  const d4 = d3 < 0 ? -1 : channel.indexOf('.', d3 + 1);
  const count = d1 < 0 ? 1 : d2 < 0 ? 2 : d3 < 0 ? 3 : d4 < 0 ? 4 : channel.indexOf('.', d4 + 1) < 0 ? 5 : 6;
  switch (count > 1 ? channel.slice(0, d1) : channel) {
    case 'ticker':
      if (count === 3) return { kind: 'ticker', instrument: partAfter(channel, d1, d2), interval: partAfter(channel, d2, -1) };
      break;
    case 'book':
      if (count === 3) return { kind: 'book', instrument: partAfter(channel, d1, d2), interval: partAfter(channel, d2, -1) };
      if (count === 5) return 'grouped (aggregated) book channels are not used: subscribe to book.{instrument}.{interval}';
      break;
    case 'trades':
      if (count === 3) return { kind: 'trades_instrument', instrument: partAfter(channel, d1, d2), interval: partAfter(channel, d2, -1) };
      if (count === 4) return { kind: 'trades_kind', instrumentKind: partAfter(channel, d1, d2), currency: partAfter(channel, d2, d3), interval: partAfter(channel, d3, -1) };
      break;
    case 'markprice':
      if (count === 3 && partAfter(channel, d1, d2) === 'options') return { kind: 'markprice_options', indexName: partAfter(channel, d2, -1) };
      break;
    case 'deribit_price_index':
      if (count === 2) return { kind: 'price_index', indexName: partAfter(channel, d1, -1) };
      break;
    case 'instrument':
      if (count === 4 && partAfter(channel, d1, d2) === 'state') return { kind: 'instrument_state', instrumentKind: partAfter(channel, d2, d3), currency: partAfter(channel, d3, -1) };
      break;
  }
  return `channel "${channel}" is not one this adapter handles`;
}

/** `btc_usd` → `BTC`, `eth_usd` → `ETH`; null for other indexes (e.g. `sol_usdc`). */
export function indexCurrency(indexName: string): Currency | null {
  if (indexName === 'btc_usd') return 'BTC';
  if (indexName === 'eth_usd') return 'ETH';
  return null;
}

/** The Deribit price index name of a currency (`BTC` → `btc_usd`). */
export function currencyIndexName(currency: Currency): string {
  return `${currency.toLowerCase()}_usd`;
}

// ---------------------------------------------------------------------------------------------------------------
// Instruments

function isCurrency(value: string): value is Currency {
  return value === 'BTC' || value === 'ETH';
}

/**
 * Parsed instrument names, and the refusals of bad ones. {@link parseInstrumentName} is a pure function of the
 * name (a few regular expressions and a date check, ~1 µs), and a live feed sees the same few thousand names over
 * and over, so the result is remembered. Bounded: emptied when full, so a stream of junk names cannot grow it.
 * The cached {@link ParsedInstrument}s are only read here, never handed out.
 */
const parsedNames = new Map<string, ParsedInstrument | InstrumentNameError>();
const PARSED_NAMES_LIMIT = 16_384;

function lookupName(name: string): ParsedInstrument | InstrumentNameError {
  let parsed = parsedNames.get(name);
  if (parsed === undefined) {
    try {
      parsed = parseInstrumentName(name);
    } catch (error) {
      if (!(error instanceof InstrumentNameError)) throw error;
      parsed = error;
    }
    if (parsedNames.size >= PARSED_NAMES_LIMIT) parsedNames.clear();
    parsedNames.set(name, parsed);
  }
  return parsed;
}

/** The code of an instrument-name refusal: combos and structured products are well-formed names not modelled. */
function nameErrorCode(error: InstrumentNameError): DeribitParseErrorCode {
  return /combo|structured/.test(error.reason) ? 'unsupported_instrument' : 'invalid_field';
}

/** The refusal of an instrument name found at `path`. */
function nameError(error: InstrumentNameError, path: string, channel: string | null, name: string): DeribitParseError {
  return new DeribitParseError(nameErrorCode(error), error.message, path, channel, name);
}

function parseName(name: string, path: string, channel: string | null): ParseResult<ParsedInstrument> {
  const parsed = lookupName(name);
  return parsed instanceof InstrumentNameError ? fail(nameError(parsed, path, channel, name)) : ok(parsed);
}

/**
 * Refusals that follow from the channel name alone (an unsupported channel, a refused instrument name in it) are
 * built once per channel and then shared: such a channel keeps sending, and building an Error (its stack capture,
 * 2–4 µs here) costs more than parsing a whole ticker. A shared refusal is frozen (nobody can change it for the next
 * message) and reused only when every field is what a fresh one would hold. Bounded like {@link parsedNames}.
 */
const channelRefusals = new Map<string, DeribitParseError>();
const CHANNEL_REFUSALS_LIMIT = 1_024;

function channelRefusal(code: DeribitParseErrorCode, reason: string, path: string, channel: string, instrument: string | null): DeribitParseError {
  const cached = channelRefusals.get(channel);
  if (cached !== undefined && cached.code === code && cached.reason === reason && cached.path === path && cached.instrument === instrument) {
    return cached;
  }
  const error = Object.freeze(new DeribitParseError(code, reason, path, channel, instrument));
  if (channelRefusals.size >= CHANNEL_REFUSALS_LIMIT) channelRefusals.clear();
  channelRefusals.set(channel, error);
  return error;
}

/**
 * One item of a `public/get_instruments` result → an {@link InstrumentEvent}. Options, dated futures and
 * perpetuals (Deribit kind `future` with `settlement_period: "perpetual"`) of BTC and ETH, inverse or linear
 * (`settlement_currency` / `instrument_type` / a `_USDC` name). Fees come from `maker_commission` /
 * `taker_commission`. The name is cross-checked against `kind`, `strike`, `option_type` and the expiry.
 * A listing has no event time of its own: `tsEvent` = `tsRecv` (when the list was received).
 */
export function parseInstrument(raw: unknown, tsRecv: number, path = 'result'): ParseResult<InstrumentEvent> {
  let name: string | null = null;
  try {
    const item = Reader.of(raw, path);
    name = item.string('instrument_name');
    const deribitKind = item.string('kind');
    if (deribitKind !== 'option' && deribitKind !== 'future') {
      return fail(new DeribitParseError('unsupported_instrument', `instrument kind "${deribitKind}" is not modelled (options, futures and perpetuals are)`, `${path}.kind`, null, name));
    }
    const parsedName = parseName(name, `${path}.instrument_name`, null);
    if (!parsedName.ok) return parsedName;
    const parsed = parsedName.value;
    const baseCurrency = item.string('base_currency');
    if (!isCurrency(baseCurrency)) {
      return fail(new DeribitParseError('unsupported_instrument', `base currency "${baseCurrency}" is not BTC or ETH`, `${path}.base_currency`, null, name));
    }
    if (parsed.currency !== baseCurrency) {
      throw new SchemaViolation(`${path}.base_currency`, `"${baseCurrency}" disagrees with the instrument name ${name}`);
    }
    const settlementPeriod = item.optionalString('settlement_period');
    const kind: InstrumentKind = deribitKind === 'option' ? 'option' : settlementPeriod === 'perpetual' ? 'perpetual' : 'future';
    if (parsed.kind !== kind) {
      throw new SchemaViolation(`${path}.kind`, `"${deribitKind}" (settlement_period ${describe(settlementPeriod)}) disagrees with the instrument name ${name}, which is a ${parsed.kind}`);
    }
    // Settlement: USDC-settled (linear) instruments say so in settlement_currency / instrument_type and in the name.
    const settlementCurrency = item.optionalString('settlement_currency');
    const instrumentType = item.optionalString('instrument_type');
    const linear = parsed.settlement === 'linear' || settlementCurrency === 'USDC' || instrumentType === 'linear';
    if (linear !== (parsed.settlement === 'linear')) {
      throw new SchemaViolation(`${path}.settlement_currency`, `settlement ${describe(settlementCurrency)} / instrument_type ${describe(instrumentType)} disagrees with the instrument name ${name}`);
    }
    let expiryMs: EpochMs | null = null;
    if (kind !== 'perpetual') {
      expiryMs = item.timestamp('expiration_timestamp');
      const nameExpiry = (parsed as { expiryMs: number }).expiryMs;
      if (expiryMs !== nameExpiry) {
        throw new SchemaViolation(`${path}.expiration_timestamp`, `${expiryMs} (${new Date(expiryMs).toISOString()}) is not the expiry in the name ${name} (${new Date(nameExpiry).toISOString()})`);
      }
    }
    let strikeUsd: Usd | null = null;
    let optionType: 'call' | 'put' | null = null;
    if (kind === 'option' && parsed.kind === 'option') {
      strikeUsd = usd(item.number('strike', POSITIVE));
      optionType = item.oneOf('option_type', OPTION_TYPES);
      if (strikeUsd !== parsed.strike) throw new SchemaViolation(`${path}.strike`, `${strikeUsd} disagrees with the strike in the name ${name}`);
      if (optionType !== parsed.optionType) throw new SchemaViolation(`${path}.option_type`, `"${optionType}" disagrees with the name ${name}`);
    }
    const instrument: InstrumentDef = {
      name: instrumentName(name),
      currency: baseCurrency,
      kind,
      settlement: linear ? 'linear' : 'inverse',
      expiryMs,
      strikeUsd,
      optionType,
      contractSize: item.number('contract_size', POSITIVE),
      tickSize: item.number('tick_size', POSITIVE),
      minTradeAmount: item.number('min_trade_amount', POSITIVE),
      makerCommission: item.number('maker_commission'),
      takerCommission: item.number('taker_commission'),
    };
    const recv = epochMs(Math.floor(tsRecv));
    const event: InstrumentEvent = { type: 'instrument', tsEvent: recv, tsRecv: recv, instrument };
    const invalid = validateMarketEvent(event);
    if (invalid !== null) throw new SchemaViolation(path, invalid);
    return ok(event);
  } catch (error) {
    return fail(fieldError(error, null, name));
  }
}

const OPTION_TYPES = ['call', 'put'] as const;

/** The result of a `public/get_instruments` call: the good items, and one error per refused item. */
export interface ParsedInstruments {
  events: InstrumentEvent[];
  rejected: DeribitParseError[];
}

/** Parses a whole `public/get_instruments` result (an array), item by item. */
export function parseInstruments(result: unknown, tsRecv: number): ParsedInstruments {
  if (!Array.isArray(result)) {
    return { events: [], rejected: [new DeribitParseError('invalid_field', `expected an array of instruments, got ${describe(result)}`, 'result')] };
  }
  const events: InstrumentEvent[] = [];
  const rejected: DeribitParseError[] = [];
  result.forEach((item, i) => {
    const parsed = parseInstrument(item, tsRecv, `result[${i}]`);
    if (parsed.ok) events.push(parsed.value);
    else rejected.push(parsed.error);
  });
  return { events, rejected };
}

// ---------------------------------------------------------------------------------------------------------------
// Notifications

/** One price level change of a book notification: `["new" | "change" | "delete", price, amount]`. */
export interface BookLevelChange {
  action: 'new' | 'change' | 'delete';
  price: number;
  /** Futures: USD (inverse) or coin (linear); options: contracts. 0 for deletes. */
  amount: number;
}

/** A `book.{instrument}.{interval}` notification. */
export interface BookUpdate {
  instrument: InstrumentName;
  tsEvent: EpochMs;
  tsRecv: EpochMs;
  /**
   * A full book (replace everything) rather than a change. Deribit marks it with `type: "snapshot"`; older
   * recordings have no `type` and no `prev_change_id` on snapshots, and a `prev_change_id` of 0 also means a
   * fresh book (tardis-node reads them the same way).
   */
  isSnapshot: boolean;
  changeId: number;
  /** The change id this change applies on top of; null on snapshots. */
  prevChangeId: number | null;
  bids: BookLevelChange[];
  asks: BookLevelChange[];
}

/** One item of `markprice.options.{index}`: an option's mark price and mark IV (already a decimal). */
export interface OptionMarkUpdate {
  instrument: InstrumentName;
  /** As sent: coin for inverse options, USDC for linear ones (converted in {@link applyOptionMark}). */
  markPrice: number;
  linear: boolean;
  /** Decimal IV (this channel, unlike the ticker, sends decimals). */
  markIv: Vol;
  tsEvent: EpochMs;
  tsRecv: EpochMs;
}

/** `instrument.state.{kind}.{currency}`: a listing or a removal. */
export interface InstrumentStateChange {
  instrument: InstrumentName;
  /** As sent: `created`, `started`, `settled`, `closed`, `terminated`, ... */
  state: string;
  /** What it means for the universe: `listed` (refresh instruments), `removed`, or `other` (no action). */
  effect: 'listed' | 'removed' | 'other';
  tsEvent: EpochMs;
}

/** A ticker saying its instrument has expired (`estimated_delivery_price: "expired"`). */
export interface ExpiredInstrument {
  instrument: InstrumentName;
  /** `delivery_price` when sent, USD. */
  deliveryPriceUsd: Usd | null;
  tsEvent: EpochMs;
}

/** Everything one notification can carry; most fields are empty for any one channel. */
export interface ParsedNotification {
  /** Normalized events in message order. */
  events: MarketEvent[];
  /** Items refused (the good items of the same message are in the other fields). */
  rejected: DeribitParseError[];
  book: BookUpdate | null;
  marks: OptionMarkUpdate[];
  instrumentStates: InstrumentStateChange[];
  expired: ExpiredInstrument[];
}

function emptyNotification(): ParsedNotification {
  return { events: [], rejected: [], book: null, marks: [], instrumentStates: [], expired: [] };
}

function rejectedNotification(error: DeribitParseError): ParsedNotification {
  return { events: [], rejected: [error], book: null, marks: [], instrumentStates: [], expired: [] };
}

/**
 * Parses the `data` of one subscription notification on `channel`, received at `tsRecv` (epoch ms).
 * Never throws; refused items are in `rejected`, among them events that break the event rules shared by every
 * edge (core/market/validate.ts: a mark IV of 0, a time beyond what a Date holds, ...), as `invalid_field`.
 */
export function parseNotification(channel: string, data: unknown, tsRecv: number): ParsedNotification {
  const parsed = parseNotificationBody(channel, data, tsRecv);
  for (let i = 0; i < parsed.events.length; i++) {
    const event = parsed.events[i]!;
    const invalid = validateMarketEvent(event);
    if (invalid === null) continue;
    parsed.events.splice(i--, 1);
    parsed.rejected.push(new DeribitParseError('invalid_field', invalid, '', channel, 'instrument' in event && typeof event.instrument === 'string' ? event.instrument : null));
  }
  return parsed;
}

function parseNotificationBody(channel: string, data: unknown, tsRecv: number): ParsedNotification {
  const ch = readChannel(channel);
  if (typeof ch === 'string') return rejectedNotification(channelRefusal('unsupported_channel', ch, '', channel, null));
  const recv = Math.floor(tsRecv);
  switch (ch.kind) {
    case 'ticker':
      return parseTicker(channel, ch.instrument, data, recv);
    case 'book': {
      const book = parseBook(channel, ch.instrument, data, recv);
      if (!book.ok) return rejectedNotification(book.error);
      return { events: [], rejected: [], book: book.value, marks: [], instrumentStates: [], expired: [] };
    }
    case 'trades_instrument':
      return parseTrades(channel, ch.instrument, data, recv);
    case 'trades_kind':
      return parseTrades(channel, null, data, recv);
    case 'markprice_options':
      return parseOptionMarks(channel, data, recv);
    case 'price_index': {
      const index = parseIndex(channel, ch.indexName, data, recv);
      if (!index.ok) return rejectedNotification(index.error);
      return { events: [index.value], rejected: [], book: null, marks: [], instrumentStates: [], expired: [] };
    }
    case 'instrument_state': {
      const state = parseInstrumentState(channel, data);
      if (!state.ok) return rejectedNotification(state.error);
      return { events: [], rejected: [], book: null, marks: [], instrumentStates: [state.value], expired: [] };
    }
  }
}

/** The expiry notice of a ticker; `deliveryPriceUsd` as sent (validated > 0) or null. */
function expiredInstrument(instrument: InstrumentName, deliveryPriceUsd: number | null, tsEvent: EpochMs): ExpiredInstrument {
  return { instrument, deliveryPriceUsd: deliveryPriceUsd === null ? null : usd(deliveryPriceUsd), tsEvent };
}

/** A null best price means "no order on that side": Deribit sends 0 (options) or null. */
function bestPrice(value: number | null, amount: number): number | null {
  return value === null || value === 0 || amount === 0 ? null : value;
}

/**
 * `ticker.{instrument}.{interval}` → {@link OptionTickerEvent} or {@link FutureTickerEvent} (kind from the name).
 * An expired option (`estimated_delivery_price: "expired"`) still yields its final ticker, plus an
 * {@link ExpiredInstrument} so the adapter can drop it from the universe.
 */
export function parseTicker(channel: string, channelInstrument: string, data: unknown, tsRecv: number): ParsedNotification {
  const parsed = lookupName(channelInstrument);
  if (parsed instanceof InstrumentNameError) {
    return rejectedNotification(channelRefusal(nameErrorCode(parsed), parsed.message, 'channel', channel, channelInstrument));
  }
  try {
    return readTicker(channelInstrument, parsed, data, tsRecv);
  } catch (error) {
    return rejectedNotification(fieldError(error, channel, channelInstrument));
  }
}

/** The fields of a `ticker` notification that {@link readTicker} reads; unknown until checked. */
interface TickerData {
  instrument_name?: unknown;
  timestamp?: unknown;
  estimated_delivery_price?: unknown;
  delivery_price?: unknown;
  best_bid_amount?: unknown;
  best_ask_amount?: unknown;
  best_bid_price?: unknown;
  best_ask_price?: unknown;
  underlying_price?: unknown;
  bid_iv?: unknown;
  ask_iv?: unknown;
  mark_price?: unknown;
  mark_iv?: unknown;
  underlying_index?: unknown;
  index_price?: unknown;
  open_interest?: unknown;
  stats?: unknown;
  current_funding?: unknown;
  funding_8h?: unknown;
}

/**
 * The body of {@link parseTicker}; throws {@link SchemaViolation} (and unit RangeErrors) on a bad field. The
 * hottest parser (live traffic is mostly option tickers), so it reads each field by name (`t.mark_price`) and has
 * the reader check it: same checks and messages as `d.number('mark_price', ...)`, without the megamorphic load.
 */
function readTicker(channelInstrument: string, parsed: ParsedInstrument, data: unknown, tsRecv: number): ParsedNotification {
  const d = Reader.of(data, 'data');
  const t = data as TickerData;
  const name = d.stringField('instrument_name', t.instrument_name);
  if (name !== channelInstrument) throw new SchemaViolation('data.instrument_name', `"${name}" is not the channel's instrument ${channelInstrument}`);
  const tsEvent = epochMs(d.numberField('timestamp', t.timestamp, NON_NEGATIVE_INTEGER));
  const recv = epochMs(tsRecv);
  const instrument = instrumentName(name);
  const delivery = t.estimated_delivery_price;
  if (delivery !== undefined && delivery !== null && delivery !== 'expired') d.numberField('estimated_delivery_price', delivery);
  const expired: ExpiredInstrument[] = delivery === 'expired' ? [expiredInstrument(instrument, d.optionalNumberField('delivery_price', t.delivery_price, POSITIVE), tsEvent)] : [];
  const bidAmount = d.optionalNumberField('best_bid_amount', t.best_bid_amount, NON_NEGATIVE) ?? 0;
  const askAmount = d.optionalNumberField('best_ask_amount', t.best_ask_amount, NON_NEGATIVE) ?? 0;
  if (parsed.kind === 'option') {
    const underlyingPriceUsd = usd(d.numberField('underlying_price', t.underlying_price, POSITIVE));
    // Linear (USDC) options quote in USDC: convert to coin-equivalent at the expiry's forward.
    const toCoin = parsed.settlement === 'linear' ? 1 / underlyingPriceUsd : 1;
    const bid = bestPrice(d.optionalNumberField('best_bid_price', t.best_bid_price, NON_NEGATIVE), bidAmount);
    const ask = bestPrice(d.optionalNumberField('best_ask_price', t.best_ask_price, NON_NEGATIVE), askAmount);
    // A side's IV means nothing without an order on that side; Deribit sends 0 (or a 500 % cap) there.
    const bidIvPercent = d.optionalNumberField('bid_iv', t.bid_iv, NON_NEGATIVE);
    const askIvPercent = d.optionalNumberField('ask_iv', t.ask_iv, NON_NEGATIVE);
    const event: OptionTickerEvent = {
      type: 'option_ticker',
      tsEvent,
      tsRecv: recv,
      instrument,
      bidCoin: bid === null ? null : coin(bid * toCoin),
      askCoin: ask === null ? null : coin(ask * toCoin),
      bidAmount,
      askAmount,
      markCoin: coin(d.numberField('mark_price', t.mark_price, NON_NEGATIVE) * toCoin),
      markIv: volFromPercent(d.numberField('mark_iv', t.mark_iv, NON_NEGATIVE)),
      bidIv: bid === null || bidIvPercent === null || bidIvPercent === 0 ? null : volFromPercent(bidIvPercent),
      askIv: ask === null || askIvPercent === null || askIvPercent === 0 ? null : volFromPercent(askIvPercent),
      underlyingPriceUsd,
      underlyingIndex: d.stringField('underlying_index', t.underlying_index),
      indexPriceUsd: usd(d.numberField('index_price', t.index_price, POSITIVE)),
      openInterest: d.numberField('open_interest', t.open_interest, NON_NEGATIVE),
      volume24h: tickerVolume(t.stats),
    };
    return { events: [event], rejected: [], book: null, marks: [], instrumentStates: [], expired };
  }
  // Futures and perpetuals: USD prices. Linear (USDC) futures quote amounts in coin: convert at the mark.
  const markUsd = usd(d.numberField('mark_price', t.mark_price, POSITIVE));
  const amountToUsd = parsed.settlement === 'linear' ? markUsd : 1;
  const bid = bestPrice(d.optionalNumberField('best_bid_price', t.best_bid_price, NON_NEGATIVE), bidAmount);
  const ask = bestPrice(d.optionalNumberField('best_ask_price', t.best_ask_price, NON_NEGATIVE), askAmount);
  // Validated even though only funding_8h is carried: a wrong type here means the payload is not what we think.
  if (parsed.kind === 'perpetual') d.optionalNumberField('current_funding', t.current_funding);
  const event: FutureTickerEvent = {
    type: 'future_ticker',
    tsEvent,
    tsRecv: recv,
    instrument,
    bidUsd: bid === null ? null : usd(bid),
    askUsd: ask === null ? null : usd(ask),
    bidAmountUsd: usd(bidAmount * amountToUsd),
    askAmountUsd: usd(askAmount * amountToUsd),
    markUsd,
    indexPriceUsd: usd(d.numberField('index_price', t.index_price, POSITIVE)),
    openInterestUsd: usd(d.numberField('open_interest', t.open_interest, NON_NEGATIVE) * amountToUsd),
    funding8h: parsed.kind === 'perpetual' ? d.optionalNumberField('funding_8h', t.funding_8h) : null,
  };
  return { events: [event], rejected: [], book: null, marks: [], instrumentStates: [], expired };
}

/**
 * `stats.volume`: contracts traded over the last 24 hours. Deribit sends `"volume": null` for an option that has
 * not traded, and a ticker without `stats` says nothing: both are null, never 0.
 */
function tickerVolume(stats: unknown): number | null {
  if (stats === undefined || stats === null) return null;
  if (typeof stats !== 'object' || Array.isArray(stats)) throw new SchemaViolation('data.stats', `expected an object, got ${describe(stats)}`);
  const volume = (stats as { volume?: unknown }).volume;
  if (volume === undefined || volume === null) return null;
  return satisfies(volume, NON_NEGATIVE) ? volume : checkNumber(volume, 'data.stats.volume', NON_NEGATIVE);
}

/** `deribit_price_index.{btc_usd|eth_usd}` → {@link IndexEvent}. */
export function parseIndex(channel: string, channelIndex: string, data: unknown, tsRecv: number): ParseResult<IndexEvent> {
  const currency = indexCurrency(channelIndex);
  if (currency === null) {
    return fail(new DeribitParseError('unsupported_channel', `price index "${channelIndex}" is not btc_usd or eth_usd`, '', channel));
  }
  try {
    const d = Reader.of(data, 'data');
    const indexName = d.string('index_name');
    if (indexName !== channelIndex) throw new SchemaViolation('data.index_name', `"${indexName}" is not the channel's index ${channelIndex}`);
    return ok({ type: 'index', tsEvent: d.timestamp(), tsRecv: epochMs(tsRecv), currency, priceUsd: usd(d.number('price', POSITIVE)) });
  } catch (error) {
    return fail(fieldError(error, channel, null));
  }
}

const LIQUIDATION_FLAGS = ['M', 'T', 'MT'] as const;
const TAKER_SIDES = ['buy', 'sell'] as const;

/**
 * `trades.{instrument}.{interval}` and `trades.{kind}.{currency}.{interval}` → {@link TradeEvent}s, item by item.
 * `direction` is the taker's side. Options: price in coin (USDC for linear options, flagged `priceUnit: 'usd'`),
 * amount in contracts, `iv` percent → decimal. Futures: price USD, amount USD (linear futures: coin × price).
 */
export function parseTrades(channel: string, channelInstrument: string | null, data: unknown, tsRecv: number): ParsedNotification {
  if (!Array.isArray(data)) {
    return rejectedNotification(new DeribitParseError('invalid_field', `expected an array of trades, got ${describe(data)}`, 'data', channel));
  }
  const out = emptyNotification();
  for (let i = 0; i < data.length; i++) {
    const trade = parseTrade(channel, channelInstrument, data[i], i, tsRecv);
    if (trade instanceof DeribitParseError) out.rejected.push(trade);
    else out.events.push(trade);
  }
  return out;
}

/** Item `index` of a trades notification: the trade, or why it was refused. */
function parseTrade(channel: string, channelInstrument: string | null, item: unknown, index: number, tsRecv: number): TradeEvent | DeribitParseError {
  let name: string | null = null;
  try {
    const t = Reader.of(item, 'data', index);
    name = t.string('instrument_name');
    if (channelInstrument !== null && name !== channelInstrument) {
      throw new SchemaViolation(t.at('instrument_name'), `"${name}" is not the channel's instrument ${channelInstrument}`);
    }
    const parsed = lookupName(name);
    if (parsed instanceof InstrumentNameError) return nameError(parsed, t.at('instrument_name'), channel, name);
    const rawId = t.raw('trade_id');
    const tradeId = typeof rawId === 'number' && Number.isInteger(rawId) ? String(rawId) : t.string('trade_id');
    const isOption = parsed.kind === 'option';
    const price = t.number('price', isOption ? NON_NEGATIVE : POSITIVE);
    const amount = t.number('amount', POSITIVE);
    const ivPercent = isOption ? t.optionalNumber('iv', NON_NEGATIVE) : null;
    const liquidation = t.raw('liquidation');
    if (liquidation !== undefined && liquidation !== null) t.oneOf('liquidation', LIQUIDATION_FLAGS);
    const blockTradeId = t.raw('block_trade_id');
    return {
      type: 'trade',
      tsEvent: t.timestamp(),
      tsRecv: epochMs(tsRecv),
      instrument: instrumentName(name),
      tradeId,
      price: isOption && parsed.settlement === 'inverse' ? coin(price) : usd(price),
      priceUnit: isOption && parsed.settlement === 'inverse' ? 'coin' : 'usd',
      amount: !isOption && parsed.settlement === 'linear' ? amount * price : amount,
      takerSide: t.oneOf('direction', TAKER_SIDES),
      iv: ivPercent === null ? null : volFromPercent(ivPercent),
      indexPriceUsd: usd(t.number('index_price', POSITIVE)),
      blockTradeId:
        blockTradeId === undefined || blockTradeId === null
          ? null
          : typeof blockTradeId === 'number' && Number.isInteger(blockTradeId)
            ? String(blockTradeId)
            : t.string('block_trade_id'),
      liquidation: liquidation !== undefined && liquidation !== null,
    };
  } catch (error) {
    return fieldError(error, channel, name);
  }
}

/** `markprice.options.{index}` → one {@link OptionMarkUpdate} per item (IV decimal as sent). */
export function parseOptionMarks(channel: string, data: unknown, tsRecv: number): ParsedNotification {
  if (!Array.isArray(data)) {
    return rejectedNotification(new DeribitParseError('invalid_field', `expected an array of option marks, got ${describe(data)}`, 'data', channel));
  }
  const out = emptyNotification();
  for (let i = 0; i < data.length; i++) {
    const mark = parseOptionMark(channel, data[i], i, tsRecv);
    if (mark instanceof DeribitParseError) out.rejected.push(mark);
    else out.marks.push(mark);
  }
  return out;
}

/** Item `index` of a `markprice.options` notification: the mark, or why it was refused. */
function parseOptionMark(channel: string, item: unknown, index: number, tsRecv: number): OptionMarkUpdate | DeribitParseError {
  let name: string | null = null;
  try {
    const m = Reader.of(item, 'data', index);
    name = m.string('instrument_name');
    const parsed = lookupName(name);
    if (parsed instanceof InstrumentNameError) return nameError(parsed, m.at('instrument_name'), channel, name);
    if (parsed.kind !== 'option') throw new SchemaViolation(m.at('instrument_name'), `${name} is not an option`);
    return {
      instrument: instrumentName(name),
      markPrice: m.number('mark_price', NON_NEGATIVE),
      linear: parsed.settlement === 'linear',
      markIv: vol(m.number('iv', NON_NEGATIVE)),
      tsEvent: m.timestamp(),
      tsRecv: epochMs(tsRecv),
    };
  } catch (error) {
    return fieldError(error, channel, name);
  }
}

/**
 * Applies a `markprice.options` update to the last full ticker of the same option: a new
 * {@link OptionTickerEvent} with the mark price and mark IV replaced and the mark's timestamps, everything else
 * (quotes, forward, open interest) carried over. Returns null when the mark is not newer than the ticker or
 * changes nothing, so a replay of the event log sees exactly the state the live engine saw.
 */
export function applyOptionMark(last: OptionTickerEvent, mark: OptionMarkUpdate): OptionTickerEvent | null {
  if (last.instrument !== mark.instrument) {
    throw new Error(`applyOptionMark: mark for ${mark.instrument} applied to the ticker of ${last.instrument}`);
  }
  if (mark.tsEvent <= last.tsEvent) return null;
  const markCoin = coin(mark.linear ? mark.markPrice / last.underlyingPriceUsd : mark.markPrice);
  if (markCoin === last.markCoin && mark.markIv === last.markIv) return null;
  return { ...last, markCoin, markIv: mark.markIv, tsEvent: mark.tsEvent, tsRecv: mark.tsRecv };
}

/** Checks one book level `[action, price, amount]`; `path` is the side (`data.bids`), `index` the level. */
function readLevel(level: unknown, path: string, index: number): BookLevelChange {
  if (!Array.isArray(level) || level.length !== 3) {
    throw new SchemaViolation(`${path}[${index}]`, `expected [action, price, amount], got ${describe(level)}`);
  }
  const action: unknown = level[0];
  const price: unknown = level[1];
  const amount: unknown = level[2];
  if (action !== 'new' && action !== 'change' && action !== 'delete') {
    throw new SchemaViolation(`${path}[${index}][0]`, `expected new, change or delete, got ${describe(action)}`);
  }
  return {
    action,
    price: satisfies(price, ANY_NUMBER) ? price : checkNumber(price, `${path}[${index}][1]`),
    amount: satisfies(amount, NON_NEGATIVE) ? amount : checkNumber(amount, `${path}[${index}][2]`, NON_NEGATIVE),
  };
}

function readLevels(levels: unknown[], path: string): BookLevelChange[] {
  const out: BookLevelChange[] = [];
  for (let i = 0; i < levels.length; i++) out.push(readLevel(levels[i], path, i));
  return out;
}

const BOOK_TYPES = ['snapshot', 'change'] as const;

/** `book.{instrument}.{interval}` → {@link BookUpdate} (snapshot or change, with change ids). */
export function parseBook(channel: string, channelInstrument: string, data: unknown, tsRecv: number): ParseResult<BookUpdate> {
  try {
    const d = Reader.of(data, 'data');
    const name = d.string('instrument_name');
    if (name !== channelInstrument) throw new SchemaViolation('data.instrument_name', `"${name}" is not the channel's instrument ${channelInstrument}`);
    const type = d.has('type') ? d.oneOf('type', BOOK_TYPES) : null;
    const prevChangeId = d.optionalNumber('prev_change_id', NON_NEGATIVE_INTEGER);
    const isSnapshot = type === 'snapshot' || prevChangeId === null || prevChangeId === 0;
    return ok({
      instrument: instrumentName(name),
      tsEvent: d.timestamp(),
      tsRecv: epochMs(tsRecv),
      isSnapshot,
      changeId: d.number('change_id', NON_NEGATIVE_INTEGER),
      prevChangeId: isSnapshot ? null : prevChangeId,
      bids: readLevels(d.array('bids'), 'data.bids'),
      asks: readLevels(d.array('asks'), 'data.asks'),
    });
  } catch (error) {
    return fail(fieldError(error, channel, channelInstrument));
  }
}

const LISTED_STATES = new Set(['created', 'started']);
const REMOVED_STATES = new Set(['settled', 'closed', 'terminated', 'deactivated', 'delivered']);

/** `instrument.state.{kind}.{currency}` → {@link InstrumentStateChange}. */
export function parseInstrumentState(channel: string, data: unknown): ParseResult<InstrumentStateChange> {
  try {
    const d = Reader.of(data, 'data');
    const state = d.string('state');
    return ok({
      instrument: instrumentName(d.string('instrument_name')),
      state,
      effect: LISTED_STATES.has(state) ? 'listed' : REMOVED_STATES.has(state) ? 'removed' : 'other',
      tsEvent: d.timestamp(),
    });
  } catch (error) {
    return fail(fieldError(error, channel, null));
  }
}

// The schema readers, for the parsers of private (account and order) payloads in privateParse.ts.
export { Reader, SchemaViolation, fieldError, describe, ok, fail, ANY_NUMBER, NON_NEGATIVE, POSITIVE, NON_NEGATIVE_INTEGER };
