/**
 * Input generators for fuzzing the file edges — `gammadesk import tardis` (importTardis) and `gammadesk analyze`
 * (analyzeFile) — shared by the bounded test (test/integration/fuzz-import.test.ts) and, for a soak,
 * `npm run bench -- fuzz` (call {@link fuzzTardisFiles} with more cases and a longer time limit). Everything is
 * drawn from one seeded generator (core/random.ts), so a failing run replays with its seed.
 *
 * Files are known-good options_chain rows (the documented Tardis sample row, ../shared/data, at other strikes and
 * times) with malformed rows mixed in: random bytes, wrong field counts, huge fields and lines, bad numbers,
 * out-of-range timestamps, symbols that disagree with their columns, values the event rules refuse; and whole
 * files that are not CSV: random binary, broken gzip, an unknown header, an empty file, text that turns binary.
 * The expectation of each is known: how many good rows it holds, or which error (naming the file) it must end in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyzeFile } from '../../src-main/cli/analyze';
import { Rng } from '../../src-main/core/random';
import { importTardis } from '../../src-main/feeds/tardis/tardisImport';
import { MarketState } from '../../src-main/engine/marketState';
import type { EventLog } from '../../src-main/store/eventLog';

const SAMPLE = resolve('../shared/data/tardis_docs_options_chain_sample_row.csv');
const [HEADER, ROW] = readFileSync(SAMPLE, 'utf8').trim().split('\n') as [string, string];
const COLUMNS = HEADER.split(',');
const T = 1591574400196008; // the sample's local_timestamp, µs
const T_EVENT = 1591574399413000; // its timestamp, µs

function setField(cells: string[], column: string, value: string): void {
  cells[COLUMNS.indexOf(column)] = value;
}

/** A known-good row: the sample put at `strike`, `k` ms later. */
export function goodRow(strike: number, k: number): string {
  const cells = ROW.split(',');
  setField(cells, 'symbol', `BTC-9JUN20-${strike}-P`);
  setField(cells, 'strike_price', String(strike));
  setField(cells, 'timestamp', String(T_EVENT + k * 1000));
  setField(cells, 'local_timestamp', String(T + k * 1000));
  return cells.join(',');
}

/** Printable bytes and commas, never a newline or NUL (those are whole-file cases), never blank. */
function randomText(rng: Rng, length: number): string {
  let text = 'x';
  for (let i = 0; i < length; i++) text += String.fromCharCode(rng.nextInt(0, 9) === 0 ? 44 : rng.nextInt(32, 126));
  return text;
}

/** One malformed row, bad for import and analyze alike, built from a good one. */
export function badRow(rng: Rng, k: number): string {
  const cells = goodRow(9875, k).split(',');
  const pick = <T>(options: readonly T[]): T => options[rng.nextInt(0, options.length - 1)]!;
  switch (rng.nextInt(0, 9)) {
    case 0:
      return randomText(rng, rng.nextInt(1, 400));
    case 1: // wrong field count
      return rng.nextInt(0, 1) === 0 ? cells.slice(0, rng.nextInt(1, cells.length - 1)).join(',') : `${cells.join(',')},${randomText(rng, 5)}`;
    case 2: // a huge field, within or beyond the line limit
      setField(cells, pick(['mark_iv', 'open_interest', 'bid_price', 'timestamp']), 'x'.repeat(pick([5_000, 300_000, 1_100_000])));
      return cells.join(',');
    case 3: // bad numbers
      setField(cells, pick(['mark_price', 'mark_iv', 'underlying_price', 'strike_price', 'bid_amount']), pick(['NaN', '1e999', 'abc', ' 1', '--1', 'Infinity']));
      return cells.join(',');
    case 4: // out-of-range or malformed timestamps
      setField(cells, pick(['timestamp', 'local_timestamp', 'expiration']), pick(['99999999999999999999999', '-1', '1.5', '9000000000000000000', '', '1e30']));
      return cells.join(',');
    case 5: // a symbol that disagrees with its columns
      setField(cells, 'symbol', pick(['BTC-1JAN20-9875-P', 'BTC-9JUN20-9000-P', 'BTC-9JUN20-9875-C']));
      return cells.join(',');
    case 6: {
      // values the event rules refuse
      const [column, value] = pick<[string, string]>([['open_interest', '-5'], ['mark_iv', '0'], ['mark_price', '-0.01'], ['underlying_price', '0'], ['bid_amount', '-3']]);
      setField(cells, column, value);
      return cells.join(',');
    }
    case 7:
      return `"${cells.join('","')}"`; // quoted fields
    case 8:
      setField(cells, 'type', pick(['PUT', 'straddle', '']));
      return cells.join(',');
    default:
      setField(cells, 'exchange', pick(['binance', '']));
      return cells.join(',');
  }
}

