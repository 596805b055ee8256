/**
 * Training of a network hedge policy on simulated Black-Scholes paths by minimizing the entropic risk of the
 * hedged P&L with Adam (Buehler et al. 2019 §4; Imaki et al. 2021 §4), by exact backpropagation through the
 * whole path: the position at step k depends on the previous one (NTB clamp, FFN input), so the gradient of a
 * position carries into the earlier steps.
 *
 * Seeds: network initialisation, training paths (fresh paths every step) and validation paths (fixed) come from
 * separate generators; the test seed belongs to the evaluation, never seen here. The trainer keeps the
 * parameters with the best validation risk (the checkpoint that a cancel or the end returns).
 *
 * Gradient of one path's P&L X = sum_k [q_k dS_k - eps S_k |q_k - q_{k-1}|] - payoff, with q the positions:
 *   dX/dq_k (explicit) = dS_k - eps S_k sgn(q_k - q_{k-1}) + eps S_{k+1} sgn(q_{k+1} - q_k),
 * and dL/dX_i = -w_i with w the softmax of -lambda X (risk.ts `entropicRiskGradient`).
 */
import { Rng, type RandomSource } from '../random';
import { simulateGbm, type PathSet } from '../sim/paths';
import { fillBatch, newBatch, runHedge, type OptionContract } from './hedging';
import { Adam, Mlp, type MlpCache } from './mlp';
import { defaultInputs, fillInputs, NetworkPolicy, sigmoid, softplus, type NetworkKind } from './network';
import { entropicRisk, entropicRiskGradient, type Estimate } from './risk';

/** A Black-Scholes hedging problem (B1, B2 and their cost variants). */
export interface HedgingProblem {
  s0: number;
  sigma: number;
  /** Step length, years. */
  dt: number;
  contract: OptionContract;
  /** Proportional cost eps. */
  cost: number;
  /** Entropic risk aversion lambda. */
  lambda: number;
}

export interface TrainSettings {
  kind: NetworkKind;
  hidden: number[];
  /** Paths per gradient step. */
  batch: number;
  learningRate: number;
  /** Head scale w (see network.ts). */
  headScale: number;
  validationPaths: number;
  /** Validate every this many steps. */
  validateEvery: number;
  seeds: { init: number; train: number; validation: number };
}

export const DEFAULT_TRAIN_SETTINGS: Readonly<Omit<TrainSettings, 'kind'>> = Object.freeze({
  hidden: [32, 32],
  batch: 2048,
  learningRate: 3e-3,
  headScale: 0.1,
  validationPaths: 20_000,
  validateEvery: 10,
  seeds: { init: 1, train: 2, validation: 3 },
});

/**
 * Paths with what each one carries besides its spot: a per-path implied vol (B3's bootstrapped paths are priced
 * at their start day's vol) and a per-path premium added to the P&L (the option sold at that vol).
 */
export interface TrainingPaths {
  paths: PathSet;
  impliedVol?: Float64Array;
  premium?: Float64Array;
}

/** Where a trainer's paths come from: fresh training paths per step, one fixed validation set. */
export interface PathSource {
  sample(count: number, rng: RandomSource): TrainingPaths;
  validation(count: number, rng: RandomSource): TrainingPaths;
}

/**
 * What training minimizes: a risk of the batch P&L X with its gradient dLoss/dX_i, the same criterion on the
 * validation P&L, and an optional step for the objective's own parameters (Rockafellar-Uryasev's w).
 */
export interface TrainingObjective {
  readonly name: string;
  lossAndGradient(pnl: Float64Array, gradient: Float64Array): number;
  evaluate(pnl: Float64Array): Estimate;
  step?(learningRate: number): void;
}

/** The default objective: entropic risk with the problem's lambda (B1, B2). */
export function entropicObjective(lambda: number): TrainingObjective {
  return {
    name: `entropic(lambda=${lambda})`,
    lossAndGradient: (pnl, gradient) => entropicRiskGradient(pnl, lambda, gradient),
    evaluate: (pnl) => entropicRisk(pnl, lambda),
  };
}

