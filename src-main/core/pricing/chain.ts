/**
 * Struct-of-arrays Black-76 kernels for whole chains: one Float64Array per field so that one loop prices an
 * expiry and the arrays move to worker threads without copying (transferables). No allocation inside the
 * loops; invalid rows produce NaN instead of throwing, so one bad quote never stops a batch.
 *
 * Model and units: Black-76 on each option's forward (Deribit `underlying_price`), r = 0, USD prices,
 * `years` = ACT/365 time to the 08:00 UTC expiry (see time.ts), `vol` decimal. Outputs are in Deribit's
 * display units unless a field says otherwise.
 */
import { DAYS_PER_YEAR } from './black76';
import { ONE_OVER_SQRT_TWO_PI, normCdfGivenPdf } from './normal';

/** One row per option. `isCall` is 1 for calls, 0 for puts. */
export interface ChainInputs {
  /** Forward of the option's expiry (Deribit `underlying_price`), USD. */
  forward: Float64Array;
  /** Strike, USD. */
  strike: Float64Array;
  /** Time to expiry in ACT/365 years (<= 0: expired). */
  years: Float64Array;
  /** Volatility as a decimal. */
  vol: Float64Array;
  /** 1 = call, 0 = put. */
  isCall: Uint8Array;
}

/** First-order greeks of a chain, Deribit display units (see `computeChainGreeks`). */
export interface ChainGreeks {
  price: Float64Array;
  delta: Float64Array;
  gamma: Float64Array;
  vega: Float64Array;
  theta: Float64Array;
}

/** Allocates output arrays for `count` options (call once per chain size, reuse across ticks). */
export function allocateChainGreeks(count: number): ChainGreeks {
  return {
    price: new Float64Array(count),
    delta: new Float64Array(count),
    gamma: new Float64Array(count),
    vega: new Float64Array(count),
    theta: new Float64Array(count),
  };
}

/**
 * Deribit display units: price USD, delta N(d1) (call) / N(d1)-1 (put), gamma per USD, vega USD per 1 vol
 * point, theta USD per calendar day.
 *
 * Rows `0 .. count-1` of `inputs` are priced into the same rows of `out`. Expired rows (`years <= 0`) get the
 * intrinsic price, a step delta (call 1 / 0, put -1 / 0; +-0.5 exactly at the strike) and zero gamma, vega and
 * theta. Rows with a NaN input, a non-positive forward or strike, or (when not expired) `vol <= 0` get NaN in
 * every output. Price accuracy is ~1e-15 of max(F, K) in absolute terms; for relative accuracy on far
 * out-of-the-money prices (e.g. to invert them) use `black76Price`.
 */
export function computeChainGreeks(inputs: ChainInputs, out: ChainGreeks, count: number): void {
  const { forward, strike, years, vol, isCall } = inputs;
  const { price, delta, gamma, vega, theta } = out;
  for (let i = 0; i < count; i++) {
    const f = forward[i]!;
    const k = strike[i]!;
    const t = years[i]!;
    const v = vol[i]!;
    const call = isCall[i] === 1;
    if (!(f > 0 && k > 0) || Number.isNaN(t) || Number.isNaN(v)) {
      price[i] = NaN; delta[i] = NaN; gamma[i] = NaN; vega[i] = NaN; theta[i] = NaN;
      continue;
    }
    if (t <= 0) {
      const itm = f > k ? 1 : f < k ? 0 : 0.5;
      price[i] = call ? Math.max(f - k, 0) : Math.max(k - f, 0);
      delta[i] = call ? itm : itm - 1;
      gamma[i] = 0; vega[i] = 0; theta[i] = 0;
      continue;
    }
    if (!(v > 0)) {
      price[i] = NaN; delta[i] = NaN; gamma[i] = NaN; vega[i] = NaN; theta[i] = NaN;
      continue;
    }
    const sqrtT = Math.sqrt(t);
    const s = v * sqrtT;
    const invS = 1 / s; // divisions dominate the arithmetic: take each reciprocal once
    const moneyness = f / k;
    const d1 = Math.log(moneyness) * invS + 0.5 * s;
    const d2 = d1 - s;
    const pdf1 = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * d1 * d1);
    // phi(d2) = phi(d1) F/K (d1^2 - d2^2 = 2 ln(F/K)): saves the second exponential.
    const pdf2 = pdf1 * moneyness;
    if (call) {
      const n1 = normCdfGivenPdf(d1, pdf1);
      price[i] = f * n1 - k * normCdfGivenPdf(d2, pdf2);
      delta[i] = n1;
    } else {
      // Puts use Phi(-d) directly, never 1 - Phi(d).
      const m1 = normCdfGivenPdf(-d1, pdf1);
      price[i] = k * normCdfGivenPdf(-d2, pdf2) - f * m1;
      delta[i] = -m1;
    }
    gamma[i] = (pdf1 * invS) / f;
    const fPdf = f * pdf1;
    vega[i] = fPdf * sqrtT * 0.01; // per vol point
    // -F phi sigma / (2 sqrt T) = -F phi sigma^2 / (2 s), per calendar day
    theta[i] = -fPdf * v * v * invS * (0.5 / DAYS_PER_YEAR);
  }
}

