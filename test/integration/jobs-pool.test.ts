/**
 * The long-jobs pool (app/jobsPool.ts) running the parsing half of a Tardis import (workers/tardisParseTask.ts)
 * while the main thread writes: the same session as the in-process import, byte for byte; progress, cancel and
 * errors as before; one low-priority thread apart from the live greeks pool.
 */
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GreeksPool } from '../../src-main/app/greeksPool';
import { JOBS_NICE_INCREMENT, JobsPool } from '../../src-main/app/jobsPool';
import { parseTardisInPool } from '../../src-main/app/tardisParseJob';
import { importTardis, ImportFileError, type ImportProgress, type ImportReport } from '../../src-main/feeds/tardis/tardisImport';
import { GREEKS_INPUT_FIELDS, GreeksInput } from '../../src-main/engine/ports';
import { openDatabase, type Db } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { makeTempDir } from '../helpers/tmp';
import { TSX_JOBS_WORKER, TSX_WORKER } from '../helpers/worker';

// The documented options_chain sample row (../shared/data, from docs.tardis.dev), repeated over strikes and times,
// with broken rows mixed in; a trades file beside it.
const [HEADER, ROW] = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n') as [string, string];
const T = 1591574400196008; // the sample row's local_timestamp, µs
const temp = makeTempDir('gammadesk-jobs-pool-');
const files: Record<string, string> = {};
let db: Db;
let log: EventLog;
let jobs: JobsPool;

function chainRow(k: number): string {
  const strike = 9000 + 125 * (k % 16);
  return ROW.replace('BTC-9JUN20-9875-P', `BTC-9JUN20-${strike}-P`).replace(',9875,', `,${strike},`).replace('1591574400196008', String(T + k * 1000));
}

beforeAll(async () => {
  // 12 000 rows (three chunks of 5000), every 997th row broken in a different way.
  const rows: string[] = [];
  for (let k = 0; k < 12_000; k++) {
    if (k % 997 === 0) rows.push(k % 2 === 0 ? chainRow(k).replace('62.89', 'x') : 'deribit,BTC-9JUN20-9875-P,1591574399413000');
    else rows.push(chainRow(k));
  }
  files['chain'] = join(temp.dir, 'deribit_options_chain_2020-06-08_BTC.csv');
  writeFileSync(files['chain'], [HEADER, ...rows].join('\n') + '\n');
  const trades = ['exchange,symbol,timestamp,local_timestamp,id,side,price,amount'];
  for (let k = 0; k < 3000; k++) trades.push(`deribit,BTC-PERPETUAL,${T + k * 3000},${T + k * 3000 + 500},${7000 + k},${k % 2 ? 'buy' : 'sell'},9755.5,${10 + k}`);
  files['trades'] = join(temp.dir, 'deribit_trades_2020-06-08_BTC.csv.gz');
  writeFileSync(files['trades'], gzipSync(trades.join('\n') + '\n'));
  files['wrong'] = join(temp.dir, 'not-tardis.csv');
  writeFileSync(files['wrong'], 'a,b,c\n1,2,3\n');
  files['truncated'] = join(temp.dir, 'deribit_options_chain_truncated.csv.gz');
  const whole = gzipSync([HEADER, ...rows.slice(0, 3000)].join('\n') + '\n');
  writeFileSync(files['truncated'], whole.subarray(0, Math.floor(whole.length / 2)));
  files['big'] = join(temp.dir, 'deribit_options_chain_big.csv');
  await pipeline(
    (function* () {
      yield `${HEADER}\n`;
      for (let k = 0; k < 200_000; k++) yield `${chainRow(k)}\n`;
    })(),
    createWriteStream(files['big']),
  );
  db = openDatabase(join(temp.dir, 'jobs.db'));
  log = new EventLog(db);
  jobs = new JobsPool(TSX_JOBS_WORKER);
}, 60_000);

afterAll(async () => {
  await jobs.close();
  db.close();
  temp.remove();
});

const inPool = { parse: (options: Parameters<typeof parseTardisInPool>[1]) => parseTardisInPool(jobs, options) };
const withoutIds = (report: ImportReport): Omit<ImportReport, 'session' | 'sessionId'> => {
  const { session: _session, sessionId: _id, ...rest } = report;
  return rest;
};

