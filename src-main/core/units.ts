/**
 * Branded numeric units. Mixing USD with coin, or a percent IV with a decimal one, is a real bug in this
 * domain; the brands make the compiler catch it. Values are created by the checked constructors below at the
 * edges (parsers, simulator) and flow as plain numbers in hot loops (struct-of-arrays), where the field name
 * carries the unit instead.
 */
declare const unitBrand: unique symbol;
export type Brand<T, B extends string> = T & { readonly [unitBrand]: B };

/** US dollars. */
export type Usd = Brand<number, 'Usd'>;
/** Amount in the option's coin (BTC or ETH). */
export type Coin = Brand<number, 'Coin'>;
/** Volatility as a decimal (0.55 = 55 %). */
export type Vol = Brand<number, 'Vol'>;
/** Time in years, ACT/365. */
export type Years = Brand<number, 'Years'>;
/** Milliseconds since the Unix epoch, UTC. */
export type EpochMs = Brand<number, 'EpochMs'>;
/** A Deribit instrument name such as `BTC-27DEC24-60000-C`. */
export type InstrumentName = Brand<string, 'InstrumentName'>;

function finite(value: number, unit: string): number {
  if (!Number.isFinite(value)) throw new RangeError(`${unit} must be a finite number, got ${String(value)}`);
  return value;
}

export const usd = (value: number): Usd => finite(value, 'Usd') as Usd;
export const coin = (value: number): Coin => finite(value, 'Coin') as Coin;
export const vol = (value: number): Vol => {
  finite(value, 'Vol');
  if (value < 0) throw new RangeError(`Vol must be a non-negative decimal, got ${value}`);
  return value as Vol;
};
/**
 * Converts a percent IV (Deribit ticker, Tardis CSV) to a decimal vol: the one place where percent becomes
 * decimal (a lint rule forbids `iv / 100` elsewhere). Throws a RangeError on a negative or non-finite percent.
 */
export const volFromPercent = (percent: number): Vol => vol(percent / 100);
/**
 * As {@link volFromPercent}, for the "null with a reason" paths of the parsers: null for a missing (null),
 * negative or non-finite percent instead of a throw. The caller says why a null is refused.
 */
export const volFromPercentOrNull = (percent: number | null): Vol | null =>
  percent === null || !Number.isFinite(percent) || percent < 0 ? null : volFromPercent(percent);
export const years = (value: number): Years => finite(value, 'Years') as Years;
export const epochMs = (value: number): EpochMs => {
  finite(value, 'EpochMs');
  if (!Number.isInteger(value)) throw new RangeError(`EpochMs must be an integer, got ${value}`);
  return value as EpochMs;
};
export const instrumentName = (value: string): InstrumentName => {
  if (value.length === 0) throw new RangeError('Instrument name must not be empty');
  return value as InstrumentName;
};

export const MS_PER_DAY = 86_400_000;
/** ACT/365 year in milliseconds (Deribit's convention for option time to expiry). */
export const MS_PER_YEAR = 365 * MS_PER_DAY;
