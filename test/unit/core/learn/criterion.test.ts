/**
 * The trader's criteria and their paired differences: each difference's delta-method standard error against the
 * empirical standard deviation of the difference over many independent seeds (a check that fails if an influence
 * function is wrong), identities (a policy against itself, ES as α → 0 is the mean loss, mean-variance with no
 * aversion is the mean loss), and the gate per criterion on the B1 benchmark.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { criterionDifference, criterionEstimate, criterionKey, criterionLabel, parseCriterion, type Criterion } from '../../../../src-main/core/learn/criterion';
import { entropicRisk, expectedShortfall, meanEstimate } from '../../../../src-main/core/learn/risk';
import { benchmarkProblem } from '../../../../src-main/core/learn/benchmarks';
import { bsDeltaPolicy, noHedge, whalleyWilmottPolicy } from '../../../../src-main/core/learn/baselines';
import { gateAgainstWhalleyWilmott, testPaths } from '../../../../src-main/core/learn/evaluate';

/**
 * Two correlated P&L samples on the same "paths": a common fat-tailed loss plus each policy's own noise, the second
 * policy with a wider tail (a stand-in for an unhedged and a hedged book; the test only needs pairing and tails).
 * Scaled so that exp(-λ X) at λ = 1 keeps a finite-looking variance: the entropic delta method needs it.
 */
function pairedSample(rng: Rng, n: number): { a: Float64Array; b: Float64Array } {
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const common = (rng.nextFloat() < 0.1 ? 0.6 : 0.3) * rng.nextNormal();
    a[i] = 0.03 + 0.8 * common + 0.1 * rng.nextNormal();
    b[i] = common + 0.06 * rng.nextNormal();
  }
  return { a, b };
}

const CRITERIA: Criterion[] = [
  { kind: 'entropic', lambda: 1 },
  { kind: 'es', alpha: 0.95 },
  { kind: 'es', alpha: 0.99 },
  { kind: 'mean-variance', riskAversion: 1 },
];

describe('criterionDifference', () => {
  it.each(CRITERIA)('its paired standard error matches the spread over 400 independent seeds (%o)', (criterion) => {
    const replicas = 400;
    const n = 5000;
    const values = new Float64Array(replicas);
    const errors = new Float64Array(replicas);
    for (let r = 0; r < replicas; r++) {
      const { a, b } = pairedSample(new Rng(10_000 + r), n);
      const d = criterionDifference(a, b, criterion);
      values[r] = d.value;
      errors[r] = d.standardError;
    }
    const spread = meanEstimate(values).standardError * Math.sqrt(replicas);
    const reported = meanEstimate(errors).value;
    // 400 replicas estimate a standard deviation to about 1/sqrt(800) = 3.5 %: 15 % is four of those and the
    // delta method's own small-sample bias (largest for ES 99 %: 50 tail points per sample).
    expect(Math.abs(reported / spread - 1)).toBeLessThan(0.15);
    // The pairing matters: the separate errors added in quadrature are far larger than the paired one here.
    const { a, b } = pairedSample(new Rng(1), n);
    const separate = Math.hypot(criterionEstimate(a, criterion).standardError, criterionEstimate(b, criterion).standardError);
    expect(criterionDifference(a, b, criterion).standardError).toBeLessThan(0.8 * separate);
  });

  it.each(CRITERIA)('a policy against itself differs by 0 with standard error 0 (%o)', (criterion) => {
    const { a } = pairedSample(new Rng(3), 2000);
    expect(criterionDifference(a, a, criterion)).toEqual({ value: 0, standardError: 0 });
  });

  it('ES with α → 0 tends to the mean loss, mean-variance with no aversion is the mean loss', () => {
    const { a, b } = pairedSample(new Rng(4), 5000);
    const meanLoss = -meanEstimate(a).value;
    // ES_α = VaR + E[(L − VaR)+] / (1 − α) with VaR the smallest loss at α = 1e-9: the mean loss to O(α).
    expect(criterionEstimate(a, { kind: 'es', alpha: 1e-9 }).value).toBeCloseTo(meanLoss, 7);
    expect(criterionEstimate(a, { kind: 'mean-variance', riskAversion: 0 }).value).toBeCloseTo(meanLoss, 12);
    const d = criterionDifference(a, b, { kind: 'mean-variance', riskAversion: 0 });
    const direct = meanEstimate(Float64Array.from(a, (x, i) => b[i]! - x));
    expect(d.value).toBeCloseTo(direct.value, 12);
    expect(d.standardError).toBeCloseTo(direct.standardError, 12);
  });

  it('agrees with the single-sample estimators of risk.ts and rejects unequal samples and bad parameters', () => {
    const { a, b } = pairedSample(new Rng(5), 3000);
    expect(criterionDifference(a, b, { kind: 'entropic', lambda: 2 }).value).toBeCloseTo(entropicRisk(a, 2).value - entropicRisk(b, 2).value, 12);
    expect(criterionDifference(a, b, { kind: 'es', alpha: 0.99 }).value).toBeCloseTo(expectedShortfall(a, 0.99).value - expectedShortfall(b, 0.99).value, 12);
    expect(() => criterionDifference(a, b.subarray(1), { kind: 'es', alpha: 0.99 })).toThrow(/equal length, got 3000 and 2999/);
    expect(() => criterionDifference(a, b, { kind: 'es', alpha: 1 })).toThrow(/α must lie in \(0, 1\), got 1/);
    expect(() => criterionEstimate(a, { kind: 'entropic', lambda: Number.NaN })).toThrow(/λ must be positive and finite, got NaN/);
    expect(() => criterionEstimate(a, { kind: 'mean-variance', riskAversion: -1 })).toThrow(/0 or more/);
  });
});