export type TardisFuzzKind = 'mixed' | 'all_bad' | 'binary' | 'late_binary' | 'broken_gzip' | 'unknown_header' | 'empty';

export interface TardisFuzzCase {
  file: string;
  kind: TardisFuzzKind;
  /** Good rows in the file (each one option ticker in the session, one row read by analyze). */
  goodRows: number;
  badRows: number;
}

/** Writes case `index` into `dir`; mostly mixed files, every seventh or so a whole-file failure. */
export function writeTardisFuzzCase(rng: Rng, dir: string, index: number): TardisFuzzCase {
  const kinds: TardisFuzzKind[] = ['mixed', 'mixed', 'mixed', 'mixed', 'mixed', 'all_bad', 'binary', 'late_binary', 'broken_gzip', 'unknown_header', 'empty'];
  const kind = kinds[rng.nextInt(0, kinds.length - 1)]!;
  const gzip = rng.nextInt(0, 2) === 0 || kind === 'broken_gzip';
  const file = join(dir, `fuzz_${index}_${kind}.csv${gzip ? '.gz' : ''}`);
  const lines = [HEADER];
  let goodRows = 0;
  let badRows = 0;
  if (kind === 'mixed' || kind === 'all_bad' || kind === 'late_binary' || kind === 'broken_gzip') {
    const rows = kind === 'broken_gzip' ? 3000 : rng.nextInt(1, 40);
    // Puts whose intrinsic value stays below the sample's mark price: every good row analyzes "ok".
    const strikes = [9000, 9250, 9500, 9750, 9875];
    for (let k = 0; k < rows; k++) {
      // A broken gzip needs volume, not variety: good rows only (the file fails whole anyway).
      if (kind === 'broken_gzip' || (kind !== 'all_bad' && rng.nextInt(0, 2) !== 0)) {
        lines.push(goodRow(strikes[rng.nextInt(0, strikes.length - 1)]!, k));
        goodRows++;
      } else {
        lines.push(badRow(rng, k));
        badRows++;
      }
    }
  }
  if (kind === 'unknown_header') lines[0] = randomText(rng, rng.nextInt(0, 300)).replace(/exchange|symbol/g, '');
  let body = Buffer.from(lines.join(rng.nextInt(0, 3) === 0 ? '\r\n' : '\n') + '\n');
  if (kind === 'empty') body = Buffer.alloc(0);
  if (kind === 'binary') body = Buffer.from(Array.from({ length: rng.nextInt(1, 100_000) }, (_, i) => (i === 0 ? 0 : rng.nextInt(0, 255))));
  if (kind === 'late_binary') body = Buffer.concat([body, Buffer.from([rng.nextInt(1, 255), 0, rng.nextInt(0, 255)])]);
  let out = gzip ? gzipSync(body) : body;
  if (kind === 'broken_gzip') out = out.subarray(0, Math.max(10, Math.floor(out.length * (0.2 + 0.6 * rng.nextFloat()))));
  writeFileSync(file, out);
  return { file, kind, goodRows, badRows };
}

