/**
 * Runtime schemas for anything that crosses a process boundary (IPC arguments, WebSocket frames), on valibot
 * (docs/decisions/0008-api-schema-library.md). The builders in `v` fix the house rules once: strings and arrays
 * have a length limit, numbers are finite, objects are exact (unknown keys are refused), and every check carries
 * the words of its error message. `parse` turns the first issue into `INVALID_ARGUMENT: <path> must be
 * <expectation>, got <value>`. Pure TypeScript: the renderer may import it (it imports only the types today).
 *
 * The Deribit parser does not use this: its hand-written Reader (feeds/deribit/parse.ts) is the hot path.
 */
import * as s from 'valibot';
import { ApiException } from './errors';

/** A schema whose validated output is `T`. */
export type Schema<T = unknown> = s.GenericSchema<unknown, T>;
/** What a schema gives after validation. */
export type Infer<S extends Schema> = s.InferOutput<S>;
type Entries = Record<string, Schema>;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** What `v.object(shape)` returns: fields whose schema may give `undefined` become optional. */
export type ObjectOf<S extends Entries> = Simplify<
  { -readonly [K in keyof S as undefined extends Infer<S[K]> ? never : K]: Infer<S[K]> } & {
    -readonly [K in keyof S as undefined extends Infer<S[K]> ? K : never]?: Exclude<Infer<S[K]>, undefined>;
  }
>;

