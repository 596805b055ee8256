/**
 * Normalised Black function, accurate in relative terms everywhere (down to prices of 1e-300), after
 * P. Jäckel, "Let's Be Rational", Wilmott (2015) 40-53, sections 2-3.
 *
 * Notation (Jäckel's): x = ln(F/K), s = sigma sqrt(T), h = x/s, t = s/2, and the normalised price
 *   b(x, s) = undiscounted Black price / sqrt(F K) = e^{x/2} Phi(h + t) - e^{-x/2} Phi(h - t)   (call).
 * The put is b_put(x, s) = b_call(-x, s); an in-the-money call is its intrinsic value plus the out-of-the-money
 * call b_call(-x, s) (Jäckel's "in-out duality"), so everything reduces to b_call with x <= 0.
 *
 * For x <= 0 the plain formula above cancels catastrophically when both terms are tiny. Following Jäckel we
 * rewrite it with the Mills ratio Y(z) = Phi(z)/phi(z) = sqrt(pi/2) erfcx(-z/sqrt2):
 *   b = exp(-(h^2 + t^2)/2) / sqrt(2 pi) * [Y(h + t) - Y(h - t)]
 * and evaluate the bracket in one of four ways depending on (h, t):
 *   1. h << 0 and h + t < -10 + tau: the asymptotic series of Y for z -> -inf, with the difference of each term
 *      formed without cancellation (coefficients derived below, not copied);
 *   2. t < tau (tau = 2 eps^(1/16) ~ 0.21): the odd Taylor series of Y(h + t) - Y(h - t) in t;
 *   3. h + t > 0.85: the plain formula with Phi (no cancellation worth mentioning there);
 *   4. otherwise: the erfcx form of the bracket.
 * Jäckel's thresholds are kept; the series are generated from their definitions rather than transcribed.
 */
import { ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI, SQRT_PI_OVER_TWO, erfcx, normCdfGivenPdf } from './normal';

/** Jäckel's eta: below h = -10 the asymptotic expansion of Y is accurate to ~1.6e-16 with 18 terms. */
const ASYMPTOTIC_EXPANSION_ACCURACY_THRESHOLD = -10;
/** Jäckel's tau = 2 eps^(1/16): below t = tau the Taylor series in t with at most 7 odd terms is exact to eps. */
export const SMALL_T_EXPANSION_THRESHOLD = 2 * Math.pow(Number.EPSILON, 1 / 16);

/**
 * Coefficients of the asymptotic difference series. With Y(z) ~ sum_n (-1)^n (2n-1)!! (-z)^-(2n+1) and
 * u = -h, r = (h + t)(h - t) = u^2 - t^2:
 *   (u - t)^-(2n+1) - (u + t)^-(2n+1) = (t/r) q^n 2 sum_j C(2n+1, 2j+1) e^j,   q = (h/r)^2, e = (t/h)^2,
 * a sum of positive terms (no cancellation). So Y(h+t) - Y(h-t) = (t/r) sum_n q^n sum_j ASYMPTOTIC[n][j] e^j
 * with ASYMPTOTIC[n][j] = (-1)^n (2n-1)!! 2 C(2n+1, 2j+1), n = 0..17 (Jäckel's order).
 */
const ASYMPTOTIC_ORDER = 17;
const ASYMPTOTIC: readonly Float64Array[] = (() => {
  const rows: Float64Array[] = [];
  let doubleFactorial = 1; // (2n-1)!!, with (-1)!! = 1
  for (let n = 0; n <= ASYMPTOTIC_ORDER; n++) {
    if (n > 0) doubleFactorial *= 2 * n - 1;
    const m = 2 * n + 1;
    const row = new Float64Array(n + 1);
    // binomial C(m, k) for k = 1, 3, ..., m, built incrementally
    let binomial = 1; // C(m, 0)
    for (let k = 1; k <= m; k++) {
      binomial = (binomial * (m - k + 1)) / k;
      if (k % 2 === 1) row[(k - 1) / 2] = (n % 2 === 0 ? 2 : -2) * doubleFactorial * binomial;
    }
    rows.push(row);
  }
  return rows;
})();

/**
 * Region 1, h <= -10 (roughly): the asymptotic series. Returns the bracket Y(h+t) - Y(h-t); the caller
 * multiplies by exp(-(h^2+t^2)/2)/sqrt(2 pi), which is also the normalised vega.
 */
function asymptoticBracket(h: number, t: number): number {
  const e = (t / h) * (t / h);
  const r = (h + t) * (h - t);
  const q = (h / r) * (h / r);
  let sum = 0;
  for (let n = ASYMPTOTIC_ORDER; n >= 0; n--) {
    const row = ASYMPTOTIC[n]!;
    let inner = 0;
    for (let j = n; j >= 0; j--) inner = inner * e + row[j]!;
    sum = sum * q + inner;
  }
  return (t / r) * sum;
}

