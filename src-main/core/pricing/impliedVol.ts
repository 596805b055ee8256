/**
 * Black-76 implied volatility to machine precision, after P. Jäckel, "Let's Be Rational", Wilmott (2015)
 * 40-53 ("LBR"), implemented from the paper:
 *   - everything is mapped to an out-of-the-money call in normalised coordinates (x = ln(F/K) <= 0,
 *     beta = price / sqrt(F K) minus the normalised intrinsic value);
 *   - the normalised total vol s = sigma sqrt(T) is bracketed by four segments around the inflexion point
 *     s_c = sqrt(2|x|); on the two outer ones the price is first transformed (lower map f = c |x| Phi(-z)^3,
 *     upper map f = Phi(-s/2)) and a rational cubic (Delbourgo-Gregory) in the transformed variable gives the
 *     initial guess; on the two middle ones the rational cubic interpolates s(beta) directly;
 *   - at most two Householder steps of order 3 on an objective that is near-linear in that segment
 *     (1/ln b in the lowest segment, ln(b_max - b) in the highest, b itself in the middle), with a bracket
 *     that falls back to bisection if an update leaves it.
 * The derivatives of the maps were re-derived here (comments give the formulas) rather than transcribed.
 *
 * Failure is explicit: every entry point reports an `IvReason`; a NaN vol always comes with a non-Ok reason.
 */
import { ONE_OVER_SQRT_TWO_PI, SQRT_PI_OVER_TWO, inverseNormCdfInitialGuess, normCdfGivenPdf } from './normal';
import { normalisedBlackCallOtmWithVega, normalisedIntrinsic, normalisedVega } from './normalizedBlack';

/** Why an implied vol is NaN (or `Ok`). Numeric so a chain can store reasons in a Uint8Array. */
export const IvReason = {
  /** A vol was found. */
  Ok: 0,
  /** Forward or strike not positive and finite, or time to expiry NaN. */
  InvalidInput: 1,
  /** The price is NaN or negative (e.g. no bid). */
  MissingPrice: 2,
  /** The option has expired (years <= 0): its price carries no vol information. */
  Expired: 3,
  /** Price below intrinsic value: breaks the no-arbitrage lower bound. */
  BelowIntrinsic: 4,
  /** Price at or above the upper bound (F for a call, K for a put; undiscounted). */
  AboveMaximum: 5,
  /**
   * The time value (price minus intrinsic) is zero or lost in the rounding of the price, so no vol is
   * determined to the requested accuracy: e.g. a deep in-the-money option whose price equals its intrinsic value
   * in double precision, or an out-of-the-money price that underflows.
   */
  TimeValueLost: 6,
} as const;
export type IvReason = (typeof IvReason)[keyof typeof IvReason];

/**
 * Names for `IvReason` values in logs, the UI and the CLI output (`iv_mark: time_value_lost`): snake_case like
 * the output's field names, spelled the same in the README and decision 0005.
 */
export const IV_REASON_NAMES: Readonly<Record<IvReason, string>> = {
  0: 'ok',
  1: 'invalid_input',
  2: 'missing_price',
  3: 'expired',
  4: 'below_intrinsic',
  5: 'above_maximum',
  6: 'time_value_lost',
};

const DBL_EPSILON = Number.EPSILON;
const DBL_MIN = 2.2250738585072014e-308;
const DBL_MAX = Number.MAX_VALUE;
const SQRT_DBL_MAX = Math.sqrt(DBL_MAX);
const SQRT_THREE = Math.sqrt(3);
const ONE_OVER_SQRT_THREE = 1 / SQRT_THREE;
const TWO_PI = 2 * Math.PI;
/** 2 pi / sqrt(27): the constant of the lower map f(s) = c |x| Phi(-|x|/(sqrt(3) s))^3. */
const TWO_PI_OVER_SQRT_TWENTY_SEVEN = TWO_PI / Math.sqrt(27);
const PI_OVER_SIX = Math.PI / 6;
/** Rational cubic control-parameter bounds (Jäckel section 5): r > -1, and "infinite" = linear. */
const MINIMUM_RATIONAL_CUBIC_CONTROL = -(1 - Math.sqrt(DBL_EPSILON));
const MAXIMUM_RATIONAL_CUBIC_CONTROL = 2 / (DBL_EPSILON * DBL_EPSILON);
/** Householder(3) steps after the initial guess: LBR's design point; two reach machine precision. */
export const DEFAULT_IV_ITERATIONS = 2;
/**
 * Default acceptance bound for the relative IV uncertainty caused by the price's own rounding
 * (~eps x price / (vega x sigma)); above it the time value is considered lost (reason TimeValueLost).
 */
