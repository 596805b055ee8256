/**
 * The exposure chain: one currency's options across all its expiries, struct-of-arrays, so that one loop
 * covers the whole chain and the arrays can be transferred to a worker thread without copying.
 *
 * Model (DESIGN.md, Deribit conventions): Black-76 on each expiry's forward F (Deribit `underlying_price`), r = 0,
 * T = ACT/365 years to the 08:00 UTC expiry, IV as a decimal; gamma per USD of forward. A spot move S -> S(1 + x)
 * moves every expiry's forward proportionally (F' = F (1 + x)): the basis is held as a fraction of spot.
 *
 * Dealer position: contracts, signed, + = dealer long. Every exposure in this folder is the DEALERS' exposure and
 * takes it from `dealerPosition`, so the three positioning conventions (positioning.ts, flowInventory.ts) all
 * go through the same code.
 */
import type { ChainInputs } from '../pricing/chain';

/** One currency's option chain, rows 0 .. count-1 (arrays may be longer: capacity). `isCall` 1 = call, 0 = put. */
export interface ExposureChain extends ChainInputs {
  /** Number of rows in use. */
  count: number;
  /** Open interest, contracts (customers' and dealers' longs, = their shorts). */
  openInterest: Float64Array;
  /** 0-based index of the row's expiry among the currency's expiries; rows of one expiry share it. */
  expiryIndex: Int32Array;
  /** Dealer position, contracts, signed (+ dealer long). See positioning.ts and flowInventory.ts. */
  dealerPosition: Float64Array;
  /** Underlying coin per contract: 1 for Deribit inverse options (1 contract = 1 BTC / 1 ETH). */
  contractSize: number;
  /** Reference spot, USD: the currency's Deribit index. Spot moves are relative to it. */
  spotUsd: number;
}

/** Allocates a chain with room for `capacity` rows (count = capacity, contract size 1, spot NaN until set). */
export function allocateExposureChain(capacity: number): ExposureChain {
  return {
    count: capacity,
    forward: new Float64Array(capacity),
    strike: new Float64Array(capacity),
    years: new Float64Array(capacity),
    vol: new Float64Array(capacity),
    isCall: new Uint8Array(capacity),
    openInterest: new Float64Array(capacity),
    expiryIndex: new Int32Array(capacity),
    dealerPosition: new Float64Array(capacity),
    contractSize: 1,
    spotUsd: NaN,
  };
}

/**
 * Checks the chain's structure (not its numbers: a NaN forward or IV in one row is a bad quote, which the kernels
 * skip and count). Throws a RangeError naming the offending value: array shorter than `count`, negative expiry
 * index, non-positive contract size or spot.
 */
export function assertExposureChain(chain: ExposureChain): void {
  const { count } = chain;
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`Exposure chain count must be a non-negative integer, got ${count}`);
  const fields = ['forward', 'strike', 'years', 'vol', 'isCall', 'openInterest', 'expiryIndex', 'dealerPosition'] as const;
  for (const field of fields) {
    const length = chain[field].length;
    if (length < count) throw new RangeError(`Exposure chain field ${field} has ${length} rows, fewer than count ${count}`);
  }
  if (!(chain.contractSize > 0 && Number.isFinite(chain.contractSize))) {
    throw new RangeError(`Exposure chain contract size must be a positive coin amount, got ${chain.contractSize}`);
  }
  if (!(chain.spotUsd > 0 && Number.isFinite(chain.spotUsd))) {
    throw new RangeError(`Exposure chain spot must be a positive USD price, got ${chain.spotUsd}`);
  }
  for (let i = 0; i < count; i++) {
    const e = chain.expiryIndex[i]!;
    if (e < 0) throw new RangeError(`Exposure chain row ${i} has a negative expiry index ${e}`);
  }
}

