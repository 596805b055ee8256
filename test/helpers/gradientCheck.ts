import type { PathSet } from '../../src-main/core/sim/paths';
import type { HedgeTrainer } from '../../src-main/core/learn/train';

/**
 * The share of a trainer's parameters (every second one) whose analytic hedging-loss gradient on `paths` matches
 * central finite differences (step 1e-6, relative tolerance 1e-4). Kinks (clamp edges, |trade|, ReLU) can sit inside
 * the difference interval for a few parameters, so callers ask for most, not all.
 */
export function gradientAgreement(trainer: HedgeTrainer, paths: PathSet): number {
  const params = trainer.policy.mlp.parameters();
  trainer.lossAndGradient(paths);
  const analytic = trainer.gradient.map((g) => Float64Array.from(g));
  let checked = 0;
  let agreeing = 0;
  for (let p = 0; p < params.length; p++) {
    for (let j = 0; j < params[p]!.length; j += 2) {
      const keep = params[p]![j]!;
      params[p]![j] = keep + 1e-6;
      const up = trainer.lossAndGradient(paths);
      params[p]![j] = keep - 1e-6;
      const down = trainer.lossAndGradient(paths);
      params[p]![j] = keep;
      const numeric = (up - down) / 2e-6;
      checked++;
      if (Math.abs(numeric - analytic[p]![j]!) <= 1e-4 * Math.max(1, Math.abs(numeric))) agreeing++;
    }
  }
  return agreeing / checked;
}
