/**
 * Raw SVI calibration of one slice by the quasi-explicit method of Zeliade Systems ("Quasi-explicit calibration of
 * Gatheral's SVI model", Zeliade white paper ZWP-0005, 2009; De Marco & Martini): with y = (k - m)/sigma and
 * z = sqrt(y^2 + 1), the total variance is linear in (a, d, c) = (a, rho b sigma, b sigma):
 *
 *   w = a + d y + c z,
 *
 * so for fixed (m, sigma) the weighted least-squares problem in (a, d, c) over a polytope is a small convex QP,
 * solved exactly here (every active set of at most three constraints, the best feasible KKT point), and only
 * (m, sigma) are searched (Nelder–Mead in (m, ln sigma)).
 *
 * The polytope (linear, so the inner problem stays exact):
 *   |d| <= c                         (|rho| <= 1, b >= 0)
 *   c + |d| <= 2 sigma               (Lee: b (1 + |rho|) <= 2; Zeliade used 4 sigma, the older bound)
 *   a + c - |d| >= 0                 (sufficient for a + b sigma sqrt(1 - rho^2) >= 0, since
 *                                     sqrt(c^2 - d^2) >= c - |d|; Zeliade used a >= 0, which refuses a < 0 slices)
 *   a <= max w                       (as Zeliade)
 * Pure and deterministic.
 */
import { nelderMead } from './nelderMead';
import type { RawSvi } from './svi';

/** One slice's data: log-moneyness, target total variance, and weights (all the same length). */
export interface SliceData {
  k: Float64Array;
  totalVariance: Float64Array;
  weight: Float64Array;
}

export interface SliceFit {
  params: RawSvi;
  /** Weighted sum of squared total-variance errors at the optimum. */
  objective: number;
  /** Objective evaluations (inner QP solves) spent. */
  evaluations: number;
}

// Constraints C x <= h on x = (a, d, c); h depends on sigma (Lee) and max w.
const CONSTRAINTS: readonly (readonly [number, number, number])[] = [
  [-1, 1, -1], // -(a + c - d) <= 0
  [-1, -1, -1], // -(a + c + d) <= 0
  [1, 0, 0], // a <= max w
  [0, 1, -1], // d - c <= 0
  [0, -1, -1], // -d - c <= 0
  [0, 1, 1], // c + d <= 2 sigma
  [0, -1, 1], // c - d <= 2 sigma
];
const LEE = 2;

/** Every subset of at most 3 of the 7 constraints, as index lists (computed once). */
const ACTIVE_SETS: readonly (readonly number[])[] = (() => {
  const sets: number[][] = [];
  const count = CONSTRAINTS.length;
  for (let i = 0; i < count; i++) {
    sets.push([i]);
    for (let j = i + 1; j < count; j++) {
      sets.push([i, j]);
      for (let l = j + 1; l < count; l++) sets.push([i, j, l]);
    }
  }
  // By size, so that the first point meeting the KKT conditions is found among the smallest active sets.
  return sets.sort((x, y) => x.length - y.length);
})();

/**
 * Solves the square system M x = r in place (Gaussian elimination, partial pivoting); false when singular.
 * `m` is row-major n x n.
 */
function solveInPlace(m: Float64Array, r: Float64Array, n: number): boolean {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row * n + col]!) > Math.abs(m[pivot * n + col]!)) pivot = row;
    const p = m[pivot * n + col]!;
    if (!(Math.abs(p) > 1e-300)) return false;
    if (pivot !== col) {
      for (let j = 0; j < n; j++) {
        const t = m[col * n + j]!;
        m[col * n + j] = m[pivot * n + j]!;
        m[pivot * n + j] = t;
      }
      const t = r[col]!;
      r[col] = r[pivot]!;
      r[pivot] = t;
    }
    for (let row = col + 1; row < n; row++) {
      const factor = m[row * n + col]! / p;
      if (factor === 0) continue;
      for (let j = col; j < n; j++) m[row * n + j] = m[row * n + j]! - factor * m[col * n + j]!;
      r[row] = r[row]! - factor * r[col]!;
    }
  }
  for (let row = n - 1; row >= 0; row--) {
    let sum = r[row]!;
    for (let j = row + 1; j < n; j++) sum -= m[row * n + j]! * r[j]!;
    r[row] = sum / m[row * n + row]!;
  }
  return true;
}

/** Scratch space for the inner problem (no allocation per evaluation). */
const kkt = new Float64Array(36);
const rhs = new Float64Array(6);
const hessian = new Float64Array(9);
const gradient = new Float64Array(3);
const limits = new Float64Array(7);
const NO_CONSTRAINTS: readonly number[] = [];
/** Index in ACTIVE_SETS of the last optimum's active set (a search hint only; -1 before the first). */
let lastActiveSet = -1;