/**
 * Region 2, small t: the odd Taylor series of the bracket in t,
 *   Y(h + t) - Y(h - t) = 2 sum_{k odd} Y_k(h) t^k / k!,
 * where Y_k are the derivatives of the Mills ratio. Y' = 1 + zY gives Y_(n+1) = h Y_n + n Y_(n-1), so every
 * odd derivative is Y_(2m+1) = P_m(h^2) + a Q_m(h^2) with a = Y_1 = 1 + h Y(h) and integer polynomials P_m, Q_m
 * (expanded from the recursion; they are the polynomials in Jäckel's eq. (3.5) series):
 *   m=1: -1 + a (3 + h^2)
 *   m=2: -7 - h^2 + a (15 + 10 h^2 + h^4)
 *   m=3: -57 - 18 h^2 - h^4 + a (105 + 105 h^2 + 21 h^4 + h^6)
 *   m=4: -561 - 285 h^2 - 33 h^4 - h^6 + a (945 + 1260 h^2 + 378 h^4 + 36 h^6 + h^8)
 *   m=5: -6555 - 4680 h^2 - 840 h^4 - 52 h^6 - h^8 + a (10395 + 17325 h^2 + 6930 h^4 + 990 h^6 + 55 h^8 + h^10)
 *   m=6: -89055 - 82845 h^2 - 20370 h^4 - 1926 h^6 - 75 h^8 - h^10
 *        + a (135135 + 270270 h^2 + 135135 h^4 + 25740 h^6 + 2145 h^8 + 78 h^10 + h^12)
 * Term m is at most w^m 2^m m!/(2m+1)! of the leading one (w = t^2; the bound is attained at h = 0), so the
 * series is cut where the first omitted term is below 1e-17 relative: this is the hot path for short-dated
 * options, and most of them need only three or four terms. With t < tau ~ 0.21, m = 6 always suffices.
 */
function smallTInto(h: number, t: number, vega: number, out: Float64Array): void {
  const a = 1 + h * (SQRT_PI_OVER_TWO * erfcx(-ONE_OVER_SQRT_TWO * h));
  const h2 = h * h;
  const w = t * t;
  const c1 = (-1 + a * (3 + h2)) * (1 / 6);
  const c2 = (-7 - h2 + a * (15 + h2 * (10 + h2))) * (1 / 120);
  const c3 = (-57 + h2 * (-18 - h2) + a * (105 + h2 * (105 + h2 * (21 + h2)))) * (1 / 5040);
  let tail: number; // sum_{m>=3} c_m w^(m-3)
  if (w < 3e-4) {
    tail = c3; // omitted: w^4 x 1.1e-3 < 1e-17
  } else {
    const c4 = (-561 + h2 * (-285 + h2 * (-33 - h2)) + a * (945 + h2 * (1260 + h2 * (378 + h2 * (36 + h2))))) * (1 / 362880);
    if (w < 2.4e-3) {
      tail = c3 + w * c4; // omitted: w^5 x 9.7e-5 < 1e-17
    } else {
      const c5 = (-6555 + h2 * (-4680 + h2 * (-840 + h2 * (-52 - h2))) + a * (10395 + h2 * (17325 + h2 * (6930 + h2 * (990 + h2 * (55 + h2)))))) * (1 / 39916800);
      if (w < 1e-2) {
        tail = c3 + w * (c4 + w * c5); // omitted: w^6 x 7.4e-6 < 1e-17
      } else {
        const c6 = (-89055 + h2 * (-82845 + h2 * (-20370 + h2 * (-1926 + h2 * (-75 - h2)))) +
          a * (135135 + h2 * (270270 + h2 * (135135 + h2 * (25740 + h2 * (2145 + h2 * (78 + h2))))))) * (1 / 6227020800);
        tail = c3 + w * (c4 + w * (c5 + w * c6)); // omitted: w^7 x 4.9e-7 < 1e-17 for t < tau
      }
    }
  }
  const b = vega * 2 * t * (a + w * (c1 + w * (c2 + w * tail)));
  out[0] = b > 0 ? b : 0;
}

/**
 * Normalised Black call b(x, s) for x <= 0, s > 0, and its vega b'(x, s), written to out[0] and out[1] with a
 * single exponential: every region's formula carries the factor exp(-(h^2+t^2)/2)/sqrt(2 pi) = b'. `bMax` must
 * be exp(x/2) (callers that solve for s at fixed x compute it once).
 */
