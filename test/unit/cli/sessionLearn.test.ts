/**
 * `gammadesk train --session` and `gammadesk evaluate --session`, called as command functions (the training worker
 * runs from its TypeScript source) on the demo market recorded for four hours (test/helpers/backtestSession.ts):
 * the model is trained on the first 70 % of the session's one-minute index returns and gated on the last 30 %; the
 * evaluation of the same model and of the band on the held-out part with the gate's seed reproduces the stored test
 * figures exactly (same paths); bad arguments are usage errors (exit 2) naming what is wrong.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError, parseArgs } from '../../../src-main/cli/args';
import { learnCommands } from '../../../src-main/cli/commands/learn';
import { openDatabase } from '../../../src-main/store/database';
import { ModelRepository } from '../../../src-main/store/models';
import { recordBacktestSession } from '../../helpers/backtestSession';
import { makeTempDir } from '../../helpers/tmp';

const temp = makeTempDir('gammadesk-session-cli-');
const DB = join(temp.dir, 'session.db');
beforeAll(() => {
  recordBacktestSession(DB, { name: 'demo-4h', steps: 240, stepMs: 60_000 });
});
afterAll(() => temp.remove());
afterEach(() => vi.restoreAllMocks());

async function run(name: 'train' | 'evaluate', ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const command = learnCommands[name]!;
  const lines: string[] = [];
  const errors: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => lines.push(text));
  vi.spyOn(process.stderr, 'write').mockImplementation((text: string | Uint8Array) => errors.push(String(text)) > 0);
  const code = await command.run(parseArgs(argv, command.flags));
  return { code, stdout: lines.join('\n'), stderr: errors.join('') };
}

type Estimate = { value: number; standard_error: number };

describe('gammadesk train/evaluate --session', () => {
  it('trains on the first 70 %, stores the gated model in the session database, and evaluates on the held-out 30 %', async () => {
    const out = join(temp.dir, 'session-model.json');
    const trained = await run('train', '--session', 'demo-4h', '--currency', 'BTC', '--db', DB, '--interval', '1m', '--steps', '3', '--batch', '128', '--test-paths', '5000', '--name', 'cli session', '--out', out, '--format', 'json');
    expect(trained.code).toBe(0);
    const report = JSON.parse(trained.stdout) as { benchmark: string; model_id: number; steps: number; threads: number; session: { trainReturns: number; testReturns: number; spans: string }; gate: { passed: boolean; difference: Estimate; paths: number; seed: number } };
    expect(report).toMatchObject({ benchmark: 'session:1:BTC', steps: 3, threads: 1, session: { trainReturns: 168, testReturns: 72 }, gate: { paths: 5000, seed: 1000 } });
    expect(report.gate.passed).toBe(report.gate.difference.value + 2 * report.gate.difference.standard_error < 0);
    expect(trained.stderr).toContain('session 1 "demo-4h" BTC index at 60 s: training 2026-11-21 12:00..2026-11-21 14:48 UTC (168 returns), held out 2026-11-21 14:48..2026-11-21 16:00 UTC (72 returns)');

    const db = openDatabase(DB, { readonly: true });
    const stored = new ModelRepository(db).summary(report.model_id)!;
    db.close();
    expect(stored.dataRange).toBe(report.session.spans);
    const metrics = stored.metrics as { test: { indifferencePrice: { value: number } }; whalleyWilmott: { indifferencePrice: { value: number } } };

    // The gate's paths again (seed 1000, 5000 paths of the held-out part): the same figures as stored.
    const model = await run('evaluate', '--session', '1', '--db', DB, '--policy', out, '--paths', '5000', '--seed', '1000', '--format', 'json');
    expect(model.code).toBe(0);
    const evaluated = JSON.parse(model.stdout) as { benchmark: string; simulator: string; indifference_price: Estimate; gate: { difference: Estimate } };
    expect(evaluated).toMatchObject({ benchmark: 'session:1:BTC', simulator: 'session' });
    expect(evaluated.indifference_price.value).toBeCloseTo(metrics.test.indifferencePrice.value, 12);
    expect(evaluated.gate.difference.value).toBeCloseTo(report.gate.difference.value, 12);
    const band = JSON.parse((await run('evaluate', '--session', 'demo-4h', '--db', DB, '--policy', 'ww', '--paths', '5000', '--seed', '1000', '--format', 'json')).stdout) as { indifference_price: Estimate };
    expect(band.indifference_price.value).toBeCloseTo(metrics.whalleyWilmott.indifferencePrice.value, 12);
    // No hedge: no cost, no turnover (an identity on any paths).
    const none = JSON.parse((await run('evaluate', '--session', 'demo-4h', '--db', DB, '--policy', 'none', '--paths', '2000', '--format', 'json')).stdout) as { mean_cost: Estimate; turnover: Estimate };
    expect(none.mean_cost.value).toBe(0);
    expect(none.turnover.value).toBe(0);
    // Text output names the session and both spans.
    const text = await run('evaluate', '--session', 'demo-4h', '--db', DB, '--policy', 'bs-delta', '--paths', '2000');
    expect(text.stdout).toMatch(/^session:1:BTC cost 0\.0005 policy bs-delta: 2000 session paths, seed 1000\nsession 1 "demo-4h" BTC index at 60 s: training .* held out .*\nindifference price +[\d.e-]+ ± /);
  }, 120_000);

  it('bad arguments are usage errors naming what is wrong', async () => {
    const bad = async (pattern: RegExp, name: 'train' | 'evaluate', ...argv: string[]): Promise<void> => {
      const error = await run(name, ...argv).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toMatch(pattern);
    };
    await bad(/--session: no recorded session named or numbered "nope"; sessions: 1 "demo-4h"/, 'evaluate', '--session', 'nope', '--db', DB, '--policy', 'ww');
    await bad(/--session: session "demo-4h" has no ETH index \(it has BTC\)/, 'evaluate', '--session', 'demo-4h', '--currency', 'ETH', '--db', DB, '--policy', 'ww');
    await bad(/--currency must be BTC or ETH, got "XBT"/, 'train', '--session', 'demo-4h', '--currency', 'XBT', '--db', DB);
    await bad(/--session needs --db DB/, 'train', '--session', 'demo-4h', '--out', join(temp.dir, 'x.json'));
    await bad(/--db: ".*missing\.db" does not exist/, 'evaluate', '--session', 'demo-4h', '--db', join(temp.dir, 'missing.db'), '--policy', 'ww');
    await bad(/--interval: cannot read duration "1500ms"/, 'evaluate', '--session', 'demo-4h', '--db', DB, '--interval', '1500ms', '--policy', 'ww');
    await bad(/--interval must be a whole number of seconds, at least 1s, got "1\.5"/, 'evaluate', '--session', 'demo-4h', '--db', DB, '--interval', '1.5', '--policy', 'ww');
    await bad(/--session: session "demo-4h" gives 24 BTC index returns at 600 s intervals; at least 30 are needed/, 'evaluate', '--session', 'demo-4h', '--db', DB, '--interval', '10m', '--policy', 'ww');
    await bad(/--session: maturityIntervals must be a positive multiple of rebalanceIntervals \(7\), got 60/, 'evaluate', '--session', 'demo-4h', '--db', DB, '--rebalance', '7', '--policy', 'ww');
    await bad(/--session tests on its held-out part: leave out --simulator/, 'evaluate', '--session', 'demo-4h', '--db', DB, '--simulator', 'heston', '--policy', 'ww');
  });
});
