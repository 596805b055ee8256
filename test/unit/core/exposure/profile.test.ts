import { describe, expect, it } from 'vitest';
import { analyzeGammaExposure } from '../../../../src-main/core/exposure/analysis';
import { linearSpotGrid } from '../../../../src-main/core/exposure/chain';
import { ModelRow, prepareGammaModel, rowVolAt, type GammaModelSettings } from '../../../../src-main/core/exposure/gammaModel';
import { updateOptionRow } from '../../../../src-main/core/exposure/incremental';
import { allocateGexProfile, computeGexProfile, findGammaFlips, gammaExposureAt } from '../../../../src-main/core/exposure/profile';
import { DAY_YEARS, HOUR_YEARS, chainOf, syntheticChain, type RowSpec } from './chains';

const STICKY_STRIKE: GammaModelSettings = { volDynamics: 'stickyStrike', reachSigmas: 4 };
const STICKY_MONEYNESS: GammaModelSettings = { volDynamics: 'stickyMoneyness', reachSigmas: 4 };

/** The synthetic chain plus extra rows (same spot), naive positions unless a row says otherwise. */
function syntheticWith(extra: RowSpec[]) {
  const base = syntheticChain();
  const rows: RowSpec[] = [];
  for (let i = 0; i < base.count; i++) {
    rows.push({
      forward: base.forward[i]!, strike: base.strike[i]!, years: base.years[i]!, vol: base.vol[i]!, call: base.isCall[i] === 1,
      openInterest: base.openInterest[i]!, expiry: base.expiryIndex[i]!,
    });
  }
  return chainOf([...rows, ...extra], base.spotUsd);
}

describe('GEX profile', () => {
  it('re-prices one call by hand: forward moves with spot, IV sticky', () => {
    // Call K = F = 100 000, T 0.25, vol 50 %, dealer +100: s = 0.25. At x = +10 %: F' = 110 000,
    // d1 = ln(1.1)/0.25 + 0.125 = 0.50624071921730, phi = 0.35096163408152,
    // GEX = 100 x 0.01 x 110 000 x phi / 0.25 = 154 423.11899587 USD per 1 %.
    // At x = -10 %: d1 = -0.29644206263131, phi = 0.38179270243513, GEX = 137 445.37287665.
    const chain = chainOf([{ forward: 100_000, strike: 100_000, years: 0.25, vol: 0.5, call: true, openInterest: 100, expiry: 0 }], 100_000);
    const model = prepareGammaModel(chain, STICKY_STRIKE);
    expect(gammaExposureAt(model, 0.1) / 154_423.11899587075).toBeCloseTo(1, 12);
    expect(gammaExposureAt(model, -0.1) / 137_445.3728766469).toBeCloseTo(1, 12);
    const grid = linearSpotGrid(-0.1, 0.1, 3);
    const profile = allocateGexProfile(grid);
    computeGexProfile(model, grid, profile);
    expect(profile.netGammaUsdPer1Pct[2]! / 154_423.11899587075).toBeCloseTo(1, 12);
    [90_000, 100_000, 110_000].forEach((level, j) => expect(profile.spotUsd[j]).toBeCloseTo(level, 8));
  });

  it('at spot equals the summed exposures (minus the options left out by the reach rule)', () => {
    // A 1-hour call 8 % in the money is 13 standard deviations from its forward: out of reach.
    const chain = syntheticWith([{ forward: 100_000, strike: 92_000, years: HOUR_YEARS, vol: 0.6, call: true, openInterest: 2000, expiry: 6 }]);
    const a = analyzeGammaExposure(chain);
    expect(a.model.status[chain.count - 1]).toBe(ModelRow.OutOfReach);
    const total = a.aggregates.total.netGammaUsdPer1Pct[0]!;
    const atSpot = a.profile.netGammaUsdPer1Pct[40]!; // the 81-point grid has x = 0 at index 40
    expect(Math.abs(atSpot + a.model.outOfReachGammaUsdAtSpot - total)).toBeLessThan(1e-9 * a.model.absGammaUsdAtSpot);
    expect(Math.abs(gammaExposureAt(a.model, 0) - atSpot)).toBeLessThan(1e-9 * a.model.absGammaUsdAtSpot);
    // Calls + puts = net, and next expiry + the rest = net, at every grid point.
    for (let j = 0; j < a.profile.points; j++) {
      const net = a.profile.netGammaUsdPer1Pct[j]!;
      expect(a.profile.callGammaUsdPer1Pct[j]! + a.profile.putGammaUsdPer1Pct[j]!).toBeCloseTo(net, 3);
      expect(a.profile.withoutNextExpiryGammaUsdPer1Pct[j]! + a.profile.nextExpiryGammaUsdPer1Pct[j]!).toBeCloseTo(net, 3);
      const x = a.profile.relativeMove[j]!;
      expect(gammaExposureAt(a.model, x, 'withoutNextExpiry')).toBeCloseTo(a.profile.withoutNextExpiryGammaUsdPer1Pct[j]!, 3);
    }
  });

  it('an expired option contributes nothing', () => {
    const plain = analyzeGammaExposure(syntheticChain());
    const withExpired = analyzeGammaExposure(syntheticWith([
      { forward: 100_000, strike: 100_000, years: 0, vol: 0.5, call: true, openInterest: 1e6, expiry: 6 },
      { forward: 100_000, strike: 99_000, years: -HOUR_YEARS, vol: 0.5, call: false, openInterest: 1e6, expiry: 7 },
    ]));
    expect(Array.from(withExpired.profile.netGammaUsdPer1Pct)).toEqual(Array.from(plain.profile.netGammaUsdPer1Pct));
    expect(withExpired.aggregates.expiredRows).toBe(2);
    expect(withExpired.flips.crossings).toEqual(plain.flips.crossings);
  });
});

