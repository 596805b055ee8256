/**
 * Hedge-pressure ("cascade") maps over vol shift x time x spot: how much delta the dealers must trade as spot moves,
 * as time passes and as vol moves, and how that compares with the perpetual's order-book depth.
 *
 * Cell (v, t, j): the market `elapsedYears[t]` from now (each option's time to expiry T - elapsed; an option whose
 * remaining time is <= expiryCutoffYears has rolled off and contributes nothing), spot moved to S (1 + x_j) with
 * every forward moved alike (F' = F (1 + x_j)), every IV shifted by volShift[v] (decimal; floored at 1 vol point),
 * sticky strike. With n = dealer position x contract size (coin), s = sigma sqrt(tau), d1 = (ln(F/K) + l_j)/s + s/2,
 * d2 = d1 - s, summed over included options (gammaModel.ts: positions, reach rule):
 *   gammaCoinPer1Pct      n x gamma x F' x 0.01 = n x 0.01 x phi(d1)/s        coin per +1 % spot move
 *   gammaUsdPer1Pct       gammaCoinPer1Pct x F'                                 USD per +1 % (the GEX profile)
 *   charmCoinPerHour      n x phi(d1) d2 / (2 tau) / 8760                        coin per hour (spot fixed)
 *   charmUsdPerHour       x F'
 *   vannaCoinPerVolPoint  n x (-phi(d1) d2 / sigma) x 0.01                       coin per +1 vol point
 *   vannaUsdPerVolPoint   x F'
 * These are the dealers' own delta changes; to stay flat they trade the opposite: -gammaCoinPer1Pct per +1 % move,
 * -charmCoinPerHour per hour, -vannaCoinPerVolPoint per vol point.
 *   cascadeRatioUp   = -gammaUsdPer1Pct / askDepthUsd   share of the perpetual's ask depth within 1 % that the
 *                      dealers' hedge buying of a +1 % move would take (positive: they buy into the rally, i.e. short
 *                      gamma, amplifying; negative: they sell into it, dampening);
 *   cascadeRatioDown = -gammaUsdPer1Pct / bidDepthUsd   the same for a -1 % move against the bid depth (positive:
 *                      they sell into the decline).
 * USD amounts use each option's own moved forward F' (the GEX convention, so that the map at t = 0 with no
 * vol shift is the GEX profile); the perpetual trades near spot, a basis of a few percent at most away.
 * Near an expiry at-the-money gamma grows like 1/sqrt(tau) (pin risk). Deribit settles on the 30-minute average
 * before 08:00 UTC, which Black-76 does not represent; set expiryCutoffYears to 30 minutes to drop options inside
 * that window instead of showing their spike.
 *
 * Layout: every map is one Float64Array indexed [vol][time][spot], i.e. cell (v, t, j) at (v x timeCount + t) x
 * spotCount + j. Work can be split by vol or time range (`CascadeRange`): each part clears and fills only its
 * cells, so two workers can fill halves of the same shape and `copyCascadeRange` merges them.
 *
 * Speed: per option, vol and time step, s and 1/s are fixed and the spot grid is uniform in ln(1 + x), so d1 is
 * linear in j and phi(d1) follows a two-multiplication recurrence (phi(d1 + h)/phi(d1) = exp(-d1 h - h^2/2), whose
 * ratio changes by exp(-h^2) each step), run outwards from the density's peak so that it only ever decays (no
 * overflow, and an underflow is final). Rows stop once phi(d1) < 1e-40 (|d1| > 13.5): the rest of the row is below
 * 1e-30 USD per contract. Accuracy of the recurrence: ~1e-13 relative over 60 points. Options of one expiry share
 * their forward, so their rows are summed in coin first and converted to USD once per expiry.
 */
import { ONE_OVER_SQRT_TWO_PI } from '../pricing/normal';
import type { SpotGrid } from './chain';
import { ModelRow, VOL_FLOOR, type GammaModel } from './gammaModel';

export const HOURS_PER_YEAR = 365 * 24;
const PDF_CUTOFF = 1e-40;

export interface CascadeGrid {
  /** Spot moves, uniform in ln(1 + x) (`logSpotGrid`). */
  spot: SpotGrid;
  /** Elapsed time of each step from now, years, ascending, starting at or after 0 (`uniformTimeGrid`). */
  elapsedYears: Float64Array;
  /** IV shifts, decimal (e.g. -0.05, 0, 0.05 for -5 / 0 / +5 vol points). */
  volShift: Float64Array;
}

