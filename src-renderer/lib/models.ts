/**
 * The Models view's arithmetic: Monte Carlo estimates printed to the digits their standard error supports, P&L
 * histograms of several policies scaled onto one chart, and where the current hedge sits against a learned
 * policy's band. Pure functions (no DOM), unit-tested in test/unit/renderer/models.test.ts.
 */

const DASH = '–';

/** A Monte Carlo estimate (core/learn/risk.ts `Estimate`). */
export interface EstimateLike {
  value: number;
  standardError: number;
}

/**
 * `4.1315 ± 0.0042`: the standard error to two significant digits and the value to the same decimal place, so no
 * digit is shown that the simulation cannot support. A missing, zero or non-finite error prints the value alone
 * with `significant` digits.
 */
export function withError(estimate: EstimateLike | null | undefined, significant = 5): string {
  if (!estimate || !Number.isFinite(estimate.value)) return DASH;
  const { value, standardError } = estimate;
  if (!(standardError > 0) || !Number.isFinite(standardError)) return trimExponent(value.toPrecision(significant));
  // The decimal place of the error's second significant digit (0.004164 → 4 decimals; 27.3 → 0 decimals).
  const decimals = Math.max(0, 1 - Math.floor(Math.log10(standardError)));
  if (decimals > 12) return `${trimExponent(value.toPrecision(significant))} ± ${standardError.toPrecision(2)}`;
  return `${value.toFixed(decimals)} ± ${standardError.toFixed(decimals)}`;
}

function trimExponent(text: string): string {
  return text.includes('e') ? Number(text).toString() : text;
}

/** One policy's P&L histogram as the host counts it: bin edges (one more than counts) and the paths per bin. */
export interface HistogramInput {
  name: string;
  /** Ascending bin edges, `counts.length + 1` of them. */
  edges: readonly number[];
  counts: readonly number[];
  /** All paths evaluated, including any outside the edges (so the shares are of all paths). */
  paths: number;
}

/** A histogram drawn as a step outline: x in P&L units, y in percent of paths per `referenceWidth`. */
export interface HistogramOutline {
  name: string;
  /** Corners of the step line from (first edge, 0) to (last edge, 0). */
  points: { x: number; y: number }[];
  /** Percent of this policy's paths inside its edges (below 100 when some fall outside). */
  shownPercent: number;
}

export interface HistogramOverlay {
  outlines: HistogramOutline[];
  xMin: number;
  xMax: number;
  yMax: number;
  /** The bin width the heights refer to (the narrowest of all bins): y = % of paths per this much P&L. */
  referenceWidth: number;
}

/**
 * Scales several policies' histograms onto one chart. Heights are densities — percent of that policy's paths per
 * `referenceWidth` of P&L — so policies with different path counts or bin widths compare by area; with one common
 * bin width (the usual case: the host bins every policy on the same edges) a height is simply the percent of paths
 * in that bin. Throws on a histogram whose edges and counts do not fit together.
 */
export function overlayHistograms(inputs: readonly HistogramInput[]): HistogramOverlay | null {
  const usable = inputs.filter((h) => h.counts.length > 0);
  if (usable.length === 0) return null;
  let referenceWidth = Infinity;
  for (const h of usable) {
    if (h.edges.length !== h.counts.length + 1) throw new RangeError(`histogram ${h.name}: ${h.edges.length} edges for ${h.counts.length} bins (needs ${h.counts.length + 1})`);
    if (!(h.paths > 0)) throw new RangeError(`histogram ${h.name}: paths must be positive, got ${h.paths}`);
    for (let i = 0; i < h.counts.length; i++) {
      const width = h.edges[i + 1]! - h.edges[i]!;
      if (!(width > 0)) throw new RangeError(`histogram ${h.name}: edges must increase, edge ${i + 1} is ${h.edges[i + 1]} after ${h.edges[i]}`);
      if (!(h.counts[i]! >= 0)) throw new RangeError(`histogram ${h.name}: bin ${i} has count ${h.counts[i]}`);
      referenceWidth = Math.min(referenceWidth, width);
    }
  }
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMax = 0;
  const outlines = usable.map((h): HistogramOutline => {
    const points: { x: number; y: number }[] = [{ x: h.edges[0]!, y: 0 }];
    let inside = 0;
    for (let i = 0; i < h.counts.length; i++) {
      const left = h.edges[i]!;
      const right = h.edges[i + 1]!;
      const y = ((100 * h.counts[i]!) / h.paths) * (referenceWidth / (right - left));
      points.push({ x: left, y }, { x: right, y });
      inside += h.counts[i]!;
      yMax = Math.max(yMax, y);
    }
    points.push({ x: h.edges.at(-1)!, y: 0 });
    xMin = Math.min(xMin, h.edges[0]!);
    xMax = Math.max(xMax, h.edges.at(-1)!);
    return { name: h.name, points, shownPercent: (100 * inside) / h.paths };
  });
  return { outlines, xMin, xMax, yMax, referenceWidth };
}

/** A learned policy's band around the delta hedge (minus the options' Black-Scholes delta) and the hedge the book holds, coin. */
export interface BandPosition {
  lower: number;
  upper: number;
  deltaHedge: number;
  current: number;
}

