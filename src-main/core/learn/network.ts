/**
 * Learned hedge policies: a multilayer perceptron over scaled state features and a head that turns its output
 * into a position.
 *
 * - `ntb`, the No-Transaction-Band network (Imaki, Imajo, Ito, Minami & Nakagawa 2021, "No-Transaction Band
 *   Network: A Neural Network Architecture for Efficient Deep Hedging", arXiv:2103.01775): the network outputs
 *   two numbers o0, o1; the band is [delta - w softplus(o0), delta + w softplus(o1)] around the Black-Scholes
 *   delta and the new position is the previous one clamped into it (no trade inside the band). Inputs: log
 *   moneyness, time to maturity, delta, implied vol (no previous position: the clamp carries it); optionally the
 *   hedge's P&L so far (`hedge_pnl`), which makes the policy path-dependent: for expected shortfall the optimal
 *   hedge depends on how far the path already is from the tail (Rockafellar-Uryasev: ES = min_w w + E[(L - w)+] /
 *   (1 - alpha), whose inner problem is a hedge of the hinge (L - w)+, not of L: Markov only in a state
 *   augmented by the wealth so far, Bäuerle & Ott 2011). docs/decisions/0037-path-dependent-ntb.md.
 * - `ffn`, a feed-forward deep hedge with the previous position as an input (Buehler, Gonon, Teichmann & Wood
 *   2019, "Deep hedging", Quantitative Finance 19(8), §4 / the "recurrent" network of their §5): position =
 *   delta + w o0. Deviation from the paper: the output is a correction to the Black-Scholes delta rather than
 *   the position itself, which starts training at a sensible hedge (docs/decisions/0015b-learned-policies.md).
 *
 * The model exports to and imports from JSON with its architecture, the scaling of each input
 * ((raw - shift) x scale), the head and all weights, so another program can evaluate it independently.
 */
import { Mlp } from './mlp';
import type { HedgeBatch, HedgePolicy, HedgeState } from './hedging';

export type NetworkKind = 'ntb' | 'ffn';

/** One network input: (raw - shift) x scale. */
export interface InputScaling {
  name: 'log_moneyness' | 'time_to_maturity' | 'bs_delta' | 'implied_vol' | 'previous_position' | 'hedge_pnl';
  shift: number;
  scale: number;
}

/** Softplus log(1 + e^x), computed without overflow. */
export function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

/** Logistic sigmoid, the derivative of softplus. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Default scalings for an option of `maturity` years priced at vol `sigma`. */
export function defaultInputs(kind: NetworkKind, maturity: number, sigma: number): InputScaling[] {
  const common: InputScaling[] = [
    { name: 'log_moneyness', shift: 0, scale: 1 / (sigma * Math.sqrt(maturity)) },
    { name: 'time_to_maturity', shift: 0, scale: 1 / maturity },
    { name: 'bs_delta', shift: 0.5, scale: 2 },
  ];
  return kind === 'ntb'
    ? [...common, { name: 'implied_vol', shift: sigma, scale: 1 / sigma }]
    : [...common, { name: 'previous_position', shift: 0.5, scale: 2 }];
}

/**
 * The scaling of the `hedge_pnl` input for an option of `strike`, `maturity` years at vol `sigma`: a tenth of
 * strike x sigma x sqrt(maturity) (about a quarter of the premium of an ATM option) maps to 1.
 */
export function hedgePnlInput(strike: number, maturity: number, sigma: number): InputScaling {
  return { name: 'hedge_pnl', shift: 0, scale: 10 / (strike * sigma * Math.sqrt(maturity)) };
}

function rawFeature(name: InputScaling['name'], s: HedgeState): number {
  switch (name) {
    case 'log_moneyness': return s.logMoneyness;
    case 'time_to_maturity': return s.timeToMaturity;
    case 'bs_delta': return s.bsDelta;
    case 'implied_vol': return s.impliedVol;
    case 'previous_position': return s.previousPosition;
    case 'hedge_pnl':
      if (s.hedgePnl === undefined || !Number.isFinite(s.hedgePnl)) throw new RangeError('this model reads the hedge P&L so far (input hedge_pnl); the state has none');
      return s.hedgePnl;
  }
}

