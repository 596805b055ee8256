/**
 * `gammadesk train` and `gammadesk evaluate`: learned hedge policies on the issue-14 benchmarks. Training runs
 * in a worker thread with a progress bar on stderr; Ctrl-C stops it after the current step and still writes the
 * best validated checkpoint.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError, intFlag, type ParsedArgs } from '../args';
import { parsed, type CommandTable } from '../command';
import { parseDuration, ProgressBar } from '../progress';
import { BASELINE_NAMES, BENCHMARKS, baselinePolicy, benchmarkProblem, isBaselineName, isBenchmarkName, type BenchmarkName } from '../../core/learn/benchmarks';
import { evaluateOnPaths, gateAgainstWhalleyWilmott, simulatorPaths, SIMULATORS, type EvaluationReport, type SimulatorName } from '../../core/learn/evaluate';
import { hourlyLogReturns, readHourlyCloses } from '../../learn/data';
import type { HedgePolicy } from '../../core/learn/hedging';
import { startTrainWorker } from '../../learn/trainJob';
import { B3_EVALUATE_FLAGS, B3_TRAIN_FLAGS, b3Flags, loadPolicyModel, b3TrainInput, evaluateB3 } from './learnB3';

function benchmarkFlag(flags: ParsedArgs['flags']): BenchmarkName {
  const raw = flags['benchmark'];
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

/**
 * Daily log returns (sums of 24 consecutive hourly ones) of 2021-01-01..2022-03-01 from the Bitstamp hourly
 * file: the out-of-sample years (training uses Black-Scholes paths; a bootstrap-trained model would use
 * 2018-2020, never the reverse). Bad rows are reported on stderr and skipped.
 */
function dailyTestReturns(file?: string): Float64Array {
  const path = file ?? resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');
  if (!existsSync(path)) throw new UsageError(`--data: ${JSON.stringify(path)} does not exist`);
  const data = readHourlyCloses(path);
  for (const bad of data.badRows) process.stderr.write(`${path}:${bad.line}: skipped: ${bad.reason}\n`);
  const { logReturns } = hourlyLogReturns(data, Date.parse('2021-01-01T00:00:00Z'), Date.parse('2023-01-01T00:00:00Z'));
  const days = Math.floor(logReturns.length / 24);
  if (days < 10) throw new Error(`${path}: only ${days} days of hourly returns in 2021-2022`);
  const daily = new Float64Array(days);
  for (let d = 0; d < days; d++) for (let h = 0; h < 24; h++) daily[d] = daily[d]! + logReturns[d * 24 + h]!;
  return daily;
}

function gateLine(gate: { difference: { value: number; standard_error: number }; passed: boolean }): string {
  const { value, standard_error } = gate.difference;
  return `${'vs Whalley-Wilmott'.padEnd(22)} ${value.toPrecision(6)} ± ${standard_error.toPrecision(2)} (paired): ${gate.passed ? 'passes the gate' : 'does not pass the gate'}`;
}

