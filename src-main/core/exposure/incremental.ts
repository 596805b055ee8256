/**
 * Incremental update after one quote: row i of the chain changed (its IV, forward, open interest or dealer
 * position; not its strike, expiry or years, which change the layout and need a full recompute). Only that row's
 * contribution is subtracted and re-added, in the exposure sums, the GEX profile and the cascade maps; the model
 * remembers what the row contributed before, so the chain itself may already hold the new values.
 *
 * Cost: one row of greeks, one row across the profile grid (O(points)) and one row across the cascade cube
 * (O(vols x times x spots)); under sticky moneyness the whole expiry of the row is redone in the profile, since
 * its smile moved. (Years are unchanged, so the next expiry stays the same.) Sums drift by rounding (~1e-16 relative per update):
 * recompute in full now and then.
 */
import { accumulateCascadeRow, computeCascadeRatios, fullCascadeRange, type CascadeGrid, type CascadeMaps, type CascadeSettings } from './cascade';
import type { ExposureChain, SpotGrid } from './chain';
import { updateOptionExposures, type ExposureAggregates, type OptionExposures } from './exposures';
import { addRowSpotSums, prepareExpiry, prepareRow, type GammaModel } from './gammaModel';
import { accumulateProfileRow, finishGexProfile, type GexProfile } from './profile';

/** What to keep up to date; omit the parts you do not maintain. */
export interface ExposureTargets {
  exposures?: { perOption: OptionExposures; aggregates: ExposureAggregates };
  profile?: { grid: SpotGrid; out: GexProfile };
  cascade?: { grid: CascadeGrid; settings: CascadeSettings; out: CascadeMaps };
}

export function updateOptionRow(chain: ExposureChain, i: number, model: GammaModel, targets: ExposureTargets): void {
  if (!(i >= 0 && i < chain.count && i < model.count)) throw new RangeError(`Row ${i} is outside the chain (${chain.count}) or model (${model.count})`);
  if (chain.expiryIndex[i] !== model.expiryIndex[i] || chain.years[i] !== model.years[i]) {
    throw new RangeError(`Row ${i} changed expiry or years (${model.years[i]} -> ${chain.years[i]}): recompute in full`);
  }
  const { exposures, profile, cascade } = targets;
  if (exposures !== undefined) updateOptionExposures(chain, i, exposures.perOption, exposures.aggregates);

  const e = model.expiryIndex[i]!;
  const wholeExpiry = model.settings.volDynamics === 'stickyMoneyness';
  const from = wholeExpiry ? model.expiryStart[e]! : 0;
  const to = wholeExpiry ? model.expiryStart[e + 1]! : 1;
  const rowAt = (a: number): number => (wholeExpiry ? model.rowsByExpiry[a]! : i);

  // Out with the old rows, as the model remembers them.
  const cascadeRange = cascade === undefined ? undefined : fullCascadeRange(cascade.grid);
  if (cascade !== undefined && cascadeRange !== undefined) {
    accumulateCascadeRow(model, i, -1, cascade.grid, cascade.settings.expiryCutoffYears, cascade.out, cascadeRange);
  }
  for (let a = from; a < to; a++) {
    const row = rowAt(a);
    if (profile !== undefined) accumulateProfileRow(model, row, -1, profile.grid, profile.out);
    addRowSpotSums(model, row, -1);
  }

  if (wholeExpiry) prepareExpiry(chain, model, e);
  else prepareRow(chain, model, i);

  // In with the new.
  for (let a = from; a < to; a++) addRowSpotSums(model, rowAt(a), 1);
  if (profile !== undefined) {
    for (let a = from; a < to; a++) accumulateProfileRow(model, rowAt(a), 1, profile.grid, profile.out);
    finishGexProfile(model, profile.out);
  }
  if (cascade !== undefined && cascadeRange !== undefined) {
    accumulateCascadeRow(model, i, 1, cascade.grid, cascade.settings.expiryCutoffYears, cascade.out, cascadeRange);
    computeCascadeRatios(cascade.settings, cascade.out, cascadeRange);
  }
}
