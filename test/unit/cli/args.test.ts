import { describe, expect, it } from 'vitest';
import { intFlag, parseArgs, UsageError, type FlagSpec } from '../../../src-main/cli/args';

const SPEC: Record<string, FlagSpec> = {
  port: { type: 'string', description: 'port' },
  db: { type: 'string', description: 'db' },
  verbose: { type: 'boolean', description: 'chatty' },
};

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseArgs', () => {
  it('separates positionals and flags, in both --name value and --name=value forms', () => {
    expect(parseArgs(['a', '--port', '80', 'b', '--db=x.db', '--verbose'], SPEC)).toEqual({
      positionals: ['a', 'b'],
      flags: { port: '80', db: 'x.db', verbose: true },
    });
  });

  it('keeps everything after the first = in a value, and allows an empty value with =', () => {
    expect(parseArgs(['--db=a=b.db'], SPEC).flags['db']).toBe('a=b.db');
    expect(parseArgs(['--db='], SPEC).flags['db']).toBe('');
  });

  it('the last occurrence of a flag wins', () => {
    expect(parseArgs(['--port', '1', '--port', '2'], SPEC).flags['port']).toBe('2');
  });

  it('keeps every value of a repeatable flag, in order (and lists nothing for the others)', () => {
    const spec = { ...SPEC, policy: { type: 'string', repeatable: true, description: 'policy' } } satisfies Record<string, FlagSpec>;
    const args = parseArgs(['--policy', 'ww', '--port', '1', '--policy=none', '--port', '2'], spec);
    expect(args.lists).toEqual({ policy: ['ww', 'none'] });
    expect(args.flags['policy']).toBe('none');
    expect(parseArgs(['--port', '1'], spec).lists).toBeUndefined();
  });

  it('single-dash words are positionals (negative numbers included)', () => {
    expect(parseArgs(['-x', '-5'], SPEC).positionals).toEqual(['-x', '-5']);
    expect(parseArgs(['--port', '-5'], SPEC).flags['port']).toBe('-5');
  });

  it('rejects unknown options, naming them', () => {
    expect(usageError(() => parseArgs(['--prot', '80'], SPEC))).toBe('unknown option --prot');
    expect(usageError(() => parseArgs(['--'], SPEC))).toBe('unknown option --');
  });

  it('rejects option names inherited from Object.prototype as unknown', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(usageError(() => parseArgs([`--${name}`, 'x'], SPEC))).toBe(`unknown option --${name}`);
    }
  });

  it('string flags need a value; a following flag is not a value', () => {
    expect(usageError(() => parseArgs(['--port'], SPEC))).toBe('--port needs a value');
    expect(usageError(() => parseArgs(['--db', '--verbose'], SPEC))).toBe('--db needs a value');
  });

  it('boolean flags take no value', () => {
    expect(usageError(() => parseArgs(['--verbose=yes'], SPEC))).toBe('--verbose takes no value');
    // A word after a switch is a positional, not its value.
    expect(parseArgs(['--verbose', 'yes'], SPEC)).toEqual({ positionals: ['yes'], flags: { verbose: true } });
  });
});

describe('intFlag', () => {
  const range = { min: 1, max: 65535 };

  it('is undefined when the flag is absent, a number when valid', () => {
    expect(intFlag({}, 'port', range)).toBeUndefined();
    expect(intFlag({ port: '8080' }, 'port', range)).toBe(8080);
    expect(intFlag({ port: '1' }, 'port', range)).toBe(1);
    expect(intFlag({ port: '65535' }, 'port', range)).toBe(65535);
    expect(intFlag({ port: '007' }, 'port', range)).toBe(7);
  });

  it('rejects non-digits, signs, decimals, exponents, blanks, out-of-range and booleans with one clear message', () => {
    for (const raw of ['abc', '-1', '+1', '1.5', '1e3', '0x10', '', ' 80', '0', '65536', '99999999999999999999']) {
      expect(usageError(() => intFlag({ port: raw }, 'port', range)), raw).toBe(
        `--port must be a whole number from 1 to 65535, got ${raw}`,
      );
    }
    expect(usageError(() => intFlag({ port: true }, 'port', range))).toBe('--port must be a whole number from 1 to 65535, got true');
  });
});
