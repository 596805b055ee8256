import { describe, expect, it } from 'vitest';
import { assertExposureChain, logSpotGrid, linearSpotGrid, uniformTimeGrid, yearsToNthExpiry } from '../../../../src-main/core/exposure/chain';
import {
  RowStatus, aggregateExposures, allocateExposureAggregates, allocateOptionExposures, buildExposureLayout, computeOptionExposures,
  findGammaWallsIn, updateOptionExposures,
} from '../../../../src-main/core/exposure/exposures';
import { dealerPositionFromOpenInterest, writeOpenInterestPositions } from '../../../../src-main/core/exposure/positioning';
import { chainOf, type RowSpec } from './chains';

/**
 * Hand-checked chain (F = 100 000 USD, r = 0):
 *   row 0  call K 100 000, T 0.25, vol 50 %, OI 100, expiry 1: naive dealer +100
 *          s = 0.5 sqrt(0.25) = 0.25; d1 = ln(1)/0.25 + 0.125 = 0.125; d2 = -0.125
 *          phi(d1) = exp(-0.125^2/2)/sqrt(2 pi) = 0.39583768694475
 *          gamma = phi/(F s) = 0.39583768694475 / 25 000 = 1.583350747779e-5 per USD
 *          GEX = 100 x 1.583350747779e-5 x 1e10 x 0.01 = 158 335.0747779 USD per 1 %  (/F = 1.583350747779 coin)
 *          delta N(0.125) = 0.54973822483011 -> 54.973822483011 coin, 5 497 382.2483011 USD
 *          vanna per vol point = -phi d2 / 0.5 x 0.01 = 9.895942173619e-4 -> x 100 = 0.09895942173619 coin
 *          charm per day = phi d2 / (2 x 0.25) / 365 = -2.7112170338681e-4 -> x 100 = -0.027112170338681 coin
 *   row 1  put K 90 000, T 0.25, vol 60 %, OI 200, expiry 1: naive dealer -200
 *          s = 0.3; d1 = ln(100/90)/0.3 + 0.15 = 0.50120171885942; d2 = 0.20120171885942
 *          phi(d1) = 0.35185359447260; gamma = phi/(F s) = 1.1728453149087e-5
 *          GEX = -200 x 1.1728453149087e-5 x 1e10 x 0.01 = -234 569.06298173 USD per 1 %  (-2.3456906298173 coin)
 *          delta -N(-d1) = -0.30811458236627 -> +61.622916473253 coin
 *          vanna -phi d2/0.6 x 0.01 = -1.1798924665792e-3 -> x (-200) = 0.23597849331584 coin per vol point
 *          charm phi d2/(0.5)/365 = 3.8790985202605e-4 -> x (-200) = -0.077581970405209 coin per day
 *   row 2  call K 100 000 expired (T = -0.001), OI 5000, expiry 0: contributes nothing
 *   row 3  call K 110 000 with a NaN IV, expiry 1: invalid, skipped and counted
 * Totals: net GEX = 158 335.0747779 - 234 569.06298173 = -76 233.98820383; abs = 392 904.13775963 USD per 1 %.
 */
const ROWS: RowSpec[] = [
  { forward: 100_000, strike: 100_000, years: 0.25, vol: 0.5, call: true, openInterest: 100, expiry: 1 },
  { forward: 100_000, strike: 90_000, years: 0.25, vol: 0.6, call: false, openInterest: 200, expiry: 1 },
  { forward: 100_000, strike: 100_000, years: -0.001, vol: 0.5, call: true, openInterest: 5000, expiry: 0 },
  { forward: 100_000, strike: 110_000, years: 0.25, vol: NaN, call: true, openInterest: 50, expiry: 1 },
];

function compute(rows = ROWS) {
  const chain = chainOf(rows, 99_950);
  const perOption = allocateOptionExposures(chain.count);
  computeOptionExposures(chain, perOption);
  const aggregates = allocateExposureAggregates(buildExposureLayout(chain));
  aggregateExposures(chain, perOption, aggregates);
  return { chain, perOption, aggregates };
}

const close = (actual: number, expected: number, rel = 1e-12) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected));

