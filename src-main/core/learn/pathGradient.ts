/**
 * The hedging loss of a network policy over a slice of a batch of paths, forward and backward by exact
 * backpropagation through the path (the position at step k depends on the previous one through the NTB clamp or
 * the FFN input, so a position's gradient carries into the earlier steps). Split in two phases so that a batch
 * can be shared between threads: every slice runs `forward` and returns its P&L; the caller takes the entropic
 * risk over the whole batch, whose gradient dL/dX_i = -w_i couples all paths only through the softmax weights w;
 * every slice then runs `backward` with its part of w. One slice over the whole batch is the single-thread
 * trainer.
 *
 * Gradient of one path's P&L X = sum_k [q_k dS_k - eps S_k |q_k - q_{k-1}|] - payoff, with q the positions:
 *   dX/dq_k (explicit) = dS_k - eps S_k sgn(q_k - q_{k-1}) + eps S_{k+1} sgn(q_{k+1} - q_k).
 * A path-dependent network (input `hedge_pnl`, P_m = sum_{j<m} I_j - (V_m - V_0) with I_j = q_j dS_j -
 * eps S_j |q_j - q_{j-1}|) also sees the increments I_j through every later input P_m: each I_j then weighs
 * dL/dX + sum_{m>j} dL/dP_m instead of dL/dX, the second term collected from the input gradients as the
 * backward pass walks back in time.
 */
import type { PathSet } from '../sim/paths';
import { fillBatch, HedgePnlTracker, newBatch, type HedgeBatch } from './hedging';
import type { MlpCache } from './mlp';
import { fillInputs, sigmoid, softplus, type NetworkPolicy } from './network';
import type { HedgingProblem } from './train';

/**
 * Another thread that computes the last `count` paths of every batch with the same parameters (the worker side
 * lives outside the pure core: learn/parallelGradient.ts). begin* return at once; end* wait for the result.
 */
export interface GradientPartner {
  readonly count: number;
  /** Starts the forward pass with `parameters` on the batch `spot` (time-major, `paths` paths). */
  beginForward(parameters: readonly Float64Array[], spot: Float64Array, paths: number): void;
  /** Waits for the forward pass; writes the partner's P&L (length count). */
  endForward(pnl: Float64Array): void;
  /** Starts the backward pass with dL/dX of the partner's paths (length count). */
  beginBackward(weight: Float64Array): void;
  /** Waits for the backward pass; adds the partner's gradient into `gradients`. */
  endBackward(gradients: Float64Array[]): void;
  /** Stops the partner's thread. */
  close(): void;
}

export class HedgePathGradient {
  private readonly steps: number;
  private readonly local: PathSet;
  private readonly caches: MlpCache[];
  private readonly positions: Float64Array[];
  private readonly deltas: Float64Array[];
  private readonly batch: HedgeBatch;
  private readonly previous: Float64Array;
  private readonly carry: Float64Array;
  private readonly carryToPrevious: Float64Array;
  /** Path-dependent networks only: the P&L tracker (forward) and sum_{m>k} dL/dP_m (backward). */
  private readonly tracker: HedgePnlTracker | null;
  private readonly pnlAdjoint: Float64Array;

