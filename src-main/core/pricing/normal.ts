/**
 * The standard normal distribution to full double precision, including the deep tails.
 *
 * The error-function kernels are W. J. Cody's rational Chebyshev approximations ("Rational Chebyshev
 * approximations for the error function", Math. Comp. 23 (1969) 631-637, as refined in his SPECFUN routine
 * CALERF, 1990): relative error below 1e-17 on each of the three intervals |y| <= 0.46875, 0.46875 < |y| <= 4
 * and |y| > 4. The coefficients below are the published ones; the code around them is ours.
 *
 * Accuracy traps handled here:
 * - exp(-x^2/2) for large |x|: x^2 carries a rounding error of ~|x|^2 ulp, which the exponential turns into a
 *   relative error of ~x^2/2 ulp (1e-13 at x = 37). We split x = hi + lo with hi a multiple of 1/16, so that
 *   hi^2 is exact and only the small remainder (lo)(x + hi) is rounded (Cody's own trick, applied to x rather
 *   than to x/sqrt(2), so that the division by sqrt(2) does not reintroduce the error).
 * - Upper tail: Phi(x) for x > 0 is 1 - Phi(-x), which is accurate because the result is >= 0.5. Callers that
 *   need an upper-tail probability (puts) must ask for Phi(-d) directly and never form 1 - Phi(d).
 */

/** 1/sqrt(pi). */
export const ONE_OVER_SQRT_PI = 0.56418958354775628695;
/** 1/sqrt(2 pi): the normal density at 0. */
export const ONE_OVER_SQRT_TWO_PI = 0.39894228040143267794;
/** 1/sqrt(2). */
export const ONE_OVER_SQRT_TWO = 0.70710678118654752440;
/** sqrt(2 pi). */
export const SQRT_TWO_PI = 2.50662827463100050242;
/** sqrt(pi/2). */
export const SQRT_PI_OVER_TWO = 1.25331413731550025121;

// Cody (1969/1990), erf on |y| <= 0.46875: erf(y) = y * A(y^2) / B(y^2).
const A0 = 3.1611237438705656;
const A1 = 113.86415415105016;
const A2 = 377.48523768530202;
const A3 = 3209.3775891384695;
const A4 = 0.18577770618460315;
const B0 = 23.601290952344122;
const B1 = 244.02463793444417;
const B2 = 1282.6165260773723;
const B3 = 2844.2368334391706;

// Cody, erfc on 0.46875 < y <= 4: erfc(y) = exp(-y^2) * C(y) / D(y).
const C0 = 0.56418849698867009;
const C1 = 8.8831497943883759;
const C2 = 66.119190637141635;
const C3 = 298.63513819740013;
const C4 = 881.95222124176909;
const C5 = 1712.0476126340707;
const C6 = 2051.0783778260716;
const C7 = 1230.3393547979972;
const C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835;
const D1 = 117.6939508913125;
const D2 = 537.18110186200986;
const D3 = 1621.3895745666902;
const D4 = 3290.7992357334597;
const D5 = 4362.6190901432472;
const D6 = 3439.3676741437216;
const D7 = 1230.3393548037495;

// Cody, erfc on y > 4: erfc(y) = exp(-y^2)/y * (1/sqrt(pi) + z P(z)/Q(z)), z = 1/y^2.
const P0 = 0.30532663496123236;
const P1 = 0.36034489994980445;
const P2 = 0.12578172611122925;
const P3 = 0.016083785148742275;
const P4 = 6.5874916152983678e-4;
const P5 = 0.016315387137302097;
const Q0 = 2.5685201922898682;
const Q1 = 1.8729528499234604;
const Q2 = 0.52790510295142842;
const Q3 = 0.060518341312441320;
const Q4 = 0.0023352049762686918;

/** Cody's first interval: erf(y) for |y| <= 0.46875. */
function erfSmall(y: number): number {
  const z = y * y;
  const numerator = (((A4 * z + A0) * z + A1) * z + A2) * z + A3;
  const denominator = (((z + B0) * z + B1) * z + B2) * z + B3;
  return (y * numerator) / denominator;
}

