/**
 * Streaming realized-volatility estimators in the shape of trading-signals' indicators (`base/Indicator.ts`):
 * `add(input)` appends an observation and returns the new result, `replace(input)` swaps the last added one (the
 * still-forming bar or the latest tick of the current minute), `result` is null while warming up. One contract
 * test (test/unit/core/forecast/estimators.contract.test.ts) runs over all of them.
 *
 * Units: every result is an annualized decimal volatility (`Vol`): the variance per observation interval scaled
 * by ACT/365 years of 24-hour days (`MS_PER_YEAR` / interval: crypto trades every hour of every day), then the
 * square root. Log returns throughout. Inputs are validated: a non-finite or non-positive price, or an OHLC bar
 * whose high is below its open/close or whose low is above them, throws a RangeError naming the field, and the
 * estimator's state is unchanged.
 *
 * Estimators:
 *   - `RealizedVolatility`: sqrt of the mean squared log return over the last `returns` returns, each spanning
 *     `samplesPerReturn` input samples (1-minute closes with samplesPerReturn 5 give 5-minute returns, sampled on
 *     the grid ending at the latest close);
 *   - `EwmaVolatility`: RiskMetrics (J.P. Morgan 1996) sigma2_t = lambda sigma2_{t-1} + (1 - lambda) r_t^2,
 *     lambda = 0.94 by default, seeded with the mean of the first `warmUpReturns` squared returns;
 *   - `ParkinsonVolatility` (Parkinson 1980): sigma2 = mean(ln(H/L)^2) / (4 ln 2) per bar;
 *   - `GarmanKlassVolatility` (Garman & Klass 1980, the usual simplified form of their best estimator): sigma2 = mean(0.5 ln(H/L)^2
 *     - (2 ln 2 - 1) ln(C/O)^2) per bar (opening jumps are not captured: bars are assumed contiguous, as a 24/7
 *     market's are).
 * `horizonReturns` sizes a `RealizedVolatility` window to an expiry's horizon.
 */
import { MS_PER_YEAR, type EpochMs, type Vol } from '../units';

/** The contract every estimator meets. */
export interface StreamingVolEstimator<Input> {
  /** Appends an observation; returns the new result (null while warming up). */
  add(input: Input): Vol | null;
  /** Replaces the last added observation; throws a RangeError when nothing was added yet. */
  replace(input: Input): Vol | null;
  /** Annualized decimal vol, null until `warmUpPeriod` observations were added. */
  readonly result: Vol | null;
  /** Observations needed before the first result. */
  readonly warmUpPeriod: number;
  /** Observations added (a replace does not count). */
  readonly count: number;
}

/** An OHLC bar (prices in any one currency). */
export interface OhlcBar {
  open: number;
  high: number;
  low: number;
  close: number;
}

function checkPrice(owner: string, field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`${owner}: ${field} must be a positive finite price, got ${String(value)}`);
}

function checkBar(owner: string, bar: OhlcBar): void {
  checkPrice(owner, 'open', bar.open);
  checkPrice(owner, 'high', bar.high);
  checkPrice(owner, 'low', bar.low);
  checkPrice(owner, 'close', bar.close);
  if (bar.high < Math.max(bar.open, bar.close, bar.low)) throw new RangeError(`${owner}: high ${bar.high} is below the bar's open, close or low`);
  if (bar.low > Math.min(bar.open, bar.close)) throw new RangeError(`${owner}: low ${bar.low} is above the bar's open or close`);
}

function checkPositiveInteger(owner: string, field: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) throw new RangeError(`${owner}: ${field} must be a whole number >= 1, got ${String(value)}`);
}

function checkInterval(owner: string, intervalMs: number): void {
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) throw new RangeError(`${owner}: intervalMs must be a positive number of milliseconds, got ${String(intervalMs)}`);
}

const annualize = (variancePerInterval: number, intervalMs: number): Vol => Math.sqrt(Math.max(0, variancePerInterval) * (MS_PER_YEAR / intervalMs)) as Vol;

/**
 * A window estimator: the mean of per-observation variance terms over the last `terms` terms, annualized. Terms
 * come in `phases` interleaved series (returns over k samples, sampled on the grid ending at the newest sample, use
 * k phases; bars use 1) and a term may need the input `lag` samples back. O(1) per add and per replace: sums of the
 * finalized terms are kept per phase, and the newest term — the one `replace` changes — is added at read time, so
 * replace(x) after add(y) gives bit for bit what add(x) would. The sums are rebuilt from the terms every `keep`
 * adds so rounding cannot drift.
 */
abstract class WindowEstimator<Input> implements StreamingVolEstimator<Input> {
  private readonly inputs: Input[] = [];
  private readonly termsKept: number[] = [];
  private readonly committed: Float64Array;
  private readonly keep: number;
  private added = 0;
  private current: Vol | null = null;

