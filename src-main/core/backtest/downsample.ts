/**
 * Which points of a backtest's P&L path to draw when it has more than a chart (or the wire) needs: the first and the
 * last, the worst drawdown's peak and trough (so the drawdown read off the drawn path is the reported one), and in
 * each of equal buckets of the rest its lowest and highest point (min/max decimation: spikes stay visible, a line
 * through the kept points never hides an extreme of its bucket) — of every series that may be charted (coin and USD).
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
 * Sorted indices of at most `maxPoints` points to keep of a path drawn as one or more series (the backtest charts
 * its coin or its USD P&L): all of them when there are few enough; otherwise the first, the last, each series' worst
 * drawdown peak and trough, and in each bucket of the rest the minimum and maximum of every series — whichever
 * series the chart shows, no extreme of a bucket is lost. `maxPoints` must hold the fixed points and one bucket:
 * at least 2 + 4 per series (6 for one series, 10 for two).
 */
export function downsampleIndices(series: readonly (readonly number[])[], maxPoints: number): number[] {
  const least = 2 + 4 * series.length;
  if (series.length === 0) throw new RangeError('downsampleIndices needs at least one series');
  if (!(Number.isInteger(maxPoints) && maxPoints >= least)) throw new RangeError(`maxPoints must be an integer ≥ ${least} (2 + 4 per series, ${series.length} series), got ${maxPoints}`);
  const n = series[0]!.length;
  for (const values of series) if (values.length !== n) throw new RangeError(`the series have ${values.length} and ${n} points: one path has one length`);
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const keep = new Set<number>([0, n - 1]);
  for (const values of series) {
    const { peak, trough } = worstDrawdownPoints(values);
    if (peak !== null) keep.add(peak);
    if (trough !== null) keep.add(trough);
  }
  // Each bucket keeps two points per series; the fixed points are at most 2 + 2 per series, so this fits maxPoints.
  const buckets = Math.max(1, Math.floor((maxPoints - keep.size) / (2 * series.length)));
  // Buckets over the interior points 1..n-2.
  const interior = n - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * interior) / buckets);
    const to = 1 + Math.floor(((b + 1) * interior) / buckets);
    if (to <= from) continue;
    for (const values of series) {
      let low = from;
      let high = from;
      for (let i = from + 1; i < to; i++) {
        if (values[i]! < values[low]!) low = i;
        if (values[i]! > values[high]!) high = i;
      }
      keep.add(low);
      keep.add(high);
    }
  }
  return [...keep].sort((a, b) => a - b);
}
