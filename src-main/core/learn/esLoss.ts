/**
 * Expected shortfall as a training loss (Rockafellar & Uryasev 2000, "Optimization of conditional value-at-risk",
 * J. Risk 2(3), Theorem 1): for the loss L = -X of a P&L sample X and a level alpha,
 *   F(w, X) = w + mean_i (L_i - w)+ / (1 - alpha),
 * and ES_alpha = min over w of F; the minimizing w is the alpha-quantile (VaR). Minimizing F jointly over w and
 * the network parameters minimizes ES. Gradients (away from the kinks L_i = w):
 *   dF/dw   = 1 - #{L_i > w} / (n (1 - alpha)),
 *   dF/dX_i = -1{L_i > w} / (n (1 - alpha)).
 * Only the paths beyond w carry gradient: at alpha = 0.99 and 1024 paths, about ten of them.
 */
import { Adam } from './mlp';
import { expectedShortfall, type Estimate } from './risk';
import type { TrainingObjective } from './train';

function checkLevel(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`expected shortfall level must lie in (0, 1), got ${String(alpha)}`);
}

/**
 * F(w, X) of the file comment; writes dF/dX_i into `gradient` (same length as `pnl`) and returns the value and
 * dF/dw.
 */
export function expectedShortfallLoss(pnl: Float64Array, alpha: number, w: number, gradient: Float64Array): { value: number; dw: number } {
  checkLevel(alpha);
  const n = pnl.length;
  if (gradient.length !== n) throw new RangeError(`gradient has ${gradient.length} entries for ${n} samples`);
  const weight = 1 / (n * (1 - alpha));
  let excess = 0;
  let beyond = 0;
  for (let i = 0; i < n; i++) {
    const over = -pnl[i]! - w;
    if (over > 0) {
      excess += over;
      beyond++;
      gradient[i] = -weight;
    } else gradient[i] = 0;
  }
  return { value: w + excess * weight, dw: 1 - beyond * weight };
}

/**
 * Rockafellar-Uryasev training objective: the threshold w is a parameter of its own, moved by Adam. It starts at
 * the empirical VaR of the first batch (the minimizer for that batch), and its step is the network's learning
 * rate times the standard deviation of that batch's losses: w lives on the loss scale (price units), the
 * network weights near 1, and an unscaled step would take thousands of steps to follow the VaR.
 */
export class ExpectedShortfallObjective implements TrainingObjective {
  readonly name: string;
  /** The threshold w (one entry, so Adam can own it). */
  readonly threshold = new Float64Array(1);
  private readonly thresholdGradient = new Float64Array(1);
  private readonly adam: Adam;
  private started = false;
  private scale = 1;

  constructor(readonly alpha: number) {
    checkLevel(alpha);
    this.name = `expected shortfall ${alpha}`;
    this.adam = new Adam([this.threshold]);
  }

  lossAndGradient(pnl: Float64Array, gradient: Float64Array): number {
    if (!this.started) {
      const losses = Float64Array.from(pnl, (x) => -x).sort();
      this.threshold[0] = losses[Math.min(pnl.length - 1, Math.floor(this.alpha * pnl.length))]!;
      let sum = 0;
      for (const x of losses) sum += x;
      let squares = 0;
      for (const x of losses) squares += (x - sum / losses.length) ** 2;
      this.scale = Math.sqrt(squares / Math.max(1, losses.length - 1)) || 1;
      this.started = true;
    }
    const { value, dw } = expectedShortfallLoss(pnl, this.alpha, this.threshold[0]!, gradient);
    this.thresholdGradient[0] = dw;
    return value;
  }

  /** Validation uses the empirical ES (w at the sample's own VaR), with its standard error. */
  evaluate(pnl: Float64Array): Estimate {
    return expectedShortfall(pnl, this.alpha);
  }

  step(learningRate: number): void {
    this.adam.step([this.thresholdGradient], learningRate * this.scale);
  }
}
