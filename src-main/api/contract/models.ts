/**
 * Models domain: learned hedge policies (issue 14) stored in SQLite with their spec, seeds, data range, metrics and
 * gate result; training them in a worker thread with progress and cancel; comparing a model against the classical
 * hedges on the same test paths (a job on the jobs pool); deleting and exporting them (app/modelsService.ts).
 *
 * A model can be chosen as the hedge advisor's policy (`hedge.settings.set` with `policy: 'learned'`, `modelId`)
 * only when it passed its gate on the trader's criterion (`models.criterion`: entropic, ES or mean–variance): it beat
 * the Whalley–Wilmott band out of sample on that criterion by more than two paired standard errors
 * (core/learn/evaluate.ts `gateAgainstWhalleyWilmott`). A model keeps one gate per criterion; `models.gate` adds one.
 */
import type { Criterion } from '../../core/learn/criterion';
import type { Currency } from '../../core/market/events';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

/** A Monte Carlo estimate with its standard error. */
export interface EstimateDto {
  value: number;
  standardError: number;
}

/**
 * The trader's criterion (core/learn/criterion.ts): entropic risk with λ, expected shortfall of the loss at α, or
 * mean–variance with risk aversion a. Lower is better for each.
 */
export type CriterionDto = Criterion;

/**
 * The gate: the model's criterion minus the Whalley–Wilmott band's on the same test paths (paired); passed when below
 * zero by more than two paired standard errors. Gates stored before the criterion was a choice are entropic.
 */
export interface GateDto {
  baseline: 'ww';
  criterion: CriterionDto;
  /** "ES 99 %", "entropic λ 1", "mean–variance a 1". */
  criterionLabel: string;
  difference: EstimateDto;
  passed: boolean;
  paths: number;
  seed: number;
  /** Path model of the test paths (the training model unless said otherwise). */
  simulator: SimulatorNameDto;
}

/**
 * Where the paths come from:
 * - `benchmark`: B1 (Buehler et al. 2019 §5.3) or B2 (Imaki et al. 2021), their default cost unless `cost`;
 * - `market`: Black-Scholes paths calibrated to the current market of `currency`: σ = the ATM implied vol of the
 *   expiry nearest `maturityDays` (the realized-vol estimate is reported beside it), S0 = K = 1, daily rebalancing,
 *   cost = the perpetual's half-spread + taker fee unless `cost`;
 * - `history` (training only): block-bootstrapped daily BTC returns of 2018–2020 (the app's history file), a
 *   `maturityDays` ATM call priced at those years' realized vol, cost 5 bp unless `cost`; gated on 2021–2022.
 *   `series: 'deribit'`: Deribit BTC-PERPETUAL daily closes instead, 2018-08-14..2020-12-31 train, 2021-01-01..
 *   2026-01-30 gate (learn/historySeries.ts).
 */
export type PathSourceDto =
  | { type: 'benchmark'; benchmark: 'B1' | 'B2'; cost?: number }
  | { type: 'market'; currency: Currency; maturityDays?: number; cost?: number }
  | { type: 'history'; maturityDays?: number; cost?: number; series?: 'bitstamp' | 'deribit' }
  | SessionSourceDto;

/**
 * `session`: a recorded session's index of `currency` sampled every `intervalSeconds` (default 60), log returns
 * split chronologically 70 % / 30 % (learn/sessionReturns.ts); a short ATM call maturing after `maturityIntervals`
 * (default 60) intervals, rebalanced every `rebalanceIntervals` (default 1), priced at the training part's realized
 * vol, cost 5 bp unless `cost`. Training bootstraps the first 70 %; the gate and `models.compare` the last 30 %.
 */
export interface SessionSourceDto {
  type: 'session';
  sessionId: number;
  currency: Currency;
  intervalSeconds?: number;
  maturityIntervals?: number;
  rebalanceIntervals?: number;
  cost?: number;
}

