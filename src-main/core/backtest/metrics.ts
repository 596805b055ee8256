/**
 * Risk figures of one backtest's P&L path (a single history, not a Monte Carlo sample: no standard errors).
 *
 * - Worst drawdown: the largest fall of the cumulative P&L from its running peak, max_t (max_{s≤t} P_s − P_t),
 *   with P_0 = 0 at the start (so a path that only falls has drawdown −min P). Reported ≥ 0.
 * - Expected shortfall of the per-interval P&L at level α (historical): the interval P&Ls x_i = P_i − P_{i−1}
 *   between consecutive path points, the k = ⌈(1 − α) n⌉ worst of them (at least one), and the mean loss over
 *   those, −mean(x_(1..k)). With fewer than 1/(1 − α) intervals that is the single worst interval: the count is
 *   reported beside it so nobody reads more into it than is there.
 */

/** P&L changes between consecutive points (the first from 0). */
export function intervalChanges(path: readonly number[]): number[] {
  const changes: number[] = [];
  let previous = 0;
  for (const value of path) {
    changes.push(value - previous);
    previous = value;
  }
  return changes;
}

export function worstDrawdown(path: readonly number[]): number {
  let peak = 0;
  let worst = 0;
  for (const value of path) {
    if (value > peak) peak = value;
    if (peak - value > worst) worst = peak - value;
  }
  return worst;
}

export type Shortfall = { value: number; level: number; intervals: number; tail: number; reason: null } | { value: null; level: number; intervals: number; tail: 0; reason: string };

/** Historical expected shortfall of the interval P&Ls at `level` (e.g. 0.95), as a positive loss. */
export function expectedShortfall(changes: readonly number[], level: number): Shortfall {
  if (!(level > 0 && level < 1)) throw new RangeError(`expected shortfall level must lie in (0, 1), got ${level}`);
  const n = changes.length;
  if (n === 0) return { value: null, level, intervals: 0, tail: 0, reason: 'no interval P&L: the backtest never got past its first rebalance' };
  const sorted = [...changes].sort((a, b) => a - b);
  // The 1e-9 keeps (1 − 0.95) × 20 = 1.0000000000000009 from counting two intervals.
  const tail = Math.max(1, Math.ceil((1 - level) * n - 1e-9));
  let sum = 0;
  for (let i = 0; i < tail; i++) sum += sorted[i]!;
  return { value: -sum / tail, level, intervals: n, tail, reason: null };
}
