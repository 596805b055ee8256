import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { captureConsole } from '../../helpers/captureConsole';
import { makeTempDir } from '../../helpers/tmp';

// `gammadesk surface` through main() (exit codes, stdout, stderr) on the real 2026-01-02 Deribit chain of
// ../shared/data (README there: 1288 rows, BTC and ETH, 13 expiries each).
const JAN = path.resolve(process.cwd(), '../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv');
const temp = makeTempDir('gammadesk-surface-cli-');
afterAll(() => temp.remove());

/** What the command printed so far (console.log and console.error are captured per test). */
const printed = captureConsole();
const out = (): string => printed.out.join('\n');
const err = (): string => printed.err.join('\n');

interface Expiry {
  label: string;
  years: number;
  forward: number;
  status: string;
  svi: { a: number; b: number; rho: number; m: number; sigma: number };
  errors: { rmse_delta5: number | null; strikes_delta5: number; rmse_all: number };
  arbitrage: { butterfly: unknown[]; calendar: unknown[]; lee: string | null };
  residuals?: { instrument: string; mark_residual: number | null }[];
}

describe('gammadesk surface', () => {
  it('prints per expiry the label, T, forward, raw SVI parameters, errors and arbitrage checks (JSON)', async () => {
    await expect(main(['surface', JAN, '--format', 'json', '--target', 'mark', '--weights', 'vega'])).resolves.toBe(0);
    const report = JSON.parse(out()) as { as_of: string; layout: string; bad_rows: number; currencies: Record<string, { expiries: Expiry[] }> };
    expect(report.layout).toBe('deribit_snapshot');
    expect(report.as_of).toBe('2026-01-02T09:18:09.153Z');
    expect(report.bad_rows).toBe(0);
    expect(Object.keys(report.currencies)).toEqual(['BTC', 'ETH']);
    const btc = report.currencies['BTC']!.expiries;
    expect(btc.map((e) => e.label)).toEqual(['3JAN26', '4JAN26', '5JAN26', '6JAN26', '9JAN26', '16JAN26', '23JAN26', '30JAN26', '27FEB26', '27MAR26', '26JUN26', '25SEP26', '25DEC26']);
    const dec = btc[btc.length - 1]!;
    // 25DEC26 expires 2026-12-25 08:00 UTC; forward: futures_price of its rows (BTC-25DEC26 93033.61 in the file).
    expect(dec.years).toBeCloseTo((Date.UTC(2026, 11, 25, 8) - Date.parse(report.as_of)) / (365 * 86_400_000), 7);
    expect(dec.forward).toBe(93033.61);
    expect(dec.status).toBe('ok');
    expect(Object.keys(dec.svi)).toEqual(['a', 'b', 'rho', 'm', 'sigma']);
    expect(dec.errors.rmse_delta5!).toBeLessThanOrEqual(0.5);
    expect(dec.arbitrage.lee).toBeNull();
  });

  it('prints a table by default, and eSSVI slices as raw SVI without arbitrage', async () => {
    await expect(main(['surface', JAN, '--model', 'essvi', '--currency', 'ETH'])).resolves.toBe(0);
    const text = out();
    expect(text).toContain('model essvi');
    expect(text).toMatch(/^ETH +\(eta [0-9.]+, gamma [0-9.]+\)$/m);
    expect(text).toMatch(/^ {2}25DEC26 +0\.97\d+ +3139\.57 .* none$/m);
    expect(text).not.toContain('BTC');
    expect(text).not.toMatch(/butterfly \[|calendar \[/);
  });

  it('adds per-option residuals with --residuals', async () => {
    await expect(main(['surface', JAN, '--format', 'json', '--currency', 'BTC', '--residuals'])).resolves.toBe(0);
    const report = JSON.parse(out()) as { currencies: Record<string, { expiries: Expiry[] }> };
    const residuals = report.currencies['BTC']!.expiries.flatMap((e) => e.residuals ?? []);
    expect(residuals).toHaveLength(622); // every BTC option of the file
    expect(residuals.find((r) => r.instrument === 'BTC-3JAN26-88000-C')!.mark_residual).not.toBeNull();
  });

  it('reports bad rows by line on stderr and fits the rest', async () => {
    const lines = readFileSync(JAN, 'utf8').split('\n');
    const file = path.join(temp.dir, 'chain.csv');
    writeFileSync(file, [lines[0], ...lines.slice(1, 600), 'garbage,row', ...lines.slice(600)].join('\n'));
    await expect(main(['surface', file, '--format', 'json'])).resolves.toBe(0);
    expect(err()).toContain(`${file}:601: skipped: expected 23 fields, got 2`);
    expect((JSON.parse(out()) as { bad_rows: number }).bad_rows).toBe(1);
  });

  it('wrong arguments exit 2 with a usage message; a missing file exits 1', async () => {
    await expect(main(['surface'])).resolves.toBe(2);
    expect(err()).toContain('surface needs exactly one FILE, got 0');
    await expect(main(['surface', JAN, '--model', 'sabr'])).resolves.toBe(2);
    expect(err()).toContain('--model must be svi, ssvi, essvi; got sabr');
    await expect(main(['surface', JAN, '--at', 'yesterday'])).resolves.toBe(2);
    expect(err()).toContain('--at: cannot read time');
    await expect(main(['surface', JAN, '--residuals'])).resolves.toBe(2);
    await expect(main(['surface', path.join(temp.dir, 'missing.csv')])).resolves.toBe(1);
    await expect(main(['surface', JAN, '--at', '2025-01-01T00:00:00Z'])).resolves.toBe(1);
    expect(err()).toContain('no rows at or before 2025-01-01T00:00:00.000Z');
  });
});
