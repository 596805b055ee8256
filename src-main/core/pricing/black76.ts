/**
 * Black-76 on an expiry's forward, Deribit's model: European options on the forward F (Deribit's
 * `underlying_price`), r = 0, so prices are undiscounted. Prices are in USD per 1 unit of underlying (1 BTC /
 * 1 ETH contract); Deribit quotes inverse options in coin = USD price / F.
 *
 * Units ("plain" = mathematical derivatives):
 *   price USD; delta dV/dF; gamma d2V/dF2 per USD; vega dV/dsigma per 1.00 vol; theta dV/dt per calendar
 *   year (F fixed); rho dV/dr per 1.00 rate; vanna d2V/dF dsigma; volga d2V/dsigma2; charm d(delta)/dt per
 *   year; speed d(gamma)/dF; zomma d(gamma)/dsigma; color d(gamma)/dt per year.
 * `toDeribitDisplay` converts to what Deribit shows (vega per vol point, theta per day, rho per 1 %).
 *
 * Rho: with r = 0 Black-76 on a fixed forward has rho = -T V (only the discount factor depends on r). Deribit
 * instead publishes the Black-Scholes rho with the forward tied to spot, F = S e^{rT}: rho = K T Phi(d2) (call),
 * -K T Phi(-d2) (put). The recorded tickers match that second definition, so it is the one reported here.
 */
import { normCdf, normPdf } from './normal';
import { normalisedBlackCall } from './normalizedBlack';

/** Calendar days per year (ACT/365, Deribit): theta per day = theta per year / 365. */
export const DAYS_PER_YEAR = 365;

/**
 * Undiscounted Black-76 price (r = 0) in the forward's currency (USD for Deribit).
 *
 * Accurate to ~1e-15 relative also for far out-of-the-money options (the time value is computed with Jäckel's
 * normalised Black function, not as a difference of two nearly equal terms); in-the-money options are intrinsic
 * (exact) plus the out-of-the-money counterpart. `years <= 0` and vol 0 give the intrinsic value; invalid
 * inputs (non-positive forward or strike, negative vol before expiry, NaN) give NaN.
 */
export function black76Price(forward: number, strike: number, years: number, vol: number, isCall: boolean): number {
  if (!(forward > 0 && strike > 0) || Number.isNaN(years) || Number.isNaN(vol)) return NaN;
  const intrinsic = isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0);
  if (years <= 0) return intrinsic;
  if (!(vol >= 0)) return NaN;
  if (vol === 0) return intrinsic;
  const s = vol * Math.sqrt(years);
  // Out-of-the-money time value: the OTM call on ln(min/max) has the same time value as either option
  // (put-call parity), b(-|x|, s) sqrt(F K).
  const x = -Math.abs(Math.log(forward / strike));
  return intrinsic + Math.sqrt(forward) * Math.sqrt(strike) * normalisedBlackCall(x, s);
}

/** Black-76 greeks in plain units (see the file comment for each unit). */
export interface Black76Greeks {
  /** Undiscounted price, USD. */
  price: number;
  /** dV/dF: N(d1) for a call, N(d1) - 1 = -N(-d1) for a put. Not premium-adjusted. */
  delta: number;
  /** d2V/dF2, per USD of forward. */
  gamma: number;
  /** dV/dsigma, USD per 1.00 (100 vol points). */
  vega: number;
  /** dV/dt, USD per calendar year with F fixed (negative = decay). */
  theta: number;
  /** Black-Scholes rho K T Phi(+-d2), USD per 1.00 rate (Deribit's definition; see the file comment). */
  rho: number;
  /** d(delta)/dsigma = d(vega)/dF, per 1.00 vol. */
  vanna: number;
  /** d2V/dsigma2 (vomma), USD per 1.00 vol squared. */
  volga: number;
  /** d(delta)/dt, per calendar year (F fixed). */
  charm: number;
  /** d(gamma)/dF, per USD squared. */
  speed: number;
  /** d(gamma)/dsigma, per USD per 1.00 vol. */
  zomma: number;
  /** d(gamma)/dt, per USD per calendar year. */
  color: number;
  /** d1 = ln(F/K)/(sigma sqrt T) + sigma sqrt(T)/2. */
  d1: number;
  /** d2 = d1 - sigma sqrt T. */
  d2: number;
}

const NAN_GREEKS: Readonly<Black76Greeks> = Object.freeze({
  price: NaN, delta: NaN, gamma: NaN, vega: NaN, theta: NaN, rho: NaN,
  vanna: NaN, volga: NaN, charm: NaN, speed: NaN, zomma: NaN, color: NaN, d1: NaN, d2: NaN,
});

/**
 * Full Black-76 greek set in plain units (r = 0, undiscounted).
 *
 * Expired options (`years <= 0`) return the intrinsic value, a step delta (call 1 above the strike, 0 below,
 * 0.5 exactly at it; put -1/0/-0.5) and zero for every other greek; d1/d2 are +-Infinity. Deribit's own decay of
 * the displayed delta over the last 30 minutes is not modelled here (see `settlementPhase` in time.ts).
 * NaN inputs, a non-positive forward or strike, or (when not expired) vol <= 0 return all NaN (never throws).
 */