export const DEFAULT_MAX_RELATIVE_IV_UNCERTAINTY = 1e-6;

const isZero = (v: number): boolean => Math.abs(v) < DBL_MIN;

/** Delbourgo-Gregory rational cubic through (xl, yl), (xr, yr) with slopes dl, dr and control r. */
function rationalCubicInterpolation(x: number, xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, r: number): number {
  const h = xr - xl;
  if (Math.abs(h) <= 0) return 0.5 * (yl + yr);
  const t = (x - xl) / h;
  if (!(r >= MAXIMUM_RATIONAL_CUBIC_CONTROL)) {
    const omt = 1 - t;
    const t2 = t * t;
    const omt2 = omt * omt;
    return (yr * t2 * t + (r * yr - h * dr) * t2 * omt + (r * yl + h * dl) * t * omt2 + yl * omt2 * omt) / (1 + (r - 3) * t * omt);
  }
  return yr * t + yl * (1 - t); // r -> infinity: linear
}

/** Control parameter r such that the rational cubic has second derivative `d2l` at the left end. */
function controlToFitSecondDerivativeAtLeft(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, d2l: number): number {
  const h = xr - xl;
  const numerator = 0.5 * h * d2l + (dr - dl);
  if (isZero(numerator)) return 0;
  const denominator = (yr - yl) / h - dl;
  if (isZero(denominator)) return numerator > 0 ? MAXIMUM_RATIONAL_CUBIC_CONTROL : MINIMUM_RATIONAL_CUBIC_CONTROL;
  return numerator / denominator;
}

/** Control parameter r such that the rational cubic has second derivative `d2r` at the right end. */
function controlToFitSecondDerivativeAtRight(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, d2r: number): number {
  const h = xr - xl;
  const numerator = 0.5 * h * d2r + (dr - dl);
  if (isZero(numerator)) return 0;
  const denominator = dr - (yr - yl) / h;
  if (isZero(denominator)) return numerator > 0 ? MAXIMUM_RATIONAL_CUBIC_CONTROL : MINIMUM_RATIONAL_CUBIC_CONTROL;
  return numerator / denominator;
}

/**
 * Smallest control parameter that keeps the interpolant monotone / convex like the data (Delbourgo-Gregory
 * shape conditions, their (3.8) and (3.18)); `slope` is the secant slope.
 */
function minimumShapePreservingControl(dl: number, dr: number, slope: number, preferShapePreservation: boolean): number {
  const monotonic = dl * slope >= 0 && dr * slope >= 0;
  const convex = dl <= slope && slope <= dr;
  const concave = dl >= slope && slope >= dr;
  if (!monotonic && !convex && !concave) return MINIMUM_RATIONAL_CUBIC_CONTROL;
  let r1 = -DBL_MAX;
  let r2 = -DBL_MAX;
  if (monotonic) {
    if (!isZero(slope)) r1 = (dr + dl) / slope;
    else if (preferShapePreservation) r1 = MAXIMUM_RATIONAL_CUBIC_CONTROL;
  }
  if (convex || concave) {
    const slopeMinusLeft = slope - dl;
    const rightMinusSlope = dr - slope;
    if (!(isZero(slopeMinusLeft) || isZero(rightMinusSlope))) {
      r2 = Math.max(Math.abs((dr - dl) / rightMinusSlope), Math.abs((dr - dl) / slopeMinusLeft));
    } else if (preferShapePreservation) {
      r2 = MAXIMUM_RATIONAL_CUBIC_CONTROL;
    }
  } else if (monotonic && preferShapePreservation) {
    r2 = MAXIMUM_RATIONAL_CUBIC_CONTROL;
  }
  return Math.max(MINIMUM_RATIONAL_CUBIC_CONTROL, r1, r2);
}

