/**
 * Realized volatility of the live index stream and the forecast the Surface view's variance risk premium is taken
 * against. Index ticks become 1-minute bars (minuteBars.ts) feeding:
 *   - `rv1m`: realized vol of the last 60 one-minute returns;
 *   - `rv5m`: realized vol of the last 24 five-minute returns (2 hours) sampled from the 1-minute closes;
 *   - `parkinson` and `garmanKlass`: the last 60 one-minute OHLC bars;
 *   - `ewma`: RiskMetrics EWMA of the 1-minute returns with the daily lambda 0.94 spread over the day's minutes
 *     (lambda_min = 0.94^(1/1440), the same memory in calendar time: about 16 days), with normalized weights:
 *     sum(lambda^i r_i^2) / sum(lambda^i) over the returns seen so far. Seeding the recursion with a short
 *     warm-up mean instead (EwmaVolatility) would give that 30-minute mean about 94 % of the weight for a whole
 *     day at this lambda; normalized, a short history is its plain mean and a long one is RiskMetrics.
 * The live forecast of realized vol over any expiry's horizon is the EWMA vol: RiskMetrics' forecast is flat in
 * the horizon. EWMA is the live model because it is the only one of the four that runs on an intraday stream from
 * the session's start; GARCH, HAR and the learned model are fitted on daily history (HAR needs 22 days) and their
 * out-of-sample comparison is `gammadesk forecast --evaluate`. Null with a reason while warming up.
 * Deterministic: a function of the tick sequence only.
 */
import type { Vol } from '../units';
import { GarmanKlassVolatility, ParkinsonVolatility, RealizedVolatility, RISKMETRICS_LAMBDA, type StreamingVolEstimator } from './estimators';
import { MINUTE_MS, MinuteBarFeed } from './minuteBars';

export const LIVE_MODEL = 'ewma';
export const LIVE_MODEL_WHY =
  'EWMA (RiskMetrics 0.94 per day, applied per minute) is the only forecaster that runs on the intraday index stream from the session start; GARCH, HAR and the learned model need daily history (HAR 22 days) — their out-of-sample scores are `gammadesk forecast --evaluate`';
export const MINUTES_PER_DAY = 1440;

export interface LiveRealizedOptions {
  /** Minutes of returns before the EWMA gives a result (default 30). */
  warmUpMinutes?: number;
  /** Minutes of history kept for the chart (default one day). */
  historyMinutes?: number;
}

export interface LiveRealizedSnapshot {
  estimates: { rv1m: Vol | null; rv5m: Vol | null; parkinson: Vol | null; garmanKlass: Vol | null; ewma: Vol | null };
  /** The live forecast (annualized decimal vol, flat over every horizon); null while warming up. */
  forecastVol: Vol | null;
  reason: string | null;
  model: string;
  modelWhy: string;
  bars: number;
  ticks: number;
  filledMinutes: number;
  gaps: number;
  outOfOrder: number;
  /** One point per minute bar: its start and the EWMA and 1-hour realized vol after it (null while warming up). */
  history: { timesMs: number[]; ewma: (number | null)[]; rv1m: (number | null)[] };
}

const YEAR_MS = 365 * 86_400_000;

/** EWMA of squared log returns of closes with normalized weights (a StreamingVolEstimator: add, replace, result). */
export class NormalizedEwmaVolatility implements StreamingVolEstimator<number> {
  private state = { lastPrice: NaN, weighted: 0, weights: 0, returns: 0, added: 0 };
  private previous = this.state;

  constructor(private readonly settings: { lambda: number; warmUpReturns: number; intervalMs: number }) {
    if (!(settings.lambda > 0 && settings.lambda < 1)) throw new RangeError(`NormalizedEwmaVolatility: lambda must be in (0, 1), got ${String(settings.lambda)}`);
    if (!(Number.isInteger(settings.warmUpReturns) && settings.warmUpReturns > 0)) throw new RangeError(`NormalizedEwmaVolatility: warmUpReturns must be a positive integer, got ${String(settings.warmUpReturns)}`);
    if (!(settings.intervalMs > 0)) throw new RangeError(`NormalizedEwmaVolatility: intervalMs must be positive, got ${String(settings.intervalMs)}`);
  }

  get warmUpPeriod(): number {
    return this.settings.warmUpReturns + 1;
  }
  get count(): number {
    return this.state.added;
  }
  get returns(): number {
    return this.state.returns;
  }
  get result(): Vol | null {
    const { weighted, weights, returns } = this.state;
    return returns >= this.settings.warmUpReturns ? (Math.sqrt(((weighted / weights) * YEAR_MS) / this.settings.intervalMs) as Vol) : null;
  }

  add(price: number): Vol | null {
    this.check(price);
    this.previous = this.state;
    this.state = this.step(this.state, price);
    return this.result;
  }

