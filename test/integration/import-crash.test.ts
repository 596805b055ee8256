import { spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { builtCli } from '../helpers/built';
import { pollDatabase, spawnCli } from '../helpers/childCli';
import { makeTempDir } from '../helpers/tmp';

// An import is visible only once complete (migration 006). A real `gammadesk import tardis` child process is
// killed with SIGKILL in the middle of a big generated options_chain file: the half it wrote must not replay as
// a session nor block its name, and the next start removes it and says so.
const temp = makeTempDir('gammadesk-import-crash-');
afterAll(() => temp.remove());

const [HEADER, ROW] = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n') as [string, string];
const T = 1591574400196008;

describe('import survives kill -9', () => {
  it('leaves no visible half session, frees the name, and the next start cleans up and says so', async () => {
    // 600k rows (~130 MB): several 20k-event batches commit long before the end.
    const file = join(temp.dir, 'deribit_options_chain_big.csv');
    await pipeline(
      (function* () {
        yield `${HEADER}\n`;
        for (let k = 0; k < 600_000; k++) yield `${ROW.replace('1591574400196008', String(T + k * 1000))}\n`;
      })(),
      createWriteStream(file),
    );
    const dbPath = join(temp.dir, 'crash.db');
    const { child, stderr, exited } = spawnCli(['import', 'tardis', file, '--session', 'big', '--db', dbPath]);
    // Watch from outside: WAL lets a reader see each committed batch of the staging session.
    const staged = await pollDatabase(dbPath, (db) => (db.prepare('SELECT MAX(event_count) AS n FROM sessions WHERE staging_pid IS NOT NULL').get() as { n: number | null }).n ?? 0, 40_000, 60_000);
    expect(staged, `the import never committed a batch; stderr:\n${stderr()}`).toBeGreaterThanOrEqual(40_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // Before: a session "big" with part of the file, listed and replayable as if complete, and its name taken.
    const db = openDatabase(dbPath);
    const log = new EventLog(db);
    expect(log.listSessions()).toEqual([]);
    expect(log.sessionByName('big')).toBeNull();
    const left = db.prepare('SELECT id, event_count AS n FROM sessions WHERE staging_pid IS NOT NULL').all() as { id: number; n: number }[];
    expect(left).toHaveLength(1);
    expect(left[0]!.n).toBeLessThan(600_001);
    expect(log.findSession(left[0]!.id)).toBeNull();
    db.close();
    const replay = spawnSync(process.execPath, [builtCli(), 'replay', 'big', '--db', dbPath, '--report', 'json'], { encoding: 'utf8' });
    expect(replay.status).not.toBe(0);
    expect(replay.stderr).toMatch(/big/);

    // The next start removes the half and says so; the same name imports again.
    const small = join(temp.dir, 'deribit_options_chain_small.csv');
    await pipeline([`${HEADER}\n${ROW}\n`], createWriteStream(small));
    const again = spawnSync(process.execPath, [builtCli(), 'import', 'tardis', small, '--session', 'big', '--db', dbPath], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/removed an incomplete import \(\d+ events, started .*\): its process had ended before it completed/);
    const after = openDatabase(dbPath);
    expect(after.prepare('SELECT COUNT(*) FROM sessions WHERE staging_pid IS NOT NULL').pluck().get()).toBe(0);
    expect(after.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(2);
    expect(new EventLog(after).listSessions().map((s) => [s.name, s.eventCount])).toEqual([['big', 2]]);
    after.close();
  }, 120_000);
});
