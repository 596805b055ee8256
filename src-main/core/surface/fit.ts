/**
 * A volatility surface for one currency: every expiry's smile fitted (raw SVI, SSVI or eSSVI), each slice given as
 * raw SVI parameters in total variance over k = ln(K/F), with its errors against the market, its smile summary
 * (ATM variance, 25-delta risk reversal and butterfly), per-option residuals, and both arbitrage checks. Pure.
 *
 * Models:
 *   'svi'    raw SVI per expiry, quasi-explicit (quasiExplicit.ts): the closest fit; no cross-expiry constraint,
 *            so calendar violations can occur and are reported.
 *   'ssvi'   SSVI with power-law phi (ssvi.ts): arbitrage-free by construction, 3 shared parameters.
 *   'essvi'  eSSVI: rho by expiry, arbitrage-free by construction.
 * For SSVI and eSSVI the ATM total variance theta of each expiry is that of its raw SVI fit at k = 0 (the market's
 * ATM variance smoothed), made non-decreasing in T.
 *
 * Interpolation in time: total variance linear in T between expiries at each k (flat forward variance), w T/T_1
 * before the first expiry and w T/T_n after the last (constant vol); for SSVI and eSSVI theta is interpolated so,
 * and rho psi linearly in theta (Corbetta et al. 2019), which keeps the interpolated slices inside the same
 * conditions. Extrapolation in k is the fitted formula itself: its wings are linear with slopes b (1 +- rho) <= 2,
 * Lee's moment bounds (imposed in every calibration and checked in `lee`).
 */
import { DEFAULT_CHECK_GRID, butterflyViolations, calendarViolations, leeBoundProblem, type ArbitrageViolation, type CheckGrid } from './arbitrage';
import { calibrateRawSvi, type SliceData } from './quasiExplicit';
import { optionResiduals, sliceErrors, slicePoints, smileSummary, type ExpiryMarket, type FitTarget, type FitWeighting, type OptionResidual, type SliceErrors, type SlicePoints, type SmileSummary } from './slices';
import { fitEssvi, fitSsvi, monotoneThetas, powerLawPhi } from './ssvi';
import { ssviToRaw, ssviTotalVariance, sviTotalVariance, type RawSvi, type SsviSlice } from './svi';

export type SurfaceModel = 'svi' | 'ssvi' | 'essvi';
export const SURFACE_MODELS: readonly SurfaceModel[] = ['svi', 'ssvi', 'essvi'];

export interface SurfaceFitOptions {
  model: SurfaceModel;
  /** Default 'bidask' (mark IV where a strike has no two-sided quote). */
  target?: FitTarget;
  /** Default 'vega'. */
  weighting?: FitWeighting;
  /** A previous fit of the same currency: its slices start the searches (refit). */
  previous?: SurfaceFit;
}

export interface SliceReport {
  label: string;
  expiryMs: number;
  years: number;
  forward: number;
  /** Strikes fitted. */
  points: number;
  /** Raw SVI of the fitted slice (SSVI slices converted); null when the slice could not be fitted (see reason). */
  params: RawSvi | null;
  /** The SSVI form, for 'ssvi' and 'essvi'. */
  ssvi: SsviSlice | null;
  reason: string | null;
  errors: SliceErrors | null;
  summary: SmileSummary | null;
  /** Durrleman g < 0 intervals on the check grid. */
  butterfly: ArbitrageViolation[];
  /** Intervals where this slice's total variance is below the previous fitted expiry's. */
  calendar: ArbitrageViolation[];
  /** Lee's wing bound broken, or null. */
  lee: string | null;
  residuals: OptionResidual[];
  /** Objective evaluations spent on this slice (raw SVI). */
  evaluations: number;
}

export interface SurfaceFit {
  model: SurfaceModel;
  target: FitTarget;
  weighting: FitWeighting;
  slices: SliceReport[];
  /** Shared SSVI/eSSVI parameters (rho only for SSVI); null for 'svi'. */
  shared: { eta: number; gamma: number; rho: number | null } | null;
  grid: CheckGrid;
}

