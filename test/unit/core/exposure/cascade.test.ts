import { describe, expect, it } from 'vitest';
import {
  HOURS_PER_YEAR, allocateCascadeMaps, cascadeIndex, computeCascadeMaps, copyCascadeRange, type CascadeGrid, type CascadeSettings,
} from '../../../../src-main/core/exposure/cascade';
import { linearSpotGrid, logSpotGrid, uniformTimeGrid, yearsToNthExpiry } from '../../../../src-main/core/exposure/chain';
import { ModelRow, prepareGammaModel } from '../../../../src-main/core/exposure/gammaModel';
import { updateOptionRow } from '../../../../src-main/core/exposure/incremental';
import { allocateGexProfile, computeGexProfile } from '../../../../src-main/core/exposure/profile';
import { black76Greeks } from '../../../../src-main/core/pricing/black76';
import { DAY_YEARS, chainOf, syntheticChain } from './chains';

const SETTINGS: CascadeSettings = { bidDepthUsd: 20e6, askDepthUsd: 25e6, expiryCutoffYears: 0 };

function gridFor(horizonYears: number, spots = 21, times = 7): CascadeGrid {
  return { spot: logSpotGrid(-0.2, 0.2, spots), elapsedYears: uniformTimeGrid(times, horizonYears), volShift: Float64Array.of(-0.05, 0, 0.05) };
}

describe('cascade maps', () => {
  const chain = syntheticChain();
  const model = prepareGammaModel(chain);
  const grid = gridFor(yearsToNthExpiry(chain, 3)); // now .. the 7-day expiry: the 1- and 3-day expiries roll off
  const maps = allocateCascadeMaps(grid);
  computeCascadeMaps(model, grid, SETTINGS, maps);

  it('match a direct Black-76 sum at every cell (forward with spot, IV + shift, time passing, roll-off)', () => {
    let scale = 0;
    maps.gammaUsdPer1Pct.forEach((g) => (scale = Math.max(scale, Math.abs(g))));
    for (let v = 0; v < 3; v++) {
      for (let t = 0; t < grid.elapsedYears.length; t++) {
        for (let j = 0; j < grid.spot.relativeMove.length; j += 4) {
          const growth = 1 + grid.spot.relativeMove[j]!;
          let gammaCoin = 0;
          let gammaUsd = 0;
          let vanna = 0;
          let charm = 0;
          for (let i = 0; i < chain.count; i++) {
            if (model.status[i] !== ModelRow.Included) continue;
            const tau = chain.years[i]! - grid.elapsedYears[t]!;
            if (tau <= 0) continue; // rolled off
            const f = chain.forward[i]! * growth;
            const g = black76Greeks(f, chain.strike[i]!, tau, Math.max(chain.vol[i]! + grid.volShift[v]!, 0.01), true);
            const n = chain.dealerPosition[i]!;
            gammaCoin += n * g.gamma * f * 0.01;
            gammaUsd += n * g.gamma * f * f * 0.01;
            vanna += n * g.vanna * 0.01;
            charm += (n * g.charm) / HOURS_PER_YEAR;
          }
          const k = cascadeIndex(maps, v, t, j);
          expect(Math.abs(maps.gammaUsdPer1Pct[k]! - gammaUsd)).toBeLessThan(1e-11 * scale);
          expect(Math.abs(maps.gammaCoinPer1Pct[k]! - gammaCoin)).toBeLessThan((1e-11 * scale) / 80_000);
          expect(Math.abs(maps.vannaCoinPerVolPoint[k]! - vanna)).toBeLessThan(1e-9 * (1 + Math.abs(vanna)));
          expect(Math.abs(maps.charmCoinPerHour[k]! - charm)).toBeLessThan(1e-9 * (1 + Math.abs(charm)));
          expect(maps.cascadeRatioUp[k]).toBeCloseTo(-maps.gammaUsdPer1Pct[k]! / SETTINGS.askDepthUsd, 12);
          expect(maps.cascadeRatioDown[k]).toBeCloseTo(-maps.gammaUsdPer1Pct[k]! / SETTINGS.bidDepthUsd, 12);
        }
      }
    }
  });

  it('now, with no vol shift, is the GEX profile on the same spot grid', () => {
    const profile = allocateGexProfile(grid.spot);
    computeGexProfile(model, grid.spot, profile);
    for (let j = 0; j < profile.points; j++) {
      const k = cascadeIndex(maps, 1, 0, j);
      expect(Math.abs(maps.gammaUsdPer1Pct[k]! - profile.netGammaUsdPer1Pct[j]!)).toBeLessThan(1e-11 * model.absGammaUsdAtSpot);
    }
  });

  it('an option contributes nothing once its expiry has passed', () => {
    // The synthetic chain plus a 2-day ATM call with a huge position; time grid 0, 1, 2, 3, 4 days.
    const base = syntheticChain();
    const rows = Array.from({ length: base.count }, (_, i) => ({
      forward: base.forward[i]!, strike: base.strike[i]!, years: base.years[i]!, vol: base.vol[i]!, call: base.isCall[i] === 1,
      openInterest: base.openInterest[i]!, expiry: base.expiryIndex[i]!,
    }));
    const withExtra = chainOf([...rows, { forward: 100_000, strike: 100_000, years: 2 * DAY_YEARS, vol: 0.5, call: true, openInterest: 1e5, expiry: 6 }], 100_000);
    const g = gridFor(4 * DAY_YEARS, 9, 5);
    const plain = allocateCascadeMaps(g);
    const extra = allocateCascadeMaps(g);
    computeCascadeMaps(prepareGammaModel(base), g, SETTINGS, plain);
    computeCascadeMaps(prepareGammaModel(withExtra), g, SETTINGS, extra);
    for (let t = 0; t < 5; t++) {
      const k = cascadeIndex(plain, 1, t, 4);
      if (t < 2) expect(extra.gammaUsdPer1Pct[k]! - plain.gammaUsdPer1Pct[k]!).toBeGreaterThan(1e6);
      else expect(extra.gammaUsdPer1Pct[k]).toBe(plain.gammaUsdPer1Pct[k]); // at 2 days it expired; bit-identical
    }
  });

  it('can be split by time or vol range and merged, bit-identically', () => {
    const merged = allocateCascadeMaps(grid);
    const partA = allocateCascadeMaps(grid);
    const partB = allocateCascadeMaps(grid);
    const half = 3;
    computeCascadeMaps(model, grid, SETTINGS, partA, { volFrom: 0, volTo: 3, timeFrom: 0, timeTo: half });
    computeCascadeMaps(model, grid, SETTINGS, partB, { volFrom: 0, volTo: 3, timeFrom: half, timeTo: grid.elapsedYears.length });
    copyCascadeRange(partA, merged, { volFrom: 0, volTo: 3, timeFrom: 0, timeTo: half });
    copyCascadeRange(partB, merged, { volFrom: 0, volTo: 3, timeFrom: half, timeTo: grid.elapsedYears.length });
    expect(merged).toEqual(maps);
    const byVol = allocateCascadeMaps(grid);
    computeCascadeMaps(model, grid, SETTINGS, byVol, { volFrom: 0, volTo: 1, timeFrom: 0, timeTo: grid.elapsedYears.length });
    computeCascadeMaps(model, grid, SETTINGS, byVol, { volFrom: 1, volTo: 3, timeFrom: 0, timeTo: grid.elapsedYears.length });
    expect(byVol).toEqual(maps);
  });

  it('needs a spot grid uniform in log', () => {
    const bad = { ...grid, spot: linearSpotGrid(-0.2, 0.2, 21) };
    expect(() => computeCascadeMaps(model, bad, SETTINGS, allocateCascadeMaps(bad))).toThrow(/uniform in ln/);
  });
});

