import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoMarket } from '../../src-main/core/sim/demo';
import { epochMs } from '../../src-main/core/units';
import { openDatabase } from '../../src-main/store/database';
import { EventLog, EventRecorder } from '../../src-main/store/eventLog';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

// Replay runs a recorded session through the same engine with a simulated clock; two replays of one session
// must end in byte-identical analytics (DESIGN: data flow). The session is a demo market recorded with a fixed
// clock, so the test knows exactly what is in it.
const temp = makeTempDir('gammadesk-replay-');
const dbPath = join(temp.dir, 'replay.db');
const START = Date.UTC(2026, 10, 21, 12, 0, 0);
let eventCount = 0;
let lastMs = 0;

beforeAll(() => {
  const db = openDatabase(dbPath);
  const log = new EventLog(db);
  const session = log.createSession('demo-fixed', 'demo', START);
  const recorder = new EventRecorder(log, session.id);
  const market = new DemoMarket({ seed: 7, startMs: epochMs(START) });
  let now = START;
  for (const event of market.snapshot(epochMs(now))) recorder.record(event);
  for (let step = 0; step < 300; step++) {
    now += market.nextDelayMs();
    for (const event of market.step(epochMs(now))) recorder.record(event);
  }
  recorder.close();
  const row = log.session(session.id);
  eventCount = row.eventCount;
  lastMs = row.lastEventMs!;
  db.close();
});
afterAll(() => temp.remove());

function replay(...args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [builtCli(), 'replay', 'demo-fixed', '--db', dbPath, '--report', 'json', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe('gammadesk replay', () => {
  it('gives the same final analytics snapshot every time, at any speed', () => {
    const first = replay();
    const second = replay();
    expect(first['events']).toBe(eventCount);
    expect(first['final_seq']).toBe(eventCount);
    expect(first['expiries']).toBeGreaterThanOrEqual(16);
    expect(first['snapshot_sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(second['snapshot_sha256']).toBe(first['snapshot_sha256']);
    // 300 steps of 100–250 ms ≈ 53 s of market time; at 200× that is well under a second of wall time.
    const paced = replay('--speed', '200');
    expect(paced['snapshot_sha256']).toBe(first['snapshot_sha256']);
    expect(Number(paced['wall_seconds'])).toBeGreaterThan(0.2);
  }, 60_000);

  it('stops at --to and differs from the full replay', () => {
    const full = replay();
    const cut = replay('--to', String(lastMs - 20_000));
    expect(Number(cut['events'])).toBeLessThan(eventCount);
    expect(Number(cut['events'])).toBeGreaterThan(0);
    expect(cut['snapshot_sha256']).not.toBe(full['snapshot_sha256']);
    expect(replay('--to', String(lastMs - 20_000))['snapshot_sha256']).toBe(cut['snapshot_sha256']);
  }, 60_000);

  it('analyze --session --dealer flow: dealer inventory from the replayed trades, identical on every run', () => {
    const run = (): { events: number; flow_confidence: Record<string, number>; gex: Record<string, { totals: { gex_usd_per_1pct: number }; levels: { flip_usd: number | null }; by_strike: unknown[] }> } =>
      JSON.parse(
        execFileSync(process.execPath, [builtCli(), 'analyze', '--session', 'demo-fixed', '--at', String(lastMs), '--dealer', 'flow', '--db', dbPath], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      ) as never;
    const first = run();
    expect(first.events).toBe(eventCount);
    expect(Object.keys(first.gex).sort()).toEqual(['BTC', 'ETH']);
    // Some of the open interest is explained by the ~50 s of demo trades, not all of it.
    for (const currency of ['BTC', 'ETH']) {
      expect(first.flow_confidence[currency]).toBeGreaterThan(0);
      expect(first.flow_confidence[currency]).toBeLessThan(1);
      expect(first.gex[currency]!.by_strike.length).toBeGreaterThan(10);
    }
    expect(run()).toEqual(first);
    // Naive and flow differ: the flow convention sees only what traded.
    const naive = JSON.parse(
      execFileSync(process.execPath, [builtCli(), 'analyze', '--session', 'demo-fixed', '--at', String(lastMs), '--db', dbPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as { gex: Record<string, { totals: { abs_gex_usd_per_1pct: number } }> };
    expect(naive.gex['BTC']!.totals.abs_gex_usd_per_1pct).toBeGreaterThan((first.gex['BTC'] as unknown as { totals: { abs_gex_usd_per_1pct: number } }).totals.abs_gex_usd_per_1pct);
  }, 60_000);

  it('refuses wrong arguments with a usage error (exit 2)', () => {
    // A window outside the session is as wrong as an unreadable time (it once replayed nothing and exited 0).
    for (const args of [['--speed', 'fast'], ['--from', 'yesterday'], ['--report', 'xml'], ['--from', '2030-01-01T00:00:00Z'], ['--to', '2001-01-01T00:00:00Z']]) {
      try {
        execFileSync(process.execPath, [builtCli(), 'replay', 'demo-fixed', '--db', dbPath, ...args], { stdio: 'pipe' });
        expect.unreachable(`replay ${args.join(' ')} should fail`);
      } catch (error) {
        expect((error as { status: number }).status).toBe(2);
        if (args[1]!.startsWith('20')) expect(String((error as { stderr: Buffer }).stderr)).toMatch(/(after the end|before the start) of session "demo-fixed"/);
      }
    }
    try {
      execFileSync(process.execPath, [builtCli(), 'replay', 'no-such-session', '--db', dbPath], { stdio: 'pipe' });
      expect.unreachable('an unknown session should fail');
    } catch (error) {
      expect((error as { status: number; stderr: Buffer }).status).toBe(1);
      expect(String((error as { stderr: Buffer }).stderr)).toContain('no recorded session named');
    }
  }, 60_000);
});