/**
 * The full greek set of a chain, Deribit display units plus second-order greeks scaled the same way:
 * rho USD per 1 % rate (Black-Scholes rho K T Phi(+-d2), Deribit's definition), vanna delta per vol point,
 * volga USD of vega-per-vol-point per vol point, charm delta per calendar day, speed gamma per USD, zomma gamma
 * per vol point, color gamma per calendar day; priceCoin = price / forward (Deribit `mark_price`), and
 * deltaPremiumAdjusted = delta - priceCoin (the coin-P&L delta of an inverse option).
 */
export interface ChainFullGreeks extends ChainGreeks {
  rho: Float64Array;
  vanna: Float64Array;
  volga: Float64Array;
  charm: Float64Array;
  speed: Float64Array;
  zomma: Float64Array;
  color: Float64Array;
  priceCoin: Float64Array;
  deltaPremiumAdjusted: Float64Array;
}

/** Allocates output arrays for `computeChainFullGreeks`. */
export function allocateChainFullGreeks(count: number): ChainFullGreeks {
  return {
    ...allocateChainGreeks(count),
    rho: new Float64Array(count),
    vanna: new Float64Array(count),
    volga: new Float64Array(count),
    charm: new Float64Array(count),
    speed: new Float64Array(count),
    zomma: new Float64Array(count),
    color: new Float64Array(count),
    priceCoin: new Float64Array(count),
    deltaPremiumAdjusted: new Float64Array(count),
  };
}

/**
 * Full greek set (units in `ChainFullGreeks`), same row conventions as `computeChainGreeks`: expired rows get
 * intrinsic price, step delta, zero for every other greek (priceCoin and deltaPremiumAdjusted still computed);
 * invalid rows get NaN everywhere.
 */
export function computeChainFullGreeks(inputs: ChainInputs, out: ChainFullGreeks, count: number): void {
  const { forward, strike, years, vol, isCall } = inputs;
  const { price, delta, gamma, vega, theta, rho, vanna, volga, charm, speed, zomma, color, priceCoin, deltaPremiumAdjusted } = out;
  for (let i = 0; i < count; i++) {
    const f = forward[i]!;
    const k = strike[i]!;
    const t = years[i]!;
    const v = vol[i]!;
    const call = isCall[i] === 1;
    if (!(f > 0 && k > 0) || Number.isNaN(t) || Number.isNaN(v) || (t > 0 && !(v > 0))) {
      price[i] = NaN; delta[i] = NaN; gamma[i] = NaN; vega[i] = NaN; theta[i] = NaN; rho[i] = NaN;
      vanna[i] = NaN; volga[i] = NaN; charm[i] = NaN; speed[i] = NaN; zomma[i] = NaN; color[i] = NaN;
      priceCoin[i] = NaN; deltaPremiumAdjusted[i] = NaN;
      continue;
    }
    if (t <= 0) {
      const itm = f > k ? 1 : f < k ? 0 : 0.5;
      const p = call ? Math.max(f - k, 0) : Math.max(k - f, 0);
      const d = call ? itm : itm - 1;
      price[i] = p; delta[i] = d; priceCoin[i] = p / f; deltaPremiumAdjusted[i] = d - p / f;
      gamma[i] = 0; vega[i] = 0; theta[i] = 0; rho[i] = 0;
      vanna[i] = 0; volga[i] = 0; charm[i] = 0; speed[i] = 0; zomma[i] = 0; color[i] = 0;
      continue;
    }
    const sqrtT = Math.sqrt(t);
    const s = v * sqrtT;
    const invS = 1 / s;
    const invT = 1 / t;
    const invV = 1 / v;
    const moneyness = f / k;
    const d1 = Math.log(moneyness) * invS + 0.5 * s;
    const d2 = d1 - s;
    const pdf1 = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * d1 * d1);
    const pdf2 = pdf1 * moneyness;
    let p: number;
    let d: number;
    if (call) {
      const n1 = normCdfGivenPdf(d1, pdf1);
      const n2 = normCdfGivenPdf(d2, pdf2);
      p = f * n1 - k * n2;
      d = n1;
      rho[i] = k * t * n2 * 0.01;
    } else {
      const m1 = normCdfGivenPdf(-d1, pdf1);
      const m2 = normCdfGivenPdf(-d2, pdf2);
      p = k * m2 - f * m1;
      d = -m1;
      rho[i] = -k * t * m2 * 0.01;
    }
    price[i] = p;
    delta[i] = d;
    const invF = 1 / f;
    const pc = p * invF;
    priceCoin[i] = pc;
    deltaPremiumAdjusted[i] = d - pc;
    const g = pdf1 * invS * invF;
    gamma[i] = g;
    const vegaPlain = f * pdf1 * sqrtT;
    vega[i] = vegaPlain * 0.01;
    theta[i] = -vegaPlain * v * invT * (0.5 / DAYS_PER_YEAR);
    const d1d2 = d1 * d2;
    // Plain-unit formulas as in black76Greeks, then display scaling (per vol point, per day).
    vanna[i] = -pdf1 * d2 * invV * 0.01;
    volga[i] = vegaPlain * d1d2 * invV * 1e-4;
    charm[i] = pdf1 * d2 * invT * (0.5 / DAYS_PER_YEAR);
    speed[i] = -g * invF * (1 + d1 * invS);
    zomma[i] = g * (d1d2 - 1) * invV * 0.01;
    color[i] = g * (1 - d1d2) * invT * (0.5 / DAYS_PER_YEAR);
  }
}
