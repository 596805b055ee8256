/**
 * A model against the classical hedges on the same test paths: indifference price (entropic risk), expected
 * shortfall at 99 %, mean cost, turnover and mean P&L with standard errors, and a histogram of each policy's
 * hedged P&L over shared bins. Runs in the jobs worker (workers/modelsCompareTask.ts); the CLI can call it too.
 *
 * Test paths come from the problem's own model (gbm) or another with the same total variance (heston, merton), or
 * from moving blocks of daily BTC returns of 2021–2022 rescaled to the problem's vol (bootstrap; a model trained on
 * Black-Scholes paths never saw them), or from Deribit's perpetual (deribit-daily, deribit-hourly: learn/deribitPaths.ts).
 */
import { existsSync } from 'node:fs';
import type { EstimateDto, GateDto, HistogramDto, PolicyComparisonDto, SimulatorNameDto } from '../api/contract/models';
import { BASELINE_NAMES, baselinePolicy } from '../core/learn/benchmarks';
import { criterionLabel, type Criterion } from '../core/learn/criterion';
import { defaultCriterion, gateFromPnl, simulatorPaths, type GateResult } from '../core/learn/evaluate';
import { runHedge, type HedgePolicy } from '../core/learn/hedging';
import { importPolicy, type PolicyModelJson } from '../core/learn/network';
import { entropicRisk, expectedShortfall, meanEstimate, type Estimate } from '../core/learn/risk';
import { pathVolOf, type HedgingProblem } from '../core/learn/train';
import { dailyReturnsBetween, HISTORY_TEST } from './historyTrain';
import { sessionPaths } from './sessionReturns';
import { deribitTestPaths, isDeribitSimulator } from './deribitPaths';
import { dirname } from 'node:path';

export interface CompareInput {
  problem: HedgingProblem;
  /** The model to compare, with its label (`model 3 "B1 ntb"`); null compares the baselines only. */
  model: { json: PolicyModelJson; policy: string; label: string } | null;
  simulator: SimulatorNameDto;
  paths: number;
  seed: number;
  bins: number;
  /** Hourly BTC closes (the Bitstamp file layout) for the bootstrap simulator. */
  historyFile?: string;
  /** The `session` simulator: step returns of a session's held-out part, bootstrapped raw (learn/sessionReturns.ts). */
  session?: { returns: number[]; blockLength: number; description: string };
  /** The model's gate criterion (the trader's); default entropic with the problem's λ. */
  criterion?: Criterion;
}

export interface CompareOutput {
  rows: PolicyComparisonDto[];
  gate: GateDto | null;
  notes: string[];
}

const BASELINE_LABELS: Record<(typeof BASELINE_NAMES)[number], string> = {
  none: 'no hedge',
  'bs-delta': 'Black-Scholes delta',
  ww: 'Whalley–Wilmott band',
  leland: 'Leland',
};

const estimate = (e: Estimate): EstimateDto => ({ value: e.value, standardError: e.standardError });

/** A gate result as the API shows it: with its criterion named, the test paths and their path model. */
export function gateDtoOf(result: GateResult, paths: number, seed: number, simulator: SimulatorNameDto): GateDto {
  return {
    baseline: 'ww', criterion: result.criterion, criterionLabel: criterionLabel(result.criterion), difference: estimate(result.difference),
    passed: result.passed, paths, seed, simulator,
  };
}

/**
 * Shared bins over every policy's P&L: from the 0.1 % to the 99.9 % quantile of all of them pooled, so one far
 * tail does not squeeze the rest into a bin or two; values outside fall into the first or last bin (said in notes).
 */
export function sharedHistograms(samples: readonly Float64Array[], bins: number): HistogramDto[] {
  const pooled = new Float64Array(samples.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of samples) {
    pooled.set(s, at);
    at += s.length;
  }
  pooled.sort();
  const q = (p: number): number => pooled[Math.min(pooled.length - 1, Math.max(0, Math.floor(p * (pooled.length - 1))))]!;
  let lo = q(0.001);
  let hi = q(0.999);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return samples.map((s) => {
    const counts = new Array<number>(bins).fill(0);
    for (let i = 0; i < s.length; i++) {
      const k = Math.floor((s[i]! - lo) / width);
      counts[k < 0 ? 0 : k >= bins ? bins - 1 : k]!++;
    }
    return { edges, counts };
  });
}

