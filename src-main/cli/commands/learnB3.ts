/**
 * The B3 parts of `gammadesk train` and `gammadesk evaluate` (learn.ts dispatches here for `--benchmark B3`):
 * `--days 7|30`, `--simulator gbm|bootstrap`, `--loss es|entropic`, `--data DIR`; evaluate prints ES 99 % of the
 * seller's loss (premium included), turnover, mean cost and mean P&L with standard errors, ES relative to
 * Black-Scholes delta on the same paths, and whether issue 14's target (ES at least 20 % below BS delta at equal
 * or lower turnover) is met.
 */
import { existsSync, readFileSync } from 'node:fs';
import { UsageError, intFlag, positiveFlag, type FlagSpec, type ParsedArgs } from '../args';
import { B3_DAYS, B3_SIMULATORS, B3_SPREAD_SPLIT, B3_VALIDATION_SPLITS, b3Baseline, compareToBsDelta, isB3Days, runB3, tuneWhalleyWilmott, type B3Comparison, type B3Days, type B3Simulator, type B3ValidationSplit } from '../../core/learn/b3';
import { importPolicy, type PolicyModelJson } from '../../core/learn/network';
import type { HedgePolicy } from '../../core/learn/hedging';
import { Rng } from '../../core/random';
import { B3_LOSSES, b3Setup, type B3Loss } from '../../learn/b3Setup';
import type { TrainGate, TrainJobInput } from '../../learn/trainJob';
import { deribitHourlyB3Setup, DeribitSpanError } from '../../learn/deribitB3';

/** B3's test-only path model (learn/deribitB3.ts): Deribit perpetual hourly 2026 at hourly DVOL. */
const DERIBIT_HOURLY = 'deribit-hourly';

const DAYS_FLAG: FlagSpec = { type: 'string', description: `B3: days to expiry, ${B3_DAYS.join(' or ')} (default 7)` };

/** Flags only B3's training reads (merged into the train flag table). */
export const B3_TRAIN_FLAGS: Record<string, FlagSpec> = {
  days: DAYS_FLAG,
  loss: { type: 'string', description: 'B3: es (expected shortfall 99 %, Rockafellar-Uryasev; default) or entropic' },
  init: { type: 'string', description: 'B3: continue from this model JSON (same network and problem): its weights are the start' },
  'learning-rate': { type: 'string', description: 'B3: Adam learning rate at the start (default 3e-3; decays linearly to a tenth over the budget)' },
  'validation-paths': { type: 'string', description: 'B3: validation paths (default 10000)' },
  'validate-every': { type: 'string', description: 'B3: validate every N steps (default 10)' },
  'train-period': { type: 'string', description: 'B3 bootstrap: train (2018-2020, default) or test (2021-2022; a diagnostic, needs --diagnostic, never stored)' },
  'validation-split': { type: 'string', description: `B3 bootstrap: tail (validation 2020-H2, default) or spread (the last ${B3_SPREAD_SPLIT.validationDays} of every ${B3_SPREAD_SPLIT.cycleDays} days of 2018-2020 validate; windows never cross)` },
  'pretrain-steps': { type: 'string', description: 'B3 --loss es: train the first N steps on the entropic risk, then on ES 99 % (validation is ES throughout)' },
  checkpoint: { type: 'string', description: 'B3: best (the best validation, default) or last (the final parameters, whatever the validation said)' },
  'pnl-input': { type: 'boolean', description: 'B3: give the network the hedge\'s P&L so far as an input (a path-dependent band for ES; with --init, a model without it is widened by it, zero weights)' },
  diagnostic: { type: 'boolean', description: 'B3: allows --train-period test (in-sample: bounds what the network can reach, not an out-of-sample result)' },
};

/** Flags only B3's evaluation reads (merged into the evaluate flag table). */
export const B3_EVALUATE_FLAGS: Record<string, FlagSpec> = {
  days: DAYS_FLAG,
  'ww-risk-aversion': { type: 'string', description: 'B3 --policy ww: the band\'s risk aversion (default: the best ES 99 % on validation paths)' },
};