const MIN_POINTS = 5;

function rawFit(points: SliceData, previous: RawSvi | null): { params: RawSvi; evaluations: number } {
  const fit = calibrateRawSvi(points, previous === null ? {} : { start: previous });
  return { params: fit.params, evaluations: fit.evaluations };
}

/** The total-variance function of a fitted slice. */
export function sliceTotalVariance(slice: Pick<SliceReport, 'params'>): (k: number) => number {
  const params = slice.params;
  if (params === null) return () => NaN;
  return (k) => sviTotalVariance(params, k);
}

/** Fits one currency's expiries (any order; reported by T). Expiries with T <= 0 or < 5 strikes get a reason. */
export function fitSurface(markets: readonly ExpiryMarket[], options: SurfaceFitOptions): SurfaceFit {
  const target = options.target ?? 'bidask';
  const weighting = options.weighting ?? 'vega';
  const sorted = [...markets].sort((a, b) => a.years - b.years);
  const previousByExpiry = new Map((options.previous?.slices ?? []).map((s) => [s.expiryMs, s]));
  const prepared = sorted.map((market) => {
    const points: SlicePoints | null = market.years > 0 && market.forward > 0 ? slicePoints(market, target, weighting) : null;
    let reason: string | null = null;
    if (!(market.years > 0)) reason = Number.isNaN(market.years) ? 'no time to expiry (T is not a number)' : 'expired (T <= 0)';
    else if (!(market.forward > 0)) reason = `no forward (got ${market.forward})`;
    else if (points!.k.length < MIN_POINTS) reason = `only ${points!.k.length} strikes with an IV (raw SVI needs ${MIN_POINTS})`;
    return { market, points, reason };
  });
  const fittable = prepared.filter((p) => p.reason === null);
  // Raw SVI for every fittable slice: the 'svi' answer, and theta for SSVI/eSSVI.
  const raw = fittable.map((p) => rawFit(p.points!, previousByExpiry.get(p.market.expiryMs)?.params ?? null));
  let ssviSlices: (SsviSlice | null)[] = fittable.map(() => null);
  let shared: SurfaceFit['shared'] = null;
  if (options.model !== 'svi' && fittable.length > 0) {
    const thetas = monotoneThetas(raw.map((r) => sviTotalVariance(r.params, 0)));
    const inputs = fittable.map((p, i) => ({ years: p.market.years, theta: thetas[i]!, data: p.points! }));
    const previousShared = options.previous?.model === options.model ? options.previous.shared : null;
    if (options.model === 'ssvi') {
      const fit = fitSsvi(inputs, previousShared && previousShared.rho !== null ? { rho: previousShared.rho, eta: previousShared.eta, gamma: previousShared.gamma } : undefined);
      ssviSlices = fit.slices;
      shared = { eta: fit.eta, gamma: fit.gamma, rho: fit.slices[0]!.rho };
    } else {
      const fit = fitEssvi(inputs, previousShared ?? undefined);
      ssviSlices = fit.slices;
      shared = { eta: fit.eta, gamma: fit.gamma, rho: null };
    }
  }
  const reports: SliceReport[] = [];
  let fitIndex = 0;
  let previousW: ((k: number) => number) | null = null;
  for (const { market, points, reason } of prepared) {
    if (reason !== null) {
      reports.push({
        label: market.label, expiryMs: market.expiryMs, years: market.years, forward: market.forward, points: points?.k.length ?? 0,
        params: null, ssvi: null, reason, errors: null, summary: null, butterfly: [], calendar: [], lee: null, residuals: [], evaluations: 0,
      });
      continue;
    }
    const i = fitIndex++;
    const ssvi = ssviSlices[i] ?? null;
    const params = ssvi === null ? raw[i]!.params : ssviToRaw(ssvi);
    const w = ssvi === null ? (k: number): number => sviTotalVariance(params, k) : (k: number): number => ssviTotalVariance(ssvi, k);
    const grid = DEFAULT_CHECK_GRID;
    reports.push({
      label: market.label,
      expiryMs: market.expiryMs,
      years: market.years,
      forward: market.forward,
      points: points!.k.length,
      params,
      ssvi,
      reason: null,
      errors: sliceErrors(points!, market.years, w),
      summary: smileSummary(w, market.years),
      butterfly: butterflyViolations(params, grid),
      calendar: previousW === null ? [] : calendarViolations(previousW, w, grid),
      lee: leeBoundProblem(params),
      residuals: optionResiduals(market, w),
      evaluations: raw[i]!.evaluations,
    });
    previousW = w;
  }
  return { model: options.model, target, weighting, slices: reports, shared, grid: DEFAULT_CHECK_GRID };
}

