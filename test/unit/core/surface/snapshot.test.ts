import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expiryMarkets } from '../../../../src-main/cli/commands/surface';
import { fitSurface, sliceTotalVariance } from '../../../../src-main/core/surface/fit';
import { surfaceSnapshot } from '../../../../src-main/core/surface/snapshot';
import { volFromTotalVariance } from '../../../../src-main/core/surface/svi';
import { readChainFile } from '../../../../src-main/feeds/chainFile';

// The real 2026-01-02 BTC chain of ../shared/data (622 options, 13 expiries; README there).
const JAN = path.resolve(process.cwd(), '../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv');

describe('surfaceSnapshot', async () => {
  const chain = await readChainFile(JAN);
  const markets = expiryMarkets(chain.currencies.get('BTC')!, chain.asOfMs);
  const fit = fitSurface(markets, { model: 'svi' });
  const snapshot = surfaceSnapshot(fit, markets);

  it('has one smile per expiry with every option as a market point and the fitted curve over its k-range', () => {
    expect(snapshot.smiles).toHaveLength(13);
    expect(snapshot.smiles.reduce((n, s) => n + s.points.length, 0)).toBe(622);
    for (const [i, smile] of snapshot.smiles.entries()) {
      expect(smile.curveK).toHaveLength(61);
      const ks = smile.points.map((p) => p.k);
      expect(smile.curveK[0]!).toBeLessThan(Math.min(...ks));
      expect(smile.curveK[60]!).toBeGreaterThan(Math.max(...ks));
      // The curve is the fitted slice: sqrt(w(k)/T) at each of its points.
      const w = sliceTotalVariance(fit.slices[i]!);
      smile.curveK.forEach((k, j) => expect(smile.curveIv[j]).toBeCloseTo(volFromTotalVariance(w(k), smile.years), 14));
    }
  });

  it('gives the term structure and a heatmap read from the surface at each expiry, JSON-safe', () => {
    expect(snapshot.term.map((t) => t.label)).toEqual(fit.slices.map((s) => s.label));
    const atmColumn = snapshot.heatmap.k.indexOf(0);
    expect(atmColumn).toBeGreaterThanOrEqual(0);
    snapshot.heatmap.years.forEach((_, j) => expect(snapshot.heatmap.iv[j]![atmColumn]).toBeCloseTo(snapshot.term[j]!.atmIv!, 12));
    const json = JSON.parse(JSON.stringify(snapshot)) as typeof snapshot;
    expect(json).toEqual(snapshot); // no NaN, no undefined, no Map: it crosses the API as it is
  });

  it('marks the calendar violations of the fit in the smile they belong to', () => {
    fit.slices.forEach((slice, i) => expect(snapshot.smiles[i]!.calendarFlags).toEqual(slice.calendar.map((v) => ({ kFrom: v.kFrom, kTo: v.kTo }))));
    expect(snapshot.smiles.some((s) => s.calendarFlags.length > 0)).toBe(true); // this chain's raw SVI fit has some
  });
});
