import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent, OptionTickerEvent } from '../../src-main/core/market/events';
import { MarketState } from '../../src-main/engine/marketState';
import type { EpochMs } from '../../src-main/core/units';
import { parseOptionsChainHeader } from '../../src-main/feeds/tardis/optionsChainCsv';
import { importTardis, ImportFileError, type ImportReport } from '../../src-main/feeds/tardis/tardisImport';
import { TardisNormalizer } from '../../src-main/feeds/tardis/tardisRows';
import { openDatabase, type Db } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

// Tardis import: the documented options_chain sample row (../shared/data, from docs.tardis.dev) plus trades,
// derivative_ticker and book_snapshot_25 files written here in Tardis's documented column layouts, with broken
// rows mixed in. µs timestamps, IVs in percent, option prices in coin.
const temp = makeTempDir('gammadesk-tardis-');
const sample = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n');
const [chainHeader, chainRow] = [sample[0]!, sample[1]!];
const T = 1591574400196008; // the sample row's local_timestamp, µs

let db: Db;
let log: EventLog;
const files: Record<string, string> = {};

beforeAll(() => {
  const chainRows = [
    chainRow,
    // another strike, 1 ms later
    chainRow.replace('BTC-9JUN20-9875-P', 'BTC-9JUN20-10000-C').replace(',put,9875,', ',call,10000,').replace('1591574400196008', String(T + 1000)),
    chainRow.replace('62.89', 'abc').replace('1591574400196008', String(T + 2000)), // line 4: mark_iv not a number
    'deribit,BTC-9JUN20-9875-P,1591574399413000', // line 5: truncated
    chainRow.replace('BTC-9JUN20-9875-P', 'SOL-9JUN20-20-P').replace(',9875,', ',20,').replace('1591574400196008', String(T + 3000)), // line 6
    chainRow.replace('0.02210436', '0.0222').replace('1591574400196008', String(T + 5000)), // a later quote of the first option
  ];
  files['chain'] = join(temp.dir, 'deribit_options_chain_2020-06-08_BTC.csv');
  writeFileSync(files['chain'], [chainHeader, ...chainRows].join('\n') + '\n');

  const trades = [
    'exchange,symbol,timestamp,local_timestamp,id,side,price,amount',
    `deribit,BTC-9JUN20-9875-P,${T + 500},${T + 1500},7001,buy,0.0235,2.5`,
    `deribit,BTC-PERPETUAL,${T + 600},${T + 2500},7002,sell,9755.5,1200`,
    `deribit,BTC-PERPETUAL,${T + 700},${T + 2600},7003,unknown,9755.5,10`, // line 4: no taker side
  ];
  files['trades'] = join(temp.dir, 'deribit_trades_2020-06-08_BTC.csv.gz');
  writeFileSync(files['trades'], gzipSync(trades.join('\n') + '\n'));

  const ticker = [
    'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
    `deribit,BTC-PERPETUAL,${T - 1000},${T - 900},1591603200000000,0.0001,0.0001,80000000,9757.5,9754.2,9757.9`,
    `deribit,BTC-PERPETUAL,${T + 4000},${T + 4100},1591603200000000,0.0001,0.0001,80000100,9758,9754.2,9758.1`,
  ];
  files['ticker'] = join(temp.dir, 'deribit_derivative_ticker_2020-06-08_PERPETUALS.csv');
  writeFileSync(files['ticker'], ticker.join('\n') + '\n');

  const book = [
    'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,bids[1].amount',
    `deribit,BTC-PERPETUAL,${T + 3500},${T + 3600},9758,50000,9757.5,42000,9758.5,10000,9757,30000`,
  ];
  files['book'] = join(temp.dir, 'deribit_book_snapshot_25_2020-06-08_BTC-PERPETUAL.csv');
  writeFileSync(files['book'], book.join('\n') + '\n');

  files['wrong'] = join(temp.dir, 'not-tardis.csv');
  writeFileSync(files['wrong'], 'a,b,c\n1,2,3\n');

  db = openDatabase(join(temp.dir, 'import.db'));
  log = new EventLog(db);
});
afterAll(() => {
  db.close();
  temp.remove();
});