describe('per-option dealer exposures', () => {
  it('the dealers\' delta decays linearly to 0 over the 30-minute settlement window; gamma does not', () => {
    const minutes = (m: number): number => (m * 60_000) / (365 * 86_400_000);
    const settling = (years: number) => compute([{ forward: 100_000, strike: 100_000, years, vol: 0.5, call: true, openInterest: 100, expiry: 0 }]).perOption;
    const at = settling(minutes(10));
    // 10 of the 30 minutes left: a third of the Black delta is still to be hedged (Deribit's display convention).
    close(at.deltaCoin[0]!, (100 * at.greeks.delta[0]!) / 3, 1e-12);
    close(at.gammaUsdPer1Pct[0]!, 100 * at.greeks.gamma[0]! * 1e10 * 0.01, 1e-12);
    const before = settling(minutes(45));
    close(before.deltaCoin[0]!, 100 * before.greeks.delta[0]!, 1e-15);
  });

  it('match the hand computation (USD and coin per 1 %, delta, vanna per vol point, charm per day)', () => {
    const { perOption: p } = compute();
    close(p.gammaUsdPer1Pct[0]!, 158_335.0747778998);
    close(p.gammaCoinPer1Pct[0]!, 1.5833507477789983);
    close(p.deltaCoin[0]!, 54.97382248301129);
    close(p.deltaUsd[0]!, 5_497_382.248301129);
    close(p.vannaCoinPerVolPoint[0]!, 0.09895942173618738, 1e-11);
    close(p.charmCoinPerDay[0]!, -0.027112170338681477, 1e-11);
    close(p.gammaUsdPer1Pct[1]!, -234_569.06298173495);
    close(p.gammaCoinPer1Pct[1]!, -2.345690629817349);
    close(p.deltaCoin[1]!, 61.622916473253085);
    close(p.vannaCoinPerVolPoint[1]!, 0.23597849331584456, 1e-11);
    close(p.charmCoinPerDay[1]!, -0.07758197040520917, 1e-11);
    close(p.charmUsdPerDay[1]!, -0.07758197040520917 * 100_000, 1e-11);
  });

  it('gives an expired option nothing and an invalid one NaN, with statuses', () => {
    const { perOption: p } = compute();
    expect(Array.from(p.status)).toEqual([RowStatus.Live, RowStatus.Live, RowStatus.Expired, RowStatus.Invalid]);
    expect([p.gammaUsdPer1Pct[2], p.deltaCoin[2], p.vannaCoinPerVolPoint[2], p.charmCoinPerDay[2]]).toEqual([0, 0, 0, 0]);
    expect(p.gammaUsdPer1Pct[3]).toBeNaN();
  });
});

describe('exposure sums', () => {
  it('total, strike x expiry cells, strikes and expiries add up (expired and invalid rows skipped)', () => {
    const { aggregates: a } = compute();
    const t = a.total;
    close(t.netGammaUsdPer1Pct[0]!, 158_335.0747778998 - 234_569.06298173495);
    close(t.absGammaUsdPer1Pct[0]!, 158_335.0747778998 + 234_569.06298173495);
    close(t.callGammaUsdPer1Pct[0]!, 158_335.0747778998);
    close(t.putGammaUsdPer1Pct[0]!, -234_569.06298173495);
    close(t.deltaCoin[0]!, 54.97382248301129 + 61.622916473253085);
    expect(t.openInterest[0]).toBe(300);
    expect(t.dealerPosition[0]).toBe(-100);
    expect([a.invalidRows, a.expiredRows]).toEqual([1, 1]);
    expect(Array.from(a.layout.strikes)).toEqual([90_000, 100_000, 110_000]);
    // Cell (expiry 1, strike 100 000) holds the call; (expiry 0, strike 100 000) nothing (the expired call).
    const cell = (e: number, slot: number) => e * a.layout.strikeCount + slot;
    close(a.byStrikeExpiry.callGammaUsdPer1Pct[cell(1, 1)]!, 158_335.0747778998);
    expect(a.byStrikeExpiry.netGammaUsdPer1Pct[cell(0, 1)]).toBe(0);
    close(a.byStrike.putGammaUsdPer1Pct[0]!, -234_569.06298173495);
    close(a.byExpiry.netGammaUsdPer1Pct[1]!, t.netGammaUsdPer1Pct[0]!);
    expect(a.byExpiry.netGammaUsdPer1Pct[0]).toBe(0);
  });

  it('walls: call wall = largest positive call GEX, put wall = largest |put GEX|, abs-gamma strike', () => {
    const { aggregates } = compute();
    const walls = findGammaWallsIn(aggregates);
    expect(walls.callWall?.strikeUsd).toBe(100_000);
    expect(walls.putWall?.strikeUsd).toBe(90_000);
    close(walls.putWall!.gammaUsdPer1Pct, -234_569.06298173495);
    expect(walls.absGammaStrike?.strikeUsd).toBe(90_000);
    expect(findGammaWallsIn(aggregates, 0)).toEqual({ callWall: null, putWall: null, absGammaStrike: null });
  });
});