describe('zero-gamma (flip) levels', () => {
  const a = analyzeGammaExposure(syntheticChain());

  it('finds the flip of the synthetic chain by bisection of the exact sum, with the sign changing across it', () => {
    // Found when this test was written: one crossing at 99 643 USD (-0.357 %), negative below, positive above.
    expect(a.flips.crossings.length).toBe(1);
    const flip = a.flips.nearest!;
    expect(flip.levelUsd).toBeCloseTo(99_643.05, 1);
    expect(flip.direction).toBe(1);
    expect(flip.bracketHigh - flip.bracketLow).toBeLessThanOrEqual(1e-7);
    const eps = 1e-6;
    expect(gammaExposureAt(a.model, flip.relativeMove - eps)).toBeLessThan(0);
    expect(gammaExposureAt(a.model, flip.relativeMove + eps)).toBeGreaterThan(0);
    expect(gammaExposureAt(a.model, flip.bracketLow)).toBeLessThan(0);
    expect(gammaExposureAt(a.model, flip.bracketHigh)).toBeGreaterThan(0);
    // Without the 1-day expiry the flip moves down (the daily adds positive gamma just above spot).
    const without = a.flipsWithoutNextExpiry.nearest!;
    expect(without.levelUsd).toBeLessThan(flip.levelUsd);
    expect(gammaExposureAt(a.model, without.relativeMove - eps, 'withoutNextExpiry')).toBeLessThan(0);
    expect(gammaExposureAt(a.model, without.relativeMove + eps, 'withoutNextExpiry')).toBeGreaterThan(0);
  });

  it('noise floor 1 (reach rule): a far-from-the-money 1-hour option creates no flip', () => {
    // 1-hour call at 92 000 (8 % below spot; 13 sd at 60 % vol), 2000 contracts, dealers long: re-priced where spot
    // meets its strike it is a +1.1e8 USD spike 0.6 % wide inside the negative part of the profile.
    const spike: RowSpec = { forward: 100_000 * (1 + 0.05 * HOUR_YEARS), strike: 92_000, years: HOUR_YEARS, vol: 0.6, call: true, openInterest: 2000, expiry: 6 };
    const withSpike = analyzeGammaExposure(syntheticWith([spike]));
    expect(withSpike.flips.crossings.map((c) => c.levelUsd)).toEqual(a.flips.crossings.map((c) => c.levelUsd));
    // Without the rule the spike crosses zero twice around 92 000: the false flips the rule prevents.
    const noRule = analyzeGammaExposure(syntheticWith([spike]), { model: { volDynamics: 'stickyStrike', reachSigmas: Infinity } });
    const extra = noRule.flips.crossings.filter((c) => Math.abs(c.levelUsd - 92_000) < 1000);
    expect(extra.length).toBe(2);
  });

  it('noise floor 2 (dead band): shallow crossings in the wings where |GEX| stays tiny are ignored', () => {
    // A: 3-day ATM call, dealers long 1000: s = 0.5 sqrt(3/365) = 0.04533, GEX at spot 8.8e6 USD per 1 %.
    // B: 3-day call at 119 000 (3.84 sd: within reach), dealers short 1. At x = +19 % A gives +6.1e3 and B -1.05e4:
    // the profile dips to about -4.4e3 there, a lobe far below the floor (1 % of 8.8e6 = 8.8e4).
    const rows: RowSpec[] = [
      { forward: 100_000, strike: 100_000, years: 3 * DAY_YEARS, vol: 0.5, call: true, openInterest: 1000, expiry: 0 },
      { forward: 100_000, strike: 119_000, years: 3 * DAY_YEARS, vol: 0.5, call: true, openInterest: 1, expiry: 0, position: -1 },
    ];
    const floored = analyzeGammaExposure(chainOf(rows, 100_000));
    expect(floored.profile.netGammaUsdPer1Pct[78]).toBeLessThan(0); // x = +19 %
    expect(floored.flips.crossings).toEqual([]);
    const unfloored = analyzeGammaExposure(chainOf(rows, 100_000), { flip: { crossingFloorFraction: 0, toleranceRelativeMove: 1e-7 } });
    expect(unfloored.flips.crossings.length).toBe(1);
    expect(unfloored.flips.crossings[0]!.relativeMove).toBeGreaterThan(0.18);
    expect(unfloored.flips.crossings[0]!.relativeMove).toBeLessThan(0.19);
  });

  it('reports nothing when the profile never changes sign (dealers short everything)', () => {
    const chain = syntheticChain();
    chain.dealerPosition.forEach((_, i) => (chain.dealerPosition[i] = -chain.openInterest[i]!));
    const short = analyzeGammaExposure(chain);
    expect(short.flips.crossings).toEqual([]);
    expect(short.flips.nearest).toBeNull();
    expect(Math.max(...short.profile.netGammaUsdPer1Pct)).toBeLessThan(0);
  });
});