export interface CascadeSettings {
  /** The perpetual's resting bid size within 1 % below mid, USD. */
  bidDepthUsd: number;
  /** The perpetual's resting ask size within 1 % above mid, USD. */
  askDepthUsd: number;
  /** Options with less than this time left at a step count as rolled off (default 0: model to the expiry instant). */
  expiryCutoffYears: number;
}

/** The maps, each [vol][time][spot] (see the file comment for units). */
export interface CascadeMaps {
  volCount: number;
  timeCount: number;
  spotCount: number;
  gammaCoinPer1Pct: Float64Array;
  gammaUsdPer1Pct: Float64Array;
  charmCoinPerHour: Float64Array;
  charmUsdPerHour: Float64Array;
  vannaCoinPerVolPoint: Float64Array;
  vannaUsdPerVolPoint: Float64Array;
  cascadeRatioUp: Float64Array;
  cascadeRatioDown: Float64Array;
}

/** Half-open index ranges [from, to) over vols and times. */
export interface CascadeRange {
  volFrom: number;
  volTo: number;
  timeFrom: number;
  timeTo: number;
}

const MAP_FIELDS = [
  'gammaCoinPer1Pct', 'gammaUsdPer1Pct', 'charmCoinPerHour', 'charmUsdPerHour', 'vannaCoinPerVolPoint', 'vannaUsdPerVolPoint',
  'cascadeRatioUp', 'cascadeRatioDown',
] as const;

export function allocateCascadeMaps(grid: CascadeGrid): CascadeMaps {
  const volCount = grid.volShift.length;
  const timeCount = grid.elapsedYears.length;
  const spotCount = grid.spot.relativeMove.length;
  const cells = volCount * timeCount * spotCount;
  const maps = { volCount, timeCount, spotCount } as CascadeMaps;
  for (const field of MAP_FIELDS) maps[field] = new Float64Array(cells);
  return maps;
}

export function fullCascadeRange(grid: CascadeGrid): CascadeRange {
  return { volFrom: 0, volTo: grid.volShift.length, timeFrom: 0, timeTo: grid.elapsedYears.length };
}

/** Flat index of cell (vol v, time t, spot j). */
export function cascadeIndex(maps: Pick<CascadeMaps, 'timeCount' | 'spotCount'>, v: number, t: number, j: number): number {
  return (v * maps.timeCount + t) * maps.spotCount + j;
}

export function assertCascadeGrid(grid: CascadeGrid): void {
  const { spot, elapsedYears, volShift } = grid;
  if (spot.relativeMove.length > 1 && !(Number.isFinite(spot.logStep) && spot.logStep > 0)) {
    throw new RangeError(`Cascade spot grid must be uniform in ln(1 + x) (logSpotGrid), got log step ${spot.logStep}`);
  }
  for (let t = 0; t < elapsedYears.length; t++) {
    const e = elapsedYears[t]!;
    if (!(e >= 0 && Number.isFinite(e)) || (t > 0 && e < elapsedYears[t - 1]!)) {
      throw new RangeError(`Cascade times must be ascending non-negative years, got ${e} at step ${t}`);
    }
  }
  for (const shift of volShift) if (!Number.isFinite(shift)) throw new RangeError(`Cascade vol shift must be finite, got ${shift}`);
}

function assertRange(maps: Pick<CascadeMaps, 'volCount' | 'timeCount'>, r: CascadeRange): void {
  if (!(r.volFrom >= 0 && r.volFrom <= r.volTo && r.volTo <= maps.volCount && r.timeFrom >= 0 && r.timeFrom <= r.timeTo && r.timeTo <= maps.timeCount)) {
    throw new RangeError(`Cascade range vols ${r.volFrom}..${r.volTo}, times ${r.timeFrom}..${r.timeTo} is outside ${maps.volCount} x ${maps.timeCount}`);
  }
}

/**
 * Clears and fills the cells of `range` (default: all) from every included option of the model, then the cascade
 * ratios. Options are taken expiry by expiry: rows sharing a forward are summed in coin into one scratch row, and
 * the row goes into the maps (coin as is, USD x F (1 + x)) once per group. Allocates one scratch row per call.
 */
