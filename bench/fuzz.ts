/**
 * Fuzz soak (issue: hardening): 10^5 random and malformed inputs (raw WebSocket frames, mutated API calls,
 * garbage text) through the real host in front of the real app, with the generators of the bounded test
 * (test/helpers/fuzzHost.ts). Reports counts, the host's refused frames, and any INTERNAL reply, bystander
 * failure or uncaught exception. `GAMMADESK_FUZZ_INPUTS` changes the count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHost } from '../src-main/host/server';
import { fuzzHost, startFuzzTarget } from '../test/helpers/fuzzHost';
import { closedPort } from '../test/helpers/net';

export async function runFuzzBench(): Promise<Record<string, unknown>> {
  const inputs = Number(process.env['GAMMADESK_FUZZ_INPUTS'] ?? 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-fuzz-bench-'));
  const uncaught: string[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(String(error));
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  const target = await startFuzzTarget({ dbPath: join(dir, 'fuzz.db'), deribitUrl: `ws://127.0.0.1:${await closedPort()}` });
  const host = await startHost({ hub: target.app.hub, staticDir: resolve('out/renderer') });
  try {
    const report = await fuzzHost({
      port: host.port,
      token: host.token,
      seed: 1,
      inputs,
      timeLimitMs: 30 * 60_000,
      onProgress: (done) => {
        if (done % 5_000 === 0) process.stderr.write(`fuzz: ${done} / ${inputs}\n`);
      },
    });
    const info = await target.app.hub.client().call('app.info', {});
    return {
      ...report,
      inputs_per_second: Math.round(report.inputs / report.seconds),
      host_refused_frames: host.rejectedFrames(),
      uncaught_exceptions: uncaught,
      app_still_serving: info.eventsApplied > 0,
    };
  } finally {
    await host.close();
    await target.stop();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    rmSync(dir, { recursive: true, force: true });
  }
}
