/**
 * A small multilayer perceptron with hand-written batch forward/backward passes and Adam, on typed arrays.
 * Chosen over @jax-js/jax and tfjs by measurement (docs/decisions/0015-learning-library.md): for the 4 -> 32 ->
 * 32 -> out networks of deep hedging it is as fast, has no dependency, and is bit-for-bit reproducible.
 *
 * Layout: activations are row-major batch x width; layer l has weights `weights[l]` of shape out x in (row-major)
 * and `biases[l]` of length out. Hidden layers use ReLU, the output layer is linear (the policy heads apply
 * their own transforms). Arrays are Float64Array (the default, for exact reproducibility) or Float32Array.
 */
import type { RandomSource } from '../random';

export type Precision = 'f64' | 'f32';
type Vector = Float64Array | Float32Array;

function alloc(precision: Precision, length: number): Vector {
  return precision === 'f64' ? new Float64Array(length) : new Float32Array(length);
}

/** Per-batch buffers of one forward pass, reused between calls of the same batch size. */
export interface MlpCache {
  batch: number;
  /** activations[0] is the input (batch x sizes[0]); activations[l] the output of layer l (post-ReLU for hidden). */
  activations: Vector[];
  /** Gradient buffers per layer output (batch x sizes[l]). */
  deltas: Vector[];
}

export class Mlp {
  readonly sizes: readonly number[];
  readonly precision: Precision;
  readonly weights: Vector[];
  readonly biases: Vector[];

  constructor(sizes: readonly number[], precision: Precision = 'f64') {
    if (sizes.length < 2 || sizes.some((s) => !Number.isSafeInteger(s) || s < 1)) {
      throw new RangeError(`MLP sizes must be at least two positive integers, got ${JSON.stringify(sizes)}`);
    }
    this.sizes = [...sizes];
    this.precision = precision;
    this.weights = [];
    this.biases = [];
    for (let l = 1; l < sizes.length; l++) {
      this.weights.push(alloc(precision, sizes[l]! * sizes[l - 1]!));
      this.biases.push(alloc(precision, sizes[l]!));
    }
  }

  /** He-normal weights (std sqrt(2 / fan_in)), zero biases; the last layer scaled by `outputScale`. */
  static initialized(sizes: readonly number[], rng: RandomSource, outputScale = 1, precision: Precision = 'f64'): Mlp {
    const mlp = new Mlp(sizes, precision);
    for (let l = 0; l < mlp.weights.length; l++) {
      const w = mlp.weights[l]!;
      const std = Math.sqrt(2 / sizes[l]!) * (l === mlp.weights.length - 1 ? outputScale : 1);
      for (let j = 0; j < w.length; j++) w[j] = std * rng.nextNormal();
    }
    return mlp;
  }

  get inputSize(): number {
    return this.sizes[0]!;
  }

  get outputSize(): number {
    return this.sizes[this.sizes.length - 1]!;
  }

  /** All parameter arrays, weights and biases interleaved by layer (the order Adam and the gradients use). */
  parameters(): Vector[] {
    const out: Vector[] = [];
    for (let l = 0; l < this.weights.length; l++) out.push(this.weights[l]!, this.biases[l]!);
    return out;
  }

  /** Zeroed arrays shaped like `parameters()`. */
  zeroGradients(): Vector[] {
    return this.parameters().map((p) => alloc(this.precision, p.length));
  }

  newCache(batch: number): MlpCache {
    return {
      batch,
      activations: this.sizes.map((s) => alloc(this.precision, batch * s)),
      deltas: this.sizes.map((s) => alloc(this.precision, batch * s)),
    };
  }

