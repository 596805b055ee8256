/**
 * The Models view's service (API domain `models`, api/contract/models.ts): learned hedge policies stored in SQLite
 * (store/models.ts), trained in a worker thread with progress and cancel (learn/trainJob.ts), gated against the
 * Whalley–Wilmott band on fresh test paths once training ends, compared with the classical hedges as a job on the
 * jobs pool (workers/modelsCompareTask.ts), deleted and exported; and the loaded models the hedge advisor's learned
 * policy runs.
 *
 * Training sources: a benchmark (B1, B2), or Black-Scholes paths calibrated to the current market (the ATM implied
 * vol of the expiry nearest the maturity, the realized-vol estimate reported beside it, the perpetual's cost).
 * Whatever ends a training run (its budget or a cancel), the best validated checkpoint is gated and stored.
 */
import type { CriterionDto, GateDto, ModelExportDto, ModelJobDto, ModelSummaryDto, PathSourceDto, ProblemDto, SessionSourceDto } from '../api/contract/models';
import type { CommandParams } from '../api/contract';
import { ApiException } from '../api/errors';
import { proportionalCost } from '../core/hedge/deltaPolicies';
import type { LoadedModel } from '../core/hedge/settings';
import { PATH_DEPENDENT_REFUSAL } from '../core/hedge/learnedPolicy';
import type { LiveRealizedSnapshot } from '../core/forecast/liveRealized';
import { benchmarkProblem } from '../core/learn/benchmarks';
import { criterionKey, criterionLabel, type Criterion } from '../core/learn/criterion';
import { importPolicy, type PolicyModelJson } from '../core/learn/network';
import type { Estimate } from '../core/learn/risk';
import type { HedgingProblem } from '../core/learn/train';
import type { Currency } from '../core/market/events';
import { hedgeMarketFrom } from '../engine/hedgeInputs';
import type { MarketState } from '../engine/marketState';
import { DERIBIT_HOURLY_MAX_DAYS } from '../core/learn/deribitSeries';
import { gateDtoOf } from '../learn/compare';
import type { RegateInput } from '../learn/regate';
import { problemDto } from '../learn/problemDto';
import { SessionReturnsError, sessionRow } from '../learn/sessionReturns';
import { readSessionSource, sessionOptionsProblem, sessionSourceOf, type SessionSourceRead } from '../learn/sessionSource';
import type { HistorySeries } from '../learn/historySeries';
import { startTrainWorker, type TrainJobInput, type TrainJobMessage, type TrainWorkerHandle } from '../learn/trainJob';
import type { Db } from '../store/database';
import { ModelRepository, type NewModel, type StoredGate, type StoredModelSummary } from '../store/models';
import type { HedgeSettingsStore, ModelGate } from './hedgeSettings';
import type { ApiHub, CommandHandlers, TopicResolvers } from './hub';
import type { JobsPool } from './jobsPool';

export interface ModelsServiceDeps {
  db: Db;
  hub: ApiHub;
  hedgeSettings: () => HedgeSettingsStore;
  jobsPool: JobsPool;
  /** The training worker entry: out/main/trainWorker.cjs, or the TypeScript source in tests. */
  trainWorker: { file: string; execArgv?: string[] };
  /** The current market (replaced when the source changes). */
  market: () => MarketState;
  /** The live realized-vol estimate of a currency (the Surface view's), null when none yet. */
  realized: (currency: Currency) => LiveRealizedSnapshot | null;
  /** Market time (the injected feed clock), ms. */
  nowMs: () => number;
  /** Hourly BTC closes for bootstrapped test paths (2021–2022); null: the bootstrap simulator is unavailable. */
  historyFile: string | null;
  /** The better-sqlite3 binary the database was opened with (Electron's ABI): the jobs thread opens it too. */
  nativeBinding?: string;
  /** A stored model changed (deleted, re-gated) or the criterion did: the advisor recomputes. */
  onModelsChanged?: () => void;
}

/** Defaults of a training run from the app (the CLI's are the same). */
export const TRAIN_DEFAULTS = Object.freeze({ seed: 1, maxSteps: 600, maxSeconds: 180, testPaths: 100_000, testSeed: 1000 });
export const COMPARE_DEFAULTS = Object.freeze({ simulator: 'gbm' as const, paths: 50_000, seed: 1000, bins: 40 });
/** A re-gate's defaults: the training gate's path count and seed, so the same paths are drawn under another criterion. */
export const GATE_DEFAULTS = Object.freeze({ paths: 100_000, seed: 1000 });
/** Maturity of market-calibrated paths when none is asked for, days. */
export const MARKET_MATURITY_DAYS = 30;
/** Proportional cost of market-calibrated paths when the perpetual has no two-sided quote: 5 bp. */
export const FALLBACK_PERPETUAL_COST = 5e-4;

const estimate = (e: Estimate): { value: number; standardError: number } => ({ value: e.value, standardError: e.standardError });

/** The problem a stored summary describes (metrics.problem), or null for models stored before it was recorded. */
function problemOf(summary: StoredModelSummary, json: PolicyModelJson): HedgingProblem | null {
  const p = (summary.metrics['problem'] ?? json.training['problem']) as Partial<ProblemDto & HedgingProblem> | undefined;
  if (!p || typeof p.s0 !== 'number' || typeof p.sigma !== 'number' || typeof p.dt !== 'number' || typeof p.cost !== 'number' || typeof p.lambda !== 'number') return null;
  const contract = p.contract ?? (typeof p.strike === 'number' && typeof p.maturityYears === 'number' ? { strike: p.strike, maturity: p.maturityYears, isCall: p.isCall ?? true } : null);
  return contract ? { s0: p.s0, sigma: p.sigma, dt: p.dt, contract, cost: p.cost, lambda: p.lambda, ...(typeof p.pathVol === 'number' ? { pathVol: p.pathVol } : {}) } : null;
}