function convexControlAtLeft(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, d2l: number, preferShapePreservation: boolean): number {
  const r = controlToFitSecondDerivativeAtLeft(xl, xr, yl, yr, dl, dr, d2l);
  return Math.max(r, minimumShapePreservingControl(dl, dr, (yr - yl) / (xr - xl), preferShapePreservation));
}

function convexControlAtRight(xl: number, xr: number, yl: number, yr: number, dl: number, dr: number, d2r: number, preferShapePreservation: boolean): number {
  const r = controlToFitSecondDerivativeAtRight(xl, xr, yl, yr, dl, dr, d2r);
  return Math.max(r, minimumShapePreservingControl(dl, dr, (yr - yl) / (xr - xl), preferShapePreservation));
}

// Scratch for the map values f, df/dbeta, d2f/dbeta2 (a typed array: module-level `let` doubles would be
// boxed on every write, which showed up as garbage-collector time in the benchmark).
const map = new Float64Array(3);
const F = 0;
const FP = 1;
const FPP = 2;

/**
 * Lower map f(s) = c |x| Phi(-z)^3 with z = |x|/(sqrt(3) s), c = 2 pi/sqrt(27), and its derivatives with
 * respect to beta = b(x, s) (b' = exp(-x^2/(2s^2) - s^2/8)/sqrt(2 pi), y = z^2):
 *   df/dbeta   = 2 pi y Phi(-z)^2 exp(y + s^2/8)
 *   d2f/dbeta2 = (pi/6) (y/s^3) Phi(-z) [8 sqrt(3) s |x| + (3 s^4 - 24 s^2 - 8 x^2) Phi(-z)/phi(z)] exp(2y + s^2/4)
 */
function computeLowerMap(x: number, s: number, vega: number): void {
  const ax = Math.abs(x);
  const z = (ONE_OVER_SQRT_THREE * ax) / s;
  const y = z * z;
  const s2 = s * s;
  const pdfZ = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * y);
  const phiMinusZ = normCdfGivenPdf(-z, pdfZ);
  // exp(y + s^2/8) (exp(2y + s^2/4) is its square) from the vega at s, b' = exp(-3y/2 - s^2/8)/sqrt(2 pi)
  // (x^2/(2 s^2) = 3y/2): exp(y + s^2/8) = exp(-y/2)/(sqrt(2 pi) b') = phi(z)/b', one exponential fewer.
  const growth = vega > DBL_MIN && pdfZ > DBL_MIN ? pdfZ / vega : Math.exp(y + 0.125 * s2);
  map[FPP] = ((PI_OVER_SIX * y) / (s2 * s)) * phiMinusZ * (8 * SQRT_THREE * s * ax + ((3 * s2 * (s2 - 8) - 8 * x * x) * phiMinusZ) / pdfZ) * growth * growth;
  const phi2 = phiMinusZ * phiMinusZ;
  map[FP] = TWO_PI * y * phi2 * growth;
  map[F] = TWO_PI_OVER_SQRT_TWENTY_SEVEN * ax * (phi2 * phiMinusZ);
}

/** Inverse of the lower map: s = |x| / (sqrt(3) |Phi^-1((f / (c |x|))^(1/3))|). */
function inverseLowerMap(x: number, f: number): number {
  if (f <= 0) return 0;
  return Math.abs(x / (SQRT_THREE * inverseNormCdfInitialGuess(Math.cbrt(f / (TWO_PI_OVER_SQRT_TWENTY_SEVEN * Math.abs(x))))));
}

/**
 * Upper map f(s) = Phi(-s/2) and its beta-derivatives (w = (x/s)^2):
 *   df/dbeta = -exp(w/2)/2,   d2f/dbeta2 = sqrt(pi/2) exp(w + s^2/8) w / s.
 */
