/**
 * The per-option inputs of the re-priced gamma kernels (GEX profile, flip search, cascade map), prepared once per
 * chain refresh and patched one row at a time. It doubles as the record of what each row contributed last time,
 * which is what makes incremental updates possible: subtract the row as the model remembers it, re-prepare it
 * from the chain, add it back.
 *
 * Re-pricing rule: under a spot move S -> S e^l (l = ln(1 + x)) every forward moves to F e^l. With n = dealer
 * position x contract size (coin), s = sigma sqrt(T), d1 = (ln(F/K) + l)/s + s/2, the option's gamma exposure is
 *   n x gamma(F') x F'^2 x 0.01 = n x 0.01 x F' x phi(d1) / s   USD per 1 % move        (gamma = phi/(F' s)).
 *
 * Vol dynamics: sticky strike keeps each option's IV. Sticky moneyness lets the IV follow K/F: the expiry's smile
 * (as a function of ln(K/F)) stays put while F moves, so the option's IV becomes
 *   sigma + smile(ln(K/F) - l) - smile(ln(K/F)),
 * which is its own IV at l = 0 (call and put IVs at one strike may differ; the offset keeps each). The smile is
 * the out-of-the-money IV at each strike (call at or above the forward, put below), linear in ln(K/F) between
 * strikes, flat beyond the wings; floored at 1 vol point. The cascade map is sticky strike only.
 *
 * Reach rule (noise floor 1 of 2, see profile.ts for the other): an option whose strike lies more than
 * `reachSigmas` of its own remaining standard deviations from its forward, |ln(K/F)| > reachSigmas x sigma sqrt(T),
 * is left out of the profile, the flip search and the cascade map. Its gamma at spot is below
 * phi(reachSigmas)/phi(0) (3.4e-4 at 4) of an at-the-money option's, and the gamma spike it would show where spot
 * meets its strike lies beyond a move it can plausibly see before it expires: a 1-hour option 5 % out of the money
 * (9 sd at 50 % vol) would otherwise put a huge, razor-thin spike into the profile and with it false flips. Its
 * exposure at spot is kept in `outOfReachGammaUsdAtSpot` so that the profile at spot plus that equals the summed
 * exposures exactly.
 */
import { ONE_OVER_SQRT_TWO_PI } from '../pricing/normal';
import type { ExposureChain } from './chain';
import { expiryCountOf } from './chain';

export type VolDynamics = 'stickyStrike' | 'stickyMoneyness';

export interface GammaModelSettings {
  volDynamics: VolDynamics;
  /** Reach rule: leave out options with |ln(K/F)| > reachSigmas x sigma sqrt(T). Infinity disables it. */
  reachSigmas: number;
}

export const DEFAULT_GAMMA_MODEL_SETTINGS: Readonly<GammaModelSettings> = Object.freeze({ volDynamics: 'stickyStrike', reachSigmas: 4 });

/** Why a row is or is not in the re-priced kernels. */
export const ModelRow = { Included: 0, NoPosition: 1, Expired: 2, Invalid: 3, OutOfReach: 4 } as const;
export type ModelRow = (typeof ModelRow)[keyof typeof ModelRow];

/** Lowest vol the sticky-moneyness smile or a vol shift may produce (decimal): 1 vol point. */
export const VOL_FLOOR = 0.01;