/** Writes the scaled inputs of every path of `batch` into `into` (row-major batch x inputs). */
export function fillInputs(inputs: readonly InputScaling[], batch: HedgeBatch, into: Float64Array | Float32Array): void {
  const width = inputs.length;
  for (let j = 0; j < width; j++) {
    const { name, shift, scale } = inputs[j]!;
    switch (name) {
      case 'log_moneyness':
        for (let i = 0; i < batch.count; i++) into[i * width + j] = (batch.logMoneyness[i]! - shift) * scale;
        break;
      case 'bs_delta':
        for (let i = 0; i < batch.count; i++) into[i * width + j] = (batch.bsDelta[i]! - shift) * scale;
        break;
      case 'previous_position':
        for (let i = 0; i < batch.count; i++) into[i * width + j] = (batch.previousPosition[i]! - shift) * scale;
        break;
      case 'time_to_maturity': {
        const v = (batch.timeToMaturity - shift) * scale;
        for (let i = 0; i < batch.count; i++) into[i * width + j] = v;
        break;
      }
      case 'hedge_pnl': {
        const pnl = batch.hedgePnl;
        if (pnl === undefined) throw new RangeError('this model reads the hedge P&L so far (input hedge_pnl); the batch has none');
        for (let i = 0; i < batch.count; i++) into[i * width + j] = (pnl[i]! - shift) * scale;
        break;
      }
      case 'implied_vol': {
        const v = (batch.impliedVol - shift) * scale;
        const perPath = batch.pathImpliedVol;
        for (let i = 0; i < batch.count; i++) into[i * width + j] = perPath === undefined ? v : (perPath[i]! - shift) * scale;
        break;
      }
    }
  }
}

/** A trained (or training) network policy. */
export class NetworkPolicy implements HedgePolicy {
  readonly name: string;
  readonly pathDependent: boolean;
  private readonly single: Float64Array;
  private readonly output: Float64Array;
  private readonly scratch: Float64Array;
  private cache: ReturnType<Mlp['newCache']> | null = null;

  /**
   * @param headScale w in the head formulas (band half-width per unit softplus, or delta correction per unit).
   */
  constructor(
    readonly kind: NetworkKind,
    readonly mlp: Mlp,
    readonly inputs: readonly InputScaling[],
    readonly headScale: number,
  ) {
    const outputs = kind === 'ntb' ? 2 : 1;
    if (mlp.inputSize !== inputs.length) throw new RangeError(`network has ${mlp.inputSize} inputs but ${inputs.length} scalings`);
    if (mlp.outputSize !== outputs) throw new RangeError(`${kind} network needs ${outputs} outputs, got ${mlp.outputSize}`);
    this.name = kind;
    this.pathDependent = inputs.some((x) => x.name === 'hedge_pnl');
    this.single = new Float64Array(inputs.length);
    this.output = new Float64Array(outputs);
    this.scratch = new Float64Array(2 * Math.max(...mlp.sizes));
  }

  /** The position from the network output(s) o0, o1 (see the file comment). */
  head(o0: number, o1: number, delta: number, previous: number): number {
    if (this.kind === 'ffn') return delta + this.headScale * o0;
    const lower = delta - this.headScale * softplus(o0);
    const upper = delta + this.headScale * softplus(o1);
    return previous < lower ? lower : previous > upper ? upper : previous;
  }

  /** The no-trade band at this state (ntb), or [position, position] (ffn): for explaining a proposal. */
  band(state: HedgeState): { lower: number; upper: number } {
    this.evaluate(state);
    if (this.kind === 'ffn') {
      const p = this.head(this.output[0]!, 0, state.bsDelta, state.previousPosition);
      return { lower: p, upper: p };
    }
    return { lower: state.bsDelta - this.headScale * softplus(this.output[0]!), upper: state.bsDelta + this.headScale * softplus(this.output[1]!) };
  }