export { problemDto };

/**
 * Black-Scholes paths calibrated to a currency's market: the option is priced and hedged at σ = the ATM mark IV (call
 * and put at the strike nearest the forward, averaged) of the live expiry nearest `maturityDays`, and the paths move at
 * the currency's live realized-vol estimate (`pathVol`: the live forecast, else EWMA) — the trader sells implied and
 * lives through realized; without an estimate yet the paths move at the ATM IV and the description says so. The
 * perpetual's half-spread + taker fee as the cost. Throws a clear error when the market has no such quotes yet.
 */
export function marketProblem(market: MarketState, currency: Currency, maturityDays: number, cost: number | undefined, realized: LiveRealizedSnapshot | null): { problem: HedgingProblem; dto: ProblemDto } {
  const state = market.currencies.get(currency);
  const expiries = (state?.sortedExpiries() ?? []).filter((e) => e.expiryMs > market.timeMs && e.forward() !== null);
  if (expiries.length === 0) throw new ApiException('UNAVAILABLE', `no ${currency} option expiry with quotes in the current market: nothing to calibrate to`);
  const targetMs = market.timeMs + maturityDays * 86_400_000;
  const expiry = expiries.reduce((a, b) => (Math.abs(b.expiryMs - targetMs) < Math.abs(a.expiryMs - targetMs) ? b : a));
  const forward = expiry.forward()!.forwardUsd;
  const quoted = expiry.options.filter((o) => o.ticker && o.ticker.markIv > 0);
  if (quoted.length === 0) throw new ApiException('UNAVAILABLE', `${currency} ${expiry.label} has no mark IV yet`);
  const strike = quoted.reduce((a, b) => (Math.abs(b.def.strikeUsd - forward) < Math.abs(a.def.strikeUsd - forward) ? b : a)).def.strikeUsd;
  const atStrike = quoted.filter((o) => o.def.strikeUsd === strike);
  const atmIv = atStrike.reduce((sum, o) => sum + o.ticker!.markIv, 0) / atStrike.length;
  const hedge = hedgeMarketFrom(market, currency)?.instruments.find((i) => i.kind === 'perpetual') ?? null;
  const perpetualCost = hedge ? proportionalCost(hedge) : null;
  const estimate = realized?.forecastVol ?? realized?.estimates.ewma ?? null;
  const rv = estimate !== null && Number.isFinite(estimate) && estimate > 0 ? estimate : null;
  const problem: HedgingProblem = {
    s0: 1, sigma: atmIv, dt: 1 / 365, contract: { strike: 1, isCall: true, maturity: maturityDays / 365 },
    cost: cost ?? perpetualCost ?? FALLBACK_PERPETUAL_COST, lambda: 1, ...(rv !== null ? { pathVol: rv } : {}),
  };
  const when = new Date(market.timeMs).toISOString().slice(0, 16).replace('T', ' ');
  const description = `${currency} market ${when} UTC: priced and hedged at ATM IV ${atmIv.toFixed(4)} (${expiry.label}, strike ${strike}), paths at ${rv === null ? 'the ATM IV (no realized-vol estimate yet)' : `realized vol ${rv.toFixed(4)}`}, ${maturityDays}-day ATM call, daily rebalancing, cost ${(problem.cost * 1e4).toFixed(2)} bp${cost === undefined && perpetualCost === null ? ' (no perpetual quote: 5 bp assumed)' : ''}`;
  return {
    problem,
    dto: problemDto(problem, description, {
      currency, atmIv, expiry: expiry.label, realizedVol: rv, realizedVolSource: realized === null ? 'no live realized-vol estimate yet (open the Surface view)' : rv === null ? `the live estimate is not usable (${String(estimate)})` : realized.forecastVol !== null ? `live forecast (${realized.model})` : 'live EWMA',
      perpetualCost, marketTimeMs: market.timeMs,
    }),
  };
}

/** A session source's errors as the API answers them: an unknown session NOT_FOUND, the rest INVALID_ARGUMENT. */
function sessionApiError(error: unknown): unknown {
  return error instanceof SessionReturnsError ? new ApiException(error.notFound ? 'NOT_FOUND' : 'INVALID_ARGUMENT', error.message) : error;
}

/**
 * The hedging problem of a recorded session (learn/sessionSource.ts), read synchronously: for the CLI, where nothing
 * else waits. The app reads on the jobs pool instead (`ModelsService.readSession`). Errors: an unknown session is
 * NOT_FOUND, the rest (no such currency, too few samples) INVALID_ARGUMENT. `sessionName` (the CLI) finds the
 * session by name instead of `source.sessionId`.
 */
export function sessionProblemDto(db: Db, source: SessionSourceDto, sessionName?: string): { problem: HedgingProblem; dto: ProblemDto; label: string; steps: SessionSteps } {
  try {
    const read = readSessionSource(db, source, sessionName);
    return { problem: read.problem, dto: read.dto, label: read.label, steps: { trainSteps: Float64Array.from(read.trainSteps), testSteps: Float64Array.from(read.testSteps), blockLength: read.blockLength } };
  } catch (error) {
    throw sessionApiError(error);
  }
}

