/**
 * A small runtime schema language for validating anything that crosses a process boundary (IPC arguments,
 * WebSocket messages). Pure TypeScript: the renderer imports it too.
 */
import { ApiException } from './errors';

export type Validator<T> = (value: unknown, path: string) => T;

type Simplify<T> = { [K in keyof T]: T[K] } & {};
/** What `v.object(shape)` returns: fields whose validator may give `undefined` become optional. */
export type ObjectOf<S extends Record<string, Validator<unknown>>> = Simplify<
  { [K in keyof S as undefined extends ReturnType<S[K]> ? never : K]: ReturnType<S[K]> } & {
    [K in keyof S as undefined extends ReturnType<S[K]> ? K : never]?: Exclude<ReturnType<S[K]>, undefined>;
  }
>;

function fail(path: string, expected: string, value: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`;
  throw new ApiException('INVALID_ARGUMENT', `${path || 'value'} must be ${expected}, got ${shown}`);
}

export const v = {
  string(options: { maxLength?: number; pattern?: RegExp } = {}): Validator<string> {
    const maxLength = options.maxLength ?? 200;
    return (value, path) => {
      if (typeof value !== 'string') fail(path, 'a string', value);
      if (value.length > maxLength) fail(path, `at most ${maxLength} characters`, value);
      if (options.pattern && !options.pattern.test(value)) fail(path, `a string matching ${options.pattern}`, value);
      return value;
    };
  },
  number(options: { min?: number; max?: number; integer?: boolean } = {}): Validator<number> {
    return (value, path) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
      if (options.integer && !Number.isInteger(value)) fail(path, 'an integer', value);
      if (options.min !== undefined && value < options.min) fail(path, `>= ${options.min}`, value);
      if (options.max !== undefined && value > options.max) fail(path, `<= ${options.max}`, value);
      return value;
    };
  },
  boolean(): Validator<boolean> {
    return (value, path) => (typeof value === 'boolean' ? value : fail(path, 'a boolean', value));
  },
  literal<const T extends readonly (string | number)[]>(...allowed: T): Validator<T[number]> {
    return (value, path) => {
      if (!(allowed as readonly unknown[]).includes(value)) fail(path, `one of ${allowed.join(', ')}`, value);
      return value as T[number];
    };
  },
  array<T>(inner: Validator<T>, options: { minLength?: number; maxLength?: number } = {}): Validator<T[]> {
    const min = options.minLength ?? 0;
    const max = options.maxLength ?? 1000;
    return (value, path) => {
      if (!Array.isArray(value)) fail(path, 'an array', value);
      if (value.length < min || value.length > max) fail(path, `an array of ${min} to ${max} items`, value);
      return value.map((item, index) => inner(item, `${path}[${index}]`));
    };
  },
  optional<T>(inner: Validator<T>): Validator<T | undefined> {
    return (value, path) => (value === undefined ? undefined : inner(value, path));
  },
  /** An object with exactly these keys (unknown keys are rejected: they are usually a caller's typo). */
  object<S extends Record<string, Validator<unknown>>>(shape: S): Validator<ObjectOf<S>> {
    return (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        // Own keys only: `key in shape` would let `constructor`, `toString` or `__proto__` through.
        if (!Object.prototype.hasOwnProperty.call(shape, key)) fail(path ? `${path}.${key}` : key, 'absent (unknown field)', record[key]);
      }
      const out: Record<string, unknown> = {};
      for (const [key, validator] of Object.entries(shape)) {
        const result = validator(record[key], path ? `${path}.${key}` : key);
        if (result !== undefined) out[key] = result;
      }
      return out as ObjectOf<S>;
    };
  },
};
