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
import type { GateDto, ModelExportDto, ModelJobDto, ModelSummaryDto, PathSourceDto, ProblemDto, SessionSourceDto } from '../api/contract/models';
import type { CommandParams } from '../api/contract';
import { ApiException } from '../api/errors';
import { proportionalCost } from '../core/hedge/deltaPolicies';
import type { LoadedModel } from '../core/hedge/settings';
import type { LiveRealizedSnapshot } from '../core/forecast/liveRealized';
import { benchmarkProblem } from '../core/learn/benchmarks';
import { importPolicy, type PolicyModelJson } from '../core/learn/network';
import type { Estimate } from '../core/learn/risk';
import type { HedgingProblem } from '../core/learn/train';
import type { Currency } from '../core/market/events';
import { hedgeMarketFrom } from '../engine/hedgeInputs';
import type { MarketState } from '../engine/marketState';
import { readSessionReturns, SessionReturnsError, sessionProblem, sessionSpans, type SessionProblem } from '../learn/sessionReturns';
import { startTrainWorker, type TrainJobInput, type TrainJobMessage, type TrainWorkerHandle } from '../learn/trainJob';
import type { Db } from '../store/database';
import { ModelRepository, type NewModel, type StoredModelSummary } from '../store/models';
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
  /** A stored model changed (deleted): the advisor recomputes. */
  onModelsChanged?: () => void;
}

/** Defaults of a training run from the app (the CLI's are the same). */
export const TRAIN_DEFAULTS = Object.freeze({ seed: 1, maxSteps: 600, maxSeconds: 180, testPaths: 100_000, testSeed: 1000 });
export const COMPARE_DEFAULTS = Object.freeze({ simulator: 'gbm' as const, paths: 50_000, seed: 1000, bins: 40 });
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
  return contract ? { s0: p.s0, sigma: p.sigma, dt: p.dt, contract, cost: p.cost, lambda: p.lambda } : null;
}

export function problemDto(problem: HedgingProblem, description: string, calibration: ProblemDto['calibration'] = null): ProblemDto {
  return {
    s0: problem.s0, sigma: problem.sigma, dt: problem.dt, strike: problem.contract.strike, maturityYears: problem.contract.maturity,
    isCall: problem.contract.isCall, cost: problem.cost, lambda: problem.lambda, description, calibration,
  };
}

/**
 * Black-Scholes paths calibrated to a currency's market: σ = the ATM mark IV (call and put at the strike nearest
 * the forward, averaged) of the live expiry nearest `maturityDays`; the perpetual's half-spread + taker fee as the
 * cost. Throws a clear error when the market has no such quotes yet.
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
  const rv = realized?.forecastVol ?? realized?.estimates.ewma ?? null;
  const problem: HedgingProblem = {
    s0: 1, sigma: atmIv, dt: 1 / 365, contract: { strike: 1, isCall: true, maturity: maturityDays / 365 },
    cost: cost ?? perpetualCost ?? FALLBACK_PERPETUAL_COST, lambda: 1,
  };
  const when = new Date(market.timeMs).toISOString().slice(0, 16).replace('T', ' ');
  const description = `${currency} market ${when} UTC: ATM IV ${atmIv.toFixed(4)} (${expiry.label}, strike ${strike}), realized vol ${rv === null ? 'not known yet' : rv.toFixed(4)}, ${maturityDays}-day ATM call, daily rebalancing, cost ${(problem.cost * 1e4).toFixed(2)} bp${cost === undefined && perpetualCost === null ? ' (no perpetual quote: 5 bp assumed)' : ''}`;
  return {
    problem,
    dto: problemDto(problem, description, {
      currency, atmIv, expiry: expiry.label, realizedVol: rv, realizedVolSource: realized === null ? 'no live realized-vol estimate yet (open the Surface view)' : realized.forecastVol !== null ? `live forecast (${realized.model})` : 'live EWMA',
      perpetualCost, marketTimeMs: market.timeMs,
    }),
  };
}

/**
 * The hedging problem of a recorded session (learn/sessionReturns.ts): its index sampled on the grid, split 70/30,
 * the option priced at the training part's realized vol. Reads the session synchronously (index events only).
 * Errors: an unknown session is NOT_FOUND, the rest (no such currency, too few samples) INVALID_ARGUMENT.
 * `sessionName` (the CLI) finds the session by name instead of `source.sessionId`.
 */
