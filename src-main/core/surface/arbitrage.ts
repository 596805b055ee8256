/**
 * Static-arbitrage checks of fitted smiles, and the repair of a raw SVI slice that fails the butterfly check.
 *
 * Butterfly: Durrleman's g(k) >= 0 (svi.ts) on a dense grid of k; every interval where g < 0 is reported with its
 * least g. Calendar: total variance non-decreasing in T at every k (Gatheral & Jacquier 2014, Lemma 2.1, for
 * zero rates), checked between consecutive expiries on the same grid; every interval where the later slice lies
 * below the earlier one is reported. Neither check hides anything: a fit that fails carries its violations.
 *
 * Repair (in the spirit of GJ 2014 §5.2): start from an SSVI slice with the slice's ATM variance and skew sign,
 * inside GJ's sufficient no-butterfly conditions (Theorem 4.2), so arbitrage-free; then move the five raw
 * parameters (Nelder–Mead) towards the original slice (least squares on the k-range of interest) while refusing
 * every point that has g < 0 anywhere on the dense grid, breaks Lee's wing bound or has a negative variance.
 * The result is arbitrage-free on the grid by construction and as close to the original as the search gets.
 */
import { nelderMead } from './nelderMead';
import {
  LEE_MAX_WING_SLOPE, sviDurrlemanG, sviProblem, sviTotalVariance, sviWingSlopes, ssviToRaw, type RawSvi,
} from './svi';

/** A k-interval where a check fails, with its worst value (least g, or most negative w_later - w_earlier). */
export interface ArbitrageViolation {
  kFrom: number;
  kTo: number;
  worst: number;
}

/** The dense grid of log-moneyness the checks use: `points` values evenly over [kMin, kMax]. */
export interface CheckGrid {
  kMin: number;
  kMax: number;
  points: number;
}

export const DEFAULT_CHECK_GRID: Readonly<CheckGrid> = Object.freeze({ kMin: -3, kMax: 3, points: 2001 });

function gridK(grid: CheckGrid, i: number): number {
  return grid.kMin + ((grid.kMax - grid.kMin) * i) / (grid.points - 1);
}

/** Groups the grid points where `value(k)` is below -tolerance (or NaN) into intervals. */
function violations(grid: CheckGrid, value: (k: number) => number, tolerance: number): ArbitrageViolation[] {
  const found: ArbitrageViolation[] = [];
  let current: ArbitrageViolation | null = null;
  for (let i = 0; i < grid.points; i++) {
    const k = gridK(grid, i);
    const v = value(k);
    const bad = !(v >= -tolerance); // NaN counts as a violation: no smile there
    if (bad) {
      if (current === null) current = { kFrom: k, kTo: k, worst: v };
      else {
        current.kTo = k;
        current.worst = Math.min(current.worst, v); // a NaN (no smile there) stays NaN: shown as null
      }
    } else if (current !== null) {
      found.push(current);
      current = null;
    }
  }
  if (current !== null) found.push(current);
  return found;
}

/** Butterfly check of a raw SVI slice: intervals where Durrleman's g(k) < 0 on the grid. */
export function butterflyViolations(p: RawSvi, grid: CheckGrid = DEFAULT_CHECK_GRID): ArbitrageViolation[] {
  return violations(grid, (k) => sviDurrlemanG(p, k), 0);
}

/**
 * Calendar check between two slices' total-variance functions (earlier, later): intervals where
 * w_later(k) < w_earlier(k). A relative tolerance of 1e-12 of the variance absorbs rounding.
 */
export function calendarViolations(earlier: (k: number) => number, later: (k: number) => number, grid: CheckGrid = DEFAULT_CHECK_GRID): ArbitrageViolation[] {
  return violations(grid, (k) => {
    const a = earlier(k);
    const b = later(k);
    return b - a + 1e-12 * Math.abs(a);
  }, 0);
}

/** Lee's bound on a slice's wings: both asymptotic slopes of w at most 2. */
export function leeBoundProblem(p: RawSvi): string | null {
  const { left, right } = sviWingSlopes(p);
  if (left > LEE_MAX_WING_SLOPE + 1e-12) return `left wing slope b(1 - rho) = ${left} exceeds Lee's bound 2`;
  if (right > LEE_MAX_WING_SLOPE + 1e-12) return `right wing slope b(1 + rho) = ${right} exceeds Lee's bound 2`;
  return null;
}

