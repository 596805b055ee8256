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
import { GATE_FLAG, gateCriterion, gateJson, gateLine } from './gateFlag';
import { evaluateOnPaths, gateAgainstWhalleyWilmott, simulatorPaths, SIMULATORS, type EvaluationReport, type SimulatorName } from '../../core/learn/evaluate';
import { hourlyLogReturns, readHourlyCloses } from '../../learn/data';
import type { HedgePolicy } from '../../core/learn/hedging';
import { optimalHedge } from '../../core/learn/optimalHedge';
import { startTrainWorker } from '../../learn/trainJob';
import { B3_EVALUATE_FLAGS, B3_TRAIN_FLAGS, b3Flags, loadPolicyModel, b3StoredLines, b3TrainInput, evaluateB3 } from './learnB3';
import { b3ProblemDto, benchmarkProblemDto, historyProblemDto, storedModel } from '../../app/modelsService';
import { openDatabase, type Db } from '../../store/database';
import { ModelRepository } from '../../store/models';
import { SESSION_FLAGS, sessionSourceFlags, sessionTestPaths } from './sessionLearn';
import { DERIBIT_SIMULATORS, isDeribitSimulator } from '../../learn/deribitPaths';
import { deribitCliPaths, HISTORY_TRAIN_FLAG, historySourceFlags } from './deribitLearn';

/** `--policy optimal`: the dynamic-programming optimum of the benchmark (core/learn/optimalHedge.ts). */
const OPTIMAL = 'optimal';

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

