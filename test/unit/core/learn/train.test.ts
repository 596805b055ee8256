/**
 * trainFor's time budget: a timed run keeps room for its next step and the closing validation, so it ends within
 * maxMs (on a scripted clock: every training step costs 1 s, every validation 5 s), and the warm start is
 * validated as the first checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { benchmarkProblem } from '../../../../src-main/core/learn/benchmarks';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, trainFor } from '../../../../src-main/core/learn/train';

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
