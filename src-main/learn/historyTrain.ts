/**
 * Training on real history: the same network, loss and backpropagation as `HedgeTrainer` (core/learn/train.ts), on
 * paths drawn by moving-block bootstrap (Künsch 1989) of observed daily BTC log returns instead of Black-Scholes
 * paths. Out-of-sample discipline (issue 14): train and validate on 2018–2020 (different seeds), test on 2021–2022,
 * never the reverse. The option is priced and hedged at the training years' realized vol (the DVOL history starts in
 * 2021, so it cannot price the training years).
 *
 * `HistoryTrainer` extends `HedgeTrainer` and replaces only where the paths come from (`step`) and what the best
 * checkpoint is validated on, so `trainFor` drives it unchanged (budget, cancel, learning-rate decay).
 */
import { Adam, type Mlp } from '../core/learn/mlp';
import { NetworkPolicy } from '../core/learn/network';
import { runHedge } from '../core/learn/hedging';
import { entropicRisk } from '../core/learn/risk';
import { HedgeTrainer, type HedgingProblem, type TrainProgress, type TrainSettings } from '../core/learn/train';
import { Rng } from '../core/random';
import { bootstrapPaths, type PathSet } from '../core/sim/paths';
import { hourlyLogReturns, readHourlyCloses } from './data';

/** The training and test years of the history source (the Bitstamp hourly file starts 2018-05-15). */
export const HISTORY_TRAIN = Object.freeze({ fromMs: Date.parse('2018-01-01T00:00:00Z'), toMs: Date.parse('2021-01-01T00:00:00Z') });
export const HISTORY_TEST = Object.freeze({ fromMs: Date.parse('2021-01-01T00:00:00Z'), toMs: Date.parse('2023-01-01T00:00:00Z') });
/** Block length of the bootstrap, days: keeps a week of volatility clustering together. */
export const HISTORY_BLOCK_DAYS = 5;

/** Daily log returns (sums of 24 consecutive hourly ones) with both ends in [fromMs, toMs); bad rows counted. */
export function dailyReturnsBetween(file: string, fromMs: number, toMs: number): { returns: Float64Array; badRows: number; firstMs: number; lastMs: number } {
  const data = readHourlyCloses(file);
  const { logReturns } = hourlyLogReturns(data, fromMs, toMs);
  const days = Math.floor(logReturns.length / 24);
  if (days < 10) throw new Error(`${file}: only ${days} days of hourly returns between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`);
  const daily = new Float64Array(days);
  for (let d = 0; d < days; d++) for (let h = 0; h < 24; h++) daily[d] = daily[d]! + logReturns[d * 24 + h]!;
  let firstMs = Infinity;
  let lastMs = -Infinity;
  for (let i = 0; i < data.time.length; i++) {
    const t = data.time[i]!;
    if (t >= fromMs && t < toMs) {
      if (t < firstMs) firstMs = t;
      if (t > lastMs) lastMs = t;
    }
  }
  return { returns: daily, badRows: data.badRows.length, firstMs, lastMs };
}

/** Annualized realized vol of daily log returns (sample standard deviation × √365). */
export function realizedVol(daily: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < daily.length; i++) sum += daily[i]!;
  const mean = sum / daily.length;
  let squares = 0;
  for (let i = 0; i < daily.length; i++) squares += (daily[i]! - mean) ** 2;
  return Math.sqrt((squares / (daily.length - 1)) * 365);
}

/** A short ATM call on bootstrapped history: S0 = K = 1, daily steps, priced at the history's realized vol. */
export function historyProblem(daily: Float64Array, maturityDays: number, cost: number): HedgingProblem {
  return { s0: 1, sigma: realizedVol(daily), dt: 1 / 365, contract: { strike: 1, isCall: true, maturity: maturityDays / 365 }, cost, lambda: 1 };
}

export class HistoryTrainer extends HedgeTrainer {
  private readonly optimizer: Adam;
  private readonly historyRng: Rng;
  private readonly validationSet: PathSet;
  private readonly keep: Mlp;
  private bestRiskSoFar = Infinity;
  private bestAt = 0;
  private count = 0;
  private readonly pathSteps: number;

  /**
   * @param returns daily log returns of the training years (validation paths come from the same years, their own seed).
   */
  constructor(problem: HedgingProblem, settings: TrainSettings, private readonly returns: Float64Array, private readonly blockLength = HISTORY_BLOCK_DAYS) {
    // The base class's Black-Scholes validation set is not used: one path keeps it cheap.
    super(problem, { ...settings, validationPaths: 1 });
    this.pathSteps = Math.round(problem.contract.maturity / problem.dt);
    this.optimizer = new Adam(this.policy.mlp.parameters(), settings.learningRate);
    this.historyRng = new Rng(settings.seeds.train);
    this.validationSet = this.paths(settings.validationPaths, new Rng(settings.seeds.validation));
    this.keep = this.policy.mlp.clone();
  }

  private paths(count: number, rng: Rng): PathSet {
    return bootstrapPaths({ paths: count, steps: this.pathSteps, dt: this.problem.dt, s0: this.problem.s0, logReturns: this.returns, blockLength: this.blockLength }, rng);
  }

  override step(learningRate = this.settings.learningRate): TrainProgress {
    const trainRisk = this.lossAndGradient(this.paths(this.settings.batch, this.historyRng));
    this.optimizer.step(this.gradient as Float64Array[], learningRate);
    this.count++;
    let validationRisk: number | null = null;
    let validationStandardError: number | null = null;
    if (this.count % this.settings.validateEvery === 0) {
      const v = this.validateAndKeep();
      validationRisk = v.value;
      validationStandardError = v.standardError;
    }
    return { step: this.count, trainRisk, validationRisk, validationStandardError, bestValidationRisk: this.bestRiskSoFar, bestStep: this.bestAt };
  }

  override validate(): { value: number; standardError: number } {
    const { contract, cost, lambda, sigma } = this.problem;
    return entropicRisk(runHedge(this.validationSet, contract, this.policy, { cost, impliedVol: sigma }).pnl, lambda);
  }

  override validateAndKeep(): { value: number; standardError: number } {
    const v = this.validate();
    if (v.value < this.bestRiskSoFar) {
      this.bestRiskSoFar = v.value;
      this.bestAt = this.count;
      this.keep.copyFrom(this.policy.mlp);
    }
    return v;
  }

  override bestPolicy(): NetworkPolicy {
    return new NetworkPolicy(this.policy.kind, this.keep.clone(), this.policy.inputs, this.policy.headScale);
  }

  override get bestValidationRisk(): number {
    return this.bestRiskSoFar;
  }

  override get bestValidationStep(): number {
    return this.bestAt;
  }
}