export const learnCommands: CommandTable = {
  train: {
    summary: 'train a learned hedge policy (no-transaction band or feed-forward) on a benchmark',
    usage: 'gammadesk train --benchmark B1|B2|B3 [--days 7|30] [--simulator gbm|bootstrap] [--loss es|entropic] [--cost X] [--policy ntb|ffn] [--seed N] [--steps N] [--time 3m] [--batch N] --out MODEL.json [--format json]',
    flags: {
      benchmark: { type: 'string', description: 'B1 (Buehler et al. 2019 §5.3), B2 (Imaki et al. 2021) or B3 (crypto: sigma 0.8, hourly, 5 bp)' },
      ...B3_TRAIN_FLAGS,
      simulator: { type: 'string', description: 'B3: gbm (sigma 0.8, default) or bootstrap (real hourly BTC returns 2018-2020, priced at DVOL or trailing realized vol)' },
      data: { type: 'string', description: 'B3 bootstrap: folder with the hourly BTC and DVOL files (default ../shared/data)' },
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
      const b3 = b3Flags(flags, benchmark);
      if (b3 === null && flags['simulator'] !== undefined) throw new UsageError('train --simulator applies to --benchmark B3 only (B1 and B2 train on Black-Scholes paths)');
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
        { benchmark, ...(cost !== undefined ? { cost } : {}), kind, seed, maxSteps, maxMs, ...(batch !== undefined ? { batch } : {}), ...(b3 !== null ? b3TrainInput(b3) : {}) },
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
        bar.done(`${result.reason} after ${result.steps} steps in ${(result.elapsedMs / 1000).toFixed(1)} s; best validation ${typeof training['objective'] === 'string' ? training['objective'] : 'entropic risk'} ${String(training['best_validation_risk'] ?? training['best_validation_entropic_risk'])} -> ${out}`);
        if (format === 'json') {
          console.log(JSON.stringify({ out, benchmark, policy: kind, cost: (training['problem'] as { cost: number }).cost, seed, steps: result.steps, stop_reason: result.reason, training_seconds: result.elapsedMs / 1000, best_step: training['best_step'], best_validation_entropic_risk: training['best_validation_entropic_risk'], ...(b3 !== null ? { days: b3.days, simulator: b3.simulator, objective: training['objective'], best_validation_risk: training['best_validation_risk'] } : {}) }, null, 2));
        }
        return 0;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
      }
    },
  },
  evaluate: {
    summary: 'evaluate a hedge policy on fresh test paths: indifference price, ES 99 %, cost, turnover (± se)',
    usage: `gammadesk evaluate --benchmark B1|B2|B3 [--days 7|30] [--cost X] --policy MODEL.json|${BASELINE_NAMES.join('|')} [--paths N] [--seed N] [--simulator ${SIMULATORS.join('|')}] [--format json]`,
    flags: {
      benchmark: { type: 'string', description: 'B1, B2 or B3' },
      ...B3_EVALUATE_FLAGS,
      cost: { type: 'string', description: 'proportional cost eps (a number or 2^N; default: the benchmark\'s)' },
      policy: { type: 'string', description: `a model JSON file from train, or a baseline: ${BASELINE_NAMES.join(', ')}` },
      paths: { type: 'string', description: 'test paths (default 100000)' },
      seed: { type: 'string', description: 'test seed (default 1000; training uses 1..3 by default)' },
      simulator: { type: 'string', description: `test paths: ${SIMULATORS.join(', ')} (default gbm; bootstrap: daily BTC returns 2021-2022 from the Bitstamp hourly file, rescaled to the benchmark vol)` },
      data: { type: 'string', description: 'hourly BTC CSV for --simulator bootstrap (default ../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz)' },
      format: { type: 'string', description: 'json or text (default text)' },
    },
    run({ flags }) {
      const benchmark = benchmarkFlag(flags);
      const b3 = b3Flags(flags, benchmark);
      if (b3 !== null) return Promise.resolve(evaluateB3(flags, b3, costFlag(flags), formatFlag(flags)));
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
        policy = loadPolicyModel(name);
      }
      const simulator = flags['simulator'] ?? 'gbm';
      if (typeof simulator !== 'string' || !(SIMULATORS as readonly string[]).includes(simulator)) {
        throw new UsageError(`--simulator must be one of ${SIMULATORS.join(', ')}, got ${JSON.stringify(simulator)}`);
      }
      let observed: { returns: Float64Array; blockLength: number } | undefined;
      if (simulator === 'bootstrap') observed = { returns: dailyTestReturns(typeof flags['data'] === 'string' ? flags['data'] : undefined), blockLength: 5 };
      const set = simulatorPaths(problem, simulator as SimulatorName, paths, seed, observed);
      const report: Record<string, unknown> = { ...evaluationJson(benchmark, evaluateOnPaths(problem, policy, set, seed)), simulator };
      if (!isBaselineName(name)) {
        const gate = gateAgainstWhalleyWilmott(problem, policy, set);
        report['gate'] = { baseline: gate.baseline, difference: estimateJson(gate.difference), passed: gate.passed };
      }
      if (format === 'json') console.log(JSON.stringify(report, null, 2));
      else {
        const line = (label: string, e: { value: number; standard_error: number }): string => `${label.padEnd(22)} ${e.value.toPrecision(6)} ± ${e.standard_error.toPrecision(2)}`;
        console.log([
          `${benchmark} cost ${problem.cost} policy ${policy.name}: ${paths} ${simulator} paths, seed ${seed}`,
          line('indifference price', report['indifference_price'] as never),
          line('expected shortfall 99%', report['expected_shortfall_99'] as never),
          line('mean cost', report['mean_cost'] as never),
          line('turnover', report['turnover'] as never),
          ...(report['gate'] === undefined ? [] : [gateLine(report['gate'] as { difference: { value: number; standard_error: number }; passed: boolean })]),
        ].join('\n'));
      }
      return Promise.resolve(0);
    },
  },
};