export interface BandBarLayout {
  /** The value range the bar spans. */
  min: number;
  max: number;
  /** Percent positions along the bar (0 = left end). */
  lowerPercent: number;
  upperPercent: number;
  deltaPercent: number;
  currentPercent: number;
  /** Where the current hedge sits; outside the band the policy trades to the nearest edge. */
  where: 'below' | 'inside' | 'above';
  /** The hedge after the policy acts: the current one inside the band, else the nearest edge. */
  target: number;
}

/**
 * Lays out the small horizontal band bar of a learned proposal: the span covers the band, the Black-Scholes delta
 * and the current hedge with 15 % room each side (a tenth of their magnitude when all four coincide).
 */
export function bandBar(position: BandPosition): BandBarLayout {
  const { lower, upper, deltaHedge, current } = position;
  for (const [field, value] of Object.entries(position)) {
    if (!Number.isFinite(value)) throw new RangeError(`band bar: ${field} is ${value}`);
  }
  if (lower > upper) throw new RangeError(`band bar: lower edge ${lower} is above the upper edge ${upper}`);
  const low = Math.min(lower, deltaHedge, current);
  const high = Math.max(upper, deltaHedge, current);
  const pad = high > low ? (high - low) * 0.15 : Math.max(Math.abs(low), 1e-9) * 0.1;
  const min = low - pad;
  const max = high + pad;
  const at = (x: number): number => (100 * (x - min)) / (max - min);
  const where = current < lower ? 'below' : current > upper ? 'above' : 'inside';
  return {
    min,
    max,
    lowerPercent: at(lower),
    upperPercent: at(upper),
    deltaPercent: at(deltaHedge),
    currentPercent: at(current),
    where,
    target: where === 'below' ? lower : where === 'above' ? upper : current,
  };
}

/** `2m 30s`, `45s`: a training time budget. */
export function budgetText(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return DASH;
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole}s`;
  const rest = whole % 60;
  return rest === 0 ? `${whole / 60}m` : `${Math.floor(whole / 60)}m ${String(rest).padStart(2, '0')}s`;
}

/** The training progress bar's fill, 0–100, from the job's fraction (clamped; NaN → 0). */
export function progressPercent(fraction: number | null | undefined): number {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return 0;
  return Math.min(100, Math.max(0, 100 * fraction));
}

/**
 * A figure from a stored model's metrics by dotted path (`test.indifferencePrice`): an estimate, a plain number, or
 * null when the model was stored without it (older models, or a metric another version did not record).
 */
export function metricAt(metrics: Readonly<Record<string, unknown>>, path: string): EstimateLike | number | null {
  let node: unknown = metrics;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object' || !(key in node)) return null;
    node = (node as Record<string, unknown>)[key];
  }
  if (typeof node === 'number') return Number.isFinite(node) ? node : null;
  if (node !== null && typeof node === 'object') {
    const { value, standardError } = node as Record<string, unknown>;
    if (typeof value === 'number' && typeof standardError === 'number') return { value, standardError };
  }
  return null;
}

/** A metric as the models table prints it: an estimate with its error, a number to 5 digits, or a dash. */
export function metricText(metrics: Readonly<Record<string, unknown>>, path: string): string {
  const metric = metricAt(metrics, path);
  if (metric === null) return DASH;
  return typeof metric === 'number' ? significant(metric) : withError(metric);
}

/** The P&L unit of a hedging problem: B1 is in price units of an S0 = 100 underlying, B2 and the market in S0 = 1. */
export function pnlUnit(problem: { s0: number } | null | undefined): string {
  if (!problem) return 'price units';
  return problem.s0 === 1 ? 'fractions of S0' : `price units (S0 = ${problem.s0})`;
}

/** A name for a model the trader did not name: kind, source, seed and the UTC minute, e.g. `ntb B1 seed 1 00:42`. */
export function defaultModelName(kind: string, source: string, seed: number, nowMs: number): string {
  return `${kind} ${source} seed ${seed} ${new Date(nowMs).toISOString().slice(11, 19)}`;
}

/** A plain figure to `digits` significant digits (a validation risk, a training batch risk); a dash when missing. */
export function significant(value: number | null | undefined, digits = 5): string {
  return value === null || value === undefined || !Number.isFinite(value) ? DASH : trimExponent(value.toPrecision(digits));
}

/**
 * The policy with the lowest value of a figure, or null when none is clearly lowest: the runner-up within the
 * combined standard error of the two (√(se₁² + se₂²)) is a tie, not a loss.
 */
export function clearlyLowest<K extends string>(rows: readonly ({ policy: string } & Record<K, EstimateLike>)[], key: K): string | null {
  const sorted = [...rows].filter((r) => Number.isFinite(r[key].value)).sort((a, b) => a[key].value - b[key].value);
  const [first, second] = sorted;
  if (!first) return null;
  if (second && second[key].value - first[key].value < Math.hypot(first[key].standardError, second[key].standardError)) return null;
  return first.policy;
}

/** A gate result as the Models view lists it (api/contract/models.ts `GateDto`). */
export interface GateLike {
  criterionLabel: string;
  difference: EstimateLike;
  passed: boolean;
}

/** "ES 99 %: −0.21 ± 0.04 vs WW, passed": the criterion, the paired difference to the band (a true minus), the verdict. */
export function gateLineText(gate: GateLike): string {
  return `${gate.criterionLabel}: ${withError(gate.difference, 4).replace(/^-/, '−')} vs WW, ${gate.passed ? 'passed' : 'not passed'}`;
}
