/**
 * Two-thread training (learn/parallelGradient.ts): the gradient of a batch split between this thread and a
 * worker thread equals the one-thread gradient of the same paths (up to the order of floating-point additions),
 * for both heads, and a two-thread training job is reproducible from its seeds.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/random';
import { simulateGbm } from '../../../src-main/core/sim/paths';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, type HedgingProblem } from '../../../src-main/core/learn/train';
import type { NetworkKind } from '../../../src-main/core/learn/network';
import { WorkerGradientPartner } from '../../../src-main/learn/parallelGradient';
import { runTrainJob } from '../../../src-main/learn/trainJob';

const B1: HedgingProblem = { s0: 100, sigma: 0.2, dt: 1 / 365, contract: { strike: 100, isCall: true, maturity: 30 / 365 }, cost: 2 ** -6, lambda: 1 };
const ENTRY = { file: join(process.cwd(), 'src-main/learn/trainWorker.ts') };

const open: HedgeTrainer[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
});

describe.each<NetworkKind>(['ntb', 'ffn'])('two-thread %s gradient', (kind) => {
  it('equals the one-thread gradient of the same paths to 1e-12', () => {
    const batch = 301; // odd: the halves differ in size
    const settings = { ...DEFAULT_TRAIN_SETTINGS, kind, batch, hidden: [16, 16], validationPaths: 10, warmStart: 'none' as const };
    const single = new HedgeTrainer(B1, settings);
    const split = new HedgeTrainer(B1, settings, { startPartner: (policy, count) => new WorkerGradientPartner(B1, policy, batch, count, ENTRY) });
    open.push(split);
    // Non-trivial parameters, the same in both (both start from the same init seed; perturb them alike).
    const rng = new Rng(11);
    const a = single.policy.mlp.parameters();
    const b = split.policy.mlp.parameters();
    for (let p = 0; p < a.length; p++) {
      for (let j = 0; j < a[p]!.length; j++) {
        a[p]![j] = a[p]![j]! + 0.05 * rng.nextNormal();
        b[p]![j] = a[p]![j]!;
      }
    }
    for (const seed of [5, 6]) {
      const paths = simulateGbm({ paths: batch, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(seed));
      const risk1 = single.lossAndGradient(paths);
      const risk2 = split.lossAndGradient(paths);
      expect(risk2).toBe(risk1);
      let largest = 0;
      for (let p = 0; p < a.length; p++) {
        const g1 = single.gradient[p]!;
        const g2 = split.gradient[p]!;
        for (let j = 0; j < g1.length; j++) {
          largest = Math.max(largest, Math.abs(g1[j]!));
          expect(Math.abs(g2[j]! - g1[j]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(g1[j]!)));
        }
      }
      // The comparison is not vacuous: the gradient is far from zero.
      expect(largest).toBeGreaterThan(1e-3);
    }
  });
});

describe('two-thread training job', () => {
  it('is reproducible from its seeds and close to the one-thread run', () => {
    const input = { benchmark: 'B1' as const, kind: 'ntb' as const, seed: 3, maxSteps: 6, maxMs: 600_000, batch: 256, validationPaths: 2000, validateEvery: 3, partnerWorker: ENTRY };
    const hooks = { now: () => 0, isCancelled: () => false, onProgress: () => undefined };
    const two = runTrainJob({ ...input, threads: 2 }, hooks);
    const again = runTrainJob({ ...input, threads: 2 }, hooks);
    const one = runTrainJob({ ...input, threads: 1 }, hooks);
    expect(again.model.weights).toEqual(two.model.weights);
    expect(two.model.training['threads']).toBe(2);
    const v2 = two.model.training['best_validation_entropic_risk'] as number;
    const v1 = one.model.training['best_validation_entropic_risk'] as number;
    expect(Math.abs(v2 - v1)).toBeLessThan(1e-9);
    expect(() => runTrainJob({ ...input, threads: 3 }, hooks)).toThrow(/threads must be 1 or 2/);
  }, 120_000);
});