describe('Tardis import with its rows parsed in the jobs pool', () => {
  it('writes the same session as the in-process import: every event, seq and report figure', async () => {
    const paths = [files['chain']!, files['trades']!];
    const local = await importTardis({ files: paths, session: 'in-process', log, nowMs: 1 });
    const progress: ImportProgress[] = [];
    const pooled = await importTardis({ files: paths, session: 'pooled', log, nowMs: 1, onProgress: (p) => progress.push(p), ...inPool });
    expect(withoutIds(pooled)).toEqual(withoutIds(local));
    expect(pooled.rowsRead).toBe(15_000);
    expect(pooled.badRows).toBe(13); // rows 0, 997, …, 11 964 of the chain file
    expect([...log.read(pooled.sessionId)]).toEqual([...log.read(local.sessionId)]);
    expect(log.session(pooled.sessionId)).toMatchObject({ name: 'pooled', eventCount: pooled.eventsWritten });
    // Progress per chunk of 5000 rows, growing to the whole file.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.map((p) => p.rowsRead)).toEqual([...progress.map((p) => p.rowsRead)].sort((a, b) => a - b));
    expect(progress.at(-1)).toMatchObject({ rowsRead: 15_000, eventsWritten: pooled.eventsWritten });
  }, 60_000);

  it('cancels mid-way and keeps what was read as a complete session', async () => {
    const abort = new AbortController();
    const report = await importTardis({
      files: [files['big']!],
      session: 'cancelled',
      log,
      signal: abort.signal,
      onProgress: () => abort.abort(),
      ...inPool,
    });
    expect(report.cancelled).toBe(true);
    expect(report.eventsWritten).toBeGreaterThan(0);
    expect(report.rowsRead).toBeLessThan(200_000);
    expect(log.session(report.sessionId).eventCount).toBe(report.eventsWritten);
    // The thread is free again: the next job runs.
    const next = await importTardis({ files: [files['chain']!], session: 'after-cancel', log, ...inPool });
    expect(next.rowsRead).toBe(12_000);
  }, 60_000);

  it('fails as the in-process import does: the file named, the error class kept, no session left', async () => {
    const before = log.listSessions().length;
    await expect(importTardis({ files: [files['chain']!, files['wrong']!], session: 'wrong', log, ...inPool })).rejects.toThrow(ImportFileError);
    await expect(importTardis({ files: [files['wrong']!], session: 'wrong', log, ...inPool })).rejects.toThrow(/not-tardis\.csv: /);
    await expect(importTardis({ files: [files['truncated']!], session: 'truncated', log, ...inPool })).rejects.toThrow(
      /deribit_options_chain_truncated.csv.gz: cannot be read after line \d+: unexpected end of file; no session was kept/,
    );
    await expect(importTardis({ files: [join(temp.dir, 'missing.csv')], session: 'missing', log, ...inPool })).rejects.toThrow(/cannot be read/);
    expect(log.listSessions()).toHaveLength(before);
  }, 60_000);

  it('a jobs worker that cannot start fails the import with the reason instead of hanging', async () => {
    const broken = new JobsPool({ ...TSX_JOBS_WORKER, filename: join(temp.dir, 'no-such-worker.cjs') });
    try {
      await expect(
        importTardis({ files: [files['chain']!], session: 'broken-worker', log, parse: (options) => parseTardisInPool(broken, options) }),
      ).rejects.toThrow(/no-such-worker\.cjs/);
      expect(log.sessionByName('broken-worker')).toBeNull();
    } finally {
      await broken.close();
    }
  }, 60_000);

  it('runs on one low-priority thread of its own: live greeks are computed while a job holds it', async () => {
    const greeks = new GreeksPool({ ...TSX_WORKER, maxThreads: 2 });
    try {
      // Hold the job: take the first chunks and do not ask for more, so the worker waits with its thread taken.
      const parse = parseTardisInPool(jobs, { files: [files['big']!] });
      await parse.next();
      await parse.next();
      expect(jobs.threads).toBe(1);
      // The jobs thread runs at the raised nice value (threads it starts, like tsx's loader thread here, inherit it);
      // the main thread keeps its own (Linux /proc: field 19 of a task's stat is its nice value).
      const niceOf = (tid: string): number => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
      const nice = readdirSync('/proc/self/task').map(niceOf);
      expect(nice.filter((n) => n === JOBS_NICE_INCREMENT).length).toBeGreaterThanOrEqual(1);
      expect(niceOf(String(process.pid))).toBe(0);
      // A greeks batch (one at-the-money call, F = K = 100, 30 d, 50 %) completes meanwhile on the greeks pool.
      const inputs = new Float64Array(GREEKS_INPUT_FIELDS).fill(Number.NaN);
      inputs[GreeksInput.forwardUsd] = 100;
      inputs[GreeksInput.strikeUsd] = 100;
      inputs[GreeksInput.years] = 30 / 365;
      inputs[GreeksInput.vol] = 0.5;
      inputs[GreeksInput.isCall] = 1;
      const result = await greeks.computeGreeks({ count: 1, inputs });
      expect(result.length).toBeGreaterThan(0);
      expect(jobs.queued).toBe(0);
      await parse.return(undefined as never);
    } finally {
      await greeks.close();
    }
  }, 60_000);
});
