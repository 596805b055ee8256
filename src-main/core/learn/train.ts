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
 * The path gradient is in pathGradient.ts (dL/dX_i = -w_i with w the softmax of -lambda X, risk.ts
 * `entropicRiskGradient`); with a `GradientPartner` another thread computes the second half of every batch with
 * the same parameters and the gradients are added in a fixed order (learn/parallelGradient.ts).
 */
import { Rng, type RandomSource } from '../random';
import { simulateGbm, type PathSet } from '../sim/paths';
import { runHedge, type OptionContract } from './hedging';
import { Adam, Mlp } from './mlp';
import { defaultInputs, hedgePnlInput, NetworkPolicy, type InputScaling, type NetworkKind } from './network';
import { HedgePathGradient, type GradientPartner } from './pathGradient';
import { entropicRisk, entropicRiskGradient, type Estimate } from './risk';
import { prefitToWhalleyWilmott } from './warmStart';

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
  /**
   * Vol of the simulated paths when it is not `sigma`, the vol the option is priced and hedged at: a problem
   * calibrated to a market simulates at the realized-vol estimate and hedges at the ATM implied vol. Absent: `sigma`.
   */
  pathVol?: number;
}

/** The vol the problem's paths are simulated at (`pathVol`, else `sigma`). */
export function pathVolOf(problem: HedgingProblem): number {
  return problem.pathVol ?? problem.sigma;
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
  /**
   * 'whalley-wilmott' (ntb only): before the first step, pre-fit the band to the Whalley-Wilmott band on paths from
   * the training stream (warmStart.ts); 'none' or absent: start from the initialisation.
   */
  warmStart?: 'whalley-wilmott' | 'none';
  /**
   * Give the network the hedge's P&L so far as one more input (`hedge_pnl`, network.ts): a path-dependent policy,
   * for risk measures whose optimal hedge depends on it (expected shortfall). Absent or false: the Markov inputs.
   */
  hedgePnlInput?: boolean;
}

