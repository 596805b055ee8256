/**
 * Warm start of a No-Transaction-Band network at the Whalley-Wilmott band: a short supervised pre-fit of the two
 * band half-widths w softplus(o0), w softplus(o1) to H = (3/2 eps S Gamma^2 / lambda)^(1/3) (baselines.ts) on the
 * states of simulated Black-Scholes paths, so that training of the entropic loss starts from the classical band
 * (4.36 on B1 at eps = 2^-6) instead of from an arbitrary one. The pre-fit sees only the states (spot, time,
 * delta, gamma), never P&L, and uses its own seeded paths (the training seed stream).
 *
 * Loss: mean over states of (w softplus(o0) - H)^2 + (w softplus(o1) - H)^2, minimized with Adam. It is fitted in
 * band units rather than on softplus^-1(H / w), which is -infinity where Gamma vanishes (deep in or out of the
 * money near expiry).
 */
import type { RandomSource } from '../random';
import { simulateGbm } from '../sim/paths';
import { whalleyWilmottHalfWidth } from './baselines';
import { fillBatch, newBatch } from './hedging';
import { Adam } from './mlp';
import { fillInputs, sigmoid, softplus, type NetworkPolicy } from './network';
import type { HedgingProblem } from './train';

export interface WarmStartSettings {
  /** Paths whose every rebalancing state is a training row (rows = paths x steps). */
  paths: number;
  /** Adam steps over all rows. */
  steps: number;
  learningRate: number;
}

export const DEFAULT_WARM_START: Readonly<WarmStartSettings> = Object.freeze({ paths: 128, steps: 100, learningRate: 1e-2 });

/**
 * Fits the band of `policy` (kind ntb) to the Whalley-Wilmott band of `problem` in place; returns the root mean
 * square error of the half-widths after the fit (units of underlying).
 */
export function prefitToWhalleyWilmott(policy: NetworkPolicy, problem: HedgingProblem, rng: RandomSource, settings: WarmStartSettings = DEFAULT_WARM_START): number {
  if (policy.kind !== 'ntb') throw new RangeError(`the Whalley-Wilmott warm start needs an ntb policy, got ${policy.kind}`);
  const { contract, dt, sigma, cost, lambda } = problem;
  const steps = Math.round(contract.maturity / dt);
  const n = settings.paths;
  const rows = n * steps;
  const paths = simulateGbm({ paths: n, steps, dt, s0: problem.s0, sigma: problem.pathVol ?? sigma }, rng);
  const mlp = policy.mlp;
  const cache = mlp.newCache(rows);
  const target = new Float64Array(rows);
  const batch = newBatch(n);
  const width = mlp.inputSize;
  for (let k = 0; k < steps; k++) {
    fillBatch(paths, k, contract, sigma, batch);
    fillInputs(policy.inputs, batch, cache.activations[0]!.subarray(k * n * width, (k + 1) * n * width));
    for (let i = 0; i < n; i++) target[k * n + i] = whalleyWilmottHalfWidth(cost, lambda, batch.spot[i]!, batch.bsGamma[i]!);
  }
  const gradients = mlp.zeroGradients();
  const adam = new Adam(mlp.parameters(), settings.learningRate);
  const w = policy.headScale;
  const dOut = cache.deltas[cache.deltas.length - 1]!;
  let meanSquare = 0;
  for (let s = 0; s <= settings.steps; s++) {
    const o = mlp.forward(cache);
    meanSquare = 0;
    for (let r = 0; r < rows; r++) {
      for (let side = 0; side < 2; side++) {
        const x = o[r * 2 + side]!;
        const error = w * softplus(x) - target[r]!;
        meanSquare += error * error;
        dOut[r * 2 + side] = (2 * error * w * sigmoid(x)) / (2 * rows);
      }
    }
    meanSquare /= 2 * rows;
    // The last pass only measures the fit.
    if (s === settings.steps) break;
    mlp.backward(cache, gradients);
    adam.step(gradients);
  }
  return Math.sqrt(meanSquare);
}