/** A session's step returns per part and the bootstrap block length. */
export interface SessionSteps {
  trainSteps: Float64Array;
  testSteps: Float64Array;
  blockLength: number;
}

/** The problem of a B3 model (core/learn/b3.ts), described for the store. */
export function b3ProblemDto(problem: HedgingProblem, days: number, simulator: string): ProblemDto {
  const paths = simulator === 'bootstrap'
    ? 'bootstrapped hourly BTC returns (train 2018–2020, test 2021–2022), priced at DVOL or trailing realized vol'
    : `Black-Scholes paths at σ ${problem.sigma}`;
  return problemDto(problem, `B3 (crypto): short ATM call, S0 = K = ${problem.s0}, ${days} days, hourly, perpetual at ${(problem.cost * 1e4).toFixed(2)} bp; ${paths}; ES 99 % of the seller's P&L`);
}

const BENCHMARK_TEXT = { B1: 'B1 (Buehler et al. 2019 §5.3): S0 = K = 100, σ 0.2, 30 days, daily', B2: 'B2 (Imaki et al. 2021): S0 = K = 1, σ 0.2, 30 days, daily' } as const;

/**
 * What is stored of a finished training run (the app and `gammadesk train --db` store the same): the model JSON,
 * seeds, data range, the training problem, training and test metrics, the Whalley–Wilmott comparison and the gate.
 */
