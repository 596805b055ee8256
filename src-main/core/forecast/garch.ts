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
 * Optimiser: Nelder-Mead on (u, v, w[, mu]) (`optimize.ts`) to a loose tolerance, from the best of a small grid of
 * start points (as `arch` starts its SLSQP from a grid), then Fisher scoring on (omega, alpha, beta[, mu]) with the
 * analytic score and expected information of the Gaussian likelihood (derivatives of sigma2_t by the same recursion,
 * Bollerslev 1986), halving steps that leave the constraints or lower the likelihood. The simplex alone needs
 * ~550 likelihood passes to reach 1e-9; scoring converges quadratically from where the simplex stops.
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
  const coarse = nelderMead(objective, start, { steps, functionTolerance: 1e-2, pointTolerance: 1e-2, restarts: 0 });
  const polished = fisherScoring(returns, unpack(coarse.x), -coarse.value, backcast, mean === 'constant');
  const [mu, omega, alpha, beta] = polished.parameters;
  const filtered = garchFilter(returns, { mu, omega, alpha, beta, backcast });
  return {
    mean,
    mu,
    omega,
    alpha,
    beta,
    logLikelihood: polished.logLikelihood,
    observations: n,
    lastConditionalVariance: filtered.variances[n - 1]!,
    nextVariance: filtered.next,
    backcast,
    evaluations: coarse.evaluations + polished.passes,
    converged: polished.converged,
  };
}

type Parameters = [mu: number, omega: number, alpha: number, beta: number];

/**
 * Score and expected information of the log-likelihood in (omega, alpha, beta[, mu]). With g_t = d sigma2_t / d theta
 * (g_t = [1, e_{t-1}^2, sigma2_{t-1}, -2 alpha e_{t-1}] + beta g_{t-1}; at t = 0, [1, backcast, backcast, 0]):
 * score = sum 0.5 (e_t^2 / sigma2_t - 1) g_t / sigma2_t (+ e_t / sigma2_t for mu), information = sum 0.5 g_t g_t' /
 * sigma2_t^2 (+ 1 / sigma2_t on the mu diagonal).
 */
function scoreAndInformation(returns: ArrayLike<number>, [mu, omega, alpha, beta]: Parameters, backcast: number, k: number): { score: number[]; information: number[][] } {
  const score = new Array<number>(k).fill(0);
  const information = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const g = [1, backcast, backcast, 0];
  let sigma2 = omega + (alpha + beta) * backcast;
  for (let t = 0; t < returns.length; t++) {
    if (t > 0) {
      const previous = returns[t - 1]! - mu;
      g[0] = 1 + beta * g[0]!;
      g[1] = previous * previous + beta * g[1]!;
      g[2] = sigma2 + beta * g[2]!;
      g[3] = -2 * alpha * previous + beta * g[3]!;
      sigma2 = omega + alpha * previous * previous + beta * sigma2;
    }
    const e = returns[t]! - mu;
    const weight = (0.5 * ((e * e) / sigma2 - 1)) / sigma2;
    const info = 0.5 / (sigma2 * sigma2);
    for (let i = 0; i < k; i++) {
      score[i] = score[i]! + weight * g[i]!;
      for (let j = 0; j <= i; j++) information[i]![j] = information[i]![j]! + info * g[i]! * g[j]!;
    }
    if (k === 4) {
      score[3] = score[3]! + e / sigma2;
      information[3]![3] = information[3]![3]! + 1 / sigma2;
    }
  }
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) information[i]![j] = information[j]![i]!;
  return { score, information };
}

/** Solves the small symmetric system A x = b by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    if (!(Math.abs(m[pivot]![c]!) > 0)) return null;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      for (let j = c; j <= n; j++) m[r]![j] = m[r]![j]! - f * m[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let j = r + 1; j < n; j++) sum -= m[r]![j]! * x[j]!;
    x[r] = sum / m[r]![r]!;
  }
  return x;
}

function fisherScoring(returns: ArrayLike<number>, start: Parameters, startLogLikelihood: number, backcast: number, withMean: boolean): { parameters: Parameters; logLikelihood: number; passes: number; converged: boolean } {
  const k = withMean ? 4 : 3;
  let current: Parameters = [...start];
  let logLikelihood = startLogLikelihood;
  let passes = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    const { score, information } = scoreAndInformation(returns, current, backcast, k);
    passes++;
    const step = solve(information, score);
    if (!step) return { parameters: current, logLikelihood, passes, converged: false };
    let scale = 1;
    let accepted = false;
    for (let halving = 0; halving < 40; halving++, scale /= 2) {
      const [mu, omega, alpha, beta] = current;
      const next: Parameters = [withMean ? mu + scale * step[3]! : mu, omega + scale * step[0]!, alpha + scale * step[1]!, beta + scale * step[2]!];
      if (!(next[1] > 0 && next[2] >= 0 && next[3] >= 0 && next[2] + next[3] < 1)) continue;
      const value = garchLogLikelihood(returns, ...next, backcast);
      passes++;
      if (value >= logLikelihood) {
        const gain = value - logLikelihood;
        const moved = Math.max(...step.map((s, i) => Math.abs(scale * s) / Math.max(Math.abs(i === 3 ? current[0] : current[i + 1]!), 1e-8)));
        current = next;
        logLikelihood = value;
        accepted = true;
        if (gain < 1e-11 * Math.abs(logLikelihood) && moved < 1e-9) return { parameters: current, logLikelihood, passes, converged: true };
        break;
      }
    }
    // No step raises the likelihood: at the optimum to machine precision (or on a constraint).
    if (!accepted) return { parameters: current, logLikelihood, passes, converged: true };
  }
  return { parameters: current, logLikelihood, passes, converged: false };
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
