/**
 * B3 models in the database, as a user runs them (the built CLI in a child process): `gammadesk train --benchmark
 * B3 --db` stores the model with its problem, seeds, data range, test metrics and gate; `models list` shows it;
 * `models export` writes a file that `evaluate --benchmark B3 --policy FILE` reads and that gives, on the same test
 * paths, exactly the figures stored; `--init` continues training from it. The in-sample diagnostic
 * (`--train-period test`) needs `--diagnostic` and is never stored. Tiny budgets: these check the plumbing, not
 * the hedge (its figures are in bench/RESULTS.md).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-b3-models-');
afterAll(() => temp.remove());

function cli(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', cwd: process.cwd() });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

interface Estimate { value: number; standardError: number }
interface StoredB3 {
  id: number; name: string; kind: string; benchmark: string; dataRange: string; passedGate: boolean;
  seeds: Record<string, number>;
  metrics: {
    problem: { s0: number; sigma: number; maturityYears: number; cost: number; description: string };
    steps: number; objective: string; bestValidationRisk: number;
    test: { expectedShortfall99: Estimate; turnover: Estimate; meanPnl: Estimate };
    gate: { baseline: string; difference: Estimate; passed: boolean; paths: number; seed: number; simulator: string };
    b3: { days: number; simulator: string; wwRiskAversion: number; policy: { esRatioToBsDelta: Estimate; turnoverDifference: Estimate; meetsTarget: boolean } };
  };
}

const TINY = ['--steps', '2', '--batch', '64', '--validation-paths', '200', '--test-paths', '2000'];

describe('gammadesk train --benchmark B3 --db, models list|export, evaluate', () => {
  it('stores a Black-Scholes-trained B3 model that lists, exports and evaluates to the stored figures', () => {
    const db = join(temp.dir, 'b3.db');
    const trained = cli('train', '--benchmark', 'B3', '--days', '7', ...TINY, '--db', db, '--name', 'tiny b3', '--format', 'json');
    expect(trained.status, trained.stderr).toBe(0);
    const report = JSON.parse(trained.stdout) as { model_id: number; steps: number; gate: { baseline: string; passed: boolean; paths: number; seed: number }; b3_test: { es_ratio_to_bs_delta: { value: number }; meets_target: boolean; ww_risk_aversion: number } };
    expect(report).toMatchObject({ steps: 2, gate: { baseline: 'ww', paths: 2000, seed: 1000 } });
    expect(trained.stderr).toMatch(/ES 99% \/ BS delta +[\d.]+ ± [\d.]+ \(turnover [\d.]+, BS delta [\d.]+\): target (met|not met)/);

    const listed = cli('models', 'list', '--db', db, '--format', 'json');
    expect(listed.status, listed.stderr).toBe(0);
    const [stored] = JSON.parse(listed.stdout) as StoredB3[];
    expect(stored).toMatchObject({ id: report.model_id, name: 'tiny b3', kind: 'ntb', benchmark: 'B3', seeds: { init: 1, train: 2, validation: 3, test: 1000 }, dataRange: 'Black-Scholes paths, σ 0.8, 7 days, hourly' });
    expect(stored!.metrics.problem).toMatchObject({ s0: 100, sigma: 0.8, maturityYears: 7 / 365, cost: 5e-4 });
    expect(stored!.metrics.problem.description).toMatch(/^B3 \(crypto\)/);
    expect(stored!.metrics).toMatchObject({ steps: 2, objective: 'expected shortfall 0.99', gate: { simulator: 'gbm', paths: 2000, seed: 1000 } });
    expect(stored!.passedGate).toBe(stored!.metrics.gate.difference.value + 2 * stored!.metrics.gate.difference.standardError < 0);
    expect(stored!.metrics.b3.wwRiskAversion).toBe(report.b3_test.ww_risk_aversion);
    expect(cli('models', 'list', '--db', db).stdout).toMatch(new RegExp(`\n +${report.model_id}  tiny b3  ntb B3  .*gates entropic λ 1: `));

    const file = join(temp.dir, 'tiny-b3.json');
    const exported = cli('models', 'export', String(report.model_id), '--out', file, '--db', db);
    expect(exported.status, exported.stderr).toBe(0);
    // The same policy on the same test paths (seed 1000, 2000 paths) as the stored figures: equal to the last bit.
    const evaluated = cli('evaluate', '--benchmark', 'B3', '--days', '7', '--policy', file, '--paths', '2000', '--format', 'json');
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const figures = JSON.parse(evaluated.stdout) as { expected_shortfall_99: { value: number; standard_error: number }; es_ratio_to_bs_delta: { value: number }; turnover: { value: number }; meets_target: boolean };
    expect(figures.expected_shortfall_99.value).toBe(stored!.metrics.test.expectedShortfall99.value);
    expect(figures.expected_shortfall_99.standard_error).toBe(stored!.metrics.test.expectedShortfall99.standardError);
    expect(figures.es_ratio_to_bs_delta.value).toBe(stored!.metrics.b3.policy.esRatioToBsDelta.value);
    expect(figures.turnover.value).toBe(stored!.metrics.test.turnover.value);
    expect(figures.meets_target).toBe(stored!.metrics.b3.policy.meetsTarget);

    // --init continues from the exported model: the new model records where it started.
    const continued = join(temp.dir, 'continued.json');
    const again = cli('train', '--benchmark', 'B3', '--days', '7', '--init', file, '--steps', '1', '--batch', '64', '--validation-paths', '200', '--out', continued);
    expect(again.status, again.stderr).toBe(0);
    const training = (JSON.parse(readFileSync(continued, 'utf8')) as { training: { initialized_from: { steps: number; best_validation_risk: number } } }).training;
    expect(training.initialized_from).toMatchObject({ steps: 2, best_validation_risk: stored!.metrics.bestValidationRisk });
    // A 7-day model does not continue a 30-day training (other input scalings): exit 1, the difference named.
    const wrong = cli('train', '--benchmark', 'B3', '--days', '30', '--init', file, '--steps', '1', '--batch', '64', '--validation-paths', '200', '--out', join(temp.dir, 'never.json'));
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/initial model input 0 is log_moneyness .*another problem/);
    // Six child processes, two of them training and evaluating: minutes on a loaded machine, not 30 s.
  }, 180_000);

  it('stores a bootstrap-trained B3 model with its data periods', () => {
    const db = join(temp.dir, 'b3-bootstrap.db');
    const trained = cli('train', '--benchmark', 'B3', '--days', '7', '--simulator', 'bootstrap', ...TINY, '--db', db, '--name', 'tiny b3 bootstrap');
    expect(trained.status, trained.stderr).toBe(0);
    const [stored] = JSON.parse(cli('models', 'list', '--db', db, '--format', 'json').stdout) as StoredB3[];
    expect(stored!.dataRange).toBe('bootstrapped hourly BTC returns: training 2018-05-15..2020-06-30, validation 2020-07-01..2020-12-31, test 2021-01-01..2022-03-01 (never seen in training)');
    expect(stored!.metrics.gate.simulator).toBe('bootstrap');
    expect(stored!.metrics.b3).toMatchObject({ days: 7, simulator: 'bootstrap' });
    // The band is tuned on 2020-H2 validation paths, never on the test paths: γ is one of the tried values.
    expect([0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]).toContain(stored!.metrics.b3.wwRiskAversion);
  }, 120_000);

  it('runs the in-sample diagnostic only when asked, never stores it, and says what it is', () => {
    const bad: [string[], RegExp][] = [
      [['--train-period', 'test', '--out', 'never.json'], /add --diagnostic/],
      [['--train-period', 'test', '--diagnostic', '--db', join(temp.dir, 'never.db')], /is a diagnostic: its model is not stored/],
      [['--diagnostic', '--out', 'never.json'], /--diagnostic goes with --train-period test only/],
      [['--train-period', 'later', '--out', 'never.json'], /--train-period must be train or test/],
    ];
    for (const [args, message] of bad) {
      const { status, stderr } = cli('train', '--benchmark', 'B3', '--days', '7', '--simulator', 'bootstrap', '--steps', '1', ...args);
      expect(status, stderr).toBe(2);
      expect(stderr).toMatch(message);
    }
    const gbm = cli('train', '--benchmark', 'B3', '--days', '7', '--train-period', 'test', '--diagnostic', '--out', 'never.json');
    expect(gbm.status).toBe(2);
    expect(gbm.stderr).toMatch(/applies to --simulator bootstrap only/);
    const badInit = join(temp.dir, 'not-a-model.json');
    writeFileSync(badInit, '{"format": "something else"}');
    const init = cli('train', '--benchmark', 'B3', '--init', badInit, '--out', 'never.json');
    expect(init.status).toBe(2);
    expect(init.stderr).toMatch(/--init: .*not-a-model\.json: model field format must be "gammadesk-hedge-policy"/);

    const out = join(temp.dir, 'diagnostic.json');
    const run = cli('train', '--benchmark', 'B3', '--days', '7', '--simulator', 'bootstrap', '--train-period', 'test', '--diagnostic', '--steps', '1', '--batch', '64', '--validation-paths', '200', '--out', out);
    expect(run.status, run.stderr).toBe(0);
    const training = (JSON.parse(readFileSync(out, 'utf8')) as { training: { data_range: { train: string; test: string } } }).training;
    expect(training.data_range.train).toMatch(/^2021-01-01\.\.2022-03-01 \(DIAGNOSTIC/);
    expect(training.data_range.test).toMatch(/in sample: not an out-of-sample result/);
  }, 120_000);
});
