/**
 * From one expiry's quotes to the points a smile is fitted to, and the fit's errors against the market.
 *
 * Points: one per strike, from the out-of-the-money option (puts below the forward, calls at and above it; the
 * in-the-money side only when the out-of-the-money one has no IV), because the out-of-the-money price carries the
 * vol with the least rounding. Target IV by `target`:
 *   'bidask'  the middle of the bid and ask IVs where both exist, else the mark IV (fallback);
 *   'mark'    the mark IV.
 * Weights by `weighting`, in vol space, turned into total-variance weights by dw = 2 sigma T dsigma so the fit
 * minimises (approximately) squared vol errors:
 *   'vega'    Black vega per unit forward, phi(d1) sqrt(T): the wings, where a vol point is worth little, count less;
 *   'spread'  1 / half-width^2 of the bid/ask IVs (a quote is as good as its market); mark-IV fallbacks get the
 *             weight of the widest two-sided quote of the slice.
 * Errors: per strike, the mark IV minus the fitted IV in vol points, over the whole slice and between the 5-delta
 * put and the 5-delta call (N(d1) in [0.05, 0.95] at the option's own mark IV), and per option the residual in
 * units of its bid/ask half-width.
 */
import { normCdf, normPdf } from '../pricing/normal';
import type { SliceData } from './quasiExplicit';
import { volFromTotalVariance } from './svi';

/** One option quote of an expiry; IVs are decimals, null when absent. */
export interface SurfaceQuote {
  name: string;
  strike: number;
  isCall: boolean;
  bidIv: number | null;
  askIv: number | null;
  markIv: number | null;
}

/** One expiry's market: time to expiry (ACT/365, > 0), forward (USD) and quotes. */
export interface ExpiryMarket {
  /** A label such as `27MAR26`. */
  label: string;
  expiryMs: number;
  years: number;
  forward: number;
  quotes: readonly SurfaceQuote[];
}

export type FitTarget = 'bidask' | 'mark';
export type FitWeighting = 'vega' | 'spread';

/** The fitted points of a slice plus what the error report needs, one entry per strike. */
export interface SlicePoints extends SliceData {
  strike: Float64Array;
  /** The market IV the point was fitted to. */
  targetIv: Float64Array;
  /** The mark IV of the chosen option (NaN when absent). */
  markIv: Float64Array;
  /** N(d1) at the mark IV: inside [0.05, 0.95] is between the 5-delta put and the 5-delta call. */
  callDelta: Float64Array;
}

const ok = (iv: number | null): iv is number => iv !== null && Number.isFinite(iv) && iv > 0;

/** Chooses the quote of each strike (OTM first) and builds the points. Strikes with no usable IV are left out. */
export function slicePoints(market: ExpiryMarket, target: FitTarget, weighting: FitWeighting): SlicePoints {
  const byStrike = new Map<number, { otm: SurfaceQuote | null; itm: SurfaceQuote | null }>();
  for (const q of market.quotes) {
    const entry = byStrike.get(q.strike) ?? { otm: null, itm: null };
    const outOfTheMoney = q.isCall ? q.strike >= market.forward : q.strike < market.forward;
    if (outOfTheMoney) entry.otm = q;
    else entry.itm = q;
    byStrike.set(q.strike, entry);
  }
  const usable = (q: SurfaceQuote | null): boolean => q !== null && (ok(q.markIv) || (target === 'bidask' && ok(q.bidIv) && ok(q.askIv)));
  const rows: { strike: number; iv: number; halfWidth: number | null; mark: number }[] = [];
  for (const strike of [...byStrike.keys()].sort((a, b) => a - b)) {
    const entry = byStrike.get(strike)!;
    const q = usable(entry.otm) ? entry.otm! : usable(entry.itm) ? entry.itm! : null;
    if (q === null) continue;
    const twoSided = ok(q.bidIv) && ok(q.askIv) && q.askIv >= q.bidIv;
    const mark = ok(q.markIv) ? q.markIv : NaN;
    if (target === 'bidask' && twoSided) rows.push({ strike, iv: (q.bidIv! + q.askIv!) / 2, halfWidth: (q.askIv! - q.bidIv!) / 2, mark });
    else if (ok(q.markIv)) rows.push({ strike, iv: q.markIv, halfWidth: twoSided ? (q.askIv! - q.bidIv!) / 2 : null, mark });
  }
  const n = rows.length;
  const points: SlicePoints = {
    k: new Float64Array(n),
    totalVariance: new Float64Array(n),
    weight: new Float64Array(n),
    strike: new Float64Array(n),
    targetIv: new Float64Array(n),
    markIv: new Float64Array(n),
    callDelta: new Float64Array(n),
  };
  const T = market.years;
  let widest = 0;
  for (const row of rows) if (row.halfWidth !== null) widest = Math.max(widest, row.halfWidth);
  // A half-width floor of 0.1 vol point: a locked or crossed market is not infinitely informative.
  const floor = 0.001;
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    const k = Math.log(row.strike / market.forward);
    const sqrtW = row.iv * Math.sqrt(T);
    const d1 = -k / sqrtW + sqrtW / 2;
    let volWeight: number;
    if (weighting === 'vega') volWeight = normPdf(d1) * Math.sqrt(T);
    else {
      const h = Math.max(row.halfWidth ?? (widest > 0 ? widest : 0.01), floor);
      volWeight = 1 / (h * h);
    }
    points.k[i] = k;
    points.strike[i] = row.strike;
    points.targetIv[i] = row.iv;
    points.totalVariance[i] = row.iv * row.iv * T;
    const dwdv = 2 * row.iv * T;
    points.weight[i] = volWeight / (dwdv * dwdv);
    points.markIv[i] = row.mark;
    const markSqrtW = (Number.isNaN(row.mark) ? row.iv : row.mark) * Math.sqrt(T);
    points.callDelta[i] = normCdf(-k / markSqrtW + markSqrtW / 2);
  }
  return points;
}