/** What a session source read: the session, both spans, and the problem's parameters. */
export interface SessionSpansDto {
  sessionId: number;
  sessionName: string;
  currency: Currency;
  intervalMs: number;
  trainFromMs: number;
  trainToMs: number;
  trainReturns: number;
  testFromMs: number;
  testToMs: number;
  testReturns: number;
  /** Grid points that repeated the previous index (no new index in the interval). */
  staleSamples: number;
  realizedVol: number;
  maturityIntervals: number;
  rebalanceIntervals: number;
  blockSteps: number;
  /** One line naming the session and both spans. */
  spans: string;
}

/**
 * Test-path models: the training model (gbm), Heston, Merton jumps, block-bootstrapped BTC returns 2021–2022, or
 * Deribit's BTC-PERPETUAL (learn/deribitPaths.ts): `deribit-hourly` (hourly 2026, each path hedged at its anchor
 * hour's DVOL, at most 7 days) and `deribit-daily` (daily 2021-03-24..2026-01-30, rescaled to the problem's σ).
 */
export type SimulatorNameDto = 'gbm' | 'heston' | 'merton' | 'bootstrap' | 'session' | 'deribit-hourly' | 'deribit-daily';

/** The hedging problem the paths pose (core/learn/train.ts `HedgingProblem`), and how it was calibrated. */
export interface ProblemDto {
  s0: number;
  sigma: number;
  dt: number;
  strike: number;
  maturityYears: number;
  isCall: boolean;
  cost: number;
  lambda: number;
  /** Vol of the simulated paths when it is not `sigma` (a market problem: the realized-vol estimate); absent: `sigma`. */
  pathVol?: number;
  /** One line: "B1 (Buehler et al. 2019 §5.3)" or "BTC market 2026-12-01 08:00: ATM IV 0.5512 (27DEC26), …". */
  description: string;
  /** `market` source only: the ATM IV used and the realized-vol estimate beside it (null when none yet). */
  calibration: { currency: Currency; atmIv: number; expiry: string; realizedVol: number | null; realizedVolSource: string; perpetualCost: number | null; marketTimeMs: number } | null;
  /** `session` source only. */
  session?: SessionSpansDto;
}

export interface ModelSummaryDto {
  id: number;
  name: string;
  kind: 'ntb' | 'ffn';
  /** `B1`, `B2` or `market:BTC`. */
  benchmark: string;
  createdMs: number;
  seeds: Record<string, number>;
  dataRange: string;
  /** Training and test metrics (validation risk, steps, stop reason, test indifference price, …). */
  metrics: Record<string, unknown>;
  /** Whether it passed the gate it was trained with (`gate`). */
  passedGate: boolean;
  /** The gate of its training run (under the criterion of that time), as training measured it: a re-gate never changes it. */
  gate: GateDto | null;
  /**
   * The latest gate result per criterion (training or re-gate; what the advisor goes by), in stored order: the
   * training run's criterion first, a re-gate updating its criterion in place (decision 0036).
   */
  gates: GateDto[];
  /** Whether it has a passed gate on the trader's current criterion: only then may the hedge advisor use it. */
  passedCurrent: boolean;
  /**
   * The network reads the hedge's P&L so far (input hedge_pnl, decision 0037): it serves benchmarks and
   * comparisons; the advisor refuses it whatever its gates.
   */
  pathDependent: boolean;
  /** Currencies whose hedge advisor uses this model now. */
  inUse: Currency[];
}

/** A histogram of per-path hedged P&L: `edges` has one more entry than `counts`; shared edges across policies. */
export interface HistogramDto {
  edges: number[];
  counts: number[];
}

