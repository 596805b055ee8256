/**
 * Which points of a backtest's P&L path to draw when it has more than a chart (or the wire) needs: the first and the
 * last, the worst drawdown's peak and trough (so the drawdown read off the drawn path is the reported one), and in
 * each of equal buckets of the rest its lowest and highest point (min/max decimation: spikes stay visible, a line
 * through the kept points never hides an extreme of its bucket).
 *
 * Pure: indices in, indices out; the figures (drawdown, expected shortfall) are always computed on the whole path.
 */

/**
 * The worst drawdown's peak and trough indices, with the running peak starting at 0 before the first point
 * (core/backtest/metrics.ts `worstDrawdown`): `peak` is null when the peak is that start, both null without a fall.
 */
export function worstDrawdownPoints(path: readonly number[]): { peak: number | null; trough: number | null } {
  let peakValue = 0;
  let peakIndex: number | null = null;
  let worst = 0;
  let result: { peak: number | null; trough: number | null } = { peak: null, trough: null };
  for (let i = 0; i < path.length; i++) {
    const value = path[i]!;
    if (value > peakValue) {
      peakValue = value;
      peakIndex = i;
    }
    if (peakValue - value > worst) {
      worst = peakValue - value;
      result = { peak: peakIndex, trough: i };
    }
  }
  return result;
}

/**
 * Sorted indices of at most `maxPoints` (≥ 6) points of `values` to keep: all of them when there are few enough;
 * otherwise the first, the last, the worst drawdown's peak and trough of each series in `keepDrawdownOf`, and the
 * minimum and maximum of `values` in each bucket of the rest.
 */
export function downsampleIndices(values: readonly number[], maxPoints: number, keepDrawdownOf: readonly (readonly number[])[] = [values]): number[] {
  if (!(Number.isInteger(maxPoints) && maxPoints >= 6)) throw new RangeError(`maxPoints must be an integer ≥ 6, got ${maxPoints}`);
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const keep = new Set<number>([0, n - 1]);
  for (const series of keepDrawdownOf) {
    if (series.length !== n) throw new RangeError(`a drawdown series has ${series.length} points, the path ${n}`);
    const { peak, trough } = worstDrawdownPoints(series);
    if (peak !== null) keep.add(peak);
    if (trough !== null) keep.add(trough);
  }
  const buckets = Math.max(1, Math.floor((maxPoints - keep.size) / 2));
  // Buckets over the interior points 1..n-2.
  const interior = n - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * interior) / buckets);
    const to = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (to <= from) continue;
    let low = from;
    let high = from;
    for (let i = from + 1; i < to; i++) {
      if (values[i]! < values[low]!) low = i;
      if (values[i]! > values[high]!) high = i;
    }
    keep.add(low);
    keep.add(high);
  }
  return [...keep].sort((a, b) => a - b);
}
