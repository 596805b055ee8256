/**
 * Classical hedge rules as policies, the baselines a learned policy must beat out of sample:
 *
 * - no hedge: position 0;
 * - Black-Scholes delta at the implied vol (rebalanced fully at every step);
 * - Whalley & Wilmott (1997), "An asymptotic analysis of an optimal hedging model for option pricing with
 *   transaction costs", Math. Finance 7(3), eq. (3.8): with exponential utility of absolute risk aversion
 *   gamma and proportional cost eps (cost eps S |dq|), hold the position inside the band
 *   delta +- H, H = (3/2 x exp(-r (T - t)) x eps x S x Gamma^2 / gamma)^(1/3), and trade only to its nearest
 *   edge when outside (r = 0 here);
 * - Leland (1985), "Option pricing and replication with transactions costs", J. Finance 40(5): delta at the
 *   modified vol sigma_L^2 = sigma^2 (1 + sqrt(2/pi) k / (sigma sqrt(dt))), k the round-trip cost = 2 eps
 *   (the short option hedger's enlarged vol).
 */
import { normCdf } from '../pricing/normal';
import { batchImpliedVol, type HedgeBatch, type HedgePolicy, type HedgeState } from './hedging';

export const noHedge: HedgePolicy = {
  name: 'none',
  decide: () => 0,
  decideBatch: (batch, out) => {
    out.fill(0, 0, batch.count);
  },
};

export const bsDeltaPolicy: HedgePolicy = {
  name: 'bs-delta',
  decide: (state) => state.bsDelta,
  decideBatch: (batch, out) => {
    out.set(batch.bsDelta.subarray(0, batch.count));
  },
};

/** Whalley-Wilmott half-width of the no-trade band around delta (units of underlying). */
export function whalleyWilmottHalfWidth(cost: number, riskAversion: number, spot: number, gamma: number): number {
  return Math.cbrt((1.5 * cost * spot * gamma * gamma) / riskAversion);
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Whalley-Wilmott band policy for proportional cost `cost` and exponential risk aversion `riskAversion`. */
export function whalleyWilmottPolicy(cost: number, riskAversion: number): HedgePolicy {
  if (!(cost >= 0)) throw new RangeError(`Whalley-Wilmott cost must be non-negative, got ${String(cost)}`);
  if (!(riskAversion > 0)) throw new RangeError(`Whalley-Wilmott risk aversion must be positive, got ${String(riskAversion)}`);
  const decideOne = (delta: number, spot: number, gamma: number, previous: number): number => {
    const h = whalleyWilmottHalfWidth(cost, riskAversion, spot, gamma);
    return clamp(previous, delta - h, delta + h);
  };
  return {
    name: 'ww',
    decide: (s: HedgeState) => decideOne(s.bsDelta, s.spot, s.bsGamma, s.previousPosition),
    decideBatch: (b: HedgeBatch, out: Float64Array) => {
      for (let i = 0; i < b.count; i++) out[i] = decideOne(b.bsDelta[i]!, b.spot[i]!, b.bsGamma[i]!, b.previousPosition[i]!);
    },
  };
}

/** Leland's modified vol for one-way proportional cost `cost` and rebalancing interval `dt` years. */
export function lelandVol(sigma: number, cost: number, dt: number): number {
  return sigma * Math.sqrt(1 + (Math.sqrt(2 / Math.PI) * 2 * cost) / (sigma * Math.sqrt(dt)));
}

/** Leland delta: Black-Scholes delta at {@link lelandVol} of the implied vol. */
export function lelandPolicy(cost: number, dt: number, isCall: boolean): HedgePolicy {
  if (!(cost >= 0 && dt > 0)) throw new RangeError(`Leland needs cost >= 0 and dt > 0, got ${String(cost)}, ${String(dt)}`);
  const decideOne = (x: number, tau: number, sigma: number): number => {
    const s = lelandVol(sigma, cost, dt) * Math.sqrt(Math.max(tau, 0));
    if (!(s > 0)) {
      const itm = x > 0 ? 1 : x < 0 ? 0 : 0.5;
      return isCall ? itm : itm - 1;
    }
    const d1 = x / s + 0.5 * s;
    return isCall ? normCdf(d1) : -normCdf(-d1);
  };
  return {
    name: 'leland',
    decide: (s: HedgeState) => decideOne(s.logMoneyness, s.timeToMaturity, s.impliedVol),
    decideBatch: (b: HedgeBatch, out: Float64Array) => {
      for (let i = 0; i < b.count; i++) out[i] = decideOne(b.logMoneyness[i]!, b.timeToMaturity, batchImpliedVol(b, i));
    },
  };
}
