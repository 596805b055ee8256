/**
 * Worker side of the exposure analytics: one currency's chain in, GEX aggregates, profile, flips, walls and/or a
 * time range of the hedge-pressure map out (typed arrays, transferred back). The main thread splits the map by
 * time range over the pool's threads and stitches the parts.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { analyzeGammaExposure } from '../core/exposure/analysis';
import { assertCascadeGrid, allocateCascadeMaps, computeCascadeMaps, type CascadeGrid } from '../core/exposure/cascade';
import { logSpotGrid } from '../core/exposure/chain';
import { DEFAULT_GAMMA_MODEL_SETTINGS, prepareGammaModel } from '../core/exposure/gammaModel';
import type { ExposureCascadeOutput, ExposureSummaryOutput, ExposureTaskInput, ExposureTaskOutput } from '../engine/ports';

export function exposureTask(input: ExposureTaskInput): ExposureTaskOutput {
  const { chain } = input;
  let summary: ExposureSummaryOutput | null = null;
  const transfer: ArrayBuffer[] = [];
  if (input.summary) {
    const a = analyzeGammaExposure(chain, { model: { ...DEFAULT_GAMMA_MODEL_SETTINGS, volDynamics: input.dynamics ?? 'stickyStrike' } });
    const agg = a.aggregates;
    const total = agg.total;
    summary = {
      strikes: agg.layout.strikes,
      strikeCount: agg.layout.strikeCount,
      expiryCount: agg.layout.expiryCount,
      byStrike: { call: agg.byStrike.callGammaUsdPer1Pct, put: agg.byStrike.putGammaUsdPer1Pct, net: agg.byStrike.netGammaUsdPer1Pct },
      byExpiry: { net: agg.byExpiry.netGammaUsdPer1Pct, abs: agg.byExpiry.absGammaUsdPer1Pct },
      byStrikeExpiryNet: agg.byStrikeExpiry.netGammaUsdPer1Pct,
      totals: {
        net: total.netGammaUsdPer1Pct[0]!,
        abs: total.absGammaUsdPer1Pct[0]!,
        netCoin: total.netGammaCoinPer1Pct[0]!,
        deltaCoin: total.deltaCoin[0]!,
        vannaCoin: total.vannaCoinPerVolPoint[0]!,
        charmCoin: total.charmCoinPerDay[0]!,
      },
      profile: { spotUsd: a.profile.spotUsd, net: a.profile.netGammaUsdPer1Pct, withoutNext: a.profile.withoutNextExpiryGammaUsdPer1Pct },
      flipsUsd: a.flips.crossings.map((c) => c.levelUsd),
      flipsWithoutNextUsd: a.flipsWithoutNextExpiry.crossings.map((c) => c.levelUsd),
      nearestFlipUsd: a.flips.nearest?.levelUsd ?? null,
      walls: { call: a.walls.callWall?.strikeUsd ?? null, put: a.walls.putWall?.strikeUsd ?? null, absGamma: a.walls.absGammaStrike?.strikeUsd ?? null },
    };
    transfer.push(
      ...[summary.strikes, summary.byStrike.call, summary.byStrike.put, summary.byStrike.net, summary.byExpiry.net, summary.byExpiry.abs, summary.byStrikeExpiryNet, summary.profile.spotUsd, summary.profile.net, summary.profile.withoutNext].map(
        (array) => array.buffer as ArrayBuffer,
      ),
    );
  }
  let cascade: ExposureCascadeOutput | null = null;
  if (input.cascade) {
    const c = input.cascade;
    const grid: CascadeGrid = { spot: logSpotGrid(-0.2, 0.2, c.spotPoints), elapsedYears: c.elapsedYears, volShift: c.volShift };
    assertCascadeGrid(grid);
    const model = prepareGammaModel(chain);
    const maps = allocateCascadeMaps(grid);
    computeCascadeMaps(model, grid, { bidDepthUsd: c.bidDepthUsd, askDepthUsd: c.askDepthUsd, expiryCutoffYears: 0 }, maps, {
      volFrom: 0,
      volTo: grid.volShift.length,
      timeFrom: c.timeFrom,
      timeTo: c.timeTo,
    });
    const spotUsd = new Float64Array(grid.spot.relativeMove.length);
    for (let j = 0; j < spotUsd.length; j++) spotUsd[j] = chain.spotUsd * (1 + grid.spot.relativeMove[j]!);
    cascade = { timeFrom: c.timeFrom, timeTo: c.timeTo, spotUsd, gammaUsdPer1Pct: maps.gammaUsdPer1Pct, cascadeRatioUp: maps.cascadeRatioUp };
    transfer.push(spotUsd.buffer as ArrayBuffer, maps.gammaUsdPer1Pct.buffer as ArrayBuffer, maps.cascadeRatioUp.buffer as ArrayBuffer);
  }
  // Piscina's Transferable protocol: the value plus the distinct buffers to move with it (no copies).
  const result = { summary, cascade };
  return move({
    get [transferableSymbol]() {
      return [...new Set(transfer)];
    },
    get [valueSymbol]() {
      return result;
    },
  } as never) as unknown as ExposureTaskOutput;
}