const B3_ONLY = ['days', 'loss', 'ww-risk-aversion', 'init', 'learning-rate', 'validation-paths', 'validate-every', 'train-period', 'diagnostic', 'validation-split', 'pretrain-steps', 'checkpoint', 'pnl-input'];

export interface B3Flags {
  days: B3Days;
  /** deribit-hourly: evaluate only (test data). */
  simulator: B3Simulator | typeof DERIBIT_HOURLY;
  loss: B3Loss;
  dataDir?: string;
}

/** Reads and checks the B3 flags; B3-only flags on another benchmark are usage errors. */
export function b3Flags(flags: ParsedArgs['flags'], benchmark: string): B3Flags | null {
  if (benchmark !== 'B3') {
    for (const name of B3_ONLY) if (flags[name] !== undefined) throw new UsageError(`--${name} applies to --benchmark B3 only`);
    return null;
  }
  const days = Number(flags['days'] ?? 7);
  if (!isB3Days(days) || (flags['days'] !== undefined && !/^\d+$/.test(String(flags['days'])))) throw new UsageError(`--days must be ${B3_DAYS.join(' or ')} for B3, got ${JSON.stringify(flags['days'])}`);
  const simulator = flags['simulator'] ?? 'gbm';
  if (typeof simulator !== 'string' || ![...B3_SIMULATORS, DERIBIT_HOURLY].includes(simulator)) {
    throw new UsageError(`--simulator must be ${B3_SIMULATORS.join(' or ')} (or ${DERIBIT_HOURLY} to evaluate) for B3, got ${JSON.stringify(simulator)}`);
  }
  const loss = flags['loss'] ?? 'es';
  if (typeof loss !== 'string' || !(B3_LOSSES as readonly string[]).includes(loss)) throw new UsageError(`--loss must be ${B3_LOSSES.join(' or ')}, got ${JSON.stringify(loss)}`);
  const data = flags['data'];
  if (data !== undefined && (typeof data !== 'string' || !existsSync(data))) throw new UsageError(`--data: ${JSON.stringify(data)} is not an existing folder`);
  return { days, simulator: simulator as B3Flags['simulator'], loss: loss as B3Loss, ...(typeof data === 'string' ? { dataDir: data } : {}) };
}