function computeUpperMap(x: number, s: number, vega: number): void {
  const halfS = 0.5 * s;
  if (x === 0) {
    map[F] = normCdfGivenPdf(-halfS, ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * halfS * halfS));
    map[FP] = -0.5;
    map[FPP] = 0;
    return;
  }
  const w = (x / s) * (x / s);
  const halfGrowth = Math.exp(0.5 * w);
  // The vega at s is b' = exp(-w/2 - s^2/8)/sqrt(2 pi), so phi(s/2) = b' exp(w/2) and
  // exp(w + s^2/8) = exp(w/2)/(sqrt(2 pi) b'): one exponential instead of three.
  const usable = vega > DBL_MIN && halfGrowth < Infinity;
  const pdfHalfS = usable ? vega * halfGrowth : ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * halfS * halfS);
  map[F] = normCdfGivenPdf(-halfS, pdfHalfS);
  map[FP] = -0.5 * halfGrowth;
  const growth = usable ? (ONE_OVER_SQRT_TWO_PI * halfGrowth) / vega : halfGrowth * halfGrowth * Math.exp(0.125 * s * s);
  map[FPP] = SQRT_PI_OVER_TWO * growth * (w / s);
}

/** Inverse of the upper map: s = -2 Phi^-1(f). */
function inverseUpperMap(f: number): number {
  return -2 * inverseNormCdfInitialGuess(f);
}

const SEGMENT_LOWEST = 0;
const SEGMENT_MIDDLE = 1;
const SEGMENT_HIGHEST = 2;
/** b and b' of the latest evaluation (normalisedBlackCallOtmWithVega's output). */
const bv = new Float64Array(2);
/**
 * Results of the latest solve, in a typed array rather than as return values: an optimized function that
 * returns a double boxes it on the heap, which showed up as garbage-collector time in the benchmark.
 * [VEGA] normalised vega b' at the last iterate, [S] normalised total vol, [VOL] the implied vol.
 */
const solved = new Float64Array(3);
const VEGA = 0;
const S = 1;
const VOL = 2;

/**
 * Normalised total vol s for an out-of-the-money call: x <= 0, 0 < beta < bMax = e^{x/2}. Returns NaN only
 * if the inputs violate those preconditions. Writes s to `solved[S]` and b' at the last iterate to `solved[VEGA]`.
 */
