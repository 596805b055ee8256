import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/built';

// `gammadesk evaluate|train --benchmark B3` as a child process of the built CLI: wrong arguments exit 2 with the
// flag named and the usage printed; a valid run exits 0 with the JSON report.
function gammadesk(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('gammadesk --benchmark B3 (built CLI)', () => {
  it('exits 2 on bad arguments, naming the flag', () => {
    const cases: [string[], RegExp][] = [
      [['evaluate', '--benchmark', 'B3', '--days', '10', '--policy', 'bs-delta'], /--days must be 7 or 30/],
      [['evaluate', '--benchmark', 'B3', '--simulator', 'merton', '--policy', 'bs-delta'], /--simulator must be gbm or bootstrap/],
      [['train', '--benchmark', 'B3', '--loss', 'variance', '--out', 'never-written.json'], /--loss must be es or entropic/],
      [['evaluate', '--benchmark', 'B2', '--days', '7', '--policy', 'bs-delta'], /--days applies to --benchmark B3 only/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = gammadesk(...args);
      expect(status).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toMatch(/Usage: gammadesk/);
    }
  });

  it('evaluates Black-Scholes delta on 30-day hourly paths and exits 0', () => {
    const { status, stdout } = gammadesk('evaluate', '--benchmark', 'B3', '--days', '30', '--policy', 'bs-delta', '--paths', '500', '--format', 'json');
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { days: number; expected_shortfall_99: { value: number }; turnover: { value: number } };
    expect(report.days).toBe(30);
    expect(report.expected_shortfall_99.value).toBeGreaterThan(0);
    expect(report.turnover.value).toBeGreaterThan(1);
  });
});
