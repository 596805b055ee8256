/**
 * The dealer GEX profile: total dealer gamma exposure (USD per 1 % move) re-priced over a grid of spot moves, each
 * expiry's forward moving with spot (F' = F (1 + x)), each option keeping its IV (sticky strike) or following its
 * smile (sticky moneyness), see gammaModel.ts. Also the profile of the next expiry alone and without it.
 *
 * Zero-gamma (flip) levels: the grid only brackets sign changes; each crossing is then located by bisection of the
 * exact re-priced sum (`gammaExposureAt`) to `toleranceRelativeMove`. Noise floor (2 of 2, the reach rule in
 * gammaModel.ts is the other): a grid point is "significant" when |GEX| >= crossingFloorFraction x the total
 * absolute GEX at spot (sum over options of |GEX|). A crossing is reported only between two significant grid points
 * of opposite sign with nothing but insignificant points between them; points inside the dead band never start or
 * end a crossing. So the far wings of the grid, where the profile decays to near zero, and shallow wiggles around
 * zero produce no flips, while a genuine flip (a significant negative lobe on one side, a positive one on the
 * other) is always found: the bisection runs between the two significant points and converges to a zero of the
 * exact sum inside the bracket (one of them, deterministically, if the dead band hides several).
 */
import type { SpotGrid } from './chain';
import { ModelRow, rowGammaUsdAt, type GammaModel } from './gammaModel';

/** The profile over a spot grid, dealer GEX in USD per 1 % move, one value per grid point. */
export interface GexProfile {
  points: number;
  /** Relative spot move x of each point. */
  relativeMove: Float64Array;
  /** Spot level S (1 + x), USD. */
  spotUsd: Float64Array;
  /** Total dealer GEX of the included options, USD per 1 % move. */
  netGammaUsdPer1Pct: Float64Array;
  /** Calls only, USD per 1 % move. */
  callGammaUsdPer1Pct: Float64Array;
  /** Puts only, USD per 1 % move. */
  putGammaUsdPer1Pct: Float64Array;
  /** The next (nearest live) expiry alone, USD per 1 % move. */
  nextExpiryGammaUsdPer1Pct: Float64Array;
  /** Everything but the next expiry, USD per 1 % move. */
  withoutNextExpiryGammaUsdPer1Pct: Float64Array;
}

export function allocateGexProfile(grid: SpotGrid): GexProfile {
  const points = grid.relativeMove.length;
  return {
    points,
    relativeMove: Float64Array.from(grid.relativeMove),
    spotUsd: new Float64Array(points),
    netGammaUsdPer1Pct: new Float64Array(points),
    callGammaUsdPer1Pct: new Float64Array(points),
    putGammaUsdPer1Pct: new Float64Array(points),
    nextExpiryGammaUsdPer1Pct: new Float64Array(points),
    withoutNextExpiryGammaUsdPer1Pct: new Float64Array(points),
  };
}

/** Computes the whole profile (clears first). No allocation. */
export function computeGexProfile(model: GammaModel, grid: SpotGrid, out: GexProfile): void {
  checkGrid(grid, out);
  out.netGammaUsdPer1Pct.fill(0);
  out.callGammaUsdPer1Pct.fill(0);
  out.putGammaUsdPer1Pct.fill(0);
  out.nextExpiryGammaUsdPer1Pct.fill(0);
  for (let i = 0; i < model.count; i++) accumulateProfileRow(model, i, 1, grid, out);
  finishGexProfile(model, out);
}

function checkGrid(grid: SpotGrid, out: GexProfile): void {
  if (grid.relativeMove.length !== out.points) throw new RangeError(`Profile has ${out.points} points, grid ${grid.relativeMove.length}`);
}

/** Adds (sign 1) or removes (-1) row i's contribution at every grid point, as the model describes the row now. */
export function accumulateProfileRow(model: GammaModel, i: number, sign: 1 | -1, grid: SpotGrid, out: GexProfile): void {
  if (model.status[i] !== ModelRow.Included) return;
  const { logMove, relativeMove } = grid;
  const call = model.isCall[i] === 1;
  const next = model.expiryIndex[i] === model.nextExpiryIndex;
  const byType = call ? out.callGammaUsdPer1Pct : out.putGammaUsdPer1Pct;
  for (let j = 0; j < out.points; j++) {
    const c = sign * rowGammaUsdAt(model, i, logMove[j]!, 1 + relativeMove[j]!);
    out.netGammaUsdPer1Pct[j]! += c;
    byType[j]! += c;
    if (next) out.nextExpiryGammaUsdPer1Pct[j]! += c;
  }
}