  private evaluate(state: HedgeState): void {
    for (let j = 0; j < this.inputs.length; j++) {
      const { name, shift, scale } = this.inputs[j]!;
      this.single[j] = (rawFeature(name, state) - shift) * scale;
    }
    this.mlp.predict(this.single, this.output, this.scratch);
  }

  decide(state: HedgeState): number {
    this.evaluate(state);
    return this.head(this.output[0]!, this.output[1] ?? 0, state.bsDelta, state.previousPosition);
  }

  decideBatch(batch: HedgeBatch, out: Float64Array): void {
    if (this.cache === null || this.cache.batch !== batch.count) this.cache = this.mlp.newCache(batch.count);
    fillInputs(this.inputs, batch, this.cache.activations[0]!);
    const o = this.mlp.forward(this.cache);
    const width = this.mlp.outputSize;
    for (let i = 0; i < batch.count; i++) {
      out[i] = this.head(o[i * width]!, width > 1 ? o[i * width + 1]! : 0, batch.bsDelta[i]!, batch.previousPosition[i]!);
    }
  }
}

/**
 * The same policy with one more input, `input`, appended with zero weights: it computes exactly what `policy`
 * computes until training moves those weights (continuing a Markov model as a path-dependent one).
 */
export function withExtraInput(policy: NetworkPolicy, input: InputScaling): NetworkPolicy {
  if (policy.inputs.some((x) => x.name === input.name)) throw new RangeError(`the model already has the input ${input.name}`);
  const sizes = [...policy.mlp.sizes];
  const nIn = sizes[0]!;
  sizes[0] = nIn + 1;
  const mlp = new Mlp(sizes, policy.mlp.precision);
  for (let l = 0; l < sizes.length - 1; l++) {
    mlp.biases[l]!.set(policy.mlp.biases[l]!);
    if (l > 0) mlp.weights[l]!.set(policy.mlp.weights[l]!);
  }
  const first = mlp.weights[0]!;
  const old = policy.mlp.weights[0]!;
  first.fill(0);
  for (let o = 0; o < sizes[1]!; o++) for (let i = 0; i < nIn; i++) first[o * (nIn + 1) + i] = old[o * nIn + i]!;
  return new NetworkPolicy(policy.kind, mlp, [...policy.inputs.map((x) => ({ ...x })), { ...input }], policy.headScale);
}

/** The JSON export of a network policy (format `gammadesk-hedge-policy`, version 1). */
export interface PolicyModelJson {
  format: 'gammadesk-hedge-policy';
  version: 1;
  kind: NetworkKind;
  architecture: { sizes: number[]; hiddenActivation: 'relu'; outputActivation: 'identity'; layout: 'weights[l][out * inputs + in]' };
  inputs: InputScaling[];
  /** What each raw input is, by name (for an independent evaluation; not read back). */
  input_definitions?: Record<string, string>;
  head: { scale: number; formula: string };
  weights: number[][];
  biases: number[][];
  /** Free-form provenance: benchmark, cost, seeds, data range, metrics. */
  training: Record<string, unknown>;
}

const INPUT_DEFINITIONS: Record<InputScaling['name'], string> = {
  log_moneyness: 'ln(S / K), S the underlying (forward) price',
  time_to_maturity: 'years to expiry (ACT/365)',
  bs_delta: 'Black-76 delta (r = 0) of the long option at the implied vol (negative for a put)',
  implied_vol: 'the implied vol pricing the option, decimal',
  previous_position: 'the hedge held before this decision, units of underlying per option',
  hedge_pnl: 'the hedged short option\'s P&L so far, price units: sum over past steps of position x price change minus cost, minus (V_now - V_start), V the Black-76 value at the implied vol',
};

const HEAD_FORMULA: Record<NetworkKind, string> = {
  ntb: 'position = clamp(previous_position, bs_delta - scale * softplus(o0), bs_delta + scale * softplus(o1))',
  ffn: 'position = bs_delta + scale * o0',
};

