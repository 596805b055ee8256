/**
 * Nelder–Mead simplex minimisation (Nelder & Mead 1965; the standard coefficients of Lagarias et al. 1998:
 * reflection 1, expansion 2, contraction 1/2, shrink 1/2) for the few-parameter searches of the surface fits and
 * (restarted, `core/forecast/optimize.ts`) the forecast models' likelihoods.
 * Deterministic: no randomness; the same start gives the same answer. An objective may return Infinity (or
 * NaN, read as Infinity) for a point outside its domain: such vertices are simply never preferred.
 */

export interface NelderMeadOptions {
  /** Initial step per coordinate (the simplex is x0 and x0 + step_i e_i). */
  step: readonly number[];
  /** Stop after this many iterations. Default 200. */
  maxIterations?: number;
  /** Stop before an iteration once this many objective evaluations were spent. Default: no limit. */
  maxEvaluations?: number;
  /** Stop when the best and worst values differ by at most this (absolute). Default 1e-12. */
  valueTolerance?: number;
  /** Stop when every vertex is within this of the best in every coordinate. Default 1e-9. */
  pointTolerance?: number;
}

export interface NelderMeadResult {
  x: number[];
  value: number;
  iterations: number;
  evaluations: number;
  /** True when the tolerances were met, false when an iteration or evaluation limit stopped the search. */
  converged: boolean;
}

const finiteOr = (value: number): number => (Number.isNaN(value) ? Infinity : value);

export function nelderMead(objective: (x: readonly number[]) => number, x0: readonly number[], options: NelderMeadOptions): NelderMeadResult {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 200;
  const valueTolerance = options.valueTolerance ?? 1e-12;
  const pointTolerance = options.pointTolerance ?? 1e-9;
  const maxEvaluations = options.maxEvaluations ?? Infinity;
  let evaluations = 0;
  let converged = false;
  const f = (x: readonly number[]): number => {
    evaluations++;
    return finiteOr(objective(x));
  };
  const points: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const p = x0.slice();
    p[i] = p[i]! + options.step[i]!;
    points.push(p);
  }
  const values = points.map(f);
  const centroid = new Array<number>(n);
  const along = (t: number): number[] => {
    const worst = points[n]!;
    const x = new Array<number>(n);
    for (let j = 0; j < n; j++) x[j] = centroid[j]! + t * (worst[j]! - centroid[j]!);
    return x;
  };
  let iterations = 0;
  for (; iterations < maxIterations && evaluations < maxEvaluations; iterations++) {
    // Order the vertices best to worst (n + 1 <= 4 here: insertion sort).
    for (let i = 1; i <= n; i++) {
      for (let j = i; j > 0 && values[j]! < values[j - 1]!; j--) {
        [values[j], values[j - 1]] = [values[j - 1]!, values[j]!];
        [points[j], points[j - 1]] = [points[j - 1]!, points[j]!];
      }
    }
    const best = points[0]!;
    let spread = 0;
    for (let i = 1; i <= n; i++) for (let j = 0; j < n; j++) spread = Math.max(spread, Math.abs(points[i]![j]! - best[j]!));
    if ((values[n]! - values[0]! <= valueTolerance && spread <= pointTolerance) || spread <= pointTolerance * 1e-3) {
      converged = true;
      break;
    }
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += points[i]![j]!;
      centroid[j] = sum / n;
    }
    const reflected = along(-1);
    const reflectedValue = f(reflected);
    if (reflectedValue < values[0]!) {
      const expanded = along(-2);
      const expandedValue = f(expanded);
      if (expandedValue < reflectedValue) {
        points[n] = expanded;
        values[n] = expandedValue;
      } else {
        points[n] = reflected;
        values[n] = reflectedValue;
      }
      continue;
    }
    if (reflectedValue < values[n - 1]!) {
      points[n] = reflected;
      values[n] = reflectedValue;
      continue;
    }
    // Contract: outside if the reflection beat the worst, else inside.
    const outside = reflectedValue < values[n]!;
    const contracted = along(outside ? -0.5 : 0.5);
    const contractedValue = f(contracted);
    if (contractedValue < (outside ? reflectedValue : values[n]!)) {
      points[n] = contracted;
      values[n] = contractedValue;
      continue;
    }
    // Shrink towards the best vertex.
    for (let i = 1; i <= n; i++) {
      const p = points[i]!;
      for (let j = 0; j < n; j++) p[j] = best[j]! + 0.5 * (p[j]! - best[j]!);
      values[i] = f(p);
    }
  }
  let bestIndex = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[bestIndex]!) bestIndex = i;
  return { x: points[bestIndex]!, value: values[bestIndex]!, iterations, evaluations, converged };
}