export function evaluationJson(benchmark: BenchmarkName | string, report: EvaluationReport): Record<string, unknown> {
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

/** Opens (creating and migrating) the database a trained model goes into; refuses a name that is taken. */
function openModelStore(path: string, name: string): { db: Db; repository: ModelRepository } {
  if (name === '' || name.length > 200) throw new UsageError(`--name must be 1 to 200 characters, got ${JSON.stringify(name)}`);
  const db = openDatabase(path);
  const repository = new ModelRepository(db);
  if (repository.hasName(name)) {
    db.close();
    throw new UsageError(`--name: a model named ${JSON.stringify(name)} is stored in ${path} already`);
  }
  return { db, repository };
}

export const learnCommands: CommandTable = {
  train: {
    summary: 'train a learned hedge policy (no-transaction band or feed-forward) on a benchmark',
    usage: 'gammadesk train (--benchmark B1|B2|B3 [--days 7|30] [--simulator gbm|bootstrap] [--loss es|entropic] | --history bitstamp|deribit | --session ID --db DB [--currency BTC|ETH] [--interval 1m] [--maturity N] [--rebalance N]) [--cost X] [--policy ntb|ffn] [--seed N] [--steps N] [--time 3m] [--batch N] [--threads 1|2] (--out MODEL.json | --db DB [--name NAME] [--test-paths N] [--test-seed N] [--gate entropic|es99|es95|mv[:a]]) [--format json]',
    flags: {
      benchmark: { type: 'string', description: 'B1 (Buehler et al. 2019 §5.3), B2 (Imaki et al. 2021) or B3 (crypto: sigma 0.8, hourly, 5 bp)' },
      ...B3_TRAIN_FLAGS,
      simulator: { type: 'string', description: 'B3: gbm (sigma 0.8, default) or bootstrap (real hourly BTC returns 2018-2020, priced at DVOL or trailing realized vol)' },
      data: { type: 'string', description: 'B3 bootstrap and --history: folder with the shared data files (hourly BTC, DVOL, Deribit perpetual daily; default ../shared/data)' },
      cost: { type: 'string', description: 'proportional cost eps (a number or 2^N; default: the benchmark\'s)' },
      policy: { type: 'string', description: 'ntb (no-transaction band network, default) or ffn (feed-forward with previous position)' },
      seed: { type: 'string', description: 'base seed: init = N, training paths = N+1, validation = N+2 (default 1)' },
      steps: { type: 'string', description: 'maximum Adam steps (default 600)' },
      time: { type: 'string', description: 'wall-clock budget, e.g. 90s or 3m (default 3m)' },
      batch: { type: 'string', description: 'paths per step (default 2048)' },
      threads: { type: 'string', description: 'threads computing each batch: 2 (default) splits it between two worker threads, 1 uses one' },
      out: { type: 'string', description: 'where to write the model JSON' },
      db: { type: 'string', description: 'store the model in this SQLite database (created if missing) with its seeds, metrics and gate result' },
      name: { type: 'string', description: 'with --db: the model\'s name (default "BENCHMARK KIND seed N" and the time)' },
      'test-paths': { type: 'string', description: 'with --db: fresh Black-Scholes paths for the gate against Whalley-Wilmott (default 100000)' },
      'test-seed': { type: 'string', description: 'with --db: seed of the test paths (default 1000; must differ from the training seeds)' },
      format: { type: 'string', description: 'json or text (default text)' },
      ...SESSION_FLAGS,
      ...HISTORY_TRAIN_FLAG,
      ...GATE_FLAG,
    },
    async run({ flags }) {
      const cost = costFlag(flags);
      // --session: the session's first 70 % trains, its last 30 % gates; the model goes into the session's --db.
      const session = flags['session'] !== undefined ? sessionSourceFlags(flags, cost) : null;
      const history = historySourceFlags(flags, cost);
      const benchmark = session ? session.label : history ? history.label : benchmarkFlag(flags);
      const b3 = session ? null : b3Flags(flags, benchmark as BenchmarkName);
      if (b3 === null && flags['simulator'] !== undefined) throw new UsageError('train --simulator applies to --benchmark B3 only (B1 and B2 train on Black-Scholes paths)');
      const kind = flags['policy'] ?? 'ntb';
      if (kind !== 'ntb' && kind !== 'ffn') throw new UsageError(`--policy must be ntb or ffn, got ${JSON.stringify(kind)}`);
      const out = typeof flags['out'] === 'string' ? flags['out'] : null;
      const dbPath = typeof flags['db'] === 'string' ? resolve(flags['db']) : null;
      if (out === null && dbPath === null) throw new UsageError('train needs --out MODEL.json, --db DB, or both');
      const b3Input = b3 === null ? {} : b3TrainInput(b3, flags, dbPath !== null);
      const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 }) ?? 1;
      const testPaths = intFlag(flags, 'test-paths', { min: 1000, max: 5_000_000 }) ?? 100_000;
      const testSeed = intFlag(flags, 'test-seed', { min: 0, max: 2 ** 31 }) ?? 1000;
      if (dbPath !== null && [seed, seed + 1, seed + 2].includes(testSeed)) throw new UsageError(`--test-seed ${testSeed} is one of the training seeds ${seed}, ${seed + 1}, ${seed + 2}: test paths must be new`);
      const name = typeof flags['name'] === 'string' ? flags['name'].trim() : `${benchmark} ${kind} seed ${seed} ${new Date().toISOString().slice(0, 19)}Z`;
      // The database is opened (and migrated) before training, so a bad path or a taken name fails at once.
      const store = dbPath === null ? null : openModelStore(dbPath, name);
      if (store === null && flags['gate'] !== undefined) throw new UsageError('--gate applies with --db: the gate runs when the model is stored');
      const criterion = store === null ? null : gateCriterion(flags, 1, store.db);
      const maxSteps = intFlag(flags, 'steps', { min: 1, max: 1_000_000 }) ?? 600;
      const batch = intFlag(flags, 'batch', { min: 16, max: 65_536 });
      const threads = session ? 1 : (intFlag(flags, 'threads', { min: 1, max: 2 }) ?? 2);
      const maxMs = typeof flags['time'] === 'string' ? parsed('time', parseDuration, flags['time']) : 180_000;
      const format = formatFlag(flags);
      const bar = new ProgressBar(`train ${benchmark} ${kind}`);
      const handle = startTrainWorker(
        { ...(session ? { problem: session.problem, session: session.job, source: session.label } : history ? { history: history.history, source: history.label } : { benchmark: benchmark as BenchmarkName, ...(cost !== undefined ? { cost } : {}) }), kind, seed, maxSteps, maxMs, threads, ...(batch !== undefined ? { batch } : {}), ...(store && criterion ? { gate: { paths: testPaths, seed: testSeed, criterion } } : {}), ...b3Input },
        ({ progress, fraction }) => bar.update(fraction, `step ${progress.step} train ${progress.trainRisk.toFixed(5)}${progress.loss !== undefined ? ` (${progress.loss})` : ''} best validation ${progress.bestValidationRisk.toFixed(5)}`),
        trainWorkerLocation(),
      );
      const onInterrupt = (): void => {
        process.stderr.write('\ntrain: interrupted, keeping the best checkpoint…\n');
        handle.cancel();
      };
      process.once('SIGINT', onInterrupt);
      try {
        const result = await handle.result;
        if (out !== null) writeFileSync(out, JSON.stringify(result.model, null, 1));
        const training = result.model.training;
        let stored: { id: number; gate: ReturnType<typeof gateJson> } | null = null;
        if (store) {
          const dto = session ? session.dto : history ? historyProblemDto(result) : b3 !== null ? b3ProblemDto(result.problem, b3.days, b3.simulator) : benchmarkProblemDto(benchmark as 'B1' | 'B2', cost).dto;
          const entry = storedModel({ name, label: benchmark, problem: dto, seed, done: result, createdMs: Date.now() });
          const id = store.repository.save(entry);
          stored = { id, gate: gateJson(result.gate!.result) };
        }
        bar.done(`${result.reason} after ${result.steps} steps in ${(result.elapsedMs / 1000).toFixed(1)} s; best validation ${typeof training['objective'] === 'string' ? training['objective'] : 'entropic risk'} ${String(training['best_validation_risk'] ?? training['best_validation_entropic_risk'])}${out !== null ? ` -> ${out}` : ''}`);
        if (session) process.stderr.write(`${session.dto.description}\n`);
        if (history) process.stderr.write(`${historyProblemDto(result).description}\n`);
        if (stored) process.stderr.write(`stored as model ${stored.id} "${name}" in ${dbPath}\n${gateLine(stored.gate)} (${testPaths} test paths, seed ${testSeed})\n`);
        if (stored && result.gate?.b3) process.stderr.write(`${b3StoredLines(result.gate.b3).join('\n')}\n`);
        if (format === 'json') {
          console.log(JSON.stringify({
            out, benchmark, policy: kind, cost: (training['problem'] as { cost: number }).cost, seed, steps: result.steps, stop_reason: result.reason, training_seconds: result.elapsedMs / 1000, threads: training['threads'] ?? threads, best_step: training['best_step'], best_validation_entropic_risk: training['best_validation_entropic_risk'],
            ...(b3 !== null ? { days: b3.days, simulator: b3.simulator, objective: training['objective'], best_validation_risk: training['best_validation_risk'] } : {}),
            ...(session ? { session: session.dto.session } : {}),
            ...(stored ? { db: dbPath, model_id: stored.id, name, gate: { ...stored.gate, paths: testPaths, seed: testSeed } } : {}),
            ...(stored && result.gate?.b3 ? { b3_test: { es_ratio_to_bs_delta: estimateJson(result.gate.b3.policy.esRatioToBsDelta), turnover_minus_bs_delta: estimateJson(result.gate.b3.policy.turnoverDifference), meets_target: result.gate.b3.policy.meetsTarget, ww_risk_aversion: result.gate.b3.wwRiskAversion } } : {}),
          }, null, 2));
        }
        return 0;
      } finally {
        process.removeListener('SIGINT', onInterrupt);
        store?.db.close();
      }
    },
  },
  evaluate: {
    summary: 'evaluate a hedge policy on fresh test paths: indifference price, ES 99 %, cost, turnover (± se)',
    usage: `gammadesk evaluate (--benchmark B1|B2|B3 [--days 7|30] | --session ID --db DB [--currency BTC|ETH] [--interval 1m] [--maturity N] [--rebalance N]) [--cost X] --policy MODEL.json|${BASELINE_NAMES.join('|')}|${OPTIMAL} [--paths N] [--seed N] [--simulator ${[...SIMULATORS, ...DERIBIT_SIMULATORS].join('|')}] [--gate entropic|es99|es95|mv[:a]] [--format json]`,
    flags: {
      benchmark: { type: 'string', description: 'B1, B2 or B3' },
      ...B3_EVALUATE_FLAGS,
      cost: { type: 'string', description: 'proportional cost eps (a number or 2^N; default: the benchmark\'s)' },
      policy: { type: 'string', description: `a model JSON file from train, a baseline (${BASELINE_NAMES.join(', ')}), or ${OPTIMAL}: the problem's optimal band by dynamic programming` },
      paths: { type: 'string', description: 'test paths (default 100000)' },
      seed: { type: 'string', description: 'test seed (default 1000; training uses 1..3 by default)' },
      simulator: { type: 'string', description: `test paths: ${[...SIMULATORS, ...DERIBIT_SIMULATORS].join(', ')} (default gbm; bootstrap: daily BTC returns 2021-2022 from the Bitstamp hourly file, rescaled to the benchmark vol; deribit-daily: Deribit perpetual daily 2021-03-24..2026-01-30, rescaled; deribit-hourly: Deribit perpetual hourly 2026 at hourly DVOL, B3 7 days)` },
      data: { type: 'string', description: 'hourly BTC CSV for --simulator bootstrap (default ../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz); the data folder for B3 and the deribit simulators (default ../shared/data)' },
      format: { type: 'string', description: 'json or text (default text)' },
      db: { type: 'string', description: 'with --session: the database the session is recorded in' },
      ...SESSION_FLAGS,
      ...GATE_FLAG,
    },
    run({ flags }) {
      // --session: test paths are moving blocks of the session's held-out 30 % (the gate's paths for the same seed).
      const session = flags['session'] !== undefined ? sessionSourceFlags(flags, costFlag(flags)) : null;
      if (session && flags['simulator'] !== undefined) throw new UsageError('--session tests on its held-out part: leave out --simulator');
      const benchmark = session ? session.label : benchmarkFlag(flags);
      const b3 = session ? null : b3Flags(flags, benchmark as BenchmarkName);
      if (b3 !== null) return Promise.resolve(evaluateB3(flags, b3, costFlag(flags), formatFlag(flags)));
      const problem = session ? session.problem : benchmarkProblem(benchmark as BenchmarkName, costFlag(flags));
      const criterion = gateCriterion(flags, problem.lambda);
      const name = flags['policy'];
      if (typeof name !== 'string') throw new UsageError(`evaluate needs --policy MODEL.json or one of ${BASELINE_NAMES.join(', ')}`);
      const paths = intFlag(flags, 'paths', { min: 2, max: 5_000_000 }) ?? 100_000;
      const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 }) ?? 1000;
      const format = formatFlag(flags);
      let policy: HedgePolicy;
      let optimumValue: number | null = null;
      if (isBaselineName(name)) policy = baselinePolicy(name, problem);
      else if (name === OPTIMAL) {
        // The optimal band of this problem by dynamic programming (a few seconds), evaluated like any policy.
        const optimum = optimalHedge(problem);
        policy = optimum.policy;
        optimumValue = optimum.price;
      } else {
        if (!existsSync(name)) throw new UsageError(`--policy: ${JSON.stringify(name)} is neither a baseline (${BASELINE_NAMES.join(', ')}), ${OPTIMAL}, nor an existing file`);
        policy = loadPolicyModel(name);
      }
      const simulator = session ? 'session' : (flags['simulator'] ?? 'gbm');
      if (!session && (typeof simulator !== 'string' || !([...SIMULATORS, ...DERIBIT_SIMULATORS] as string[]).includes(simulator))) {
        throw new UsageError(`--simulator must be one of ${[...SIMULATORS, ...DERIBIT_SIMULATORS].join(', ')}, got ${JSON.stringify(simulator)}`);
      }
      let observed: { returns: Float64Array; blockLength: number } | undefined;
      if (simulator === 'bootstrap') observed = { returns: dailyTestReturns(typeof flags['data'] === 'string' ? flags['data'] : undefined), blockLength: 5 };
      const set = session ? sessionTestPaths(session, paths, seed) : isDeribitSimulator(simulator) ? deribitCliPaths(problem, simulator, paths, seed, flags['data']) : simulatorPaths(problem, simulator as SimulatorName, paths, seed, observed);
      const report: Record<string, unknown> = { ...evaluationJson(benchmark, evaluateOnPaths(problem, policy, set, seed)), simulator, ...(session ? { session: session.dto.session } : {}) };
      if (optimumValue !== null) report['dynamic_programming_value'] = optimumValue;
      if (!isBaselineName(name)) {
        report['gate'] = gateJson(gateAgainstWhalleyWilmott(problem, policy, set, criterion));
      }
      if (format === 'json') console.log(JSON.stringify(report, null, 2));
      else {
        const line = (label: string, e: { value: number; standard_error: number }): string => `${label.padEnd(22)} ${e.value.toPrecision(6)} ± ${e.standard_error.toPrecision(2)}`;
        console.log([
          `${benchmark} cost ${problem.cost} policy ${policy.name}: ${paths} ${String(simulator)} paths, seed ${seed}`,
          ...(session ? [session.dto.description] : []),
          line('indifference price', report['indifference_price'] as never),
          line('expected shortfall 99%', report['expected_shortfall_99'] as never),
          line('mean cost', report['mean_cost'] as never),
          line('turnover', report['turnover'] as never),
          ...(optimumValue === null ? [] : [`${'dynamic programming'.padEnd(22)} ${optimumValue.toPrecision(6)} (grid value)`]),
          ...(report['gate'] === undefined ? [] : [gateLine(report['gate'] as ReturnType<typeof gateJson>)]),
        ].join('\n'));
      }
      return Promise.resolve(0);
    },
  },
};
