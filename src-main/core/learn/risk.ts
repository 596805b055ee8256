/**
 * Risk criteria over a Monte Carlo sample of hedging P&L (positive = gain), each with its Monte Carlo standard
 * error. Pure functions over Float64Array in the manner of pfhedge `nn/functional.py`.
 *
 * - Entropic risk (exponential utility, risk aversion lambda): rho(X) = (1/lambda) log E[exp(-lambda X)]. For a
 *   short option's hedged P&L without premium this is the indifference (ask) price p of Buehler et al. (2019) §4.
 *   Standard error by the delta method: with Y = exp(-lambda X), se(rho) = sd(Y) / (lambda mean(Y) sqrt(n)).
 * - Expected shortfall of the loss L = -X at level alpha (e.g. 0.99: the mean of the worst 1 %), by the
 *   Rockafellar-Uryasev form ES = VaR + E[(L - VaR)+] / (1 - alpha) with VaR the empirical alpha-quantile;
 *   se = sd((L - VaR)+) / ((1 - alpha) sqrt(n)) (Hong & Liu 2009, the VaR error is second order).
 * - Mean-variance: -E[X] + (lambda/2) Var[X]; se by the delta method on (mean, mean of squares).
 */

/** An estimate and its Monte Carlo standard error. */
export interface Estimate {
  value: number;
  standardError: number;
}

function checkSample(sample: Float64Array, what: string): number {
  const n = sample.length;
  if (n < 2) throw new RangeError(`${what} needs at least 2 samples, got ${n}`);
  return n;
}

/** Sample mean with its standard error. */
export function meanEstimate(sample: Float64Array): Estimate {
  const n = checkSample(sample, 'mean');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sample[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = sample[i]! - mean;
    squares += d * d;
  }
  return { value: mean, standardError: Math.sqrt(squares / (n - 1) / n) };
}

/**
 * Entropic risk (1/lambda) log E[exp(-lambda X)] of the P&L sample X, computed with the largest exponent
 * factored out (no overflow for large losses), and its delta-method standard error.
 */
export function entropicRisk(pnl: Float64Array, lambda: number): Estimate {
  const n = checkSample(pnl, 'entropic risk');
  if (!(lambda > 0 && Number.isFinite(lambda))) throw new RangeError(`entropic risk aversion must be positive, got ${String(lambda)}`);
  let top = -Infinity;
  for (let i = 0; i < n; i++) top = Math.max(top, -lambda * pnl[i]!);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.exp(-lambda * pnl[i]! - top);
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.exp(-lambda * pnl[i]! - top) - mean;
    squares += d * d;
  }
  const sd = Math.sqrt(squares / (n - 1));
  return { value: (Math.log(mean) + top) / lambda, standardError: sd / (lambda * mean * Math.sqrt(n)) };
}

/**
 * Softmax weights w_i = exp(-lambda X_i) / sum_j exp(-lambda X_j): d(entropic risk)/dX_i = -w_i. Written into
 * `out` (same length as pnl); returns the entropic risk.
 */
export function entropicRiskGradient(pnl: Float64Array, lambda: number, out: Float64Array): number {
  const n = pnl.length;
  let top = -Infinity;
  for (let i = 0; i < n; i++) top = Math.max(top, -lambda * pnl[i]!);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = Math.exp(-lambda * pnl[i]! - top);
    out[i] = w;
    sum += w;
  }
  for (let i = 0; i < n; i++) out[i] = -out[i]! / sum;
  return (Math.log(sum / n) + top) / lambda;
}

/** Expected shortfall of the loss -X at level alpha in (0, 1), with its standard error. */
export function expectedShortfall(pnl: Float64Array, alpha: number): Estimate {
  const n = checkSample(pnl, 'expected shortfall');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`expected shortfall level must lie in (0, 1), got ${String(alpha)}`);
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) losses[i] = -pnl[i]!;
  const sorted = losses.slice().sort();
  const valueAtRisk = sorted[Math.min(n - 1, Math.floor(alpha * n))]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.max(losses[i]! - valueAtRisk, 0);
  const excess = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.max(losses[i]! - valueAtRisk, 0) - excess;
    squares += d * d;
  }
  const tail = 1 - alpha;
  return { value: valueAtRisk + excess / tail, standardError: Math.sqrt(squares / (n - 1)) / (tail * Math.sqrt(n)) };
}

