/**
 * Generalized Black-Scholes-Merton (Haug, "The Complete Guide to Option Pricing Formulas", 2nd ed., 1.1.6):
 * spot S, continuous rate r, cost of carry b (b = r - q for a dividend yield / foreign rate q, b = 0 for an
 * option on a future, which is discounted Black-76). It is the textbook counterpart of the Black-76 Deribit
 * model (black76.ts). The product prices on forwards only, so this lives with the tests: it checks the published
 * cases quoted on spot with rates (Haug, Hull, QuantLib's test suite) against the same normal-distribution code.
 *
 * Units (plain): delta dV/dS; gamma d2V/dS2; vega per 1.00 vol; theta dV/dt per calendar year (S fixed);
 * rho dV/dr (q fixed; for b = 0, F fixed: -T V); dividendRho dV/dq; vanna, volga per 1.00 vol; charm
 * d(delta)/dt per year; speed, zomma, color likewise.
 */
import { normCdf, normPdf } from '../../../../src-main/core/pricing/normal';
import { normalisedBlackCall } from '../../../../src-main/core/pricing/normalizedBlack';

/** Plain-unit BSM greeks; see the file comment for units. */
export interface BsmGreeks {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
  dividendRho: number;
  vanna: number;
  volga: number;
  charm: number;
  speed: number;
  zomma: number;
  color: number;
  d1: number;
  d2: number;
}

/** Undiscounted Black price on the forward with the accurate normalised kernel (shared by the BSM paths). */
function forwardPrice(forward: number, strike: number, sigmaSqrtT: number, isCall: boolean): number {
  const intrinsic = isCall ? Math.max(forward - strike, 0) : Math.max(strike - forward, 0);
  return intrinsic + Math.sqrt(forward) * Math.sqrt(strike) * normalisedBlackCall(-Math.abs(Math.log(forward / strike)), sigmaSqrtT);
}

/**
 * Greeks of a European option under generalized BSM with cost of carry `carry` (b). `rhoWithForwardFixed`
 * selects the Black-76 rho (-T V) instead of dV/dr at fixed q. Invalid inputs give NaN fields; T <= 0 is not
 * supported here (NaN), use black76Greeks for expiry handling.
 */
function generalizedGreeks(spot: number, strike: number, years: number, rate: number, carry: number, vol: number, isCall: boolean, rhoWithForwardFixed: boolean): BsmGreeks {
  const sqrtT = Math.sqrt(years);
  const s = vol * sqrtT;
  const carryDiscount = Math.exp((carry - rate) * years); // e^{(b-r)T}
  const discount = Math.exp(-rate * years);
  const forward = spot * Math.exp(carry * years);
  const d1 = (Math.log(spot / strike) + carry * years) / s + 0.5 * s;
  const d2 = d1 - s;
  const pdf = normPdf(d1);
  const price = discount * forwardPrice(forward, strike, s, isCall);
  // Puts use Phi(-d) directly.
  const nd1 = isCall ? normCdf(d1) : normCdf(-d1);
  const nd2 = isCall ? normCdf(d2) : normCdf(-d2);
  const sign = isCall ? 1 : -1;
  const delta = sign * carryDiscount * nd1;
  const gamma = (carryDiscount * pdf) / (spot * s);
  const vega = spot * carryDiscount * pdf * sqrtT;
  const theta =
    (-spot * carryDiscount * pdf * vol) / (2 * sqrtT) -
    sign * (carry - rate) * spot * carryDiscount * nd1 -
    sign * rate * strike * discount * nd2;
  const rho = rhoWithForwardFixed ? -years * price : sign * strike * years * discount * nd2;
  const dividendRho = -sign * years * spot * carryDiscount * nd1;
  const vanna = (-carryDiscount * pdf * d2) / vol;
  const volga = (vega * d1 * d2) / vol;
  // d(d1)/dT = b/(sigma sqrt T) - d2/(2T); charm and color are minus the T-derivatives (calendar time).
  const dd1dT = carry / s - d2 / (2 * years);
  const charm = -(sign * (carry - rate) * carryDiscount * nd1 + carryDiscount * pdf * dd1dT);
  const speed = (-gamma / spot) * (1 + d1 / s);
  const zomma = (gamma * (d1 * d2 - 1)) / vol;
  const color = -gamma * (carry - rate - d1 * dd1dT - 1 / (2 * years));
  return { price, delta, gamma, vega, theta, rho, dividendRho, vanna, volga, charm, speed, zomma, color, d1, d2 };
}

function invalid(spot: number, strike: number, years: number, vol: number): boolean {
  return !(spot > 0 && strike > 0 && years > 0 && vol > 0);
}

const NAN_BSM: Readonly<BsmGreeks> = Object.freeze({
  price: NaN, delta: NaN, gamma: NaN, vega: NaN, theta: NaN, rho: NaN, dividendRho: NaN,
  vanna: NaN, volga: NaN, charm: NaN, speed: NaN, zomma: NaN, color: NaN, d1: NaN, d2: NaN,
});

/**
 * Generalized BSM price: spot, strike, years (> 0), continuous rate r, continuous dividend yield q (b = r - q),
 * decimal vol. NaN for invalid inputs.
 */
export function bsmPrice(spot: number, strike: number, years: number, rate: number, dividendYield: number, vol: number, isCall: boolean): number {
  if (invalid(spot, strike, years, vol)) return NaN;
  const forward = spot * Math.exp((rate - dividendYield) * years);
  return Math.exp(-rate * years) * forwardPrice(forward, strike, vol * Math.sqrt(years), isCall);
}

/** Generalized BSM greeks (b = r - q), plain units; rho is dV/dr at fixed q. NaN fields for invalid inputs. */
export function bsmGreeks(spot: number, strike: number, years: number, rate: number, dividendYield: number, vol: number, isCall: boolean): BsmGreeks {
  if (invalid(spot, strike, years, vol)) return { ...NAN_BSM };
  return generalizedGreeks(spot, strike, years, rate, rate - dividendYield, vol, isCall, false);
}

/**
 * Discounted Black-76 (an option on a future with a rate r for the premium): BSM with b = 0 and S = F.
 * delta = dV/dF, theta with F fixed, rho = dV/dr with F fixed = -T V. With r = 0 this is black76Greeks.
 */
export function black76DiscountedGreeks(forward: number, strike: number, years: number, rate: number, vol: number, isCall: boolean): BsmGreeks {
  if (invalid(forward, strike, years, vol)) return { ...NAN_BSM };
  return generalizedGreeks(forward, strike, years, rate, 0, vol, isCall, true);
}