/** The default path source: Black-Scholes paths at the problem's vol, priced at that vol, no premium. */
export function gbmPathSource(problem: HedgingProblem): PathSource {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  const simulate = (count: number, rng: RandomSource): TrainingPaths => ({
    paths: simulateGbm({ paths: count, steps, dt: problem.dt, s0: problem.s0, sigma: problem.sigma }, rng),
  });
  return { sample: simulate, validation: simulate };
}

/** Optional parts of a trainer (B3): its paths and its objective. */
export interface TrainerOptions {
  source?: PathSource;
  objective?: TrainingObjective;
}

/** Progress after one training step. */
export interface TrainProgress {
  step: number;
  /** Entropic risk of this step's training batch. */
  trainRisk: number;
  /** Validation risk if validated at this step, else null. */
  validationRisk: number | null;
  validationStandardError: number | null;
  bestValidationRisk: number;
  bestStep: number;
}

export class HedgeTrainer {
  readonly policy: NetworkPolicy;
  private readonly best: Mlp;
  private bestRisk = Infinity;
  private bestStep = 0;
  private stepCount = 0;
  private readonly adam: Adam;
  private readonly gradients: Float64Array[];
  private readonly caches: MlpCache[];
  private readonly trainRng: Rng;
  private readonly validationPaths: TrainingPaths;
  readonly source: PathSource;
  readonly objective: TrainingObjective;
  private readonly steps: number;
  private readonly positions: Float64Array[];
  private readonly deltas: Float64Array[];

  constructor(readonly problem: HedgingProblem, readonly settings: TrainSettings, options: TrainerOptions = {}) {
    const { contract, dt, sigma } = problem;
    this.steps = Math.round(contract.maturity / dt);
    if (this.steps < 1) throw new RangeError(`maturity ${contract.maturity} is shorter than one step of ${dt}`);
    const inputs = defaultInputs(settings.kind, contract.maturity, sigma);
    const sizes = [inputs.length, ...settings.hidden, settings.kind === 'ntb' ? 2 : 1];
    // A small output layer: the FFN starts at delta.
    const mlp = Mlp.initialized(sizes, new Rng(settings.seeds.init), 0.1);
    // The NTB starts from a band of about 0.15 on each side of delta (softplus(1.2) = 1.46, x w = 0.1),
    // the order of the Whalley-Wilmott width at B1's cost, rather than from w log 2.
    if (settings.kind === 'ntb') mlp.biases[mlp.biases.length - 1]!.fill(1.2);
    this.policy = new NetworkPolicy(settings.kind, mlp, inputs, settings.headScale);
    this.best = mlp.clone();
    this.adam = new Adam(mlp.parameters() as Float64Array[], settings.learningRate);
    this.gradients = mlp.zeroGradients() as Float64Array[];
    const shared = mlp.newCache(settings.batch);
    // One activation set per time step (needed by the backward pass); the gradient buffers are shared.
    this.caches = Array.from({ length: this.steps }, () => ({ ...mlp.newCache(settings.batch), deltas: shared.deltas }));
    this.positions = Array.from({ length: this.steps }, () => new Float64Array(settings.batch));
    this.deltas = Array.from({ length: this.steps }, () => new Float64Array(settings.batch));
    this.trainRng = new Rng(settings.seeds.train);
    this.source = options.source ?? gbmPathSource(problem);
    this.objective = options.objective ?? entropicObjective(problem.lambda);
    this.validationPaths = this.source.validation(settings.validationPaths, new Rng(settings.seeds.validation));
  }

  /** The best validated policy so far (a copy, safe to keep while training continues). */
  bestPolicy(): NetworkPolicy {
    return new NetworkPolicy(this.policy.kind, this.best.clone(), this.policy.inputs, this.policy.headScale);
  }

  /** The objective's criterion (entropic risk by default) of the current parameters on the validation paths. */
  validate(): { value: number; standardError: number } {
    const { contract, cost, sigma } = this.problem;
    const { paths, impliedVol, premium } = this.validationPaths;
    const pnl = runHedge(paths, contract, this.policy, { cost, impliedVol: sigma, ...(impliedVol ? { pathImpliedVol: impliedVol } : {}) }).pnl;
    if (premium) for (let i = 0; i < pnl.length; i++) pnl[i] = pnl[i]! + premium[i]!;
    return this.objective.evaluate(pnl);
  }

