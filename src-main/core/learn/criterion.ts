/**
 * The trader's criterion (issue 14 item 5): which risk measure of the hedged P&L a learned policy must beat the
 * Whalley–Wilmott band on before the hedge advisor offers it. Three of them, each with a paired difference of two
 * policies on the same paths and its delta-method standard error (influence functions as in risk.ts):
 *
 * - entropic (λ): (1/λ) log E[exp(-λ X)], the indifference price (Buehler et al. 2019 §4); the default, with the
 *   problem's own λ, so a gate stored before there was a choice keeps its meaning;
 * - es (α): expected shortfall of the loss -X at level α (the mean of the worst 1 - α), Rockafellar–Uryasev form,
 *   influence function of Hong & Liu (2009);
 * - mean-variance (a): -E[X] + (a/2) Var[X].
 *
 * Every criterion is a risk (lower is better), so "policy − band < 0" means the policy is better on it.
 */
import { entropicRisk, entropicRiskDifference, expectedShortfall, expectedShortfallInfluence, meanEstimate, meanVariance, meanVarianceInfluence, type Estimate } from './risk';

export type Criterion =
  | { kind: 'entropic'; lambda: number }
  | { kind: 'es'; alpha: number }
  | { kind: 'mean-variance'; riskAversion: number };

/** What is wrong with a criterion's parameter, or null. */
export function criterionProblem(criterion: Criterion): string | null {
  switch (criterion.kind) {
    case 'entropic':
      return criterion.lambda > 0 && Number.isFinite(criterion.lambda) ? null : `entropic risk aversion λ must be positive and finite, got ${String(criterion.lambda)}`;
    case 'es':
      return criterion.alpha > 0 && criterion.alpha < 1 ? null : `expected shortfall level α must lie in (0, 1), got ${String(criterion.alpha)}`;
    case 'mean-variance':
      return criterion.riskAversion >= 0 && Number.isFinite(criterion.riskAversion) ? null : `mean-variance risk aversion must be 0 or more and finite, got ${String(criterion.riskAversion)}`;
  }
}

function checked(criterion: Criterion): Criterion {
  const problem = criterionProblem(criterion);
  if (problem) throw new RangeError(problem);
  return criterion;
}

/** Stable key of a criterion (one stored gate per key): `entropic:1`, `es:0.99`, `mean-variance:1`. */
export function criterionKey(criterion: Criterion): string {
  switch (criterion.kind) {
    case 'entropic':
      return `entropic:${criterion.lambda}`;
    case 'es':
      return `es:${criterion.alpha}`;
    case 'mean-variance':
      return `mean-variance:${criterion.riskAversion}`;
  }
}

/** Short text for a gate line: "entropic λ 1", "ES 99 %", "mean–variance a 1". */
export function criterionLabel(criterion: Criterion): string {
  switch (criterion.kind) {
    case 'entropic':
      return `entropic λ ${criterion.lambda}`;
    case 'es':
      return `ES ${Number((criterion.alpha * 100).toPrecision(6))} %`;
    case 'mean-variance':
      return `mean–variance a ${criterion.riskAversion}`;
  }
}

/** Whether two criteria are the same measure (same kind and parameter). */
export function sameCriterion(a: Criterion, b: Criterion): boolean {
  return criterionKey(a) === criterionKey(b);
}

/**
 * Parses the command-line spelling: `entropic` (λ = `defaultLambda`, the problem's), `entropic:2`, `es99`, `es95`,
 * `es:0.975`, `mv` (a = 1), `mv:0.5`. Throws a RangeError naming the text and the accepted forms.
 */
export function parseCriterion(text: string, defaultLambda: number): Criterion {
  const accepted = 'entropic[:λ], es99, es95, es:α, mv[:a]';
  const [name, parameter, ...rest] = text.trim().toLowerCase().split(':');
  const value = parameter === undefined ? undefined : Number(parameter);
  if (rest.length > 0 || (parameter !== undefined && (parameter.trim() === '' || !Number.isFinite(value)))) {
    throw new RangeError(`criterion "${text}" is not one of ${accepted}`);
  }
  let criterion: Criterion;
  if (name === 'entropic') criterion = { kind: 'entropic', lambda: value ?? defaultLambda };
  else if ((name === 'es99' || name === 'es95') && value === undefined) criterion = { kind: 'es', alpha: name === 'es99' ? 0.99 : 0.95 };
  else if (name === 'es' && value !== undefined) criterion = { kind: 'es', alpha: value };
  else if (name === 'mv' || name === 'mean-variance') criterion = { kind: 'mean-variance', riskAversion: value ?? 1 };
  else throw new RangeError(`criterion "${text}" is not one of ${accepted}`);
  const problem = criterionProblem(criterion);
  if (problem) throw new RangeError(`criterion "${text}": ${problem}`);
  return criterion;
}

/** The criterion of one P&L sample (positive = gain), with its standard error. */
export function criterionEstimate(pnl: Float64Array, criterion: Criterion): Estimate {
  const c = checked(criterion);
  switch (c.kind) {
    case 'entropic':
      return entropicRisk(pnl, c.lambda);
    case 'es':
      return expectedShortfall(pnl, c.alpha);
    case 'mean-variance':
      return meanVariance(pnl, c.riskAversion);
  }
}

/**
 * criterion(a) − criterion(b) for two P&L samples on the same paths, with the paired delta-method standard error:
 * the standard error of the mean of IF_a − IF_b, the difference of the two estimators' influence functions.
 * A policy against itself gives 0 ± 0.
 */
export function criterionDifference(a: Float64Array, b: Float64Array, criterion: Criterion): Estimate {
  const c = checked(criterion);
  if (a.length !== b.length) throw new RangeError(`a paired criterion difference needs samples of equal length, got ${a.length} and ${b.length}`);
  if (c.kind === 'entropic') return entropicRiskDifference(a, b, c.lambda);
  const ia = c.kind === 'es' ? expectedShortfallInfluence(a, c.alpha) : meanVarianceInfluence(a, c.riskAversion);
  const ib = c.kind === 'es' ? expectedShortfallInfluence(b, c.alpha) : meanVarianceInfluence(b, c.riskAversion);
  const combined = Float64Array.from(ia.influence, (x, i) => x - ib.influence[i]!);
  return { value: ia.value - ib.value, standardError: meanEstimate(combined).standardError };
}
