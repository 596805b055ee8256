/**
 * The entropic price of an unhedged short call under GBM, (1/lambda) log E[exp(lambda max(S_T - S0, 0))] (strike
 * = S0, r = 0), by the trapezoid rule in the normal variable over +-10 standard deviations: an independent
 * reference for the hedging tests (no Monte Carlo, no Gauss-Hermite).
 */
import { normPdf } from '../../src-main/core/pricing/normal';

export function exactNoHedgeEntropic(s0: number, sigma: number, t: number, lambda: number): number {
  const n = 40_000;
  const h = 20 / n;
  let sum = 0;
  for (let j = 0; j <= n; j++) {
    const z = -10 + j * h;
    const s = s0 * Math.exp(-0.5 * sigma * sigma * t + sigma * Math.sqrt(t) * z);
    sum += (j === 0 || j === n ? 0.5 : 1) * Math.exp(lambda * Math.max(s - s0, 0)) * normPdf(z) * h;
  }
  return Math.log(sum) / lambda;
}
