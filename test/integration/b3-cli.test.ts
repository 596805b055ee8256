import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
      [['train', '--benchmark', 'B3', '--simulator', 'bootstrap', '--validation-split', 'random', '--out', 'never-written.json'], /--validation-split must be tail or spread, got "random"/],
      [['train', '--benchmark', 'B3', '--validation-split', 'spread', '--out', 'never-written.json'], /--validation-split applies to --simulator bootstrap trained on 2018-2020 only/],
      [['train', '--benchmark', 'B3', '--simulator', 'bootstrap', '--train-period', 'test', '--diagnostic', '--validation-split', 'spread', '--out', 'never-written.json'], /--validation-split applies to --simulator bootstrap trained on 2018-2020 only/],
      [['train', '--benchmark', 'B3', '--loss', 'entropic', '--pretrain-steps', '5', '--out', 'never-written.json'], /--pretrain-steps goes with --loss es/],
      [['train', '--benchmark', 'B3', '--pretrain-steps', '0', '--out', 'never-written.json'], /--pretrain-steps/],
      [['train', '--benchmark', 'B3', '--checkpoint', 'middle', '--out', 'never-written.json'], /--checkpoint must be best or last, got "middle"/],
      [['train', '--benchmark', 'B1', '--pretrain-steps', '5', '--out', 'never-written.json'], /--pretrain-steps applies to --benchmark B3 only/],
      [['train', '--benchmark', 'B2', '--pnl-input', '--out', 'never-written.json'], /--pnl-input applies to --benchmark B3 only/],
    ];
    for (const [args, message] of cases) {
      const { status, stderr } = gammadesk(...args);
      expect(status).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toMatch(/Usage: gammadesk/);
    }
  });

  it('trains on the spread validation split with entropic pretraining (2 steps), keeping the last step, records all three, and the model evaluates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gammadesk-b3-split-'));
    try {
      const model = join(dir, 'model.json');
      const train = gammadesk('train', '--benchmark', 'B3', '--simulator', 'bootstrap', '--validation-split', 'spread', '--pretrain-steps', '1', '--checkpoint', 'last', '--steps', '2',
        '--batch', '64', '--validation-paths', '200', '--validate-every', '1', '--seed', '5', '--out', model);
      expect(train.status).toBe(0);
      // The progress line names the loss of each step: entropic first, then ES.
      expect(train.stderr).toMatch(/step 1 train [\d.-]+ \(entropic\(lambda=1\)\)/);
      const training = (JSON.parse(readFileSync(model, 'utf8')) as { training: Record<string, unknown> }).training;
      expect(training['b3']).toEqual({ days: 7, simulator: 'bootstrap', loss: 'es', validationSplit: 'spread', pretrainSteps: 1, checkpoint: 'last' });
      expect(training['objective']).toBe('expected shortfall 0.99');
      expect((training['data_range'] as { validation: string }).validation).toMatch(/the last 60 days of every 240 validate/);
      const evaluated = gammadesk('evaluate', '--benchmark', 'B3', '--simulator', 'bootstrap', '--policy', model, '--paths', '500', '--format', 'json');
      expect(evaluated.status).toBe(0);
      const report = JSON.parse(evaluated.stdout) as { es_ratio_to_bs_delta: { value: number } };
      expect(report.es_ratio_to_bs_delta.value).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('continues a Markov model as a path-dependent one (--pnl-input), and the widened model evaluates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gammadesk-b3-pnl-'));
    try {
      const markov = join(dir, 'markov.json');
      const small = ['--steps', '1', '--batch', '64', '--validation-paths', '200', '--validate-every', '1', '--seed', '5'];
      expect(gammadesk('train', '--benchmark', 'B3', ...small, '--out', markov).status).toBe(0);
      const wide = join(dir, 'wide.json');
      const train = gammadesk('train', '--benchmark', 'B3', '--init', markov, '--pnl-input', ...small, '--out', wide);
      expect(train.status).toBe(0);
      const model = JSON.parse(readFileSync(wide, 'utf8')) as { inputs: { name: string }[]; architecture: { sizes: number[] }; training: { settings: Record<string, unknown> } };
      expect(model.inputs.map((x) => x.name)).toEqual(['log_moneyness', 'time_to_maturity', 'bs_delta', 'implied_vol', 'hedge_pnl']);
      expect(model.architecture.sizes[0]).toBe(5);
      expect(model.training.settings['hedgePnlInput']).toBe(true);
      // Continuing the path-dependent model needs the flag again (another network otherwise).
      const without = gammadesk('train', '--benchmark', 'B3', '--init', wide, ...small, '--out', join(dir, 'never.json'));
      expect(without.status).not.toBe(0);
      expect(without.stderr).toMatch(/layer sizes 5-16-16-2, the training 4-16-16-2/);
      const evaluated = gammadesk('evaluate', '--benchmark', 'B3', '--policy', wide, '--paths', '500', '--format', 'json');
      expect(evaluated.status).toBe(0);
      expect((JSON.parse(evaluated.stdout) as { es_ratio_to_bs_delta: { value: number } }).es_ratio_to_bs_delta.value).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('evaluates Black-Scholes delta on 30-day hourly paths and exits 0', () => {
    const { status, stdout } = gammadesk('evaluate', '--benchmark', 'B3', '--days', '30', '--policy', 'bs-delta', '--paths', '500', '--format', 'json');
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { days: number; expected_shortfall_99: { value: number }; turnover: { value: number } };
    expect(report.days).toBe(30);
    expect(report.expected_shortfall_99.value).toBeGreaterThan(0);
    expect(report.turnover.value).toBeGreaterThan(1);
  });
});