export function storedModel(args: { name: string; label: string; problem: ProblemDto; seed: number; done: TrainJobMessage & { type: 'done' }; createdMs: number }): NewModel {
  const { problem, done } = args;
  if (!done.gate) throw new Error('the training run was not gated: nothing to store');
  const gate = done.gate;
  const gateDto = gateDtoOf(gate.result, gate.paths, gate.seed, gate.simulator);
  const report = (r: typeof gate.test) => ({
    indifferencePrice: estimate(r.indifferencePrice), expectedShortfall99: estimate(r.expectedShortfall99), meanCost: estimate(r.meanCost), turnover: estimate(r.turnover), meanPnl: estimate(r.meanPnl),
  });
  const training = done.model.training;
  return {
    name: args.name,
    benchmark: args.label,
    createdMs: args.createdMs,
    seeds: { init: args.seed, train: args.seed + 1, validation: args.seed + 2, test: gate.seed },
    dataRange: problem.session
      ? problem.session.spans
      : done.dataRange !== undefined
      ? done.dataRange
      : done.history
      ? `${done.history.seriesLabel ?? 'BTC'} daily returns ${day(done.history.trainFirstMs)}..${day(done.history.trainLastMs)} (training and validation, ${done.history.trainDays} days), tested on ${day(done.history.testFirstMs)}..${day(done.history.testLastMs)} (${done.history.testDays} days)`
      : problem.calibration
      ? `Black-Scholes paths ${problem.pathVol !== undefined ? `at realized vol ${problem.pathVol.toFixed(4)}, hedged at` : 'at'} the ${problem.calibration.currency} ATM IV ${problem.calibration.atmIv.toFixed(4)} (${problem.calibration.expiry}) of ${new Date(problem.calibration.marketTimeMs).toISOString()}`
      : `Black-Scholes paths, σ ${problem.sigma}, ${Math.round(problem.maturityYears * 365)} days`,
    metrics: {
      problem,
      steps: done.steps,
      stopReason: done.reason,
      trainingSeconds: done.elapsedMs / 1000,
      bestStep: training['best_step'],
      bestValidationEntropicRisk: training['best_validation_entropic_risk'],
      test: report(gate.test),
      whalleyWilmott: report(gate.whalleyWilmott),
      gate: gateDto,
      // B3: what `evaluate --benchmark B3` reports on the same test paths (ES ratio to delta, target verdict).
      ...(gate.b3 ? { b3: gate.b3, objective: training['objective'], bestValidationRisk: training['best_validation_risk'] } : {}),
    },
    passedGate: gate.result.passed,
    gates: [{ criterion: gate.result.criterion, passed: gate.result.passed, gate: { ...gateDto } }],
    model: done.model,
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The problem of a history-trained model, described from what the worker read. */
export function historyProblemDto(done: TrainJobMessage & { type: 'done' }): ProblemDto {
  const h = done.history!;
  return problemDto(done.problem, `${h.seriesLabel ?? 'BTC'} history: block bootstrap (5 days) of ${h.trainDays} daily returns ${day(h.trainFirstMs)}..${day(h.trainLastMs)}, ${Math.round(done.problem.contract.maturity * 365)}-day ATM call priced at their realized vol ${h.realizedVol.toFixed(4)}, cost ${(done.problem.cost * 1e4).toFixed(2)} bp; gated on ${h.testDays} days of ${day(h.testFirstMs)}..${day(h.testLastMs)}${h.badRows > 0 ? ` (${h.badRows} bad rows of the file skipped)` : ''}${(h.gaps ?? 0) > 0 ? `; ${h.gaps} gaps in the daily rows (no return or block across one)` : ''}`);
}

/** The problem of a benchmark as the models domain describes it. */
export function benchmarkProblemDto(benchmark: 'B1' | 'B2', cost?: number): { problem: HedgingProblem; dto: ProblemDto } {
  const problem = benchmarkProblem(benchmark, cost);
  return { problem, dto: problemDto(problem, `${BENCHMARK_TEXT[benchmark]}, cost ${problem.cost}, entropic λ 1`) };
}

/** A stored gate as the API shows it (gates stored before the criterion was a choice lack its label). */
function gateDtoOfStored(g: StoredGate): GateDto {
  return { ...(g.gate as unknown as GateDto), criterion: g.criterion, criterionLabel: criterionLabel(g.criterion), passed: g.passed };
}

/** The model's passed gate on `criterion`, or null. */
function passedOn(s: StoredModelSummary, criterion: Criterion): StoredGate | null {
  return s.gates.find((g) => g.passed && criterionKey(g.criterion) === criterionKey(criterion)) ?? null;
}

/** Test paths must be new: a seed the model was trained or validated with is refused. */
function checkTestSeed(model: StoredModelSummary, seed: number): void {
  if (Object.entries(model.seeds).some(([k, s]) => k !== 'test' && s === seed)) {
    throw new ApiException('INVALID_ARGUMENT', `seed ${seed} was used to train model ${model.id}: test paths must be new`);
  }
}

/** What a re-gate of a stored model runs on (the app's `models.gate` and `gammadesk models gate` alike). */
export interface RegatePlan {
  problem: HedgingProblem;
  dto: ProblemDto;
  criterion: Criterion;
  paths: number;
  seed: number;
  simulator: 'gbm' | 'bootstrap' | 'session' | 'deribit-daily';
  /** Where the test paths come from; a session is read first (its held-out part). */
  source: { kind: 'gbm' } | { kind: 'bootstrap'; historyFile: string; series: HistorySeries } | { kind: 'session'; session: SessionSourceDto };
}

/**
 * The daily series a history model was trained and gated on: Deribit BTC-PERPETUAL when its label, its recorded
 * history or its training gate says so (`history:BTC-PERPETUAL`, gated on `deribit-daily` paths), else Bitstamp.
 */
function historySeriesOf(summary: StoredModelSummary): HistorySeries {
  const history = summary.metrics['history'] as { series?: unknown } | undefined;
  const gate = summary.metrics['gate'] as { simulator?: unknown } | undefined;
  return summary.benchmark === 'history:BTC-PERPETUAL' || history?.series === 'deribit' || gate?.simulator === 'deribit-daily' ? 'deribit' : 'bitstamp';
}

/**
 * A re-gate's plan: the model's own problem, the test paths its training gate drew (Black-Scholes; the 2021–2022
 * returns for a history model; the held-out part of its session), `GATE_DEFAULTS` unless told. Refuses (ApiException)
 * a model without a recorded problem, a training seed as the test seed, a history model without the history file.
 */
export function regatePlan(summary: StoredModelSummary, json: PolicyModelJson, options: { criterion: Criterion; paths?: number; seed?: number }, historyFile: string | null): RegatePlan {
  const problem = problemOf(summary, json);
  if (!problem) throw new ApiException('INVALID_ARGUMENT', `model ${summary.id} does not record its training problem: it cannot be re-gated`);
  const paths = options.paths ?? GATE_DEFAULTS.paths;
  const seed = options.seed ?? GATE_DEFAULTS.seed;
  checkTestSeed(summary, seed);
  const dto = (summary.metrics['problem'] as ProblemDto | undefined) ?? problemDto(problem, `the training problem of model ${summary.id}`);
  const session = sessionSourceOf(dto);
  if (session) return { problem, dto, criterion: options.criterion, paths, seed, simulator: 'session', source: { kind: 'session', session } };
  if (summary.benchmark.startsWith('history:')) {
    const series = historySeriesOf(summary);
    if (historyFile === null) throw new ApiException('UNAVAILABLE', `model ${summary.id} was trained on BTC history and is gated on ${series === 'deribit' ? 'Deribit BTC-PERPETUAL 2021-01-01..2026-01-30' : '2021–2022'}: no BTC price history is configured`);
    return { problem, dto, criterion: options.criterion, paths, seed, simulator: series === 'deribit' ? 'deribit-daily' : 'bootstrap', source: { kind: 'bootstrap', historyFile, series } };
  }
  return { problem, dto, criterion: options.criterion, paths, seed, simulator: 'gbm', source: { kind: 'gbm' } };
}

/** What the advisor asks of a model, cached per id: undefined until first asked. */
interface AdvisorView {
  model?: LoadedModel | null;
  refusal?: string | null;
  /** The criterion (key) the refusal was worked out for. */
  refusalCriterion?: string;
}

interface Job {
  dto: ModelJobDto;
  handle: TrainWorkerHandle | null;
  /** Settles when the job's result has been handled (stored, published). */
  settled: Promise<void>;
}

export class ModelsService implements ModelGate {
  readonly repository: ModelRepository;
  private readonly jobs = new Map<string, Job>();
  private readonly loaded = new Map<number, { key: string; model: LoadedModel }>();
  private readonly advisor = new Map<number, AdvisorView>();
  private advisorStamp = '';
  private nextJob = 1;
  private disposed = false;

  constructor(private readonly deps: ModelsServiceDeps) {
    this.repository = new ModelRepository(deps.db);
  }

  private summaryDto(s: StoredModelSummary, current: Criterion): ModelSummaryDto {
    const { trainingGate, ...summary } = s;
    // `gate` is what training measured (decision 0036); `gates` the latest per criterion, which the advisor reads.
    return { ...summary, gate: trainingGate ? gateDtoOfStored(trainingGate) : null, gates: s.gates.map(gateDtoOfStored), passedCurrent: passedOn(s, current) !== null, inUse: this.deps.hedgeSettings().usersOf(s.id) };
  }

  list(): ModelSummaryDto[] {
    const current = this.criterion();
    return this.repository.list().map((s) => this.summaryDto(s, current));
  }

  private publishModels(): void {
    this.deps.hub.channel('models', 'all').publish(this.list());
  }

  private publishJobs(): void {
    this.deps.hub.channel('modelJobs', 'all').publish([...this.jobs.values()].map((j) => j.dto).reverse());
  }

  /** The hedge settings changed: the `inUse` of each model may have. */
  settingsChanged(): void {
    if (this.deps.hub.channel('models', 'all').current()) this.publishModels();
  }

  /** The trader's criterion (hedge settings store; entropic λ 1 until set). */
  /** Whether stored model `id` passed its gate on the trader's current criterion (what the advisor requires). */
  passesCurrentGate(id: number): boolean {
    const summary = this.repository.summary(id);
    return summary !== null && passedOn(summary, this.criterion()) !== null;
  }

  criterion(): CriterionDto {
    return this.deps.hedgeSettings().criterion();
  }

  /**
   * Sets the trader's criterion. The advisor recomputes: a learned policy whose model has not passed on the new
   * criterion proposes nothing and says why (the kernel asks `refusal`), until it is re-gated and passes.
   */
  setCriterion(criterion: CriterionDto): CriterionDto {
    const set = this.deps.hedgeSettings().setCriterion(criterion);
    this.deps.onModelsChanged?.();
    this.publishModels();
    return set;
  }

  /**
   * The advisor's view of model `id` (the kernel asks for it on every hedge computation), kept in memory until the
   * models or their gates change (`repository.changeStamp()`: this app's writes, another process's commits) or, for
   * the refusal, the trader's criterion does.
   */
  private advisorView(id: number): AdvisorView {
    const stamp = this.repository.changeStamp();
    if (stamp !== this.advisorStamp) {
      this.advisor.clear();
      this.advisorStamp = stamp;
    }
    let view = this.advisor.get(id);
    if (!view) {
      view = {};
      this.advisor.set(id, view);
    }
    return view;
  }

  /**
   * Why model `id` may not hedge now: unknown, not gated on the trader's criterion, or gated and not passed. Served
   * from memory while nothing it depends on changed (`advisorView`).
   */
  refusal(id: number): string | null {
    const view = this.advisorView(id);
    const criterion = criterionKey(this.criterion());
    if (view.refusal === undefined || view.refusalCriterion !== criterion) {
      view.refusal = this.readRefusal(id);
      view.refusalCriterion = criterion;
    }
    return view.refusal;
  }

  private readRefusal(id: number): string | null {
    const s = this.repository.summary(id);
    if (!s) return `model ${id} does not exist`;
    if (s.pathDependent) return `model ${id} "${s.name}": ${PATH_DEPENDENT_REFUSAL}`;
    const current = this.criterion();
    const label = criterionLabel(current);
    const gate = s.gates.find((g) => criterionKey(g.criterion) === criterionKey(current));
    if (!gate) {
      const others = s.gates.map((g) => `${criterionLabel(g.criterion)} ${g.passed ? 'passed' : 'not passed'}`).join(', ');
      return `model ${id} "${s.name}" has no gate on ${label}, the trader's criterion (${others === '' ? 'it was never gated' : `its gates: ${others}`}); re-gate it on ${label} or choose another policy`;
    }
    if (!gate.passed) {
      const d = gateDtoOfStored(gate);
      const what = current.kind === 'entropic' ? 'indifference price' : label;
      return `model ${id} "${s.name}" did not pass its gate: its ${what} minus the Whalley–Wilmott band's was ${d.difference.value.toPrecision(4)} ± ${d.difference.standardError.toPrecision(2)} on ${d.paths} test paths, not below zero by two standard errors (the trader's criterion: ${label}); only a model that beat the Whalley–Wilmott band out of sample can hedge`;
    }
    return null;
  }

  /** The model the learned policy runs: served from memory while the models and gates are unchanged (`advisorView`). */
  model(id: number): LoadedModel | null {
    const view = this.advisorView(id);
    if (view.model === undefined) view.model = this.loadModel(id);
    return view.model;
  }

  /**
   * Model `id` read and parsed; a network parsed before is reused when the stored row's name and time are the same
   * (a re-gate changes the gates, not the weights). A model deleted elsewhere (`gammadesk models delete`) may have its
   * id reused by SQLite for a new one: that one has another name or time.
   */
  private loadModel(id: number): LoadedModel | null {
    const s = this.repository.summary(id);
    if (!s) return null;
    const key = `${s.createdMs}/${s.name}`;
    const cached = this.loaded.get(id);
    if (cached?.key === key) return cached.model;
    const json = this.repository.model(id);
    if (!json) return null;
    const model: LoadedModel = { network: importPolicy(json).policy, model: { id, name: s.name } };
    this.loaded.set(id, { key, model });
    return model;
  }

  /**
   * A session source, read on the jobs pool (decision 0029): the session's row and the options are checked now
   * (NOT_FOUND / INVALID_ARGUMENT at once); the read, the sampling and what they find wrong (no such currency, too
   * short) happen on the jobs thread and fail the job with the same message. An in-memory database cannot be opened
   * by another thread: it is read here (tests only).
   */
  private readSession(source: SessionSourceDto): Promise<SessionSourceRead> {
    try {
      sessionRow(this.deps.db, source.sessionId);
    } catch (error) {
      throw sessionApiError(error);
    }
    const problem = sessionOptionsProblem(source);
    if (problem) throw new ApiException('INVALID_ARGUMENT', problem);
    if (this.deps.db.memory) {
      try {
        return Promise.resolve(readSessionSource(this.deps.db, source));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    return this.deps.jobsPool.start('sessionRead', { dbFile: this.deps.db.name, ...(this.deps.nativeBinding ? { nativeBinding: this.deps.nativeBinding } : {}), source }).done;
  }

  /** A benchmark's or the market's problem, now; a session's once read (a promise). */
  private problemFor(source: Exclude<PathSourceDto, { type: 'history' | 'session' }>): { problem: HedgingProblem; dto: ProblemDto; label: string } {
    if (source.type === 'benchmark') return { ...benchmarkProblemDto(source.benchmark, source.cost), label: source.benchmark };
    const { problem, dto } = marketProblem(this.deps.market(), source.currency, source.maturityDays ?? MARKET_MATURITY_DAYS, source.cost, this.deps.realized(source.currency));
    return { problem, dto, label: `market:${source.currency}` };
  }

  private newJob(type: ModelJobDto['type'], label: string, problem: ProblemDto | null): Job {
    const id = `${type}-${this.nextJob++}`;
    const job: Job = {
      handle: null,
      settled: Promise.resolve(),
      dto: { id, type, state: 'running', label, startedMs: this.deps.nowMs(), finishedMs: null, problem, progress: null, modelId: null, stopReason: null, comparison: null, gate: null, error: null },
    };
    this.jobs.set(id, job);
    return job;
  }

  private finish(job: Job, change: Partial<ModelJobDto>): void {
    job.dto = { ...job.dto, ...change, finishedMs: this.deps.nowMs() };
    job.handle = null;
    this.publishJobs();
  }

  /** Fails a job whose first stage (reading a session) failed, with that stage's message. */
  private failed(job: Job): (error: unknown) => void {
    return (error) => {
      if (!this.disposed && job.dto.state === 'running') this.finish(job, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
    };
  }

  train(params: CommandParams<'models.train'>): ModelJobDto {
    const name = params.name.trim();
    if (this.repository.hasName(name)) throw new ApiException('INVALID_ARGUMENT', `a model named "${name}" is stored already: choose another name`);
    if ([...this.jobs.values()].some((j) => j.dto.state === 'running' && j.dto.type === 'train' && j.dto.label.endsWith(`"${name}"`))) {
      throw new ApiException('INVALID_ARGUMENT', `a model named "${name}" is being trained already`);
    }
    const seed = params.seed ?? TRAIN_DEFAULTS.seed;
    const testSeed = params.testSeed ?? TRAIN_DEFAULTS.testSeed;
    if ([seed, seed + 1, seed + 2].includes(testSeed)) throw new ApiException('INVALID_ARGUMENT', `the test seed ${testSeed} is one of the training seeds ${seed}, ${seed + 1}, ${seed + 2}: test paths must be new`);
    const { source } = params;
    // History: the problem (its realized vol) is known once the worker has read the file; a session once the jobs
    // thread has read it; the others now.
    let known: { problem: HedgingProblem; dto: ProblemDto; label: string } | null = null;
    let history: TrainJobInput['history'];
    let session: Promise<SessionSourceRead> | null = null;
    if (source.type === 'history') {
      if (this.deps.historyFile === null) throw new ApiException('UNAVAILABLE', 'no BTC price history is configured: training on history is unavailable');
      history = { file: this.deps.historyFile, ...(source.maturityDays !== undefined ? { maturityDays: source.maturityDays } : {}), ...(source.cost !== undefined ? { cost: source.cost } : {}), ...(source.series !== undefined ? { series: source.series } : {}) };
    } else if (source.type === 'session') session = this.readSession(source);
    else known = this.problemFor(source);
    const label = known?.label ?? (source.type === 'session' ? `session:${source.sessionId}:${source.currency}` : source.type === 'history' && source.series === 'deribit' ? 'history:BTC-PERPETUAL' : 'history:BTC');
    const testPaths = params.testPaths ?? TRAIN_DEFAULTS.testPaths;
    const input: TrainJobInput = {
      ...(source.type === 'benchmark' ? { benchmark: source.benchmark } : {}),
      ...(known ? { problem: known.problem } : history ? { history } : {}),
      source: label, kind: params.kind, seed,
      maxSteps: params.maxSteps ?? TRAIN_DEFAULTS.maxSteps,
      maxMs: (params.maxSeconds ?? TRAIN_DEFAULTS.maxSeconds) * 1000,
      ...(params.batch !== undefined ? { batch: params.batch } : {}),
      ...(params.validationPaths !== undefined ? { validationPaths: params.validationPaths } : {}),
      // Gated on the trader's criterion of now.
      gate: { paths: testPaths, seed: testSeed, criterion: this.criterion() },
    };
    const job = this.newJob('train', `train ${params.kind} on ${label} as "${name}"`, known?.dto ?? null);
    if (session) {
      job.settled = session.then(
        (read) => {
          if (this.disposed || job.dto.state !== 'running') return;
          job.dto = { ...job.dto, problem: read.dto };
          this.publishJobs();
          return this.startTraining(job, {
            ...input, problem: read.problem,
            session: { train: read.trainSteps, test: read.testSteps, blockLength: read.blockLength, description: read.dto.session!.spans },
          }, { name, label, seed, dto: read.dto });
        },
        this.failed(job),
      );
    } else job.settled = this.startTraining(job, input, { name, label, seed, dto: known?.dto ?? null });
    this.publishJobs();
    return job.dto;
  }

  /** Starts a training worker for `job`; resolves once its result is stored (or the failure shown). */
  private startTraining(job: Job, input: TrainJobInput, what: { name: string; label: string; seed: number; dto: ProblemDto | null }): Promise<void> {
    const handle = startTrainWorker(input, ({ progress, fraction }) => {
      if (this.disposed || job.dto.state !== 'running') return;
      job.dto = { ...job.dto, progress: { fraction, step: progress.step, trainRisk: progress.trainRisk, validationRisk: progress.validationRisk, bestValidationRisk: progress.bestValidationRisk, bestStep: progress.bestStep } };
      this.publishJobs();
    }, this.deps.trainWorker);
    job.handle = handle;
    return handle.result.then(
      (done) => {
        if (this.disposed) return;
        try {
          const dto = what.dto ?? historyProblemDto(done);
          const id = this.store(what.name, what.label, dto, what.seed, done);
          this.finish(job, { state: done.reason === 'cancelled' ? 'cancelled' : 'done', modelId: id, stopReason: done.reason, problem: dto });
          this.publishModels();
        } catch (error) {
          this.finish(job, { state: 'failed', error: `the trained model was not stored: ${error instanceof Error ? error.message : String(error)}` });
        }
      },
      (error: unknown) => {
        if (!this.disposed) this.finish(job, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    );
  }

  private store(name: string, label: string, problem: ProblemDto, seed: number, done: TrainJobMessage & { type: 'done' }): number {
    return this.repository.save(storedModel({ name, label, problem, seed, done, createdMs: Math.floor(this.deps.nowMs()) }));
  }

  cancel(id: string): ModelJobDto {
    const job = this.jobs.get(id);
    if (!job) throw new ApiException('NOT_FOUND', `no model job ${id}`);
    if (job.dto.type !== 'train') throw new ApiException('INVALID_ARGUMENT', `${id} is a ${job.dto.type === 'gate' ? 're-gate' : 'comparison'}: it cannot be cancelled (it ends by itself)`);
    if (job.dto.state !== 'running' || !job.handle) throw new ApiException('INVALID_ARGUMENT', job.dto.state === 'running' ? `${id} is still reading its session: cancel it once training has started` : `${id} is not running (${job.dto.state})`);
    job.handle.cancel();
    return job.dto;
  }

  private storedModelOf(id: number): { summary: StoredModelSummary; json: PolicyModelJson } {
    const summary = this.repository.summary(id);
    const json = this.repository.model(id);
    if (!summary || !json) throw new ApiException('NOT_FOUND', `model ${id} does not exist`);
    return { summary, json };
  }

  compare(params: CommandParams<'models.compare'>): ModelJobDto {
    const model = params.modelId !== undefined ? this.storedModelOf(params.modelId) : null;
    if (params.source?.type === 'session' && params.simulator !== undefined) {
      throw new ApiException('INVALID_ARGUMENT', 'a session comparison runs on bootstrapped paths of its held-out part: leave out simulator');
    }
    let known: { problem: HedgingProblem; dto: ProblemDto } | null = null;
    let session: Promise<SessionSourceRead> | null = null;
    if (params.source?.type === 'session') session = this.readSession(params.source);
    else if (params.source) known = this.problemFor(params.source);
    else if (model) {
      const own = problemOf(model.summary, model.json);
      if (!own) throw new ApiException('INVALID_ARGUMENT', `model ${model.summary.id} does not record its training problem: give a source`);
      known = { problem: own, dto: (model.summary.metrics['problem'] as ProblemDto | undefined) ?? problemDto(own, `the training problem of model ${model.summary.id}`) };
    } else throw new ApiException('INVALID_ARGUMENT', 'compare needs a model, a source, or both');
    const simulator = session ? 'session' : (params.simulator ?? COMPARE_DEFAULTS.simulator);
    const paths = params.paths ?? COMPARE_DEFAULTS.paths;
    const seed = params.seed ?? COMPARE_DEFAULTS.seed;
    if (model) checkTestSeed(model.summary, seed);
    if (known && simulator === 'deribit-hourly' && known.problem.contract.maturity * 365 > DERIBIT_HOURLY_MAX_DAYS + 1e-9) {
      throw new ApiException('INVALID_ARGUMENT', `deribit-hourly test paths are at most ${DERIBIT_HOURLY_MAX_DAYS} days (the Deribit perpetual hourly file holds 60 days of 2026; decision 0033): this option runs ${Math.round(known.problem.contract.maturity * 365)} days`);
    }
    if ((simulator === 'bootstrap' || simulator.startsWith('deribit-')) && this.deps.historyFile === null) throw new ApiException('UNAVAILABLE', `no BTC price history is configured: the ${simulator} simulator is unavailable`);
    const what = model ? `model ${model.summary.id} "${model.summary.name}"` : 'the baselines';
    const where = params.source?.type === 'session' ? `the held-out part of session ${params.source.sessionId}` : `${simulator} paths`;
    const job = this.newJob('compare', `compare ${what} on ${where}`, known?.dto ?? null);
    const criterion = this.criterion();
    const run = (problem: HedgingProblem, dto: ProblemDto, read: SessionSourceRead | null): Promise<void> => {
      const channel = this.deps.jobsPool.start('modelsCompare', {
        problem, simulator, paths, seed, bins: params.bins ?? COMPARE_DEFAULTS.bins, criterion,
        model: model ? { json: model.json, policy: `model:${model.summary.id}`, label: `model ${model.summary.id} "${model.summary.name}"` } : null,
        ...(this.deps.historyFile !== null ? { historyFile: this.deps.historyFile } : {}),
        ...(read ? { session: { returns: read.testSteps, blockLength: read.blockLength, description: dto.session!.spans } } : {}),
      });
      return channel.done.then(
        (result) => {
          if (!this.disposed) this.finish(job, { state: 'done', problem: dto, comparison: { problem: dto, simulator, paths, seed, ...result } });
        },
        this.failed(job),
      );
    };
    job.settled = session
      ? session.then((read) => {
        if (this.disposed) return;
        job.dto = { ...job.dto, problem: read.dto };
        this.publishJobs();
        return run(read.problem, read.dto, read);
      }, this.failed(job))
      : run(known!.problem, known!.dto, null);
    this.publishJobs();
    return job.dto;
  }

  /**
   * Re-gates a stored model on its own problem's fresh test paths under `criterion` (default: the trader's), as a job
   * on the jobs pool; the result is stored with the model (updating an earlier gate on the same criterion in place;
   * the training gate, `models.list`'s `gate`, is a record and stays as training measured it: decision 0036).
   */
  gate(params: CommandParams<'models.gate'>): ModelJobDto {
    const { summary, json } = this.storedModelOf(params.id);
    const plan = regatePlan(summary, json, { criterion: params.criterion ?? this.criterion(), ...(params.paths !== undefined ? { paths: params.paths } : {}), ...(params.seed !== undefined ? { seed: params.seed } : {}) }, this.deps.historyFile);
    const job = this.newJob('gate', `gate model ${summary.id} "${summary.name}" on ${criterionLabel(plan.criterion)} against the Whalley–Wilmott band`, plan.dto);
    job.dto = { ...job.dto, modelId: summary.id };
    const source: Promise<RegateInput['source']> = plan.source.kind === 'session'
      ? this.readSession(plan.source.session).then((read) => ({ kind: 'session' as const, returns: read.testSteps, blockLength: read.blockLength }))
      : Promise.resolve(plan.source);
    job.settled = source
      .then((from) => this.deps.jobsPool.start('modelsGate', { problem: plan.problem, model: json, criterion: plan.criterion, paths: plan.paths, seed: plan.seed, source: from }).done)
      .then((result) => {
        if (this.disposed) return;
        // The model may have been deleted meanwhile, and its id taken by a new model (ids are reused): a gate is
        // stored only on the model it was computed for, never on an unvetted one that would then hedge.
        const now = this.repository.summary(summary.id);
        if (!now || now.name !== summary.name || now.createdMs !== summary.createdMs) {
          throw new Error(`model ${summary.id} "${summary.name}" was deleted while it was re-gated: the gate is not stored`);
        }
        const gate = gateDtoOf(result, plan.paths, plan.seed, plan.simulator);
        this.repository.saveGate(summary.id, { criterion: plan.criterion, passed: gate.passed, gate: { ...gate } }, Math.floor(this.deps.nowMs()));
        this.finish(job, { state: 'done', gate });
        this.deps.onModelsChanged?.();
        this.publishModels();
      })
      .catch(this.failed(job));
    this.publishJobs();
    return job.dto;
  }

  delete(id: number): ModelSummaryDto[] {
    const users = this.deps.hedgeSettings().usersOf(id);
    if (users.length > 0) throw new ApiException('INVALID_ARGUMENT', `model ${id} is the ${users.join(' and ')} hedge policy: choose another policy before deleting it`);
    if (!this.repository.delete(id)) throw new ApiException('NOT_FOUND', `model ${id} does not exist`);
    this.loaded.delete(id);
    this.deps.onModelsChanged?.();
    this.publishModels();
    return this.list();
  }

  export(id: number): ModelExportDto {
    const s = this.repository.summary(id);
    const json = this.repository.model(id);
    if (!s || !json) throw new ApiException('NOT_FOUND', `model ${id} does not exist`);
    const slug = s.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || `model-${id}`;
    return { fileName: `${slug}.json`, text: JSON.stringify(json, null, 1) };
  }

  handlers(): CommandHandlers<'models'> {
    return {
      'models.list': () => this.list(),
      'models.train': (params) => this.train(params),
      'models.cancel': ({ id }) => this.cancel(id),
      'models.compare': (params) => this.compare(params),
      'models.gate': (params) => this.gate(params),
      'models.criterion': () => this.criterion(),
      'models.setCriterion': ({ criterion }) => this.setCriterion(criterion),
      'models.delete': ({ id }) => this.delete(id),
      'models.export': ({ id }) => this.export(id),
    };
  }

  resolvers(): TopicResolvers<'models'> {
    return {
      models: () => {
        if (!this.deps.hub.channel('models', 'all').current()) this.publishModels();
        return 'all';
      },
      modelJobs: () => {
        if (!this.deps.hub.channel('modelJobs', 'all').current()) this.publishJobs();
        return 'all';
      },
    };
  }

  /** Stops running training jobs (their threads end after the current step); results after this are dropped. */
  dispose(): void {
    this.disposed = true;
    for (const job of this.jobs.values()) job.handle?.cancel();
  }

  /** Resolves when every job has ended and its result is handled (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.jobs.values()].map((j) => j.settled));
  }
}