export interface TardisFuzzReport {
  seed: number;
  cases: number;
  byKind: Partial<Record<TardisFuzzKind, number>>;
  goodRows: number;
  badRows: number;
  /** What did not match the case's expectation (empty when all is well). */
  failures: string[];
  seconds: number;
}

/**
 * Writes cases into `dir` and puts each through importTardis (into `log`) and analyzeFile, until `cases` or
 * `timeLimitMs`. A mixed file must keep exactly its good rows (and its session must apply to the engine's market
 * state without one rejection); every other file must end in an error naming it. A thrown non-Error, a hang or an
 * uncaught exception is the caller's to catch (the test listens for uncaught exceptions around this).
 */
export async function fuzzTardisFiles(options: { seed: number; dir: string; log: EventLog; cases: number; timeLimitMs: number }): Promise<TardisFuzzReport> {
  const rng = new Rng(options.seed);
  const started = performance.now();
  const report: TardisFuzzReport = { seed: options.seed, cases: 0, byKind: {}, goodRows: 0, badRows: 0, failures: [], seconds: 0 };
  for (let index = 0; index < options.cases && performance.now() - started < options.timeLimitMs; index++) {
    const c = writeTardisFuzzCase(rng, options.dir, index);
    const name = basename(c.file);
    report.cases++;
    report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
    if (c.kind === 'mixed') {
      report.goodRows += c.goodRows;
      report.badRows += c.badRows;
    }
    const fail = (what: string): void => void report.failures.push(`seed ${options.seed} case ${index} (${c.kind}, ${name}): ${what}`);
    const expectError = (what: string, error: unknown): void => {
      if (!(error instanceof Error)) fail(`${what} threw a non-Error ${String(error)}`);
      else if (!error.message.includes(name)) fail(`${what} error does not name the file: ${error.message.slice(0, 300)}`);
      else if (error.message.length > 2000) fail(`${what} error is ${error.message.length} characters long`);
    };

    // import
    try {
      const imported = await importTardis({ files: [c.file], session: `fuzz-${options.seed}-${index}`, log: options.log });
      if (c.kind !== 'mixed' || c.goodRows === 0) fail(`import succeeded (${imported.eventsWritten} events) where it should have failed`);
      const events = [...options.log.read(imported.sessionId)];
      const tickers = events.filter((e) => e.type === 'option_ticker').length;
      if (tickers !== c.goodRows) fail(`import kept ${tickers} of ${c.goodRows} good rows`);
      if (imported.badRows !== c.badRows) fail(`import counted ${imported.badRows} bad rows, the file has ${c.badRows}`);
      const market = new MarketState();
      for (const event of events) {
        const change = market.apply(event, event.seq);
        if (change.kind === 'rejected') fail(`a stored event does not replay: ${change.reason}`);
      }
      options.log.deleteSession(imported.sessionId);
    } catch (error) {
      if (c.kind === 'mixed' && c.goodRows > 0) fail(`import failed: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`);
      else expectError('import', error);
    }

    // analyze
    try {
      const analyzed = await analyzeFile({ file: c.file });
      if (c.kind !== 'mixed' || c.goodRows === 0) fail('analyze succeeded where it should have failed');
      if (analyzed.rows_read !== c.goodRows) fail(`analyze read ${analyzed.rows_read} of ${c.goodRows} good rows`);
      if (analyzed.bad_rows !== c.badRows) fail(`analyze counted ${analyzed.bad_rows} bad rows, the file has ${c.badRows}`);
      const notOk = analyzed.instruments.find((i) => i.status !== 'ok');
      if (notOk) fail(`analyze reported ${notOk.symbol} as ${notOk.status}`);
    } catch (error) {
      if (c.kind === 'mixed' && c.goodRows > 0) fail(`analyze failed: ${error instanceof Error ? error.message.slice(0, 300) : String(error)}`);
      // analyze's "no readable rows" names no file: it is about the rows, and the file is the one argument.
      else if (!(error instanceof Error)) fail(`analyze threw a non-Error ${String(error)}`);
      else if (!/no readable rows/.test(error.message)) expectError('analyze', error);
    }
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
