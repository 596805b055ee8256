/**
 * The Surface view's data from one fit, as a plain JSON-safe object (numbers and arrays only; NaN becomes null):
 * per expiry the smile (market bid/ask/mark IV points and the fitted curve over log-moneyness, with the k ranges
 * where a check failed marked), its smile summary and fit quality; the ATM term structure; 25-delta risk
 * reversal and butterfly by expiry; and a moneyness × expiry IV heatmap read from the fitted surface (time
 * interpolation in total variance, fit.ts). Pure: the lead wires it to the API contract and the worker refit.
 */
import { totalVarianceAt, sliceTotalVariance, type SurfaceFit } from './fit';
import type { ExpiryMarket } from './slices';
import { volFromTotalVariance } from './svi';

/** One market point of a smile (IVs decimal, null when absent). */
export interface SmilePoint {
  instrument: string;
  strike: number;
  isCall: boolean;
  k: number;
  bidIv: number | null;
  askIv: number | null;
  markIv: number | null;
  /** Mark IV minus fitted IV, vol points; and the mid's distance to the fit in half-widths. */
  residualVolPoints: number | null;
  residualHalfWidths: number | null;
}

export interface SmileDto {
  label: string;
  expiryMs: number;
  years: number;
  forward: number;
  /** null when the slice could not be fitted (see `reason`). */
  reason: string | null;
  points: SmilePoint[];
  /** The fitted IV at `curveK` (same length); empty when not fitted. */
  curveK: number[];
  curveIv: (number | null)[];
  /** k-intervals where Durrleman's g < 0 (butterfly) or the total variance is below the previous expiry's. */
  butterflyFlags: { kFrom: number; kTo: number }[];
  calendarFlags: { kFrom: number; kTo: number }[];
  atmIv: number | null;
  riskReversal25: number | null;
  butterfly25: number | null;
  /** Vol points; null when no strike lies there. */
  rmseDelta5: number | null;
  rmseAll: number | null;
}

export interface SurfaceSnapshotDto {
  model: string;
  smiles: SmileDto[];
  /** ATM term structure: one entry per fitted expiry. */
  term: { label: string; years: number; atmIv: number | null; riskReversal25: number | null; butterfly25: number | null }[];
  /** IV (decimal, null where undefined) at heatmap.k[i] (columns) × heatmap.years[j] (rows): iv[j][i]. */
  heatmap: { k: number[]; years: number[]; iv: (number | null)[][] };
}

export interface SurfaceSnapshotOptions {
  /** Points of each fitted curve, spread over the slice's market k-range widened by 10 % each side. Default 61. */
  curvePoints?: number;
  /** The heatmap's log-moneyness columns. Default -0.5 .. 0.5 in steps of 0.05. */
  heatmapK?: readonly number[];
}

const orNull = (value: number | null | undefined): number | null => (value === null || value === undefined || !Number.isFinite(value) ? null : value);

const DEFAULT_HEATMAP_K = Array.from({ length: 21 }, (_, i) => Number((-0.5 + 0.05 * i).toFixed(2)));

/** The Surface view's snapshot of `fit`, with the markets it was fitted to (matched by expiry). */
export function surfaceSnapshot(fit: SurfaceFit, markets: readonly ExpiryMarket[], options: SurfaceSnapshotOptions = {}): SurfaceSnapshotDto {
  const curvePoints = options.curvePoints ?? 61;
  const marketByExpiry = new Map(markets.map((m) => [m.expiryMs, m]));
  const smiles = fit.slices.map((slice): SmileDto => {
    const market = marketByExpiry.get(slice.expiryMs);
    const residualByName = new Map(slice.residuals.map((r) => [r.name, r]));
    const points: SmilePoint[] = (market?.quotes ?? []).map((q) => {
      const residual = residualByName.get(q.name);
      return {
        instrument: q.name,
        strike: q.strike,
        isCall: q.isCall,
        k: Math.log(q.strike / slice.forward),
        bidIv: orNull(q.bidIv),
        askIv: orNull(q.askIv),
        markIv: orNull(q.markIv),
        residualVolPoints: orNull(residual?.markResidualVolPoints),
        residualHalfWidths: orNull(residual?.residualHalfWidths),
      };
    });
    const curveK: number[] = [];
    const curveIv: (number | null)[] = [];
    if (slice.params !== null && points.length > 0) {
      let lo = Infinity, hi = -Infinity;
      for (const p of points) {
        lo = Math.min(lo, p.k);
        hi = Math.max(hi, p.k);
      }
      const pad = 0.1 * Math.max(hi - lo, 0.01);
      const w = sliceTotalVariance(slice);
      for (let i = 0; i < curvePoints; i++) {
        const k = lo - pad + ((hi - lo + 2 * pad) * i) / (curvePoints - 1);
        curveK.push(k);
        curveIv.push(orNull(volFromTotalVariance(w(k), slice.years)));
      }
    }
    return {
      label: slice.label,
      expiryMs: slice.expiryMs,
      years: slice.years,
      forward: slice.forward,
      reason: slice.reason,
      points,
      curveK,
      curveIv,
      butterflyFlags: slice.butterfly.map((v) => ({ kFrom: v.kFrom, kTo: v.kTo })),
      calendarFlags: slice.calendar.map((v) => ({ kFrom: v.kFrom, kTo: v.kTo })),
      atmIv: orNull(slice.summary?.atmIv),
      riskReversal25: orNull(slice.summary?.riskReversal25),
      butterfly25: orNull(slice.summary?.butterfly25),
      rmseDelta5: orNull(slice.errors?.rmseDelta5),
      rmseAll: orNull(slice.errors?.rmseAll),
    };
  });
  const fitted = fit.slices.filter((s) => s.params !== null);
  const heatmapK = [...(options.heatmapK ?? DEFAULT_HEATMAP_K)];
  const years = fitted.map((s) => s.years);
  return {
    model: fit.model,
    smiles,
    term: fitted.map((s) => ({
      label: s.label,
      years: s.years,
      atmIv: orNull(s.summary?.atmIv),
      riskReversal25: orNull(s.summary?.riskReversal25),
      butterfly25: orNull(s.summary?.butterfly25),
    })),
    heatmap: {
      k: heatmapK,
      years,
      iv: years.map((t) => heatmapK.map((k) => orNull(volFromTotalVariance(totalVarianceAt(fit, k, t), t)))),
    },
  };
}