/** Only the first failed check of a field is reported, so the rest of its pipe need not run. */
const CONFIG = { abortPipeEarly: true } as const;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The message a strict object gives: not an object, an unknown key, or a missing key (in the field's words). */
function objectMessage(shape: Entries): (issue: s.BaseIssue<unknown>) => string {
  return (issue) => {
    if (issue.expected === 'never') return 'absent (unknown field)';
    const key = issue.path?.[0]?.key;
    const field = typeof key === 'string' && Object.prototype.hasOwnProperty.call(shape, key) ? shape[key] : undefined;
    if (!field) return 'an object';
    // A missing required key: say what the field wants, as if it had been given `undefined`.
    return s.safeParse(field, undefined, CONFIG).issues?.[0]?.message ?? 'present';
  };
}

/** Drops keys whose value is `undefined` (an optional field given as `undefined` is an absent field). */
function withoutUndefined<T extends Record<string, unknown>>(record: T): T {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

const strict = <S extends Entries>(shape: S) => {
  const schema = s.strictObject(shape, objectMessage(shape));
  const optional = Object.values(shape).some((field) => s.safeParse(field, undefined).success);
  // Only objects with optional fields pay for the extra pass.
  return optional ? s.pipe(schema, s.transform(withoutUndefined)) : schema;
};

export const v = {
  string(options: { maxLength?: number; pattern?: RegExp } = {}): Schema<string> {
    const maxLength = options.maxLength ?? 200;
    const { pattern } = options;
    return pattern
      ? s.pipe(s.string('a string'), s.maxLength(maxLength, `at most ${maxLength} characters`), s.regex(pattern, `a string matching ${pattern}`))
      : s.pipe(s.string('a string'), s.maxLength(maxLength, `at most ${maxLength} characters`));
  },
  number(options: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
    const checks: s.PipeItem<number, number, s.BaseIssue<unknown>>[] = [s.finite('a finite number')];
    if (options.integer) checks.push(s.integer('an integer'));
    if (options.min !== undefined) checks.push(s.minValue(options.min, `>= ${options.min}`));
    if (options.max !== undefined) checks.push(s.maxValue(options.max, `<= ${options.max}`));
    return s.pipe(s.number('a finite number'), ...checks);
  },
  boolean(): Schema<boolean> {
    return s.boolean('a boolean');
  },
  literal<const T extends readonly (string | number)[]>(...allowed: T): s.PicklistSchema<T, string> {
    return s.picklist(allowed, `one of ${allowed.join(', ')}`);
  },
  /** Anything at all (a frame's `params`, validated later against the named command). */
  unknown(): Schema<unknown> {
    return s.unknown();
  },
  /** One of several schemas; `expected` names them all in the error when none comes close. */
  union<const O extends readonly Schema[]>(options: O, expected: string): Schema<Infer<O[number]>> {
    return s.union(options, expected) as unknown as Schema<Infer<O[number]>>;
  },
  /** An array of at most `maxLength` (default 1000) items; the length is checked before any item. */
  array<T>(inner: Schema<T>, options: { minLength?: number; maxLength?: number } = {}): Schema<T[]> {
    const min = options.minLength ?? 0;
    const max = options.maxLength ?? 1000;
    return s.pipe(
      s.custom<unknown[]>(
        (value) => Array.isArray(value) && value.length >= min && value.length <= max,
        (issue) => (Array.isArray(issue.input) ? `an array of ${min} to ${max} items` : 'an array'),
      ),
      s.array(inner),
    );
  },
  optional<T>(inner: Schema<T>): Schema<T | undefined> {
    return s.optional(inner);
  },
  /** An object with exactly these keys (unknown keys are refused: they are usually a caller's typo). */
  object<S extends Entries>(shape: S): Schema<ObjectOf<S>> {
    const exact = strict(shape) as unknown as s.GenericSchema<Record<string, unknown>, ObjectOf<S>>;
    return s.pipe(s.custom<Record<string, unknown>>(isRecord, 'an object'), exact);
  },
  /**
   * One of several exact objects told apart by the literal at `key` (`kind`). The shapes are plain field lists;
   * each needs `key` as a `v.literal`.
   */
  variant<K extends string, const S extends readonly (Entries & Record<K, s.PicklistSchema<readonly (string | number)[], string>>)[]>(
    key: K,
    shapes: S,
  ): Schema<{ [I in keyof S]: ObjectOf<S[I]> }[number]> {
    const allowed = shapes.flatMap((shape) => shape[key].options);
    const options = shapes.map((shape) => strict(shape)) as unknown as s.VariantOptions<K>;
    return s.variant(key, options, (issue) => (issue.path ? `one of ${allowed.join(', ')}` : 'an object')) as unknown as Schema<
      { [I in keyof S]: ObjectOf<S[I]> }[number]
    >;
  },
};

function describe(issue: s.BaseIssue<unknown>, root: string): string {
  let path = root;
  for (const item of issue.path ?? []) {
    const key = item.key;
    path = typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${String(key)}` : String(key);
  }
  // A key issue (missing or unknown field) carries the key as input; show the field's value instead.
  const last = issue.path?.at(-1);
  const value = last && last.origin === 'key' ? last.value : issue.input;
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  return `${path || 'value'} must be ${issue.message}, got ${shown}`;
}

/**
 * Validates untrusted input. Throws INVALID_ARGUMENT naming the field by its path (`params.positions[3].amount`).
 * When a value has several problems an unknown field is reported first: it is usually a typo that explains the
 * others (a misspelt key is also a missing one).
 */
/**
 * How deep a value crossing a boundary may nest (the contract's deepest, a `positions.set` frame, is 5 levels).
 * Checked before validation, without recursion: a frame nested 100 000 deep would otherwise overflow the stack
 * of a recursive validator.
 */
export const MAX_DEPTH = 16;

/** Throws INVALID_ARGUMENT when `value` nests deeper than `maxDepth` objects/arrays. */
export function assertDepth(value: unknown, path: string, maxDepth = MAX_DEPTH): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > maxDepth) throw new ApiException('INVALID_ARGUMENT', `${path} nests deeper than ${maxDepth} levels`);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
}

export function parse<T>(schema: Schema<T>, value: unknown, path: string): T {
  assertDepth(value, path);
  const result = s.safeParse(schema, value, CONFIG);
  if (result.success) return result.output;
  const issue = result.issues.find((candidate) => candidate.expected === 'never' && candidate.type === 'strict_object') ?? result.issues[0];
  throw new ApiException('INVALID_ARGUMENT', describe(issue, path));
}
