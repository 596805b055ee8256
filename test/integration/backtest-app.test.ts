/**
 * Backtests from the app (issue 14 items 6 and 9, app/backtestService.ts): the demo market recorded for four hours of
 * market time (test/helpers/backtestSession.ts) and backtested through the app's API on the jobs pool. The result is
 * the one `runBacktest` (what `gammadesk backtest` runs) gives for the same inputs — same hashes, same figures —, the
 * same twice; a cancelled run keeps its partial result, equal to a direct run stopped at the same event; stored
 * models are backtested gated or not and say which; bad requests are answered with what is wrong.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BacktestJobDto } from '../../src-main/api/contract/backtest';
import type { GammaDeskApp } from '../../src-main/app/app';
import { runBacktest, type BacktestOptions, type BacktestResult } from '../../src-main/app/backtest/backtest';
import { learnedPolicySpec } from '../../src-main/app/backtest/learned';
import { classicalPolicy } from '../../src-main/app/backtest/policies';
import { BacktestService, policyDto } from '../../src-main/app/backtestService';
import { ApiHub } from '../../src-main/app/hub';
import { JobsPool } from '../../src-main/app/jobsPool';
import { worstDrawdown } from '../../src-main/core/backtest/metrics';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { openDatabase } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { ModelRepository } from '../../src-main/store/models';
import { recordBacktestSession } from '../helpers/backtestSession';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';
import { TSX_JOBS_WORKER } from '../helpers/worker';

const temp = makeTempDir('gammadesk-backtest-app-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});
afterAll(() => temp.remove());

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const MINUTE = 60_000;

function direct(dbPath: string, sessionId: number, extra: Partial<BacktestOptions> = {}): Promise<BacktestResult> {
  return runBacktest({
    dbPath,
    session: String(sessionId),
    currency: 'BTC',
    book: { kind: 'short-call', contracts: 1 },
    rebalance: { kind: 'interval', ms: 3_600_000, label: '1h' },
    policies: (['bs-delta', 'ww', 'none'] as const).map((name) => classicalPolicy(name, 'BTC')),
    hash: sha256,
    ...extra,
  });
}

async function jobsOf(client: ReturnType<GammaDeskApp['hub']['client']>): Promise<BacktestJobDto[]> {
  let jobs: BacktestJobDto[] = [];
  const stop = client.subscribe('backtestJobs', {}, (m) => (jobs = m.data));
  await Promise.resolve();
  stop();
  return jobs;
}

describe('backtests from the app', () => {
  it('runs on the jobs pool and gives runBacktest’s result (the CLI’s), the same twice; stored models gated or not', async () => {
    const dbPath = path.join(temp.dir, 'app.db');
    const recorded = recordBacktestSession(dbPath, { name: 'demo-4h', steps: 240, stepMs: MINUTE });
    expect(recorded.lastMs - recorded.firstMs).toBe(240 * MINUTE);
    const stepped = startSteppedApp({ dbPath, publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    const session = (await client.call('sessions.list', {})).find((s) => s.name === 'demo-4h')!;

    const params = { sessionId: session.id, currency: 'BTC' as const, book: { kind: 'short-call' as const, contracts: 1 }, rebalance: { kind: 'interval' as const, seconds: 3600 }, policies: ['bs-delta', 'ww', 'none'] };
    const first = await client.call('backtest.run', params);
    expect(first.state).toBe('running');
    expect(first.label).toBe(`backtest session ${session.id} "demo-4h" BTC, short 1 call, rebalance 1h: bs-delta, ww, none`);
    const second = await client.call('backtest.run', params);
    await app.backtests.idle();
    const jobs = await jobsOf(client);
    expect(jobs.map((j) => j.id)).toEqual([second.id, first.id]);
    const [a, b] = [jobs[1]!, jobs[0]!];
    expect(a.state).toBe('done');
    expect(a.error).toBeNull();
    expect(a.progress.fraction).toBe(1);
    const ra = a.result!;
    const rb = b.result!;
    expect(ra.partial).toBe(false);
    // Same session, same policies → the same result, hashed.
    expect(rb.resultSha256).toBe(ra.resultSha256);
    expect(rb.policies.map((p) => p.sha256)).toEqual(ra.policies.map((p) => p.sha256));

    // What `gammadesk backtest demo-4h --short-call --policy bs-delta --policy ww --policy none --rebalance 1h` runs.
    const cli = await direct(dbPath, session.id);
    expect(ra.resultSha256).toBe(cli.resultSha256);
    expect(ra.policies.map((p) => p.name)).toEqual(['bs-delta', 'ww', 'none']);
    for (const [i, p] of ra.policies.entries()) {
      const c = cli.policies[i]!;
      expect(p.sha256).toBe(c.sha256);
      expect(p.finalPnlCoin).toBe(c.finalPnlCoin);
      expect(p.turnoverUsd).toBe(c.turnoverUsd);
      expect(p.feesCoin).toBe(c.feesCoin);
      expect(p.worstDrawdownCoin).toBe(c.worstDrawdownCoin);
      expect(p.expectedShortfallCoin).toEqual(c.expectedShortfallCoin);
      // Few points here: the path crosses whole (the downsampling has its own tests).
      expect(p.pathPoints).toBe(c.path.length);
      expect(p.path).toEqual(c.path.map((x) => ({ timeMs: x.timeMs, pnlCoin: x.pnlCoin, pnlUsd: x.pnlUsd, hedgeUsd: x.hedgeUsd })));
      expect(worstDrawdown(p.path.map((x) => x.pnlCoin))).toBe(p.worstDrawdownCoin);
      expect(p.model).toBeNull();
    }
    // Four hours, hourly: the first rebalance and four more (the last at the session's end), the no-hedge policy idle.
    expect(ra.policies[0]!.rebalances).toBe(cli.policies[0]!.rebalances);
    expect(ra.policies[2]!.orders).toBe(0);
    expect(ra.policies[2]!.turnoverUsd).toBe(0);
    expect(ra.policies[0]!.orders).toBeGreaterThan(0);
    expect(ra.book).toHaveLength(1);
    expect(ra.book[0]!.quantity).toBe(-1);

    // Stored models: one that passed its gate and one that did not, both backtested; the result says which.
    const db = openDatabase(dbPath);
    const repo = new ModelRepository(db);
    // A small NTB with random weights (as test/integration/backtest.test.ts builds one): its band is what it is.
    const rng = new Rng(5);
    const mlp = Mlp.initialized([4, 16, 16, 2], rng);
    for (const bias of mlp.biases) for (let j = 0; j < bias.length; j++) bias[j] = 0.3 * rng.nextNormal();
    const json = exportPolicy(new NetworkPolicy('ntb', mlp, defaultInputs('ntb', 30 / 365, 0.6), 0.1), {});
    const base = { benchmark: 'B1', createdMs: 1, seeds: { init: 1 }, dataRange: 'test', metrics: {}, model: json };
    // Each holds one entropic gate (λ 1, the default trader's criterion): passed, and not.
    const gateOf = (passed: boolean): NonNullable<Parameters<ModelRepository['save']>[0]['gates']>[number] => ({
      criterion: { kind: 'entropic', lambda: 1 }, passed,
      gate: { baseline: 'ww', difference: { value: passed ? -0.1 : 0.1, standardError: 0.01 }, passed, paths: 1000, seed: 1000, simulator: 'gbm' },
    });
    const passed = repo.save({ ...base, name: 'passed', passedGate: true, gates: [gateOf(true)] });
    const failed = repo.save({ ...base, name: 'failed', passedGate: false, gates: [gateOf(false)] });
    db.close();
    const withModels = await client.call('backtest.run', { ...params, policies: [`model:${passed}`, `model:${failed}`, 'bs-delta'] });
    await app.backtests.idle();
    const mj = (await jobsOf(client)).find((j) => j.id === withModels.id)!;
    expect(mj.state).toBe('done');
    const mr = mj.result!;
    expect(mr.policies.map((p) => p.model)).toEqual([{ id: passed, name: 'passed', kind: json.kind, passedGate: true }, { id: failed, name: 'failed', kind: json.kind, passedGate: false }, null]);
    const cliModels = await direct(dbPath, session.id, {
      policies: [learnedPolicySpec(`model:${passed}`, JSON.stringify(json), 'BTC', sha256), learnedPolicySpec(`model:${failed}`, JSON.stringify(json), 'BTC', sha256), classicalPolicy('bs-delta', 'BTC')],
    });
    expect(mr.policies.map((p) => p.sha256)).toEqual(cliModels.policies.map((p) => p.sha256));
    expect(mr.resultSha256).toBe(cliModels.resultSha256);

    // The badge follows the advisor's rule: a gate passed on the trader's CURRENT criterion. The stored "passed"
    // model holds only an entropic gate, so under ES 95 % it no longer counts as passed.
    await client.call('models.setCriterion', { criterion: { kind: 'es', alpha: 0.95 } });
    const underEs = await client.call('backtest.run', { ...params, policies: [`model:${passed}`] });
    await app.backtests.idle();
    expect((await jobsOf(client)).find((j) => j.id === underEs.id)!.result!.policies[0]!.model!.passedGate).toBe(false);
    await client.call('models.setCriterion', { criterion: { kind: 'entropic', lambda: 1 } });

    // The current book: the app's positions of that currency, options only backtested (a perpetual row is skipped).
    const call = ra.book[0]!.instrument;
    await client.call('positions.set', { positions: [{ instrument: call, amount: -2 }, { instrument: 'BTC-PERPETUAL', amount: 1000 }] });
    const current = await client.call('backtest.run', { ...params, book: { kind: 'current' }, policies: ['bs-delta'] });
    await app.backtests.idle();
    const cj = (await jobsOf(client)).find((j) => j.id === current.id)!;
    expect(cj.error).toBeNull();
    expect(cj.result!.book.map((l) => [l.instrument, l.quantity])).toEqual([[call, -2]]);
    expect(cj.result!.skippedPositions).toEqual([{ line: 3, instrument: 'BTC-PERPETUAL', reason: "BTC-PERPETUAL: the backtest's book holds options; the hedge (the perpetual) is each policy's own" }]);

    // Bad requests, named.
    await expect(client.call('backtest.run', { ...params, sessionId: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no recorded session 999' });
    await expect(client.call('backtest.run', { ...params, policies: ['model:4242'] })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no stored model 4242 (model:4242)' });
    await expect(client.call('backtest.run', { ...params, policies: [] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.call('backtest.run', { ...params, policies: ['bs-delta', 'bs-delta'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'policy bs-delta is given twice' });
    await expect(client.call('backtest.run', { ...params, policies: ['gamma'] })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(client.call('backtest.run', { ...params, currency: 'ETH', book: { kind: 'current' } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'the current book has no ETH option: nothing to backtest (choose a short call, or add positions)' });
    await expect(client.call('backtest.cancel', { id: 'backtest-99' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(client.call('backtest.cancel', { id: current.id })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: `${current.id} is not running (done)` });
    // A session without the asked currency fails as a job, with runBacktest's reason.
    const eth = await client.call('backtest.run', { ...params, currency: 'ETH' });
    await app.backtests.idle();
    const ej = (await jobsOf(client)).find((j) => j.id === eth.id)!;
    expect(ej.state).toBe('failed');
    expect(ej.error).toBe('session "demo-4h" never had a quoted ETH call, index and ETH-PERPETUAL together: nothing to backtest');
    // The stream keeps the last three finished runs (their results are on every publish).
    expect((await jobsOf(client)).map((j) => j.id)).toEqual([eth.id, current.id, underEs.id]);
  }, 180_000);

  it('cancel keeps the partial result, marked partial: the same as a direct run stopped at the same event', async () => {
    const dbPath = path.join(temp.dir, 'cancel.db');
    recordBacktestSession(dbPath, { name: 'demo-cancel', steps: 240, stepMs: MINUTE });
    const db = openDatabase(dbPath);
    const hub = new ApiHub();
    const pool = new JobsPool(TSX_JOBS_WORKER);
    const chunk = 1000;
    const service = new BacktestService({ db, dbPath, hub, jobsPool: pool, book: () => [], nowMs: () => 0, chunk });
    hub.topicAll(service.resolvers());
    hub.handleAll(service.handlers());
    try {
      const sessionId = new EventLog(db).sessionByName('demo-cancel')!.id;
      const job = service.run({ sessionId, currency: 'BTC', book: { kind: 'short-call', contracts: 1 }, rebalance: { kind: 'every' }, policies: ['bs-delta', 'none'] });
      // Cancelled before the thread has even started: it stops at its first check after the book was valued.
      const cancelled = service.cancel(job.id);
      expect(cancelled.cancelRequested).toBe(true);
      await service.idle();
      const done = service.list()[0]!;
      expect(done.state).toBe('cancelled');
      const partial = done.result!;
      expect(partial.partial).toBe(true);
      expect(partial.eventsApplied % chunk).toBe(0);
      expect(partial.eventsApplied).toBeLessThan(partial.session.events);
      expect(done.progress.events).toBe(partial.eventsApplied);
      expect(done.progress.fraction).toBeLessThan(1);
      // A direct run stopped at the same event gives the same (partial) result and hashes.
      const stop = new AbortController();
      const same = await direct(dbPath, sessionId, {
        rebalance: { kind: 'every' }, policies: [classicalPolicy('bs-delta', 'BTC'), classicalPolicy('none', 'BTC')], chunk, signal: stop.signal,
        onProgress: (_, events) => {
          if (events >= partial.eventsApplied) stop.abort();
        },
      });
      expect(same.partial).toBe(true);
      expect(same.eventsApplied).toBe(partial.eventsApplied);
      expect(partial.resultSha256).toBe(same.resultSha256);
      expect(partial.policies.map((p) => p.sha256)).toEqual(same.policies.map((p) => p.sha256));
      // The wire's path of a long run: at most the budget, the first and last points, the whole path's drawdown.
      const whole = await direct(dbPath, sessionId, { rebalance: { kind: 'every' }, policies: [classicalPolicy('bs-delta', 'BTC')] });
      const full = whole.policies[0]!;
      expect(full.path.length).toBeGreaterThan(40);
      const wire = policyDto(full, null, 20);
      expect(wire.path.length).toBeLessThanOrEqual(20);
      expect(wire.pathPoints).toBe(full.path.length);
      expect(wire.path[0]!.timeMs).toBe(full.path[0]!.timeMs);
      expect(wire.path.at(-1)!.timeMs).toBe(full.path.at(-1)!.timeMs);
      expect(worstDrawdown(wire.path.map((x) => x.pnlCoin))).toBe(full.worstDrawdownCoin);
      expect(worstDrawdown(wire.path.map((x) => x.pnlUsd))).toBe(full.worstDrawdownUsd);
      expect(wire.sha256).toBe(full.sha256);
    } finally {
      service.dispose();
      await pool.close();
      db.close();
    }
  }, 120_000);
});
