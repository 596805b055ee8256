/**
 * The optimal hedge of a short European option on Black-Scholes paths with discrete rebalancing, proportional
 * costs and the entropic risk, by dynamic programming: the reference that tells how far a learned policy is from
 * the best any policy can do on the same problem (issue 14's B1 and B2), and the band that attains it.
 *
 * The entropic risk is time consistent (rho(X) = rho_0(rho_1(... rho_{n-1}(X)))), and with exponential utility
 * the wealth drops out, so the state is (log-moneyness x, position held q). With X = -payoff + sum_k q_k dS_k -
 * eps sum_k S_k |q_k - q_{k-1}| (hedging.ts, no terminal unwind):
 *   V_n(x, q) = payoff(S_n),
 *   W_k(x, q) = (1/lambda) log E[ exp(lambda (V_{k+1}(x', q) - q (S_{k+1} - S_k))) ],
 *   V_k(x, p) = min_q [ eps S_k |q - p| + W_k(x, q) ],
 * and the indifference price is V_0(ln(S0/K), 0). W_k is convex in q (a log-sum-exp of convex functions; V_n
 * does not depend on q and the infimal convolution with eps S |.| keeps convexity), so the minimizer is a
 * no-trade band: q = clamp(p, l_k(x), u_k(x)) with l = argmin_q W + eps S q and u = argmin_q W - eps S q
 * (Davis, Panas & Zariphopoulou 1993 in continuous time).
 *
 * Numerics: x on a uniform grid of `logSpotPoints` over +-`logSpotHalfWidth` standard deviations of ln S_T, q on
 * a uniform grid, the expectation by Gauss-Hermite quadrature of the exact GBM step with V_{k+1} interpolated
 * linearly in x (extrapolated linearly beyond the grid), the minimum over q by the two-pass L1 distance
 * transform, O(x points x q points x nodes) per step. Grid errors: see test/unit/core/learn/optimalHedge.test.ts
 * (refinement) and bench/RESULTS.md.
 */
import type { HedgeBatch, HedgePolicy, HedgeState } from './hedging';
import type { HedgingProblem } from './train';

export interface OptimalHedgeGrid {
  /** Log-spot grid half-width in standard deviations of ln S_T (sigma sqrt(T)). */
  logSpotHalfWidth: number;
  /** Log-spot points (odd, so that ln(S0/K) = 0 sits on the grid when S0 = K). */
  logSpotPoints: number;
  positionMin: number;
  positionMax: number;
  positionPoints: number;
  /** Gauss-Hermite nodes per expectation. */
  quadratureNodes: number;
}

export const DEFAULT_OPTIMAL_HEDGE_GRID: Readonly<OptimalHedgeGrid> = Object.freeze({
  logSpotHalfWidth: 7,
  logSpotPoints: 801,
  positionMin: -0.1,
  positionMax: 1.1,
  positionPoints: 241,
  quadratureNodes: 20,
});

/**
 * Nodes and weights of Gauss-Hermite quadrature for the standard normal (E f(Z) ~ sum w_i f(z_i), sum w = 1),
 * from the physicists' rule by Newton iteration on the normalized Hermite recurrence (Numerical Recipes §4.6).
 */
export function gaussHermiteNormal(n: number): { nodes: Float64Array; weights: Float64Array } {
  if (!Number.isSafeInteger(n) || n < 1 || n > 200) throw new RangeError(`Gauss-Hermite needs 1..200 nodes, got ${String(n)}`);
  const roots: number[] = [];
  const physWeights: number[] = [];
  const half = Math.floor((n + 1) / 2);
  for (let i = 0; i < half; i++) {
    // Initial guesses of Numerical Recipes' gauher for the largest roots first.
    let z = i === 0 ? Math.sqrt(2 * n + 1) - 1.85575 * (2 * n + 1) ** (-1 / 6)
      : i === 1 ? roots[0]! - (1.14 * n ** 0.426) / roots[0]!
        : i === 2 ? 1.86 * roots[1]! - 0.86 * roots[0]!
          : i === 3 ? 1.91 * roots[2]! - 0.91 * roots[1]!
            : 2 * roots[i - 1]! - roots[i - 2]!;
    let derivative = 0;
    for (let iteration = 0; iteration < 200; iteration++) {
      let p1 = Math.PI ** -0.25;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = z * Math.sqrt(2 / j) * p2 - Math.sqrt((j - 1) / j) * p3;
      }
      derivative = Math.sqrt(2 * n) * p2;
      const previous = z;
      z = previous - p1 / derivative;
      if (Math.abs(z - previous) < 1e-15 * Math.max(1, Math.abs(z))) break;
    }
    roots.push(z);
    physWeights.push(2 / (derivative * derivative));
  }
  const nodes = new Float64Array(n);
  const weights = new Float64Array(n);
  for (let i = 0; i < half; i++) {
    // e^{-t^2} rule -> standard normal: z = sqrt(2) t, weight / sqrt(pi).
    nodes[i] = -Math.SQRT2 * roots[i]!;
    nodes[n - 1 - i] = Math.SQRT2 * roots[i]!;
    weights[i] = physWeights[i]! / Math.sqrt(Math.PI);
    weights[n - 1 - i] = physWeights[i]! / Math.sqrt(Math.PI);
  }
  return { nodes, weights };
}