export function exportPolicy(policy: NetworkPolicy, training: Record<string, unknown>): PolicyModelJson {
  return {
    format: 'gammadesk-hedge-policy',
    version: 1,
    kind: policy.kind,
    architecture: { sizes: [...policy.mlp.sizes], hiddenActivation: 'relu', outputActivation: 'identity', layout: 'weights[l][out * inputs + in]' },
    inputs: policy.inputs.map((x) => ({ ...x })),
    input_definitions: Object.fromEntries(policy.inputs.map((x) => [x.name, INPUT_DEFINITIONS[x.name]])),
    head: { scale: policy.headScale, formula: HEAD_FORMULA[policy.kind] },
    weights: policy.mlp.weights.map((w) => Array.from(w)),
    biases: policy.mlp.biases.map((b) => Array.from(b)),
    training,
  };
}

const INPUT_NAMES = new Set<string>(['log_moneyness', 'time_to_maturity', 'bs_delta', 'implied_vol', 'previous_position', 'hedge_pnl']);

function finiteArray(value: unknown, length: number, field: string): number[] {
  if (!Array.isArray(value) || value.length !== length) throw new Error(`model field ${field} must be an array of ${length} numbers`);
  value.forEach((x, i) => {
    if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`model field ${field}[${i}] is not a finite number: ${JSON.stringify(x)}`);
  });
  return value as number[];
}

/** Parses and checks a model JSON document; every error names the field. */
export function importPolicy(json: unknown): { policy: NetworkPolicy; training: Record<string, unknown> } {
  if (typeof json !== 'object' || json === null) throw new Error('model must be a JSON object');
  const m = json as Partial<PolicyModelJson>;
  if (m.format !== 'gammadesk-hedge-policy') throw new Error(`model field format must be "gammadesk-hedge-policy", got ${JSON.stringify(m.format)}`);
  if (m.version !== 1) throw new Error(`model field version must be 1, got ${JSON.stringify(m.version)}`);
  if (m.kind !== 'ntb' && m.kind !== 'ffn') throw new Error(`model field kind must be "ntb" or "ffn", got ${JSON.stringify(m.kind)}`);
  const sizes = m.architecture?.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isSafeInteger(s) || s < 1)) {
    throw new Error('model field architecture.sizes must be at least two positive integers');
  }
  if (m.architecture?.hiddenActivation !== 'relu' || m.architecture.outputActivation !== 'identity') {
    throw new Error('model field architecture: only relu hidden and identity output activations are supported');
  }
  if (!Array.isArray(m.inputs) || m.inputs.length !== sizes[0]) throw new Error(`model field inputs must list ${sizes[0]} input scalings`);
  const inputs = m.inputs.map((x, i) => {
    if (!INPUT_NAMES.has(x.name)) throw new Error(`model field inputs[${i}].name is unknown: ${JSON.stringify(x.name)}`);
    finiteArray([x.shift, x.scale], 2, `inputs[${i}].shift/scale`);
    return { name: x.name, shift: x.shift, scale: x.scale };
  });
  const scale = m.head?.scale;
  if (typeof scale !== 'number' || !(scale > 0)) throw new Error('model field head.scale must be a positive number');
  const mlp = new Mlp(sizes);
  if (!Array.isArray(m.weights) || !Array.isArray(m.biases) || m.weights.length !== sizes.length - 1 || m.biases.length !== sizes.length - 1) {
    throw new Error(`model fields weights and biases must hold ${sizes.length - 1} layers`);
  }
  for (let l = 0; l < sizes.length - 1; l++) {
    mlp.weights[l]!.set(finiteArray(m.weights[l], sizes[l]! * sizes[l + 1]!, `weights[${l}]`));
    mlp.biases[l]!.set(finiteArray(m.biases[l], sizes[l + 1]!, `biases[${l}]`));
  }
  return { policy: new NetworkPolicy(m.kind, mlp, inputs, scale), training: typeof m.training === 'object' && m.training !== null ? m.training : {} };
}
