/**
 * Live greeks while a big Tardis import runs (issue 8 item 6): the greeks pool computes a 250-option expiry every
 * 20 ms, as the engine does when quotes stream in, and the round trip of each batch (post → result handled on
 * the main thread) is measured three times — with nothing else running, during an import parsed on the main
 * thread (before: `importTardis` in process), and during the same import parsed in the jobs pool (after: the main
 * thread only writes). The main thread's event-loop delay (p99, max) is what a live feed and the UI feel.
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { JobsPool } from '../src-main/app/jobsPool';
import { parseTardisInPool } from '../src-main/app/tardisParseJob';
import { importTardis, type TardisParse, type TardisParseOptions } from '../src-main/feeds/tardis/tardisImport';
import { openDatabase } from '../src-main/store/database';
import { EventLog } from '../src-main/store/eventLog';
import { makeTempDir } from '../test/helpers/tmp';
import { greeksBatch } from './pool';
import { benchPool } from './worker';

const ROWS = 300_000;
const BATCH_OPTIONS = 250;
const INTERVAL_MS = 20;

function jobsWorker(): { filename: string; execArgv?: string[] } {
  const built = resolve('out/main/jobsWorker.cjs');
  return existsSync(built) ? { filename: built } : { filename: resolve('src-main/workers/jobsWorker.ts'), execArgv: ['--import', 'tsx'] };
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const round = (x: number): number => Number(x.toFixed(2));

export async function runImportLoadBench(): Promise<Record<string, unknown>> {
  const temp = makeTempDir('gammadesk-bench-import-');
  const [header, row] = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n') as [string, string];
  const file = join(temp.dir, 'deribit_options_chain_bench.csv');
  await pipeline(
    (function* () {
      yield `${header}\n`;
      for (let k = 0; k < ROWS; k++) {
        const strike = 9000 + 125 * (k % 16);
        yield `${row.replace('BTC-9JUN20-9875-P', `BTC-9JUN20-${strike}-P`).replace(',9875,', `,${strike},`).replace('1591574400196008', String(1591574400196008 + k * 1000))}\n`;
      }
    })(),
    createWriteStream(file),
  );
  const db = openDatabase(join(temp.dir, 'bench.db'));
  const log = new EventLog(db);
  const greeks = benchPool();
  const jobs = new JobsPool(jobsWorker());
  let session = 0;

  /** Greeks batches every INTERVAL_MS while `during` runs (or for `idleMs`): round-trip and event-loop figures. */
  const measure = async (during: (() => Promise<unknown>) | null, idleMs = 5000): Promise<Record<string, number>> => {
    for (let i = 0; i < 20; i++) await greeks.computeGreeks({ count: BATCH_OPTIONS, inputs: greeksBatch(BATCH_OPTIONS) });
    const trips: number[] = [];
    let running = true;
    const sampler = (async () => {
      while (running) {
        const inputs = greeksBatch(BATCH_OPTIONS);
        const sent = performance.now();
        await greeks.computeGreeks({ count: BATCH_OPTIONS, inputs });
        trips.push(performance.now() - sent);
        await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
      }
    })();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const started = performance.now();
    if (during) await during();
    else await new Promise((resolve) => setTimeout(resolve, idleMs));
    const seconds = (performance.now() - started) / 1000;
    running = false;
    await sampler;
    loop.disable();
    trips.sort((a, b) => a - b);
    return {
      seconds: round(seconds),
      batches: trips.length,
      greeks_round_trip_ms_p50: round(percentile(trips, 0.5)),
      greeks_round_trip_ms_p99: round(percentile(trips, 0.99)),
      greeks_round_trip_ms_max: round(trips.at(-1) ?? NaN),
      event_loop_delay_ms_p99: round(loop.percentile(99) / 1e6),
      event_loop_delay_ms_max: round(loop.max / 1e6),
    };
  };
  const importWith = (parse?: (options: TardisParseOptions) => TardisParse) => async (): Promise<void> => {
    const report = await importTardis({ files: [file], session: `bench-${++session}`, log, ...(parse ? { parse } : {}) });
    if (report.rowsRead !== ROWS) throw new Error(`bench import read ${report.rowsRead} rows, expected ${ROWS}`);
  };
  try {
    const idle = await measure(null);
    const mainThread = await measure(importWith());
    const pooled = await measure(importWith((options) => parseTardisInPool(jobs, options)));
    return {
      rows: ROWS,
      batch_options: BATCH_OPTIONS,
      interval_ms: INTERVAL_MS,
      idle,
      import_parsed_on_main_thread: { ...mainThread, rows_per_s: Math.round(ROWS / mainThread['seconds']!) },
      import_parsed_in_jobs_pool: { ...pooled, rows_per_s: Math.round(ROWS / pooled['seconds']!) },
    };
  } finally {
    await greeks.close();
    await jobs.close();
    db.close();
    temp.remove();
  }
}