export function sessionProblemDto(db: Db, source: SessionSourceDto, sessionName?: string): { problem: HedgingProblem; dto: ProblemDto; label: string; steps: SessionProblem } {
  try {
    const data = readSessionReturns(db, sessionName ?? source.sessionId, source.currency, source.intervalSeconds !== undefined ? { intervalMs: source.intervalSeconds * 1000 } : {});
    const steps = sessionProblem(data, {
      ...(source.maturityIntervals !== undefined ? { maturityIntervals: source.maturityIntervals } : {}),
      ...(source.rebalanceIntervals !== undefined ? { rebalanceIntervals: source.rebalanceIntervals } : {}),
      ...(source.cost !== undefined ? { cost: source.cost } : {}),
    });
    const spans = sessionSpans(data);
    const { problem } = steps;
    const description = `${spans}; ${steps.maturityIntervals}-interval ATM call rebalanced every ${steps.rebalanceIntervals} interval(s), priced at the training part's realized vol ${steps.realizedVol.toFixed(4)}, cost ${(problem.cost * 1e4).toFixed(2)} bp${data.stale > 0 ? `; ${data.stale} grid points repeated the previous index` : ''}`;
    const dto = problemDto(problem, description);
    dto.session = {
      sessionId: data.session.id, sessionName: data.session.name, currency: data.currency, intervalMs: data.intervalMs,
      trainFromMs: data.train.fromMs, trainToMs: data.train.toMs, trainReturns: data.train.returns.length,
      testFromMs: data.test.fromMs, testToMs: data.test.toMs, testReturns: data.test.returns.length, staleSamples: data.stale,
      realizedVol: steps.realizedVol, maturityIntervals: steps.maturityIntervals, rebalanceIntervals: steps.rebalanceIntervals, blockSteps: steps.blockLength, spans,
    };
    return { problem, dto, label: `session:${data.session.id}:${data.currency}`, steps };
  } catch (error) {
    if (error instanceof SessionReturnsError) throw new ApiException(error.notFound ? 'NOT_FOUND' : 'INVALID_ARGUMENT', error.message);
    throw error;
  }
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
  const gateDto: GateDto = { baseline: 'ww', difference: estimate(gate.result.difference), passed: gate.result.passed, paths: gate.paths, seed: gate.seed, simulator: gate.simulator };
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
      ? `BTC daily returns ${day(done.history.trainFirstMs)}..${day(done.history.trainLastMs)} (training and validation, ${done.history.trainDays} days), tested on ${day(done.history.testFirstMs)}..${day(done.history.testLastMs)} (${done.history.testDays} days)`
      : problem.calibration
      ? `Black-Scholes paths at the ${problem.calibration.currency} ATM IV ${problem.calibration.atmIv.toFixed(4)} (${problem.calibration.expiry}) of ${new Date(problem.calibration.marketTimeMs).toISOString()}`
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
    model: done.model,
  };
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** The problem of a history-trained model, described from what the worker read. */
export function historyProblemDto(done: TrainJobMessage & { type: 'done' }): ProblemDto {
  const h = done.history!;
  return problemDto(done.problem, `BTC history: block bootstrap (5 days) of ${h.trainDays} daily returns ${day(h.trainFirstMs)}..${day(h.trainLastMs)}, ${Math.round(done.problem.contract.maturity * 365)}-day ATM call priced at their realized vol ${h.realizedVol.toFixed(4)}, cost ${(done.problem.cost * 1e4).toFixed(2)} bp; gated on ${h.testDays} days of ${day(h.testFirstMs)}..${day(h.testLastMs)}${h.badRows > 0 ? ` (${h.badRows} bad rows of the file skipped)` : ''}`);
}