/** Whether g >= margin everywhere on the grid (early exit: the repair's feasibility test). */
function butterflyFree(p: RawSvi, grid: CheckGrid, margin = 0): boolean {
  for (let i = 0; i < grid.points; i++) if (!(sviDurrlemanG(p, gridK(grid, i)) >= margin)) return false;
  return true;
}

/**
 * The repair keeps g >= 1e-4 on its grid, not just >= 0: a slice pressed against g = 0 at the grid points dips
 * below 0 between them (found by checking a repaired slice on a 8x denser grid).
 */
const REPAIR_MARGIN = 1e-4;

export interface RepairResult {
  params: RawSvi;
  /** Root-mean-square difference of total variance to the original slice over the fit range. */
  rmsTotalVarianceChange: number;
  /** Violations left on the check grid (empty: the repair is built to leave none). */
  remaining: ArbitrageViolation[];
}

/**
 * The closest (least squares in w over `fitRange`) raw SVI slice to `original` that is free of butterfly
 * arbitrage on `grid`, within Lee's bound and with non-negative variance. `original` is returned unchanged when it
 * is already free of arbitrage.
 */
export function repairButterfly(original: RawSvi, options: { fitRange?: [number, number]; grid?: CheckGrid } = {}): RepairResult {
  const grid = options.grid ?? DEFAULT_CHECK_GRID;
  const [lo, hi] = options.fitRange ?? [grid.kMin, grid.kMax];
  const fitPoints = 201;
  const target = new Float64Array(fitPoints);
  const ks = new Float64Array(fitPoints);
  for (let i = 0; i < fitPoints; i++) {
    ks[i] = lo + ((hi - lo) * i) / (fitPoints - 1);
    target[i] = sviTotalVariance(original, ks[i]!);
  }
  const distance = (p: RawSvi): number => {
    let sum = 0;
    for (let i = 0; i < fitPoints; i++) {
      const d = sviTotalVariance(p, ks[i]!) - target[i]!;
      sum += d * d;
    }
    return sum / fitPoints;
  };
  if (sviProblem(original) === null && leeBoundProblem(original) === null && butterflyFree(original, grid)) {
    return { params: original, rmsTotalVarianceChange: 0, remaining: [] };
  }
  // An SSVI start inside GJ 2014 Theorem 4.2 (theta phi (1 + |rho|) < 4, theta phi^2 (1 + |rho|) <= 4):
  // ATM variance and rho of the original, phi from its wing sum b = theta phi / 2, capped at 90 % of the bound.
  const theta = Math.max(sviTotalVariance(original, 0), 1e-8);
  const rho = Math.max(-0.99, Math.min(0.99, original.rho));
  const phiBound = Math.min(4 / (theta * (1 + Math.abs(rho))), Math.sqrt(4 / (theta * (1 + Math.abs(rho)))));
  const phi = Math.min((2 * original.b) / theta, 0.9 * phiBound);
  const start = ssviToRaw({ theta, rho, phi: phi > 0 ? phi : 0.5 * phiBound });
  const fromX = (x: readonly number[]): RawSvi => ({ a: x[0]!, b: Math.exp(x[1]!), rho: Math.tanh(x[2]!), m: x[3]!, sigma: Math.exp(x[4]!) });
  const objective = (x: readonly number[]): number => {
    const p = fromX(x);
    if (sviProblem(p) !== null || leeBoundProblem(p) !== null || !butterflyFree(p, grid, REPAIR_MARGIN)) return Infinity;
    return distance(p);
  };
  let x = [start.a, Math.log(start.b), Math.atanh(start.rho), start.m, Math.log(start.sigma)];
  // Restarts from the last best point: Nelder–Mead stalls against the feasibility wall, a fresh simplex moves on.
  for (let round = 0; round < 6; round++) {
    const scale = 0.5 ** round;
    const result = nelderMead(objective, x, {
      step: [0.02 * scale * theta + 1e-4, 0.2 * scale, 0.2 * scale, 0.1 * scale, 0.2 * scale],
      maxIterations: 600,
      valueTolerance: 1e-18,
      pointTolerance: 1e-8,
    });
    x = result.x;
  }
  const params = fromX(x);
  return { params, rmsTotalVarianceChange: Math.sqrt(distance(params)), remaining: butterflyViolations(params, grid) };
}
