/**
 * Gamma exposure on the two real full-chain Deribit snapshots (../shared/data, see its README), dealer positions by
 * the naive convention unless said otherwise, default settings (sticky strike, reach 4 sd, floor 1 %, grid
 * -20 % .. +20 % in 0.5 % steps).
 *
 * Levels found when this was written (USD; GEX in USD per 1 % move; flips from the full profile / without the
 * next expiry; sticky moneyness in brackets):
 *   2026-01-02 09:18 UTC
 *     BTC  index 89 009.1   net GEX +7.22e7, abs 3.73e8   flip 85 993.57 (-3.39 %) / 85 738   [85 883.41 / 85 629]
 *          call wall 90 000, put wall 85 000, abs-gamma strike 90 000
 *     ETH  index 3 033.65   net GEX +7.66e6, abs 4.46e7   flip 2 927.26 (-3.51 %) / 2 926     [2 922.05 / 2 922]
 *          call wall 3 000, put wall 3 000, abs-gamma strike 3 000
 *   2026-08-22 09:35 UTC
 *     BTC  index 77 196.65  net GEX +2.48e8, abs 4.72e8   flip 63 207.86 (-18.12 %) / 63 195  [62 748.76 / 62 729]
 *          call wall 80 000, put wall 75 000, abs-gamma strike 75 000
 *     ETH  index 2 422.16   net GEX +2.47e7, abs 4.99e7   no flip within +-20 % (profile > 0 throughout: min 1.79e6)
 *          call wall 2 500, put wall 2 100, abs-gamma strike 2 500
 *   Dealers short everything: every GEX negative, no flip; the walls are the naive ones by size (|GEX|), negative.
 */
import { describe, expect, it } from 'vitest';
import { analyzeGammaExposure, type GammaAnalysis } from '../../../../src-main/core/exposure/analysis';
import { FlipTracker } from '../../../../src-main/core/exposure/flipTracker';
import { gammaExposureAt } from '../../../../src-main/core/exposure/profile';
import { ONE_OVER_SQRT_TWO_PI } from '../../../../src-main/core/pricing/normal';
import { SNAPSHOT_AUG, SNAPSHOT_JAN, snapshotChain } from './snapshotChain';

interface Case {
  file: string;
  currency: 'BTC' | 'ETH';
  flip: number | null;
  callWall: number;
  putWall: number;
}

const CASES: Case[] = [
  { file: SNAPSHOT_JAN, currency: 'BTC', flip: 85_993.57, callWall: 90_000, putWall: 85_000 },
  { file: SNAPSHOT_JAN, currency: 'ETH', flip: 2_927.26, callWall: 3_000, putWall: 3_000 },
  { file: SNAPSHOT_AUG, currency: 'BTC', flip: 63_207.86, callWall: 80_000, putWall: 75_000 },
  { file: SNAPSHOT_AUG, currency: 'ETH', flip: null, callWall: 2_500, putWall: 2_100 },
];