export function computeCascadeMaps(
  model: GammaModel,
  grid: CascadeGrid,
  settings: CascadeSettings,
  out: CascadeMaps,
  range: CascadeRange = fullCascadeRange(grid),
): void {
  assertCascadeGrid(grid);
  assertRange(out, range);
  const spotCount = out.spotCount;
  const scratch = new Float64Array(3 * spotCount);
  const cutoff = settings.expiryCutoffYears;
  for (let v = range.volFrom; v < range.volTo; v++) {
    const shift = grid.volShift[v]!;
    for (let t = range.timeFrom; t < range.timeTo; t++) {
      const base = cascadeIndex(out, v, t, 0);
      const to = base + spotCount;
      out.gammaCoinPer1Pct.fill(0, base, to);
      out.gammaUsdPer1Pct.fill(0, base, to);
      out.charmCoinPerHour.fill(0, base, to);
      out.charmUsdPerHour.fill(0, base, to);
      out.vannaCoinPerVolPoint.fill(0, base, to);
      out.vannaUsdPerVolPoint.fill(0, base, to);
      const elapsed = grid.elapsedYears[t]!;
      for (let e = 0; e < model.expiryCount; e++) {
        let groupForward = NaN;
        let pending = false;
        for (let a = model.expiryStart[e]!; a < model.expiryStart[e + 1]!; a++) {
          const i = model.rowsByExpiry[a]!;
          if (model.status[i] !== ModelRow.Included) continue;
          const tau = model.years[i]! - elapsed;
          if (tau <= cutoff) continue; // rolled off at this step
          const f = model.forward[i]!;
          if (pending && f !== groupForward) flushScratch(scratch, groupForward, grid, out, base);
          groupForward = f;
          addOptionRow(scratch, spotCount, model, i, model.weightCoin[i]!, model.vol[i]! + shift, tau, grid);
          pending = true;
        }
        if (pending) flushScratch(scratch, groupForward, grid, out, base);
      }
    }
  }
  computeCascadeRatios(settings, out, range);
}

/** Recomputes the cascade ratios of `range` from the gamma map (e.g. after the perpetual's depth changed). */
export function computeCascadeRatios(settings: CascadeSettings, out: CascadeMaps, range: CascadeRange): void {
  const up = -1 / settings.askDepthUsd;
  const down = -1 / settings.bidDepthUsd;
  for (let v = range.volFrom; v < range.volTo; v++) {
    for (let t = range.timeFrom; t < range.timeTo; t++) {
      const from = cascadeIndex(out, v, t, 0);
      for (let k = from; k < from + out.spotCount; k++) {
        const g = out.gammaUsdPer1Pct[k]!;
        out.cascadeRatioUp[k] = g * up;
        out.cascadeRatioDown[k] = g * down;
      }
    }
  }
}

/** The shape of a set of cascade maps, with only some of its fields present (what a worker sent back). */
export type CascadeMapFields = (typeof MAP_FIELDS)[number];
export type PartialCascadeMaps<F extends CascadeMapFields> = Pick<CascadeMaps, 'volCount' | 'timeCount' | 'spotCount' | F>;

/**
 * Copies the cells of `range` from `from` into `to` (merging the parts that workers computed), for every map
 * field or only the ones named.
 */
export function copyCascadeRange<F extends CascadeMapFields>(
  from: PartialCascadeMaps<F>,
  to: PartialCascadeMaps<F>,
  range: CascadeRange,
  fields: readonly F[] = MAP_FIELDS as readonly CascadeMapFields[] as readonly F[],
): void {
  assertRange(from, range);
  assertRange(to, range);
  if (from.spotCount !== to.spotCount || from.timeCount !== to.timeCount) throw new RangeError('Cascade maps differ in shape');
  for (let v = range.volFrom; v < range.volTo; v++) {
    const start = cascadeIndex(from, v, range.timeFrom, 0);
    const end = cascadeIndex(from, v, range.timeTo, 0);
    for (const field of fields) (to[field] as Float64Array).set((from[field] as Float64Array).subarray(start, end), start);
  }
}

/**
 * Adds (sign 1) or removes (-1) option i's contribution, as the model describes it now, to the cells of `range`
 * (gamma, charm and vanna maps; not the ratios). The incremental update calls it with -1 before and +1 after
 * re-preparing the row. Allocates one scratch row per call.
 */
