/**
 * `gammadesk train` and `gammadesk evaluate`: learned hedge policies on the issue-14 benchmarks. Training runs
 * in a worker thread with a progress bar on stderr; Ctrl-C stops it after the current step and still writes the
 * best validated checkpoint.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, intFlag, type ParsedArgs } from '../args';
import { parsed, type CommandTable } from '../command';
import { parseDuration, ProgressBar } from '../progress';
import { BASELINE_NAMES, BENCHMARKS, baselinePolicy, benchmarkProblem, isBaselineName, isBenchmarkName, type BenchmarkName } from '../../core/learn/benchmarks';
import { evaluatePolicy, type EvaluationReport } from '../../core/learn/evaluate';
import type { HedgePolicy } from '../../core/learn/hedging';
import { importPolicy } from '../../core/learn/network';
import { startTrainWorker } from '../../learn/trainJob';

function benchmarkFlag(flags: ParsedArgs['flags']): BenchmarkName {
  const raw = flags['benchmark'];
  if (raw === 'B3') throw new UsageError('--benchmark B3 (bootstrapped BTC returns, DVOL pricing) is not implemented yet; use B1 or B2');
  if (typeof raw !== 'string' || !isBenchmarkName(raw)) throw new UsageError(`--benchmark must be one of ${BENCHMARKS.join(', ')}, got ${JSON.stringify(raw ?? null)}`);
  return raw;
}

function costFlag(flags: ParsedArgs['flags']): number | undefined {
  const raw = flags['cost'];
  if (raw === undefined) return undefined;
  return parsed('cost', (text) => {
    // 2^-6 style is accepted because the B1 costs are powers of two.
    const power = /^2\^(-?\d+)$/.exec(text);
    const value = power ? 2 ** Number(power[1]) : Number(text);
    if (text.trim() === '' || !(value >= 0) || !Number.isFinite(value)) throw new Error(`must be a non-negative number or 2^N, got ${JSON.stringify(text)}`);
    return value;
  }, String(raw));
}

function formatFlag(flags: ParsedArgs['flags']): 'json' | 'text' {
  const raw = flags['format'] ?? 'text';
  if (raw !== 'json' && raw !== 'text') throw new UsageError(`--format must be json or text, got ${JSON.stringify(raw)}`);
  return raw;
}

/** The built worker beside the bundled CLI, else the TypeScript source through tsx (tests, `tsx` runs). */
function trainWorkerLocation(): { file: string; execArgv?: string[] } {
  // __dirname exists in the CommonJS bundle (out/main), not when this file runs as ESM source.
  const built = typeof __dirname === 'string' ? join(__dirname, 'trainWorker.cjs') : null;
  if (built !== null && existsSync(built)) return { file: built };
  return { file: resolve('src-main/learn/trainWorker.ts') };
}

function estimateJson(e: { value: number; standardError: number }): { value: number; standard_error: number } {
  return { value: e.value, standard_error: e.standardError };
}

export function evaluationJson(benchmark: BenchmarkName, report: EvaluationReport): Record<string, unknown> {
  return {
    benchmark,
    policy: report.policy,
    cost: report.cost,
    lambda: report.lambda,
    paths: report.paths,
    seed: report.seed,
    indifference_price: estimateJson(report.indifferencePrice),
    expected_shortfall_99: estimateJson(report.expectedShortfall99),
    mean_cost: estimateJson(report.meanCost),
    turnover: estimateJson(report.turnover),
    mean_pnl: estimateJson(report.meanPnl),
  };
}

