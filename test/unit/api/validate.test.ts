import { describe, expect, it } from 'vitest';
import { ApiException } from '../../../src-main/api/errors';
import { parse, v, type Schema } from '../../../src-main/api/validate';

/** A schema as a function of (value, path), the way the hub and the host run them. */
const check =
  <T>(schema: Schema<T>) =>
  (value: unknown, path: string): T =>
    parse(schema, value, path);

/** Runs a validator and returns the ApiException it throws (fails the test if it does not throw one). */
function rejection(run: () => unknown): ApiException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    return error as ApiException;
  }
  throw new Error('expected the validator to reject the value');
}

describe('v.string', () => {
  it('accepts strings up to the length limit and returns them unchanged', () => {
    expect(check(v.string())('abc', 'x')).toBe('abc');
    expect(check(v.string({ maxLength: 3 }))('abc', 'x')).toBe('abc');
    expect(check(v.string())('', 'x')).toBe('');
  });

  it('rejects non-strings with the path, the expectation and the value', () => {
    const error = rejection(() => check(v.string())(42, 'params.name'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('params.name must be a string, got 42');
    expect(rejection(() => check(v.string())(null, 'p')).message).toBe('p must be a string, got null');
    expect(rejection(() => check(v.string())(undefined, 'p')).message).toBe('p must be a string, got undefined');
  });

  it('enforces the default limit of 200 characters and a custom one', () => {
    expect(check(v.string())('a'.repeat(200), 'x')).toHaveLength(200);
    expect(rejection(() => check(v.string())('a'.repeat(201), 'x')).message).toMatch(/^x must be at most 200 characters, got "a+\.\.\.$/);
    expect(rejection(() => check(v.string({ maxLength: 2 }))('abc', 'x')).message).toBe('x must be at most 2 characters, got "abc"');
  });

  it('checks the pattern and names it in the message', () => {
    const code = check(v.string({ pattern: /^[0-9]{1,2}[A-Z]{3}[0-9]{2}$/ }));
    expect(code('27DEC26', 'expiry')).toBe('27DEC26');
    const error = rejection(() => code('27dec26', 'expiry'));
    expect(error.message).toBe('expiry must be a string matching /^[0-9]{1,2}[A-Z]{3}[0-9]{2}$/, got "27dec26"');
  });

  it('truncates long values in messages to 80 characters', () => {
    const message = rejection(() => check(v.number())('x'.repeat(500), 'n')).message;
    const shown = message.slice('n must be a finite number, got '.length);
    expect(shown).toHaveLength(80);
    expect(shown.endsWith('...')).toBe(true);
  });

  it('uses "value" when there is no path', () => {
    expect(rejection(() => check(v.string())(1, '')).message).toBe('value must be a string, got 1');
  });
});

describe('v.number', () => {
  it('accepts finite numbers within bounds', () => {
    expect(check(v.number())(1.5, 'n')).toBe(1.5);
    expect(check(v.number({ min: 0, max: 10, integer: true }))(0, 'n')).toBe(0);
    expect(check(v.number({ min: 0, max: 10, integer: true }))(10, 'n')).toBe(10);
  });

  it('rejects non-numbers, NaN and infinities', () => {
    expect(rejection(() => check(v.number())('1', 'n')).message).toBe('n must be a finite number, got "1"');
    // JSON.stringify(NaN) is "null": the message still says what was expected.
    expect(rejection(() => check(v.number())(NaN, 'n')).message).toMatch(/^n must be a finite number/);
    expect(rejection(() => check(v.number())(Infinity, 'n')).message).toMatch(/^n must be a finite number/);
    expect(rejection(() => check(v.number())(10n, 'n')).message).toBe('n must be a finite number, got 10');
  });

  it('rejects fractions when integer, and values outside min/max', () => {
    expect(rejection(() => check(v.number({ integer: true }))(1.5, 'n')).message).toBe('n must be an integer, got 1.5');
    expect(rejection(() => check(v.number({ min: 0 }))(-1, 'n')).message).toBe('n must be >= 0, got -1');
    expect(rejection(() => check(v.number({ max: 5 }))(6, 'n')).message).toBe('n must be <= 5, got 6');
  });
});

describe('v.boolean, v.literal, v.optional', () => {
  it('boolean accepts only true and false', () => {
    expect(check(v.boolean())(true, 'b')).toBe(true);
    expect(check(v.boolean())(false, 'b')).toBe(false);
    expect(rejection(() => check(v.boolean())(0, 'b')).message).toBe('b must be a boolean, got 0');
    expect(rejection(() => check(v.boolean())('true', 'b')).message).toBe('b must be a boolean, got "true"');
  });

  it('literal accepts only the listed values (strictly, no coercion)', () => {
    const currency = check(v.literal('BTC', 'ETH'));
    expect(currency('BTC', 'c')).toBe('BTC');
    expect(rejection(() => currency('btc', 'c')).message).toBe('c must be one of BTC, ETH, got "btc"');
    const level = check(v.literal(1, 2));
    expect(level(2, 'l')).toBe(2);
    expect(rejection(() => level('1', 'l')).message).toBe('l must be one of 1, 2, got "1"');
  });

  it('optional passes undefined through and validates anything else', () => {
    const maybe = check(v.optional(v.number()));
    expect(maybe(undefined, 'o')).toBeUndefined();
    expect(maybe(3, 'o')).toBe(3);
    // null is a value, not an absence.
    expect(rejection(() => maybe(null, 'o')).message).toBe('o must be a finite number, got null');
  });
});

describe('v.object', () => {
  const shape = check(v.object({ currency: v.literal('BTC', 'ETH'), limit: v.optional(v.number({ integer: true })) }));

  it('accepts exactly the declared keys and drops absent optional ones from the result', () => {
    expect(shape({ currency: 'ETH', limit: 5 }, 'params')).toEqual({ currency: 'ETH', limit: 5 });
    const result = shape({ currency: 'BTC' }, 'params');
    expect(result).toEqual({ currency: 'BTC' });
    expect(Object.keys(result)).toEqual(['currency']);
  });

  it('returns a fresh object (not the caller\'s)', () => {
    const input = { currency: 'BTC' };
    expect(shape(input, 'params')).not.toBe(input);
  });

  it('rejects unknown fields, naming them', () => {
    const error = rejection(() => shape({ currency: 'BTC', curency: 'ETH' }, 'params'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('params.curency must be absent (unknown field), got "ETH"');
    expect(rejection(() => shape({ currency: 'BTC', x: 1 }, '')).message).toBe('x must be absent (unknown field), got 1');
  });

  it('rejects unknown fields named like Object.prototype members', () => {
    for (const key of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const error = rejection(() => shape({ currency: 'BTC', [key]: 1 }, 'params'));
      expect(error.message).toBe(`params.${key} must be absent (unknown field), got 1`);
    }
    // A JSON `__proto__` key becomes an own property: it must be refused like any other unknown field.
    const parsed: unknown = JSON.parse('{"currency":"BTC","__proto__":{"polluted":true}}');
    expect(rejection(() => shape(parsed, 'params')).message).toMatch(/^params\.__proto__ must be absent \(unknown field\)/);
  });

  it('reports missing and wrong-typed fields with their nested path', () => {
    expect(rejection(() => shape({}, 'params')).message).toBe('params.currency must be one of BTC, ETH, got undefined');
    expect(rejection(() => shape({ currency: 'BTC', limit: 'ten' }, 'params')).message).toBe(
      'params.limit must be a finite number, got "ten"',
    );
    const nested = check(v.object({ inner: v.object({ n: v.number() }) }));
    expect(rejection(() => nested({ inner: { n: true } }, 'frame')).message).toBe('frame.inner.n must be a finite number, got true');
  });

  it('rejects non-objects: null, arrays, strings, numbers', () => {
    for (const value of [null, [], 'BTC', 3, undefined]) {
      const error = rejection(() => shape(value, 'params'));
      expect(error.message).toMatch(/^params must be an object, got /);
    }
  });

  it('keeps an explicitly undefined optional field out of the result', () => {
    expect(Object.keys(shape({ currency: 'BTC', limit: undefined }, 'p'))).toEqual(['currency']);
  });
});
