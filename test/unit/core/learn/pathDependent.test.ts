/**
 * The path-dependent network (input hedge_pnl, decision 0037): the runners give it the hedge's P&L so far exactly
 * as an independent recomputation (Black-76 marks from core/pricing), the trainer's forward pass gives the same
 * P&L as the evaluator, the gradient through the path (with the hedge_pnl adjoint) matches finite differences,
 * a Markov model widened by the input decides as before, and the advisor and backtests refuse such a model.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src-main/core/random';
import { simulateGbm } from '../../../../src-main/core/sim/paths';
import { black76Price } from '../../../../src-main/core/pricing/black76';
import { exportPolicy, hedgePnlInput, importPolicy, withExtraInput, type NetworkKind } from '../../../../src-main/core/learn/network';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer, type HedgingProblem } from '../../../../src-main/core/learn/train';
import { runHedge, type HedgeBatch, type HedgePolicy } from '../../../../src-main/core/learn/hedging';
import { entropicRisk } from '../../../../src-main/core/learn/risk';
import { LearnedPolicy, PATH_DEPENDENT_REFUSAL } from '../../../../src-main/core/hedge/learnedPolicy';
import { learnedPolicySpec } from '../../../../src-main/app/backtest/learned';
import { gradientAgreement } from '../../../helpers/gradientCheck';

const B1: HedgingProblem = { s0: 100, sigma: 0.2, dt: 1 / 365, contract: { strike: 100, isCall: true, maturity: 30 / 365 }, cost: 2 ** -6, lambda: 1 };

/** A path-dependent rule that records the hedge P&L it is given and hedges half of delta. */
class Recorder implements HedgePolicy {
  readonly name = 'recorder';
  readonly pathDependent = true;
  readonly seen: Float64Array[] = [];
  readonly positions: Float64Array[] = [];
  decide(): number {
    throw new Error('batch only');
  }
  decideBatch(batch: HedgeBatch, out: Float64Array): void {
    this.seen.push(Float64Array.from(batch.hedgePnl!));
    for (let i = 0; i < batch.count; i++) out[i] = 0.5 * batch.bsDelta[i]! + 0.1 * (i % 3);
    this.positions.push(Float64Array.from(out));
  }
}