  protected constructor(
    protected readonly owner: string,
    private readonly shape: { terms: number; phases: number; lag: number; periodMs: number },
  ) {
    this.committed = new Float64Array(shape.phases);
    this.keep = shape.terms * shape.phases + (shape.lag > 0 ? 1 : 0);
  }

  get warmUpPeriod(): number {
    return this.keep;
  }
  get result(): Vol | null {
    return this.current;
  }
  get count(): number {
    return this.added;
  }

  add(input: Input): Vol | null {
    this.validate(input);
    const { terms, phases, lag } = this.shape;
    const last = this.termsKept.length - 1;
    if (last >= 0 && this.added - 1 >= lag) this.accumulate((this.added - 1) % phases, this.termsKept[last]!);
    const g = this.added;
    this.inputs.push(input);
    this.termsKept.push(g >= lag ? this.term(input, this.inputs[this.inputs.length - 1 - lag]!) : Number.NaN);
    const evicted = g - terms * phases;
    if (evicted >= lag) this.accumulate(g % phases, -this.termsKept[this.termsKept.length - 1 - terms * phases]!);
    if (this.inputs.length > this.keep) {
      this.inputs.shift();
      this.termsKept.shift();
    }
    this.added++;
    if (this.added % this.keep === 0) this.rebuild();
    return this.refresh();
  }

  replace(input: Input): Vol | null {
    if (this.added === 0) throw new RangeError(`${this.owner}: replace() before any add()`);
    this.validate(input);
    const last = this.inputs.length - 1;
    this.inputs[last] = input;
    this.termsKept[last] = this.added - 1 >= this.shape.lag ? this.term(input, this.inputs[last - this.shape.lag]!) : Number.NaN;
    return this.refresh();
  }

  /** Recomputes the per-phase sums of the finalized terms (all but the newest) from the kept terms. */
  private rebuild(): void {
    const { terms, phases, lag } = this.shape;
    this.committed.fill(0);
    const last = this.termsKept.length - 1;
    const g = this.added - 1;
    for (let j = 1; j <= Math.min(last, terms * phases - 1); j++) {
      if (g - j >= lag) this.accumulate((g - j) % phases, this.termsKept[last - j]!);
    }
  }

  private accumulate(phase: number, term: number): void {
    this.committed[phase] = this.committed[phase]! + term;
  }

  private refresh(): Vol | null {
    if (this.inputs.length < this.keep) return (this.current = null);
    const { terms, phases, periodMs } = this.shape;
    const sum = this.committed[(this.added - 1) % phases]! + this.termsKept[this.termsKept.length - 1]!;
    return (this.current = annualize(sum / terms, periodMs));
  }

  protected abstract validate(input: Input): void;
  /** The variance term of the newest input; `lagged` is the input `lag` samples before it (the newest itself when lag is 0). */
  protected abstract term(newest: Input, lagged: Input): number;
}

export interface RealizedVolatilitySettings {
  /** Returns in the window. */
  returns: number;
  /** Input samples per return: 1 (returns between consecutive closes) or e.g. 5 (5-minute returns from 1-minute closes). */
  samplesPerReturn: number;
  /** Spacing of the input samples, ms (60 000 for 1-minute closes). */
  intervalMs: number;
}

/** Realized volatility from closes: sqrt(annualized mean squared log return) over a fixed window of returns. */
export class RealizedVolatility extends WindowEstimator<number> {
  constructor(settings: RealizedVolatilitySettings) {
    const owner = 'RealizedVolatility';
    checkPositiveInteger(owner, 'returns', settings.returns);
    checkPositiveInteger(owner, 'samplesPerReturn', settings.samplesPerReturn);
    checkInterval(owner, settings.intervalMs);
    const k = settings.samplesPerReturn;
    super(owner, { terms: settings.returns, phases: k, lag: k, periodMs: settings.intervalMs * k });
  }

  protected validate(price: number): void {
    checkPrice(this.owner, 'price', price);
  }

  protected term(price: number, earlier: number): number {
    const r = Math.log(price / earlier);
    return r * r;
  }
}

/** Parkinson's variance of one bar: ln(H/L)^2 / (4 ln 2). */
export const parkinsonBarVariance = (bar: OhlcBar): number => Math.log(bar.high / bar.low) ** 2 / (4 * Math.LN2);

/** Garman-Klass's variance of one bar: 0.5 ln(H/L)^2 - (2 ln 2 - 1) ln(C/O)^2. */
export const garmanKlassBarVariance = (bar: OhlcBar): number => 0.5 * Math.log(bar.high / bar.low) ** 2 - (2 * Math.LN2 - 1) * Math.log(bar.close / bar.open) ** 2;

