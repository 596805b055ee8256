/**
 * The `surface` task's input: a real chain (../shared/data, Deribit 2026-08-22 snapshot) packed and unpacked
 * is the same markets (absent IVs stay absent), the worker task fitted in-process from it equals fitSurface on the
 * markets directly, a second fit from its own parameters lands on the same smile, and malformed input is refused
 * with a message naming what is wrong.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expiryMarkets } from '../../../src-main/cli/commands/surface';
import { fitSurface } from '../../../src-main/core/surface/fit';
import { surfaceSnapshot } from '../../../src-main/core/surface/snapshot';
import { packSurfaceInputs, SURFACE_QUOTE_FIELDS, unpackSurfaceInputs } from '../../../src-main/engine/surfaceInputs';
import { readChainFile } from '../../../src-main/feeds/chainFile';
import { surfaceTask } from '../../../src-main/workers/surfaceTask';

const FILE = path.resolve('../shared/data/znmahbub_deribit_options_snapshot_20260822T093536Z.csv');

describe('surface task inputs', async () => {
  const chain = await readChainFile(FILE);
  const btc = expiryMarkets(chain.currencies.get('BTC')!, chain.asOfMs);

  it('packs and unpacks a real chain to the same markets', () => {
    const input = packSurfaceInputs('BTC', btc, []);
    expect(input.quotes.length).toBe(input.names.length * SURFACE_QUOTE_FIELDS);
    expect(input.names.length).toBe(btc.reduce((n, m) => n + m.quotes.length, 0));
    const back = unpackSurfaceInputs(input);
    const normal = (iv: number | null): number | null => (iv !== null && Number.isFinite(iv) && iv > 0 ? iv : null);
    expect(back).toEqual(btc.map((m) => ({ ...m, quotes: m.quotes.map((q) => ({ ...q, bidIv: normal(q.bidIv), askIv: normal(q.askIv), markIv: normal(q.markIv) })) })));
    expect(back.flatMap((m) => m.quotes).some((q) => q.bidIv === null)).toBe(true);
  });

  it('fits in the task as fitSurface does, and refits from its own parameters to the same smile', () => {
    const output = surfaceTask(packSurfaceInputs('BTC', btc, []));
    const direct = fitSurface(unpackSurfaceInputs(packSurfaceInputs('BTC', btc, [])), { model: 'svi' });
    expect(output.snapshot).toEqual(surfaceSnapshot(direct, unpackSurfaceInputs(packSurfaceInputs('BTC', btc, []))));
    expect(output.quality.map((q) => q.rmseDelta5)).toEqual(direct.slices.map((s) => s.errors?.rmseDelta5 ?? null));
    expect(output.starts.length).toBe(direct.slices.filter((s) => s.params !== null).length);
    const again = surfaceTask(packSurfaceInputs('BTC', btc, output.starts));
    again.snapshot.smiles.forEach((smile, i) => {
      const before = output.snapshot.smiles[i]!;
      if (before.rmseDelta5 === null) return;
      // Started at the optimum, the search stays there (the error does not get worse by more than rounding).
      expect(smile.rmseDelta5!).toBeLessThanOrEqual(before.rmseDelta5 + 1e-6);
    });
  });

  it('refuses a packed array of the wrong length or an option of an unknown expiry', () => {
    const input = packSurfaceInputs('BTC', btc.slice(0, 1), []);
    expect(() => unpackSurfaceInputs({ ...input, quotes: input.quotes.subarray(1) })).toThrow(/options need \d+ packed numbers, got \d+/);
    const wrong = Float64Array.from(input.quotes);
    wrong[0] = 7;
    expect(() => unpackSurfaceInputs({ ...input, quotes: wrong })).toThrow(new RegExp(`option ${input.names[0]} refers to expiry #7 of 1`));
  });
});