/** The inner problem's answer for one (m, sigma): (a, d, c) and the objective, written to `out`. */
interface InnerSolution {
  a: number;
  d: number;
  c: number;
  objective: number;
}

// The current inner problem (module state, so that no closure is made per evaluation): its sums, the
// constraints' right-hand sides, the feasibility tolerance, and the best point found so far.
let sww = 0;
let tolerance = 0;
let best = Infinity;
const bestPoint = new Float64Array(3);

/** x'Hx - 2 g'x + sum(o w^2): the weighted sum of squares at (a, d, c). */
function objectiveOf(a: number, d: number, c: number): number {
  const h = hessian;
  return (
    a * (h[0]! * a + h[1]! * d + h[2]! * c) + d * (h[3]! * a + h[4]! * d + h[5]! * c) + c * (h[6]! * a + h[7]! * d + h[8]! * c) -
    2 * (gradient[0]! * a + gradient[1]! * d + gradient[2]! * c) + sww
  );
}

function feasible(a: number, d: number, c: number): boolean {
  for (let j = 0; j < CONSTRAINTS.length; j++) {
    const row = CONSTRAINTS[j]!;
    if (row[0] * a + row[1] * d + row[2] * c > limits[j]! + tolerance) return false;
  }
  return true;
}

/** Solves the KKT system of one active set; true when its point is the optimum (feasible, multipliers >= 0). */
function consider(active: readonly number[]): boolean {
  const n = 3 + active.length;
  kkt.fill(0, 0, n * n);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) kkt[r * n + c] = hessian[r * 3 + c]!;
  for (let i = 0; i < active.length; i++) {
    const row = CONSTRAINTS[active[i]!]!;
    for (let c = 0; c < 3; c++) {
      kkt[(3 + i) * n + c] = row[c]!;
      kkt[c * n + 3 + i] = row[c]!;
    }
    rhs[3 + i] = limits[active[i]!]!;
  }
  rhs[0] = gradient[0]!;
  rhs[1] = gradient[1]!;
  rhs[2] = gradient[2]!;
  if (!solveInPlace(kkt, rhs, n)) return false;
  const a = rhs[0]!, d = rhs[1]!, c = rhs[2]!;
  if (!feasible(a, d, c)) return false;
  const value = objectiveOf(a, d, c);
  if (value < best) {
    best = value;
    bestPoint[0] = a;
    bestPoint[1] = d;
    bestPoint[2] = c;
  }
  // A convex QP: a feasible point whose multipliers are all >= 0 meets the KKT conditions, so it is the optimum.
  for (let i = 3; i < n; i++) if (rhs[i]! < -1e-12 * (1 + Math.abs(best))) return false;
  return true;
}

/**
 * For fixed (m, sigma): the weighted least-squares (a, d, c) on the polytope, exactly. Returns the objective
 * (Infinity if no active set gives a feasible point, which cannot happen for sigma > 0 since 0 is feasible).
 */
export function solveInner(data: SliceData, m: number, sigma: number, maxW: number, out: InnerSolution): number {
  const { k, totalVariance: w, weight } = data;
  let s0 = 0, sy = 0, sz = 0, syy = 0, syz = 0, szz = 0, sw = 0, syw = 0, szw = 0;
  sww = 0;
  for (let i = 0; i < k.length; i++) {
    const y = (k[i]! - m) / sigma;
    const z = Math.sqrt(y * y + 1);
    const o = weight[i]!;
    const v = w[i]!;
    s0 += o; sy += o * y; sz += o * z; syy += o * y * y; syz += o * y * z; szz += o * z * z;
    sw += o * v; syw += o * y * v; szw += o * z * v; sww += o * v * v;
  }
  hessian[0] = s0; hessian[1] = sy; hessian[2] = sz;
  hessian[3] = sy; hessian[4] = syy; hessian[5] = syz;
  hessian[6] = sz; hessian[7] = syz; hessian[8] = szz;
  gradient[0] = sw; gradient[1] = syw; gradient[2] = szw;
  limits[2] = maxW;
  limits[5] = LEE * sigma;
  limits[6] = LEE * sigma;
  tolerance = 1e-12 * (1 + maxW + sigma);
  best = Infinity;
  // Neighbouring (m, sigma) of a search mostly share their active set: the last one is tried first (the
  // answer does not depend on the order: the KKT point of a strictly convex QP is unique).
  if (!consider(NO_CONSTRAINTS) && !(lastActiveSet >= 0 && consider(ACTIVE_SETS[lastActiveSet]!))) {
    for (let s = 0; s < ACTIVE_SETS.length; s++) {
      if (s !== lastActiveSet && consider(ACTIVE_SETS[s]!)) {
        lastActiveSet = s;
        break;
      }
    }
  }
  out.a = bestPoint[0]!;
  out.d = bestPoint[1]!;
  out.c = bestPoint[2]!;
  out.objective = Math.max(0, best);
  return out.objective;
}

