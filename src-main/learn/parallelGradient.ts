/**
 * Data-parallel training on two threads: a `GradientPartner` (core/learn/pathGradient.ts) whose half of every
 * batch runs in a second worker thread. The trainer's thread and the partner exchange parameters, paths, P&L,
 * softmax weights and gradients through SharedArrayBuffers and wait for each other with Atomics (no message
 * round trip per step): per step the partner hedges its paths forward while the trainer hedges its own, the
 * trainer takes the entropic risk over the whole batch, both run the backward pass, and the trainer adds the
 * partner's gradient to its own (always in that order, so a run is reproducible; against one thread the result
 * differs only by the order of floating-point additions).
 *
 * The partner thread runs the same entry as the training worker (learn/trainWorker.ts) with role
 * 'gradient-partner'.
 */
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Mlp } from '../core/learn/mlp';
import { NetworkPolicy, type InputScaling, type NetworkKind } from '../core/learn/network';
import { HedgePathGradient, type GradientPartner } from '../core/learn/pathGradient';
import type { HedgingProblem } from '../core/learn/train';

/** Where a worker entry lives: the built .cjs, or a .ts source run through tsx (tests, tsx runs). */
export interface WorkerLocation {
  file: string;
  execArgv?: string[];
}

/** Starts `location` as a worker thread with `workerData`. */
export function spawnWorker(location: WorkerLocation, workerData: unknown): Worker {
  const options = { workerData, ...(location.execArgv ? { execArgv: location.execArgv } : {}) };
  // A .ts source: register tsx's loader inside the thread, then import the entry (a Worker given a .ts file or
  // `--import tsx` alone does not load TypeScript on Node 20).
  const source = JSON.stringify(pathToFileURL(location.file).href);
  return location.file.endsWith('.ts')
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${source}); });`, { ...options, eval: true })
    : new Worker(location.file, options);
}

// control[]: command sequence number, command, sequence number done, status (0 ok, 1 failed), error length.
const SEQUENCE = 0;
const COMMAND = 1;
const DONE = 2;
const STATUS = 3;
const ERROR_LENGTH = 4;
const FORWARD = 1;
const BACKWARD = 2;
const EXIT = 3;
const ERROR_BYTES = 2048;
/** A partner that does not answer within this long is taken as dead (a step takes well under a second). */
const PARTNER_TIMEOUT_MS = 120_000;

/** What the partner thread receives as workerData. */
export interface GradientPartnerData {
  role: 'gradient-partner';
  problem: HedgingProblem;
  kind: NetworkKind;
  sizes: number[];
  inputs: InputScaling[];
  headScale: number;
  /** Paths per batch (all threads). */
  batch: number;
  /** The partner's paths: the last `count` of every batch. */
  count: number;
  steps: number;
  control: SharedArrayBuffer;
  error: SharedArrayBuffer;
  parameters: SharedArrayBuffer;
  spot: SharedArrayBuffer;
  pnl: SharedArrayBuffer;
  weight: SharedArrayBuffer;
  gradients: SharedArrayBuffer;
}

/** Float64Array views over `buffer` shaped like `shapeOf` (one per parameter array, consecutive). */
function views(buffer: SharedArrayBuffer, shapeOf: readonly { length: number }[]): Float64Array[] {
  let offset = 0;
  return shapeOf.map((p) => {
    const view = new Float64Array(buffer, offset * 8, p.length);
    offset += p.length;
    return view;
  });
}

/** The trainer's side: starts the partner thread and drives it. */
export class WorkerGradientPartner implements GradientPartner {
  private readonly control: Int32Array;
  private readonly errorText: Uint8Array;
  private readonly parameters: Float64Array[];
  private readonly spot: Float64Array;
  private readonly pnl: Float64Array;
  private readonly weight: Float64Array;
  private readonly gradients: Float64Array[];
  private readonly worker: Worker;
  private sequence = 0;
  private closed = false;

  /**
   * @param policy the trainer's policy (architecture, inputs and head are copied; parameters travel every step).
   * @param count the partner's paths per batch (the last `count`).
   */
  constructor(problem: HedgingProblem, policy: NetworkPolicy, private readonly batch: number, count: number, location: WorkerLocation) {
    if (!(Number.isSafeInteger(count) && count >= 1 && count < batch)) throw new RangeError(`a gradient partner needs 1..${batch - 1} of the ${batch} paths, got ${String(count)}`);
    const steps = Math.round(problem.contract.maturity / problem.dt);
    const shape = policy.mlp.parameters();
    const total = shape.reduce((sum, p) => sum + p.length, 0);
    const data: GradientPartnerData = {
      role: 'gradient-partner', problem, kind: policy.kind, sizes: [...policy.mlp.sizes], inputs: policy.inputs.map((x) => ({ ...x })),
      headScale: policy.headScale, batch, count, steps,
      control: new SharedArrayBuffer(5 * 4),
      error: new SharedArrayBuffer(ERROR_BYTES),
      parameters: new SharedArrayBuffer(total * 8),
      spot: new SharedArrayBuffer((steps + 1) * batch * 8),
      pnl: new SharedArrayBuffer(count * 8),
      weight: new SharedArrayBuffer(count * 8),
      gradients: new SharedArrayBuffer(total * 8),
    };
    this.control = new Int32Array(data.control);
    this.errorText = new Uint8Array(data.error);
    this.parameters = views(data.parameters, shape);
    this.spot = new Float64Array(data.spot);
    this.pnl = new Float64Array(data.pnl);
    this.weight = new Float64Array(data.weight);
    this.gradients = views(data.gradients, shape);
    this.count = count;
    this.worker = spawnWorker(location, data);
    // Errors surface through the shared status; a thread that dies without one is caught by the timeout.
    this.worker.on('error', () => undefined);
  }

  readonly count: number;

  private command(command: number): void {
    if (this.closed) throw new Error('gradient partner is closed');
    this.sequence++;
    Atomics.store(this.control, COMMAND, command);
    Atomics.store(this.control, SEQUENCE, this.sequence);
    Atomics.notify(this.control, SEQUENCE);
  }

  private await(what: string): void {
    const deadline = Date.now() + PARTNER_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.control, DONE);
      if (done === this.sequence) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`gradient partner thread did not finish its ${what} pass within ${PARTNER_TIMEOUT_MS / 1000} s`);
      Atomics.wait(this.control, DONE, done, left);
    }
    if (Atomics.load(this.control, STATUS) !== 0) {
      const text = new TextDecoder().decode(this.errorText.slice(0, Atomics.load(this.control, ERROR_LENGTH)));
      throw new Error(`gradient partner thread failed in its ${what} pass: ${text}`);
    }
  }

  beginForward(parameters: readonly Float64Array[], spot: Float64Array, paths: number): void {
    if (paths !== this.batch || spot.length < this.spot.length) throw new RangeError(`gradient partner expects ${this.batch} paths and ${this.spot.length} spot values, got ${paths} and ${spot.length}`);
    for (let j = 0; j < parameters.length; j++) this.parameters[j]!.set(parameters[j]!);
    this.spot.set(spot.subarray(0, this.spot.length));
    this.command(FORWARD);
  }

  endForward(pnl: Float64Array): void {
    this.await('forward');
    pnl.set(this.pnl);
  }

  beginBackward(weight: Float64Array): void {
    this.weight.set(weight);
    this.command(BACKWARD);
  }

  endBackward(gradients: Float64Array[]): void {
    this.await('backward');
    for (let j = 0; j < gradients.length; j++) {
      const mine = gradients[j]!;
      const theirs = this.gradients[j]!;
      for (let i = 0; i < mine.length; i++) mine[i] = mine[i]! + theirs[i]!;
    }
  }

  close(): void {
    if (this.closed) return;
    this.command(EXIT);
    this.closed = true;
  }
}

/** The partner thread's loop: waits for commands until EXIT. */
export function serveGradientPartner(data: GradientPartnerData): void {
  const control = new Int32Array(data.control);
  const policy = new NetworkPolicy(data.kind, new Mlp(data.sizes), data.inputs, data.headScale);
  const shard = new HedgePathGradient(policy, data.problem, data.count);
  const parameters = policy.mlp.parameters() as Float64Array[];
  const sharedParameters = views(data.parameters, parameters);
  const sharedGradients = views(data.gradients, parameters);
  const spot = new Float64Array(data.spot);
  const pnl = new Float64Array(data.pnl);
  const weight = new Float64Array(data.weight);
  let seen = 0;
  for (;;) {
    Atomics.wait(control, SEQUENCE, seen);
    seen = Atomics.load(control, SEQUENCE);
    const command = Atomics.load(control, COMMAND);
    if (command === EXIT) return;
    try {
      if (command === FORWARD) {
        for (let j = 0; j < parameters.length; j++) parameters[j]!.set(sharedParameters[j]!);
        shard.forward(spot, data.batch, data.batch - data.count, pnl);
      } else if (command === BACKWARD) {
        for (const g of sharedGradients) g.fill(0);
        shard.backward(weight, sharedGradients);
      } else {
        throw new Error(`unknown command ${command}`);
      }
      Atomics.store(control, STATUS, 0);
    } catch (error) {
      const bytes = new TextEncoder().encode(error instanceof Error ? error.message : String(error)).slice(0, ERROR_BYTES);
      new Uint8Array(data.error).set(bytes);
      Atomics.store(control, ERROR_LENGTH, bytes.length);
      Atomics.store(control, STATUS, 1);
    }
    Atomics.store(control, DONE, seen);
    Atomics.notify(control, DONE);
  }
}
