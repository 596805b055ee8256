/**
 * Raw SVI (Gatheral 2004) for one expiry's smile, in total implied variance over log-moneyness:
 *
 *   w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)),   k = ln(K / F),   w = sigma_BS^2 T.
 *
 * With the Durrleman butterfly condition, Roger Lee's wing bounds and the SSVI slice written as raw SVI
 * (Gatheral & Jacquier 2014, "Arbitrage-free SVI volatility surfaces", Quantitative Finance 14(1), §2-§4).
 *
 * Butterfly arbitrage (GJ 2014 Lemma 2.2, after Durrleman): a slice is free of it iff the density
 *   g(k) = (1 - k w'/(2w))^2 - (w'^2/4)(1/w + 1/4) + w''/2
 * is >= 0 for every k (and d_+ -> -inf as k -> +inf, which the wing bound below gives).
 * Lee's moment formula: the wings of w are at most linear with slope <= 2, i.e. b (1 + |rho|) <= 2.
 */

/** Raw SVI parameters of one slice (total variance, k = ln(K/F)). */
export interface RawSvi {
  a: number;
  b: number;
  rho: number;
  m: number;
  sigma: number;
}

/** Total implied variance w(k). */
export function sviTotalVariance(p: RawSvi, k: number): number {
  const x = k - p.m;
  return p.a + p.b * (p.rho * x + Math.sqrt(x * x + p.sigma * p.sigma));
}

/** w'(k). */
export function sviFirstDerivative(p: RawSvi, k: number): number {
  const x = k - p.m;
  return p.b * (p.rho + x / Math.sqrt(x * x + p.sigma * p.sigma));
}

/** w''(k). */
export function sviSecondDerivative(p: RawSvi, k: number): number {
  const x = k - p.m;
  const r = Math.sqrt(x * x + p.sigma * p.sigma);
  return (p.b * p.sigma * p.sigma) / (r * r * r);
}

/**
 * Durrleman's g(k) from w and its derivatives (GJ 2014 eq. 2.1): the risk-neutral density of ln(S/F) is
 * g(k)/sqrt(2 pi w) exp(-d_-^2/2), so g < 0 is a butterfly arbitrage. NaN when w <= 0 (no smile there).
 */
export function durrlemanG(w: number, w1: number, w2: number, k: number): number {
  if (!(w > 0)) return NaN;
  const t = 1 - (k * w1) / (2 * w);
  return t * t - ((w1 * w1) / 4) * (1 / w + 0.25) + w2 / 2;
}

/** g(k) of a raw SVI slice. */
export function sviDurrlemanG(p: RawSvi, k: number): number {
  return durrlemanG(sviTotalVariance(p, k), sviFirstDerivative(p, k), sviSecondDerivative(p, k), k);
}

/** The least total variance of the slice: a + b sigma sqrt(1 - rho^2), at k = m - rho sigma / sqrt(1 - rho^2). */
export function sviMinimumVariance(p: RawSvi): number {
  return p.a + p.b * p.sigma * Math.sqrt(1 - p.rho * p.rho);
}

/** The asymptotic slopes of w: b (1 - rho) for k -> -inf (returned positive) and b (1 + rho) for k -> +inf. */
export function sviWingSlopes(p: RawSvi): { left: number; right: number } {
  return { left: p.b * (1 - p.rho), right: p.b * (1 + p.rho) };
}

/** Roger Lee's moment formula (Lee 2004): each wing slope of the total variance is at most 2. */
export const LEE_MAX_WING_SLOPE = 2;

/**
 * Whether a parameter set is a valid SVI slice at all: b >= 0, |rho| < 1, sigma > 0, finite numbers, and a
 * non-negative minimum variance.
 */
export function sviProblem(p: RawSvi): string | null {
  for (const key of ['a', 'b', 'rho', 'm', 'sigma'] as const) {
    if (!Number.isFinite(p[key])) return `${key} is not a finite number (${String(p[key])})`;
  }
  if (p.b < 0) return `b must be >= 0, got ${p.b}`;
  if (!(Math.abs(p.rho) < 1)) return `|rho| must be < 1, got ${p.rho}`;
  if (!(p.sigma > 0)) return `sigma must be > 0, got ${p.sigma}`;
  if (sviMinimumVariance(p) < 0) return `minimum total variance a + b sigma sqrt(1 - rho^2) = ${sviMinimumVariance(p)} is negative`;
  return null;
}

/** An SSVI slice (GJ 2014 §4): ATM total variance theta, correlation rho, and phi = phi(theta). */
export interface SsviSlice {
  theta: number;
  rho: number;
  phi: number;
}

/** SSVI total variance w(k) = theta/2 (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)). */
export function ssviTotalVariance(s: SsviSlice, k: number): number {
  const x = s.phi * k + s.rho;
  return (s.theta / 2) * (1 + s.rho * s.phi * k + Math.sqrt(x * x + 1 - s.rho * s.rho));
}

/**
 * The raw SVI form of an SSVI slice (GJ 2014 Lemma 3.3 with the natural-SVI map, Delta = 0, mu = 0,
 * omega = theta, zeta = phi): a = theta/2 (1 - rho^2), b = theta phi / 2, m = -rho / phi,
 * sigma = sqrt(1 - rho^2) / phi, rho unchanged.
 */
export function ssviToRaw(s: SsviSlice): RawSvi {
  const root = Math.sqrt(1 - s.rho * s.rho);
  return { a: (s.theta / 2) * (1 - s.rho * s.rho), b: (s.theta * s.phi) / 2, rho: s.rho, m: -s.rho / s.phi, sigma: root / s.phi };
}

/** Implied vol from total variance at T years: sqrt(w / T); NaN when w < 0 or T <= 0. */
export function volFromTotalVariance(w: number, years: number): number {
  return w >= 0 && years > 0 ? Math.sqrt(w / years) : NaN;
}