describe('hedge P&L so far', () => {
  it('is the hedge gains minus costs minus the rise of the Black-76 value, recomputed independently', () => {
    const n = 40;
    const steps = 30;
    const paths = simulateGbm({ paths: n, steps, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(3));
    for (const contract of [B1.contract, { ...B1.contract, isCall: false, strike: 104 }]) {
      const recorder = new Recorder();
      const out = runHedge(paths, contract, recorder, { cost: B1.cost, impliedVol: 0.25 });
      expect(recorder.seen).toHaveLength(steps);
      for (let i = 0; i < n; i++) {
        const value = (k: number): number => black76Price(paths.spot[k * n + i]!, contract.strike, contract.maturity - k * B1.dt, 0.25, contract.isCall);
        let cash = 0;
        let previous = 0;
        for (let k = 0; k < steps; k++) {
          expect(recorder.seen[k]![i]).toBeCloseTo(cash - (value(k) - value(0)), 10);
          const s = paths.spot[k * n + i]!;
          const q = recorder.positions[k]![i]!;
          cash += q * (paths.spot[(k + 1) * n + i]! - s) - B1.cost * s * Math.abs(q - previous);
          previous = q;
        }
        // The final P&L is that cash minus the payoff (the runner's own bookkeeping).
        expect(out.pnl[i]).toBeCloseTo(cash - out.payoff[i]!, 10);
      }
    }
  });

  it('the training settings decide whether the network reads it, as its last input', () => {
    const trainer = new HedgeTrainer(B1, { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', hidden: [4, 4], batch: 16, validationPaths: 100 });
    expect(trainer.policy.pathDependent).toBe(false);
    const pathDependent = new HedgeTrainer(B1, { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', hidden: [4, 4], batch: 16, validationPaths: 100, hedgePnlInput: true });
    expect(pathDependent.policy.pathDependent).toBe(true);
    expect(pathDependent.policy.inputs.map((x) => x.name)).toEqual(['log_moneyness', 'time_to_maturity', 'bs_delta', 'implied_vol', 'hedge_pnl']);
  });
});

describe.each<NetworkKind>(['ntb', 'ffn'])('path-dependent %s network', (kind) => {
  const settings = { ...DEFAULT_TRAIN_SETTINGS, kind, hidden: [8, 8], batch: 64, validationPaths: 500, hedgePnlInput: true };

  /** A trainer whose hedge_pnl weights are large enough to move the decisions. */
  function trainer(): HedgeTrainer {
    const t = new HedgeTrainer(B1, settings);
    const rng = new Rng(99);
    const params = t.policy.mlp.parameters();
    for (const p of params) for (let j = 0; j < p.length; j++) p[j] = p[j]! + 0.05 * rng.nextNormal();
    const first = t.policy.mlp.weights[0]!;
    const nIn = t.policy.mlp.inputSize;
    for (let o = 0; o < t.policy.mlp.sizes[1]!; o++) first[o * nIn + nIn - 1] = 0.8 * rng.nextNormal();
    return t;
  }

  it('the trainer\'s forward pass gives the evaluator\'s P&L', () => {
    const t = trainer();
    const paths = simulateGbm({ paths: 64, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(5));
    const risk = t.lossAndGradient(paths);
    const evaluated = runHedge(paths, B1.contract, t.policy, { cost: B1.cost, impliedVol: B1.sigma }).pnl;
    expect(risk).toBeCloseTo(entropicRisk(evaluated, B1.lambda).value, 10);
    // The input matters: the same network blind to it (weights zeroed) hedges differently.
    const blind = importPolicy(exportPolicy(t.policy, {})).policy;
    const nIn = blind.mlp.inputSize;
    for (let o = 0; o < blind.mlp.sizes[1]!; o++) blind.mlp.weights[0]![o * nIn + nIn - 1] = 0;
    const other = runHedge(paths, B1.contract, blind, { cost: B1.cost, impliedVol: B1.sigma }).pnl;
    expect(Array.from(other)).not.toEqual(Array.from(evaluated));
  });

  it('the loss gradient through the path, hedge P&L inputs included, matches finite differences', () => {
    const t = trainer();
    const paths = simulateGbm({ paths: 64, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(5));
    expect(gradientAgreement(t, paths)).toBeGreaterThan(0.95);
  });

  it('exports with the input and its definition; decide and decideBatch agree and need the P&L', () => {
    const t = trainer();
    const json = JSON.parse(JSON.stringify(exportPolicy(t.policy, {}))) as { inputs: { name: string }[]; input_definitions: Record<string, string> };
    expect(json.inputs.at(-1)!.name).toBe('hedge_pnl');
    expect(json.input_definitions['hedge_pnl']).toMatch(/V_now - V_start/);
    const { policy } = importPolicy(json);
    expect(policy.pathDependent).toBe(true);
    const state = { timeToMaturity: 20 / 365, logMoneyness: 0.01, spot: 101, bsDelta: 0.55, bsGamma: 0.06, previousPosition: 0.3, impliedVol: 0.2 };
    expect(() => policy.decide(state)).toThrow(/hedge_pnl/);
    const batch: HedgeBatch = {
      count: 1, timeToMaturity: state.timeToMaturity, impliedVol: 0.2, logMoneyness: Float64Array.of(0.01), spot: Float64Array.of(101),
      bsDelta: Float64Array.of(0.55), bsGamma: Float64Array.of(0.06), previousPosition: Float64Array.of(0.3),
    };
    const out = new Float64Array(1);
    expect(() => policy.decideBatch(batch, out)).toThrow(/hedge_pnl/);
    for (const pnl of [-2, 0, 1.5]) {
      batch.hedgePnl = Float64Array.of(pnl);
      policy.decideBatch(batch, out);
      expect(policy.decide({ ...state, hedgePnl: pnl })).toBeCloseTo(out[0]!, 12);
    }
  });
});

describe('widening a Markov model by the hedge P&L input', () => {
  it('decides exactly as before until training moves the new weights', () => {
    for (const kind of ['ntb', 'ffn'] as const) {
      const markov = new HedgeTrainer(B1, { ...DEFAULT_TRAIN_SETTINGS, kind, hidden: [8, 8], batch: 64, validationPaths: 500 });
      markov.step();
      const wide = withExtraInput(markov.policy, hedgePnlInput(100, B1.contract.maturity, B1.sigma));
      expect(wide.pathDependent).toBe(true);
      expect(wide.mlp.sizes).toEqual([5, 8, 8, kind === 'ntb' ? 2 : 1]);
      const paths = simulateGbm({ paths: 500, steps: 30, dt: B1.dt, s0: 100, sigma: 0.2 }, new Rng(8));
      const a = runHedge(paths, B1.contract, markov.policy, { cost: B1.cost, impliedVol: B1.sigma }).pnl;
      const b = runHedge(paths, B1.contract, wide, { cost: B1.cost, impliedVol: B1.sigma }).pnl;
      expect(Array.from(b)).toEqual(Array.from(a));
      // It continues as a training start for the path-dependent settings (same sizes and inputs).
      expect(() => new HedgeTrainer(B1, { ...DEFAULT_TRAIN_SETTINGS, kind, hidden: [8, 8], batch: 64, validationPaths: 500, hedgePnlInput: true }, { initial: wide })).not.toThrow();
      expect(() => withExtraInput(wide, hedgePnlInput(100, 0.1, 0.2))).toThrow(/already has the input hedge_pnl/);
    }
  });
});

describe('where a path-dependent model cannot hedge', () => {
  it('the advisor\'s adapter and the backtest refuse it with the reason', () => {
    const t = new HedgeTrainer(B1, { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', hidden: [4, 4], batch: 16, validationPaths: 100, hedgePnlInput: true });
    expect(() => new LearnedPolicy(t.policy, { id: 1, name: 'x' })).toThrow(PATH_DEPENDENT_REFUSAL);
    const text = JSON.stringify(exportPolicy(t.policy, {}));
    expect(() => learnedPolicySpec('pd.json', text, 'BTC', () => 'hash')).toThrow(/hedge_pnl/);
  });
});