export const learnCommands: CommandTable = {
  train: {
    summary: 'train a learned hedge policy (no-transaction band or feed-forward) on a benchmark',
    usage: 'gammadesk train --benchmark B1|B2 [--cost X] [--policy ntb|ffn] [--seed N] [--steps N] [--time 3m] [--batch N] --out MODEL.json [--format json]',
    flags: {
      benchmark: { type: 'string', description: 'B1 (Buehler et al. 2019 §5.3) or B2 (Imaki et al. 2021)' },
      cost: { type: 'string', description: 'proportional cost eps (a number or 2^N; default: the benchmark\'s)' },
      policy: { type: 'string', description: 'ntb (no-transaction band network, default) or ffn (feed-forward with previous position)' },
      seed: { type: 'string', description: 'base seed: init = N, training paths = N+1, validation = N+2 (default 1)' },
      steps: { type: 'string', description: 'maximum Adam steps (default 600)' },
      time: { type: 'string', description: 'wall-clock budget, e.g. 90s or 3m (default 3m)' },
      batch: { type: 'string', description: 'paths per step (default 2048)' },
      out: { type: 'string', description: 'where to write the model JSON' },
      format: { type: 'string', description: 'json or text (default text)' },
    },
    async run({ flags }) {
      const benchmark = benchmarkFlag(flags);
      const cost = costFlag(flags);
      const kind = flags['policy'] ?? 'ntb';
      if (kind !== 'ntb' && kind !== 'ffn') throw new UsageError(`--policy must be ntb or ffn, got ${JSON.stringify(kind)}`);
      const out = flags['out'];
      if (typeof out !== 'string') throw new UsageError('train needs --out MODEL.json');
      const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 }) ?? 1;
      const maxSteps = intFlag(flags, 'steps', { min: 1, max: 1_000_000 }) ?? 600;
      const batch = intFlag(flags, 'batch', { min: 16, max: 65_536 });
      const maxMs = typeof flags['time'] === 'string' ? parsed('time', parseDuration, flags['time']) : 180_000;
      const format = formatFlag(flags);
      const bar = new ProgressBar(`train ${benchmark} ${kind}`);
      const handle = startTrainWorker(
        { benchmark, ...(cost !== undefined ? { cost } : {}), kind, seed, maxSteps, maxMs, ...(batch !== undefined ? { batch } : {}) },
        ({ progress, fraction }) => bar.update(fraction, `step ${progress.step} train ${progress.trainRisk.toFixed(5)} best validation ${progress.bestValidationRisk.toFixed(5)}`),
        trainWorkerLocation(),
      );
      const onInterrupt = (): void => {
        process.stderr.write('\ntrain: interrupted, keeping the best checkpoint…\n');
        handle.cancel();
      };
      process.once('SIGINT', onInterrupt);
      try {
        const result = await handle.result;
        writeFileSync(out, JSON.stringify(result.model, null, 1));
        const training = result.model.training;
        bar.done(`${result.reason} after ${result.steps} steps in ${(result.elapsedMs / 1000).toFixed(1)} s; best validation entropic risk ${String(training['best_validation_entropic_risk'])} -> ${out}`);
        if (format === 'json') {
          console.log(JSON.stringify({ out, benchmark, policy: kind, cost: (training['problem'] as { cost: number }).cost, seed, steps: result.steps, stop_reason: result.reason, training_seconds: result.elapsedMs / 1000, best_step: training['best_step'], best_validation_entropic_risk: training['best_validation_entropic_risk'] }, null, 2));
        }
        return 0;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
    },
  },
  evaluate: {
    summary: 'evaluate a hedge policy on fresh test paths: indifference price, ES 99 %, cost, turnover (± se)',
    usage: `gammadesk evaluate --benchmark B1|B2 [--cost X] --policy MODEL.json|${BASELINE_NAMES.join('|')} [--paths N] [--seed N] [--format json]`,
    flags: {
      benchmark: { type: 'string', description: 'B1 or B2' },
      cost: { type: 'string', description: 'proportional cost eps (a number or 2^N; default: the benchmark\'s)' },
      policy: { type: 'string', description: `a model JSON file from train, or a baseline: ${BASELINE_NAMES.join(', ')}` },
      paths: { type: 'string', description: 'test paths (default 100000)' },
      seed: { type: 'string', description: 'test seed (default 1000; training uses 1..3 by default)' },
      format: { type: 'string', description: 'json or text (default text)' },
    },
    run({ flags }) {
      const benchmark = benchmarkFlag(flags);
      const problem = benchmarkProblem(benchmark, costFlag(flags));
      const name = flags['policy'];
      if (typeof name !== 'string') throw new UsageError(`evaluate needs --policy MODEL.json or one of ${BASELINE_NAMES.join(', ')}`);
      const paths = intFlag(flags, 'paths', { min: 2, max: 5_000_000 }) ?? 100_000;
      const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 }) ?? 1000;
      const format = formatFlag(flags);
      let policy: HedgePolicy;
      if (isBaselineName(name)) policy = baselinePolicy(name, problem);
      else {
        if (!existsSync(name)) throw new UsageError(`--policy: ${JSON.stringify(name)} is neither a baseline (${BASELINE_NAMES.join(', ')}) nor an existing file`);
        let json: unknown;
        try {
          json = JSON.parse(readFileSync(name, 'utf8'));
        } catch (error) {
          throw new Error(`${name}: not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        try {
          policy = importPolicy(json).policy;
        } catch (error) {
          throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
      }
      const report = evaluationJson(benchmark, evaluatePolicy(problem, policy, paths, seed));
      if (format === 'json') console.log(JSON.stringify(report, null, 2));
      else {
        const line = (label: string, e: { value: number; standard_error: number }): string => `${label.padEnd(22)} ${e.value.toPrecision(6)} ± ${e.standard_error.toPrecision(2)}`;
        console.log([
          `${benchmark} cost ${problem.cost} policy ${policy.name}: ${paths} paths, seed ${seed}`,
          line('indifference price', report['indifference_price'] as never),
          line('expected shortfall 99%', report['expected_shortfall_99'] as never),
          line('mean cost', report['mean_cost'] as never),
          line('turnover', report['turnover'] as never),
        ].join('\n'));
      }
      return Promise.resolve(0);
    },
  },
};