/**
 * Refits one expiry of a raw SVI surface after its quotes changed, from its previous parameters (the live path:
 * a quote moves, only its slice is refitted). Calendar checks against the neighbours are redone.
 */
export function refitSlice(fit: SurfaceFit, market: ExpiryMarket): SurfaceFit {
  if (fit.model !== 'svi') throw new RangeError(`refitSlice refits raw SVI slices; refit an ${fit.model} surface with fitSurface(markets, { previous })`);
  const index = fit.slices.findIndex((s) => s.expiryMs === market.expiryMs);
  const single = fitSurface([market], { model: 'svi', target: fit.target, weighting: fit.weighting, previous: fit }).slices[0]!;
  const slices = fit.slices.slice();
  if (index === -1) slices.push(single);
  else slices[index] = single;
  slices.sort((a, b) => a.years - b.years);
  // Calendar checks of the changed slice and of its successor.
  for (let i = 0; i < slices.length; i++) {
    const current = slices[i]!;
    if (current.params === null) continue;
    const before = slices.slice(0, i).reverse().find((s) => s.params !== null);
    if (current.expiryMs === market.expiryMs || before?.expiryMs === market.expiryMs) {
      slices[i] = { ...current, calendar: before === undefined ? [] : calendarViolations(sliceTotalVariance(before), sliceTotalVariance(current), fit.grid) };
    }
  }
  return { ...fit, slices };
}

/**
 * Total variance at log-moneyness k and any time T (years), from the fitted slices: linear in T between expiries at
 * fixed k (flat forward variance), w_1 T/T_1 before the first, w_n T/T_n after the last. For SSVI/eSSVI fits the
 * slice in between is the SSVI slice with theta linear in T, psi = theta phi(theta) and rho psi linear in theta.
 * NaN when the fit has no slice.
 */
export function totalVarianceAt(fit: SurfaceFit, k: number, years: number): number {
  const slices = fit.slices.filter((s) => s.params !== null);
  if (slices.length === 0 || !(years > 0)) return NaN;
  const first = slices[0]!;
  const last = slices[slices.length - 1]!;
  if (years <= first.years) return (sliceTotalVariance(first)(k) * years) / first.years;
  if (years >= last.years) return (sliceTotalVariance(last)(k) * years) / last.years;
  let j = 1;
  while (slices[j]!.years < years) j++;
  const lo = slices[j - 1]!;
  const hi = slices[j]!;
  const t = (years - lo.years) / (hi.years - lo.years);
  if (fit.shared !== null && lo.ssvi !== null && hi.ssvi !== null) {
    const theta = lo.ssvi.theta + t * (hi.ssvi.theta - lo.ssvi.theta);
    const phi = powerLawPhi(theta, fit.shared.eta, fit.shared.gamma);
    const psi = theta * phi;
    const psiLo = lo.ssvi.theta * lo.ssvi.phi;
    const psiHi = hi.ssvi.theta * hi.ssvi.phi;
    const u = hi.ssvi.theta > lo.ssvi.theta ? (theta - lo.ssvi.theta) / (hi.ssvi.theta - lo.ssvi.theta) : t;
    const rhoPsi = lo.ssvi.rho * psiLo + u * (hi.ssvi.rho * psiHi - lo.ssvi.rho * psiLo);
    return ssviTotalVariance({ theta, rho: rhoPsi / psi, phi }, k);
  }
  return (1 - t) * sliceTotalVariance(lo)(k) + t * sliceTotalVariance(hi)(k);
}
