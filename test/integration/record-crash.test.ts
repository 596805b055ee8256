import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { pollDatabase, spawnCli } from '../helpers/childCli';
import { makeTempDir } from '../helpers/tmp';

// DESIGN: batched commits (<= 100 ms) while recording; a kill -9 loses at most the open batch and the database
// opens clean. A real `gammadesk record` child process is killed with SIGKILL in the middle of recording.
const temp = makeTempDir('gammadesk-crash-');
afterEach(() => temp.remove());

describe('recording survives kill -9', () => {
  it('keeps every committed batch, loses at most the last one, and reopens clean', async () => {
    const dbPath = join(temp.dir, 'crash.db');
    const { child, stderr, exited } = spawnCli(['record', '--session', 'crash', '--db', dbPath]);
    // Watch from outside, as another process would: WAL lets a reader see each committed batch.
    const observed = await pollDatabase(dbPath, (db) => (db.prepare("SELECT event_count AS n FROM sessions WHERE name = 'crash'").get() as { n: number } | undefined)?.n ?? 0, 2000, 30_000, 100);
    expect(observed, `recorder never committed events; stderr:\n${stderr()}`).toBeGreaterThanOrEqual(2000);

    const killedAt = Date.now();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const db = openDatabase(dbPath);
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const log = new EventLog(db);
    const session = log.sessionByName('crash')!;
    const stored = db.prepare('SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi, MAX(ts_recv) AS last FROM events WHERE session_id = ?').get(session.id) as {
      n: number;
      lo: number;
      hi: number;
      last: number;
    };
    // Nothing that was committed is lost; the session row agrees with its events (same transaction).
    expect(stored.n).toBeGreaterThanOrEqual(observed);
    expect(session.eventCount).toBe(stored.n);
    // No holes: a recording is a kept journal segment, numbered in the market's one seq from where it started.
    expect(stored.lo).toBeGreaterThanOrEqual(1);
    expect(stored.hi - stored.lo + 1).toBe(stored.n);
    // At most the open batch is lost: the last stored event is within a batch interval of the kill (plus
    // scheduling slack on a loaded 2-core machine).
    expect(killedAt - stored.last).toBeLessThan(1000);
    // Every stored payload parses and the log replays in order.
    let previous = stored.lo - 1;
    for (const event of log.read(session.id)) {
      expect(event.seq).toBe(previous + 1);
      previous = event.seq;
    }
    expect(previous).toBe(stored.hi);
    db.close();
  }, 60_000);
});
