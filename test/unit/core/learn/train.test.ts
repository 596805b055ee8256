/**
 * trainFor's time budget: a timed run keeps room for its next step and the closing validation, so it ends within
 * maxMs (on a scripted clock: every training step costs 1 s, every validation 5 s), and the warm start is
 * validated as the first checkpoint. A trainer given an initial policy starts from its parameters (continued
 * training) and refuses one of another shape or problem. With pretraining, the first steps train on the entropic
 * risk (step for step the entropic trainer's) and then switch to ES, whose w starts only then; validation is ES.
 */
import { describe, expect, it } from 'vitest';
import { benchmarkProblem } from '../../../../src-main/core/learn/benchmarks';
import { b3Problem } from '../../../../src-main/core/learn/b3';
import { exportPolicy, importPolicy } from '../../../../src-main/core/learn/network';
import { ExpectedShortfallObjective } from '../../../../src-main/core/learn/esLoss';
import { DEFAULT_TRAIN_SETTINGS, entropicObjective, HedgeTrainer, trainFor } from '../../../../src-main/core/learn/train';

function scriptedTrainer(warmStart: 'whalley-wilmott' | 'none'): { trainer: HedgeTrainer; clock: { ms: number } } {
  const trainer = new HedgeTrainer(benchmarkProblem('B1'), { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', batch: 32, hidden: [4, 4], validationPaths: 200, validateEvery: 4, warmStart });
  const clock = { ms: 0 };
  const step = trainer.lossAndGradient.bind(trainer);
  const validate = trainer.validate.bind(trainer);
  trainer.lossAndGradient = (paths) => {
    clock.ms += 1000;
    return step(paths);
  };
  trainer.validate = () => {
    clock.ms += 5000;
    return validate();
  };
  return { trainer, clock };
}

describe('trainFor', () => {
  it('validates a continued training\'s start as step 0: a run that never beats it keeps the start', () => {
    const problem = benchmarkProblem('B1');
    const settings = { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb' as const, batch: 64, hidden: [4, 4], validationPaths: 500, validateEvery: 2, warmStart: 'none' as const };
    const first = new HedgeTrainer(problem, settings);
    for (let i = 0; i < 4; i++) first.step();
    const start = first.currentPolicy();
    // A learning rate far too large: every step makes the band worse than the start.
    const trainer = new HedgeTrainer(problem, { ...settings, learningRate: 5 }, { initial: start });
    const { policy } = trainFor(trainer, { maxSteps: 6, maxMs: 1e9 }, { now: () => 0, isCancelled: () => false });
    expect(trainer.bestValidationStep).toBe(0);
    expect(Array.from(policy.mlp.weights[0]!)).toEqual(Array.from(start.mlp.weights[0]!));
    // Validated once: a second call does nothing.
    expect(trainer.validateStart()).toBe(false);
  });

  it('ends a timed run within its budget, closing validation included', () => {
    for (const warm of ['none', 'whalley-wilmott'] as const) {
      const { trainer, clock } = scriptedTrainer(warm);
      const { reason, last } = trainFor(trainer, { maxSteps: 1000, maxMs: 30_000 }, { now: () => clock.ms, isCancelled: () => false });
      expect(reason).toBe('time');
      expect(clock.ms).toBeLessThanOrEqual(30_000);
      // Not ending absurdly early either: within one step and one validation of the budget.
      expect(clock.ms).toBeGreaterThan(30_000 - 1000 - 5000 - 1000);
      expect(last!.step).toBeGreaterThan(5);
    }
  });

  it('validates the warm start as the first checkpoint (best step 0 until a step beats it)', () => {
    const { trainer } = scriptedTrainer('whalley-wilmott');
    expect(trainer.warmStart()).toBeGreaterThan(0);
    expect(trainer.bestValidationStep).toBe(0);
    expect(Number.isFinite(trainer.bestValidationRisk)).toBe(true);
    // A second call does nothing.
    expect(trainer.warmStart()).toBeNull();
  });
});

describe('HedgeTrainer with an initial policy (continue training a saved model)', () => {
  const settings = { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb' as const, batch: 32, hidden: [4, 4], validationPaths: 200, validateEvery: 4, warmStart: 'whalley-wilmott' as const };

  it('starts from its parameters, not the seeded initialisation nor the warm start', () => {
    const problem = benchmarkProblem('B1');
    // A trained network (2 steps from seed 7) stands for the saved model.
    const saved = new HedgeTrainer(problem, { ...settings, seeds: { init: 7, train: 8, validation: 9 }, warmStart: 'none' });
    saved.step();
    saved.step();
    const exported = exportPolicy(saved.policy, {});
    const continued = new HedgeTrainer(problem, settings, { initial: importPolicy(exported).policy });
    const fresh = new HedgeTrainer(problem, settings);
    expect(continued.warmStart()).toBeNull();
    expect(exportPolicy(continued.policy, {}).weights).toEqual(exported.weights);
    expect(exportPolicy(continued.policy, {}).biases).toEqual(exported.biases);
    expect(exportPolicy(fresh.policy, {}).weights).not.toEqual(exported.weights);
    // The same parameters give the same validation risk on the same validation paths (seed 3 for both).
    const reference = new HedgeTrainer(problem, { ...settings, seeds: { init: 7, train: 8, validation: 3 }, warmStart: 'none' });
    reference.step();
    reference.step();
    expect(continued.validate().value).toBe(reference.validate().value);
  });

  it('refuses a network of another shape or problem, naming what differs', () => {
    const problem = benchmarkProblem('B1');
    const other = new HedgeTrainer(problem, { ...settings, hidden: [8, 4] });
    expect(() => new HedgeTrainer(problem, settings, { initial: other.policy })).toThrow(/layer sizes 4-8-4-2, the training 4-4-4-2/);
    const ffn = new HedgeTrainer(problem, { ...settings, kind: 'ffn' });
    expect(() => new HedgeTrainer(problem, settings, { initial: ffn.policy })).toThrow(/initial model is ffn, the training is ntb/);
    // B3 at 7 days (sigma 0.8): the same network shape, other input scalings.
    const b3 = new HedgeTrainer(b3Problem(7), settings);
    expect(() => new HedgeTrainer(problem, settings, { initial: b3.policy })).toThrow(/initial model input 0 is log_moneyness \(shift 0, scale [\d.]+\), the training's log_moneyness \(shift 0, scale [\d.]+\): another problem/);
    expect(() => new HedgeTrainer(problem, { ...settings, headScale: 0.02 }, { initial: other.policy })).toThrow(/layer sizes/);
    const scaled = new HedgeTrainer(problem, { ...settings, headScale: 0.02 });
    expect(() => new HedgeTrainer(problem, settings, { initial: scaled.policy })).toThrow(/head scale 0.02, the training 0.1/);
  });
});

describe('HedgeTrainer with pretraining (entropic, then expected shortfall; decision 0035)', () => {
  const settings = { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb' as const, batch: 256, hidden: [4, 4], validationPaths: 200, validateEvery: 2, warmStart: 'none' as const };
  const problem = benchmarkProblem('B1');

  it('trains its first steps on the pretraining objective, then switches; validation stays on the main objective', () => {
    const es = new ExpectedShortfallObjective(0.99);
    const pretrained = new HedgeTrainer(problem, settings, { objective: es, pretrain: { objective: entropicObjective(problem.lambda), steps: 3 } });
    // The same seeds trained on the entropic risk throughout: identical while pretraining.
    const entropic = new HedgeTrainer(problem, settings);
    const losses: (string | undefined)[] = [];
    for (let s = 0; s < 3; s++) {
      const p = pretrained.step();
      const q = entropic.step();
      expect(p.trainRisk).toBe(q.trainRisk);
      losses.push(p.loss);
      // w of the ES objective is untouched until it trains.
      expect(es.threshold[0]).toBe(0);
    }
    expect(exportPolicy(pretrained.policy, {}).weights).toEqual(exportPolicy(entropic.policy, {}).weights);
    // Validation is the ES of the validation P&L (the checkpoint criterion), also while pretraining: the same
    // parameters on the same validation paths validate as an ES-only trainer's, not as the entropic trainer's.
    const esOnly = new HedgeTrainer(problem, settings, { objective: new ExpectedShortfallObjective(0.99), initial: pretrained.policy });
    expect(pretrained.validate()).toEqual(esOnly.validate());
    expect(pretrained.validate().value).not.toBe(entropic.validate().value);
    expect(pretrained.trainingObjective).toBe(es);
    const after = pretrained.step();
    losses.push(after.loss);
    expect(losses).toEqual(['entropic(lambda=1)', 'entropic(lambda=1)', 'entropic(lambda=1)', 'expected shortfall 0.99']);
    // The switch: w started at the first ES batch's VaR (a loss of a short call, positive), and the step's
    // training risk is the Rockafellar-Uryasev value, not the entropic risk of the same batch.
    expect(es.threshold[0]).toBeGreaterThan(0);
    expect(after.trainRisk).not.toBe(entropic.step().trainRisk);
  });

  it('currentPolicy is a copy of the parameters now (the last checkpoint), bestPolicy the best validated', () => {
    const trainer = new HedgeTrainer(problem, { ...settings, validateEvery: 1000 });
    trainer.validateAndKeep();
    trainer.step();
    trainer.step();
    const now = trainer.currentPolicy();
    expect(exportPolicy(now, {}).weights).toEqual(exportPolicy(trainer.policy, {}).weights);
    // The best is the validated start (step 0), not the trained parameters.
    expect(trainer.bestValidationStep).toBe(0);
    expect(exportPolicy(trainer.bestPolicy(), {}).weights).not.toEqual(exportPolicy(now, {}).weights);
    // A copy: further training does not move it.
    const kept = exportPolicy(now, {}).weights;
    trainer.step();
    expect(exportPolicy(now, {}).weights).toEqual(kept);
    expect(exportPolicy(trainer.policy, {}).weights).not.toEqual(kept);
  });

  it('without pretraining reports no loss name and refuses a negative or fractional step count', () => {
    expect(new HedgeTrainer(problem, settings).step().loss).toBeUndefined();
    expect(() => new HedgeTrainer(problem, settings, { pretrain: { objective: entropicObjective(1), steps: -1 } })).toThrow(/pretraining steps must be a whole number >= 0, got -1/);
    expect(() => new HedgeTrainer(problem, settings, { pretrain: { objective: entropicObjective(1), steps: 1.5 } })).toThrow(/got 1.5/);
  });
});
