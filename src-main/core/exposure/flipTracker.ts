/**
 * Hysteresis for the reported zero-gamma (flip) level, so that tiny spot or quote moves do not make it jump.
 *
 * Rule, with threshold = thresholdFraction x spot (USD):
 *   - no crossing now -> report null (the old flip disappeared);
 *   - nothing reported yet -> report the crossing nearest to spot;
 *   - the old flip "still exists" when some current crossing lies within the threshold of the reported level;
 *     if it does not, report the crossing nearest to spot;
 *   - if it does, keep the reported level unchanged, unless a different crossing (more than the threshold away
 *     from the reported level) has become nearer to spot than the old one by more than the threshold.
 * The reported value is therefore always within the threshold of a current crossing, and it only changes when
 * the flip moved by more than the threshold, disappeared, or another crossing clearly took over.
 *
 * Deterministic and small: the whole state is the reported level.
 */
export interface FlipTrackerSettings {
  /** Hysteresis band as a fraction of spot (default 0.25 %). */
  thresholdFraction: number;
}

export const DEFAULT_FLIP_TRACKER_SETTINGS: Readonly<FlipTrackerSettings> = Object.freeze({ thresholdFraction: 0.0025 });

export class FlipTracker {
  private reported: number | null;
  private readonly thresholdFraction: number;

  constructor(settings: FlipTrackerSettings = DEFAULT_FLIP_TRACKER_SETTINGS, initialLevelUsd: number | null = null) {
    if (!(settings.thresholdFraction >= 0 && Number.isFinite(settings.thresholdFraction))) {
      throw new RangeError(`Flip tracker threshold must be a non-negative fraction of spot, got ${settings.thresholdFraction}`);
    }
    this.thresholdFraction = settings.thresholdFraction;
    this.reported = initialLevelUsd;
  }

  /** The level currently reported, USD (null: no flip). */
  get levelUsd(): number | null {
    return this.reported;
  }

  /**
   * Feeds the crossings found now (spot levels, USD, any order) and the current spot (USD); returns the level to
   * report. Non-finite levels are ignored.
   */
  update(crossingLevelsUsd: readonly number[], spotUsd: number): number | null {
    if (!(spotUsd > 0)) throw new RangeError(`Flip tracker needs a positive spot, got ${spotUsd}`);
    const threshold = this.thresholdFraction * spotUsd;
    let nearest = NaN;
    let old = NaN;
    const reported = this.reported;
    for (const c of crossingLevelsUsd) {
      if (!Number.isFinite(c)) continue;
      if (Number.isNaN(nearest) || Math.abs(c - spotUsd) < Math.abs(nearest - spotUsd)) nearest = c;
      if (reported !== null && (Number.isNaN(old) || Math.abs(c - reported) < Math.abs(old - reported))) old = c;
    }
    if (Number.isNaN(nearest)) {
      this.reported = null;
    } else if (reported === null || !(Math.abs(old - reported) <= threshold)) {
      this.reported = nearest;
    } else if (Math.abs(nearest - reported) > threshold && Math.abs(nearest - spotUsd) < Math.abs(old - spotUsd) - threshold) {
      this.reported = nearest;
    }
    return this.reported;
  }

  reset(): void {
    this.reported = null;
  }
}