export function normalisedBlackCallOtmWithVega(x: number, s: number, bMax: number, out: Float64Array): void {
  if (!(s > 0)) {
    // Zero total vol (the implied-vol solver asks at s_c = sqrt(2|x|) = 0 for x = 0): worthless, and the
    // vega limit is 1/sqrt(2 pi) at the money, 0 away from it.
    out[0] = s === 0 ? 0 : NaN;
    out[1] = s === 0 ? (x === 0 ? ONE_OVER_SQRT_TWO_PI : 0) : NaN;
    return;
  }
  const h = x / s;
  const t = 0.5 * s;
  const vega = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
  out[1] = vega;
  // Each region writes out[0] itself: an optimized function returning a double boxes it on the heap, and this
  // runs four times per implied-vol solve.
  if (h < ASYMPTOTIC_EXPANSION_ACCURACY_THRESHOLD && h + t < SMALL_T_EXPANSION_THRESHOLD + ASYMPTOTIC_EXPANSION_ACCURACY_THRESHOLD) {
    const b = vega * asymptoticBracket(h, t);
    out[0] = b > 0 ? b : 0;
  } else if (t < SMALL_T_EXPANSION_THRESHOLD) {
    smallTInto(h, t, vega, out);
  } else if (h + t > 0.85) {
    normCdfFormInto(h, t, bMax, vega, out);
  } else {
    erfcxFormInto(h, t, vega, out);
  }
}

/**
 * Region 3, h + t > 0.85: the plain formula, where the terms do not cancel badly. phi(h +- t) = b' e^{-+x/2}
 * because (h +- t)^2 / 2 = (h^2 + t^2)/2 +- x/2, so Phi needs no further exponential.
 */
function normCdfFormInto(h: number, t: number, bMax: number, vega: number, out: Float64Array): void {
  const b = bMax > 0 ? bMax * normCdfGivenPdf(h + t, vega / bMax) - normCdfGivenPdf(h - t, vega * bMax) / bMax : 0;
  out[0] = b > 0 ? b : 0;
}

/** Region 4: b = exp(-(h^2+t^2)/2)/2 [erfcx(-(h+t)/sqrt2) - erfcx(-(h-t)/sqrt2)] = sqrt(pi/2) b' [...]. */
function erfcxFormInto(h: number, t: number, vega: number, out: Float64Array): void {
  const b = SQRT_PI_OVER_TWO * vega * (erfcx(-ONE_OVER_SQRT_TWO * (h + t)) - erfcx(-ONE_OVER_SQRT_TWO * (h - t)));
  out[0] = b > 0 ? b : 0;
}

const scratch = new Float64Array(2);

/**
 * Normalised intrinsic value of a call (theta = +1) or put (theta = -1): max(theta (e^{x/2} - e^{-x/2}), 0).
 * A series for small x avoids the cancellation in 2 sinh(x/2).
 */
export function normalisedIntrinsic(x: number, isCall: boolean): number {
  if (isCall ? x <= 0 : x >= 0) return 0;
  const ax = Math.abs(x);
  const x2 = x * x;
  if (x2 < 98 * Math.pow(Number.EPSILON, 0.25)) {
    // 2 sinh(x/2) = x (1 + x^2/24 + x^4/1920 + x^6/322560 + x^8/92897280 + ...)
    return ax * (1 + x2 * (1 / 24 + x2 * (1 / 1920 + x2 * (1 / 322560 + x2 / 92897280))));
  }
  const bMax = Math.exp(0.5 * ax);
  return bMax - 1 / bMax;
}

/**
 * Normalised Black call price b(x, s) = undiscounted call / sqrt(F K), x = ln(F/K), s = sigma sqrt(T) >= 0.
 * Relative accuracy ~1e-15 for every (x, s) whose result is a normal double.
 */
export function normalisedBlackCall(x: number, s: number): number {
  if (x > 0) return normalisedIntrinsic(x, true) + normalisedBlackCall(-x, s);
  if (!(s > 0)) return s === 0 ? 0 : NaN; // s = 0: out-of-the-money (x <= 0) is worthless
  normalisedBlackCallOtmWithVega(x, s, Math.exp(0.5 * x), scratch);
  return scratch[0]!;
}

/** Normalised Black price of a call or put: b_put(x, s) = b_call(-x, s). */
export function normalisedBlack(x: number, s: number, isCall: boolean): number {
  return normalisedBlackCall(isCall ? x : -x, s);
}

/** Normalised vega db/ds = exp(-(h^2 + t^2)/2) / sqrt(2 pi) (identical for calls and puts). */
export function normalisedVega(x: number, s: number): number {
  const ax = Math.abs(x);
  if (ax === 0) return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.125 * s * s);
  if (!(s > 0)) return s === 0 ? 0 : NaN;
  const h = x / s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + 0.25 * s * s));
}
