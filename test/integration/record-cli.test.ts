import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { closedPort } from '../helpers/net';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

// `gammadesk record` as a user runs it: a short demo recording is kept; a live source that is never reached
// records nothing, says why, exits 1 and keeps no empty session.
const run = promisify(execFile);
const temp = makeTempDir('gammadesk-record-cli-');
afterEach(() => temp.remove());

describe('gammadesk record', () => {
  it('keeps a demo session, and refuses to keep an empty one from an unreachable Deribit', async () => {
    const dbPath = join(temp.dir, 'rec.db');
    const demo = await run(process.execPath, [builtCli(), 'record', '--session', 'demo-2s', '--duration', '2s', '--db', dbPath]);
    expect(JSON.parse(demo.stdout.trim().split('\n').at(-1)!)).toMatchObject({ session: 'demo-2s' });

    const url = `ws://127.0.0.1:${await closedPort()}/ws/api/v2`;
    const failed = await run(process.execPath, [builtCli(), 'record', '--source', 'deribit', '--session', 'dead', '--duration', '1s', '--db', dbPath], {
      env: { ...process.env, GAMMADESK_DERIBIT_URL: url },
    }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/nothing was recorded from Deribit .*ECONNREFUSED.*no session was kept/);

    const db = openDatabase(dbPath);
    const log = new EventLog(db);
    expect(log.sessionByName('demo-2s')!.eventCount).toBeGreaterThan(100);
    expect(log.sessionByName('dead')).toBeFalsy();
    db.close();
  }, 60_000);
});
