/**
 * The hand-written MLP and the learned policies: gradients against central finite differences (of the MLP and
 * of the whole hedging loss through the path), JSON export/import round trip, batch/single agreement, and a
 * short seeded training run that must improve on its initial validation risk reproducibly.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { simulateGbm } from '../../../../src-main/core/sim/paths';
import { Adam, Mlp } from '../../../../src-main/core/learn/mlp';
import { exportPolicy, importPolicy, softplus, type NetworkKind } from '../../../../src-main/core/learn/network';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, type HedgingProblem } from '../../../../src-main/core/learn/train';
import { fillBatch, newBatch, runHedge } from '../../../../src-main/core/learn/hedging';
import { gradientAgreement } from '../../../helpers/gradientCheck';

const B1: HedgingProblem = { s0: 100, sigma: 0.2, dt: 1 / 365, contract: { strike: 100, isCall: true, maturity: 30 / 365 }, cost: 2 ** -6, lambda: 1 };

describe('Mlp', () => {
  it('backward matches central finite differences of sum(c * output)', () => {
    const rng = new Rng(7);
    const mlp = Mlp.initialized([3, 5, 4, 2], rng);
    for (const b of mlp.biases) for (let j = 0; j < b.length; j++) b[j] = 0.1 * rng.nextNormal();
    const batch = 6;
    const cache = mlp.newCache(batch);
    for (let j = 0; j < cache.activations[0]!.length; j++) cache.activations[0]![j] = rng.nextNormal();
    const c = Float64Array.from({ length: batch * 2 }, () => rng.nextNormal());
    const loss = (): number => {
      const out = mlp.forward(cache);
      let sum = 0;
      for (let j = 0; j < out.length; j++) sum += c[j]! * out[j]!;
      return sum;
    };
    loss();
    cache.deltas[3]!.set(c);
    const gradients = mlp.zeroGradients();
    mlp.backward(cache, gradients);
    const params = mlp.parameters();
    for (let p = 0; p < params.length; p++) {
      for (let j = 0; j < params[p]!.length; j++) {
        const keep = params[p]![j]!;
        params[p]![j] = keep + 1e-6;
        const up = loss();
        params[p]![j] = keep - 1e-6;
        const down = loss();
        params[p]![j] = keep;
        expect(Math.abs((up - down) / 2e-6 - gradients[p]![j]!)).toBeLessThan(1e-6);
      }
    }
  });

  it('Adam moves each parameter by about the learning rate on the first step', () => {
    const p = Float64Array.from([1, -2]);
    const g = Float64Array.from([0.5, -3]);
    new Adam([p], 0.01).step([g]);
    // Bias-corrected first step: m/sqrt(v) = sign(g).
    expect(p[0]).toBeCloseTo(0.99, 6);
    expect(p[1]).toBeCloseTo(-1.99, 6);
    expect(Array.from(g)).toEqual([0, 0]);
  });
});

describe.each<NetworkKind>(['ntb', 'ffn'])('%s policy', (kind) => {
  const settings = { ...DEFAULT_TRAIN_SETTINGS, kind, batch: 256, validationPaths: 2000, validateEvery: 5 };

  it('the hedging-loss gradient through the path matches finite differences', () => {
    const trainer = new HedgeTrainer(B1, { ...settings, hidden: [8, 8], batch: 64 });
    // Make the band/correction non-trivial so that every branch of the head is exercised.
    const params = trainer.policy.mlp.parameters();
    const rng = new Rng(99);
    for (const p of params) for (let j = 0; j < p.length; j++) p[j] = p[j]! + 0.05 * rng.nextNormal();
    const paths = simulateGbm({ paths: 64, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(5));
    expect(gradientAgreement(trainer, paths)).toBeGreaterThan(0.95);
  });

  it('exports to JSON and imports to the same decisions; decide and decideBatch agree', () => {
    const trainer = new HedgeTrainer(B1, settings);
    trainer.step();
    const json = JSON.parse(JSON.stringify(exportPolicy(trainer.policy, { benchmark: 'B1' }))) as unknown;
    const { policy, training } = importPolicy(json);
    expect(training).toEqual({ benchmark: 'B1' });
    const paths = simulateGbm({ paths: 50, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(4));
    const batch = newBatch(50);
    fillBatch(paths, 12, B1.contract, 0.2, batch);
    for (let i = 0; i < 50; i++) batch.previousPosition[i] = (i % 10) / 10;
    const a = new Float64Array(50);
    const b = new Float64Array(50);
    trainer.policy.decideBatch(batch, a);
    policy.decideBatch(batch, b);
    for (let i = 0; i < 50; i++) {
      expect(b[i]).toBe(a[i]);
      const one = policy.decide({
        timeToMaturity: batch.timeToMaturity, logMoneyness: batch.logMoneyness[i]!, spot: batch.spot[i]!, bsDelta: batch.bsDelta[i]!,
        bsGamma: batch.bsGamma[i]!, previousPosition: batch.previousPosition[i]!, impliedVol: 0.2,
      });
      expect(Math.abs(one - a[i]!)).toBeLessThan(1e-12);
    }
  });

  it('names the broken field of a bad model', () => {
    const good = exportPolicy(new HedgeTrainer(B1, settings).policy, {});
    expect(() => importPolicy({ ...good, format: 'x' })).toThrow(/format/);
    expect(() => importPolicy({ ...good, weights: [[1]] })).toThrow(/weights/);
    const nan = JSON.parse(JSON.stringify(good)) as { biases: (number | null)[][] };
    nan.biases[1]![3] = null;
    expect(() => importPolicy(nan)).toThrow(/biases\[1\]\[3\]/);
    expect(() => importPolicy({ ...good, inputs: [{ name: 'volume', shift: 0, scale: 1 }, ...good.inputs.slice(1)] })).toThrow(/inputs\[0\]\.name/);
  });

  it('training improves the validation risk and is reproducible from its seeds', () => {
    const run = (): number[] => {
      const trainer = new HedgeTrainer(B1, settings);
      const initial = trainer.validate().value;
      let last = initial;
      for (let s = 0; s < 15; s++) last = trainer.step().bestValidationRisk;
      return [initial, last];
    };
    const [initial, trained] = run();
    expect(trained).toBeLessThan(initial!);
    expect(run()).toEqual([initial, trained]);
  });
});

describe('no-transaction band', () => {
  it('trades only to the nearest band edge, and not at all inside the band', () => {
    const trainer = new HedgeTrainer(B1, { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', batch: 16, validationPaths: 100 });
    const policy = trainer.policy;
    const state = { timeToMaturity: 20 / 365, logMoneyness: 0.01, spot: 101, bsDelta: 0.55, bsGamma: 0.06, previousPosition: 0, impliedVol: 0.2 };
    const { lower, upper } = policy.band(state);
    expect(lower).toBeLessThan(0.55);
    expect(upper).toBeGreaterThan(0.55);
    expect(policy.decide(state)).toBeCloseTo(lower, 14);
    expect(policy.decide({ ...state, previousPosition: 1 })).toBeCloseTo(upper, 14);
    const inside = (lower + upper) / 2;
    expect(policy.decide({ ...state, previousPosition: inside })).toBe(inside);
    expect(softplus(1000)).toBe(1000);
    // A whole run with eps > 0 has turnover no larger than delta hedging's on the same paths.
    const paths = simulateGbm({ paths: 2000, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(6));
    const ntb = runHedge(paths, B1.contract, policy, { cost: B1.cost, impliedVol: 0.2 });
    expect(ntb.turnover.every((t) => Number.isFinite(t))).toBe(true);
  });
});
