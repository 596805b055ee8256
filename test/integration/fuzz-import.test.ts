/**
 * Fuzz: random and malformed Tardis files through `gammadesk import` (importTardis) and `gammadesk analyze`
 * (analyzeFile). Seeded (core/random.ts), bounded (a few seconds). Known-good options_chain rows are mixed with
 * random bytes, wrong field counts, huge fields and lines, bad numbers, out-of-range timestamps, symbols that
 * disagree with their columns and values the event rules refuse; whole files are random binary, broken gzip, an
 * unknown header, empty, or text that turns binary. Each call must return or fail with an Error naming its file;
 * every good row around the bad ones is kept (counted), and every stored event applies to the engine's market
 * state. No uncaught exception or unhandled rejection may happen. The generators live in test/helpers/tardisFuzz.ts
 * (fuzzTardisFiles), for `npm run bench -- fuzz` to run longer.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { fuzzTardisFiles } from '../helpers/tardisFuzz';
import { makeTempDir } from '../helpers/tmp';

const tmp = makeTempDir('gammadesk-fuzz-import-');
let db: Db;
const uncaught: unknown[] = [];
const onUncaught = (error: unknown): void => {
  uncaught.push(error);
};

beforeAll(() => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUncaught);
  db = openDatabase(join(tmp.dir, 'fuzz.db'));
});
afterAll(() => {
  db.close();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUncaught);
  tmp.remove();
});

describe('fuzzing import and analyze', () => {
  it('random and malformed rows and files: every call returns, good rows are all kept, nothing uncaught', async () => {
    const log = new EventLog(db);
    const report = await fuzzTardisFiles({ seed: 20261205, dir: tmp.dir, log, cases: 200, timeLimitMs: 6_000 });
    expect(report.failures).toEqual([]);
    expect(report.cases).toBeGreaterThan(20);
    // Every kind of file was tried, and good rows were mixed with bad ones.
    expect(Object.keys(report.byKind).sort()).toEqual(['all_bad', 'binary', 'broken_gzip', 'empty', 'late_binary', 'mixed', 'unknown_header']);
    expect(report.goodRows).toBeGreaterThan(100);
    expect(report.badRows).toBeGreaterThan(100);
    expect(uncaught).toEqual([]);
    // Nothing is left behind: no session, no staging half.
    expect(log.listSessions()).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM sessions').pluck().get()).toBe(0);
  }, 60_000);
});
