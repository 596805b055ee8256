/**
 * `gammadesk train` and `gammadesk evaluate`, called as command functions (the training worker runs from its
 * TypeScript source). Golden numbers: issue 14's B1 figures measured independently with 400k paths (BS delta
 * 6.45, Whalley-Wilmott 4.36).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError, parseArgs } from '../../../src-main/cli/args';
import { learnCommands } from '../../../src-main/cli/commands/learn';
import { startTrainWorker, type TrainJobMessage } from '../../../src-main/learn/trainJob';
import { makeTempDir } from '../../helpers/tmp';

const temp = makeTempDir('gammadesk-learn-');
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

async function run(name: 'train' | 'evaluate', ...argv: string[]): Promise<{ code: number; stdout: string }> {
  const command = learnCommands[name]!;
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => lines.push(text));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await command.run(parseArgs(argv, command.flags));
  return { code, stdout: lines.join('\n') };
}

interface EvaluationJson {
  policy: string;
  paths: number;
  indifference_price: { value: number; standard_error: number };
  expected_shortfall_99: { value: number; standard_error: number };
  mean_cost: { value: number; standard_error: number };
  turnover: { value: number; standard_error: number };
}

describe('gammadesk evaluate', () => {
  it('prints the B1 indifference price of the baselines with standard errors (BS delta 6.45, WW 4.36)', async () => {
    for (const [policy, published] of [['bs-delta', 6.45], ['ww', 4.36]] as const) {
      const { code, stdout } = await run('evaluate', '--benchmark', 'B1', '--cost', '2^-6', '--policy', policy, '--paths', '40000', '--format', 'json');
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as EvaluationJson;
      expect(report.policy).toBe(policy);
      const { value, standard_error } = report.indifference_price;
      expect(Math.abs(value - published)).toBeLessThan(0.005 + 4 * standard_error * Math.sqrt(1 + 40_000 / 400_000));
      for (const field of ['expected_shortfall_99', 'mean_cost', 'turnover'] as const) expect(report[field].standard_error).toBeGreaterThan(0);
    }
  });

  it('evaluates the dynamic-programming optimum as --policy optimal: below Whalley-Wilmott, its grid value beside it', async () => {
    const { code, stdout } = await run('evaluate', '--benchmark', 'B1', '--cost', '2^-6', '--policy', 'optimal', '--paths', '40000', '--format', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as EvaluationJson & { dynamic_programming_value: number; gate: { passed: boolean } };
    expect(report.policy).toBe('optimal-dp');
    // The band's Monte Carlo price agrees with the grid value (bench/RESULTS.md: 3.9995 on the grid, 3.99 on
    // 10^6 paths) and beats issue 14's Whalley-Wilmott 4.36 by far more than its error.
    expect(Math.abs(report.indifference_price.value - report.dynamic_programming_value)).toBeLessThan(0.01 + 4 * report.indifference_price.standard_error);
    expect(report.indifference_price.value).toBeLessThan(4.36 - 0.3);
    expect(report.gate.passed).toBe(true);
  });

  it('evaluates on bootstrapped BTC returns (the shared Bitstamp hourly file) and on Heston paths', async () => {
    for (const simulator of ['bootstrap', 'heston']) {
      const { code, stdout } = await run('evaluate', '--benchmark', 'B1', '--policy', 'ww', '--simulator', simulator, '--paths', '5000', '--format', 'json');
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as EvaluationJson & { simulator: string };
      expect(report.simulator).toBe(simulator);
      expect(Number.isFinite(report.indifference_price.value)).toBe(true);
    }
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', 'ww', '--simulator', 'garch')).rejects.toThrow(/--simulator/);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', 'ww', '--simulator', 'bootstrap', '--data', 'missing.csv')).rejects.toThrow(/--data/);
  });

  it('--gate decides the gate on the criterion asked for and names it', async () => {
    const file = join(temp.dir, 'optimal-gate.json');
    // A policy file is needed for a gate (baselines are not gated): a 2-step NTB on B1; the check is that each
    // gate is its criterion's paired difference and verdict, named.
    const trained = await run('train', '--benchmark', 'B1', '--steps', '2', '--batch', '64', '--out', file, '--format', 'json');
    expect(trained.code).toBe(0);
    const results: Record<string, { criterion: unknown; criterion_label: string; passed: boolean; difference: { value: number; standard_error: number } }> = {};
    for (const gate of ['entropic', 'es99', 'es95', 'mv', 'mv:0.5']) {
      const { code, stdout } = await run('evaluate', '--benchmark', 'B1', '--policy', file, '--paths', '5000', '--gate', gate, '--format', 'json');
      expect(code).toBe(0);
      results[gate] = (JSON.parse(stdout) as { gate: (typeof results)[string] }).gate;
      expect(results[gate]!.passed).toBe(results[gate]!.difference.value + 2 * results[gate]!.difference.standard_error < 0);
    }
    expect(Object.values(results).map((g) => g.criterion_label)).toEqual(['entropic λ 1', 'ES 99 %', 'ES 95 %', 'mean–variance a 1', 'mean–variance a 0.5']);
    expect(results['es99']!.criterion).toEqual({ kind: 'es', alpha: 0.99 });
    // The text report prints the gate line with its criterion.
    const text = await run('evaluate', '--benchmark', 'B1', '--policy', file, '--paths', '5000', '--gate', 'es99');
    expect(text.stdout).toMatch(/vs Whalley-Wilmott, ES 99 % +-?[\d.e-]+ ± [\d.e-]+ \(paired\): (passes|does not pass) the gate/);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', file, '--gate', 'var99')).rejects.toThrow(/--gate: criterion "var99" is not one of entropic\[:λ\], es99, es95, es:α, mv\[:a\]/);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', file, '--gate', 'es:2')).rejects.toThrow(UsageError);
    await expect(run('train', '--benchmark', 'B1', '--steps', '1', '--out', file, '--gate', 'es99')).rejects.toThrow(/--gate applies with --db/);
  });

  it('rejects wrong arguments with a usage error naming the flag', async () => {
    await expect(run('evaluate', '--benchmark', 'B9', '--policy', 'ww')).rejects.toThrow(UsageError);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', 'ww', '--days', '7')).rejects.toThrow(/--days applies to --benchmark B3 only/);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', 'ww', '--cost', '-1')).rejects.toThrow(/--cost/);
    await expect(run('evaluate', '--benchmark', 'B1')).rejects.toThrow(/--policy/);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', 'nope.json')).rejects.toThrow(/neither a baseline/);
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', 'ww', '--paths', '1')).rejects.toThrow(/--paths/);
  });

  it('fails with the file and the broken field for a bad model', async () => {
    const file = join(temp.dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ format: 'gammadesk-hedge-policy', version: 1, kind: 'band' }));
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', file)).rejects.toThrow(/bad\.json: model field kind/);
    writeFileSync(file, '{');
    await expect(run('evaluate', '--benchmark', 'B1', '--policy', file)).rejects.toThrow(/not JSON/);
  });
});

describe('gammadesk train', () => {
  it('trains in a worker, writes a model JSON that evaluate reads', async () => {
    const out = join(temp.dir, 'ntb.json');
    const trained = await run('train', '--benchmark', 'B2', '--policy', 'ntb', '--steps', '4', '--batch', '64', '--seed', '7', '--out', out, '--format', 'json');
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout) as { steps: number; stop_reason: string; best_step: number; best_validation_entropic_risk: number };
    // 4 steps end before the first scheduled validation (every 50): the end validates once, at step 4, against
    // the Whalley-Wilmott warm start validated at step 0 (4 steps of 64 paths need not beat it).
    expect(summary).toMatchObject({ steps: 4, stop_reason: 'finished' });
    expect([0, 4]).toContain(summary.best_step);
    expect(Number.isFinite(summary.best_validation_entropic_risk)).toBe(true);
    const model = JSON.parse(readFileSync(out, 'utf8')) as { kind: string; architecture: { sizes: number[] }; training: { settings: { seeds: unknown } } };
    expect(model.kind).toBe('ntb');
    expect(model.architecture.sizes).toEqual([4, 32, 32, 2]);
    expect(model.training.settings.seeds).toEqual({ init: 7, train: 8, validation: 9 });
    const evaluated = await run('evaluate', '--benchmark', 'B2', '--policy', out, '--paths', '2000', '--format', 'json');
    const report = JSON.parse(evaluated.stdout) as EvaluationJson & { gate: { baseline: string; passed: boolean; difference: { standard_error: number } } };
    expect(report.policy).toBe('ntb');
    expect(report.gate.baseline).toBe('ww');
    expect(typeof report.gate.passed).toBe('boolean');
    expect(report.gate.difference.standard_error).toBeGreaterThan(0);
  });

  it('stops on cancel and still returns the best checkpoint', async () => {
    const progress: TrainJobMessage[] = [];
    const handle = startTrainWorker(
      { benchmark: 'B1', kind: 'ffn', seed: 1, maxSteps: 100_000, maxMs: 600_000, batch: 64, validationPaths: 500, validateEvery: 1 },
      (message) => {
        progress.push(message);
        if (progress.length === 2) handle.cancel();
      },
      { file: join(process.cwd(), 'src-main/learn/trainWorker.ts') },
    );
    const result = await handle.result;
    expect(result.reason).toBe('cancelled');
    expect(result.steps).toBeGreaterThanOrEqual(2);
    expect(result.steps).toBeLessThan(100);
    expect(result.model.kind).toBe('ffn');
    expect(result.model.training['best_validation_entropic_risk']).toBeLessThan(Infinity);
  });

  it('rejects a missing --out and an unknown --policy', async () => {
    await expect(run('train', '--benchmark', 'B1')).rejects.toThrow(/--out/);
    await expect(run('train', '--benchmark', 'B1', '--policy', 'lstm', '--out', 'x.json')).rejects.toThrow(/--policy must be ntb or ffn/);
  });
});

interface B3Json {
  benchmark: string;
  days: number;
  simulator: string;
  policy: string;
  ww_risk_aversion?: number;
  expected_shortfall_99: { value: number; standard_error: number };
  es_ratio_to_bs_delta: { value: number; standard_error: number };
  turnover: { value: number; standard_error: number };
  turnover_minus_bs_delta: { value: number; standard_error: number };
  mean_cost: { value: number; standard_error: number };
  meets_target: boolean;
}

describe('gammadesk evaluate --benchmark B3', () => {
  it('reports ES 99 % relative to Black-Scholes delta on the same paths, with turnover and cost', async () => {
    const delta = JSON.parse((await run('evaluate', '--benchmark', 'B3', '--days', '7', '--policy', 'bs-delta', '--paths', '3000', '--format', 'json')).stdout) as B3Json;
    expect(delta).toMatchObject({ benchmark: 'B3', days: 7, simulator: 'gbm', policy: 'bs-delta', meets_target: false });
    expect(delta.es_ratio_to_bs_delta).toEqual({ value: 1, standard_error: 0 });
    // Hourly delta hedging at 5 bp pays about 5e-4 x 100 x turnover.
    expect(delta.mean_cost.value).toBeCloseTo(5e-4 * 100 * delta.turnover.value, 1);
    const band = JSON.parse((await run('evaluate', '--benchmark', 'B3', '--days', '7', '--policy', 'ww', '--ww-risk-aversion', '30', '--paths', '3000', '--format', 'json')).stdout) as B3Json;
    expect(band.ww_risk_aversion).toBe(30);
    // A band trades less than delta on the same paths.
    expect(band.turnover_minus_bs_delta.value).toBeLessThan(0);
    expect(band.es_ratio_to_bs_delta.standard_error).toBeGreaterThan(0);
  });

  it('evaluates on bootstrapped 2021-2022 BTC returns priced at DVOL', async () => {
    const { code, stdout } = await run('evaluate', '--benchmark', 'B3', '--days', '7', '--simulator', 'bootstrap', '--policy', 'none', '--paths', '2000', '--format', 'json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as B3Json;
    expect(report.simulator).toBe('bootstrap');
    expect(report.turnover.value).toBe(0);
    // Unhedged, the seller's tail is many times the delta hedger's.
    expect(report.es_ratio_to_bs_delta.value).toBeGreaterThan(2);
  });

  it('rejects wrong B3 arguments with a usage error naming the flag', async () => {
    await expect(run('evaluate', '--benchmark', 'B3', '--days', '14', '--policy', 'ww')).rejects.toThrow(/--days must be 7 or 30/);
    await expect(run('evaluate', '--benchmark', 'B3', '--simulator', 'heston', '--policy', 'ww')).rejects.toThrow(/--simulator must be gbm or bootstrap/);
    await expect(run('evaluate', '--benchmark', 'B3', '--policy', 'leland')).rejects.toThrow(/neither a B3 baseline/);
    await expect(run('evaluate', '--benchmark', 'B3', '--policy', 'ww', '--ww-risk-aversion', '-1')).rejects.toThrow(/--ww-risk-aversion/);
    await expect(run('evaluate', '--benchmark', 'B3', '--simulator', 'bootstrap', '--data', 'missing-folder', '--policy', 'ww')).rejects.toThrow(/--data/);
    await expect(run('train', '--benchmark', 'B3', '--loss', 'mse', '--out', 'x.json')).rejects.toThrow(/--loss must be es or entropic/);
    await expect(run('train', '--benchmark', 'B1', '--simulator', 'bootstrap', '--out', 'x.json')).rejects.toThrow(/--simulator applies to --benchmark B3 only/);
    for (const args of [['--days', '14'], ['--simulator', 'heston'], ['--policy', 'leland']]) {
      await expect(run('evaluate', '--benchmark', 'B3', '--policy', 'ww', ...args)).rejects.toBeInstanceOf(UsageError);
    }
  });
});

describe('gammadesk train --benchmark B3', () => {
  it('trains on bootstrapped 2018-2020 returns with the ES loss and writes a model evaluate reads', async () => {
    const out = join(temp.dir, 'b3.json');
    const trained = await run('train', '--benchmark', 'B3', '--days', '7', '--simulator', 'bootstrap', '--steps', '2', '--batch', '64', '--out', out, '--format', 'json');
    expect(trained.code).toBe(0);
    const summary = JSON.parse(trained.stdout) as { steps: number; days: number; simulator: string; objective: string; best_validation_risk: number };
    expect(summary).toMatchObject({ steps: 2, days: 7, simulator: 'bootstrap', objective: 'expected shortfall 0.99' });
    expect(Number.isFinite(summary.best_validation_risk)).toBe(true);
    const model = JSON.parse(readFileSync(out, 'utf8')) as { architecture: { sizes: number[] }; head: { scale: number }; training: { data_range: { train: string; test: string }; b3: unknown } };
    expect(model.architecture.sizes).toEqual([4, 16, 16, 2]);
    expect(model.head.scale).toBe(0.02);
    expect(model.training.data_range.train).toBe('2018-05-15..2020-06-30');
    const evaluated = JSON.parse((await run('evaluate', '--benchmark', 'B3', '--days', '7', '--simulator', 'bootstrap', '--policy', out, '--paths', '1000', '--format', 'json')).stdout) as B3Json;
    expect(evaluated.policy).toBe('ntb');
    expect(evaluated.es_ratio_to_bs_delta.standard_error).toBeGreaterThan(0);
  });
});
