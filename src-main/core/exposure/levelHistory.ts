/**
 * The history of an exposure stream's key levels over a session: spot, flip, walls and net GEX at each computed
 * snapshot, on market time. A streaming estimator with bounded memory: once it holds `capacity` points it keeps
 * every other one and from then on spaces new points at least as far apart as the kept ones, so the whole
 * session stays covered at a coarser step; a point closer than that to the last one replaces it (the latest
 * value is always there). Deterministic: a replay of the session rebuilds the same history.
 */

export interface LevelPoint {
  /** Market time, epoch ms. */
  timeMs: number;
  spotUsd: number | null;
  flipUsd: number | null;
  callWallUsd: number | null;
  putWallUsd: number | null;
  /** Net dealer GEX, USD per 1 % move. */
  gexUsdPer1Pct: number;
}

export class LevelHistory {
  private readonly points: LevelPoint[] = [];
  /** Points closer than this to the previous kept one replace the last point instead of adding one. */
  private minGapMs = 0;

  constructor(private readonly capacity = 1000) {
    if (!(Number.isInteger(capacity) && capacity >= 4)) throw new RangeError(`level history capacity must be an integer >= 4, got ${capacity}`);
  }

  add(point: LevelPoint): void {
    const last = this.points.at(-1);
    if (last && point.timeMs < last.timeMs) return; // market time never runs back; a stale result is dropped
    const beforeLast = this.points.at(-2);
    if (last && (point.timeMs === last.timeMs || (beforeLast && point.timeMs - beforeLast.timeMs < this.minGapMs))) {
      this.points[this.points.length - 1] = point;
      return;
    }
    this.points.push(point);
    if (this.points.length >= this.capacity) this.thin();
  }

  /** Oldest first. */
  get all(): readonly LevelPoint[] {
    return this.points;
  }

  private thin(): void {
    const kept = this.points.filter((_, i) => i % 2 === 0 || i === this.points.length - 1);
    this.points.length = 0;
    this.points.push(...kept);
    const span = kept.at(-1)!.timeMs - kept[0]!.timeMs;
    this.minGapMs = span / (kept.length - 1);
  }
}