describe('sticky moneyness', () => {
  // One expiry, F = 100 000: smile nodes are the OTM IVs: 90 000 put 60 %, 100 000 call 50 %, 110 000 call 45 %.
  const rows: RowSpec[] = [
    { forward: 100_000, strike: 90_000, years: 0.1, vol: 0.58, call: true, openInterest: 10, expiry: 0 },
    { forward: 100_000, strike: 90_000, years: 0.1, vol: 0.6, call: false, openInterest: 300, expiry: 0 },
    { forward: 100_000, strike: 100_000, years: 0.1, vol: 0.5, call: true, openInterest: 200, expiry: 0 },
    { forward: 100_000, strike: 100_000, years: 0.1, vol: 0.5, call: false, openInterest: 200, expiry: 0 },
    { forward: 100_000, strike: 110_000, years: 0.1, vol: 0.45, call: true, openInterest: 300, expiry: 0 },
    { forward: 100_000, strike: 110_000, years: 0.1, vol: 0.47, call: false, openInterest: 10, expiry: 0 },
  ];

  it('moves each IV along its smile: IV(K, F e^l) = own IV + smile(ln(K/F) - l) - smile(ln(K/F))', () => {
    const model = prepareGammaModel(chainOf(rows, 100_000), STICKY_MONEYNESS);
    const l = Math.log(1.1);
    // The 100 000 call after +10 %: ln(K/F') = -ln 1.1 = -0.0953, between the nodes ln 0.9 (60 %) and 0 (50 %).
    const w = (-l - Math.log(0.9)) / (0 - Math.log(0.9));
    expect(rowVolAt(model, 2, l)).toBeCloseTo(0.6 + w * (0.5 - 0.6), 14);
    // The ITM 90 000 call keeps its 2-point discount to the put's IV: 58 % at l = 0, the smile's 60 % - 2 below.
    expect(rowVolAt(model, 0, 0)).toBeCloseTo(0.58, 15);
    // Spot +20 %: ln(K/F') = ln 0.9 - 0.2 is below the lowest node, flat: 58 %.
    expect(rowVolAt(model, 0, 0.2)).toBeCloseTo(0.58, 15);
    // Spot down until 90 000 sits where 110 000 sat (ln(K/F') = ln 1.1): the call wing's 45 % - 2 = 43 %; flat beyond.
    expect(rowVolAt(model, 0, Math.log(0.9) - Math.log(1.1))).toBeCloseTo(0.43, 14);
    expect(rowVolAt(model, 0, -0.3)).toBeCloseTo(0.43, 14);
  });

  it('equals sticky strike at spot, and everywhere for a flat smile', () => {
    const skewed = chainOf(rows, 100_000);
    const ss = prepareGammaModel(skewed, STICKY_STRIKE);
    const sm = prepareGammaModel(skewed, STICKY_MONEYNESS);
    expect(gammaExposureAt(sm, 0)).toBeCloseTo(gammaExposureAt(ss, 0), 6);
    expect(Math.abs(gammaExposureAt(sm, 0.1) - gammaExposureAt(ss, 0.1))).toBeGreaterThan(1);
    const flat = chainOf(rows.map((r) => ({ ...r, vol: 0.5 })), 100_000);
    const fss = prepareGammaModel(flat, STICKY_STRIKE);
    const fsm = prepareGammaModel(flat, STICKY_MONEYNESS);
    for (const x of [-0.2, -0.05, 0.07, 0.2]) expect(gammaExposureAt(fsm, x)).toBeCloseTo(gammaExposureAt(fss, x), 6);
  });
});

