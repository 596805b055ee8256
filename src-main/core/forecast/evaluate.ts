/**
 * Forecast losses and the Diebold-Mariano test.
 *
 * QLIKE(y, f) = y/f - ln(y/f) - 1 (the reference's definition: 0 at f = y, robust to noise in the realized proxy
 * y in the sense of Patton 2011); MSE = (y - f)^2. Both on variances. A realized variance of 0 (a zero daily return
 * in a daily-close file) makes QLIKE infinite: such points are skipped and counted, never silently averaged.
 *
 * Diebold-Mariano (1995) with the Harvey-Leybourne-Newbold (1997) small-sample factor: d_t = L(model) - L(HAR),
 * DM = mean(d) / sqrt(V / n) with V the Newey-West (Bartlett) long-run variance of d using h - 1 lags (h-step
 * forecasts overlap, so their errors are MA(h-1)); p-value two-sided from the normal distribution (n is in the
 * hundreds here, where Student's t and the normal agree to the third decimal). DM < 0: the model has lower loss.
 */
import { normCdf } from '../pricing/normal';

export const qlike = (realized: number, forecast: number): number => realized / forecast - Math.log(realized / forecast) - 1;
export const squaredError = (realized: number, forecast: number): number => (realized - forecast) ** 2;

/**
 * Exponentially weighted moving average seeded with the first value: e_0 = x_0, e_t = lambda e_{t-1} + (1 - lambda) x_t.
 * RiskMetrics (1996) daily decay lambda = 0.94; its value at t is the forecast for t + 1 (and, flat, for every later
 * day). Matches pandas `ewm(alpha = 1 - lambda)` to 1e-15 after a few hundred values.
 */
export function ewmaSeries(values: readonly number[], lambda: number): number[] {
  if (!(lambda > 0 && lambda < 1)) throw new RangeError(`EWMA decay must be in (0, 1), got ${lambda}`);
  const out: number[] = [];
  let e = NaN;
  values.forEach((x, i) => {
    e = i === 0 ? x : lambda * e + (1 - lambda) * x;
    out.push(e);
  });
  return out;
}

export interface DieboldMariano {
  /** The statistic (negative: the first loss series is lower). Null with fewer than 10 pairs or zero variance. */
  statistic: number | null;
  /** Two-sided p-value, or null. */
  pValue: number | null;
  /** Mean loss difference. */
  meanDifference: number;
  observations: number;
  reason: string | null;
}

/** DM test of equal predictive accuracy for two aligned loss series at forecast horizon h (steps). */
export function dieboldMariano(lossA: readonly number[], lossB: readonly number[], horizon: number): DieboldMariano {
  if (lossA.length !== lossB.length) throw new RangeError(`Diebold-Mariano needs aligned losses, got ${lossA.length} and ${lossB.length}`);
  const n = lossA.length;
  const d = lossA.map((a, i) => a - lossB[i]!);
  const mean = d.reduce((s, v) => s + v, 0) / Math.max(n, 1);
  if (n < 10) return { statistic: null, pValue: null, meanDifference: mean, observations: n, reason: `only ${n} forecast pairs (need 10)` };
  const lags = Math.min(horizon - 1, n - 1);
  const autocovariance = (k: number): number => {
    let s = 0;
    for (let t = k; t < n; t++) s += (d[t]! - mean) * (d[t - k]! - mean);
    return s / n;
  };
  let longRun = autocovariance(0);
  for (let k = 1; k <= lags; k++) longRun += 2 * (1 - k / (lags + 1)) * autocovariance(k);
  if (!(longRun > 0)) return { statistic: null, pValue: null, meanDifference: mean, observations: n, reason: 'the loss difference has zero variance' };
  const h = horizon;
  const correction = Math.sqrt((n + 1 - 2 * h + (h * (h - 1)) / n) / n);
  const statistic = (correction * mean) / Math.sqrt(longRun / n);
  return { statistic, pValue: 2 * normCdf(-Math.abs(statistic)), meanDifference: mean, observations: n, reason: null };
}