/** Plain data (typed arrays and numbers): can be posted to a worker. */
export interface GammaModel {
  settings: GammaModelSettings;
  capacity: number;
  count: number;
  spotUsd: number;
  expiryCount: number;
  /** Expiry index of the nearest live expiry (smallest years > 0), -1 if none. */
  nextExpiryIndex: number;
  /** `ModelRow` per row. */
  status: Uint8Array;
  /** Dealer position x contract size, coin (+ dealer long). */
  weightCoin: Float64Array;
  /** Forward, USD. */
  forward: Float64Array;
  /** ln(F/K). */
  logForwardOverStrike: Float64Array;
  /** IV, decimal. */
  vol: Float64Array;
  /** Years to expiry. */
  years: Float64Array;
  /** sigma sqrt(T) with the row's own IV. */
  stdDev: Float64Array;
  expiryIndex: Int32Array;
  isCall: Uint8Array;
  /** Gamma exposure at spot (l = 0), USD per 1 % move, for rows with a valid quote and a position; else 0. */
  gammaUsdAtSpot: Float64Array;
  /** Sum of |gammaUsdAtSpot| over included rows: the "total absolute GEX" the crossing floor scales with. */
  absGammaUsdAtSpot: number;
  /** Net gamma exposure at spot of the rows left out by the reach rule, USD per 1 % move. */
  outOfReachGammaUsdAtSpot: number;
  // Sticky-moneyness smiles: rows grouped by expiry (strike ascending) and one node per strike.
  /** expiryStart[e] .. expiryStart[e+1]-1 index `rowsByExpiry` for expiry e. */
  expiryStart: Int32Array;
  rowsByExpiry: Int32Array;
  /** Smile nodes of expiry e: smileStart[e] .. smileStart[e] + smileCount[e] - 1. */
  smileStart: Int32Array;
  smileCount: Int32Array;
  /** Node ln(K/F). */
  smileLogMoneyness: Float64Array;
  /** Node IV, decimal. */
  smileVol: Float64Array;
  /** Smile IV at the row's own ln(K/F). */
  selfSmileVol: Float64Array;
}

/**
 * Prepares (or re-prepares, reusing `model`'s arrays when they are large enough) the model for the whole chain.
 * Allocates only when the chain outgrew the model.
 */
export function prepareGammaModel(chain: ExposureChain, settings: GammaModelSettings = DEFAULT_GAMMA_MODEL_SETTINGS, model?: GammaModel): GammaModel {
  if (!(settings.reachSigmas > 0)) throw new RangeError(`reachSigmas must be positive (Infinity disables the rule), got ${settings.reachSigmas}`);
  const count = chain.count;
  const expiryCount = expiryCountOf(chain);
  const m = model !== undefined && model.capacity >= count && model.expiryStart.length >= expiryCount + 1
    ? model
    : allocateGammaModel(count, expiryCount);
  m.settings = { volDynamics: settings.volDynamics, reachSigmas: settings.reachSigmas };
  m.count = count;
  m.spotUsd = chain.spotUsd;
  m.expiryCount = expiryCount;
  groupRowsByExpiry(chain, m);
  for (let e = 0; e < expiryCount; e++) buildSmile(chain, m, e);
  m.absGammaUsdAtSpot = 0;
  m.outOfReachGammaUsdAtSpot = 0;
  for (let i = 0; i < count; i++) {
    prepareRow(chain, m, i);
    addRowSpotSums(m, i, 1);
  }
  m.nextExpiryIndex = findNextExpiry(m);
  return m;
}

function allocateGammaModel(capacity: number, expiryCount: number): GammaModel {
  return {
    settings: { ...DEFAULT_GAMMA_MODEL_SETTINGS },
    capacity,
    count: 0,
    spotUsd: NaN,
    expiryCount: 0,
    nextExpiryIndex: -1,
    status: new Uint8Array(capacity),
    weightCoin: new Float64Array(capacity),
    forward: new Float64Array(capacity),
    logForwardOverStrike: new Float64Array(capacity),
    vol: new Float64Array(capacity),
    years: new Float64Array(capacity),
    stdDev: new Float64Array(capacity),
    expiryIndex: new Int32Array(capacity),
    isCall: new Uint8Array(capacity),
    gammaUsdAtSpot: new Float64Array(capacity),
    absGammaUsdAtSpot: 0,
    outOfReachGammaUsdAtSpot: 0,
    expiryStart: new Int32Array(expiryCount + 1),
    rowsByExpiry: new Int32Array(capacity),
    smileStart: new Int32Array(expiryCount),
    smileCount: new Int32Array(expiryCount),
    smileLogMoneyness: new Float64Array(capacity),
    smileVol: new Float64Array(capacity),
    selfSmileVol: new Float64Array(capacity),
  };
}