function solveOutOfTheMoneyCall(beta: number, x: number, bMax: number, iterationLimit: number): void {
  let iterations = 0;
  let directionReversals = 0;
  let s = -DBL_MAX;
  let ds = s;
  let dsPrevious = 0;
  let sLeft = DBL_MIN;
  let sRight = DBL_MAX;
  // The inflexion point of b(s), where the second derivative changes sign.
  const sC = Math.sqrt(Math.abs(2 * x));
  normalisedBlackCallOtmWithVega(x, sC, bMax, bv);
  const bC = bv[0]!;
  const vC = bv[1]!;
  let segment: number;
  if (beta < bC) {
    const sL = sC - bC / vC;
    normalisedBlackCallOtmWithVega(x, sL, bMax, bv);
    const bL = bv[0]!;
    if (beta < bL) {
      computeLowerMap(x, sL, bv[1]!);
      const fL = map[F]!;
      const rLl = convexControlAtRight(0, bL, 0, fL, 1, map[FP]!, map[FPP]!, true);
      let f = rationalCubicInterpolation(beta, 0, bL, 0, fL, 1, map[FP]!, rLl);
      if (!(f > 0)) {
        // Rounding can spoil the cubic for extreme |x|: quadratic with f(0) = 0, f'(0) = 1 and f(b_l) instead.
        const t = beta / bL;
        f = (fL * t + bL * (1 - t)) * t;
      }
      s = inverseLowerMap(x, f);
      sRight = sL;
      segment = SEGMENT_LOWEST;
    } else {
      const vL = bv[1]!;
      const rLm = convexControlAtRight(bL, bC, sL, sC, 1 / vL, 1 / vC, 0, false);
      s = rationalCubicInterpolation(beta, bL, bC, sL, sC, 1 / vL, 1 / vC, rLm);
      sLeft = sL;
      sRight = sC;
      segment = SEGMENT_MIDDLE;
    }
  } else {
    const sH = vC > DBL_MIN ? sC + (bMax - bC) / vC : sC;
    normalisedBlackCallOtmWithVega(x, sH, bMax, bv);
    const bH = bv[0]!;
    if (beta <= bH) {
      const vH = bv[1]!;
      const rHm = convexControlAtLeft(bC, bH, sC, sH, 1 / vC, 1 / vH, 0, false);
      s = rationalCubicInterpolation(beta, bC, bH, sC, sH, 1 / vC, 1 / vH, rHm);
      sLeft = sC;
      sRight = sH;
      segment = SEGMENT_MIDDLE;
    } else {
      computeUpperMap(x, sH, bv[1]!);
      const fH = map[F]!;
      let f = NaN;
      if (map[FPP]! > -SQRT_DBL_MAX && map[FPP]! < SQRT_DBL_MAX) {
        const rHh = convexControlAtLeft(bH, bMax, fH, 0, map[FP]!, -0.5, map[FPP]!, true);
        f = rationalCubicInterpolation(beta, bH, bMax, fH, 0, map[FP]!, -0.5, rHh);
      }
      if (!(f > 0)) {
        // Quadratic with f(b_h), f(b_max) = 0 and f'(b_max) = -1/2.
        const h = bMax - bH;
        const t = (beta - bH) / h;
        f = (fH * (1 - t) + 0.5 * h * t) * (1 - t);
      }
      s = inverseUpperMap(f);
      sLeft = sH;
      // Near b_max the objective ln(b_max - b) is the near-linear one; below b_max/2 plain b - beta is better.
      segment = beta > 0.5 * bMax ? SEGMENT_HIGHEST : SEGMENT_MIDDLE;
    }
  }

  const lnBeta = segment === SEGMENT_LOWEST ? Math.log(beta) : 0;
  const invLnBeta = 1 / lnBeta;
  let bisect = false;
  solved[VEGA] = NaN;
  for (; iterations < iterationLimit && Math.abs(ds) > DBL_EPSILON * s; iterations++) {
    if (ds * dsPrevious < 0) directionReversals++;
    if (iterations > 0 && (directionReversals === 3 || !(s > sLeft && s < sRight))) {
      // Looping, or the step left the bracket: bisect (only seen for extreme |x|, e.g. > 500).
      s = 0.5 * (sLeft + sRight);
      if (sRight - sLeft <= DBL_EPSILON * s) break;
      directionReversals = 0;
      ds = 0;
    }
    dsPrevious = ds;
    normalisedBlackCallOtmWithVega(x, s, bMax, bv);
    const b = bv[0]!;
    const bp = bv[1]!;
    solved[VEGA] = bp;
    if (b > beta && s < sRight) sRight = s;
    else if (b < beta && s > sLeft) sLeft = s;
    // b''/b' = x^2/s^3 - s/4 and b'''/b' = (b''/b')^2 - 3 x^2/s^4 - 1/4 (from b' = exp(-x^2/(2s^2) - s^2/8)/sqrt(2pi)).
    // Reciprocals once: divisions dominate the arithmetic of a step.
    const invS = 1 / s;
    const h = x * invS;
    const hOverS = h * invS;
    const bHalley = h * hOverS - 0.25 * s;
    const bHh3 = bHalley * bHalley - 3 * hOverS * hOverS - 0.25;
    // The Householder(3) step is newton (1 + halley newton / 2) / (1 + newton (halley + hh3 newton / 6)) for
    // the segment's objective g: newton = -g/g', halley = g''/g', hh3 = g'''/g'.
    let newton: number;
    let halley: number;
    let hh3: number;
    if (segment === SEGMENT_LOWEST) {
      // g(s) = 1/ln b(s) - 1/ln beta:
      //   newton = (ln beta - ln b) ln b / ln beta * b/b',  halley = b''/b' - b'/b (1 + 2/ln b),
      //   hh3 = b'''/b' + 2 (b'/b)^2 (1 + 3/ln b (1 + 1/ln b)) - 3 (b''/b') (b'/b) (1 + 2/ln b).
      if (!(b > 0 && bp > 0)) {
        bisect = true; // underflow
        newton = halley = hh3 = 0;
      } else {
        const lnB = Math.log(b);
        const invLnB = 1 / lnB;
        const bpob = bp / b;
        newton = ((lnBeta - lnB) * lnB * invLnBeta) / bpob;
        const onePlusTwoOverLnB = 1 + 2 * invLnB;
        halley = bHalley - bpob * onePlusTwoOverLnB;
        hh3 = bHh3 + 2 * bpob * bpob * (1 + 3 * invLnB * (1 + invLnB)) - 3 * bHalley * bpob * onePlusTwoOverLnB;
      }
    } else if (segment === SEGMENT_HIGHEST) {
      // g(s) = ln((b_max - beta)/(b_max - b(s))): g' = b'/(b_max - b),
      //   newton = -g/g', halley = b''/b' + g', hh3 = b'''/b' + g' (2 g' + 3 b''/b').
      if (!(b < bMax && bp > DBL_MIN)) {
        bisect = true;
        newton = halley = hh3 = 0;
      } else {
        const bMaxMinusB = bMax - b;
        const g = Math.log((bMax - beta) / bMaxMinusB);
        const gp = bp / bMaxMinusB;
        newton = -g / gp;
        halley = bHalley + gp;
        hh3 = bHh3 + gp * (2 * gp + 3 * bHalley);
      }
    } else {
      // g(s) = b(s) - beta: newton = (beta - b)/b', halley = b''/b', hh3 = b'''/b'.
      newton = (beta - b) / bp;
      halley = bHalley;
      hh3 = bHh3;
    }
    if (bisect) {
      ds = 0.5 * (sLeft + sRight) - s;
      bisect = false;
    } else {
      ds = (newton * (1 + 0.5 * halley * newton)) / (1 + newton * (halley + hh3 * newton * (1 / 6)));
    }
    ds = Math.max(-0.5 * s, ds);
    s += ds;
  }
  solved[S] = s;
}

