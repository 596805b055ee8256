/**
 * Deribit instrument names, parsed and formatted.
 *
 *   inverse option   BTC-27DEC24-60000-C        coin-margined, premium in BTC, strike in USD
 *   linear option    MATIC_USDC-9MAR24-1d02-C   USDC-margined; `d` is the decimal point (strike 1.02)
 *   dated future     BTC-27DEC24, BTC_USDC-27DEC24
 *   perpetual        BTC-PERPETUAL, BTC_USDC-PERPETUAL
 *
 * Expiry codes are day (no leading zero), upper-case month, two-digit year; the expiry instant is 08:00 UTC on
 * that date. Names are parsed strictly (canonical spelling only, so that format(parse(name)) === name), except
 * that an upper-case `D` decimal mark is accepted in strikes because Tardis.dev upper-cases symbols
 * (`MATIC_USDC-9MAR24-1D02-C`). Combos (`BTC-STRD-...`, `BTC-CSR12-...`) are rejected with a clear error.
 */
import { formatExpiryCode, parseExpiryCode } from '../market/expiryCode';
import type { EpochMs, InstrumentName } from '../units';

/** A malformed or unsupported instrument name; `instrumentName` holds the offending name. */
export class InstrumentNameError extends Error {
  override readonly name = 'InstrumentNameError';
  constructor(
    readonly instrumentName: string,
    readonly reason: string,
  ) {
    super(`Invalid Deribit instrument name "${instrumentName}": ${reason}`);
  }
}

/** Settlement style: inverse (coin-margined, USD-quoted underlying) or linear (USDC-margined). */
export type Settlement = 'inverse' | 'linear';

interface ParsedBase {
  name: InstrumentName;
  /** Underlying coin: `BTC`, `ETH`, `MATIC`, ... */
  currency: string;
  /** Margin / settlement currency: the coin for inverse instruments, `USDC` for linear ones. */
  settlementCurrency: string;
  settlement: Settlement;
}

export interface ParsedOption extends ParsedBase {
  kind: 'option';
  /** 08:00 UTC on the expiry date. */
  expiryMs: EpochMs;
  /** The name's date code, e.g. `27DEC24`. */
  expiryCode: string;
  /** Strike in USD (USDC for linear options). */
  strike: number;
  optionType: 'call' | 'put';
  isCall: boolean;
}

export interface ParsedFuture extends ParsedBase {
  kind: 'future';
  expiryMs: EpochMs;
  expiryCode: string;
}

export interface ParsedPerpetual extends ParsedBase {
  kind: 'perpetual';
}

export type ParsedInstrument = ParsedOption | ParsedFuture | ParsedPerpetual;

const CURRENCY_PART = /^([A-Z][A-Z0-9]*)(?:_(USDC|USDT))?$/;
const STRIKE_PART = /^(0|[1-9][0-9]*)(?:[dD]([0-9]+))?$/;

function parseCurrencyPart(name: string, part: string): { currency: string; settlementCurrency: string; settlement: Settlement } {
  const match = CURRENCY_PART.exec(part);
  if (!match) throw new InstrumentNameError(name, `"${part}" is not a currency (expected e.g. BTC or MATIC_USDC)`);
  const currency = match[1]!;
  const quote = match[2];
  return quote === undefined
    ? { currency, settlementCurrency: currency, settlement: 'inverse' }
    : { currency, settlementCurrency: quote, settlement: 'linear' };
}

function parseExpiryPart(name: string, part: string): EpochMs {
  const expiryMs = parseExpiryCode(part);
  if (expiryMs === null || formatExpiryCode(expiryMs) !== part) {
    throw new InstrumentNameError(name, `"${part}" is not an expiry date code (expected e.g. 27DEC24 or 3JAN25)`);
  }
  return expiryMs as EpochMs;
}

/** Parses a strike such as `60000`, `1d02` (= 1.02) or `0d5`. */
export function parseStrike(name: string, part: string): number {
  const match = STRIKE_PART.exec(part);
  if (!match) throw new InstrumentNameError(name, `"${part}" is not a strike (expected digits, with d as decimal point)`);
  const strike = Number(match[2] === undefined ? match[1] : `${match[1]}.${match[2]}`);
  if (!(strike > 0)) throw new InstrumentNameError(name, `strike must be positive, got "${part}"`);
  return strike;
}