describe('positioning conventions (a) naive and (b) dealers short everything', () => {
  it('naive: +OI calls, -OI puts; short: -OI everywhere', () => {
    expect(dealerPositionFromOpenInterest('naive', true, 7)).toBe(7);
    expect(dealerPositionFromOpenInterest('naive', false, 7)).toBe(-7);
    expect(dealerPositionFromOpenInterest('short', true, 7)).toBe(-7);
    const { chain, perOption, aggregates } = compute();
    writeOpenInterestPositions('short', chain);
    expect(Array.from(chain.dealerPosition)).toEqual([-100, -200, -5000, -50]);
    computeOptionExposures(chain, perOption);
    aggregateExposures(chain, perOption, aggregates);
    // Dealers short both: every GEX negative, the call's sign flips, the put's is unchanged.
    close(aggregates.total.callGammaUsdPer1Pct[0]!, -158_335.0747778998);
    close(aggregates.total.putGammaUsdPer1Pct[0]!, -234_569.06298173495);
    const walls = findGammaWallsIn(aggregates);
    // Walls rank by |GEX| for calls and puts alike: the call wall stays where it was, with a negative value.
    expect(walls.callWall?.strikeUsd).toBe(findGammaWallsIn(compute().aggregates).callWall?.strikeUsd);
    expect(walls.callWall!.gammaUsdPer1Pct).toBeLessThan(0);
    expect(walls.putWall?.strikeUsd).toBe(90_000);
  });
});

describe('incremental exposure update', () => {
  it('subtract-old/add-new equals a full recompute after IV, forward, OI and position changes', () => {
    const { chain, perOption, aggregates } = compute();
    chain.vol[0] = 0.55;
    updateOptionExposures(chain, 0, perOption, aggregates);
    chain.forward[1] = 101_000;
    chain.openInterest[1] = 250;
    chain.dealerPosition[1] = -250;
    updateOptionExposures(chain, 1, perOption, aggregates);
    chain.vol[3] = 0.5; // the invalid row becomes valid
    updateOptionExposures(chain, 3, perOption, aggregates);
    const full = compute();
    const fresh = full.aggregates;
    computeOptionExposures(chain, full.perOption);
    aggregateExposures(chain, full.perOption, fresh);
    for (const field of ['netGammaUsdPer1Pct', 'absGammaUsdPer1Pct', 'deltaUsd', 'vannaUsdPerVolPoint', 'charmUsdPerDay', 'openInterest'] as const) {
      expect(Math.abs(aggregates.total[field][0]! - fresh.total[field][0]!)).toBeLessThan(1e-9 * Math.abs(fresh.total[field][0]!) + 1e-12);
      aggregates.byStrikeExpiry[field].forEach((v, k) => expect(Math.abs(v - fresh.byStrikeExpiry[field][k]!)).toBeLessThan(1e-6));
    }
    expect(aggregates.invalidRows).toBe(0);
  });

  it('refuses a strike change (that is a new layout)', () => {
    const { chain, perOption, aggregates } = compute();
    chain.strike[0] = 95_000;
    expect(() => updateOptionExposures(chain, 0, perOption, aggregates)).toThrow(/rebuild the layout/);
  });
});

describe('chain helpers', () => {
  it('validate structure and build grids', () => {
    const { chain } = compute();
    expect(() => assertExposureChain(chain)).not.toThrow();
    expect(() => assertExposureChain({ ...chain, spotUsd: NaN })).toThrow(/spot/);
    expect(() => assertExposureChain({ ...chain, count: 10 })).toThrow(/fewer than count/);
    const linear = linearSpotGrid();
    expect(linear.relativeMove.length).toBe(81);
    expect(linear.relativeMove[40]).toBe(0);
    const log = logSpotGrid(-0.2, 0.2, 60);
    expect(log.relativeMove[0]).toBeCloseTo(-0.2, 14);
    expect(log.relativeMove[59]).toBeCloseTo(0.2, 14);
    expect(log.logMove[1]! - log.logMove[0]!).toBeCloseTo(log.logStep, 15);
    expect(Array.from(uniformTimeGrid(3, 0.01))).toEqual([0, 0.005, 0.01]);
    expect(yearsToNthExpiry(chain, 1)).toBe(0.25); // expiry 0 is expired
    expect(yearsToNthExpiry(chain, 2)).toBeNaN();
  });
});