/** Derived arrays (spot levels, profile without the next expiry) after the sums changed. */
export function finishGexProfile(model: GammaModel, out: GexProfile): void {
  for (let j = 0; j < out.points; j++) {
    out.spotUsd[j] = model.spotUsd * (1 + out.relativeMove[j]!);
    out.withoutNextExpiryGammaUsdPer1Pct[j] = out.netGammaUsdPer1Pct[j]! - out.nextExpiryGammaUsdPer1Pct[j]!;
  }
}

/** Which options a profile or flip search sums over. */
export type ProfileScope = 'all' | 'withoutNextExpiry';

/**
 * The exact re-priced dealer GEX at relative spot move x, USD per 1 % move (O(number of options), no allocation).
 * Sums the same rows as the profile (included rows; without the next expiry for that scope).
 */
export function gammaExposureAt(model: GammaModel, relativeMove: number, scope: ProfileScope = 'all'): number {
  const l = Math.log1p(relativeMove);
  const growth = 1 + relativeMove;
  const skip = scope === 'withoutNextExpiry' ? model.nextExpiryIndex : -2;
  let sum = 0;
  for (let i = 0; i < model.count; i++) {
    if (model.status[i] !== ModelRow.Included || model.expiryIndex[i] === skip) continue;
    sum += rowGammaUsdAt(model, i, l, growth);
  }
  return sum;
}

export interface FlipSettings {
  /** Noise floor: grid points with |GEX| below this fraction of the total absolute GEX at spot are a dead band. */
  crossingFloorFraction: number;
  /** Bisection stops when the bracket is narrower than this relative spot move. */
  toleranceRelativeMove: number;
}

export const DEFAULT_FLIP_SETTINGS: Readonly<FlipSettings> = Object.freeze({ crossingFloorFraction: 0.01, toleranceRelativeMove: 1e-7 });

/** One zero crossing of the dealer GEX profile. */
export interface GammaCrossing {
  /** Relative spot move x of the zero (midpoint of the final bracket). */
  relativeMove: number;
  /** Spot level of the zero, S (1 + x), USD. */
  levelUsd: number;
  /** +1: GEX goes from negative below to positive above as spot rises (the usual flip); -1: the reverse. */
  direction: 1 | -1;
  /** Final bisection bracket (relative moves): the exact sum has opposite signs at its ends. */
  bracketLow: number;
  bracketHigh: number;
}

export interface GammaFlips {
  /** All crossings, ascending in spot. */
  crossings: GammaCrossing[];
  /** The crossing nearest to spot (x = 0), or null. */
  nearest: GammaCrossing | null;
  /** The dead-band half-width, USD per 1 % move. */
  floorUsdPer1Pct: number;
  /** Exact-sum evaluations spent in bisection (diagnostic). */
  evaluations: number;
}

/**
 * Zero-gamma levels of a computed profile (see the file comment for the rule). `profile` must have been computed
 * from `model` on a grid with the same relative moves.
 */
export function findGammaFlips(model: GammaModel, profile: GexProfile, scope: ProfileScope = 'all', settings: FlipSettings = DEFAULT_FLIP_SETTINGS): GammaFlips {
  const values = scope === 'all' ? profile.netGammaUsdPer1Pct : profile.withoutNextExpiryGammaUsdPer1Pct;
  const floor = settings.crossingFloorFraction * model.absGammaUsdAtSpot;
  const crossings: GammaCrossing[] = [];
  let evaluations = 0;
  let last = -1;
  for (let j = 0; j < profile.points; j++) {
    const g = values[j]!;
    if (!(Math.abs(g) >= floor) || g === 0) continue;
    if (last >= 0 && Math.sign(g) !== Math.sign(values[last]!)) {
      let lo = profile.relativeMove[last]!;
      let hi = profile.relativeMove[j]!;
      const loSign = Math.sign(values[last]!);
      let found = NaN;
      for (let it = 0; it < 200 && hi - lo > settings.toleranceRelativeMove; it++) {
        const mid = 0.5 * (lo + hi);
        const gm = gammaExposureAt(model, mid, scope);
        evaluations++;
        if (gm === 0) {
          found = mid;
          break;
        }
        if (Math.sign(gm) === loSign) lo = mid;
        else hi = mid;
      }
      const x = Number.isNaN(found) ? 0.5 * (lo + hi) : found;
      crossings.push({
        relativeMove: x,
        levelUsd: model.spotUsd * (1 + x),
        direction: loSign < 0 ? 1 : -1,
        bracketLow: Number.isNaN(found) ? lo : found,
        bracketHigh: Number.isNaN(found) ? hi : found,
      });
    }
    last = j;
  }
  let nearest: GammaCrossing | null = null;
  for (const c of crossings) if (nearest === null || Math.abs(c.relativeMove) < Math.abs(nearest.relativeMove)) nearest = c;
  return { crossings, nearest, floorUsdPer1Pct: floor, evaluations };
}
