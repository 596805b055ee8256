/**
 * One call for the whole gamma picture of one currency, allocating its outputs: the live path (the kernel's
 * exposure streams, in the worker pool), the CLI and tests all use it. The row-by-row update in incremental.ts is
 * not wired into the live path.
 */
import { assertExposureChain, linearSpotGrid, type ExposureChain, type SpotGrid } from './chain';
import {
  aggregateExposures, allocateExposureAggregates, allocateOptionExposures, buildExposureLayout, computeOptionExposures, findGammaWallsIn,
  type ExposureAggregates, type GammaWalls, type OptionExposures,
} from './exposures';
import { DEFAULT_GAMMA_MODEL_SETTINGS, prepareGammaModel, type GammaModel, type GammaModelSettings } from './gammaModel';
import { allocateGexProfile, computeGexProfile, DEFAULT_FLIP_SETTINGS, findGammaFlips, type FlipSettings, type GammaFlips, type GexProfile } from './profile';

export interface GammaAnalysisOptions {
  model?: GammaModelSettings;
  /** Profile grid (default -20 % .. +20 % in 0.5 % steps). */
  grid?: SpotGrid;
  flip?: FlipSettings;
}

export interface GammaAnalysis {
  perOption: OptionExposures;
  aggregates: ExposureAggregates;
  /** Walls over all expiries. */
  walls: GammaWalls;
  model: GammaModel;
  grid: SpotGrid;
  profile: GexProfile;
  /** Zero-gamma levels of the full profile. */
  flips: GammaFlips;
  /** Zero-gamma levels of the profile without the next expiry. */
  flipsWithoutNextExpiry: GammaFlips;
}

export function analyzeGammaExposure(chain: ExposureChain, options: GammaAnalysisOptions = {}): GammaAnalysis {
  assertExposureChain(chain);
  const perOption = allocateOptionExposures(chain.count);
  computeOptionExposures(chain, perOption);
  const aggregates = allocateExposureAggregates(buildExposureLayout(chain));
  aggregateExposures(chain, perOption, aggregates);
  const model = prepareGammaModel(chain, options.model ?? DEFAULT_GAMMA_MODEL_SETTINGS);
  const grid = options.grid ?? linearSpotGrid();
  const profile = allocateGexProfile(grid);
  computeGexProfile(model, grid, profile);
  const flipSettings = options.flip ?? DEFAULT_FLIP_SETTINGS;
  return {
    perOption,
    aggregates,
    walls: findGammaWallsIn(aggregates),
    model,
    grid,
    profile,
    flips: findGammaFlips(model, profile, 'all', flipSettings),
    flipsWithoutNextExpiry: findGammaFlips(model, profile, 'withoutNextExpiry', flipSettings),
  };
}
