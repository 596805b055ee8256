/**
 * The command line's JSON is the API's DTOs with snake_case keys: one mechanical rename at the edge, so a field
 * added to a DTO reaches `--format json` without a second mapper. Keys are split before an upper-case letter that
 * follows a lower-case one and before a digit that follows a letter, then lower-cased: `gexUsdPer1Pct` →
 * `gex_usd_per_1pct`, `absGammaStrikeUsd` → `abs_gamma_strike_usd`. Values are kept as they are; arrays and
 * plain objects are renamed all the way down.
 */

type IsLowerLetter<C extends string> = C extends Uppercase<C> ? false : true;
type IsUpperLetter<C extends string> = C extends Lowercase<C> ? false : true;
type IsLetter<C extends string> = IsLowerLetter<C> extends true ? true : IsUpperLetter<C>;
type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** One character of the key after `Previous`, as {@link snakeKey} writes it. */
type SnakeChar<C extends string, Previous extends string> =
  IsUpperLetter<C> extends true
    ? IsLowerLetter<Previous> extends true
      ? `_${Lowercase<C>}`
      : Lowercase<C>
    : C extends Digit
      ? IsLetter<Previous> extends true
        ? `_${C}`
        : C
      : C;

/** `snakeKey` at the type level: `SnakeKey<'gexUsdPer1Pct'>` is `'gex_usd_per_1pct'`. */
export type SnakeKey<S extends string, Previous extends string = ''> = S extends `${infer C}${infer Rest}`
  ? `${SnakeChar<C, Previous>}${SnakeKey<Rest, C>}`
  : S;

/** The type of `snakeCase(value)`. */
export type SnakeCased<T> = T extends readonly (infer Item)[]
  ? SnakeCased<Item>[]
  : T extends object
    ? { [K in keyof T as K extends string ? SnakeKey<K> : K]: SnakeCased<T[K]> }
    : T;

export function snakeKey<S extends string>(key: S): SnakeKey<S> {
  return key
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/([A-Za-z])([0-9])/g, '$1_$2')
    .toLowerCase() as SnakeKey<S>;
}

/** A copy of `value` with every plain object's keys in snake_case (arrays and plain objects recursively). */
export function snakeCase<T>(value: T): SnakeCased<T> {
  return rename(value) as SnakeCased<T>;
}

function rename(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rename);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  const from = new Map<string, string>();
  for (const [key, item] of Object.entries(value)) {
    const renamed = snakeKey(key);
    const earlier = from.get(renamed);
    if (earlier !== undefined) throw new Error(`snakeCase: keys "${earlier}" and "${key}" both become "${renamed}"`);
    from.set(renamed, key);
    out[renamed] = rename(item);
  }
  return out;
}