/** Formats a strike the way Deribit spells it: integers as digits, decimals with `d` (1.02 -> `1d02`). */
export function formatStrike(strike: number): string {
  if (!(strike > 0 && Number.isFinite(strike))) throw new RangeError(`Strike must be a positive finite number, got ${strike}`);
  const text = String(strike);
  if (/e/i.test(text)) throw new RangeError(`Strike ${strike} cannot be written without an exponent`);
  return text.replace('.', 'd');
}

/**
 * Parses any supported Deribit instrument name (option, future, perpetual; inverse or linear).
 * @throws InstrumentNameError with the offending name and the reason.
 */
export function parseInstrumentName(name: string): ParsedInstrument {
  if (typeof name !== 'string' || name.length === 0) throw new InstrumentNameError(String(name), 'empty name');
  const parts = name.split('-');
  const base = parseCurrencyPart(name, parts[0]!);
  const instrumentName = name as InstrumentName;
  if (parts.length === 2) {
    const second = parts[1]!;
    if (second === 'PERPETUAL') return { kind: 'perpetual', name: instrumentName, ...base };
    const expiryMs = parseExpiryPart(name, second);
    return { kind: 'future', name: instrumentName, ...base, expiryMs, expiryCode: second };
  }
  if (parts.length >= 3 && parts[1] !== 'PERPETUAL' && parseExpiryCode(parts[1]!) === null && /^[A-Z]+[0-9]*$/.test(parts[1]!)) {
    throw new InstrumentNameError(name, `combo or structured instruments ("${parts[1]}") are not supported`);
  }
  if (parts.length === 4) {
    const [, expiryCode, strikePart, typePart] = parts as [string, string, string, string];
    const expiryMs = parseExpiryPart(name, expiryCode);
    const strike = parseStrike(name, strikePart);
    if (typePart !== 'C' && typePart !== 'P') {
      throw new InstrumentNameError(name, `option type must be C or P, got "${typePart}"`);
    }
    const isCall = typePart === 'C';
    return { kind: 'option', name: instrumentName, ...base, expiryMs, expiryCode, strike, optionType: isCall ? 'call' : 'put', isCall };
  }
  throw new InstrumentNameError(name, `expected CUR-PERPETUAL, CUR-DDMMMYY or CUR-DDMMMYY-STRIKE-C|P, got ${parts.length} dash-separated parts`);
}

/**
 * Parses an option name.
 * @throws InstrumentNameError if the name is malformed or not an option.
 */
export function parseOptionName(name: string): ParsedOption {
  const parsed = parseInstrumentName(name);
  if (parsed.kind !== 'option') throw new InstrumentNameError(name, `is a ${parsed.kind}, not an option`);
  return parsed;
}

/** What is needed to format an option name. */
export interface OptionNameParts {
  currency: string;
  /** Omit (or `inverse`) for coin-margined options; `linear` adds `_USDC` (or the given settlement currency). */
  settlement?: Settlement;
  settlementCurrency?: string;
  /** Any instant on the expiry date (UTC); conventionally 08:00. */
  expiryMs: number;
  strike: number;
  isCall: boolean;
}

function currencyPrefix(currency: string, settlement: Settlement | undefined, settlementCurrency: string | undefined): string {
  if (!/^[A-Z][A-Z0-9]*$/.test(currency)) throw new RangeError(`Currency must be upper-case letters/digits, got "${currency}"`);
  return settlement === 'linear' ? `${currency}_${settlementCurrency ?? 'USDC'}` : currency;
}

/** Formats an option name, e.g. `BTC-27DEC24-60000-C` or `MATIC_USDC-9MAR24-1d02-C`. */
export function formatOptionName(parts: OptionNameParts): InstrumentName {
  const prefix = currencyPrefix(parts.currency, parts.settlement, parts.settlementCurrency);
  return `${prefix}-${formatExpiryCode(parts.expiryMs)}-${formatStrike(parts.strike)}-${parts.isCall ? 'C' : 'P'}` as InstrumentName;
}

/** Formats a dated future (`BTC-27DEC24`) or, with `expiryMs` null, a perpetual (`BTC-PERPETUAL`). */
export function formatFutureName(currency: string, expiryMs: number | null, settlement?: Settlement, settlementCurrency?: string): InstrumentName {
  const prefix = currencyPrefix(currency, settlement, settlementCurrency);
  return `${prefix}-${expiryMs === null ? 'PERPETUAL' : formatExpiryCode(expiryMs)}` as InstrumentName;
}
