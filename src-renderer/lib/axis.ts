/**
 * Axis arithmetic for the Exposure view's charts: round ("nice") ticks on a numeric axis, value ranges for two
 * vertical axes that put their zeros at the same height, and label rows that keep level names from overprinting.
 * Pure functions (no DOM), unit-tested in test/unit/renderer/axis.test.ts.
 */

export interface ValueRange {
  min: number;
  max: number;
}

/** The round step (1, 2 or 5 × 10^k) that cuts `span` into about `count` intervals. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Multiples of a round step inside [min, max] (both ends included when they are multiples), about `count` of them. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return Number.isFinite(min) ? [min] : [];
  const step = niceStep(max - min, count);
  const ticks: number[] = [];
  // Integer multiples of the step, so 0 is exactly 0 and 85,000 is not 84,999.99999.
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(roundToStep(k * step, step));
  return ticks;
}

function roundToStep(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  return Number(value.toFixed(Math.min(20, decimals)));
}

/** The range of the values, always including 0 (GEX bars and lines are read against zero). */
export function rangeWithZero(values: Iterable<number>): ValueRange {
  let min = 0;
  let max = 0;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return { min, max };
}

/**
 * Ranges for a primary and a secondary value axis, each containing its data, with 0 at the same height on both
 * (so a flat secondary series lies exactly on the primary's zero line). `headroom` pads both ends (fraction of
 * the span). A range without data (all zeros) gets a symmetric unit range placed the same way.
 */
export function alignZeroRanges(primary: ValueRange, secondary: ValueRange, headroom = 0.06): [ValueRange, ValueRange] {
  const upShare = (r: ValueRange): number | null => (r.max - r.min > 0 ? r.max / (r.max - r.min) : null);
  // The share of the height above zero: the primary's own when it has data, else the secondary's, else half.
  let above = upShare(primary) ?? upShare(secondary) ?? 0.5;
  // Each axis must show the sides its data has: keep room below zero if either has negatives, above if positives.
  if (primary.min < 0 || secondary.min < 0) above = Math.min(above, 0.85);
  if (primary.max > 0 || secondary.max > 0) above = Math.max(above, 0.15);
  const place = (r: ValueRange): ValueRange => {
    let height = Math.max(above > 0 ? r.max / above : 0, above < 1 ? -r.min / (1 - above) : 0);
    if (!(height > 0)) height = 1;
    height *= 1 + 2 * headroom;
    return { min: -(1 - above) * height, max: above * height };
  };
  return [place(primary), place(secondary)];
}

/**
 * Rows for labels centred at `x` with a `width` (pixels), so that no two labels in a row overlap: each label takes
 * the first row whose last label ends `gap` pixels before it starts. Returns the row of each label, in input order.
 */
export function labelRows(labels: readonly { x: number; width: number }[], gap = 6): number[] {
  const order = labels.map((label, index) => ({ ...label, index })).sort((a, b) => a.x - b.x);
  const rowEnds: number[] = [];
  const rows = new Array<number>(labels.length).fill(0);
  for (const label of order) {
    const left = label.x - label.width / 2;
    let row = rowEnds.findIndex((end) => end + gap <= left);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(-Infinity);
    }
    rowEnds[row] = label.x + label.width / 2;
    rows[label.index] = row;
  }
  return rows;
}

/** `95,000`: a strike or spot with thousands separators, decimals only when the step needs them (ETH 2,512.5). */
export function priceLabel(value: number, step = 1): string {
  const decimals = step >= 1 ? 0 : Math.min(4, Math.ceil(-Math.log10(step)));
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** A signed percentage distance, `+2.35 %`, `−0.80 %`. */
export function signedPercent(value: number | null, decimals = 2): string {
  if (value === null || !Number.isFinite(value)) return '–';
  const text = Math.abs(value).toFixed(decimals);
  return `${value > 0 ? '+' : value < 0 && Number(text) !== 0 ? '−' : ''}${text} %`;
}
