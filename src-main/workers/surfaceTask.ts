/**
 * Named task `surface` of the analytics worker: one currency's expiries fitted with raw SVI (quasi-explicit,
 * core/surface/fit.ts) from the previous fit's parameters, shaped into the Surface view's snapshot with each
 * slice's fit quality and arbitrage checks. Raw SVI per expiry is the live model because it is the closest fit
 * (decision 0020); its butterfly and calendar violations are reported, never hidden.
 */
import { fitSurface, type SurfaceFit } from '../core/surface/fit';
import { surfaceSnapshot } from '../core/surface/snapshot';
import { unpackSurfaceInputs, type SurfaceTaskInput, type SurfaceTaskOutput } from '../engine/surfaceInputs';

export function surfaceTask(input: SurfaceTaskInput): SurfaceTaskOutput {
  const markets = unpackSurfaceInputs(input);
  // fitSurface reads only each previous slice's expiry and parameters for a raw SVI refit.
  const previous = { model: 'svi', slices: input.starts.map((s) => ({ expiryMs: s.expiryMs, params: s.params })), shared: null } as unknown as SurfaceFit;
  const fit = fitSurface(markets, { model: 'svi', previous });
  return {
    snapshot: surfaceSnapshot(fit, markets),
    quality: fit.slices.map((s) => ({
      label: s.label,
      years: s.years,
      points: s.points,
      rmseDelta5: s.errors?.rmseDelta5 ?? null,
      countDelta5: s.errors?.countDelta5 ?? 0,
      maxAbsDelta5: s.errors?.maxAbsDelta5 ?? null,
      rmseAll: s.errors?.rmseAll ?? null,
      butterflyFlags: s.butterfly.length,
      calendarFlags: s.calendar.length,
      lee: s.lee,
      reason: s.reason,
    })),
    starts: fit.slices.flatMap((s) => (s.params === null ? [] : [{ expiryMs: s.expiryMs, params: s.params }])),
  };
}