export const DEFAULT_TRAIN_SETTINGS: Readonly<Omit<TrainSettings, 'kind'>> = Object.freeze({
  hidden: [32, 32],
  batch: 2048,
  // 1e-2 rather than 3e-3 since the warm start: B1 NTB validation 4.013 against 4.036 after 90 s (decision 0022).
  learningRate: 1e-2,
  headScale: 0.1,
  validationPaths: 20_000,
  // A validation of 20 000 paths costs about ten training steps of 2048: every 50 steps keeps it near a sixth of
  // the time (it was every 10, half of it); trainFor also validates the last parameters.
  validateEvery: 50,
  seeds: { init: 1, train: 2, validation: 3 },
  warmStart: 'whalley-wilmott',
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

/** The default path source: Black-Scholes paths at the problem's path vol, hedged at its sigma, no premium. */
export function gbmPathSource(problem: HedgingProblem): PathSource {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  const simulate = (count: number, rng: RandomSource): TrainingPaths => ({
    paths: simulateGbm({ paths: count, steps, dt: problem.dt, s0: problem.s0, sigma: pathVolOf(problem) }, rng),
  });
  return { sample: simulate, validation: simulate };
}

/** Optional parts of a trainer: its paths and its objective (B3), a second thread (decision 0022). */
export interface TrainerOptions {
  source?: PathSource;
  objective?: TrainingObjective;
  /**
   * Starts a second thread for the last floor(batch / 2) paths of every batch (same numbers as one thread up to
   * the order of floating-point additions). Only with the default Black-Scholes source: the partner receives
   * spots, not per-path vols.
   */
  startPartner?: (policy: NetworkPolicy, count: number) => GradientPartner;
  /**
   * Start from this policy's parameters instead of the seeded initialisation (continue training a saved model).
   * It must be the network the settings describe: same kind, layer sizes, input scalings and head scale.
   */
  initial?: NetworkPolicy;
  /**
   * Train the first `steps` steps on this objective, then on `objective` (B3: entropic, then ES 99 %; decision
   * 0035). Validation and the kept checkpoint always use `objective`; an objective's own parameters (the
   * Rockafellar-Uryasev w) are stepped only while it trains, so w starts at the first ES batch's VaR.
   */
  pretrain?: { objective: TrainingObjective; steps: number };
}

/** Throws when `initial` is not the network `settings` and `inputs` describe, naming what differs. */
function checkInitialPolicy(initial: NetworkPolicy, settings: TrainSettings, sizes: readonly number[], inputs: readonly InputScaling[]): void {
  if (initial.kind !== settings.kind) throw new RangeError(`initial model is ${initial.kind}, the training is ${settings.kind}`);
  if (initial.mlp.sizes.join(',') !== sizes.join(',')) throw new RangeError(`initial model has layer sizes ${initial.mlp.sizes.join('-')}, the training ${sizes.join('-')}`);
  if (initial.headScale !== settings.headScale) throw new RangeError(`initial model has head scale ${initial.headScale}, the training ${settings.headScale}`);
  inputs.forEach((x, i) => {
    const theirs = initial.inputs[i]!;
    if (theirs.name !== x.name || theirs.shift !== x.shift || theirs.scale !== x.scale) {
      throw new RangeError(`initial model input ${i} is ${theirs.name} (shift ${theirs.shift}, scale ${theirs.scale}), the training's ${x.name} (shift ${x.shift}, scale ${x.scale}): another problem`);
    }
  });
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
  /** Name of the objective this step trained on (differs from the validation's during pretraining). */
  loss?: string;
}

export class HedgeTrainer {
  readonly policy: NetworkPolicy;
  private readonly best: Mlp;
  private bestRisk = Infinity;
  private bestStep = 0;
  private stepCount = 0;
  private warmStarted = false;
  /** A continued training (`initial` given) whose start has not been validated yet. */
  private startUnvalidated = false;
  private readonly adam: Adam;
  private readonly gradients: Float64Array[];
  private readonly trainRng: Rng;
  private readonly validationPaths: TrainingPaths;
  readonly source: PathSource;
  readonly objective: TrainingObjective;
  private readonly pretrain: { objective: TrainingObjective; steps: number } | null;
  private readonly steps: number;
  private readonly shard: HedgePathGradient;
  private readonly pnl: Float64Array;
  private readonly weight: Float64Array;

  private readonly partner: GradientPartner | null;

  constructor(readonly problem: HedgingProblem, readonly settings: TrainSettings, options: TrainerOptions = {}) {
    const startPartner = options.startPartner;
    if (startPartner !== undefined && options.source !== undefined) throw new RangeError('a second training thread needs the default Black-Scholes path source (it is given spots, not per-path vols)');
    const { contract, dt, sigma } = problem;
    this.steps = Math.round(contract.maturity / dt);
    if (this.steps < 1) throw new RangeError(`maturity ${contract.maturity} is shorter than one step of ${dt}`);
    const inputs = defaultInputs(settings.kind, contract.maturity, sigma);
    if (settings.hedgePnlInput === true) inputs.push(hedgePnlInput(contract.strike, contract.maturity, sigma));
    const sizes = [inputs.length, ...settings.hidden, settings.kind === 'ntb' ? 2 : 1];
    // A small output layer: the FFN starts at delta.
    const mlp = Mlp.initialized(sizes, new Rng(settings.seeds.init), 0.1);
    // The NTB starts from a band of about 0.15 on each side of delta (softplus(1.2) = 1.46, x w = 0.1),
    // the order of the Whalley-Wilmott width at B1's cost, rather than from w log 2.
    if (settings.kind === 'ntb') mlp.biases[mlp.biases.length - 1]!.fill(1.2);
    if (options.initial !== undefined) {
      checkInitialPolicy(options.initial, settings, sizes, inputs);
      mlp.copyFrom(options.initial.mlp);
      // Given parameters are not overwritten by a warm start.
      this.warmStarted = true;
      this.startUnvalidated = true;
    }
    this.policy = new NetworkPolicy(settings.kind, mlp, inputs, settings.headScale);
    this.best = mlp.clone();
    this.adam = new Adam(mlp.parameters() as Float64Array[], settings.learningRate);
    this.gradients = mlp.zeroGradients() as Float64Array[];
    if (startPartner !== undefined && !(settings.batch >= 2)) throw new RangeError(`a batch of ${settings.batch} path cannot be split between two threads`);
    this.partner = startPartner === undefined ? null : startPartner(this.policy, Math.floor(settings.batch / 2));
    const own = settings.batch - (this.partner?.count ?? 0);
    this.shard = new HedgePathGradient(this.policy, problem, own);
    this.pnl = new Float64Array(settings.batch);
    this.weight = new Float64Array(settings.batch);
    this.trainRng = new Rng(settings.seeds.train);
    this.source = options.source ?? gbmPathSource(problem);
    this.objective = options.objective ?? entropicObjective(problem.lambda);
    const pretrain = options.pretrain;
    if (pretrain !== undefined && !(Number.isSafeInteger(pretrain.steps) && pretrain.steps >= 0)) throw new RangeError(`pretraining steps must be a whole number >= 0, got ${String(pretrain.steps)}`);
    this.pretrain = pretrain ?? null;
    this.validationPaths = this.source.validation(settings.validationPaths, new Rng(settings.seeds.validation));
  }

  /** The best validated policy so far (a copy, safe to keep while training continues). */
  bestPolicy(): NetworkPolicy {
    return new NetworkPolicy(this.policy.kind, this.best.clone(), this.policy.inputs, this.policy.headScale);
  }

  /** The current parameters (a copy): what `--checkpoint last` keeps instead of the best validated ones. */
  currentPolicy(): NetworkPolicy {
    return new NetworkPolicy(this.policy.kind, this.policy.mlp.clone(), this.policy.inputs, this.policy.headScale);
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

  /**
   * Pre-fits the band to the Whalley-Wilmott band if the settings ask for it (ntb only), then validates the result
   * as the first checkpoint. Returns the fit's root mean square half-width error, or null when there is no warm
   * start. Call once, before the first step (trainFor does, inside its time budget).
   */
  warmStart(): number | null {
    if (this.settings.warmStart !== 'whalley-wilmott' || this.settings.kind !== 'ntb' || this.stepCount > 0 || this.warmStarted) return null;
    this.warmStarted = true;
    const error = prefitToWhalleyWilmott(this.policy, this.problem, this.trainRng);
    this.validateAndKeep();
    return error;
  }

  /**
   * A continued training: validates the given parameters as the first checkpoint (step 0), so that a training that
   * never beats its start keeps the start. Call once, before the first step (trainFor does); true when it validated.
   */
  validateStart(): boolean {
    if (!this.startUnvalidated || this.stepCount > 0) return false;
    this.startUnvalidated = false;
    this.validateAndKeep();
    return true;
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

  /** The objective the next step trains on: the pretraining one for its first steps, then `objective`. */
  get trainingObjective(): TrainingObjective {
    return this.pretrain !== null && this.stepCount < this.pretrain.steps ? this.pretrain.objective : this.objective;
  }

  /** One Adam step on a fresh batch of training paths; validates every `validateEvery` steps. */
  step(learningRate = this.settings.learningRate): TrainProgress {
    const { settings } = this;
    const objective = this.trainingObjective;
    const sample = this.source.sample(settings.batch, this.trainRng);
    const trainRisk = this.lossAndGradient(sample.paths, sample);
    this.adam.step(this.gradients, learningRate);
    objective.step?.(learningRate);
    this.stepCount++;
    let validationRisk: number | null = null;
    let validationStandardError: number | null = null;
    if (this.stepCount % settings.validateEvery === 0) {
      const v = this.validateAndKeep();
      validationRisk = v.value;
      validationStandardError = v.standardError;
    }
    return { step: this.stepCount, trainRisk, validationRisk, validationStandardError, bestValidationRisk: this.bestRisk, bestStep: this.bestStep, ...(this.pretrain !== null ? { loss: objective.name } : {}) };
  }

  /** The accumulated gradient of the last `lossAndGradient` (shaped like the MLP parameters). */
  get gradient(): readonly Float64Array[] {
    return this.gradients;
  }

  /**
   * The training objective ({@link trainingObjective}: entropic risk by default) of the current policy on `paths` (batch-sized, steps as the
   * problem) and its gradient with respect to every parameter, accumulated into `gradient` (zeroed first).
   * `extras` carries per-path implied vols and premiums (B3); a premium shifts the P&L, not its gradient.
   */
  lossAndGradient(paths: PathSet, extras: Omit<TrainingPaths, 'paths'> = {}): number {
    const { settings, steps, partner, pnl, weight } = this;
    const n = settings.batch;
    if (paths.paths !== n || paths.steps < steps) throw new RangeError(`training paths must be ${n} x ${steps} steps`);
    if (partner && extras.impliedVol) throw new RangeError('per-path implied vols cannot be split between two threads');
    const own = this.shard.count;
    partner?.beginForward(this.policy.mlp.parameters() as Float64Array[], paths.spot, n);
    this.shard.forward(paths.spot, n, 0, pnl.subarray(0, own), extras.impliedVol);
    partner?.endForward(pnl.subarray(own));
    if (extras.premium) for (let i = 0; i < n; i++) pnl[i] = pnl[i]! + extras.premium[i]!;
    const trainRisk = this.trainingObjective.lossAndGradient(pnl, weight);
    partner?.beginBackward(weight.subarray(own));
    for (const g of this.gradients) g.fill(0);
    this.shard.backward(weight.subarray(0, own), this.gradients);
    partner?.endBackward(this.gradients);
    return trainRisk;
  }

  /** Stops the partner thread, if any. */
  close(): void {
    this.partner?.close();
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
 * budget (steps or time, whichever is further along). A timed run stops early enough for its last step and the
 * closing validation (measured on the way) to end within `maxMs`. Returns the best validated policy.
 */
export function trainFor(trainer: HedgeTrainer, limits: TrainLimits, hooks: TrainHooks): { policy: NetworkPolicy; reason: StopReason; last: TrainProgress | null } {
  const start = hooks.now();
  let last: TrainProgress | null = null;
  let reason: StopReason = 'finished';
  // Time budget: the next step and the closing validation must fit, so that a timed run ends within maxMs. The
  // warm start (which ends with a validation) or the validation of a continued training's start stands for a
  // validation's cost until a step has validated.
  const warm = trainer.warmStart();
  const startValidated = trainer.validateStart();
  let validationMs = warm === null && !startValidated ? 0 : hooks.now() - start;
  let stepMs = 0;
  for (let s = 0; s < limits.maxSteps; s++) {
    if (hooks.isCancelled()) {
      reason = 'cancelled';
      break;
    }
    const elapsed = hooks.now() - start;
    const fraction = Math.min(1, Math.max(s / limits.maxSteps, elapsed / limits.maxMs));
    if (fraction >= 1 || elapsed + stepMs + validationMs >= limits.maxMs) {
      reason = 'time';
      break;
    }
    const before = hooks.now();
    last = trainer.step(trainer.settings.learningRate * (1 - 0.9 * fraction));
    const took = hooks.now() - before;
    if (last.validationRisk === null) stepMs = took;
    else validationMs = Math.max(0, took - stepMs);
    hooks.onProgress?.(last, fraction);
  }
  // The last parameters (at the smallest learning rate) compete for the checkpoint even between validations.
  if (last === null || last.validationRisk === null) trainer.validateAndKeep();
  return { policy: trainer.bestPolicy(), reason, last };
}