export interface PolicyComparisonDto {
  /** `model:<id>` or a baseline name: none, bs-delta, ww, leland. */
  policy: string;
  label: string;
  /** Entropic risk of the hedged P&L = the indifference price of the short option. */
  indifferencePrice: EstimateDto;
  /** Expected shortfall of the loss at 99 %. */
  expectedShortfall99: EstimateDto;
  meanCost: EstimateDto;
  /** Mean Σ |Δposition|, units of underlying. */
  turnover: EstimateDto;
  meanPnl: EstimateDto;
  histogram: HistogramDto;
}

export interface ComparisonDto {
  problem: ProblemDto;
  simulator: SimulatorNameDto;
  paths: number;
  seed: number;
  rows: PolicyComparisonDto[];
  /** The model's paired difference to the Whalley–Wilmott band on these paths (null without a model). */
  gate: GateDto | null;
  /** What to keep in mind reading it (e.g. B2 barely rewards hedging; test paths from another model). */
  notes: string[];
}

export interface TrainProgressDto {
  /** 0..1 of the step or time budget, whichever is further along. */
  fraction: number;
  step: number;
  trainRisk: number;
  validationRisk: number | null;
  bestValidationRisk: number;
  bestStep: number;
}

/** A training or comparison job; the `modelJobs` stream carries them all, newest first. */
export interface ModelJobDto {
  id: string;
  type: 'train' | 'compare' | 'gate';
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** "train ntb on B1", "compare model 3 on heston paths". */
  label: string;
  /** Market-clock ms (the app's injected clock). */
  startedMs: number;
  finishedMs: number | null;
  problem: ProblemDto | null;
  /** Training only. */
  progress: TrainProgressDto | null;
  /** Training: the stored model (also after a cancel: the best checkpoint is kept). */
  modelId: number | null;
  stopReason: 'finished' | 'time' | 'cancelled' | null;
  /** Comparison only. */
  comparison: ComparisonDto | null;
  /** Re-gate only: the gate result (stored with the model). */
  gate?: GateDto | null;
  error: string | null;
}

/** `models.export`: the model JSON (format gammadesk-hedge-policy v1) as text, and a file name to save it under. */
export interface ModelExportDto {
  fileName: string;
  text: string;
}

const currency = v.literal('BTC', 'ETH');
const modelId = v.number({ min: 1, max: Number.MAX_SAFE_INTEGER, integer: true });
const cost = v.optional(v.number({ min: 0, max: 0.1 }));
const maturityDays = v.optional(v.number({ min: 1, max: 365, integer: true }));
const benchmarkSource = { type: v.literal('benchmark'), benchmark: v.literal('B1', 'B2'), cost };
const marketSource = { type: v.literal('market'), currency, maturityDays, cost };
const sessionSource = {
  type: v.literal('session'),
  sessionId: v.number({ min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }),
  currency,
  intervalSeconds: v.optional(v.number({ min: 1, max: 86_400, integer: true })),
  maturityIntervals: v.optional(v.number({ min: 1, max: 100_000, integer: true })),
  rebalanceIntervals: v.optional(v.number({ min: 1, max: 10_000, integer: true })),
  cost,
};
const source = v.variant('type', [benchmarkSource, marketSource, sessionSource]);
const trainSource = v.variant('type', [benchmarkSource, marketSource, { type: v.literal('history'), maturityDays, cost, series: v.optional(v.literal('bitstamp', 'deribit')) }, sessionSource]);
const simulator = v.literal('gbm', 'heston', 'merton', 'bootstrap', 'deribit-hourly', 'deribit-daily');
const criterion = v.variant('kind', [
  { kind: v.literal('entropic'), lambda: v.number({ min: 1e-6, max: 1e6 }) },
  { kind: v.literal('es'), alpha: v.number({ min: 0.5, max: 0.9999 }) },
  { kind: v.literal('mean-variance'), riskAversion: v.number({ min: 0, max: 1e6 }) },
]);
const jobId = v.string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ });

export const modelsCommands = {
  'models.list': { params: v.object({}), result: typed<ModelSummaryDto[]>() },
  /**
   * Starts training in a worker thread; progress on `modelJobs`. When it ends (finished, time or cancel) the best
   * validated checkpoint is gated against the Whalley–Wilmott band on `testPaths` fresh paths (seed `testSeed`) and
   * stored under `name`.
   */
  'models.train': {
    params: v.object({
      name: v.string({ maxLength: 200, pattern: /\S/ }),
      kind: v.literal('ntb', 'ffn'),
      source: trainSource,
      seed: v.optional(v.number({ min: 0, max: 2 ** 31, integer: true })),
      maxSteps: v.optional(v.number({ min: 1, max: 100_000, integer: true })),
      maxSeconds: v.optional(v.number({ min: 1, max: 3600 })),
      batch: v.optional(v.number({ min: 16, max: 65_536, integer: true })),
      validationPaths: v.optional(v.number({ min: 100, max: 200_000, integer: true })),
      testPaths: v.optional(v.number({ min: 1000, max: 1_000_000, integer: true })),
      testSeed: v.optional(v.number({ min: 0, max: 2 ** 31, integer: true })),
    }),
    result: typed<ModelJobDto>(),
  },
  /** Stops a training job after its current step (the best checkpoint is still gated and stored). */
  'models.cancel': { params: v.object({ id: jobId }), result: typed<ModelJobDto>() },
  /**
   * Compares a model (or only the baselines) with none, bs-delta, ww and leland on the same test paths, as a job on
   * the jobs pool; the result is on `modelJobs`. Without `source` the model's own training problem is used.
   */
  'models.compare': {
    params: v.object({
      modelId: v.optional(modelId),
      source: v.optional(source),
      simulator: v.optional(simulator),
      paths: v.optional(v.number({ min: 1000, max: 1_000_000, integer: true })),
      seed: v.optional(v.number({ min: 0, max: 2 ** 31, integer: true })),
      bins: v.optional(v.number({ min: 5, max: 200, integer: true })),
    }),
    result: typed<ModelJobDto>(),
  },
  /**
   * Re-gates a stored model against the Whalley–Wilmott band on fresh test paths of its own problem (Black-Scholes
   * at its vol; a session model: its held-out part; a history model: its series' test years, Bitstamp 2021–2022 or
   * Deribit 2021-01-01..2026-01-30) under `criterion` (default: the trader's), as a job on the jobs pool; the result
   * is stored with the model (one gate per criterion) and is on `modelJobs`. `seed` must not be a training seed.
   */
  'models.gate': {
    params: v.object({
      id: modelId,
      criterion: v.optional(criterion),
      paths: v.optional(v.number({ min: 1000, max: 1_000_000, integer: true })),
      seed: v.optional(v.number({ min: 0, max: 2 ** 31, integer: true })),
    }),
    result: typed<ModelJobDto>(),
  },
  /** The trader's criterion: what a learned policy must beat the band on before the hedge advisor uses it. */
  'models.criterion': { params: v.object({}), result: typed<CriterionDto>() },
  /**
   * Sets the trader's criterion (persisted). A learned policy in use whose model has not passed under it stops
   * proposing and says why, until it is re-gated and passes or another policy is chosen.
   */
  'models.setCriterion': { params: v.object({ criterion }), result: typed<CriterionDto>() },
  /** Refused while a hedge advisor uses the model. */
  'models.delete': { params: v.object({ id: modelId }), result: typed<ModelSummaryDto[]>() },
  'models.export': { params: v.object({ id: modelId }), result: typed<ModelExportDto>() },
} as const satisfies CommandTable;

export const modelsTopics = {
  /** Stored models, newest first (republished when one is added or deleted, or the hedge settings change). */
  models: { params: v.object({}), payload: typed<ModelSummaryDto[]>() },
  /** Training and comparison jobs of this app run, newest first. */
  modelJobs: { params: v.object({}), payload: typed<ModelJobDto[]>() },
} as const satisfies TopicTable;