/** Number of expiry slots a chain uses: 1 + its largest expiry index (0 for an empty chain). */
export function expiryCountOf(chain: ExposureChain): number {
  let max = -1;
  for (let i = 0; i < chain.count; i++) max = Math.max(max, chain.expiryIndex[i]!);
  return max + 1;
}

/**
 * Years to the `n`-th (1-based) live expiry of the chain (by expiry index, among rows with years > 0), or NaN
 * when the chain has fewer live expiries. Use it to set the cascade map's time horizon "to the next n 08:00 UTC expiries".
 */
export function yearsToNthExpiry(chain: ExposureChain, n: number): number {
  const byExpiry = new Map<number, number>();
  for (let i = 0; i < chain.count; i++) {
    const t = chain.years[i]!;
    const e = chain.expiryIndex[i]!;
    if (t > 0 && !byExpiry.has(e)) byExpiry.set(e, t);
  }
  const live = [...byExpiry.values()].sort((a, b) => a - b);
  return live[n - 1] ?? NaN;
}

/**
 * A grid of relative spot moves x (S' = S (1 + x)), ascending. `logMove` = ln(1 + x). `logStep` is the constant
 * step of `logMove` when the grid is uniform in log (required by the cascade kernel), NaN otherwise.
 */
export interface SpotGrid {
  relativeMove: Float64Array;
  logMove: Float64Array;
  logStep: number;
}

/** `points` moves evenly spaced in x from `minMove` to `maxMove` (default -20 % .. +20 % in 0.5 % steps). */
export function linearSpotGrid(minMove = -0.2, maxMove = 0.2, points = 81): SpotGrid {
  checkGridArgs(minMove, maxMove, points);
  const relativeMove = new Float64Array(points);
  const logMove = new Float64Array(points);
  for (let j = 0; j < points; j++) {
    const x = points === 1 ? minMove : minMove + ((maxMove - minMove) * j) / (points - 1);
    relativeMove[j] = x;
    logMove[j] = Math.log1p(x);
  }
  return { relativeMove, logMove, logStep: NaN };
}

/**
 * `points` moves evenly spaced in ln(1 + x) from ln(1 + minMove) to ln(1 + maxMove) (default -20 % .. +20 %,
 * 60 points). The cascade kernel needs this spacing: it steps the normal density along the row by recurrence.
 */
export function logSpotGrid(minMove = -0.2, maxMove = 0.2, points = 60): SpotGrid {
  checkGridArgs(minMove, maxMove, points);
  const lo = Math.log1p(minMove);
  const hi = Math.log1p(maxMove);
  const logStep = points === 1 ? 0 : (hi - lo) / (points - 1);
  const relativeMove = new Float64Array(points);
  const logMove = new Float64Array(points);
  for (let j = 0; j < points; j++) {
    const l = lo + logStep * j;
    logMove[j] = l;
    relativeMove[j] = Math.expm1(l);
  }
  return { relativeMove, logMove, logStep };
}

function checkGridArgs(minMove: number, maxMove: number, points: number): void {
  if (!(minMove > -1 && maxMove >= minMove && Number.isFinite(maxMove))) {
    throw new RangeError(`Spot grid needs -1 < minMove <= maxMove, got ${minMove} .. ${maxMove}`);
  }
  if (!(Number.isInteger(points) && points >= 1)) throw new RangeError(`Spot grid needs at least one point, got ${points}`);
}

/** `count` elapsed times in years, evenly spaced from 0 (now) to `horizonYears` inclusive. */
export function uniformTimeGrid(count: number, horizonYears: number): Float64Array {
  if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`Time grid needs at least one step, got ${count}`);
  if (!(horizonYears >= 0 && Number.isFinite(horizonYears))) {
    throw new RangeError(`Time grid horizon must be a non-negative number of years, got ${horizonYears}`);
  }
  const out = new Float64Array(count);
  for (let k = 0; k < count; k++) out[k] = count === 1 ? 0 : (horizonYears * k) / (count - 1);
  return out;
}