/** The optimal no-trade band per rebalancing step on the log-moneyness grid, and the value it attains. */
export interface OptimalHedge {
  /** V_0(ln(S0/K), 0): the optimal entropic indifference price on the grid. */
  price: number;
  /** Log-moneyness grid. */
  logMoneyness: Float64Array;
  /** lower[k * points + i], upper[...]: the band at step k and grid point i. */
  lower: Float64Array;
  upper: Float64Array;
  steps: number;
  /** The band as a hedge policy (interpolated linearly in log-moneyness). */
  policy: HedgePolicy;
}

/** Index of the minimum of f over the grid, refined by the parabola through its neighbours (grid units). */
function refinedArgmin(f: Float64Array, from: number, count: number): number {
  let best = 0;
  for (let j = 1; j < count; j++) if (f[from + j]! < f[from + best]!) best = j;
  if (best === 0 || best === count - 1) return best;
  const a = f[from + best - 1]!;
  const b = f[from + best]!;
  const c = f[from + best + 1]!;
  const curvature = a - 2 * b + c;
  return curvature > 0 ? best + (0.5 * (a - c)) / curvature : best;
}

export function optimalHedge(problem: HedgingProblem, grid: OptimalHedgeGrid = DEFAULT_OPTIMAL_HEDGE_GRID): OptimalHedge {
  const { s0, sigma, dt, contract, cost: eps, lambda } = problem;
  const steps = Math.round(contract.maturity / dt);
  if (steps < 1) throw new RangeError(`maturity ${contract.maturity} is shorter than one step of ${dt}`);
  if (!(sigma > 0) || !(lambda > 0) || !(eps >= 0)) throw new RangeError(`optimal hedge needs sigma > 0, lambda > 0, eps >= 0; got ${sigma}, ${lambda}, ${eps}`);
  const nx = grid.logSpotPoints;
  const nq = grid.positionPoints;
  if (!(nx >= 3 && nx % 2 === 1)) throw new RangeError(`logSpotPoints must be odd and at least 3, got ${nx}`);
  if (!(nq >= 3) || !(grid.positionMax > grid.positionMin)) throw new RangeError('position grid needs at least 3 points over a positive range');
  const strike = contract.strike;
  const center = Math.log(s0 / strike);
  const halfWidth = grid.logSpotHalfWidth * sigma * Math.sqrt(contract.maturity);
  const xs = Float64Array.from({ length: nx }, (_, i) => center - halfWidth + (2 * halfWidth * i) / (nx - 1));
  const dx = xs[1]! - xs[0]!;
  const qs = Float64Array.from({ length: nq }, (_, j) => grid.positionMin + ((grid.positionMax - grid.positionMin) * j) / (nq - 1));
  const dq = qs[1]! - qs[0]!;
  const { nodes, weights } = gaussHermiteNormal(grid.quadratureNodes);
  const nz = nodes.length;
  const sd = sigma * Math.sqrt(dt);
  const spot = Float64Array.from(xs, (x) => strike * Math.exp(x));
  const value = new Float64Array(nx * nq);
  for (let i = 0; i < nx; i++) value.fill(contract.isCall ? Math.max(spot[i]! - strike, 0) : Math.max(strike - spot[i]!, 0), i * nq, (i + 1) * nq);
  const next = new Float64Array(nx * nq);
  const w = new Float64Array(nx * nq);
  const lower = new Float64Array(steps * nx);
  const upper = new Float64Array(steps * nx);
  const at = new Int32Array(nz);
  const fraction = new Float64Array(nz);
  const move = new Float64Array(nz);
  const exponent = new Float64Array(nz);
  const tilted = new Float64Array(nq);
  for (let k = steps - 1; k >= 0; k--) {
    for (let i = 0; i < nx; i++) {
      for (let z = 0; z < nz; z++) {
        const x = xs[i]! - 0.5 * sd * sd + sd * nodes[z]!;
        const position = Math.min(Math.max(Math.floor((x - xs[0]!) / dx), 0), nx - 2);
        at[z] = position * nq;
        fraction[z] = (x - xs[position]!) / dx;
        move[z] = strike * Math.exp(x) - spot[i]!;
      }
      for (let j = 0; j < nq; j++) {
        const q = qs[j]!;
        let top = -Infinity;
        for (let z = 0; z < nz; z++) {
          const f = fraction[z]!;
          const v = value[at[z]! + j]! * (1 - f) + value[at[z]! + nq + j]! * f;
          const e = lambda * (v - q * move[z]!);
          exponent[z] = e;
          if (e > top) top = e;
        }
        let sum = 0;
        for (let z = 0; z < nz; z++) sum += weights[z]! * Math.exp(exponent[z]! - top);
        w[i * nq + j] = (Math.log(sum) + top) / lambda;
      }
      // Band edges: argmin of W + c q and of W - c q, c = eps S.
      const row = i * nq;
      const c = eps * spot[i]!;
      for (let j = 0; j < nq; j++) tilted[j] = w[row + j]! + c * qs[j]!;
      lower[k * nx + i] = qs[0]! + dq * refinedArgmin(tilted, 0, nq);
      for (let j = 0; j < nq; j++) tilted[j] = w[row + j]! - c * qs[j]!;
      upper[k * nx + i] = qs[0]! + dq * refinedArgmin(tilted, 0, nq);
      // V_k(x, p) = min_q W(x, q) + c |q - p| on the grid: the two-pass L1 distance transform.
      const step = c * dq;
      for (let j = 0; j < nq; j++) next[row + j] = w[row + j]!;
      for (let j = 1; j < nq; j++) next[row + j] = Math.min(next[row + j]!, next[row + j - 1]! + step);
      for (let j = nq - 2; j >= 0; j--) next[row + j] = Math.min(next[row + j]!, next[row + j + 1]! + step);
    }
    value.set(next);
  }
  // V_0 at (x = ln(S0/K), q = 0): x0 is the middle grid point; interpolate in q when 0 is between grid points.
  const middle = (nx - 1) / 2;
  const j0 = Math.min(Math.max(Math.floor((0 - qs[0]!) / dq), 0), nq - 2);
  const f0 = (0 - qs[j0]!) / dq;
  const price = value[middle * nq + j0]! * (1 - f0) + value[middle * nq + j0 + 1]! * f0;
  const policy = bandPolicy(xs, lower, upper, steps, contract.maturity, dt);
  return { price, logMoneyness: xs, lower, upper, steps, policy };
}

