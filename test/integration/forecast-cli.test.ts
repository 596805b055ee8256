import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/built';

// `gammadesk forecast` through the built CLI: main.ts's wiring (exit codes, usage on stderr). The numbers are
// tested in test/unit/cli/forecast.test.ts; the golden ones come from shared/reference/forecast_reference.json.
const PRICES = resolve('../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv');

function forecast(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), 'forecast', ...args], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('gammadesk forecast (built CLI)', () => {
  it('prints the GARCH fit and forecast as JSON, exit 0', () => {
    const { stdout, status } = forecast('--prices', PRICES, '--model', 'garch', '--horizon', '1d', '--format', 'json');
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { forecast: { parameters: { log_likelihood: number } } };
    // arch 8.0.0: -6966.114432143157 (forecast_reference.json, zero mean).
    expect(Math.abs(report.forecast.parameters.log_likelihood / -6966.114432143157 - 1)).toBeLessThan(1e-8);
  });

  it('wrong arguments exit 2 with the usage; a missing file exits 1 with the reason', () => {
    const usage = forecast('--prices', PRICES, '--model', 'arima', '--horizon', '1d');
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('gammadesk forecast: --model must be ewma, garch, har, learned, got arima');
    expect(usage.stderr).toContain('Usage: gammadesk forecast --prices FILE');
    const missing = forecast('--prices', 'no-such-file.csv', '--model', 'har', '--horizon', '7d');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^gammadesk forecast: cannot read no-such-file\.csv: ENOENT/);
  });
});
