/**
 * Derivative-free minimisation for the forecast models' likelihoods: Nelder-Mead (Lagarias et al. 1998
 * conventions: reflection 1, expansion 2, contraction 1/2, shrink 1/2) on unconstrained parameters, restarted
 * from its own best point until a restart no longer improves the objective (a collapsed simplex is the classic
 * failure of a single run). Deterministic: no randomness, the initial simplex steps are given.
 */

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
  const xTol = options.pointTolerance ?? 1e-9;
  const maxEvaluations = options.maxEvaluations ?? 20_000;
  const restarts = options.restarts ?? 3;
  let evaluations = 0;
  const f = (x: readonly number[]): number => {
    evaluations++;
    const value = objective(x);
    return Number.isFinite(value) ? value : Infinity;
  };

  let best = [...start];
  let bestValue = f(best);
  let converged = false;
  for (let round = 0; round <= restarts; round++) {
    const run = simplexRun(f, best, options.steps, fTol, xTol, () => evaluations < maxEvaluations);
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

function simplexRun(
  f: (x: readonly number[]) => number,
  start: readonly number[],
  steps: readonly number[] | undefined,
  fTol: number,
  xTol: number,
  budgetLeft: () => boolean,
): { x: number[]; value: number; converged: boolean } {
  const n = start.length;
  const points: number[][] = [[...start]];
  for (let i = 0; i < n; i++) {
    const p = [...start];
    p[i] = p[i]! + (steps?.[i] ?? 0.1);
    points.push(p);
  }
  const values = points.map(f);
  const order = points.map((_, i) => i);
  const centroid = new Array<number>(n);
  const along = (from: readonly number[], to: readonly number[], t: number): number[] => from.map((v, i) => v + t * (to[i]! - v));

  while (budgetLeft()) {
    order.sort((a, b) => values[a]! - values[b]!);
    const bestIndex = order[0]!;
    const worstIndex = order[n]!;
    const secondWorst = values[order[n - 1]!]!;
    const spread = values[worstIndex]! - values[bestIndex]!;
    let size = 0;
    for (const p of points) for (let i = 0; i < n; i++) size = Math.max(size, Math.abs(p[i]! - points[bestIndex]![i]!));
    if (spread <= fTol && size <= xTol) return { x: [...points[bestIndex]!], value: values[bestIndex]!, converged: true };
    if (size <= xTol * 1e-3) return { x: [...points[bestIndex]!], value: values[bestIndex]!, converged: true };

    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = points[order[k]!]!;
      for (let i = 0; i < n; i++) centroid[i] = centroid[i]! + p[i]! / n;
    }
    const worst = points[worstIndex]!;
    const reflected = along(centroid, worst, -1);
    const reflectedValue = f(reflected);
    if (reflectedValue < values[bestIndex]!) {
      const expanded = along(centroid, worst, -2);
      const expandedValue = f(expanded);
      if (expandedValue < reflectedValue) {
        points[worstIndex] = expanded;
        values[worstIndex] = expandedValue;
      } else {
        points[worstIndex] = reflected;
        values[worstIndex] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < secondWorst) {
      points[worstIndex] = reflected;
      values[worstIndex] = reflectedValue;
      continue;
    }
    // Contraction: outside when the reflection beat the worst point, inside otherwise.
    const outside = reflectedValue < values[worstIndex]!;
    const contracted = outside ? along(centroid, worst, -0.5) : along(centroid, worst, 0.5);
    const contractedValue = f(contracted);
    if (contractedValue < (outside ? reflectedValue : values[worstIndex]!)) {
      points[worstIndex] = contracted;
      values[worstIndex] = contractedValue;
      continue;
    }
    const anchor = points[bestIndex]!;
    for (let k = 1; k <= n; k++) {
      const index = order[k]!;
      points[index] = along(anchor, points[index]!, 0.5);
      values[index] = f(points[index]);
    }
  }
  order.sort((a, b) => values[a]! - values[b]!);
  return { x: [...points[order[0]!]!], value: values[order[0]!]!, converged: false };
}
