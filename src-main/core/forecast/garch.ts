/**
 * GARCH(1,1) with Gaussian errors by maximum likelihood, on daily returns in percent (100 x log return: the scale
 * Python's `arch` is used at, which keeps omega of order 1 and the optimiser well conditioned).
 *
 *   r_t = mu + e_t,   sigma2_t = omega + alpha e_{t-1}^2 + beta sigma2_{t-1},   e_t ~ N(0, sigma2_t)
 *
 * Likelihood convention (matches `arch` 8.0 `arch_model(..., vol='GARCH', dist='normal')`, see
 * shared/reference/forecast_reference.json):
 *   - logL = -1/2 sum_t [ln(2 pi) + ln sigma2_t + e_t^2 / sigma2_t] over all T returns (constant included);
 *   - the pre-sample e_0^2 and sigma2_0 are both the "backcast": an exponentially weighted mean of the first
 *     min(75, T) squared residuals with weights 0.94^i (normalised); for a constant mean the backcast uses the
 *     residuals from the sample mean, fixed before the optimisation (as `arch` does);
 *   - constraints omega > 0, alpha >= 0, beta >= 0, alpha + beta < 1, imposed by the transform
 *     omega = exp(u), alpha = p s, beta = p (1 - s), p = logistic(v), s = logistic(w).
 * Optimiser: Nelder-Mead on (u, v, w[, mu]) with restarts (`optimize.ts`), from the best of a small grid of start
 * points (as `arch` starts its SLSQP from a grid).
 */
import { nelderMead } from './optimize';

export type GarchMean = 'zero' | 'constant';

export interface GarchFit {
  mean: GarchMean;
  /** Mean return, percent per day (0 for the zero-mean model). */
  mu: number;
  /** Percent^2 per day. */
  omega: number;
  alpha: number;
  beta: number;
  logLikelihood: number;
  /** Returns the fit used. */
  observations: number;
  /** sigma2_T: the conditional variance of the last return, percent^2. */
  lastConditionalVariance: number;
  /** sigma2_{T+1}: the one-day-ahead variance forecast, percent^2. */
  nextVariance: number;
  /** The backcast used for the pre-sample values, percent^2. */
  backcast: number;
  evaluations: number;
  converged: boolean;
}

const LOG_2PI = Math.log(2 * Math.PI);
const logistic = (z: number): number => 1 / (1 + Math.exp(-z));
const logit = (p: number): number => Math.log(p / (1 - p));

/** `arch`'s backcast: sum_i w_i e_i^2 over the first min(75, T) residuals, w_i proportional to 0.94^i. */
export function garchBackcast(residuals: ArrayLike<number>): number {
  const tau = Math.min(75, residuals.length);
  let weighted = 0;
  let weights = 0;
  let w = 1;
  for (let i = 0; i < tau; i++) {
    const e = residuals[i]!;
    weighted += w * e * e;
    weights += w;
    w *= 0.94;
  }
  return weighted / weights;
}

/**
 * The Gaussian log-likelihood of GARCH(1,1) for the given parameters (convention above). NaN-free inputs only;
 * returns -Infinity where a variance is not positive.
 */
export function garchLogLikelihood(returns: ArrayLike<number>, mu: number, omega: number, alpha: number, beta: number, backcast: number): number {
  let sigma2 = omega + (alpha + beta) * backcast;
  let total = 0;
  const n = returns.length;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const previous = returns[t - 1]! - mu;
      sigma2 = omega + alpha * previous * previous + beta * sigma2;
    }
    if (!(sigma2 > 0)) return -Infinity;
    const e = returns[t]! - mu;
    total += Math.log(sigma2) + (e * e) / sigma2;
  }
  return -0.5 * (n * LOG_2PI + total);
}

/** Conditional variances sigma2_1..sigma2_T and the next one, sigma2_{T+1}. */
export function garchFilter(returns: ArrayLike<number>, fit: Pick<GarchFit, 'mu' | 'omega' | 'alpha' | 'beta' | 'backcast'>): { variances: Float64Array; next: number } {
  const n = returns.length;
  const variances = new Float64Array(n);
  let sigma2 = fit.omega + (fit.alpha + fit.beta) * fit.backcast;
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const previous = returns[t - 1]! - fit.mu;
      sigma2 = fit.omega + fit.alpha * previous * previous + fit.beta * sigma2;
    }
    variances[t] = sigma2;
  }
  const last = n > 0 ? returns[n - 1]! - fit.mu : 0;
  const next = n > 0 ? fit.omega + fit.alpha * last * last + fit.beta * sigma2 : sigma2;
  return { variances, next };
}