/** Counting sort of rows by expiry, then insertion sort by strike inside each expiry (chains arrive nearly sorted). */
function groupRowsByExpiry(chain: ExposureChain, m: GammaModel): void {
  const { expiryStart, rowsByExpiry } = m;
  expiryStart.fill(0);
  for (let i = 0; i < chain.count; i++) expiryStart[chain.expiryIndex[i]! + 1]!++;
  for (let e = 0; e < m.expiryCount; e++) expiryStart[e + 1]! += expiryStart[e]!;
  // Fill using smileStart as a cursor (it is rebuilt by buildSmile afterwards).
  for (let e = 0; e < m.expiryCount; e++) m.smileStart[e] = expiryStart[e]!;
  for (let i = 0; i < chain.count; i++) {
    const e = chain.expiryIndex[i]!;
    rowsByExpiry[m.smileStart[e]!++] = i;
  }
  const strike = chain.strike;
  for (let e = 0; e < m.expiryCount; e++) {
    const from = expiryStart[e]!;
    const to = expiryStart[e + 1]!;
    for (let a = from + 1; a < to; a++) {
      const row = rowsByExpiry[a]!;
      const k = strike[row]!;
      let b = a - 1;
      while (b >= from && strike[rowsByExpiry[b]!]! > k) {
        rowsByExpiry[b + 1] = rowsByExpiry[b]!;
        b--;
      }
      rowsByExpiry[b + 1] = row;
    }
  }
}

function quoteUsable(chain: ExposureChain, i: number): boolean {
  return chain.forward[i]! > 0 && chain.strike[i]! > 0 && chain.years[i]! > 0 && chain.vol[i]! > 0 && Number.isFinite(chain.vol[i]!);
}

/**
 * Rebuilds expiry e's smile nodes from the chain (one node per strike: the OTM option's IV, else the other's).
 * Nodes live in the same index range as the expiry's rows (there are never more nodes than rows).
 */
function buildSmile(chain: ExposureChain, m: GammaModel, e: number): void {
  const from = m.expiryStart[e]!;
  const to = m.expiryStart[e + 1]!;
  m.smileStart[e] = from;
  let nodes = 0;
  let a = from;
  while (a < to) {
    const k = chain.strike[m.rowsByExpiry[a]!]!;
    let b = a;
    let otmVol = NaN;
    let anyVol = NaN;
    let x = NaN;
    while (b < to && chain.strike[m.rowsByExpiry[b]!]! === k) {
      const row = m.rowsByExpiry[b]!;
      if (quoteUsable(chain, row)) {
        const f = chain.forward[row]!;
        const otm = chain.isCall[row] === 1 ? k >= f : k < f;
        if (otm && Number.isNaN(otmVol)) otmVol = chain.vol[row]!;
        if (Number.isNaN(anyVol)) anyVol = chain.vol[row]!;
        if (Number.isNaN(x)) x = Math.log(k / f);
      }
      b++;
    }
    if (!Number.isNaN(x)) {
      m.smileLogMoneyness[from + nodes] = x;
      m.smileVol[from + nodes] = Number.isNaN(otmVol) ? anyVol : otmVol;
      nodes++;
    }
    a = b;
  }
  m.smileCount[e] = nodes;
}

/** The smile IV of expiry e at log-moneyness ln(K/F) = x (linear between nodes, flat outside); NaN without nodes. */
export function smileVolAt(m: GammaModel, e: number, x: number): number {
  const start = m.smileStart[e]!;
  const n = m.smileCount[e]!;
  if (n === 0) return NaN;
  const xs = m.smileLogMoneyness;
  const vs = m.smileVol;
  if (x <= xs[start]!) return vs[start]!;
  const last = start + n - 1;
  if (x >= xs[last]!) return vs[last]!;
  let lo = start;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const x1 = xs[hi]!;
  const w = (x - x0) / (x1 - x0);
  return vs[lo]! + w * (vs[hi]! - vs[lo]!);
}

