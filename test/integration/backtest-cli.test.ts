import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { openDatabase } from '../../src-main/store/database';
import { ModelRepository } from '../../src-main/store/models';
import { recordBacktestSession } from '../helpers/backtestSession';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

// `gammadesk backtest` as a user runs it: the built CLI as a child process on a recorded demo session (four hours
// of market time, one step a minute). The numbers themselves are checked in backtest.test.ts; here: the same
// hash run after run, the JSON report, Ctrl-C, and wrong arguments exiting 2 with a message that names them.
const temp = makeTempDir('gammadesk-backtest-cli-');
const dbPath = join(temp.dir, 'desk.db');
// A seeded, untrained NTB network: stored in the database as `train --db` stores one, and written as a file.
const rng = new Rng(5);
const mlp = Mlp.initialized([4, 16, 16, 2], rng);
for (const b of mlp.biases) for (let j = 0; j < b.length; j++) b[j] = 0.3 * rng.nextNormal();
const model = exportPolicy(new NetworkPolicy('ntb', mlp, defaultInputs('ntb', 30 / 365, 0.6), 0.1), {});
const modelFile = join(temp.dir, 'ntb.json');

beforeAll(() => {
  recordBacktestSession(dbPath, { name: 'demo-hours', steps: 240, stepMs: 60_000 });
  writeFileSync(modelFile, JSON.stringify(model));
  const db = openDatabase(dbPath);
  try {
    new ModelRepository(db).save({ name: 'ntb-test', benchmark: 'B1', createdMs: 0, seeds: { init: 5 }, dataRange: 'none (untrained)', metrics: {}, passedGate: false, model });
  } finally {
    db.close();
  }
});
afterAll(() => temp.remove());

function run(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), 'backtest', ...args, '--db', dbPath], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

interface PolicyJson { name: string; sha256: string; final_pnl_coin: number; turnover_usd: number; path: { pnl_coin: number }[]; expected_shortfall_coin: { value: number; intervals: number } }
interface ResultJson { partial: boolean; result_sha256: string; policies: PolicyJson[]; events_applied: number; session: { events: number } }