/** Result of a single implied-vol solve. */
export interface ImpliedVolResult {
  /** Decimal vol, NaN unless `reason` is Ok. */
  vol: number;
  reason: IvReason;
}

// Module-level result register for the allocation-free batch path.
let lastReason: IvReason = IvReason.Ok;

/** Records a refusal: NaN vol with its reason. */
function fail(reason: IvReason): void {
  lastReason = reason;
  solved[VOL] = NaN;
}

/**
 * Core solver shared by the single-option and chain entry points; writes the vol (NaN on failure) to
 * `solved[VOL]` and the reason to `lastReason`. Prices are undiscounted (r = 0), in the same currency as F and K.
 */
function impliedVolCore(price: number, forward: number, strike: number, years: number, isCall: boolean, iterations: number, maxRelativeUncertainty: number): void {
  if (!(forward > 0 && strike > 0 && forward < Infinity && strike < Infinity) || Number.isNaN(years)) return fail(IvReason.InvalidInput);
  if (!(price >= 0) || price === Infinity) return fail(IvReason.MissingPrice);
  if (years <= 0) return fail(IvReason.Expired);
  const intrinsic = isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0);
  if (price < intrinsic) return fail(IvReason.BelowIntrinsic);
  if (price >= (isCall ? forward : strike)) return fail(IvReason.AboveMaximum);
  const x = Math.log(forward / strike);
  const product = forward * strike;
  // one square root unless F K over- or underflows
  const sqrtFK = product < Infinity && product > DBL_MIN ? Math.sqrt(product) : Math.sqrt(forward) * Math.sqrt(strike);
  // Out-of-the-money time value in normalised units; for an in-the-money option, price - intrinsic (exact
  // intrinsic F - K, not the normalised 2 sinh(x/2), which would add its own rounding).
  const timeValue = price - intrinsic;
  const beta = timeValue / sqrtFK;
  // Out-of-the-money call coordinates: puts map to calls by x -> -x, and the in-the-money case was reduced
  // to its out-of-the-money counterpart above, so the solver always sees x <= 0.
  const xOtm = -Math.abs(x);
  if (!(beta >= DBL_MIN)) return fail(IvReason.TimeValueLost);
  // b_max = e^{x/2} with x = -|ln(F/K)|: sqrt(min(F,K)/max(F,K)), a square root instead of an exponential.
  const bMax = forward < strike ? Math.sqrt(forward / strike) : Math.sqrt(strike / forward);
  if (beta >= bMax) return fail(IvReason.AboveMaximum);
  solveOutOfTheMoneyCall(beta, xOtm, bMax, iterations);
  const s = solved[S]!;
  if (!(s > 0 && s < Infinity)) return fail(IvReason.TimeValueLost);
  // Conditioning: the price is known to ~eps (relative), i.e. the time value to ~eps x price. The induced
  // relative vol error is eps price / (sqrt(FK) b'(s) s); refuse when that exceeds the caller's bound.
  // This bites in the money (the time value is a small difference) and next to the upper bound (prices within
  // rounding of F or K); out of the money and below the bound d ln b / d ln s >= ~1 keeps it near eps.
  // b' at the last iterate (at most one Householder step from s: plenty for an error estimate).
  const lastVega = solved[VEGA]!;
  const vegaAtSolution = lastVega === lastVega ? lastVega : normalisedVega(xOtm, s);
  const uncertainty = (DBL_EPSILON * (price / sqrtFK)) / (vegaAtSolution * s);
  if (!(uncertainty <= maxRelativeUncertainty)) return fail(IvReason.TimeValueLost);
  lastReason = IvReason.Ok;
  solved[VOL] = s / Math.sqrt(years);
}

