/**
 * The models domain through the app's API (stepped market clock; training runs in its own worker thread and the
 * comparison on the jobs pool, both on real time, awaited through the service rather than by sleeping):
 * a tiny model is trained, gated against the Whalley–Wilmott band and stored; one that did not pass is refused as
 * the hedge policy, one that passed is chosen and the advisor's proposal comes from the learned policy with its
 * band explained; a cancelled run keeps its best checkpoint; comparisons, export, delete, and bad requests.
 */
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HedgeSnapshot } from '../../src-main/api/dto';
import type { ModelJobDto } from '../../src-main/api/contract/models';
import type { GammaDeskApp } from '../../src-main/app/app';
import { marketProblem } from '../../src-main/app/modelsService';
import type { LiveRealizedSnapshot } from '../../src-main/core/forecast/liveRealized';
import { defaultHedgeSettings } from '../../src-main/core/hedge/settings';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, importPolicy, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { openDatabase } from '../../src-main/store/database';
import { ModelRepository } from '../../src-main/store/models';
import { enterShortCallBook } from '../helpers/shortCallBook';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-models-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

const HISTORY = path.resolve('../shared/data/gymtradingenv_BTC_USD-Hourly.csv.gz');
/** A few steps on small batches: enough for the NTB to beat the band on B1 (its start is a band already), not the FFN. */
const TINY = { maxSteps: 5, batch: 256, validationPaths: 1000, testPaths: 10_000 };

/** The default BTC advisor settings as `hedge.settings.set` takes them, on, with a 0.2 BTC delta band. */
const { gamma: _gamma, vega: _vega, hedgeInstrument: _instrument, maxInitialMarginCoin: _im, modelId: _model, ...defaults } = defaultHedgeSettings('BTC');
const hedgeSettings = { ...defaults, enabled: true, delta: { ...defaults.delta, tolerance: 0.2 }, gamma: 'none' as const, vega: 'none' as const };

function start(db: string): ReturnType<typeof startSteppedApp> {
  const stepped = startSteppedApp({ dbPath: path.join(temp.dir, db), publishIntervalMs: 50, historyFile: HISTORY });
  app = stepped.app;
  return stepped;
}

/** A stored model's network (an untrained NTB of seed `seed`) and a model entry to save around it. */
const network = (seed: number) => exportPolicy(new NetworkPolicy('ntb', Mlp.initialized([4, 8, 2], new Rng(seed), 0.5), defaultInputs('ntb', 30 / 365, 0.2), 0.1), {});
const entry = (name: string, seed: number) => ({ name, benchmark: 'B1', createdMs: seed, seeds: { init: seed }, dataRange: 'test', metrics: {}, passedGate: true, model: network(seed) });
const ENTROPIC = { kind: 'entropic' as const, lambda: 1 };
/** A gate on entropic λ 1 as models.gate stores it: passed or not (the difference's sign says which). */
const entropicGate = (passed: boolean, paths: number) => ({
  criterion: ENTROPIC, passed, gate: { baseline: 'ww', difference: { value: passed ? -1 : 1, standardError: 0.1 }, paths, seed: 1000, simulator: 'gbm' },
});