describe('incremental profile update', () => {
  for (const settings of [STICKY_STRIKE, STICKY_MONEYNESS]) {
    it(`one option's IV, forward and OI change: patched profile and flips equal a full recompute (${settings.volDynamics})`, () => {
      const chain = syntheticChain();
      const grid = linearSpotGrid();
      const model = prepareGammaModel(chain, settings);
      const profile = allocateGexProfile(grid);
      computeGexProfile(model, grid, profile);
      const row = 100;
      chain.vol[row] = chain.vol[row]! + 0.03;
      chain.forward[row] = chain.forward[row]! * 1.001;
      chain.openInterest[row] = chain.openInterest[row]! * 2;
      chain.dealerPosition[row] = chain.dealerPosition[row]! * 2;
      updateOptionRow(chain, row, model, { profile: { grid, out: profile } });
      const fresh = analyzeGammaExposure(chain, { model: settings });
      for (let j = 0; j < profile.points; j++) {
        expect(Math.abs(profile.netGammaUsdPer1Pct[j]! - fresh.profile.netGammaUsdPer1Pct[j]!)).toBeLessThan(1e-9 * fresh.model.absGammaUsdAtSpot);
        expect(Math.abs(profile.nextExpiryGammaUsdPer1Pct[j]! - fresh.profile.nextExpiryGammaUsdPer1Pct[j]!)).toBeLessThan(1e-9 * fresh.model.absGammaUsdAtSpot);
      }
      expect(model.absGammaUsdAtSpot).toBeCloseTo(fresh.model.absGammaUsdAtSpot, 3);
      const flips = findGammaFlips(model, profile);
      expect(flips.crossings.length).toBe(fresh.flips.crossings.length);
      flips.crossings.forEach((c, k) => expect(c.levelUsd).toBeCloseTo(fresh.flips.crossings[k]!.levelUsd, 3));
    });
  }

  it('refuses a change of years (that is a full recompute)', () => {
    const chain = syntheticChain();
    const model = prepareGammaModel(chain, STICKY_STRIKE);
    chain.years[3] = chain.years[3]! - 0.001;
    expect(() => updateOptionRow(chain, 3, model, {})).toThrow(/recompute in full/);
  });
});
