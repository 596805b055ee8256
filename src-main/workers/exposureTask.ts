/**
 * Worker side of the exposure analytics: one currency's chain in, GEX aggregates, profile, flips, walls and/or a
 * time range of the hedge-pressure map out (typed arrays, transferred back). The main thread splits the map by
 * time range over the pool's threads and stitches the parts.
 */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { assertCascadeGrid, allocateCascadeMaps, computeCascadeMaps, type CascadeGrid } from '../core/exposure/cascade';
import { logSpotGrid } from '../core/exposure/chain';
import { prepareGammaModel } from '../core/exposure/gammaModel';
import { summarizeExposure, summaryBuffers } from '../engine/exposureSummary';
import type { ExposureCascadeOutput, ExposureSummaryOutput, ExposureTaskInput, ExposureTaskOutput } from '../engine/ports';

export function exposureTask(input: ExposureTaskInput): ExposureTaskOutput {
  const { chain } = input;
  let summary: ExposureSummaryOutput | null = null;
  const transfer: ArrayBuffer[] = [];
  if (input.summary) {
    summary = summarizeExposure(chain, input.dynamics);
    transfer.push(...summaryBuffers(summary));
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