/** Mean-variance criterion -E[X] + (lambda/2) Var[X], with its delta-method standard error. */
export function meanVariance(pnl: Float64Array, lambda: number): Estimate {
  const n = pnl.length;
  const { value, influence } = meanVarianceInfluence(pnl, lambda);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += influence[i]! * influence[i]!;
  return { value, standardError: Math.sqrt(squares / (n - 1) / n) };
}

/** Influence function of the mean-variance criterion: -(x - mean) + (lambda/2) ((x - mean)^2 - var). */
export function meanVarianceInfluence(pnl: Float64Array, lambda: number): { value: number; influence: Float64Array } {
  const n = checkSample(pnl, 'mean-variance');
  const { value: mean } = meanEstimate(pnl);
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = pnl[i]! - mean;
    m2 += d * d;
  }
  const variance = m2 / (n - 1);
  const influence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = pnl[i]! - mean;
    influence[i] = -d + 0.5 * lambda * (d * d - variance);
  }
  return { value: -mean + 0.5 * lambda * variance, influence };
}

/**
 * Difference of the entropic risks of two P&L samples on the same paths, rho(a) - rho(b), with its paired
 * delta-method standard error (influence exp(-lambda a_i) / (lambda mean) - the same for b): much tighter
 * than the two separate errors when the policies see the same paths.
 */
export function entropicRiskDifference(a: Float64Array, b: Float64Array, lambda: number): Estimate {
  const n = checkSample(a, 'entropic risk difference');
  if (b.length !== n) throw new RangeError(`entropic risk difference needs samples of equal length, got ${n} and ${b.length}`);
  const ra = entropicRisk(a, lambda);
  const rb = entropicRisk(b, lambda);
  // exp(-lambda x) / mean(exp(-lambda x)) = exp(-lambda x - lambda rho).
  let sum = 0;
  const influence = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    influence[i] = (Math.exp(-lambda * (a[i]! + ra.value)) - Math.exp(-lambda * (b[i]! + rb.value))) / lambda;
    sum += influence[i]!;
  }
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (influence[i]! - mean) ** 2;
  return { value: ra.value - rb.value, standardError: Math.sqrt(squares / (n - 1) / n) };
}

/** Influence function of the empirical ES of the loss -X at level alpha: VaR + (L - VaR)+ / (1 - alpha) - ES. */
export function expectedShortfallInfluence(pnl: Float64Array, alpha: number): { value: number; influence: Float64Array } {
  const n = checkSample(pnl, 'expected shortfall');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`expected shortfall level must lie in (0, 1), got ${String(alpha)}`);
  // One sort (as `expectedShortfall`, whose value this is to the last bit: same VaR, same sum in the same order).
  const sorted = Float64Array.from(pnl, (x) => -x).sort();
  const valueAtRisk = sorted[Math.min(n - 1, Math.floor(alpha * n))]!;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.max(-pnl[i]! - valueAtRisk, 0);
  const value = valueAtRisk + sum / n / (1 - alpha);
  const influence = new Float64Array(n);
  for (let i = 0; i < n; i++) influence[i] = valueAtRisk + Math.max(-pnl[i]! - valueAtRisk, 0) / (1 - alpha) - value;
  return { value, influence };
}

/**
 * Ratio ES(a) / ES(b) of the expected shortfalls of two P&L samples on the same paths, with its paired
 * delta-method standard error (influence (IF_a - r IF_b) / ES_b, Hong & Liu 2009 for the ES influence).
 */
export function expectedShortfallRatio(a: Float64Array, b: Float64Array, alpha: number): Estimate {
  const n = checkSample(a, 'expected shortfall ratio');
  if (b.length !== n) throw new RangeError(`expected shortfall ratio needs samples of equal length, got ${n} and ${b.length}`);
  const ea = expectedShortfallInfluence(a, alpha);
  const eb = expectedShortfallInfluence(b, alpha);
  if (!(eb.value !== 0)) throw new RangeError('expected shortfall ratio: the reference ES is 0');
  const ratio = ea.value / eb.value;
  const combined = Float64Array.from(ea.influence, (x, i) => (x - ratio * eb.influence[i]!) / eb.value);
  return { value: ratio, standardError: meanEstimate(combined).standardError };
}
