/**
 * Derivative-free minimisation for the forecast models' likelihoods: the surface fits' Nelder-Mead simplex
 * (`core/surface/nelderMead.ts`) on unconstrained parameters, restarted from its own best point until a restart
 * no longer improves the objective (a collapsed simplex is the classic failure of a single run). Deterministic:
 * no randomness, the initial simplex steps are given.
 */
import { nelderMead as simplex } from '../surface/nelderMead';

export interface NelderMeadOptions {
  /** Initial simplex step per coordinate (default 0.1 for every coordinate). */
  steps?: readonly number[];
  /** Stop when the spread of objective values over the simplex is below this (absolute). Default 1e-10. */
  functionTolerance?: number;
  /** Stop when every vertex is within this of the best, per coordinate. Default 1e-9. */
  pointTolerance?: number;
  /** Objective evaluations allowed over all restarts. Default 20 000. */
  maxEvaluations?: number;
  /** Restarts from the best point after convergence. Default 3. */
  restarts?: number;
}

export interface MinimumResult {
  x: number[];
  value: number;
  evaluations: number;
  /** False when the evaluation budget ran out before the tolerances were met. */
  converged: boolean;
}

/**
 * Minimises `objective` from `start`. A non-finite objective value counts as +Infinity (outside the domain), so
 * the simplex retreats from it.
 */
export function nelderMead(objective: (x: readonly number[]) => number, start: readonly number[], options: NelderMeadOptions = {}): MinimumResult {
  const n = start.length;
  if (n === 0) throw new RangeError('nelderMead needs at least one parameter');
  const fTol = options.functionTolerance ?? 1e-10;
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  const restarts = options.restarts ?? 3;
  const step = options.steps ?? new Array<number>(n).fill(0.1);
  const f = (x: readonly number[]): number => {
    const value = objective(x);
    return Number.isFinite(value) ? value : Infinity;
  };

  let evaluations = 1;
  let best = [...start];
  let bestValue = f(best);
  let converged = false;
  for (let round = 0; round <= restarts; round++) {
    const run = simplex(f, best, {
      step,
      maxIterations: Infinity,
      maxEvaluations: maxEvaluations - evaluations,
      valueTolerance: fTol,
      pointTolerance: options.pointTolerance ?? 1e-9,
    });
    evaluations += run.evaluations;
    const improved = run.value < bestValue - fTol;
    if (run.value <= bestValue) {
      best = run.x;
      bestValue = run.value;
    }
    converged = run.converged;
    if (!run.converged || (round > 0 && !improved)) break;
  }
  return { x: best, value: bestValue, evaluations, converged };
}
