/**
 * When a stream's hedge-pressure map is reused (decision 0009): same layout, at most CASCADE_MAX_AGE_MS of market
 * time old, and the GEX profile within CASCADE_PROFILE_TOLERANCE of the map's profile peak at every grid point.
 */
import { describe, expect, it } from 'vitest';
import { CASCADE_MAX_AGE_MS, CASCADE_PROFILE_TOLERANCE, cascadeStillValid, type CascadeMapState } from '../../../src-main/engine/exposureSnapshot';

const PROFILE = Float64Array.from([-4e6, -1e6, 2e6, 10e6, 3e6]); // peak |value| 10e6
const map: CascadeMapState = {
  layout: '5|A,B',
  marketTimeMs: 1_000_000,
  seq: 42,
  profile: PROFILE,
  spotUsd: new Float64Array(0),
  elapsedYears: new Float64Array(0),
  gammaUsdPer1Pct: new Float64Array(0),
};
const shifted = (k: number, by: number): Float64Array => {
  const copy = Float64Array.from(PROFILE);
  copy[k] = copy[k]! + by;
  return copy;
};

describe('cascadeStillValid', () => {
  it('reuses the map while the profile stays within the tolerance of its peak and the map is young enough', () => {
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs, PROFILE)).toBe(true);
    // The tolerance is relative to the peak (10e6), not to each point: 2 % of it anywhere is still the same map.
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs + CASCADE_MAX_AGE_MS, shifted(1, CASCADE_PROFILE_TOLERANCE * 10e6 * 0.99))).toBe(true);
  });

  it('recomputes when the profile moved further, the map is too old, the layout changed or a number is missing', () => {
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs, shifted(1, CASCADE_PROFILE_TOLERANCE * 10e6 * 1.01))).toBe(false);
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs + CASCADE_MAX_AGE_MS + 1, PROFILE)).toBe(false);
    // A clock that went backwards (a new source's market) is not a young map.
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs - 1, PROFILE)).toBe(false);
    expect(cascadeStillValid(map, '6|A,B', map.marketTimeMs, PROFILE)).toBe(false);
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs, PROFILE.subarray(1))).toBe(false);
    expect(cascadeStillValid(map, '5|A,B', map.marketTimeMs, shifted(2, NaN))).toBe(false);
  });
});