describe('Tardis import', () => {
  it('merges the files by arrival time, normalizes units and reports every bad row', async () => {
    const progress: number[] = [];
    const report = await importTardis({
      files: [files['chain']!, files['trades']!, files['ticker']!, files['book']!],
      session: 'tardis-1',
      log,
      onProgress: (p) => progress.push(p.bytesRead / p.totalBytes),
    });
    expect(report.rowsRead).toBe(6 + 3 + 2 + 1);
    expect(report.badRows).toBe(4);
    expect(report.badRowSamples).toEqual([
      { file: 'deribit_options_chain_2020-06-08_BTC.csv', line: 4, reason: 'column mark_iv: "abc" is not a number' },
      { file: 'deribit_options_chain_2020-06-08_BTC.csv', line: 5, reason: expect.stringMatching(/local_timestamp is not a number|expected 24 fields/) },
      { file: 'deribit_trades_2020-06-08_BTC.csv.gz', line: 4, reason: 'side "unknown": the taker side is unknown' },
      { file: 'deribit_options_chain_2020-06-08_BTC.csv', line: 6, reason: 'SOL-9JUN20-20-P: only BTC and ETH instruments are supported' },
    ]);
    expect(report.files.map((f) => [f.kind, f.rows, f.badRows])).toEqual([
      ['options_chain', 6, 3],
      ['trades', 3, 1],
      ['derivative_ticker', 2, 0],
      ['book_snapshot_25', 1, 0],
    ]);
    expect(progress.at(-1)).toBe(1);

    const events: MarketEvent[] = [...log.read(report.sessionId)];
    expect(events).toHaveLength(report.eventsWritten);
    // Arrival order across files.
    const recv = events.map((e) => e.tsRecv);
    expect(recv).toEqual([...recv].sort((a, b) => a - b));
    // An instrument is defined before its first event, once.
    const defined = new Set<string>();
    for (const event of events) {
      if (event.type === 'instrument') {
        expect(defined.has(event.instrument.name)).toBe(false);
        defined.add(event.instrument.name);
      } else if (event.type !== 'index') {
        expect(defined.has(event.instrument), `${event.type} of ${event.instrument} before its definition`).toBe(true);
      }
    }
    expect([...defined].sort()).toEqual(['BTC-9JUN20-10000-C', 'BTC-9JUN20-9875-P', 'BTC-PERPETUAL']);

    // The documented row, normalized: coin prices kept, IV percent → decimal, µs → ms.
    const first = events.find((e): e is OptionTickerEvent => e.type === 'option_ticker' && e.instrument === 'BTC-9JUN20-9875-P')!;
    expect(first).toMatchObject({
      tsEvent: 1591574399413,
      tsRecv: 1591574400196,
      bidCoin: 0.0205,
      askCoin: 0.0235,
      bidAmount: 15,
      markCoin: 0.02210436,
      underlyingPriceUsd: 9756.36,
      underlyingIndex: 'SYN.BTC-9JUN20',
      openInterest: 0.1,
      // options_chain files have no volume column (the documented row's header): unknown, not 0.
      volume24h: null,
    });
    expect(first.markIv).toBeCloseTo(0.6289, 12);
    expect(first.bidIv).toBeCloseTo(0.5591, 12);
    const definition = events.find((e) => e.type === 'instrument' && e.instrument.name === 'BTC-9JUN20-9875-P');
    expect(definition).toMatchObject({ instrument: { kind: 'option', strikeUsd: 9875, optionType: 'put', expiryMs: Date.UTC(2020, 5, 9, 8), makerCommission: null } });
    expect(events.filter((e) => e.type === 'index').map((e) => (e as { priceUsd: number }).priceUsd)).toEqual([9754.2]);
    expect(events.find((e) => e.type === 'book_snapshot')).toMatchObject({ bids: [[9757.5, 42000], [9757, 30000]], asks: [[9758, 50000], [9758.5, 10000]] });
    expect(events.find((e) => e.type === 'trade' && e.tradeId === '7002')).toMatchObject({ priceUnit: 'usd', takerSide: 'sell', amount: 1200 });

    // The session replays into the engine's market state with nothing rejected.
    const market = new MarketState();
    let seq = 0;
    for (const event of events) expect(market.apply(event, ++seq).kind).not.toBe('rejected');
    expect(market.currency('BTC').expiries.size).toBe(1);
    expect(market.currency('BTC').perpetual?.markUsd).toBe(9758.1);

    const session = log.session(report.sessionId);
    expect(session).toMatchObject({ source: 'tardis', eventCount: report.eventsWritten, firstEventMs: report.firstEventMs, lastEventMs: report.lastEventMs });
  });

  it('refuses a file that is not a Tardis CSV before creating anything', async () => {
    await expect(importTardis({ files: [files['chain']!, files['wrong']!], session: 'wrong', log })).rejects.toThrow(ImportFileError);
    await expect(importTardis({ files: [join(temp.dir, 'missing.csv')], session: 'missing', log })).rejects.toThrow(/cannot be read/);
    expect(log.sessionByName('wrong')).toBeNull();
  });

  it('keeps no session when every row is bad, and says so', async () => {
    const allBad = join(temp.dir, 'deribit_options_chain_all_bad.csv');
    writeFileSync(allBad, [chainHeader, 'deribit,BTC-9JUN20-9875-P,1591574399413000', chainRow.replace('62.89', 'abc')].join('\n') + '\n');
    await expect(importTardis({ files: [allBad], session: 'all-bad', log })).rejects.toThrow(
      /no events imported: 2 rows read, 2 bad \(first: line 2: expected 24 fields, got 3\); no session was kept/,
    );
    expect(log.sessionByName('all-bad')).toBeNull();
  });

  it('a file that breaks mid-way (truncated gzip) fails the import and leaves no half session', async () => {
    const rows = Array.from({ length: 20_000 }, (_, k) => chainRow.replace('1591574400196008', String(T + k)));
    const whole = gzipSync([chainHeader, ...rows].join('\n') + '\n');
    const truncated = join(temp.dir, 'deribit_options_chain_truncated.csv.gz');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    await expect(importTardis({ files: [truncated], session: 'truncated', log })).rejects.toThrow(/deribit_options_chain_truncated.csv.gz: cannot be read after line \d+: unexpected end of file; no session was kept/);
    expect(log.sessionByName('truncated')).toBeNull();
  });

  it('works from the command line and the session replays', () => {
    const dbPath = join(temp.dir, 'cli.db');
    const out = execFileSync(process.execPath, [builtCli(), 'import', 'tardis', files['chain']!, files['trades']!, '--session', 'cli-import', '--db', dbPath], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const report = JSON.parse(out) as { eventsWritten: number; badRows: number };
    expect(report.badRows).toBe(4);
    const replay = JSON.parse(
      execFileSync(process.execPath, [builtCli(), 'replay', 'cli-import', '--db', dbPath, '--report', 'json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ) as { events: number; expiries: number };
    expect(replay.events).toBe(report.eventsWritten);
    expect(replay.expiries).toBe(1);
    try {
      execFileSync(process.execPath, [builtCli(), 'import', 'csv', files['chain']!, '--session', 'x', '--db', dbPath], { stdio: 'pipe' });
      expect.unreachable('an unknown format must fail');
    } catch (error) {
      expect((error as { status: number }).status).toBe(2);
    }
  }, 60_000);
});

/** The sample row with one column set to `value` (by header name). */
function withField(row: string, column: string, value: string): string {
  const cells = row.split(',');
  cells[chainHeader.split(',').indexOf(column)] = value;
  return cells.join(',');
}
/** The sample row `k` ms later (both timestamps), as its own quote. */
const later = (k: number): string => withField(withField(chainRow, 'local_timestamp', String(T + k * 1000)), 'timestamp', String(1591574399413000 + k * 1000));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [builtCli(), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('Tardis import: what is stored always replays (issue "Hardening")', () => {
  it('a row the engine would refuse (open_interest -5) is a bad row at import, and the session replays', () => {
    const file = join(temp.dir, 'deribit_options_chain_negative_oi.csv');
    writeFileSync(file, [chainHeader, later(0), withField(later(1), 'open_interest', '-5'), later(2)].join('\n') + '\n');
    const dbPath = join(temp.dir, 'negative-oi.db');
    const imported = cli('import', 'tardis', file, '--session', 'negative-oi', '--db', dbPath);
    expect(imported.status, imported.stderr).toBe(0);
    const report = JSON.parse(imported.stdout) as ImportReport;
    expect(report.badRows).toBe(1);
    expect(report.badRowSamples).toEqual([{ file: 'deribit_options_chain_negative_oi.csv', line: 3, reason: 'BTC-9JUN20-9875-P: open interest -5 is not >= 0' }]);
    expect(report.eventsWritten).toBe(3); // the definition and two tickers
    const replay = cli('replay', 'negative-oi', '--db', dbPath, '--report', 'json');
    expect(replay.status, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ events: 3, events_rejected: 0 });
  }, 60_000);

  it('a session that already holds such an event (written before the rules) replays: the engine counts and skips it', () => {
    const dbPath = join(temp.dir, 'poisoned.db');
    const db2 = openDatabase(dbPath);
    const log2 = new EventLog(db2);
    const session = log2.createSession('poisoned', 'tardis', Date.now());
    const normalizer = new TardisNormalizer();
    const layout = parseOptionsChainHeader(chainHeader);
    const good = normalizer.normalize('options_chain', later(0), 2, later(0).split(','), new Map(), layout);
    const ticker = good[1] as OptionTickerEvent;
    log2.appendNumbered(session.id, 1, [...good, { ...ticker, tsEvent: (ticker.tsEvent + 1) as EpochMs, openInterest: -5 }]);
    db2.close();
    // Before: RangeError "Ticker of BTC-9JUN20-9875-P has an invalid open interest -5", uncaught, exit 1.
    const replay = cli('replay', 'poisoned', '--db', dbPath, '--report', 'json');
    expect(replay.status, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({ events: 3, events_rejected: 1, last_rejection: 'seq 3: BTC-9JUN20-9875-P: open interest -5 is not >= 0', expiries: 1 });
  }, 60_000);

  it('an out-of-range timestamp is a bad row with its line; the other rows are kept and the process exits', () => {
    const file = join(temp.dir, 'deribit_options_chain_huge_ts.csv');
    const rows = [later(0), withField(later(1), 'timestamp', '99999999999999999999999'), later(2), withField(later(3), 'expiration', '9000000000000000000'), later(4)];
    writeFileSync(file, [chainHeader, ...rows].join('\n') + '\n');
    const dbPath = join(temp.dir, 'huge-ts.db');
    // Before: "cannot store REAL value in INTEGER column", every row lost, an empty session left, no exit.
    const imported = cli('import', 'tardis', file, '--session', 'huge-ts', '--db', dbPath);
    expect(imported.status, imported.stderr).toBe(0);
    const report = JSON.parse(imported.stdout) as ImportReport;
    expect(report.badRowSamples).toEqual([
      { file: 'deribit_options_chain_huge_ts.csv', line: 3, reason: 'column timestamp: "99999999999999999999999" is not a microsecond timestamp' },
      { file: 'deribit_options_chain_huge_ts.csv', line: 5, reason: 'column expiration: "9000000000000000000" is not a microsecond timestamp' },
    ]);
    expect(report.eventsWritten).toBe(4);
    const db2 = openDatabase(dbPath);
    expect(new EventLog(db2).listSessions().map((row) => [row.name, row.eventCount])).toEqual([['huge-ts', 4]]);
    db2.close();
  }, 60_000);
});


describe('Tardis import: bounded lines, text only, errors that name the file (issue "Hardening")', () => {
  it('a 520 MB line without a newline inside a small .gz is one bad row; the rows around it are kept', async () => {
    // Over V8's ~512 MiB string limit: before, readline died with "RangeError: Invalid string length".
    const file = join(temp.dir, 'deribit_options_chain_long_line.csv.gz');
    await pipeline(
      (function* () {
        yield Buffer.from(`${chainHeader}\n${later(0)}\n`);
        const block = Buffer.alloc(1 << 20, 'a');
        for (let i = 0; i < 520; i++) yield block;
        yield Buffer.from(`\n${later(1)}\n`);
      })(),
      createGzip({ level: 1 }),
      createWriteStream(file),
    );
    expect(statSync(file).size).toBeLessThan(5_000_000);
    const report = await importTardis({ files: [file], session: 'long-line', log });
    expect(report.badRowSamples).toEqual([{ file: 'deribit_options_chain_long_line.csv.gz', line: 3, reason: `line of ${520 * 2 ** 20} bytes is longer than the 1048576 bytes a row may have` }]);
    expect(report.eventsWritten).toBe(3);
  }, 120_000);

  it('a huge field is echoed at most 200 characters long', async () => {
    const file = join(temp.dir, 'deribit_options_chain_huge_field.csv');
    writeFileSync(file, [chainHeader, withField(later(0), 'mark_iv', 'x'.repeat(900_000)), later(1)].join('\n') + '\n');
    const report = await importTardis({ files: [file], session: 'huge-field', log });
    expect(report.badRowSamples[0]!.reason).toBe(`column mark_iv: "${'x'.repeat(200)}"… (900000 characters) is not a number`);
    expect(report.eventsWritten).toBe(2);
  });

  it('a file that is not text (/dev/zero, random bytes) stops at once, named, from the CLI too', async () => {
    const binary = join(temp.dir, 'random.bin');
    writeFileSync(binary, Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256)));
    await expect(importTardis({ files: [binary], session: 'binary', log })).rejects.toThrow(`${binary}: is not CSV text (a NUL byte in line 1); stopped reading it`);
    // A header, then binary: the import fails whole (that is not a Tardis file), naming the line.
    const late = join(temp.dir, 'late-binary.csv');
    writeFileSync(late, Buffer.concat([Buffer.from(`${chainHeader}\n${later(0)}\n`), Buffer.alloc(100)]));
    await expect(importTardis({ files: [late], session: 'late-binary', log })).rejects.toThrow(/late-binary.csv: is not CSV text \(a NUL byte in line 3\); stopped reading it; no session was kept/);
    expect(log.sessionByName('late-binary')).toBeNull();
    // Before: the CLI read /dev/zero until "RangeError: Invalid string length" at ~600 MB of memory.
    const zero = cli('import', 'tardis', '/dev/zero', '--session', 'zero', '--db', join(temp.dir, 'zero.db'));
    expect(zero.status).toBe(1);
    expect(zero.stderr).toContain('/dev/zero: is not CSV text (a NUL byte in line 1); stopped reading it');
  }, 60_000);

  it('a header that is no Tardis header is refused without echoing the file', async () => {
    const secret = join(temp.dir, 'environ');
    writeFileSync(secret, 'AWS_SECRET_ACCESS_KEY=abc123,HOME=/root\n-----BEGIN OPENSSH PRIVATE KEY-----\n');
    const error = (await importTardis({ files: [secret], session: 'secret', log }).catch((e: unknown) => e)) as Error;
    expect(error.message).toBe(`${secret}: not a Tardis CSV file (unknown header)`);
    const analyzed = spawnSync(process.execPath, [builtCli(), 'analyze', secret], { encoding: 'utf8' });
    expect(analyzed.status).toBe(1);
    expect(analyzed.stderr).toContain('environ: not a Tardis CSV file (unknown header)');
    expect(analyzed.stderr + error.message).not.toMatch(/abc123|SECRET|PRIVATE/);
  });

  it('analyze names the file of a truncated gzip', () => {
    const rows = Array.from({ length: 20_000 }, (_, k) => later(k));
    const whole = gzipSync([chainHeader, ...rows].join('\n') + '\n');
    const truncated = join(temp.dir, 'chain_truncated.csv.gz');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const result = spawnSync(process.execPath, [builtCli(), 'analyze', truncated], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/chain_truncated.csv.gz: cannot be read after line \d+: unexpected end of file/);
  }, 60_000);
});