/** Re-prepares row i from the chain (status, inputs, gamma at spot). Does not touch the sums or the smiles. */
export function prepareRow(chain: ExposureChain, m: GammaModel, i: number): void {
  const f = chain.forward[i]!;
  const k = chain.strike[i]!;
  const t = chain.years[i]!;
  const v = chain.vol[i]!;
  const n = chain.dealerPosition[i]! * chain.contractSize;
  const e = chain.expiryIndex[i]!;
  m.forward[i] = f;
  m.years[i] = t;
  m.vol[i] = v;
  m.expiryIndex[i] = e;
  m.isCall[i] = chain.isCall[i]!;
  m.weightCoin[i] = n;
  let status: ModelRow;
  if (!(f > 0 && k > 0) || Number.isNaN(t) || Number.isNaN(v) || (t > 0 && !(v > 0)) || !Number.isFinite(n) || !Number.isFinite(v)) {
    status = ModelRow.Invalid;
  } else if (t <= 0) status = ModelRow.Expired;
  else if (n === 0) status = ModelRow.NoPosition;
  else status = ModelRow.Included;
  const lnFK = status === ModelRow.Invalid ? NaN : Math.log(f / k);
  const s = status === ModelRow.Invalid || status === ModelRow.Expired ? NaN : v * Math.sqrt(t);
  m.logForwardOverStrike[i] = lnFK;
  m.stdDev[i] = s;
  m.selfSmileVol[i] = status === ModelRow.Invalid || status === ModelRow.Expired ? NaN : smileVolAt(m, e, -lnFK);
  let atSpot = 0;
  if (status === ModelRow.Included) {
    const d1 = lnFK / s + 0.5 * s;
    atSpot = (n * 0.01 * f * ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * d1 * d1)) / s;
    if (Math.abs(lnFK) > m.settings.reachSigmas * s) status = ModelRow.OutOfReach;
  }
  m.gammaUsdAtSpot[i] = atSpot;
  m.status[i] = status;
}

/** Adds (sign 1) or removes (-1) row i's share of the spot sums. */
export function addRowSpotSums(m: GammaModel, i: number, sign: 1 | -1): void {
  const s = m.status[i];
  if (s === ModelRow.Included) m.absGammaUsdAtSpot += sign * Math.abs(m.gammaUsdAtSpot[i]!);
  else if (s === ModelRow.OutOfReach) m.outOfReachGammaUsdAtSpot += sign * m.gammaUsdAtSpot[i]!;
}

/** Rebuilds expiry e's smile from the chain and re-prepares its rows (sticky-moneyness incremental updates). */
export function prepareExpiry(chain: ExposureChain, m: GammaModel, e: number): void {
  buildSmile(chain, m, e);
  for (let a = m.expiryStart[e]!; a < m.expiryStart[e + 1]!; a++) prepareRow(chain, m, m.rowsByExpiry[a]!);
}

export function findNextExpiry(m: GammaModel): number {
  let best = -1;
  let bestYears = Infinity;
  for (let i = 0; i < m.count; i++) {
    const t = m.years[i]!;
    const e = m.expiryIndex[i]!;
    if (t > 0 && (t < bestYears || (t === bestYears && e < best))) {
      bestYears = t;
      best = e;
    }
  }
  return best;
}

/**
 * The IV row i is re-priced with at log spot move l: its own IV (sticky strike), or its IV shifted along the
 * expiry's smile (sticky moneyness), floored at VOL_FLOOR.
 */
export function rowVolAt(m: GammaModel, i: number, l: number): number {
  const v = m.vol[i]!;
  if (m.settings.volDynamics === 'stickyStrike') return v;
  const self = m.selfSmileVol[i]!;
  if (Number.isNaN(self)) return v;
  const shifted = v + smileVolAt(m, m.expiryIndex[i]!, -m.logForwardOverStrike[i]! - l) - self;
  return shifted > VOL_FLOOR ? shifted : VOL_FLOOR;
}

/** Row i's dealer gamma exposure at log spot move l (growth = e^l), USD per 1 % move. Included rows only. */
export function rowGammaUsdAt(m: GammaModel, i: number, l: number, growth: number): number {
  let s: number;
  if (m.settings.volDynamics === 'stickyStrike' || l === 0) s = m.stdDev[i]!;
  else s = rowVolAt(m, i, l) * Math.sqrt(m.years[i]!);
  const d1 = (m.logForwardOverStrike[i]! + l) / s + 0.5 * s;
  return (m.weightCoin[i]! * 0.01 * m.forward[i]! * growth * ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * d1 * d1)) / s;
}