  /** Best validation risk so far (Infinity before the first validation). */
  get bestValidationRisk(): number {
    return this.bestRisk;
  }

  /** Step of the best validation so far (0: the initial parameters). */
  get bestValidationStep(): number {
    return this.bestStep;
  }

  /** Validates now and keeps the parameters if they are the best so far. */
  validateAndKeep(): { value: number; standardError: number } {
    const v = this.validate();
    if (v.value < this.bestRisk) {
      this.bestRisk = v.value;
      this.bestStep = this.stepCount;
      this.best.copyFrom(this.policy.mlp);
    }
    return v;
  }

  /** One Adam step on a fresh batch of training paths; validates every `validateEvery` steps. */
  step(learningRate = this.settings.learningRate): TrainProgress {
    const { settings } = this;
    const sample = this.source.sample(settings.batch, this.trainRng);
    const trainRisk = this.lossAndGradient(sample.paths, sample);
    this.adam.step(this.gradients, learningRate);
    this.objective.step?.(learningRate);
    this.stepCount++;
    let validationRisk: number | null = null;
    let validationStandardError: number | null = null;
    if (this.stepCount % settings.validateEvery === 0) {
      const v = this.validateAndKeep();
      validationRisk = v.value;
      validationStandardError = v.standardError;
    }
    return { step: this.stepCount, trainRisk, validationRisk, validationStandardError, bestValidationRisk: this.bestRisk, bestStep: this.bestStep };
  }

  /** The accumulated gradient of the last `lossAndGradient` (shaped like the MLP parameters). */
  get gradient(): readonly Float64Array[] {
    return this.gradients;
  }

