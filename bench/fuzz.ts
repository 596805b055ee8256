/**
 * Fuzz soak (issue: hardening): 10^5 random and malformed inputs (raw WebSocket frames, mutated API calls,
 * garbage text) through the real host in front of the real app, then 2,000 random Tardis files through import
 * and analyze, with the generators of the bounded tests (test/helpers/fuzzHost.ts, tardisFuzz.ts). Reports
 * counts, the host's refused frames, good rows kept, and any INTERNAL reply, bystander failure, lost row or
 * uncaught exception. `GAMMADESK_FUZZ_INPUTS` and `GAMMADESK_FUZZ_FILES` change the counts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startHost } from '../src-main/host/server';
import { openDatabase } from '../src-main/store/database';
import { EventLog } from '../src-main/store/eventLog';
import { fuzzHost, startFuzzTarget } from '../test/helpers/fuzzHost';
import { fuzzTardisFiles } from '../test/helpers/tardisFuzz';
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
    // Files: random and malformed Tardis files (mixed good and bad rows, all bad, binary, broken gzip, unknown
    // headers, empty) through import and analyze, every good row counted back.
    const fileCases = Number(process.env['GAMMADESK_FUZZ_FILES'] ?? 2_000);
    const db = openDatabase(join(dir, 'files.db'));
    const files = await fuzzTardisFiles({ seed: 1, dir, log: new EventLog(db), cases: fileCases, timeLimitMs: 30 * 60_000 });
    db.close();
    return {
      host: {
        ...report,
        inputs_per_second: Math.round(report.inputs / report.seconds),
        host_refused_frames: host.rejectedFrames(),
        app_still_serving: info.eventsApplied > 0,
      },
      files,
      uncaught_exceptions: uncaught,
    };
  } finally {
    await host.close();
    await target.stop();
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUncaught);
    rmSync(dir, { recursive: true, force: true });
  }
}