export function comparePolicies(input: CompareInput): CompareOutput {
  const { problem, simulator, paths, seed } = input;
  const notes: string[] = [];
  let observed: { returns: Float64Array; blockLength: number } | undefined;
  if (simulator === 'bootstrap') {
    if (!input.historyFile) throw new Error('bootstrap test paths need a history file of hourly BTC closes');
    if (Math.abs(problem.dt - 1 / 365) > 1e-12) throw new Error(`bootstrap test paths are daily; this problem steps every ${problem.dt} years`);
    if (!existsSync(input.historyFile)) throw new Error(`the history file ${input.historyFile} does not exist`);
    const history = dailyReturnsBetween(input.historyFile, HISTORY_TEST.fromMs, HISTORY_TEST.toMs);
    observed = { returns: history.returns, blockLength: 5 };
    notes.push(`bootstrap: 5-day blocks of ${history.returns.length} daily BTC returns of 2021–2022, rescaled to σ = ${pathVolOf(problem)}${problem.pathVol !== undefined ? ` (the vol the paths move at; hedged at ${problem.sigma})` : ''}${history.badRows > 0 ? `; ${history.badRows} bad rows of the file skipped` : ''}`);
  }
  let set;
  let pathImpliedVol: Float64Array | undefined;
  if (isDeribitSimulator(simulator)) {
    // Deribit's perpetual (learn/deribitPaths.ts): its files sit beside the BTC history file.
    if (!input.historyFile) throw new Error(`${simulator} test paths need the shared data folder (beside the BTC history file)`);
    const deribit = deribitTestPaths(problem, simulator, paths, seed, dirname(input.historyFile));
    set = deribit.set;
    pathImpliedVol = deribit.pathImpliedVol;
    notes.push(...deribit.notes);
  } else if (simulator === 'session') {
    if (!input.session) throw new Error('session test paths need the held-out returns of a session');
    set = sessionPaths(problem, input.session.returns, input.session.blockLength, paths, seed);
    notes.push(`session: ${input.session.blockLength}-step blocks of the ${input.session.returns.length} held-out step returns (not rescaled) of ${input.session.description}; the policies never saw them`);
  } else {
    if (simulator !== 'gbm') notes.push(`test paths from ${simulator}, not from the Black-Scholes model the policies assume: out of sample by model`);
    set = simulatorPaths(problem, simulator, paths, seed, observed);
  }
  const policies: { policy: string; label: string; rule: HedgePolicy }[] = [];
  let model: HedgePolicy | null = null;
  if (input.model) {
    model = importPolicy(input.model.json).policy;
    policies.push({ policy: input.model.policy, label: input.model.label, rule: model });
  }
  for (const name of BASELINE_NAMES) policies.push({ policy: name, label: BASELINE_LABELS[name], rule: baselinePolicy(name, problem) });
  // One run per policy gives the P&L for the histogram and every criterion (evaluate.ts's definitions).
  const outcomes = policies.map((p) => runHedge(set, problem.contract, p.rule, { cost: problem.cost, impliedVol: problem.sigma, ...(pathImpliedVol ? { pathImpliedVol } : {}) }));
  const histograms = sharedHistograms(outcomes.map((o) => o.pnl), input.bins);
  const rows = policies.map((p, i): PolicyComparisonDto => {
    const o = outcomes[i]!;
    return {
      policy: p.policy,
      label: p.label,
      indifferencePrice: estimate(entropicRisk(o.pnl, problem.lambda)),
      expectedShortfall99: estimate(expectedShortfall(o.pnl, 0.99)),
      meanCost: estimate(meanEstimate(o.cost)),
      turnover: estimate(meanEstimate(o.turnover)),
      meanPnl: estimate(meanEstimate(o.pnl)),
      histogram: histograms[i]!,
    };
  });
  let gate: GateDto | null = null;
  if (model) {
    // The gate of evaluate.ts (`gateAgainstWhalleyWilmott`) on the P&L already simulated: the paired difference to the
    // band under the criterion below zero by more than two standard errors. Running it again would hedge every path twice more.
    const band = policies.findIndex((p) => p.policy === 'ww');
    gate = gateDtoOf(gateFromPnl(outcomes[0]!.pnl, outcomes[band]!.pnl, input.criterion ?? defaultCriterion(problem)), paths, seed, simulator);
  }
  const none = rows.find((r) => r.policy === 'none')!;
  const best = rows.reduce((a, b) => (b.indifferencePrice.value < a.indifferencePrice.value ? b : a));
  if (best.policy === 'none' || none.indifferencePrice.value - best.indifferencePrice.value < 2 * Math.hypot(none.indifferencePrice.standardError, best.indifferencePrice.standardError)) {
    notes.push('no hedge is within two standard errors of the best policy here: this problem barely rewards hedging');
  }
  notes.push('histogram: shared bins from the 0.1 % to the 99.9 % quantile of all policies pooled; values outside count in the end bins');
  return { rows, gate, notes };
}
