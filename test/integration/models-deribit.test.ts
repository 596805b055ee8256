/**
 * The Deribit series through the app's API (decision 0033): a model trained on the `history` source's `deribit`
 * series (Deribit BTC-PERPETUAL daily 2018-08-14..2020-12-31, gated on 2021-01-01..2026-01-30), compared on
 * `deribit-daily` paths on the jobs pool; the baselines on a 7-day market problem on `deribit-hourly` paths (each
 * hedged at its anchor hour's DVOL); a 30-day problem refused on `deribit-hourly`. Counts from
 * ../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv and lucashonorato_deribit_btc_perp_1h.csv (README rows).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelJobDto } from '../../src-main/api/contract/models';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-models-deribit-');
const HISTORY = path.resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');
const TINY = { maxSteps: 3, batch: 256, validationPaths: 1000, testPaths: 5000 };

describe('Deribit series through the models domain', () => {
  it('trains on the Deribit daily history, compares on deribit-daily and deribit-hourly paths, refuses 30-day hourly paths', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'deribit.db'), publishIntervalMs: 50, historyFile: HISTORY });
    try {
      await compareOnDeribit(stepped);
    } finally {
      await stepped.app.stop();
    }
  }, 180_000);
});

async function compareOnDeribit(stepped: ReturnType<typeof startSteppedApp>): Promise<void> {
  const client = stepped.app.hub.client();
  let jobs: ModelJobDto[] = [];
  client.subscribe('modelJobs', {}, (m) => (jobs = m.data));

  const trainJob = await client.call('models.train', { name: 'deribit history', kind: 'ntb', source: { type: 'history', series: 'deribit', maturityDays: 30 }, ...TINY });
  expect(trainJob.label).toBe('train ntb on history:BTC-PERPETUAL as "deribit history"');
  await stepped.app.models.idle();
  const model = (await client.call('models.list', {})).find((m) => m.name === 'deribit history')!;
  expect(model).toMatchObject({ benchmark: 'history:BTC-PERPETUAL', gate: { simulator: 'deribit-daily', paths: 5000 } });
  expect(model.dataRange).toBe('Deribit BTC-PERPETUAL daily returns 2018-08-14..2020-12-31 (training and validation, 870 days), tested on 2021-01-01..2026-01-30 (1855 days)');
  expect(jobs.find((j) => j.id === trainJob.id)!.problem!.description).toMatch(/^Deribit BTC-PERPETUAL history: block bootstrap \(5 days\) of 870 daily returns 2018-08-14\.\.2020-12-31, 30-day ATM call priced at their realized vol 0\.\d{4}/);

  const daily = await client.call('models.compare', { modelId: model.id, simulator: 'deribit-daily', paths: 3000, seed: 77 });
  await stepped.app.models.idle();
  const dailyDone = jobs.find((j) => j.id === daily.id)!;
  expect(dailyDone.state).toBe('done');
  expect(dailyDone.comparison!.simulator).toBe('deribit-daily');
  expect(dailyDone.comparison!.rows.map((r) => r.policy)).toEqual([`model:${model.id}`, 'none', 'bs-delta', 'ww', 'leland']);
  expect(dailyDone.comparison!.notes[0]).toMatch(/^deribit-daily: Deribit BTC-PERPETUAL daily closes 2021-03-24\.\.2026-01-30 .* 1773 daily returns: 1769 distinct 5-day blocks, 354 of them non-overlapping/);
  expect(dailyDone.comparison!.gate).toMatchObject({ simulator: 'deribit-daily', paths: 3000, seed: 77 });

  // A 7-day option calibrated to the demo market, on the 2026 hourly paths.
  await stepped.until(() => stepped.app.engine.market.currencies.get('BTC')?.sortedExpiries()[3]);
  await stepped.until(() => stepped.app.engine.market.currencies.get('BTC')?.perpetual);
  const hourly = await client.call('models.compare', { source: { type: 'market', currency: 'BTC', maturityDays: 7 }, simulator: 'deribit-hourly', paths: 2000, seed: 78 });
  await stepped.app.models.idle();
  const hourlyDone = jobs.find((j) => j.id === hourly.id)!;
  expect(hourlyDone.error).toBeNull();
  expect(hourlyDone.comparison!.rows.map((r) => r.policy)).toEqual(['none', 'bs-delta', 'ww', 'leland']);
  expect(hourlyDone.comparison!.notes[0]).toMatch(/^deribit-hourly: Deribit BTC-PERPETUAL hourly 2026-02-27 12:00\.\.2026-04-28 12:00 UTC; 721 anchor hours .*1417 distinct 24-hour blocks, 60 of them non-overlapping/);

  await expect(client.call('models.compare', { source: { type: 'benchmark', benchmark: 'B1' }, simulator: 'deribit-hourly', paths: 2000 }))
    .rejects.toThrow(/deribit-hourly test paths are at most 7 days .* this option runs 30 days/);
  await expect(client.call('models.train', { name: 'x', kind: 'ntb', source: { type: 'history', series: 'coinbase' as 'deribit' } })).rejects.toThrow(/series/);
}