  /** Forward pass of `cache.activations[0]` (filled by the caller); returns the output activations. */
  forward(cache: MlpCache): Vector {
    const batch = cache.batch;
    const layers = this.weights.length;
    for (let l = 0; l < layers; l++) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const w = this.weights[l]!;
      const bias = this.biases[l]!;
      const x = cache.activations[l]!;
      const y = cache.activations[l + 1]!;
      const relu = l < layers - 1;
      for (let b = 0; b < batch; b++) {
        const xb = b * nIn;
        const yb = b * nOut;
        for (let o = 0; o < nOut; o++) {
          let sum = bias[o]!;
          const wo = o * nIn;
          for (let i = 0; i < nIn; i++) sum += w[wo + i]! * x[xb + i]!;
          y[yb + o] = relu && sum < 0 ? 0 : sum;
        }
      }
    }
    return cache.activations[layers]!;
  }

  /**
   * Backward pass: `cache.deltas[last]` holds dL/d(output) (filled by the caller); accumulates dL/dparameters
   * into `gradients` (shaped like `parameters()`) and leaves dL/d(input) in `cache.deltas[0]`.
   */
  backward(cache: MlpCache, gradients: Vector[]): void {
    const batch = cache.batch;
    for (let l = this.weights.length - 1; l >= 0; l--) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const w = this.weights[l]!;
      const gw = gradients[2 * l]!;
      const gb = gradients[2 * l + 1]!;
      const x = cache.activations[l]!;
      const dy = cache.deltas[l + 1]!;
      const dx = cache.deltas[l]!;
      const hiddenInput = l > 0;
      for (let b = 0; b < batch; b++) {
        const xb = b * nIn;
        const yb = b * nOut;
        for (let i = 0; i < nIn; i++) dx[xb + i] = 0;
        for (let o = 0; o < nOut; o++) {
          const g = dy[yb + o]!;
          if (g === 0) continue;
          gb[o] = gb[o]! + g;
          const wo = o * nIn;
          for (let i = 0; i < nIn; i++) {
            gw[wo + i] = gw[wo + i]! + g * x[xb + i]!;
            dx[xb + i] = dx[xb + i]! + g * w[wo + i]!;
          }
        }
        // Through the ReLU that produced this layer's input (x > 0 <=> pre-activation > 0).
        if (hiddenInput) for (let i = 0; i < nIn; i++) if (!(x[xb + i]! > 0)) dx[xb + i] = 0;
      }
    }
  }

  /** Single-row inference into `out` without allocation (`scratch` needs 2 x max width). */
  predict(input: ArrayLike<number>, out: Float64Array, scratch: Float64Array): void {
    let x = 0;
    const width = Math.max(...this.sizes);
    for (let i = 0; i < this.sizes[0]!; i++) scratch[i] = input[i]!;
    const layers = this.weights.length;
    for (let l = 0; l < layers; l++) {
      const nIn = this.sizes[l]!;
      const nOut = this.sizes[l + 1]!;
      const w = this.weights[l]!;
      const bias = this.biases[l]!;
      const from = x;
      const to = x === 0 ? width : 0;
      for (let o = 0; o < nOut; o++) {
        let sum = bias[o]!;
        for (let i = 0; i < nIn; i++) sum += w[o * nIn + i]! * scratch[from + i]!;
        scratch[to + o] = l < layers - 1 && sum < 0 ? 0 : sum;
      }
      x = to;
    }
    for (let o = 0; o < this.outputSize; o++) out[o] = scratch[x + o]!;
  }

  copyFrom(other: Mlp): void {
    const mine = this.parameters();
    const theirs = other.parameters();
    for (let j = 0; j < mine.length; j++) mine[j]!.set(theirs[j]!);
  }

  clone(): Mlp {
    const copy = new Mlp(this.sizes, this.precision);
    copy.copyFrom(this);
    return copy;
  }
}

/** Adam (Kingma & Ba 2015) with the usual bias correction. */
export class Adam {
  private readonly m: Vector[];
  private readonly v: Vector[];
  private t = 0;

  constructor(
    private readonly parameters: Vector[],
    private readonly learningRate = 1e-3,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.m = parameters.map((p) => new Float64Array(p.length));
    this.v = parameters.map((p) => new Float64Array(p.length));
  }

  get steps(): number {
    return this.t;
  }

  /** One update from `gradients` (shaped like the parameters), which it then zeroes. */
  step(gradients: Vector[], learningRate = this.learningRate): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    for (let j = 0; j < this.parameters.length; j++) {
      const p = this.parameters[j]!;
      const g = gradients[j]!;
      const m = this.m[j]!;
      const v = this.v[j]!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * gi;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * gi * gi;
        p[i] = p[i]! - (learningRate * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.epsilon);
        g[i] = 0;
      }
    }
  }
}