describe('parseCriterion', () => {
  it('reads the command-line spellings, with the problem λ as the entropic default', () => {
    expect(parseCriterion('entropic', 1.5)).toEqual({ kind: 'entropic', lambda: 1.5 });
    expect(parseCriterion('entropic:2', 1)).toEqual({ kind: 'entropic', lambda: 2 });
    expect(parseCriterion('es99', 1)).toEqual({ kind: 'es', alpha: 0.99 });
    expect(parseCriterion('ES95', 1)).toEqual({ kind: 'es', alpha: 0.95 });
    expect(parseCriterion('es:0.975', 1)).toEqual({ kind: 'es', alpha: 0.975 });
    expect(parseCriterion('mv', 1)).toEqual({ kind: 'mean-variance', riskAversion: 1 });
    expect(parseCriterion('mv:0.5', 1)).toEqual({ kind: 'mean-variance', riskAversion: 0.5 });
    expect(criterionLabel(parseCriterion('es99', 1))).toBe('ES 99 %');
    expect(criterionLabel(parseCriterion('es:0.975', 1))).toBe('ES 97.5 %');
    expect(criterionKey(parseCriterion('mv:0.5', 1))).toBe('mean-variance:0.5');
  });

  it.each(['es', 'es98', 'var', 'mv:', 'mv:x', 'entropic:0', 'es:1.5', 'mv:1:2'])('rejects "%s" naming the accepted forms or the bad parameter', (text) => {
    expect(() => parseCriterion(text, 1)).toThrow(new RegExp(`criterion "${text}"`));
  });
});

describe('gateAgainstWhalleyWilmott per criterion', () => {
  // B1 (Buehler et al. 2019 §5.3) at its cost 2^-6: the Black-Scholes delta hedge trades every day and pays for it;
  // no hedge leaves the whole option risk. Neither should beat the band on any criterion.
  const problem = benchmarkProblem('B1');
  const set = testPaths(problem, 20_000, 1000);

  it.each(CRITERIA)('no hedge does not pass against the band (%o)', (criterion) => {
    const gate = gateAgainstWhalleyWilmott(problem, noHedge, set, criterion);
    expect(gate.criterion).toEqual(criterion);
    expect(gate.passed).toBe(false);
    expect(gate.difference.value).toBeGreaterThan(2 * gate.difference.standardError);
  });

  it('defaults to entropic with the problem λ, and the band against itself never passes', () => {
    const gate = gateAgainstWhalleyWilmott(problem, bsDeltaPolicy, set);
    expect(gate.criterion).toEqual({ kind: 'entropic', lambda: problem.lambda });
    expect(gate.passed).toBe(false);
    // The band against itself: 0 ± 0 on every criterion, never a pass.
    for (const criterion of CRITERIA) {
      const self = gateAgainstWhalleyWilmott(problem, whalleyWilmottPolicy(problem.cost, problem.lambda), set, criterion);
      expect(self.difference).toEqual({ value: 0, standardError: 0 });
      expect(self.passed).toBe(false);
    }
  });
});
