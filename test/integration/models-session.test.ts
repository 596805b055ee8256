/**
 * A recorded session as a training and comparison source through the app's API (issue 14 items 3 and 5): the demo
 * market recorded for four hours of market time (test/helpers/backtestSession.ts), a tiny NTB trained on
 * bootstrapped paths of the first 70 % of its one-minute BTC index returns, gated against the Whalley–Wilmott band on
 * bootstrapped paths of the last 30 %, stored with the session and both spans as its data range; then compared with
 * the baselines on the held-out part, and bad requests answered with what is wrong. The session is read on the jobs
 * pool (decision 0029): the job starts at once with no problem; an unknown session is refused at once, a session that
 * cannot serve (no such currency, too short) fails its job with the same message.
 */
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ModelJobDto } from '../../src-main/api/contract/models';
import type { GammaDeskApp } from '../../src-main/app/app';
import { BACKTEST_START_MS, recordBacktestSession } from '../helpers/backtestSession';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-models-session-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});
afterAll(() => temp.remove());

const TINY = { maxSteps: 4, batch: 256, validationPaths: 1000, testPaths: 5000 };
const MINUTE = 60_000;

describe('models on a recorded session', () => {
  it('trains on the first 70 %, gates and compares on the held-out 30 %, and names the session and both spans', async () => {
    const dbPath = path.join(temp.dir, 'session.db');
    // 240 one-minute demo steps: 241 index samples, 240 returns, 168 for training, 72 held out.
    const recorded = recordBacktestSession(dbPath, { name: 'demo-4h', steps: 240, stepMs: MINUTE });
    expect(recorded.lastMs - recorded.firstMs).toBe(240 * MINUTE);
    const stepped = startSteppedApp({ dbPath, publishIntervalMs: 50 });
    app = stepped.app;
    const client = stepped.app.hub.client();
    const session = (await client.call('sessions.list', {})).find((s) => s.name === 'demo-4h')!;
    expect(session).toBeDefined();

    const source = { type: 'session' as const, sessionId: session.id, currency: 'BTC' as const };
    let jobs: ModelJobDto[] = [];
    client.subscribe('modelJobs', {}, (m) => (jobs = m.data));
    const job = await client.call('models.train', { name: 'session ntb', kind: 'ntb', source, ...TINY });
    expect(job.label).toBe(`train ntb on session:${session.id}:BTC as "session ntb"`);
    // Not read yet: the jobs thread reads the session, then training starts.
    expect(job.problem).toBeNull();
    await stepped.app.models.idle();
    const trained = jobs.find((j) => j.id === job.id)!;
    expect(trained.state).toBe('done');
    const spans = trained.problem!.session!;
    expect(spans).toMatchObject({
      sessionId: session.id, sessionName: 'demo-4h', currency: 'BTC', intervalMs: MINUTE,
      trainFromMs: BACKTEST_START_MS, trainToMs: BACKTEST_START_MS + 168 * MINUTE, trainReturns: 168,
      testFromMs: BACKTEST_START_MS + 168 * MINUTE, testToMs: BACKTEST_START_MS + 240 * MINUTE, testReturns: 72,
      maturityIntervals: 60, rebalanceIntervals: 1, blockSteps: 5,
    });
    // Never overlapping: the held-out part starts where training ends.
    expect(spans.trainToMs).toBeLessThanOrEqual(spans.testFromMs);
    // A 60-minute ATM call, one-minute steps (ACT/365), priced at the training part's realized vol, 5 bp.
    expect(trained.problem).toMatchObject({ s0: 1, strike: 1, sigma: spans.realizedVol, dt: MINUTE / (365 * 86_400_000), maturityYears: (60 * MINUTE) / (365 * 86_400_000), cost: 5e-4, lambda: 1 });
    expect(spans.realizedVol).toBeGreaterThan(0.05);
    expect(spans.realizedVol).toBeLessThan(5);

    const model = (await client.call('models.list', {})).find((m) => m.name === 'session ntb')!;
    expect(model).toMatchObject({ benchmark: `session:${session.id}:BTC`, gate: { simulator: 'session', paths: 5000, seed: 1000 }, metrics: { steps: 4, stopReason: 'finished' } });
    expect(model.dataRange).toBe(`session ${session.id} "demo-4h" BTC index at 60 s: training 2026-11-21 12:00..2026-11-21 14:48 UTC (168 returns), held out 2026-11-21 14:48..2026-11-21 16:00 UTC (72 returns)`);
    // The gate as evaluate.ts defines it, whichever way it went.
    const gate = model.gate!;
    expect(model.passedGate).toBe(gate.difference.value + 2 * gate.difference.standardError < 0);

    // Comparison on the held-out part: the same paths for every policy; the gate recomputed on them agrees in sign
    // with the stored one when both use the same seed and path count.
    const compareJob = await client.call('models.compare', { modelId: model.id, source, paths: 5000, seed: 1000, bins: 20 });
    expect(compareJob.label).toBe(`compare model ${model.id} "session ntb" on the held-out part of session ${session.id}`);
    const baselines = await client.call('models.compare', { source: { ...source, maturityIntervals: 30 }, paths: 2000, seed: 5 });
    await stepped.app.models.idle();
    const comparison = jobs.find((j) => j.id === compareJob.id)!.comparison!;
    expect(comparison.simulator).toBe('session');
    expect(comparison.problem.session!.spans).toBe(model.dataRange);
    expect(comparison.rows.map((r) => r.policy)).toEqual([`model:${model.id}`, 'none', 'bs-delta', 'ww', 'leland']);
    for (const row of comparison.rows) expect(row.histogram.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    const none = comparison.rows[1]!;
    expect(none.meanCost.value).toBe(0);
    expect(none.turnover.value).toBe(0);
    // Same test paths (seed 1000, 5000 paths, held-out returns, block 5) as the training run's gate: the same figures.
    expect(comparison.gate!.difference.value).toBeCloseTo(gate.difference.value, 12);
    expect(comparison.rows[0]!.indifferencePrice.value).toBeCloseTo((model.metrics['test'] as { indifferencePrice: { value: number } }).indifferencePrice.value, 12);
    expect(comparison.notes.some((n) => n.startsWith('session: 5-step blocks of the 72 held-out step returns (not rescaled)'))).toBe(true);
    const base = jobs.find((j) => j.id === baselines.id)!.comparison!;
    expect(base.problem.maturityYears).toBeCloseTo((30 * MINUTE) / (365 * 86_400_000), 15);
    expect(base.gate).toBeNull();

    // Bad requests: what is wrong, named.
    await expect(client.call('models.train', { name: 'x', kind: 'ntb', source: { ...source, sessionId: 999 }, ...TINY })).rejects.toThrow(/no recorded session with id 999; sessions: .*"demo-4h"/);
    const noEth = await client.call('models.train', { name: 'x', kind: 'ntb', source: { ...source, currency: 'ETH' }, ...TINY });
    const tooShort = await client.call('models.compare', { source: { ...source, intervalSeconds: 600 } });
    await stepped.app.models.idle();
    expect(jobs.find((j) => j.id === noEth.id)).toMatchObject({ state: 'failed', modelId: null });
    expect(jobs.find((j) => j.id === noEth.id)!.error).toMatch(/session "demo-4h" has no ETH index \(it has BTC\)/);
    expect(jobs.find((j) => j.id === tooShort.id)!.error).toMatch(/gives 24 BTC index returns at 600 s intervals; at least 30 are needed/);
    expect((await client.call('models.list', {})).map((m) => m.name)).toEqual(['session ntb']);
    await expect(client.call('models.compare', { source, simulator: 'heston' })).rejects.toThrow(/a session comparison runs on bootstrapped paths of its held-out part: leave out simulator/);
    await expect(client.call('models.compare', { source: { ...source, rebalanceIntervals: 7, maturityIntervals: 60 } })).rejects.toThrow(/maturityIntervals must be a positive multiple of rebalanceIntervals \(7\), got 60/);
  }, 120_000);
});