/** The tabulated band as a policy: clamp the previous position into the band of the step, interpolated in x. */
function bandPolicy(xs: Float64Array, lower: Float64Array, upper: Float64Array, steps: number, maturity: number, dt: number): HedgePolicy {
  const nx = xs.length;
  const dx = xs[1]! - xs[0]!;
  const decideOne = (timeToMaturity: number, logMoneyness: number, previous: number): number => {
    const k = Math.min(Math.max(Math.round((maturity - timeToMaturity) / dt), 0), steps - 1);
    const t = Math.min(Math.max((logMoneyness - xs[0]!) / dx, 0), nx - 1);
    const i = Math.min(Math.floor(t), nx - 2);
    const f = t - i;
    const lo = lower[k * nx + i]! * (1 - f) + lower[k * nx + i + 1]! * f;
    const hi = upper[k * nx + i]! * (1 - f) + upper[k * nx + i + 1]! * f;
    return previous < lo ? lo : previous > hi ? hi : previous;
  };
  return {
    name: 'optimal-dp',
    decide: (s: HedgeState) => decideOne(s.timeToMaturity, s.logMoneyness, s.previousPosition),
    decideBatch: (b: HedgeBatch, out: Float64Array) => {
      for (let i = 0; i < b.count; i++) out[i] = decideOne(b.timeToMaturity, b.logMoneyness[i]!, b.previousPosition[i]!);
    },
  };
}
