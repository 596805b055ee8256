/**
 * Expected shortfall as a training loss (Rockafellar & Uryasev 2000): the gradient of F(w, X) against central
 * finite differences, F minimized over w equals the empirical ES (their Theorem 1), the gradient of the whole
 * hedging loss through a B3-like path (per-path implied vol and premium) against finite differences, and the
 * paired ES ratio's identities.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { simulateGbm } from '../../../../src-main/core/sim/paths';
import { ExpectedShortfallObjective, expectedShortfallLoss } from '../../../../src-main/core/learn/esLoss';
import { expectedShortfall, expectedShortfallRatio } from '../../../../src-main/core/learn/risk';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, type HedgingProblem } from '../../../../src-main/core/learn/train';

function sample(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.nextNormal() + 0.3 * rng.nextNormal() ** 2);
}

describe('expectedShortfallLoss', () => {
  it('has the gradient of central finite differences in w and in every X_i', () => {
    const pnl = sample(400, 1);
    const alpha = 0.95;
    const w = 1.3;
    const gradient = new Float64Array(pnl.length);
    const { value, dw } = expectedShortfallLoss(pnl, alpha, w, gradient);
    const scratch = new Float64Array(pnl.length);
    const f = (x: Float64Array, t: number): number => expectedShortfallLoss(x, alpha, t, scratch).value;
    const h = 1e-6;
    expect(Math.abs((f(pnl, w + h) - f(pnl, w - h)) / (2 * h) - dw)).toBeLessThan(1e-8);
    let beyond = 0;
    for (let i = 0; i < pnl.length; i++) {
      // Skip the (measure-zero) kinks: a path within h of the threshold.
      if (Math.abs(-pnl[i]! - w) < 10 * h) continue;
      const keep = pnl[i]!;
      pnl[i] = keep + h;
      const up = f(pnl, w);
      pnl[i] = keep - h;
      const down = f(pnl, w);
      pnl[i] = keep;
      expect(Math.abs((up - down) / (2 * h) - gradient[i]!)).toBeLessThan(1e-8);
      if (gradient[i]! !== 0) beyond++;
    }
    // The paths beyond w carry the gradient, each 1 / (n (1 - alpha)).
    expect(beyond).toBeGreaterThan(0);
    expect(dw).toBeCloseTo(1 - beyond / (pnl.length * (1 - alpha)), 12);
    expect(value).toBeGreaterThan(w);
  });

  it('minimized over w is the empirical expected shortfall (Rockafellar-Uryasev Theorem 1)', () => {
    const pnl = sample(1000, 2);
    const alpha = 0.99;
    const es = expectedShortfall(pnl, alpha).value;
    const scratch = new Float64Array(pnl.length);
    const losses = Float64Array.from(pnl, (x) => -x).sort();
    let best = Infinity;
    // F is piecewise linear in w with kinks at the losses: its minimum is at one of them.
    for (const w of losses) best = Math.min(best, expectedShortfallLoss(pnl, alpha, w, scratch).value);
    expect(best).toBeCloseTo(es, 12);
    // And at the empirical VaR (the 990th of 1000 losses) F equals the ES.
    expect(expectedShortfallLoss(pnl, alpha, losses[990]!, scratch).value).toBeCloseTo(es, 12);
  });

  it('rejects levels outside (0, 1) and mismatched buffers', () => {
    expect(() => expectedShortfallLoss(new Float64Array(3), 1, 0, new Float64Array(3))).toThrow(/level/);
    expect(() => expectedShortfallLoss(new Float64Array(3), 0.9, 0, new Float64Array(2))).toThrow(/gradient has 2/);
  });
});

describe('ExpectedShortfallObjective', () => {
  it('starts w at the first batch VaR and moves it towards the VaR of the batches it sees', () => {
    const objective = new ExpectedShortfallObjective(0.9);
    const pnl = sample(1000, 3);
    const gradient = new Float64Array(pnl.length);
    const first = objective.lossAndGradient(pnl, gradient);
    expect(first).toBeCloseTo(expectedShortfall(pnl, 0.9).value, 12);
    // Shift the losses up by 1: w must follow (dF/dw < 0 while w is below the new VaR).
    const shifted = Float64Array.from(pnl, (x) => x - 1);
    const start = objective.threshold[0]!;
    for (let s = 0; s < 200; s++) {
      objective.lossAndGradient(shifted, gradient);
      objective.step(0.01);
    }
    expect(objective.threshold[0]! - start).toBeGreaterThan(0.8);
    expect(objective.threshold[0]! - start).toBeLessThan(1.2);
  });
});

describe('ES loss through the hedging path (B3-like: hourly steps, per-path implied vol and premium)', () => {
  const problem: HedgingProblem = { s0: 100, sigma: 0.8, dt: 1 / 8760, contract: { strike: 100, isCall: true, maturity: 24 / 8760 }, cost: 5e-4, lambda: 1 };

  it('matches central finite differences of the network parameters', () => {
    const n = 200;
    const objective = new ExpectedShortfallObjective(0.95);
    const trainer = new HedgeTrainer(problem, { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', hidden: [6, 6], batch: n, headScale: 0.02, validationPaths: 50 }, { objective });
    const rng = new Rng(11);
    const params = trainer.policy.mlp.parameters();
    for (const p of params) for (let j = 0; j < p.length; j++) p[j] = p[j]! + 0.1 * rng.nextNormal();
    const paths = simulateGbm({ paths: n, steps: 24, dt: problem.dt, s0: 100, sigma: 0.8 }, new Rng(12));
    const impliedVol = Float64Array.from({ length: n }, () => 0.5 + 0.6 * rng.nextFloat());
    const premium = Float64Array.from(impliedVol, (v) => 0.4 * v * Math.sqrt(problem.contract.maturity) * 100);
    const extras = { impliedVol, premium };
    trainer.lossAndGradient(paths, extras);
    // The first call puts w at the batch VaR, exactly one path's loss: a kink. Move it off and hold it fixed,
    // F is then a function of the parameters alone.
    objective.threshold[0] = objective.threshold[0]! + 1e-4;
    trainer.lossAndGradient(paths, extras);
    const analytic = trainer.gradient.map((g) => Float64Array.from(g));
    let checked = 0;
    let agreeing = 0;
    const h = 1e-6;
    for (let p = 0; p < params.length; p++) {
      for (let j = 0; j < params[p]!.length; j++) {
        const keep = params[p]![j]!;
        params[p]![j] = keep + h;
        const up = trainer.lossAndGradient(paths, extras);
        params[p]![j] = keep - h;
        const down = trainer.lossAndGradient(paths, extras);
        params[p]![j] = keep;
        const numeric = (up - down) / (2 * h);
        checked++;
        if (Math.abs(numeric - analytic[p]![j]!) <= 1e-8 + 1e-5 * Math.abs(numeric)) agreeing++;
      }
    }
    // Kinks (a clamp edge or a path crossing w within h) could spoil a rare coordinate; here none does.
    expect(checked).toBeGreaterThan(80);
    expect(agreeing / checked).toBeGreaterThan(0.97);
    // The gradient is not trivially zero: the band moves the tail.
    expect(analytic.some((g) => g.some((x) => Math.abs(x) > 1e-4))).toBe(true);
  });

  it('adds the per-path premium to the P&L: the entropic loss falls by exactly a constant premium', () => {
    const n = 100;
    // Default objective (entropic, translation invariant: rho(X + c) = rho(X) - c).
    const trainer = new HedgeTrainer(problem, { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', hidden: [4], batch: n, validationPaths: 20 });
    const paths = simulateGbm({ paths: n, steps: 24, dt: problem.dt, s0: 100, sigma: 0.8 }, new Rng(13));
    const without = trainer.lossAndGradient(paths, { premium: new Float64Array(n) });
    const withPremium = trainer.lossAndGradient(paths, { premium: new Float64Array(n).fill(1.5) });
    expect(without - withPremium).toBeCloseTo(1.5, 10);
  });
});

describe('expectedShortfallRatio', () => {
  it('is 1 with no error for the same sample, and scales with the P&L', () => {
    const pnl = sample(2000, 4);
    const same = expectedShortfallRatio(pnl, pnl, 0.99);
    expect(same.value).toBe(1);
    expect(same.standardError).toBe(0);
    const doubled = expectedShortfallRatio(Float64Array.from(pnl, (x) => 2 * x), pnl, 0.99);
    expect(doubled.value).toBeCloseTo(2, 12);
    expect(() => expectedShortfallRatio(pnl, pnl.subarray(1), 0.99)).toThrow(/equal length/);
  });
});