export function black76Greeks(forward: number, strike: number, years: number, vol: number, isCall: boolean): Black76Greeks {
  // Same row rules as the chain kernels: NaN input or non-positive F/K -> NaN; expired -> intrinsic and step
  // delta whatever the vol; otherwise vol <= 0 -> NaN.
  if (!(forward > 0 && strike > 0) || Number.isNaN(years) || Number.isNaN(vol)) return { ...NAN_GREEKS };
  if (years <= 0) return expiredGreeks(forward, strike, isCall);
  if (!(vol > 0)) return { ...NAN_GREEKS };
  const sqrtT = Math.sqrt(years);
  const s = vol * sqrtT;
  const d1 = Math.log(forward / strike) / s + 0.5 * s;
  const d2 = d1 - s;
  const pdf = normPdf(d1);
  const price = black76Price(forward, strike, years, vol, isCall);
  // Puts use Phi(-d) directly (no 1 - Phi cancellation).
  const delta = isCall ? normCdf(d1) : -normCdf(-d1);
  const gamma = pdf / (forward * s);
  const vega = forward * pdf * sqrtT;
  const theta = (-forward * pdf * vol) / (2 * sqrtT);
  const rho = isCall ? strike * years * normCdf(d2) : -strike * years * normCdf(-d2);
  const vanna = (-pdf * d2) / vol;
  const volga = (vega * d1 * d2) / vol;
  // d(d1)/dT = -d2/(2T), so d(delta)/dt (calendar, t = -T) = phi(d1) d2 / (2T), for calls and puts alike.
  const charm = (pdf * d2) / (2 * years);
  const speed = (-gamma / forward) * (1 + d1 / s);
  const zomma = (gamma * (d1 * d2 - 1)) / vol;
  const color = (gamma * (1 - d1 * d2)) / (2 * years);
  return { price, delta, gamma, vega, theta, rho, vanna, volga, charm, speed, zomma, color, d1, d2 };
}

function expiredGreeks(forward: number, strike: number, isCall: boolean): Black76Greeks {
  const intrinsic = isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0);
  const itm = forward > strike ? 1 : forward < strike ? 0 : 0.5;
  const delta = isCall ? itm : itm - 1;
  const sign = forward > strike ? Infinity : forward < strike ? -Infinity : 0;
  return {
    price: intrinsic, delta, gamma: 0, vega: 0, theta: 0, rho: 0,
    vanna: 0, volga: 0, charm: 0, speed: 0, zomma: 0, color: 0, d1: sign, d2: sign,
  };
}

/** Greeks as Deribit displays them, plus the coin-P&L delta and display-scaled second-order greeks. */
export interface DeribitDisplayGreeks {
  /** Price in USD. */
  priceUsd: number;
  /** Mark price in coin: USD price / forward (Deribit's `mark_price` for inverse options). */
  priceCoin: number;
  /** N(d1) (call) / N(d1) - 1 (put), not premium-adjusted: Deribit's `delta`. */
  delta: number;
  /**
   * Coin-P&L (premium-adjusted) delta: delta - price in coin. What a coin-margined holder of an inverse option
   * must hedge, because the premium itself is a coin amount that moves with F.
   */
  deltaPremiumAdjusted: number;
  /** Per USD of forward (Deribit `gamma`). */
  gamma: number;
  /** USD per 1 vol point (Deribit `vega`). */
  vega: number;
  /** USD per calendar day (Deribit `theta`). */
  theta: number;
  /** USD per 1 % rate (Deribit `rho`). */
  rho: number;
  /** Change of delta per 1 vol point. */
  vanna: number;
  /** Change of vega (USD per vol point) per 1 vol point. */
  volga: number;
  /** Change of delta per calendar day. */
  charm: number;
  /** Change of gamma per USD of forward. */
  speed: number;
  /** Change of gamma per 1 vol point. */
  zomma: number;
  /** Change of gamma per calendar day. */
  color: number;
}

/** Converts plain-unit greeks to Deribit's display units (the forward is needed for the coin values). */
export function toDeribitDisplay(greeks: Black76Greeks, forward: number): DeribitDisplayGreeks {
  const priceCoin = greeks.price / forward;
  return {
    priceUsd: greeks.price,
    priceCoin,
    delta: greeks.delta,
    deltaPremiumAdjusted: greeks.delta - priceCoin,
    gamma: greeks.gamma,
    vega: greeks.vega / 100,
    theta: greeks.theta / DAYS_PER_YEAR,
    rho: greeks.rho / 100,
    vanna: greeks.vanna / 100,
    volga: greeks.volga / 1e4,
    charm: greeks.charm / DAYS_PER_YEAR,
    speed: greeks.speed,
    zomma: greeks.zomma / 100,
    color: greeks.color / DAYS_PER_YEAR,
  };
}

/**
 * Value of an inverse option in coin, V / F, and its sensitivity to F in coin per USD:
 * d(V/F)/dF = (delta - V/F) / F. Times F this is the premium-adjusted delta (in coin per 1 relative move).
 */
export function black76CoinValue(forward: number, strike: number, years: number, vol: number, isCall: boolean): { priceCoin: number; deltaPremiumAdjusted: number } {
  const g = black76Greeks(forward, strike, years, vol, isCall);
  const priceCoin = g.price / forward;
  return { priceCoin, deltaPremiumAdjusted: g.delta - priceCoin };
}