  replace(price: number): Vol | null {
    if (this.state.added === 0) throw new RangeError('NormalizedEwmaVolatility: replace() before any add()');
    this.check(price);
    this.state = this.step(this.previous, price);
    return this.result;
  }

  private check(price: number): void {
    if (!(Number.isFinite(price) && price > 0)) throw new RangeError(`NormalizedEwmaVolatility: price must be a positive finite price, got ${String(price)}`);
  }

  private step(from: NormalizedEwmaVolatility['state'], price: number): NormalizedEwmaVolatility['state'] {
    const added = from.added + 1;
    if (Number.isNaN(from.lastPrice)) return { ...from, lastPrice: price, added };
    const r = Math.log(price / from.lastPrice);
    const { lambda } = this.settings;
    return { lastPrice: price, weighted: lambda * from.weighted + r * r, weights: lambda * from.weights + 1, returns: from.returns + 1, added };
  }
}

export class LiveRealizedVol {
  private readonly ewma: NormalizedEwmaVolatility;
  private readonly feed: MinuteBarFeed;
  private readonly rv1m = new RealizedVolatility({ returns: 60, samplesPerReturn: 1, intervalMs: MINUTE_MS });
  private readonly warmUpMinutes: number;
  private readonly historyMinutes: number;
  private readonly history: LiveRealizedSnapshot['history'] = { timesMs: [], ewma: [], rv1m: [] };
  private lastMinute = NaN;
  private rejectedTicks = 0;
  lastRejection: string | null = null;

  constructor(options: LiveRealizedOptions = {}) {
    this.warmUpMinutes = options.warmUpMinutes ?? 30;
    this.historyMinutes = options.historyMinutes ?? MINUTES_PER_DAY;
    this.ewma = new NormalizedEwmaVolatility({ lambda: RISKMETRICS_LAMBDA ** (1 / MINUTES_PER_DAY), warmUpReturns: this.warmUpMinutes, intervalMs: MINUTE_MS });
    this.feed = new MinuteBarFeed({
      closes: { rv1m: this.rv1m, rv5m: new RealizedVolatility({ returns: 24, samplesPerReturn: 5, intervalMs: MINUTE_MS }), ewma: this.ewma },
      bars: { parkinson: new ParkinsonVolatility({ bars: 60, intervalMs: MINUTE_MS }), garmanKlass: new GarmanKlassVolatility({ bars: 60, intervalMs: MINUTE_MS }) },
    });
  }

  /** One index tick (exchange time, USD). A bad price is counted and skipped, never thrown. */
  onTick(timeMs: number, price: number): void {
    try {
      this.feed.onTick(timeMs, price);
    } catch (error) {
      this.rejectedTicks++;
      this.lastRejection = error instanceof Error ? error.message : String(error);
      return;
    }
    const minute = Math.floor(timeMs / MINUTE_MS);
    const h = this.history;
    if (minute > this.lastMinute || Number.isNaN(this.lastMinute)) {
      this.lastMinute = minute;
      h.timesMs.push(minute * MINUTE_MS);
      h.ewma.push(null);
      h.rv1m.push(null);
      if (h.timesMs.length > this.historyMinutes) {
        h.timesMs.shift();
        h.ewma.shift();
        h.rv1m.shift();
      }
    }
    if (minute === this.lastMinute) {
      h.ewma[h.ewma.length - 1] = this.ewma.result;
      h.rv1m[h.rv1m.length - 1] = this.rv1m.result;
    }
  }

  get rejected(): number {
    return this.rejectedTicks;
  }

  /** The live forecast of realized vol (flat in the horizon), null while warming up. */
  forecast(): Vol | null {
    return this.ewma.result;
  }

  snapshot(): LiveRealizedSnapshot {
    const r = this.feed.results();
    const stats = this.feed.stats;
    const forecastVol = this.ewma.result;
    const returns = this.ewma.returns;
    return {
      estimates: { rv1m: r.rv1m ?? null, rv5m: r.rv5m ?? null, parkinson: r.parkinson ?? null, garmanKlass: r.garmanKlass ?? null, ewma: r.ewma ?? null },
      forecastVol,
      reason: forecastVol === null ? `warming up: ${returns} of ${this.warmUpMinutes} one-minute index returns` : null,
      model: LIVE_MODEL,
      modelWhy: LIVE_MODEL_WHY,
      bars: stats.bars,
      ticks: stats.ticks,
      filledMinutes: stats.filledMinutes,
      gaps: stats.gaps,
      outOfOrder: stats.outOfOrder,
      history: { timesMs: [...this.history.timesMs], ewma: [...this.history.ewma], rv1m: [...this.history.rv1m] },
    };
  }
}