describe('incremental cascade update', () => {
  it('one option changes: patched maps equal a full recompute', () => {
    const chain = syntheticChain();
    const model = prepareGammaModel(chain);
    const grid = gridFor(yearsToNthExpiry(chain, 3));
    const maps = allocateCascadeMaps(grid);
    computeCascadeMaps(model, grid, SETTINGS, maps);
    for (const row of [20, 95]) {
      chain.vol[row] = chain.vol[row]! * 1.1;
      chain.dealerPosition[row] = chain.dealerPosition[row]! + 500;
      updateOptionRow(chain, row, model, { cascade: { grid, settings: SETTINGS, out: maps } });
    }
    const fresh = allocateCascadeMaps(grid);
    computeCascadeMaps(prepareGammaModel(chain), grid, SETTINGS, fresh);
    let scale = 0;
    fresh.gammaUsdPer1Pct.forEach((g) => (scale = Math.max(scale, Math.abs(g))));
    for (const field of ['gammaUsdPer1Pct', 'cascadeRatioUp', 'vannaUsdPerVolPoint', 'charmUsdPerHour'] as const) {
      let fieldScale = 0;
      fresh[field].forEach((x) => (fieldScale = Math.max(fieldScale, Math.abs(x))));
      fresh[field].forEach((x, k) => expect(Math.abs(maps[field][k]! - x)).toBeLessThanOrEqual(1e-12 * fieldScale));
    }
  });
});
