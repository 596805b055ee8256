/**
 * What a B3 training or evaluation needs besides the core: the problem, the path sources (Black-Scholes at
 * sigma = 0.8, or the anchored bootstrap of real BTC returns read from ../shared/data), the objective (ES 99 %
 * by Rockafellar-Uryasev, or entropic) and the network settings B3 trains with.
 *
 * Settings (measured, docs/decisions/0023-b3-crypto-hedging.md): hidden 16-16 instead of 32-32 (a step of the
 * 720-step path is about 2.5x faster at the same batch), batch 1024 (about ten paths in the 1 % tail per step),
 * head scale 0.02 (the initial band, 0.02 x softplus(1.2) = 0.03 either side of delta, is the order of the
 * Whalley-Wilmott band at 5 bp; B1's 0.1 would start ten times too wide), validation on 10 000 paths.
 */
import { Rng } from '../core/random';
import { simulateGbm } from '../core/sim/paths';
import { anchoredBootstrapPaths, B3_SETTING, b3Problem, bootstrapPathSource, gbmB3Paths, type B3Days, type B3Simulator, type B3ValidationSplit } from '../core/learn/b3';
import { ExpectedShortfallObjective } from '../core/learn/esLoss';
import { entropicObjective, type HedgingProblem, type PathSource, type TrainingObjective, type TrainingPaths, type TrainSettings } from '../core/learn/train';
import { loadB3Data, type B3Data } from './b3Data';

export const B3_LOSSES = ['es', 'entropic'] as const;
export type B3Loss = (typeof B3_LOSSES)[number];

export const B3_TRAIN_SETTINGS: Readonly<Partial<TrainSettings>> = Object.freeze({
  hidden: [16, 16],
  batch: 1024,
  headScale: 0.02,
  validationPaths: 10_000,
  validateEvery: 10,
  // The settings B3's figures were measured with (bench/RESULTS.md): B1's later defaults (learning rate 1e-2, the
  // Whalley-Wilmott warm start, decision 0022) were tuned on B1 and are not B3's.
  learningRate: 3e-3,
  warmStart: 'none',
});

/** Black-Scholes paths of the B3 problem at sigma = 0.8, premium at 0.8. */
export function gbmB3Source(problem: HedgingProblem): PathSource {
  const steps = Math.round(problem.contract.maturity / problem.dt);
  const simulate = (count: number, rng: Rng): TrainingPaths =>
    gbmB3Paths(problem, simulateGbm({ paths: count, steps, dt: problem.dt, s0: problem.s0, sigma: problem.sigma }, rng));
  return { sample: simulate, validation: simulate };
}

export interface B3Setup {
  problem: HedgingProblem;
  source: PathSource;
  objective: TrainingObjective;
  /** `pretrainSteps` (decision 0035): the entropic objective the first steps train on before `objective`. */
  pretrain?: { objective: TrainingObjective; steps: number };
  /** Test paths (seeded): Black-Scholes, or the bootstrap of 2021-2022. */
  testPaths(count: number, seed: number): TrainingPaths;
  data: B3Data | null;
}

/**
 * Where bootstrap training and validation paths come from: 'train' (2018-05-15..2020-06-30, validation 2020-H2),
 * or 'test' (2021-01-01..2022-03-01 for both): a diagnostic only, never an out-of-sample result. It bounds what
 * the policy class can reach on the test distribution (the test paths' seed stays the evaluation's own).
 */
export type B3TrainPeriod = 'train' | 'test';

export interface B3SetupOptions {
  cost?: number;
  loss?: B3Loss;
  dataDir?: string;
  trainPeriod?: B3TrainPeriod;
  /** Bootstrap, training period 'train': how 2018-2020 splits into training and validation (default 'tail'). */
  validationSplit?: B3ValidationSplit;
  /** ES loss only: train the first N steps on the entropic risk (lambda of the setting), then on ES 99 %. */
  pretrainSteps?: number;
}

export function b3Setup(days: B3Days, simulator: B3Simulator, options: B3SetupOptions = {}): B3Setup {
  const problem = b3Problem(days, options.cost);
  const loss = options.loss ?? 'es';
  const objective = loss === 'es' ? new ExpectedShortfallObjective(B3_SETTING.alpha) : entropicObjective(problem.lambda);
  const pretrainSteps = options.pretrainSteps ?? 0;
  if (!(Number.isSafeInteger(pretrainSteps) && pretrainSteps >= 0)) throw new RangeError(`pretraining steps must be a whole number >= 0, got ${String(pretrainSteps)}`);
  if (pretrainSteps > 0 && loss !== 'es') throw new RangeError('entropic pretraining goes before the ES loss only');
  const pretrain = pretrainSteps > 0 ? { pretrain: { objective: entropicObjective(problem.lambda), steps: pretrainSteps } } : {};
  const trainPeriod = options.trainPeriod ?? 'train';
  const split = options.validationSplit ?? 'tail';
  if (simulator === 'gbm') {
    if (trainPeriod !== 'train') throw new RangeError('training on the test period applies to the bootstrap simulator only');
    if (split !== 'tail') throw new RangeError('the validation split applies to the bootstrap simulator only');
    const source = gbmB3Source(problem);
    return { problem, source, objective, ...pretrain, testPaths: (count, seed) => source.sample(count, new Rng(seed)), data: null };
  }
  if (trainPeriod === 'test' && split !== 'tail') throw new RangeError('the validation split applies to training on 2018-2020 only');
  const data = loadB3Data(options.dataDir, split);
  const { train, validation, test } = data.histories;
  return {
    problem, objective, data, ...pretrain,
    source: trainPeriod === 'test' ? bootstrapPathSource(problem, test, test) : bootstrapPathSource(problem, train, validation),
    testPaths: (count, seed) => anchoredBootstrapPaths(test, problem, count, new Rng(seed)),
  };
}