  /**
   * The objective (entropic risk by default) of the current policy on `paths` (batch-sized, steps as the
   * problem) and its gradient with respect to every parameter, accumulated into `gradient` (zeroed first).
   * `extras` carries per-path implied vols and premiums (B3).
   */
  lossAndGradient(paths: PathSet, extras: Omit<TrainingPaths, 'paths'> = {}): number {
    const { problem, settings, steps } = this;
    const { contract, cost: eps, sigma } = problem;
    const n = settings.batch;
    if (paths.paths !== n || paths.steps < steps) throw new RangeError(`training paths must be ${n} x ${steps} steps`);
    for (const g of this.gradients) g.fill(0);
    const mlp = this.policy.mlp;
    const width = mlp.outputSize;
    const nIn = mlp.inputSize;
    const batch = newBatch(n);
    const pnl = new Float64Array(n);
    const previous = new Float64Array(n);
    // Forward through the path.
    for (let k = 0; k < steps; k++) {
      fillBatch(paths, k, contract, sigma, batch, extras.impliedVol);
      batch.previousPosition.set(previous);
      const cache = this.caches[k]!;
      fillInputs(this.policy.inputs, batch, cache.activations[0]!);
      const o = mlp.forward(cache);
      const q = this.positions[k]!;
      this.deltas[k]!.set(batch.bsDelta);
      for (let i = 0; i < n; i++) {
        const pos = this.policy.head(o[i * width]!, width > 1 ? o[i * width + 1]! : 0, batch.bsDelta[i]!, previous[i]!);
        q[i] = pos;
        const s = paths.spot[k * n + i]!;
        pnl[i] = pnl[i]! + pos * (paths.spot[(k + 1) * n + i]! - s) - eps * s * Math.abs(pos - previous[i]!);
        previous[i] = pos;
      }
    }
    const last = steps * n;
    for (let i = 0; i < n; i++) {
      const s = paths.spot[last + i]!;
      pnl[i] = pnl[i]! - (contract.isCall ? Math.max(s - contract.strike, 0) : Math.max(contract.strike - s, 0));
      if (extras.premium) pnl[i] = pnl[i]! + extras.premium[i]!;
    }
    const weight = new Float64Array(n); // dL/dX
    const trainRisk = this.objective.lossAndGradient(pnl, weight);
    // Backward: carry[i] = dL/dq_k through everything after step k (later costs and later positions).
    const carry = new Float64Array(n);
    const carryToPrevious = new Float64Array(n);
    const prevInput = settings.kind === 'ffn' ? this.policy.inputs.findIndex((x) => x.name === 'previous_position') : -1;
    const prevScale = prevInput >= 0 ? this.policy.inputs[prevInput]!.scale : 0;
    for (let k = steps - 1; k >= 0; k--) {
      const cache = this.caches[k]!;
      const o = cache.activations[cache.activations.length - 1]!;
      const dOut = cache.deltas[cache.deltas.length - 1]!;
      const q = this.positions[k]!;
      const qPrev = k > 0 ? this.positions[k - 1]! : null;
      const delta = this.deltas[k]!;
      for (let i = 0; i < n; i++) {
        const s = paths.spot[k * n + i]!;
        const before = qPrev === null ? 0 : qPrev[i]!;
        const sign = Math.sign(q[i]! - before);
        const g = weight[i]! * ((paths.spot[(k + 1) * n + i]! - s) - eps * s * sign) + carry[i]!;
        // The cost of this step depends on the previous position too.
        carryToPrevious[i] = weight[i]! * eps * s * sign;
        if (settings.kind === 'ntb') {
          const o0 = o[i * 2]!;
          const o1 = o[i * 2 + 1]!;
          const lower = delta[i]! - settings.headScale * softplus(o0);
          const upper = delta[i]! + settings.headScale * softplus(o1);
          dOut[i * 2] = 0;
          dOut[i * 2 + 1] = 0;
          if (before < lower) dOut[i * 2] = -g * settings.headScale * sigmoid(o0);
          else if (before > upper) dOut[i * 2 + 1] = g * settings.headScale * sigmoid(o1);
          else carryToPrevious[i] = carryToPrevious[i]! + g;
        } else {
          dOut[i] = g * settings.headScale;
        }
      }
      mlp.backward(cache, this.gradients);
      if (prevInput >= 0) {
        const dIn = cache.deltas[0]!;
        for (let i = 0; i < n; i++) carryToPrevious[i] = carryToPrevious[i]! + dIn[i * nIn + prevInput]! * prevScale;
      }
      carry.set(carryToPrevious);
    }
    return trainRisk;
  }
}

/** When to stop, and how to report. */
export interface TrainLimits {
  maxSteps: number;
  /** Wall-clock budget, ms (measured with `now`). */
  maxMs: number;
}

export interface TrainHooks {
  /** Milliseconds from any fixed origin (injected: the core has no clock). */
  now(): number;
  /** Polled before every step; true stops training and keeps the best checkpoint. */
  isCancelled(): boolean;
  onProgress?(progress: TrainProgress, fraction: number): void;
}

export type StopReason = 'finished' | 'time' | 'cancelled';

/**
 * Trains until `maxSteps`, the time budget or a cancel; the learning rate decays linearly to a tenth over the
 * budget (steps or time, whichever is further along). Returns the best validated policy.
 */
export function trainFor(trainer: HedgeTrainer, limits: TrainLimits, hooks: TrainHooks): { policy: NetworkPolicy; reason: StopReason; last: TrainProgress | null } {
  const start = hooks.now();
  let last: TrainProgress | null = null;
  let reason: StopReason = 'finished';
  for (let s = 0; s < limits.maxSteps; s++) {
    if (hooks.isCancelled()) {
      reason = 'cancelled';
      break;
    }
    const fraction = Math.min(1, Math.max(s / limits.maxSteps, (hooks.now() - start) / limits.maxMs));
    if (fraction >= 1) {
      reason = 'time';
      break;
    }
    last = trainer.step(trainer.settings.learningRate * (1 - 0.9 * fraction));
    hooks.onProgress?.(last, fraction);
  }
  // Make sure the best checkpoint has seen a validation (a very short run may end between validations).
  if (!Number.isFinite(trainer.bestValidationRisk)) trainer.validateAndKeep();
  return { policy: trainer.bestPolicy(), reason, last };
}
