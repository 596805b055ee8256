import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expiryMarkets } from '../../../../src-main/cli/commands/surface';
import { fitSurface, type SurfaceFit, type SurfaceModel } from '../../../../src-main/core/surface/fit';
import type { ExpiryMarket, FitTarget, FitWeighting } from '../../../../src-main/core/surface/slices';
import { readChainFile } from '../../../../src-main/feeds/chainFile';

// The two real Deribit BTC+ETH chains of ../shared/data (README there): 2026-01-02 09:18 UTC (13 expiries) and
// 2026-08-22 09:35 UTC (12 expiries), read at run time. Targets from GammaDesk issue 13 item 6: mark-IV RMSE
// <= 0.5 vol points between the 5-delta put and the 5-delta call per expiry, <= 1 vol point under 2 days,
// wherever at least 8 strikes lie there.
const FILES = ['20260102T091809Z', '20260822T093536Z'].map((stamp) => path.resolve(process.cwd(), `../shared/data/znmahbub_deribit_options_snapshot_${stamp}.csv`));
const TWO_DAYS = 2 / 365;

const markets: { name: string; expiries: ExpiryMarket[] }[] = [];
beforeAll(async () => {
  for (const file of FILES) {
    const chain = await readChainFile(file);
    for (const [currency, options] of chain.currencies) markets.push({ name: `${path.basename(file).slice(34, 42)} ${currency}`, expiries: expiryMarkets(options, chain.asOfMs) });
  }
});

function fitAll(model: SurfaceModel, target: FitTarget, weighting: FitWeighting): { name: string; fit: SurfaceFit }[] {
  return markets.map((m) => ({ name: m.name, fit: fitSurface(m.expiries, { model, target, weighting }) }));
}

function table(fits: { name: string; fit: SurfaceFit }[]): string {
  return fits.flatMap(({ name, fit }) => fit.slices.map((s) =>
    `${name} ${s.label.padEnd(8)} T=${s.years.toFixed(4)} n5=${s.errors?.countDelta5} rmse5=${s.errors?.rmseDelta5?.toFixed(3)} rmseAll=${s.errors?.rmseAll?.toFixed(3)} max5=${s.errors?.maxAbsDelta5?.toFixed(3)}`)).join('\n');
}

describe('raw SVI on the real chains', () => {
  it('meets the issue\'s mark-IV targets when fitted to mark IVs (vega weights), on every expiry with >= 8 strikes', () => {
    const fits = fitAll('svi', 'mark', 'vega');
    console.log(`raw SVI, mark IVs, vega weights (vol points):\n${table(fits)}`);
    let checked = 0;
    let within02 = 0;
    for (const { name, fit } of fits) {
      expect(fit.slices.every((s) => s.params !== null), name).toBe(true);
      for (const s of fit.slices) {
        expect(s.errors!.rmseAll).not.toBeNull(); // the full-range error is reported for every slice
        expect(s.lee).toBeNull(); // wings within Lee's moment bounds: extrapolation in k stays arbitrage-free there
        expect(s.butterfly, `${name} ${s.label}`).toEqual([]);
        if (s.errors!.countDelta5 < 8) continue;
        checked++;
        if (s.errors!.rmseDelta5! <= 0.2) within02++;
        expect(s.errors!.rmseDelta5!, `${name} ${s.label}`).toBeLessThanOrEqual(s.years < TWO_DAYS ? 1 : 0.5);
      }
    }
    // 49 of the 50 expiries have >= 8 strikes in the range; measured: 33 of them at or below 0.2 vol points (the
    // issue expects 0.05-0.2 "on most of them"), the worst 0.891 (ETH 23AUG26, 0.0026 years), 0.433 beyond 2 days.
    expect(checked).toBe(49);
    expect(within02 / checked).toBeGreaterThan(0.6);
  });

  it('fitted to bid/ask IVs (spread weights): the fit lies inside most bid/ask quotes; mark-IV errors reported', () => {
    const fits = fitAll('svi', 'bidask', 'spread');
    console.log(`raw SVI, bid/ask IVs, spread weights (vol points):\n${table(fits)}`);
    let inside = 0;
    let twoSided = 0;
    const misses: string[] = [];
    for (const { name, fit } of fits) {
      for (const s of fit.slices) {
        if (s.errors!.countDelta5 >= 8 && s.errors!.rmseDelta5! > (s.years < TWO_DAYS ? 1 : 0.5)) misses.push(`${name} ${s.label} ${s.errors!.rmseDelta5!.toFixed(3)}`);
        for (const r of s.residuals) {
          if (r.residualHalfWidths === null) continue;
          twoSided++;
          if (Math.abs(r.residualHalfWidths) <= 1) inside++;
        }
      }
    }
    console.log(`bid/ask fit inside the quote: ${inside} of ${twoSided}; mark-IV target missed on: ${misses.join(', ')}`);
    // Measured: the bid/ask fit misses the mark-IV target on 4 of 49 expiries, all of them under 3 days (decision 0012).
    expect(misses.length).toBeLessThanOrEqual(4);
    // Measured: 2328 of 2390 two-sided quotes (97.4 %) have the fitted IV between their bid and ask IVs.
    expect(inside / twoSided).toBeGreaterThan(0.95);
  });
});

describe('SSVI and eSSVI on the real chains', () => {
  for (const model of ['ssvi', 'essvi'] as const) {
    it(`${model}: no butterfly or calendar violation on any slice (arbitrage-free by construction)`, () => {
      const fits = fitAll(model, 'mark', 'vega');
      console.log(`${model}, mark IVs, vega weights:\n${table(fits)}`);
      for (const { name, fit } of fits) {
        for (const s of fit.slices) {
          expect(s.butterfly, `${name} ${s.label}`).toEqual([]);
          expect(s.calendar, `${name} ${s.label}`).toEqual([]);
          expect(s.lee).toBeNull();
        }
      }
    });
  }
});