/** A model JSON to continue from; a failure names the file and the broken field. */
function initialModel(file: string): PolicyModelJson {
  if (!existsSync(file)) throw new UsageError(`--init: ${JSON.stringify(file)} is not an existing file`);
  try {
    loadPolicyModel(file);
  } catch (error) {
    throw new UsageError(`--init: ${error instanceof Error ? error.message : String(error)}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as PolicyModelJson;
}

/**
 * The B3 part of a training job's input: the benchmark's options, a model to continue from, the training
 * settings a flag overrides. `--train-period test` needs `--diagnostic` and cannot be stored (`storing`: --db).
 */
export function b3TrainInput(b3: B3Flags, flags: ParsedArgs['flags'] = {}, storing = false): Pick<TrainJobInput, 'b3' | 'initialModel' | 'learningRate' | 'validationPaths' | 'validateEvery' | 'hedgePnlInput'> {
  if (b3.simulator === DERIBIT_HOURLY) throw new UsageError('--simulator deribit-hourly is test data only: train on gbm or bootstrap (2018-2020) and evaluate on deribit-hourly');
  const period = flags['train-period'] ?? 'train';
  if (period !== 'train' && period !== 'test') throw new UsageError(`--train-period must be train or test, got ${JSON.stringify(period)}`);
  if (period === 'test') {
    if (flags['diagnostic'] !== true) throw new UsageError('--train-period test trains on the test period (in sample, not an out-of-sample result): add --diagnostic to run it');
    if (b3.simulator !== 'bootstrap') throw new UsageError('--train-period test applies to --simulator bootstrap only');
    if (storing) throw new UsageError('--train-period test is a diagnostic: its model is not stored (--db); write it with --out');
  } else if (flags['diagnostic'] !== undefined) throw new UsageError('--diagnostic goes with --train-period test only');
  const split = flags['validation-split'] ?? 'tail';
  if (typeof split !== 'string' || !(B3_VALIDATION_SPLITS as readonly string[]).includes(split)) throw new UsageError(`--validation-split must be ${B3_VALIDATION_SPLITS.join(' or ')}, got ${JSON.stringify(split)}`);
  if (split !== 'tail' && (b3.simulator !== 'bootstrap' || period !== 'train')) throw new UsageError('--validation-split applies to --simulator bootstrap trained on 2018-2020 only');
  const pretrainSteps = intFlag(flags, 'pretrain-steps', { min: 1, max: 1_000_000 });
  if (pretrainSteps !== undefined && b3.loss !== 'es') throw new UsageError('--pretrain-steps goes with --loss es (entropic pretraining, then ES 99 %)');
  const checkpoint = flags['checkpoint'] ?? 'best';
  if (checkpoint !== 'best' && checkpoint !== 'last') throw new UsageError(`--checkpoint must be best or last, got ${JSON.stringify(checkpoint)}`);
  const learningRate = positiveFlag(flags, 'learning-rate');
  const validationPaths = intFlag(flags, 'validation-paths', { min: 100, max: 1_000_000 });
  const validateEvery = intFlag(flags, 'validate-every', { min: 1, max: 1_000_000 });
  const init = flags['init'];
  if (init !== undefined && typeof init !== 'string') throw new UsageError('--init needs a model JSON file');
  return {
    b3: { days: b3.days, simulator: b3.simulator, loss: b3.loss, ...(b3.dataDir !== undefined ? { dataDir: b3.dataDir } : {}), ...(period === 'test' ? { trainPeriod: 'test' as const } : {}), ...(split !== 'tail' ? { validationSplit: split as B3ValidationSplit } : {}), ...(pretrainSteps !== undefined ? { pretrainSteps } : {}), ...(checkpoint === 'last' ? { checkpoint: 'last' as const } : {}) },
    ...(typeof init === 'string' ? { initialModel: initialModel(init) } : {}),
    ...(learningRate !== undefined ? { learningRate } : {}),
    ...(validationPaths !== undefined ? { validationPaths } : {}),
    ...(validateEvery !== undefined ? { validateEvery } : {}),
    ...(flags['pnl-input'] === true ? { hedgePnlInput: true } : {}),
  };
}

/** The lines `train --benchmark B3 --db` prints about the stored model's test figures. */
export function b3StoredLines(gate: NonNullable<TrainGate['b3']>): string[] {
  const { policy, whalleyWilmott } = gate;
  const ratio = (c: B3Comparison): string => `${c.esRatioToBsDelta.value.toPrecision(4)} ± ${c.esRatioToBsDelta.standardError.toPrecision(2)}`;
  return [
    `ES 99% / BS delta       ${ratio(policy)} (turnover ${policy.turnover.value.toPrecision(4)}, BS delta ${(policy.turnover.value - policy.turnoverDifference.value).toPrecision(4)}): target ${policy.meetsTarget ? 'met' : 'not met'}`,
    `Whalley-Wilmott (γ ${gate.wwRiskAversion}) ES / BS delta ${ratio(whalleyWilmott)}`,
  ];
}

function estimateJson(e: { value: number; standardError: number }): { value: number; standard_error: number } {
  return { value: e.value, standard_error: e.standardError };
}

function comparisonJson(c: B3Comparison): Record<string, unknown> {
  return {
    policy: c.policy,
    expected_shortfall_99: estimateJson(c.expectedShortfall99),
    es_ratio_to_bs_delta: estimateJson(c.esRatioToBsDelta),
    turnover: estimateJson(c.turnover),
    turnover_minus_bs_delta: estimateJson(c.turnoverDifference),
    mean_cost: estimateJson(c.meanCost),
    mean_pnl: estimateJson(c.meanPnl),
    entropic_risk: estimateJson(c.entropicRisk),
    meets_target: c.meetsTarget,
  };
}

/** A model JSON file from `train`; a failure names the file and the broken field. */
export function loadPolicyModel(file: string): HedgePolicy {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return importPolicy(json).policy;
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** `gammadesk evaluate --benchmark B3 …`: prints the report, returns the exit code. */
export function evaluateB3(flags: ParsedArgs['flags'], b3: B3Flags, cost: number | undefined, format: 'json' | 'text'): number {
  const name = flags['policy'];
  const baselines = ['none', 'bs-delta', 'ww'];
  if (typeof name !== 'string') throw new UsageError(`evaluate needs --policy MODEL.json or one of ${baselines.join(', ')}`);
  if (!baselines.includes(name) && !existsSync(name)) throw new UsageError(`--policy: ${JSON.stringify(name)} is neither a B3 baseline (${baselines.join(', ')}) nor an existing file`);
  const paths = intFlag(flags, 'paths', { min: 2, max: 5_000_000 }) ?? 100_000;
  const seed = intFlag(flags, 'seed', { min: 0, max: 2 ** 31 }) ?? 1000;
  const fixedRiskAversion = positiveFlag(flags, 'ww-risk-aversion');
  const setupOptions = { ...(cost !== undefined ? { cost } : {}), ...(b3.dataDir !== undefined ? { dataDir: b3.dataDir } : {}) };
  let setup;
  let note: string | null = null;
  if (b3.simulator === DERIBIT_HOURLY) {
    try {
      setup = deribitHourlyB3Setup(b3.days, setupOptions);
    } catch (error) {
      if (error instanceof DeribitSpanError) throw new UsageError(error.message);
      throw error;
    }
    note = setup.note;
  } else setup = b3Setup(b3.days, b3.simulator, setupOptions);
  for (const problem of setup.data?.problems ?? []) process.stderr.write(`skipped: ${problem}\n`);
  const { problem } = setup;
  let riskAversion: number | null = null;
  let policy: HedgePolicy;
  if (name === 'ww') {
    // Tuned on the training side (validation seed 3 / the 2020-H2 validation period), never on the test paths.
    riskAversion = fixedRiskAversion ?? tuneWhalleyWilmott(problem, setup.source.validation(10_000, new Rng(3))).riskAversion;
    policy = b3Baseline('ww', problem, riskAversion);
  } else if (name === 'none' || name === 'bs-delta') policy = b3Baseline(name, problem, 1);
  else policy = loadPolicyModel(name);
  const set = setup.testPaths(paths, seed);
  const delta = runB3(problem, b3Baseline('bs-delta', problem, 1), set);
  const comparison = compareToBsDelta(policy.name, name === 'bs-delta' ? delta : runB3(problem, policy, set), delta);
  const report = {
    benchmark: 'B3', days: b3.days, simulator: b3.simulator, cost: problem.cost, paths, seed,
    ...(riskAversion !== null ? { ww_risk_aversion: riskAversion } : {}),
    ...(note !== null ? { data: note } : {}),
    ...comparisonJson(comparison),
  };
  if (format === 'json') console.log(JSON.stringify(report, null, 2));
  else {
    const line = (label: string, e: { value: number; standardError: number }): string => `${label.padEnd(24)} ${e.value.toPrecision(6)} ± ${e.standardError.toPrecision(2)}`;
    console.log([
      `B3 ${b3.days} days, ${b3.simulator}, cost ${problem.cost}, policy ${policy.name}${riskAversion !== null ? ` (risk aversion ${riskAversion})` : ''}: ${paths} paths, seed ${seed}`,
      ...(note !== null ? [note] : []),
      line('expected shortfall 99%', comparison.expectedShortfall99),
      line('ES / BS delta ES', comparison.esRatioToBsDelta),
      line('turnover', comparison.turnover),
      line('turnover - BS delta', comparison.turnoverDifference),
      line('mean cost', comparison.meanCost),
      line('mean P&L (premium in)', comparison.meanPnl),
      `target (ES ≤ 0.8 × BS delta's by 2 se, turnover ≤ BS delta's): ${comparison.meetsTarget ? 'met' : 'not met'}`,
    ].join('\n'));
  }
  return 0;
}
