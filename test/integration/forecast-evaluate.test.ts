import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GammaDeskApp } from '../../src-main/app/app';
import { makeTempDir } from '../helpers/tmp';
import { startSteppedApp } from '../helpers/steppedApp';

// The Surface view's forecast panel asks the host to evaluate a price file from the import folder: every model's
// forecast at 1, 7 and 30 days and the out-of-sample table, on the jobs pool. The file is the real Deribit
// BTC-PERPETUAL daily history of ../shared/data (README there), copied into this test's own import folder.
const temp = makeTempDir('gammadesk-forecast-eval-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

describe('forecast evaluation of a price file', () => {
  it('forecasts with every model and scores them out of sample; files outside the import folder are refused', async () => {
    const folder = path.join(temp.dir, 'imports');
    mkdirSync(folder, { recursive: true });
    copyFileSync(path.resolve('../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv'), path.join(folder, 'btc-daily.csv'));
    writeFileSync(path.join(folder, 'short.csv'), 'date,close\n2026-01-01,90000\n2026-01-02,91000\n2026-01-03,90500\n');
    app = startSteppedApp({ dbPath: path.join(temp.dir, 'f.db'), importFolder: folder }).app;
    const client = app.hub.client();
    const result = await client.call('forecast.evaluate', { file: 'btc-daily.csv' });
    expect(result.days).toBeGreaterThan(2000);
    expect(result.realizedVariance).toBe('daily');
    expect(result.forecasts).toHaveLength(12);
    for (const f of result.forecasts) expect(f.vol === null ? f.reason : f.vol).toBeTruthy();
    // Annualized BTC vol forecasts are in a plausible range (decimal).
    const har30 = result.forecasts.find((f) => f.model === 'har' && f.horizonDays === 30)!;
    expect(har30.vol).toBeGreaterThan(0.1);
    expect(har30.vol).toBeLessThan(2);
    const evaluation = result.evaluation!;
    expect(evaluation.live.map((v) => v.horizonDays)).toEqual([1, 7, 30]);
    for (const v of evaluation.live) expect(v.reason.length).toBeGreaterThan(0);
    const scored = evaluation.scores.filter((s) => s.qlike !== null);
    expect(new Set(scored.map((s) => s.model))).toEqual(new Set(['ewma', 'garch', 'har', 'learned']));
    const short = await client.call('forecast.evaluate', { file: 'short.csv' });
    expect(short.evaluation).toBeNull();
    expect(short.evaluationReason).toMatch(/needs at least 120/);
    await expect(client.call('forecast.evaluate', { file: '../f.db' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    writeFileSync(path.join(folder, 'bad.csv'), 'when,close\n1,2\n');
    await expect(client.call('forecast.evaluate', { file: 'bad.csv' })).rejects.toThrow(/bad.csv: no time column/);
  }, 120_000);
});
