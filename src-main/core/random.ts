/**
 * Seeded pseudo-random numbers for the pure core. Nothing in `core/` may call `Math.random()`: every randomized
 * algorithm receives a generator, and the same seed gives the same sequence on every platform.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 128-bit state, period ≥ 2^32, passes
 * PractRand), its state filled from the seed by splitmix32 and warmed up by 12 discarded outputs. All arithmetic is
 * 32-bit integer (`Math.imul`, `>>>`), so results are bit-identical across JS engines.
 */

/** What randomized core algorithms depend on (so tests can pass a scripted source). */
export interface RandomSource {
  /** Uniform in [0, 1), 53-bit resolution. */
  nextFloat(): number;
  /** Uniform integer in [lo, hi], both ends inclusive. */
  nextInt(lo: number, hi: number): number;
  /** Standard normal N(0, 1). */
  nextNormal(): number;
}

/** The full generator state, for checkpointing (plain numbers, JSON-safe). */
export interface RngState {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  /** The cached second normal of the last polar pair, or null. */
  readonly spareNormal: number | null;
}

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;
const TWO_POW_26 = 67_108_864;

/** One splitmix32 step: returns [nextState, output]; both unsigned 32-bit. */
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z = (z ^ (z >>> 16)) >>> 0;
  return [next, z];
}

export class Rng implements RandomSource {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;

  /**
   * @param seed any safe integer (negative allowed); both its low and high 32 bits feed the state, so seeds that
   *   differ only above bit 32 still give different sequences.
   */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`Rng seed must be a safe integer, got ${String(seed)}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    let s = lo;
    let out: number;
    [s, out] = splitmix32(s);
    this.a = out;
    [s, out] = splitmix32(s);
    this.b = out;
    [s, out] = splitmix32(s ^ hi);
    this.c = out;
    [, out] = splitmix32(s);
    this.d = out;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** Restores a generator from `getState()`. */
  static fromState(state: RngState): Rng {
    const rng = new Rng(0);
    rng.a = state.a >>> 0;
    rng.b = state.b >>> 0;
    rng.c = state.c >>> 0;
    rng.d = state.d >>> 0;
    rng.spare = state.spareNormal;
    return rng;
  }

  getState(): RngState {
    return { a: this.a, b: this.b, c: this.c, d: this.d, spareNormal: this.spare };
  }

  /** Uniform unsigned 32-bit integer (sfc32). */
  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) >>> 0) + d) >>> 0;
    this.d = (d + 1) >>> 0;
    this.a = (b ^ (b >>> 9)) >>> 0;
    this.b = (c + (c << 3)) >>> 0;
    this.c = (((c << 21) | (c >>> 11)) + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 random bits (two 32-bit draws). */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * TWO_POW_26 + lo) / TWO_POW_53;
  }

  /** Uniform integer in [lo, hi], both inclusive, without modulo bias. */
  nextInt(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new RangeError(`nextInt needs safe integers lo <= hi, got ${String(lo)}, ${String(hi)}`);
    }
    const range = hi - lo + 1;
    if (range <= TWO_POW_32) {
      // Rejection sampling: accept only draws below the largest multiple of `range`.
      const limit = TWO_POW_32 - (TWO_POW_32 % range);
      let r = this.nextUint32();
      while (r >= limit) r = this.nextUint32();
      return lo + (r % range);
    }
    return lo + Math.floor(this.nextFloat() * range);
  }

  /** Standard normal by the Marsaglia polar method; the second value of each pair is cached. */
  nextNormal(): number {
    const spare = this.spare;
    if (spare !== null) {
      this.spare = null;
      return spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.nextFloat() - 1;
      v = 2 * this.nextFloat() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }
}