/** Root-mean-square of mark IV minus fitted IV in vol points, over all strikes and between the 5-delta wings; null when none. */
export interface SliceErrors {
  /** All strikes with a mark IV. */
  rmseAll: number | null;
  countAll: number;
  /** Strikes between the 5-delta put and the 5-delta call. */
  rmseDelta5: number | null;
  countDelta5: number;
  /** Largest |mark IV - fit| in vol points between the 5-delta put and call. */
  maxAbsDelta5: number | null;
}

/** Errors of a fitted total-variance function against the slice's mark IVs. */
export function sliceErrors(points: SlicePoints, years: number, w: (k: number) => number): SliceErrors {
  let sumAll = 0, nAll = 0, sum5 = 0, n5 = 0, max5 = 0;
  for (let i = 0; i < points.k.length; i++) {
    const mark = points.markIv[i]!;
    if (Number.isNaN(mark)) continue;
    const error = 100 * (mark - volFromTotalVariance(w(points.k[i]!), years));
    sumAll += error * error;
    nAll++;
    const delta = points.callDelta[i]!;
    if (delta >= 0.05 && delta <= 0.95) {
      sum5 += error * error;
      n5++;
      max5 = Math.max(max5, Math.abs(error));
    }
  }
  return {
    rmseAll: nAll > 0 ? Math.sqrt(sumAll / nAll) : null,
    countAll: nAll,
    rmseDelta5: n5 > 0 ? Math.sqrt(sum5 / n5) : null,
    countDelta5: n5,
    maxAbsDelta5: n5 > 0 ? max5 : null,
  };
}

/** Per-option residual of the market to the fitted surface. */
export interface OptionResidual {
  name: string;
  strike: number;
  isCall: boolean;
  k: number;
  fittedIv: number;
  /** Mark IV minus fitted IV, vol points; null without a mark IV. */
  markResidualVolPoints: number | null;
  /** (mid IV - fitted IV) / half-width of the bid/ask IVs; null without a two-sided quote. */
  residualHalfWidths: number | null;
}

export function optionResiduals(market: ExpiryMarket, w: (k: number) => number): OptionResidual[] {
  return market.quotes.map((q) => {
    const k = Math.log(q.strike / market.forward);
    const fittedIv = volFromTotalVariance(w(k), market.years);
    const twoSided = ok(q.bidIv) && ok(q.askIv) && q.askIv > q.bidIv;
    return {
      name: q.name,
      strike: q.strike,
      isCall: q.isCall,
      k,
      fittedIv,
      markResidualVolPoints: ok(q.markIv) ? 100 * (q.markIv - fittedIv) : null,
      residualHalfWidths: twoSided ? ((q.bidIv! + q.askIv!) / 2 - fittedIv) / ((q.askIv! - q.bidIv!) / 2) : null,
    };
  });
}

/** ATM vol and the 25-delta risk reversal and butterfly of a fitted smile (decimal vols). */
export interface SmileSummary {
  atmVariance: number;
  atmIv: number;
  /** IV of the 25-delta call minus that of the 25-delta put. */
  riskReversal25: number | null;
  /** Mean of the 25-delta call and put IVs minus the ATM IV. */
  butterfly25: number | null;
}

/**
 * The k where the call delta N(d1(k)) equals `delta` on the smile (bisection: N(d1) falls in k on an
 * arbitrage-free smile); null when not bracketed in |k| <= 10.
 */
export function strikeForCallDelta(w: (k: number) => number, delta: number): number | null {
  const callDelta = (k: number): number => {
    const s = Math.sqrt(Math.max(w(k), 1e-300));
    return normCdf(-k / s + s / 2);
  };
  let lo = -10, hi = 10;
  if (!(callDelta(lo) >= delta && callDelta(hi) <= delta)) return null;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (callDelta(mid) > delta) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function smileSummary(w: (k: number) => number, years: number): SmileSummary {
  const atmVariance = w(0);
  const atmIv = volFromTotalVariance(atmVariance, years);
  const kCall = strikeForCallDelta(w, 0.25);
  const kPut = strikeForCallDelta(w, 0.75); // the 25-delta put: N(d1) - 1 = -0.25
  if (kCall === null || kPut === null) return { atmVariance, atmIv, riskReversal25: null, butterfly25: null };
  const call = volFromTotalVariance(w(kCall), years);
  const put = volFromTotalVariance(w(kPut), years);
  return { atmVariance, atmIv, riskReversal25: call - put, butterfly25: (call + put) / 2 - atmIv };
}