/** erfcx(y) = exp(y^2) erfc(y) for y > 0.46875, without the exponential (Cody's second and third intervals). */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    const numerator =
      (((((((C8 * y + C0) * y + C1) * y + C2) * y + C3) * y + C4) * y + C5) * y + C6) * y + C7;
    const denominator =
      (((((((y + D0) * y + D1) * y + D2) * y + D3) * y + D4) * y + D5) * y + D6) * y + D7;
    return numerator / denominator;
  }
  const z = 1 / (y * y);
  const numerator = ((((P5 * z + P0) * z + P1) * z + P2) * z + P3) * z + P4;
  const denominator = ((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4;
  return (ONE_OVER_SQRT_PI - (z * numerator) / denominator) / y;
}

/**
 * exp(-x^2/2) with a relative error of a few ulp for every |x| (see the file comment): x = hi + lo with hi a
 * multiple of 1/16, so hi^2/2 is exact and x^2/2 = hi^2/2 + lo (x + hi)/2.
 */
export function gaussianKernel(x: number): number {
  const ax = Math.abs(x);
  if (ax < 4) return Math.exp(-0.5 * ax * ax); // here the plain form is already within 8 ulp
  const hi = Math.trunc(ax * 16) / 16;
  const lo = ax - hi;
  return Math.exp(-0.5 * hi * hi) * Math.exp(-0.5 * lo * (ax + hi));
}

/** exp(-y^2) with Cody's split: y = hi + lo, hi a multiple of 1/16, so only lo (y + hi) is rounded. */
function expMinusSquare(y: number): number {
  const ay = Math.abs(y);
  const hi = Math.trunc(ay * 16) / 16;
  return Math.exp(-hi * hi) * Math.exp(-(ay - hi) * (ay + hi));
}

/** Standard normal density phi(x) = exp(-x^2/2) / sqrt(2 pi), accurate to a few ulp everywhere (0 below ~-38.6). */
export function normPdf(x: number): number {
  return ONE_OVER_SQRT_TWO_PI * gaussianKernel(x);
}

/**
 * Standard normal cumulative distribution Phi(x), relative error ~1e-15 over the whole range (Cody's erfc
 * approximations; see the file comment). Lower tail: Phi(-38) = 2.9e-316 is still resolved; below about -38.5
 * the result underflows to 0.
 */
export function normCdf(x: number): number {
  const y = x * ONE_OVER_SQRT_TWO;
  if (Math.abs(y) <= 0.46875) return 0.5 + 0.5 * erfSmall(y);
  if (x > 0) {
    if (x > 8.3) return 1; // 1 - Phi(8.3) < 2^-54: rounds to 1
    return 1 - 0.5 * erfcxLarge(y) * gaussianKernel(x);
  }
  if (x < -38.5) return 0; // Phi(-38.5) ~ 5e-325: below the smallest subnormal
  return 0.5 * erfcxLarge(-y) * gaussianKernel(x);
}

/**
 * Phi(x) given phi(x) already computed by the caller (hot loops compute the density once for the delta/gamma
 * and reuse it here, saving an exponential). `pdf` must be normPdf(x) (or an equivalent value).
 */
export function normCdfGivenPdf(x: number, pdf: number): number {
  const y = x * ONE_OVER_SQRT_TWO;
  if (Math.abs(y) <= 0.46875) return 0.5 + 0.5 * erfSmall(y);
  // Phi(x) = 0.5 erfc(-x/sqrt2) = 0.5 erfcx(|y|) exp(-x^2/2) = 0.5 sqrt(2 pi) erfcx(|y|) phi(x) for x < 0.
  if (x > 0) return 1 - 0.5 * SQRT_TWO_PI * erfcxLarge(y) * pdf;
  return 0.5 * SQRT_TWO_PI * erfcxLarge(-y) * pdf;
}

/** Complementary error function erfc(x) = 1 - erf(x), relative accuracy ~1e-16 (Cody). */
export function erfc(x: number): number {
  if (Math.abs(x) <= 0.46875) return 1 - erfSmall(x);
  if (x > 0) {
    if (x > 27.3) return 0; // underflow
    return erfcxLarge(x) * expMinusSquare(x);
  }
  if (x < -6) return 2;
  return 2 - erfcxLarge(-x) * expMinusSquare(x);
}

/**
 * Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), relative accuracy ~1e-16 for x >= 0 (no
 * exponential is evaluated there). For negative x it grows like 2 exp(x^2) and overflows below about -26.6.
 */
export function erfcx(x: number): number {
  if (x > 0.46875) return erfcxLarge(x);
  if (x >= -0.46875) return Math.exp(x * x) * (1 - erfSmall(x));
  // exp(x^2) (2 - erfc(-x)) = 2 exp(x^2) - erfcx(-x)
  if (x < -26.6) return Infinity;
  return 2 / expMinusSquare(x) - erfcxLarge(-x);
}

// Peter J. Acklam's rational approximation to the inverse normal CDF (relative error < 1.15e-9), as he
// published it (2003); `inverseNormCdf` adds one Halley step on normCdf, which takes it to ~1 ulp.
const ACKLAM_A0 = -39.69683028665376;
const ACKLAM_A1 = 220.9460984245205;
const ACKLAM_A2 = -275.9285104469687;
const ACKLAM_A3 = 138.357751867269;
const ACKLAM_A4 = -30.66479806614716;
const ACKLAM_A5 = 2.506628277459239;
const ACKLAM_B0 = -54.47609879822406;
const ACKLAM_B1 = 161.5858368580409;
const ACKLAM_B2 = -155.6989798598866;
const ACKLAM_B3 = 66.80131188771972;
const ACKLAM_B4 = -13.28068155288572;
const ACKLAM_C0 = -0.007784894002430293;
const ACKLAM_C1 = -0.3223964580411365;
const ACKLAM_C2 = -2.400758277161838;
const ACKLAM_C3 = -2.549732539343734;
const ACKLAM_C4 = 4.374664141464968;
const ACKLAM_C5 = 2.938163982698783;
const ACKLAM_D0 = 0.007784695709041462;
const ACKLAM_D1 = 0.3224671290700398;
const ACKLAM_D2 = 2.445134137142996;
const ACKLAM_D3 = 3.754408661907416;
const ACKLAM_P_LOW = 0.02425;

/** Acklam's tail approximation for p in (0, P_LOW]: returns x with Phi(x) ~ p (x negative). */
function acklamTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  return (((((ACKLAM_C0 * q + ACKLAM_C1) * q + ACKLAM_C2) * q + ACKLAM_C3) * q + ACKLAM_C4) * q + ACKLAM_C5) /
    ((((ACKLAM_D0 * q + ACKLAM_D1) * q + ACKLAM_D2) * q + ACKLAM_D3) * q + 1);
}