describe('models through the app', () => {
  it('trains, gates and stores models; only the one that passed can hedge, and its proposal explains the band', async () => {
    const stepped = start('train.db');
    const client = stepped.app.hub.client();
    const jobs: ModelJobDto[][] = [];
    client.subscribe('modelJobs', {}, (m) => jobs.push(m.data));
    const ntbJob = await client.call('models.train', { name: 'tiny ntb', kind: 'ntb', source: { type: 'benchmark', benchmark: 'B1' }, ...TINY });
    expect(ntbJob).toMatchObject({ type: 'train', state: 'running', label: 'train ntb on B1 as "tiny ntb"' });
    const ffnJob = await client.call('models.train', { name: 'tiny ffn', kind: 'ffn', source: { type: 'benchmark', benchmark: 'B1' }, ...TINY });
    await stepped.app.models.idle();
    const stored = await client.call('models.list', {});
    const ntb = stored.find((m) => m.name === 'tiny ntb');
    const ffn = stored.find((m) => m.name === 'tiny ffn');
    expect(ntb).toMatchObject({ name: 'tiny ntb', kind: 'ntb', benchmark: 'B1', passedGate: true, seeds: { init: 1, train: 2, validation: 3, test: 1000 }, inUse: [] });
    expect(ffn).toMatchObject({ name: 'tiny ffn', kind: 'ffn', passedGate: false });
    // The gate as evaluate.ts defines it: the paired difference to the band below zero by two standard errors.
    const gate = ntb!.gate!;
    expect(gate).toMatchObject({ baseline: 'ww', paths: 10_000, seed: 1000, simulator: 'gbm', passed: true });
    expect(gate.difference.value + 2 * gate.difference.standardError).toBeLessThan(0);
    expect(ffn!.gate!.difference.value + 2 * ffn!.gate!.difference.standardError).toBeGreaterThanOrEqual(0);
    expect(ntb!.metrics).toMatchObject({ steps: 5, stopReason: 'finished', problem: { s0: 100, sigma: 0.2, cost: 2 ** -6, lambda: 1 } });
    // The stream saw progress, then the finished job with its model.
    const last = jobs.at(-1)!;
    expect(last.find((j) => j.id === ntbJob.id)).toMatchObject({ state: 'done', modelId: ntb!.id, stopReason: 'finished' });
    expect(last.find((j) => j.id === ffnJob.id)).toMatchObject({ state: 'done', modelId: ffn!.id });
    expect(jobs.some((list) => list.some((j) => j.progress !== null && j.progress.step >= 1))).toBe(true);

    // The export is the stored model JSON, which anyone can evaluate.
    const exported = await client.call('models.export', { id: ntb!.id });
    expect(exported.fileName).toBe('tiny-ntb.json');
    const state = { timeToMaturity: 0.05, logMoneyness: 0.01, spot: 101, bsDelta: 0.55, bsGamma: 0.07, previousPosition: 0.4, impliedVol: 0.2 };
    expect(importPolicy(JSON.parse(exported.text)).policy.decide(state)).toBe(stepped.app.models.model(ntb!.id)!.network.decide(state));

    // Hedging: the model that failed its gate is refused with why; the one that passed is taken.
    await enterShortCallBook(stepped);
    await expect(client.call('hedge.settings.set', { ...hedgeSettings, policy: 'learned' })).rejects.toThrow(/learned policy needs a model/);
    await expect(client.call('hedge.settings.set', { ...hedgeSettings, policy: 'learned', modelId: ffn!.id })).rejects.toThrow(/did not pass its gate: its indifference price minus the Whalley–Wilmott band's was .* on 10000 test paths/);
    await expect(client.call('hedge.settings.set', { ...hedgeSettings, policy: 'learned', modelId: 999 })).rejects.toThrow(/model 999 does not exist/);
    await client.call('hedge.settings.set', { ...hedgeSettings, policy: 'learned', modelId: ntb!.id });
    let latest: HedgeSnapshot | null = null;
    client.subscribe('hedge', { currency: 'BTC' }, (m) => (latest = m.data));
    const snapshot = await stepped.until(() => {
      const s = latest as HedgeSnapshot | null;
      return s?.proposal?.policy === 'learned' ? s : null;
    });
    const proposal = snapshot.proposal!;
    const band = proposal.learnedBand!;
    expect(band.model).toEqual({ id: ntb!.id, name: 'tiny ntb', kind: 'ntb' });
    // 20 short calls, no futures: the hedge is 0, below a band of positive (long) hedges around the delta hedge.
    expect(band.options).toHaveLength(1);
    expect(band.options[0]!.quantity).toBe(-20);
    expect(band.currentHedgeCoin).toBe(0);
    expect(band.lowerCoin).toBeGreaterThan(0);
    expect(band.lowerCoin).toBeLessThan(-band.bsDeltaCoin);
    expect(band.upperCoin).toBeGreaterThan(-band.bsDeltaCoin);
    expect(band.position).toBe('below');
    expect(proposal.status).toBe('trade');
    expect(proposal.legs.map((l) => [l.instrument, l.side])).toEqual([['BTC-PERPETUAL', 'buy']]);
    const text = proposal.rationale.join('\n');
    expect(text).toContain(`learned NTB policy "tiny ntb" (model ${ntb!.id}) with BTC-PERPETUAL: hedge band [`);
    expect(text).toMatch(/the current hedge \(futures and perpetual delta\) 0 BTC is below the band: trade to its nearest edge/);
    expect((await client.call('models.list', {})).find((m) => m.id === ntb!.id)!.inUse).toEqual(['BTC']);
    // A model in use cannot be deleted; the other can.
    await expect(client.call('models.delete', { id: ntb!.id })).rejects.toThrow(/is the BTC hedge policy: choose another policy before deleting it/);
    expect((await client.call('models.delete', { id: ffn!.id })).map((m) => m.id)).toEqual([ntb!.id]);
  }, 180_000);

  it('a cancelled run keeps its best checkpoint, gated and stored', async () => {
    const stepped = start('cancel.db');
    const client = stepped.app.hub.client();
    let reached: (job: ModelJobDto) => void = () => undefined;
    const tenSteps = new Promise<ModelJobDto>((resolve) => (reached = resolve));
    client.subscribe('modelJobs', {}, (m) => {
      const job = m.data[0];
      if (job?.progress && job.progress.step >= 12) reached(job);
    });
    const job = await client.call('models.train', { name: 'cancelled', kind: 'ntb', source: { type: 'benchmark', benchmark: 'B2' }, maxSteps: 100_000, maxSeconds: 3600, batch: 128, validationPaths: 500, testPaths: 5000 });
    await tenSteps;
    await client.call('models.cancel', { id: job.id });
    await stepped.app.models.idle();
    const [stored] = await client.call('models.list', {});
    expect(stored).toMatchObject({ name: 'cancelled', benchmark: 'B2', metrics: { stopReason: 'cancelled' } });
    const metrics = stored!.metrics as { steps: number; bestStep: number; bestValidationEntropicRisk: number };
    expect(metrics.steps).toBeGreaterThanOrEqual(12);
    // The checkpoint kept is the best validated one: validated every 10 steps, after the warm start (step 0) and
    // once more on the parameters where training stopped.
    expect(metrics.bestStep % 10 === 0 || metrics.bestStep === metrics.steps).toBe(true);
    expect(metrics.bestStep).toBeLessThanOrEqual(metrics.steps);
    expect(Number.isFinite(metrics.bestValidationEntropicRisk)).toBe(true);
    expect(stored!.gate).not.toBeNull();
    const done = (await new Promise<ModelJobDto[]>((resolve) => client.subscribe('modelJobs', {}, (m) => resolve(m.data))))[0]!;
    expect(done).toMatchObject({ id: job.id, state: 'cancelled', stopReason: 'cancelled', modelId: stored!.id });
    await expect(client.call('models.cancel', { id: job.id })).rejects.toThrow(/is not running \(cancelled\)/);
  }, 180_000);

  it('compares a model with the baselines on the same paths, calibrates to the market, and rejects bad requests', async () => {
    const stepped = start('compare.db');
    const client = stepped.app.hub.client();
    await client.call('models.train', { name: 'b2', kind: 'ntb', source: { type: 'benchmark', benchmark: 'B2' }, ...TINY });
    await stepped.app.models.idle();
    const [model] = await client.call('models.list', {});
    const compareJob = await client.call('models.compare', { modelId: model!.id, paths: 20_000, seed: 77, bins: 30 });
    expect(compareJob).toMatchObject({ type: 'compare', state: 'running' });
    const heston = await client.call('models.compare', { modelId: model!.id, simulator: 'heston', paths: 5000, seed: 78 });
    const bootstrap = await client.call('models.compare', { modelId: model!.id, simulator: 'bootstrap', paths: 5000, seed: 79 });
    await stepped.app.models.idle();
    let jobs: ModelJobDto[] = [];
    client.subscribe('modelJobs', {}, (m) => (jobs = m.data));
    const comparison = jobs.find((j) => j.id === compareJob.id)!.comparison!;
    expect(comparison.problem).toMatchObject({ s0: 1, sigma: 0.2, cost: 1e-3 });
    expect(comparison.rows.map((r) => r.policy)).toEqual([`model:${model!.id}`, 'none', 'bs-delta', 'ww', 'leland']);
    for (const row of comparison.rows) {
      expect(row.histogram.counts).toHaveLength(30);
      expect(row.histogram.edges).toHaveLength(31);
      expect(row.histogram.counts.reduce((a, b) => a + b, 0)).toBe(20_000);
      expect(row.indifferencePrice.standardError).toBeGreaterThan(0);
    }
    // Identities on shared paths: no hedge costs and turns over nothing; the paired gate agrees with the rows.
    const none = comparison.rows[1]!;
    expect(none.meanCost.value).toBe(0);
    expect(none.turnover.value).toBe(0);
    expect(comparison.gate!.difference.value).toBeCloseTo(comparison.rows[0]!.indifferencePrice.value - comparison.rows[3]!.indifferencePrice.value, 10);
    // B2 barely rewards hedging (decision 0015b): the report says so when no hedge is within two errors of the best.
    expect(comparison.notes.join('\n')).toMatch(/histogram: shared bins/);
    expect(jobs.find((j) => j.id === heston.id)!.comparison!.notes.join('\n')).toMatch(/test paths from heston/);
    expect(jobs.find((j) => j.id === bootstrap.id)!.comparison!.notes.join('\n')).toMatch(/daily BTC returns of 2021–2022/);

    // Paths calibrated to the demo market: its ATM IV, with the realized-vol estimate beside it.
    await stepped.until(() => stepped.app.engine.market.currencies.get('BTC')?.sortedExpiries()[3]);
    await stepped.until(() => stepped.app.engine.market.currencies.get('BTC')?.perpetual);
    const market = await client.call('models.compare', { source: { type: 'market', currency: 'BTC' }, paths: 2000 });
    await stepped.app.models.idle();
    const calibrated = jobs.find((j) => j.id === market.id)!.comparison!;
    expect(calibrated.rows.map((r) => r.policy)).toEqual(['none', 'bs-delta', 'ww', 'leland']);
    expect(calibrated.gate).toBeNull();
    const calibration = calibrated.problem.calibration!;
    expect(calibration.currency).toBe('BTC');
    expect(calibration.atmIv).toBeGreaterThan(0.05);
    expect(calibrated.problem.sigma).toBe(calibration.atmIv);
    expect(calibrated.problem.maturityYears).toBeCloseTo(30 / 365, 15);
    expect(calibrated.problem.description).toMatch(/^BTC market .* UTC: priced and hedged at ATM IV 0\.\d{4} \(\w+, strike \d+\), paths at /);
    // No live realized-vol estimate in this run (nothing watches the Surface view): the paths move at the ATM IV.
    expect(calibration.realizedVol).toBeNull();
    expect(calibrated.problem.pathVol).toBeUndefined();
    expect(calibrated.problem.description).toMatch(/paths at the ATM IV \(no realized-vol estimate yet\)/);
    // With an estimate the paths move at it and the option is still priced and hedged at the ATM IV.
    const estimate = { forecastVol: 0.3125, estimates: { ewma: 0.35 }, model: 'GARCH(1,1)' } as unknown as LiveRealizedSnapshot;
    const withRealized = marketProblem(stepped.app.engine.market, 'BTC', 30, undefined, estimate);
    expect(withRealized.problem.pathVol).toBe(0.3125);
    expect(withRealized.problem.sigma).toBe(calibration.atmIv);
    expect(withRealized.dto.pathVol).toBe(0.3125);
    expect(withRealized.dto.description).toMatch(/paths at realized vol 0\.3125/);
    expect(withRealized.dto.calibration!.realizedVolSource).toBe('live forecast (GARCH(1,1))');
    // An estimate that is not a positive number is not used, and the source says so instead of naming the model.
    const broken = marketProblem(stepped.app.engine.market, 'BTC', 30, undefined, { ...estimate, forecastVol: Number.NaN } as unknown as LiveRealizedSnapshot);
    expect(broken.problem.pathVol).toBeUndefined();
    expect(broken.dto.calibration!.realizedVolSource).toBe('the live estimate is not usable (NaN)');
    // The rule, checked on the market the job read (the clock has not moved since): the expiry nearest 30 days, the
    // strike nearest its forward, the mean of that strike's call and put mark IVs.
    const btc = stepped.app.engine.market.currencies.get('BTC')!;
    const nowMs = stepped.app.engine.market.timeMs;
    expect(calibration.marketTimeMs).toBe(nowMs);
    const live = btc.sortedExpiries().filter((e) => e.expiryMs > nowMs && e.forward() !== null);
    const nearest = live.reduce((a, b) => (Math.abs(b.expiryMs - nowMs - 30 * 86_400_000) < Math.abs(a.expiryMs - nowMs - 30 * 86_400_000) ? b : a));
    expect(calibration.expiry).toBe(nearest.label);
    const strike = Number(/strike (\d+)/.exec(calibrated.problem.description)![1]);
    const forward = nearest.forward()!.forwardUsd;
    const quoted = nearest.options.filter((o) => o.ticker && o.ticker.markIv > 0);
    expect(quoted.every((o) => Math.abs(o.def.strikeUsd - forward) >= Math.abs(strike - forward))).toBe(true);
    const atStrike = quoted.filter((o) => o.def.strikeUsd === strike);
    expect(calibration.atmIv).toBeCloseTo(atStrike.reduce((sum, o) => sum + o.ticker!.markIv, 0) / atStrike.length, 14);

    // Trained on history: 2018–2020 bootstrapped, priced at their realized vol, gated on 2021–2022.
    const historyJob = await client.call('models.train', { name: 'history', kind: 'ntb', source: { type: 'history' }, ...TINY, testPaths: 5000 });
    expect(historyJob.problem).toBeNull();
    await stepped.app.models.idle();
    const trainedOnHistory = (await client.call('models.list', {})).find((m) => m.name === 'history')!;
    expect(trainedOnHistory).toMatchObject({ benchmark: 'history:BTC', gate: { simulator: 'bootstrap', paths: 5000 } });
    expect(trainedOnHistory.dataRange).toMatch(/^BTC daily returns 2018-05-15\.\.2020-12-3\d \(training and validation, \d+ days\), tested on 2021-01-0\d\.\.2022-0\d-\d\d/);
    expect(jobs.find((j) => j.id === historyJob.id)!.problem!.description).toMatch(/^BTC history: block bootstrap \(5 days\) of \d+ daily returns .* priced at their realized vol 0\.\d{4}/);

    // Bad requests: each refused with what is wrong.
    await expect(client.call('models.train', { name: 'b2', kind: 'ntb', source: { type: 'benchmark', benchmark: 'B2' } })).rejects.toThrow(/a model named "b2" is stored already/);
    await expect(client.call('models.train', { name: 'x', kind: 'ntb', source: { type: 'benchmark', benchmark: 'B2' }, seed: 5, testSeed: 6 })).rejects.toThrow(/test seed 6 is one of the training seeds/);
    await expect(client.call('models.train', { name: 'x', kind: 'lstm' as 'ntb', source: { type: 'benchmark', benchmark: 'B2' } })).rejects.toThrow(/params\.kind must be one of ntb, ffn/);
    await expect(client.call('models.train', { name: 'x', kind: 'ntb', source: { type: 'benchmark', benchmark: 'B3' as 'B1' } })).rejects.toThrow(/benchmark/);
    await expect(client.call('models.compare', { modelId: 4242 })).rejects.toThrow(/model 4242 does not exist/);
    await expect(client.call('models.compare', {})).rejects.toThrow(/compare needs a model, a source, or both/);
    await expect(client.call('models.compare', { source: { type: 'history' } as never })).rejects.toThrow(/params\.source/);
    await expect(client.call('models.compare', { modelId: model!.id, seed: 2 })).rejects.toThrow(/seed 2 was used to train model/);
    await expect(client.call('models.delete', { id: 4242 })).rejects.toThrow(/model 4242 does not exist/);
    await expect(client.call('models.export', { id: 4242 })).rejects.toThrow(/model 4242 does not exist/);
    await expect(client.call('models.cancel', { id: 'train-99' })).rejects.toThrow(/no model job train-99/);
  }, 180_000);

  it('a model deleted elsewhere and its id reused by SQLite is not served from the cache', async () => {
    const stepped = start('reuse.db');
    const repository = stepped.app.models.repository;
    const first = repository.save(entry('first', 1));
    const state = { timeToMaturity: 0.05, logMoneyness: 0.01, spot: 101, bsDelta: 0.55, bsGamma: 0.07, previousPosition: 0.4, impliedVol: 0.2 };
    const before = stepped.app.models.model(first)!.network.band(state);
    // `gammadesk models delete` in another process: the app's service does not see it.
    expect(repository.delete(first)).toBe(true);
    expect(stepped.app.models.model(first)).toBeNull();
    const second = repository.save(entry('second', 2));
    expect(second).toBe(first);
    const loaded = stepped.app.models.model(second)!;
    expect(loaded.model.name).toBe('second');
    expect(loaded.network.band(state)).toEqual(importPolicy(network(2)).policy.band(state));
    expect(loaded.network.band(state)).not.toEqual(before);
  });

  it('serves the advisor its model and refusal from memory, read again only after models, gates or the criterion change', async () => {
    const dbPath = path.join(temp.dir, 'cache.db');
    const stepped = startSteppedApp({ dbPath, publishIntervalMs: 50, historyFile: HISTORY });
    app = stepped.app;
    const { models, db } = stepped.app;
    const repository = models.repository;
    const id = repository.save({ ...entry('cached', 1), gates: [entropicGate(true, 10_000)] });
    // Every read of the database prepares a statement: counted while the kernel's two calls of a hedge computation
    // (app.ts `learnedModel` and `learnedRefusal`) run, synchronously, nothing else in between — after a first
    // computation, which reads what changed.
    const prepare = vi.spyOn(db, 'prepare');
    const computations = (count: number): number => {
      models.model(id);
      models.refusal(id);
      const before = prepare.mock.calls.length;
      for (let i = 0; i < count; i++) {
        models.model(id);
        models.refusal(id);
      }
      return prepare.mock.calls.length - before;
    };
    const loaded = models.model(id)!;
    expect(models.refusal(id)).toBeNull();
    expect(computations(100)).toBe(0);
    expect(models.model(id)).toBe(loaded);

    // A re-gate (stored as models.gate stores it) that fails: refused at once, and cached again after one read.
    repository.saveGate(id, entropicGate(false, 20_000), 2);
    expect(models.refusal(id)).toMatch(/did not pass its gate: .* on 20000 test paths/);
    // The same model row: its network is not parsed again.
    expect(models.model(id)!.network).toBe(loaded.network);
    expect(computations(100)).toBe(0);
    repository.saveGate(id, entropicGate(true, 30_000), 3);
    expect(models.refusal(id)).toBeNull();

    // The trader's criterion changes: refused on it, then usable again when it is set back.
    models.setCriterion({ kind: 'es', alpha: 0.99 });
    expect(models.refusal(id)).toMatch(/has no gate on ES 99 %, the trader's criterion/);
    expect(computations(100)).toBe(0);
    models.setCriterion(ENTROPIC);
    expect(models.refusal(id)).toBeNull();

    // A model stored (a training run's end) under an id asked about before: not "does not exist" any more.
    expect(models.refusal(id + 1)).toBe(`model ${id + 1} does not exist`);
    const trained = repository.save({ ...entry('trained', 2), gates: [entropicGate(true, 10_000)] });
    expect(trained).toBe(id + 1);
    expect(models.refusal(trained)).toBeNull();
    expect(models.model(trained)!.model.name).toBe('trained');
    // Deleted through the service.
    models.delete(trained);
    expect(models.model(trained)).toBeNull();
    expect(models.refusal(trained)).toBe(`model ${trained} does not exist`);

    // Another connection (`gammadesk models gate` in another process) re-gates the model: seen at the next call.
    const other = openDatabase(dbPath);
    new ModelRepository(other).saveGate(id, entropicGate(false, 40_000), 4);
    other.close();
    expect(models.refusal(id)).toMatch(/did not pass its gate: .* on 40000 test paths/);
    expect(computations(100)).toBe(0);
    prepare.mockRestore();
  });
});