describe.each(CASES)('real snapshot $file $currency', ({ file, currency, flip, callWall, putWall }) => {
  const { chain } = snapshotChain(file, currency);
  const a: GammaAnalysis = analyzeGammaExposure(chain);
  const spot = chain.spotUsd;
  const abs = a.aggregates.total.absGammaUsdPer1Pct[0]!;

  it('total |GEX| is in a plausible range', () => {
    // Per contract, GEX / (0.01 F) = phi(d1)/(sigma sqrt T) (gamma = phi/(F s)). At the money that is 0.4/s, with
    // s = sigma sqrt T from ~0.1 (1 month at 35 %) to ~0.4 (1 year at 40 %): 1 to 4; out of the money less. So
    // the OI-weighted mean r = abs GEX / (sum OI x spot x 1 %) of a chain dominated by 1-12-month options must lie
    // around 1 (0.3 .. 5). Unit mistakes land far outside: percent IVs read as decimals divide r by ~100, gamma
    // per coin instead of per USD multiplies it by F. Found: 1.64 / 1.09 (Jan BTC / ETH), 1.55 / 1.18 (Aug).
    // And phi(d1) <= phi(0) bounds it from above exactly.
    let oi = 0;
    let bound = 0;
    for (let i = 0; i < chain.count; i++) {
      if (!(chain.years[i]! > 0)) continue;
      oi += chain.openInterest[i]!;
      bound += (chain.openInterest[i]! * 0.01 * chain.forward[i]! * ONE_OVER_SQRT_TWO_PI) / (chain.vol[i]! * Math.sqrt(chain.years[i]!));
    }
    const r = abs / (oi * spot * 0.01);
    expect(r).toBeGreaterThan(0.3);
    expect(r).toBeLessThan(5);
    expect(abs).toBeLessThanOrEqual(bound);
    expect(a.aggregates.invalidRows).toBe(0);
  });

  it('the profile at spot equals the summed exposures and the profile is continuous', () => {
    const atSpot = a.profile.netGammaUsdPer1Pct[40]!;
    expect(Math.abs(atSpot + a.model.outOfReachGammaUsdAtSpot - a.aggregates.total.netGammaUsdPer1Pct[0]!)).toBeLessThan(1e-9 * abs);
    // Continuous: adjacent 0.5 % points differ by < 10 % of abs (found <= 3.1 %), and the exact sum halfway between
    // them is within 1 % of abs of the straight line (found <= 0.04 %): no spikes hide between grid points.
    const p = a.profile.netGammaUsdPer1Pct;
    for (let j = 0; j + 1 < a.profile.points; j++) {
      expect(Math.abs(p[j + 1]! - p[j]!)).toBeLessThan(0.1 * abs);
      const mid = gammaExposureAt(a.model, 0.5 * (a.profile.relativeMove[j]! + a.profile.relativeMove[j + 1]!));
      expect(Math.abs(mid - 0.5 * (p[j]! + p[j + 1]!))).toBeLessThan(0.01 * abs);
    }
  });

  it('walls are listed strikes with open interest', () => {
    const strikes = new Set(Array.from(chain.strike));
    for (const wall of [a.walls.callWall, a.walls.putWall, a.walls.absGammaStrike]) {
      expect(wall).not.toBeNull();
      expect(strikes.has(wall!.strikeUsd)).toBe(true);
      expect(wall!.openInterest).toBeGreaterThan(0);
    }
    expect(a.walls.callWall!.strikeUsd).toBe(callWall);
    expect(a.walls.putWall!.strikeUsd).toBe(putWall);
    expect(a.walls.callWall!.gammaUsdPer1Pct).toBeGreaterThan(0);
  });

  it('flips: as found, within +-20 % of spot, the exact sum changing sign across each', () => {
    if (flip === null) {
      expect(a.flips.crossings).toEqual([]);
      expect(Math.min(...a.profile.netGammaUsdPer1Pct)).toBeGreaterThan(0);
      return;
    }
    expect(a.flips.nearest!.levelUsd).toBeCloseTo(flip, 1);
    for (const flips of [a.flips, a.flipsWithoutNextExpiry]) {
      const scope = flips === a.flips ? 'all' : 'withoutNextExpiry';
      expect(flips.crossings.length).toBeGreaterThan(0);
      for (const c of flips.crossings) {
        expect(Math.abs(c.relativeMove)).toBeLessThanOrEqual(0.2);
        const below = gammaExposureAt(a.model, c.relativeMove - 1e-6, scope);
        const above = gammaExposureAt(a.model, c.relativeMove + 1e-6, scope);
        expect(Math.sign(below)).toBe(-c.direction);
        expect(Math.sign(above)).toBe(c.direction);
      }
    }
  });

  it('levels are unchanged by a 0.01 % spot nudge (hysteresis)', () => {
    const tracker = new FlipTracker();
    const reported = tracker.update(a.flips.crossings.map((c) => c.levelUsd), spot);
    // (1) Spot and every forward up 0.01 %: sticky strike re-prices at absolute levels, so the flips barely move.
    const both = analyzeGammaExposure({ ...chain, spotUsd: spot * 1.0001, forward: chain.forward.map((f) => f * 1.0001) });
    // (2) The index alone up 0.01 % (forwards unchanged): the flip level moves with the index by ~0.01 %.
    const indexOnly = analyzeGammaExposure({ ...chain, spotUsd: spot * 1.0001 });
    for (const nudged of [both, indexOnly]) {
      expect(nudged.flips.crossings.length).toBe(a.flips.crossings.length);
      nudged.flips.crossings.forEach((c, k) => expect(Math.abs(c.levelUsd - a.flips.crossings[k]!.levelUsd)).toBeLessThan(0.0003 * spot));
      expect(tracker.update(nudged.flips.crossings.map((c) => c.levelUsd), spot * 1.0001)).toBe(reported);
      const strikes = (w: GammaAnalysis['walls']) => [w.callWall?.strikeUsd, w.putWall?.strikeUsd, w.absGammaStrike?.strikeUsd];
      expect(strikes(nudged.walls)).toEqual(strikes(a.walls));
    }
  });

  it('dealers short everything: all GEX negative, no flip, the same walls by size with negative GEX', () => {
    const short = analyzeGammaExposure(snapshotChain(file, currency, 'short').chain);
    expect(short.aggregates.total.netGammaUsdPer1Pct[0]).toBeCloseTo(-abs, 0);
    expect(short.flips.crossings).toEqual([]);
    // Walls rank strikes by |GEX| for calls and puts alike, so flipping the dealers' side keeps them in place.
    expect(short.walls.callWall!.strikeUsd).toBe(callWall);
    expect(short.walls.callWall!.gammaUsdPer1Pct).toBeLessThan(0);
    expect(short.walls.putWall!.strikeUsd).toBe(putWall);
    expect(short.walls.putWall!.gammaUsdPer1Pct).toBeLessThan(0);
  });
});
