/**
 * Canonical JSON after RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code units, no
 * whitespace, strings and numbers serialized as ECMAScript's JSON.stringify does (which is what JCS specifies).
 * The audit log hashes this text, so the same value always gives the same bytes on every machine.
 *
 * Only JSON values are accepted: a NaN, an infinity, `undefined`, a function, a bigint or a class instance other
 * than a plain object or array throws a TypeError naming its path (`$.legs[0].amount`), never a silent `null`.
 */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export function canonicalJson(value: unknown): string {
  return write(value, '$');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${path} is ${String(value)}, not a finite number`);
      // -0 serializes as 0 in JCS (and in JSON.stringify).
      return JSON.stringify(value);
    case 'string':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item, i) => write(item, `${path}[${i}]`)).join(',')}]`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonical JSON: ${path} is a ${describe(value)}, not a plain object`);
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      // Default sort compares UTF-16 code units, as RFC 8785 section 3.2.3 requires.
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) throw new TypeError(`canonical JSON: ${path}.${key} is undefined`);
        parts.push(`${JSON.stringify(key)}:${write(item, `${path}.${key}`)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${path} is a ${typeof value}, not a JSON value`);
  }
}

function describe(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'non-plain object';
}