describe('gammadesk backtest', () => {
  it('prints the same result and hashes on every run (JSON), and the side-by-side table (text)', () => {
    const args = ['demo-hours', '--short-call', '--policy', 'bs-delta', '--policy', 'ww', '--policy', 'none', '--rebalance', '15m'];
    const first = run(...args, '--format', 'json');
    expect(first.status).toBe(0);
    const a = JSON.parse(first.stdout) as ResultJson;
    const b = JSON.parse(run(...args, '--format', 'json').stdout) as ResultJson;
    expect(b.result_sha256).toBe(a.result_sha256);
    expect(a.result_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a.policies.map((p) => p.name)).toEqual(['bs-delta', 'ww', 'none']);
    expect(b.policies.map((p) => p.sha256)).toEqual(a.policies.map((p) => p.sha256));
    expect(a.partial).toBe(false);
    // 4 h at 15 min: 17 rebalances from the first, each a path point.
    expect(a.policies[0]!.path).toHaveLength(17);
    expect(a.policies[0]!.expected_shortfall_coin.intervals).toBe(17);
    const text = run(...args);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/final P&L BTC\s+\S+\s+\S+\s+\S+/);
    expect(text.stdout).toContain(`result sha256 ${a.result_sha256}`);
    expect(text.stderr).toMatch(/backtest demo-hours done: 28\d+ events, 3 policies/);
  }, 120_000);

  it('backtests a model stored in the database (model:ID) exactly as the same model from a file', () => {
    const { stdout, status } = run('demo-hours', '--short-call', '--policy', 'model:1', '--policy', modelFile, '--format', 'json');
    expect(status).toBe(0);
    const [stored, file] = (JSON.parse(stdout) as ResultJson).policies;
    expect(stored!.name).toBe('model:1');
    expect(file!.name).toBe('ntb.json');
    expect(stored!.turnover_usd).toBeGreaterThan(0);
    expect(stored!.turnover_usd).toBe(file!.turnover_usd);
    expect(stored!.final_pnl_coin).toBe(file!.final_pnl_coin);
    expect(stored!.path).toEqual(file!.path);
  }, 120_000);

  it('stops cleanly on Ctrl-C with the partial result, marked partial', async () => {
    const child = spawn(process.execPath, [builtCli(), 'backtest', 'demo-hours', '--short-call', '--policy', 'bs-delta', '--rebalance', 'every', '--format', 'json', '--db', dbPath]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    // The first progress line comes after the first chunk of events: interrupt then.
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr === '') child.kill('SIGINT');
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stderr).toContain('backtest: interrupted, finishing with the partial result');
    const result = JSON.parse(stdout) as ResultJson;
    expect(result.partial).toBe(true);
    expect(result.events_applied).toBeLessThan(result.session.events);
  }, 120_000);

  it('exits 2 naming what is wrong: unknown session, bad policy or model file, bad rebalance, no book', () => {
    const bad = (args: string[], message: RegExp): void => {
      const { status, stderr } = run(...args);
      expect(status).toBe(2);
      expect(stderr).toMatch(message);
    };
    bad(['nope', '--short-call', '--policy', 'ww'], /no recorded session named or numbered "nope"; sessions: 1 "demo-hours"/);
    bad(['demo-hours', '--short-call', '--policy', 'delta'], /--policy must be bs-delta, ww, threshold, none, a model file .* or a stored model \(model:ID\), got "delta"/);
    bad(['demo-hours', '--short-call', '--policy', join(temp.dir, 'missing.json')], /--policy .*missing\.json: cannot read .*ENOENT/);
    const notJson = join(temp.dir, 'broken.json');
    writeFileSync(notJson, '{"format": "gammadesk-hedge-policy", ');
    bad(['demo-hours', '--short-call', '--policy', notJson], /broken\.json: not a model file \(not JSON/);
    const wrongModel = join(temp.dir, 'wrong.json');
    writeFileSync(wrongModel, JSON.stringify({ format: 'gammadesk-hedge-policy', version: 1, kind: 'xyz' }));
    bad(['demo-hours', '--short-call', '--policy', wrongModel], /wrong\.json: model field kind must be "ntb" or "ffn", got "xyz"/);
    bad(['demo-hours', '--short-call', '--policy', 'model:99'], /--policy model:99: no stored model 99/);
    bad(['demo-hours', '--short-call', '--policy', 'ww', '--rebalance', 'hourly'], /--rebalance: must be every or a duration such as 1h, 15m or 90s, got "hourly"/);
    bad(['demo-hours', '--policy', 'ww'], /give the book: either --positions BOOK\.csv or --short-call/);
    bad(['demo-hours', '--short-call'], /give at least one --policy/);
    bad(['demo-hours', '--short-call', '--policy', 'ww', '--policy', 'ww'], /--policy ww is given twice/);
    bad(['demo-hours', '--short-call', '--policy', 'ww', '--currency', 'SOL'], /--currency must be one of BTC, ETH, got "SOL"/);
    const headerless = join(temp.dir, 'headerless.csv');
    writeFileSync(headerless, 'BTC-25DEC26-90000-C,-1\n');
    bad(['demo-hours', '--positions', headerless, '--policy', 'ww'], /headerless\.csv: .*instrument/);
    bad(['demo-hours', '--positions', join(temp.dir, 'none.csv'), '--policy', 'ww'], /--positions: cannot read .*none\.csv: ENOENT/);
    const book = join(temp.dir, 'eth-only.csv');
    writeFileSync(book, 'instrument,quantity\nETH-25DEC26-3000-C,1\n');
    bad(['demo-hours', '--positions', book, '--policy', 'ww'], /eth-only\.csv: no BTC option position to backtest \(1 rows skipped: line 2: ETH-25DEC26-3000-C: not a BTC instrument/);
  }, 120_000);
});