export function accumulateCascadeRow(
  model: GammaModel,
  i: number,
  sign: 1 | -1,
  grid: CascadeGrid,
  expiryCutoffYears: number,
  out: CascadeMaps,
  range: CascadeRange,
): void {
  if (model.status[i] !== ModelRow.Included) return;
  const scratch = new Float64Array(3 * out.spotCount);
  const n = sign * model.weightCoin[i]!;
  for (let v = range.volFrom; v < range.volTo; v++) {
    for (let t = range.timeFrom; t < range.timeTo; t++) {
      const tau = model.years[i]! - grid.elapsedYears[t]!;
      if (tau <= expiryCutoffYears) break; // times ascend: rolled off from here on
      addOptionRow(scratch, out.spotCount, model, i, n, model.vol[i]! + grid.volShift[v]!, tau, grid);
      flushScratch(scratch, model.forward[i]!, grid, out, cascadeIndex(out, v, t, 0));
    }
  }
}

/**
 * Adds to `scratch` (gamma | vanna | charm, `spotCount` each, coin) one option's row across the spot grid at
 * remaining time tau and vol sigma (floored at VOL_FLOOR), for n coin of dealer position. The hot loop.
 */
function addOptionRow(scratch: Float64Array, spotCount: number, model: GammaModel, i: number, n: number, vol: number, tau: number, grid: CascadeGrid): void {
  const sigma = vol > VOL_FLOOR ? vol : VOL_FLOOR;
  const s = sigma * Math.sqrt(tau);
  const invS = 1 / s;
  const gammaScale = n * 0.01 * invS;
  const vannaScale = (-n * 0.01) / sigma;
  const charmScale = (n * 0.5) / (tau * HOURS_PER_YEAR);
  const last = spotCount - 1;
  const h = (spotCount > 1 ? grid.spot.logStep : 0) * invS;
  const d10 = (model.logForwardOverStrike[i]! + grid.spot.logMove[0]!) * invS + 0.5 * s;
  let peak = h > 0 ? Math.round(-d10 / h) : 0;
  if (peak < 0) peak = 0;
  else if (peak > last) peak = last;
  const decay = Math.exp(-h * h);
  const d1Peak = d10 + peak * h;
  const ePeak = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * d1Peak * d1Peak);
  const vannaOffset = spotCount;
  const charmOffset = 2 * spotCount;
  // Rightwards from the peak (d1 growing).
  let e = ePeak;
  let q = Math.exp(-d1Peak * h - 0.5 * h * h);
  for (let j = peak; j <= last; j++) {
    if (e < PDF_CUTOFF) break;
    const ed2 = e * (d10 + j * h - s);
    scratch[j]! += gammaScale * e;
    scratch[vannaOffset + j]! += vannaScale * ed2;
    scratch[charmOffset + j]! += charmScale * ed2;
    e *= q;
    q *= decay;
  }
  // Leftwards from the peak (d1 shrinking).
  e = ePeak;
  q = Math.exp(d1Peak * h - 0.5 * h * h);
  for (let j = peak - 1; j >= 0; j--) {
    e *= q;
    q *= decay;
    if (e < PDF_CUTOFF) break;
    const ed2 = e * (d10 + j * h - s);
    scratch[j]! += gammaScale * e;
    scratch[vannaOffset + j]! += vannaScale * ed2;
    scratch[charmOffset + j]! += charmScale * ed2;
  }
}

/** Moves a scratch row (coin, forward F) into the maps at `base`: coin as is, USD x F (1 + x_j); clears it. */
function flushScratch(scratch: Float64Array, forward: number, grid: CascadeGrid, out: CascadeMaps, base: number): void {
  const spotCount = out.spotCount;
  const x = grid.spot.relativeMove;
  for (let j = 0; j < spotCount; j++) {
    const k = base + j;
    const usd = forward * (1 + x[j]!);
    const gamma = scratch[j]!;
    const vanna = scratch[spotCount + j]!;
    const charm = scratch[2 * spotCount + j]!;
    out.gammaCoinPer1Pct[k]! += gamma;
    out.gammaUsdPer1Pct[k]! += gamma * usd;
    out.vannaCoinPerVolPoint[k]! += vanna;
    out.vannaUsdPerVolPoint[k]! += vanna * usd;
    out.charmCoinPerHour[k]! += charm;
    out.charmUsdPerHour[k]! += charm * usd;
  }
  scratch.fill(0);
}
