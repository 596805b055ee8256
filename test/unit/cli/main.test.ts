import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { APP_VERSION } from '../../../src-main/app/app';
import { main } from '../../../src-main/cli/main';

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;
const out = (): string => log.mock.calls.map((c) => c.join(' ')).join('\n');
const err = (): string => error.mock.calls.map((c) => c.join(' ')).join('\n');

beforeEach(() => {
  log = vi.spyOn(console, 'log').mockImplementation(() => {});
  error = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('gammadesk main', () => {
  it('an unknown command exits 2 and names it, with the command list', async () => {
    await expect(main(['bogus'])).resolves.toBe(2);
    expect(err()).toContain("gammadesk: unknown command 'bogus'");
    expect(err()).toContain('serve');
    expect(out()).toBe('');
  });

  it('names inherited from Object.prototype are unknown commands too (exit 2, no crash)', async () => {
    await expect(main(['constructor'])).resolves.toBe(2);
    await expect(main(['toString', '--help'])).resolves.toBe(2);
    expect(err()).toContain("unknown command 'toString'");
  });

  it('record --duration 0 is refused (it once recorded until Ctrl-C), with a usage error', async () => {
    for (const zero of ['0', '0s', '0m', '0h0m0s']) {
      error.mockClear();
      await expect(main(['record', '--session', 'x', '--duration', zero])).resolves.toBe(2);
      expect(err()).toContain('is zero: give a positive duration, or none to run until Ctrl-C');
    }
  });

  it('no command prints help and exits 2; --help / -h / help exit 0', async () => {
    await expect(main([])).resolves.toBe(2);
    expect(out()).toContain('Usage: gammadesk <command> [options]');
    for (const flag of ['--help', '-h', 'help']) {
      log.mockClear();
      await expect(main([flag])).resolves.toBe(0);
      expect(out()).toContain('Usage: gammadesk <command> [options]');
    }
  });

  it('--version prints the version', async () => {
    await expect(main(['--version'])).resolves.toBe(0);
    expect(out()).toBe(APP_VERSION);
  });

  it('serve --port abc exits 2 with a clear message and the command usage, starting nothing', async () => {
    await expect(main(['serve', '--port', 'abc'])).resolves.toBe(2);
    expect(err()).toContain('gammadesk serve: --port must be a whole number from 1 to 65535, got abc');
    expect(err()).toContain('Usage: gammadesk serve [--port N] [--db FILE] [--import-dir DIR] [--seed N]');
  });

  it('serve rejects unknown flags, missing values, bad seeds and positionals with exit 2', async () => {
    await expect(main(['serve', '--prot', '80'])).resolves.toBe(2);
    expect(err()).toContain('unknown option --prot');
    await expect(main(['serve', '--db'])).resolves.toBe(2);
    expect(err()).toContain('--db needs a value');
    await expect(main(['serve', '--seed', '-1'])).resolves.toBe(2);
    expect(err()).toContain('--seed must be a whole number from 0 to 2147483647, got -1');
    await expect(main(['serve', 'now'])).resolves.toBe(2);
    expect(err()).toContain('serve takes no arguments, got now');
  });

  it('serve --help prints the options and exits 0', async () => {
    await expect(main(['serve', '--help'])).resolves.toBe(0);
    expect(out()).toContain('Usage: gammadesk serve');
    expect(out()).toMatch(/--port\s+TCP port on 127\.0\.0\.1/);
    expect(out()).toMatch(/--db\s+SQLite database file/);
    expect(err()).toBe('');
  });
});