/** Mean of a per-bar variance estimate over the last `bars` OHLC bars of `intervalMs` each. */
abstract class BarVolatility extends WindowEstimator<OhlcBar> {
  protected constructor(
    owner: string,
    settings: { bars: number; intervalMs: number },
    private readonly barVariance: (bar: OhlcBar) => number,
  ) {
    checkPositiveInteger(owner, 'bars', settings.bars);
    checkInterval(owner, settings.intervalMs);
    super(owner, { terms: settings.bars, phases: 1, lag: 0, periodMs: settings.intervalMs });
  }

  protected validate(bar: OhlcBar): void {
    checkBar(this.owner, bar);
  }

  protected term(bar: OhlcBar): number {
    return this.barVariance(bar);
  }
}

/** Parkinson's high-low estimator over the last `bars` OHLC bars of `intervalMs` each. */
export class ParkinsonVolatility extends BarVolatility {
  constructor(settings: { bars: number; intervalMs: number }) {
    super('ParkinsonVolatility', settings, parkinsonBarVariance);
  }
}

/** Garman-Klass's OHLC estimator over the last `bars` bars of `intervalMs` each. */
export class GarmanKlassVolatility extends BarVolatility {
  constructor(settings: { bars: number; intervalMs: number }) {
    super('GarmanKlassVolatility', settings, garmanKlassBarVariance);
  }
}

export interface EwmaVolatilitySettings {
  /** Decay per return; RiskMetrics daily: 0.94. */
  lambda: number;
  /** Returns averaged to seed the recursion (and needed before the first result). */
  warmUpReturns: number;
  /** Spacing of the input closes, ms. */
  intervalMs: number;
}

export const RISKMETRICS_LAMBDA = 0.94;

/** RiskMetrics EWMA volatility from closes. */
export class EwmaVolatility implements StreamingVolEstimator<number> {
  private readonly settings: EwmaVolatilitySettings;
  /** State after the last add, and before it (so that replace can redo the last step). */
  private state = { lastPrice: NaN, variance: 0, returns: 0, added: 0 };
  private previous = this.state;

  constructor(settings: Partial<EwmaVolatilitySettings> & { intervalMs: number }) {
    const lambda = settings.lambda ?? RISKMETRICS_LAMBDA;
    if (!(lambda > 0 && lambda < 1)) throw new RangeError(`EwmaVolatility: lambda must be in (0, 1), got ${String(lambda)}`);
    const warmUpReturns = settings.warmUpReturns ?? 20;
    checkPositiveInteger('EwmaVolatility', 'warmUpReturns', warmUpReturns);
    checkInterval('EwmaVolatility', settings.intervalMs);
    this.settings = { lambda, warmUpReturns, intervalMs: settings.intervalMs };
  }

  get warmUpPeriod(): number {
    return this.settings.warmUpReturns + 1;
  }
  get count(): number {
    return this.state.added;
  }
  get result(): Vol | null {
    return this.state.returns >= this.settings.warmUpReturns ? annualize(this.state.variance, this.settings.intervalMs) : null;
  }

  add(price: number): Vol | null {
    checkPrice('EwmaVolatility', 'price', price);
    this.previous = this.state;
    this.state = this.step(this.state, price);
    return this.result;
  }

  replace(price: number): Vol | null {
    if (this.state.added === 0) throw new RangeError('EwmaVolatility: replace() before any add()');
    checkPrice('EwmaVolatility', 'price', price);
    this.state = this.step(this.previous, price);
    return this.result;
  }

  private step(from: EwmaVolatility['state'], price: number): EwmaVolatility['state'] {
    const added = from.added + 1;
    if (Number.isNaN(from.lastPrice)) return { lastPrice: price, variance: 0, returns: 0, added };
    const r = Math.log(price / from.lastPrice);
    const returns = from.returns + 1;
    const { lambda, warmUpReturns } = this.settings;
    // During warm-up `variance` accumulates the plain mean of squared returns; from then on, the recursion.
    const variance = returns <= warmUpReturns ? from.variance + (r * r - from.variance) / returns : lambda * from.variance + (1 - lambda) * r * r;
    return { lastPrice: price, variance, returns, added };
  }
}

/**
 * Returns in a realized-vol window as long as the time left to an expiry (at least 1): the backward-looking
 * counterpart of the expiry's implied vol. `returnIntervalMs` is the spacing of the returns (samples x samplesPerReturn).
 */
export function horizonReturns(expiryMs: EpochMs | number, nowMs: EpochMs | number, returnIntervalMs: number): number {
  checkInterval('horizonReturns', returnIntervalMs);
  const span = expiryMs - nowMs;
  if (!Number.isFinite(span)) throw new RangeError(`horizonReturns: expiry ${String(expiryMs)} or now ${String(nowMs)} is not a time`);
  return Math.max(1, Math.round(span / returnIntervalMs));
}