export interface QuasiExplicitOptions {
  /** Start the (m, sigma) search here (a previous fit), with a small simplex and no grid. */
  start?: RawSvi;
  /** Iterations of the outer Nelder–Mead. Default 300 (from a grid), 120 from a start. */
  maxIterations?: number;
}

/** Raw SVI from the inner solution (a, d, c) at (m, sigma). */
function toRaw(a: number, d: number, c: number, m: number, sigma: number): RawSvi {
  const b = c / sigma;
  // rho = d / c; clamp the rounding of |d| = c so |rho| < 1 stays true.
  const rho = c > 0 ? Math.max(-1 + 1e-12, Math.min(1 - 1e-12, d / c)) : 0;
  return { a, b, rho, m, sigma };
}

const SIGMA_MIN = 1e-4;
/**
 * sigma is searched up to twice the data's k-range: beyond it the smile is a parabola over the data and (a, b)
 * cancel (a -> -b sigma), an ill-posed fit whose wings are arbitrary (seen on the 2026-01-02 ETH chain: sigma = 5,
 * a = -6.2, butterfly arbitrage outside the data).
 */
const SIGMA_MAX_PER_WIDTH = 2;

/**
 * Fits raw SVI to one slice. Needs at least 5 points (5 parameters).
 * @throws RangeError for fewer than 5 points or arrays of different lengths.
 */
export function calibrateRawSvi(data: SliceData, options: QuasiExplicitOptions = {}): SliceFit {
  const n = data.k.length;
  if (data.totalVariance.length !== n || data.weight.length !== n) throw new RangeError('k, totalVariance and weight must have the same length');
  if (n < 5) throw new RangeError(`raw SVI needs at least 5 points, got ${n}`);
  let kMin = Infinity, kMax = -Infinity, maxW = 0;
  for (let i = 0; i < n; i++) {
    kMin = Math.min(kMin, data.k[i]!);
    kMax = Math.max(kMax, data.k[i]!);
    maxW = Math.max(maxW, data.totalVariance[i]!);
  }
  const width = Math.max(kMax - kMin, 1e-6);
  const sigmaMax = SIGMA_MAX_PER_WIDTH * width;
  const inner: InnerSolution = { a: 0, d: 0, c: 0, objective: 0 };
  let evaluations = 0;
  const objective = (x: readonly number[]): number => {
    const m = x[0]!;
    const sigma = Math.exp(x[1]!);
    if (!(sigma >= SIGMA_MIN && sigma <= sigmaMax) || m < kMin - 2 * width || m > kMax + 2 * width) return Infinity;
    evaluations++;
    return solveInner(data, m, sigma, maxW, inner);
  };
  let x0: number[];
  let step: number[];
  if (options.start !== undefined) {
    x0 = [options.start.m, Math.log(Math.min(sigmaMax, Math.max(SIGMA_MIN, options.start.sigma)))];
    step = [0.05 * width, 0.2];
  } else {
    // Coarse grid over m in the data range and sigma from 1/100 to 1 of it (log-spaced), best point starts.
    let bestValue = Infinity;
    x0 = [(kMin + kMax) / 2, Math.log(0.1 * width)];
    for (let i = 0; i <= 6; i++) {
      const m = kMin + (i / 6) * width;
      for (let j = 0; j <= 5; j++) {
        const x = [m, Math.log(Math.max(SIGMA_MIN, width * 10 ** (-2 + (2 * j) / 5)))];
        const value = objective(x);
        if (value < bestValue) {
          bestValue = value;
          x0 = x;
        }
      }
    }
    step = [0.1 * width, 0.5];
  }
  const result = nelderMead(objective, x0, { step, maxIterations: options.maxIterations ?? (options.start ? 120 : 300), valueTolerance: 1e-16, pointTolerance: 1e-7 });
  const m = result.x[0]!;
  const sigma = Math.exp(result.x[1]!);
  objective(result.x);
  return { params: toRaw(inner.a, inner.d, inner.c, m, sigma), objective: inner.objective, evaluations };
}