/** The problem of a benchmark as the models domain describes it. */
export function benchmarkProblemDto(benchmark: 'B1' | 'B2', cost?: number): { problem: HedgingProblem; dto: ProblemDto } {
  const problem = benchmarkProblem(benchmark, cost);
  return { problem, dto: problemDto(problem, `${BENCHMARK_TEXT[benchmark]}, cost ${problem.cost}, entropic λ 1`) };
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
  private nextJob = 1;
  private disposed = false;

  constructor(private readonly deps: ModelsServiceDeps) {
    this.repository = new ModelRepository(deps.db);
  }

  private summaryDto(s: StoredModelSummary): ModelSummaryDto {
    const gate = (s.metrics['gate'] ?? null) as GateDto | null;
    return { ...s, gate, inUse: this.deps.hedgeSettings().usersOf(s.id) };
  }

  list(): ModelSummaryDto[] {
    return this.repository.list().map((s) => this.summaryDto(s));
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

  refusal(id: number): string | null {
    const s = this.repository.summary(id);
    if (!s) return `model ${id} does not exist`;
    if (!s.passedGate) {
      const gate = s.metrics['gate'] as GateDto | undefined;
      const how = gate ? `: its indifference price minus the Whalley–Wilmott band's was ${gate.difference.value.toPrecision(4)} ± ${gate.difference.standardError.toPrecision(2)} on ${gate.paths} test paths, not below zero by two standard errors` : '';
      return `model ${id} "${s.name}" did not pass its gate${how}; only a model that beat the Whalley–Wilmott band out of sample can hedge`;
    }
    return null;
  }

  /**
   * The model the learned policy runs, parsed once. The cache is checked against the stored row's name and time: a
   * model deleted elsewhere (`gammadesk models delete`) may have its id reused by SQLite for a new one.
   */
  model(id: number): LoadedModel | null {
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

  private problemFor(source: Exclude<PathSourceDto, { type: 'history' }>): { problem: HedgingProblem; dto: ProblemDto; label: string; session?: SessionProblem } {
    if (source.type === 'benchmark') return { ...benchmarkProblemDto(source.benchmark, source.cost), label: source.benchmark };
    if (source.type === 'session') {
      const { steps, ...rest } = sessionProblemDto(this.deps.db, source);
      return { ...rest, session: steps };
    }
    const { problem, dto } = marketProblem(this.deps.market(), source.currency, source.maturityDays ?? MARKET_MATURITY_DAYS, source.cost, this.deps.realized(source.currency));
    return { problem, dto, label: `market:${source.currency}` };
  }

  private newJob(type: ModelJobDto['type'], label: string, problem: ProblemDto | null): Job {
    const id = `${type}-${this.nextJob++}`;
    const job: Job = {
      handle: null,
      settled: Promise.resolve(),
      dto: { id, type, state: 'running', label, startedMs: this.deps.nowMs(), finishedMs: null, problem, progress: null, modelId: null, stopReason: null, comparison: null, error: null },
    };
    this.jobs.set(id, job);
    return job;
  }

  private finish(job: Job, change: Partial<ModelJobDto>): void {
    job.dto = { ...job.dto, ...change, finishedMs: this.deps.nowMs() };
    job.handle = null;
    this.publishJobs();
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
    // History: the problem (its realized vol) is known once the worker has read the file; the others now.
    let known: { problem: HedgingProblem; dto: ProblemDto; label: string; session?: SessionProblem } | null = null;
    let history: TrainJobInput['history'];
    if (source.type === 'history') {
      if (this.deps.historyFile === null) throw new ApiException('UNAVAILABLE', 'no BTC price history is configured: training on history is unavailable');
      history = { file: this.deps.historyFile, ...(source.maturityDays !== undefined ? { maturityDays: source.maturityDays } : {}), ...(source.cost !== undefined ? { cost: source.cost } : {}) };
    } else known = this.problemFor(source);
    const label = known?.label ?? 'history:BTC';
    const testPaths = params.testPaths ?? TRAIN_DEFAULTS.testPaths;
    const input: TrainJobInput = {
      ...(source.type === 'benchmark' ? { benchmark: source.benchmark } : {}),
      ...(known ? { problem: known.problem } : { history }),
      ...(known?.session ? { session: { train: Array.from(known.session.trainSteps), test: Array.from(known.session.testSteps), blockLength: known.session.blockLength, description: known.dto.session!.spans } } : {}),
      source: label, kind: params.kind, seed,
      maxSteps: params.maxSteps ?? TRAIN_DEFAULTS.maxSteps,
      maxMs: (params.maxSeconds ?? TRAIN_DEFAULTS.maxSeconds) * 1000,
      ...(params.batch !== undefined ? { batch: params.batch } : {}),
      ...(params.validationPaths !== undefined ? { validationPaths: params.validationPaths } : {}),
      gate: { paths: testPaths, seed: testSeed },
    };
    const job = this.newJob('train', `train ${params.kind} on ${label} as "${name}"`, known?.dto ?? null);
    const handle = startTrainWorker(input, ({ progress, fraction }) => {
      if (this.disposed || job.dto.state !== 'running') return;
      job.dto = { ...job.dto, progress: { fraction, step: progress.step, trainRisk: progress.trainRisk, validationRisk: progress.validationRisk, bestValidationRisk: progress.bestValidationRisk, bestStep: progress.bestStep } };
      this.publishJobs();
    }, this.deps.trainWorker);
    job.handle = handle;
    job.settled = handle.result.then(
      (done) => {
        if (this.disposed) return;
        try {
          const dto = known?.dto ?? historyProblemDto(done);
          const id = this.store(name, label, dto, seed, done);
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
    this.publishJobs();
    return job.dto;
  }

  private store(name: string, label: string, problem: ProblemDto, seed: number, done: TrainJobMessage & { type: 'done' }): number {
    return this.repository.save(storedModel({ name, label, problem, seed, done, createdMs: Math.floor(this.deps.nowMs()) }));
  }

  cancel(id: string): ModelJobDto {
    const job = this.jobs.get(id);
    if (!job) throw new ApiException('NOT_FOUND', `no model job ${id}`);
    if (job.dto.type !== 'train') throw new ApiException('INVALID_ARGUMENT', `${id} is a comparison: it cannot be cancelled (it ends by itself)`);
    if (job.dto.state !== 'running' || !job.handle) throw new ApiException('INVALID_ARGUMENT', `${id} is not running (${job.dto.state})`);
    job.handle.cancel();
    return job.dto;
  }

  compare(params: CommandParams<'models.compare'>): ModelJobDto {
    let model: { summary: StoredModelSummary; json: PolicyModelJson } | null = null;
    if (params.modelId !== undefined) {
      const summary = this.repository.summary(params.modelId);
      const json = this.repository.model(params.modelId);
      if (!summary || !json) throw new ApiException('NOT_FOUND', `model ${params.modelId} does not exist`);
      model = { summary, json };
    }
    let problem: HedgingProblem;
    let dto: ProblemDto;
    let session: SessionProblem | undefined;
    if (params.source?.type === 'session' && params.simulator !== undefined) {
      throw new ApiException('INVALID_ARGUMENT', 'a session comparison runs on bootstrapped paths of its held-out part: leave out simulator');
    }
    if (params.source) ({ problem, dto, session } = this.problemFor(params.source));
    else if (model) {
      const own = problemOf(model.summary, model.json);
      if (!own) throw new ApiException('INVALID_ARGUMENT', `model ${model.summary.id} does not record its training problem: give a source`);
      problem = own;
      dto = (model.summary.metrics['problem'] as ProblemDto | undefined) ?? problemDto(own, `the training problem of model ${model.summary.id}`);
    } else throw new ApiException('INVALID_ARGUMENT', 'compare needs a model, a source, or both');
    const simulator = session ? 'session' : (params.simulator ?? COMPARE_DEFAULTS.simulator);
    const paths = params.paths ?? COMPARE_DEFAULTS.paths;
    const seed = params.seed ?? COMPARE_DEFAULTS.seed;
    if (model && Object.entries(model.summary.seeds).some(([k, s]) => k !== 'test' && s === seed)) {
      throw new ApiException('INVALID_ARGUMENT', `seed ${seed} was used to train model ${model.summary.id}: test paths must be new`);
    }
    if (simulator === 'bootstrap' && this.deps.historyFile === null) throw new ApiException('UNAVAILABLE', 'no BTC price history is configured: the bootstrap simulator is unavailable');
    const label = `compare ${model ? `model ${model.summary.id} "${model.summary.name}"` : 'the baselines'} on ${session ? `the held-out part of ${dto.session!.spans.split(':')[0]}` : `${simulator} paths`}`;
    const job = this.newJob('compare', label, dto);
    const channel = this.deps.jobsPool.start('modelsCompare', {
      problem, simulator, paths, seed, bins: params.bins ?? COMPARE_DEFAULTS.bins,
      model: model ? { json: model.json, policy: `model:${model.summary.id}`, label: `model ${model.summary.id} "${model.summary.name}"` } : null,
      ...(this.deps.historyFile !== null ? { historyFile: this.deps.historyFile } : {}),
      ...(session ? { session: { returns: Array.from(session.testSteps), blockLength: session.blockLength, description: dto.session!.spans } } : {}),
    });
    job.settled = channel.done.then(
      (result) => {
        if (!this.disposed) this.finish(job, { state: 'done', comparison: { problem: dto, simulator, paths, seed, ...result } });
      },
      (error: unknown) => {
        if (!this.disposed) this.finish(job, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
      },
    );
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