  /** @param count paths in this slice. */
  constructor(readonly policy: NetworkPolicy, readonly problem: HedgingProblem, readonly count: number) {
    const { contract, dt } = problem;
    this.steps = Math.round(contract.maturity / dt);
    if (this.steps < 1) throw new RangeError(`maturity ${contract.maturity} is shorter than one step of ${dt}`);
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`a gradient slice needs a positive number of paths, got ${String(count)}`);
    const mlp = policy.mlp;
    const shared = mlp.newCache(count);
    // One activation set per time step (needed by the backward pass); the gradient buffers are shared.
    this.caches = Array.from({ length: this.steps }, () => ({ ...mlp.newCache(count), deltas: shared.deltas }));
    this.positions = Array.from({ length: this.steps }, () => new Float64Array(count));
    this.deltas = Array.from({ length: this.steps }, () => new Float64Array(count));
    this.local = { paths: count, steps: this.steps, dt, spot: new Float64Array((this.steps + 1) * count) };
    this.batch = newBatch(count);
    this.previous = new Float64Array(count);
    this.carry = new Float64Array(count);
    this.carryToPrevious = new Float64Array(count);
    this.tracker = policy.pathDependent ? new HedgePnlTracker(count) : null;
    this.pnlAdjoint = new Float64Array(policy.pathDependent ? count : 0);
  }

  /**
   * Hedges paths [from, from + count) of `spot` (time-major, `paths` paths per row, at least steps + 1 rows) and
   * writes their P&L into `pnl` (length count). Keeps what `backward` needs. `impliedVol`: one vol per path of
   * the whole batch (B3), else the problem's.
   */
  forward(spot: Float64Array, paths: number, from: number, pnl: Float64Array, impliedVol?: Float64Array): void {
    const { problem, steps, count: n, local, batch, previous } = this;
    const { contract, cost: eps, sigma } = problem;
    if (from < 0 || from + n > paths || spot.length < (steps + 1) * paths) throw new RangeError(`slice [${from}, ${from + n}) does not fit ${paths} paths x ${steps} steps`);
    for (let k = 0; k <= steps; k++) local.spot.set(spot.subarray(k * paths + from, k * paths + from + n), k * n);
    if (impliedVol !== undefined && impliedVol.length !== paths) throw new RangeError(`per-path implied vols: ${impliedVol.length} for ${paths} paths`);
    const vols = impliedVol?.subarray(from, from + n);
    const mlp = this.policy.mlp;
    const width = mlp.outputSize;
    pnl.fill(0, 0, n);
    previous.fill(0);
    for (let k = 0; k < steps; k++) {
      fillBatch(local, k, contract, sigma, batch, vols);
      batch.previousPosition.set(previous);
      this.tracker?.fill(k, batch, contract, pnl);
      const cache = this.caches[k]!;
      fillInputs(this.policy.inputs, batch, cache.activations[0]!);
      const o = mlp.forward(cache);
      const q = this.positions[k]!;
      this.deltas[k]!.set(batch.bsDelta);
      for (let i = 0; i < n; i++) {
        const pos = this.policy.head(o[i * width]!, width > 1 ? o[i * width + 1]! : 0, batch.bsDelta[i]!, previous[i]!);
        q[i] = pos;
        const s = local.spot[k * n + i]!;
        pnl[i] = pnl[i]! + pos * (local.spot[(k + 1) * n + i]! - s) - eps * s * Math.abs(pos - previous[i]!);
        previous[i] = pos;
      }
    }
    const last = steps * n;
    for (let i = 0; i < n; i++) {
      const s = local.spot[last + i]!;
      pnl[i] = pnl[i]! - (contract.isCall ? Math.max(s - contract.strike, 0) : Math.max(contract.strike - s, 0));
    }
  }

  /**
   * Backward pass of the last `forward`: `weight` is dL/dX of this slice's paths; accumulates dL/dparameters
   * into `gradients` (shaped like the MLP parameters; not zeroed here).
   */
  backward(weight: Float64Array, gradients: Float64Array[]): void {
    const { problem, steps, count: n, local, carry, carryToPrevious } = this;
    const eps = problem.cost;
    const policy = this.policy;
    const mlp = policy.mlp;
    const nIn = mlp.inputSize;
    const headScale = policy.headScale;
    const prevInput = policy.kind === 'ffn' ? policy.inputs.findIndex((x) => x.name === 'previous_position') : -1;
    const prevScale = prevInput >= 0 ? policy.inputs[prevInput]!.scale : 0;
    const pnlInput = policy.inputs.findIndex((x) => x.name === 'hedge_pnl');
    const pnlScale = pnlInput >= 0 ? policy.inputs[pnlInput]!.scale : 0;
    const adjoint = this.pnlAdjoint;
    adjoint.fill(0);
    // carry[i] = dL/dq_k through everything after step k (later costs and later positions).
    carry.fill(0);
    for (let k = steps - 1; k >= 0; k--) {
      const cache = this.caches[k]!;
      const o = cache.activations[cache.activations.length - 1]!;
      const dOut = cache.deltas[cache.deltas.length - 1]!;
      const q = this.positions[k]!;
      const qPrev = k > 0 ? this.positions[k - 1]! : null;
      const delta = this.deltas[k]!;
      for (let i = 0; i < n; i++) {
        const s = local.spot[k * n + i]!;
        const before = qPrev === null ? 0 : qPrev[i]!;
        const sign = Math.sign(q[i]! - before);
        // dL/dI_k: through the final P&L, and through the hedge_pnl inputs of the later steps.
        const w = pnlInput >= 0 ? weight[i]! + adjoint[i]! : weight[i]!;
        const g = w * ((local.spot[(k + 1) * n + i]! - s) - eps * s * sign) + carry[i]!;
        // The cost of this step depends on the previous position too.
        carryToPrevious[i] = w * eps * s * sign;
        if (policy.kind === 'ntb') {
          const o0 = o[i * 2]!;
          const o1 = o[i * 2 + 1]!;
          const lower = delta[i]! - headScale * softplus(o0);
          const upper = delta[i]! + headScale * softplus(o1);
          dOut[i * 2] = 0;
          dOut[i * 2 + 1] = 0;
          if (before < lower) dOut[i * 2] = -g * headScale * sigmoid(o0);
          else if (before > upper) dOut[i * 2 + 1] = g * headScale * sigmoid(o1);
          else carryToPrevious[i] = carryToPrevious[i]! + g;
        } else {
          dOut[i] = g * headScale;
        }
      }
      mlp.backward(cache, gradients);
      if (prevInput >= 0) {
        const dIn = cache.deltas[0]!;
        for (let i = 0; i < n; i++) carryToPrevious[i] = carryToPrevious[i]! + dIn[i * nIn + prevInput]! * prevScale;
      }
      if (pnlInput >= 0) {
        // P_k sums the increments of the steps before k: its gradient joins the adjoint for them.
        const dIn = cache.deltas[0]!;
        for (let i = 0; i < n; i++) adjoint[i] = adjoint[i]! + dIn[i * nIn + pnlInput]! * pnlScale;
      }
      carry.set(carryToPrevious);
    }
  }
}