/**
 * Acklam's approximation alone (relative error < 1.15e-9, one logarithm and one square root at most): for
 * initial guesses that a solver refines anyway. Same domain conventions as `inverseNormCdf`.
 */
export function inverseNormCdfInitialGuess(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  if (p < ACKLAM_P_LOW) return acklamTail(p);
  if (p > 1 - ACKLAM_P_LOW) return -acklamTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((ACKLAM_A0 * r + ACKLAM_A1) * r + ACKLAM_A2) * r + ACKLAM_A3) * r + ACKLAM_A4) * r + ACKLAM_A5) * q) /
    (((((ACKLAM_B0 * r + ACKLAM_B1) * r + ACKLAM_B2) * r + ACKLAM_B3) * r + ACKLAM_B4) * r + 1);
}

/**
 * Inverse of the standard normal CDF: x with Phi(x) = p, for p in (0, 1); -Infinity at 0, +Infinity at 1,
 * NaN outside. Accurate to a few ulp (Acklam's approximation refined by one Halley step).
 */
export function inverseNormCdf(p: number): number {
  let x = inverseNormCdfInitialGuess(p);
  if (!Number.isFinite(x)) return x;
  // Halley refinement. In the upper half work with the complementary probability so that the residual is
  // measured where it has full relative precision.
  if (x <= 0) {
    const e = normCdf(x) - p;
    const u = e / normPdf(x);
    x -= u / (1 + 0.5 * x * u);
  } else {
    const e = normCdf(-x) - (1 - p); // 1 - p is exact for p >= 0.5 (Sterbenz)
    const u = -e / normPdf(x);
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}