/** Options for the implied-vol solvers. */
export interface ImpliedVolOptions {
  /** Householder iterations after the initial guess (default 2: machine precision per LBR). */
  iterations?: number;
  /**
   * Largest accepted relative vol uncertainty implied by the price's rounding (default 1e-6). In-the-money
   * options whose time value is too small to carry the vol to this accuracy return TimeValueLost.
   */
  maxRelativeUncertainty?: number;
}

/**
 * Black-76 implied volatility (r = 0) from an undiscounted price, with the reason when it is not defined.
 * `price`, `forward` and `strike` in one currency (USD on Deribit: coin mark price x forward); `years` ACT/365.
 * Never throws.
 */
export function impliedVolBlack76(price: number, forward: number, strike: number, years: number, isCall: boolean, options?: ImpliedVolOptions): ImpliedVolResult {
  impliedVolCore(
    price, forward, strike, years, isCall,
    options?.iterations ?? DEFAULT_IV_ITERATIONS,
    options?.maxRelativeUncertainty ?? DEFAULT_MAX_RELATIVE_IV_UNCERTAINTY,
  );
  return { vol: solved[VOL]!, reason: lastReason };
}

/**
 * Implied vol from a Deribit inverse option price in coin: converts to USD with the forward (price x F) and
 * inverts Black-76. Same reasons as `impliedVolBlack76`.
 */
export function impliedVolFromCoinPrice(priceCoin: number, forward: number, strike: number, years: number, isCall: boolean, options?: ImpliedVolOptions): ImpliedVolResult {
  return impliedVolBlack76(priceCoin * forward, forward, strike, years, isCall, options);
}

/**
 * Normalised implied total vol s = sigma sqrt(T) from a normalised price beta = price/sqrt(F K) at
 * x = ln(F/K) (Jäckel's coordinates). NaN when beta is outside (intrinsic, max).
 */
export function normalisedImpliedVolatility(beta: number, x: number, isCall: boolean, iterations = DEFAULT_IV_ITERATIONS): number {
  const q = isCall ? x : -x; // call-equivalent log-moneyness
  let b = beta;
  if (q > 0) b -= normalisedIntrinsic(q, true);
  const bMax = Math.exp(-0.5 * Math.abs(q));
  if (!(b > 0) || b >= bMax) return NaN;
  solveOutOfTheMoneyCall(b, -Math.abs(q), bMax, iterations);
  return solved[S]!;
}

/**
 * Batch kernel: implied vols of `count` options into `outVol` (decimal, NaN on failure) and `outReason`
 * (`IvReason` codes). Inputs are struct-of-arrays; `price` is the undiscounted USD price per option (for
 * Deribit's coin quotes pass `priceIsCoin = true` and the kernel multiplies by the forward). Allocation-free.
 * Call it once each for bid, ask and mark.
 */
export function computeChainImpliedVols(
  price: Float64Array,
  forward: Float64Array,
  strike: Float64Array,
  years: Float64Array,
  isCall: Uint8Array,
  outVol: Float64Array,
  outReason: Uint8Array,
  count: number,
  priceIsCoin = false,
  maxRelativeUncertainty = DEFAULT_MAX_RELATIVE_IV_UNCERTAINTY,
): void {
  for (let i = 0; i < count; i++) {
    const f = forward[i]!;
    const p = priceIsCoin ? price[i]! * f : price[i]!;
    impliedVolCore(p, f, strike[i]!, years[i]!, isCall[i] === 1, DEFAULT_IV_ITERATIONS, maxRelativeUncertainty);
    outVol[i] = solved[VOL]!;
    outReason[i] = lastReason;
  }
}
