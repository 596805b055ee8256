/**
 * Fuzz: random and malformed input through the real host in front of the real app (demo market, worker pool,
 * SQLite). Seeded, bounded (a few seconds). Three kinds of input, interleaved:
 *   - raw WebSocket frames: random opcodes, RSV bits, masks, lengths and payloads on a raw TCP connection;
 *   - JSON frames mutated from valid calls and subscriptions: fields dropped or retyped, huge and non-finite
 *     numbers, long and odd strings, deep nesting, random commands and topics;
 *   - plain garbage text frames.
 * After every batch a bystander client must still get its answers; at the end no uncaught exception or
 * unhandled rejection may have happened, and the app still serves its market.
 * `npm run bench -- fuzz` runs the same generators for 10^5 inputs and reports counts.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../src-main/host/server';
import { closedPort } from '../helpers/net';
import { startFuzzTarget, fuzzHost, type FuzzTarget } from '../helpers/fuzzHost';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('gammadesk-fuzz-');
let target: FuzzTarget;
let host: RunningHost;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  // A live source, if a mutated source.set ever asks for one, points at a closed local port: no traffic leaves.
  target = await startFuzzTarget({ dbPath: path.join(tmp.dir, 'fuzz.db'), deribitUrl: `ws://127.0.0.1:${await closedPort()}` });
  host = await startHost({ hub: target.app.hub, staticDir: path.resolve('out/renderer') });
});

afterAll(async () => {
  await host?.close();
  await target?.stop();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  tmp.remove();
});

describe('fuzzing the host', () => {
  it('random and malformed frames close or answer their own connection; the host and the app go on', async () => {
    const report = await fuzzHost({ port: host.port, token: host.token, seed: 20261205, inputs: 1500, timeLimitMs: 8_000 });
    expect(report.inputs).toBeGreaterThan(300);
    // Every kind of input was tried and the host answered the bystander after every batch.
    expect(report.rawFrames).toBeGreaterThan(0);
    expect(report.mutatedCalls).toBeGreaterThan(0);
    expect(report.garbage).toBeGreaterThan(0);
    expect(report.bystanderChecks).toBeGreaterThan(10);
    expect(report.bystanderFailures).toEqual([]);
    // The host counted what it refused, and answered the rest with results or clear errors.
    expect(host.rejectedFrames()).toBeGreaterThan(0);
    expect(report.errorReplies).toBeGreaterThan(0);
    expect(report.internalErrors).toEqual([]);
    expect(uncaught).toEqual([]);
    // The app still runs its market.
    const info = await target.app.hub.client().call('app.info', {});
    expect(info.eventsApplied).toBeGreaterThan(0);
  }, 60_000);
});