export interface GarchOptions {
  mean?: GarchMean;
  /** Start from these parameters (a previous fit: rolling re-estimation) instead of the grid. */
  start?: Pick<GarchFit, 'mu' | 'omega' | 'alpha' | 'beta'>;
}

/** Fits GARCH(1,1) by Gaussian maximum likelihood. Throws a RangeError on fewer than 10 returns or a non-finite one. */
export function fitGarch11(returns: ArrayLike<number>, options: GarchOptions = {}): GarchFit {
  const mean = options.mean ?? 'zero';
  const n = returns.length;
  if (n < 10) throw new RangeError(`GARCH(1,1) needs at least 10 returns, got ${n}`);
  let sum = 0;
  let sumSquares = 0;
  for (let t = 0; t < n; t++) {
    const r = returns[t]!;
    if (!Number.isFinite(r)) throw new RangeError(`GARCH(1,1): return ${t} is not a finite number (${String(r)})`);
    sum += r;
  }
  const sampleMean = mean === 'constant' ? sum / n : 0;
  const residuals = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    residuals[t] = returns[t]! - sampleMean;
    sumSquares += residuals[t]! * residuals[t]!;
  }
  const variance = sumSquares / n;
  if (!(variance > 0)) throw new RangeError('GARCH(1,1): the returns have zero variance');
  const backcast = garchBackcast(residuals);

  const unpack = (x: readonly number[]): [number, number, number, number] => {
    const p = logistic(x[1]!);
    const s = logistic(x[2]!);
    return [mean === 'constant' ? x[3]! : 0, Math.exp(x[0]!), p * s, p * (1 - s)];
  };
  const objective = (x: readonly number[]): number => {
    const [mu, omega, alpha, beta] = unpack(x);
    return -garchLogLikelihood(returns, mu, omega, alpha, beta, backcast);
  };
  const pack = (mu: number, omega: number, alpha: number, beta: number): number[] => {
    const p = alpha + beta;
    const x = [Math.log(omega), logit(p), logit(alpha / p)];
    if (mean === 'constant') x.push(mu);
    return x;
  };

  let start: number[];
  if (options.start) {
    const s = options.start;
    start = pack(mean === 'constant' ? s.mu : 0, s.omega, Math.max(s.alpha, 1e-4), Math.max(s.beta, 1e-4));
  } else {
    let bestValue = Infinity;
    start = [];
    for (const alpha of [0.03, 0.08, 0.15]) {
      for (const persistence of [0.9, 0.97, 0.995]) {
        const x = pack(sampleMean, variance * (1 - persistence), alpha, persistence - alpha);
        const value = objective(x);
        if (value < bestValue) {
          bestValue = value;
          start = x;
        }
      }
    }
  }
  const steps = mean === 'constant' ? [0.3, 0.5, 0.5, 0.05 * Math.sqrt(variance)] : [0.3, 0.5, 0.5];
  const result = nelderMead(objective, start, { steps, functionTolerance: 1e-11, pointTolerance: 1e-10, restarts: 4 });
  const [mu, omega, alpha, beta] = unpack(result.x);
  const filtered = garchFilter(returns, { mu, omega, alpha, beta, backcast });
  return {
    mean,
    mu,
    omega,
    alpha,
    beta,
    logLikelihood: -result.value,
    observations: n,
    lastConditionalVariance: filtered.variances[n - 1]!,
    nextVariance: filtered.next,
    backcast,
    evaluations: result.evaluations,
    converged: result.converged,
  };
}

/**
 * Forecast daily variances sigma2_{T+1..T+h} (percent^2): sigma2_{T+k} = vbar + (alpha + beta)^{k-1} (sigma2_{T+1} - vbar),
 * vbar = omega / (1 - alpha - beta). Returns their sum: the variance of the h-day return.
 */
export function garchHorizonVariance(fit: Pick<GarchFit, 'omega' | 'alpha' | 'beta'>, nextVariance: number, horizonDays: number): number {
  const persistence = fit.alpha + fit.beta;
  const longRun = fit.omega / (1 - persistence);
  let total = 0;
  let gap = nextVariance - longRun;
  for (let k = 0; k < horizonDays; k++) {
    total += longRun + gap;
    gap *= persistence;
  }
  return total;
}
