import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { black76Price } from '../../../src-main/core/pricing/black76';
import { yearsToExpiry } from '../../../src-main/core/pricing/time';
import {
  ChainRowError, detectChainLayout, parseIsoTimestamp, parseSnapshotRow, readChainFile,
} from '../../../src-main/feeds/chainFile';
import { makeTempDir } from '../../helpers/tmp';

// Real files, read at run time (../shared/data/README.md): two full Deribit BTC+ETH chains collected by
// znmahbub/SVCJ-Deribit-Inverse-Options-Pricer, and the options_chain sample row of docs.tardis.dev.
const DATA = path.resolve(process.cwd(), '../shared/data');
const JAN = path.join(DATA, 'znmahbub_deribit_options_snapshot_20260102T091809Z.csv');
const AUG = path.join(DATA, 'znmahbub_deribit_options_snapshot_20260822T093536Z.csv');
const TARDIS = path.join(DATA, 'tardis_docs_options_chain_sample_row.csv');
const temp = makeTempDir('gammadesk-chainfile-');
afterAll(() => temp.remove());

describe('readChainFile on the Deribit snapshot layout', () => {
  it('reads every row of the 2026-01-02 chain: 622 BTC and 666 ETH options, 13 expiries each', async () => {
    // Row and expiry counts: ../shared/data/README.md ("1288 rows (622 BTC, 666 ETH), 13 expiries").
    const chain = await readChainFile(JAN);
    expect(chain.layout).toBe('deribit_snapshot');
    expect(chain.rowsRead).toBe(1288);
    expect(chain.badRowCount).toBe(0);
    expect(new Date(chain.asOfMs).toISOString()).toBe('2026-01-02T09:18:09.153Z');
    const btc = chain.currencies.get('BTC')!;
    const eth = chain.currencies.get('ETH')!;
    expect(btc.options).toHaveLength(622);
    expect(eth.options).toHaveLength(666);
    expect(btc.forwards.size).toBe(13);
    expect(eth.forwards.size).toBe(13);
    // Sorted by expiry, then strike, puts first.
    for (let i = 1; i < btc.options.length; i++) {
      const a = btc.options[i - 1]!;
      const b = btc.options[i]!;
      expect(a.expiryMs < b.expiryMs || (a.expiryMs === b.expiryMs && (a.strike < b.strike || (a.strike === b.strike && !a.isCall && b.isCall)))).toBe(true);
    }
  });

  it('keeps the file\'s fields in their units: coin prices, decimal mark IV, USD forward', async () => {
    const chain = await readChainFile(JAN);
    // The first data row of the file: BTC-3JAN26-88000-C, bid 0.0145, ask 0.016, mark 0.01469084,
    // futures_price 89029.42091675257, implied_volatility 0.3735 (decimal), open_interest 316.7, volume 63.8.
    const option = chain.currencies.get('BTC')!.options.find((o) => o.name === 'BTC-3JAN26-88000-C')!;
    expect(option).toMatchObject({ strike: 88000, isCall: true, bid: 0.0145, ask: 0.016, mark: 0.01469084, openInterest: 316.7, volume: 63.8 });
    expect(option.markIv).toBe(0.3735);
    expect(option.forwardUsd).toBe(89029.42091675257);
    expect(option.expiryMs).toBe(Date.UTC(2026, 0, 3, 8));
    expect(chain.currencies.get('BTC')!.forwards.get(Date.UTC(2026, 0, 3, 8))).toBe(89029.42091675257);
  });

  it('computes bid and ask IVs the file lacks with the pricing core: they reprice the quotes', async () => {
    const chain = await readChainFile(AUG);
    let checked = 0;
    for (const currency of chain.currencies.values()) {
      for (const o of currency.options) {
        if (o.bidIv === null) {
          expect(o.bidIvReason).toMatch(/^(no bid|below_intrinsic|time_value_lost)$/);
          continue;
        }
        expect(o.bidIvReason).toBeNull();
        const years = yearsToExpiry(o.expiryMs, o.quoteTimestampMs);
        const repriced = black76Price(o.forwardUsd, o.strike, years, o.bidIv, o.isCall) / o.forwardUsd;
        expect(Math.abs(repriced - o.bid!)).toBeLessThan(1e-12);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('puts the file\'s mark IV between the computed bid and ask IVs for nearly every two-sided quote', async () => {
    // An identity of a sane book: bid price <= mark <= ask price, and price is increasing in vol. Measured here:
    // 2357 of 2390 two-sided quotes in the 2026-01-02 and 2026-08-22 files (the rest within a tick).
    let inside = 0;
    let total = 0;
    for (const file of [JAN, AUG]) {
      for (const currency of (await readChainFile(file)).currencies.values()) {
        for (const o of currency.options) {
          if (o.bidIv === null || o.askIv === null || o.markIv === null) continue;
          total++;
          if (o.bidIv <= o.markIv + 1e-9 && o.markIv <= o.askIv + 1e-9) inside++;
        }
      }
    }
    expect(total).toBeGreaterThan(2000);
    expect(inside / total).toBeGreaterThan(0.98);
  });

  it('reports bad rows by line and reason and keeps every other row', async () => {
    const lines = readFileSync(JAN, 'utf8').split('\n');
    const header = lines[0]!;
    const good = lines.slice(1, 6);
    const columns = header.split(',');
    const edit = (line: string, column: string, value: string): string => {
      const cells = line.split(',');
      cells[columns.indexOf(column)] = value;
      return cells.join(',');
    };
    const bad = [
      edit(good[0]!, 'bid_price', 'abc'), // line 7
      edit(good[0]!, 'instrument_name', 'BTC-PERPETUAL'), // line 8
      edit(good[0]!, 'strike', '1234.0'), // line 9
      good[0]!.split(',').slice(0, 5).join(','), // line 10
      edit(good[0]!, 'futures_price', '0'), // line 11
      edit(good[0]!, 'timestamp', 'yesterday'), // line 12
    ];
    const file = path.join(temp.dir, 'bad-rows.csv');
    writeFileSync(file, [header, ...good, ...bad, ''].join('\n'));
    const chain = await readChainFile(file);
    expect(chain.rowsRead).toBe(5);
    expect([...chain.currencies.values()].reduce((n, c) => n + c.options.length, 0)).toBe(5);
    expect(chain.badRowCount).toBe(6);
    expect(chain.badRows.map((b) => b.line)).toEqual([7, 8, 9, 10, 11, 12]);
    expect(chain.badRows[0]!.reason).toBe('bid_price is not a number: "abc"');
    expect(chain.badRows[1]!.reason).toMatch(/instrument "BTC-PERPETUAL": /);
    expect(chain.badRows[2]!.reason).toMatch(/^strike 1234 disagrees with the name/);
    expect(chain.badRows[3]!.reason).toMatch(/^expected 23 fields, got 5$/);
    expect(chain.badRows[4]!.reason).toBe('futures_price must be > 0, got 0');
    expect(chain.badRows[5]!.reason).toMatch(/^timestamp "yesterday" is not an ISO 8601 time/);
  });

  it('refuses a file that is no chain file without echoing it, and an --at before every row', async () => {
    const file = path.join(temp.dir, 'secret.csv');
    writeFileSync(file, 'password,hunter2\n1,2\n');
    await expect(readChainFile(file)).rejects.toThrow(/^secret\.csv: not a chain file/);
    await expect(readChainFile(file)).rejects.not.toThrow(/hunter2/);
    await expect(readChainFile(JAN, { atMs: Date.UTC(2026, 0, 1) })).rejects.toThrow(/no rows at or before 2026-01-01T00:00:00.000Z/);
    expect(() => detectChainLayout('a,b,c')).toThrow(ChainRowError);
  });
});

describe('readChainFile on files that are not chains', () => {
  it('names the problem: empty, header only, binary; CRLF line ends are read like LF', async () => {
    const [header, ...rest] = readFileSync(JAN, 'utf8').split('\n');
    const write = (name: string, content: string | Buffer): string => {
      const file = path.join(temp.dir, name);
      writeFileSync(file, content);
      return file;
    };
    await expect(readChainFile(write('empty.csv', ''))).rejects.toThrow(/^empty\.csv is empty$/);
    await expect(readChainFile(write('header.csv', `${header}\n`))).rejects.toThrow(/^header\.csv: no readable rows$/);
    await expect(readChainFile(write('binary.csv', Buffer.from([0x74, 0x00, 0x01, 0x0a])))).rejects.toThrow(/not CSV text/);
    const crlf = await readChainFile(write('crlf.csv', [header, ...rest.slice(0, 10)].join('\r\n')));
    expect(crlf.rowsRead).toBe(10);
    expect(crlf.badRowCount).toBe(0);
  });
});

describe('readChainFile on the Tardis options_chain layout', () => {
  const [header, row] = readFileSync(TARDIS, 'utf8').trim().split(/\r?\n/) as [string, string];

  it('reads the documented sample row: percent IVs become decimals, the file\'s bid/ask IVs are kept', async () => {
    const chain = await readChainFile(TARDIS);
    expect(chain.layout).toBe('tardis_options_chain');
    const option = chain.currencies.get('BTC')!.options[0]!;
    // docs.tardis.dev sample: BTC-9JUN20-9875-P, bid 0.0205 (bid_iv 55.91 %), ask 0.0235 (68.94 %), mark
    // 0.02210436 (62.89 %), underlying_price 9756.36, open_interest 0.1.
    expect(option).toMatchObject({ name: 'BTC-9JUN20-9875-P', bid: 0.0205, ask: 0.0235, mark: 0.02210436, forwardUsd: 9756.36, openInterest: 0.1, volume: null });
    expect(option.bidIv).toBeCloseTo(0.5591, 12);
    expect(option.askIv).toBeCloseTo(0.6894, 12);
    expect(option.markIv).toBeCloseTo(0.6289, 12);
    expect(chain.currencies.get('BTC')!.indexUsd).toBeNull();
    expect(chain.asOfMs).toBe(1591574399413);
  });

  it('keeps the latest row per symbol at or before --at, from a gzip file; computes a missing bid IV', async () => {
    const columns = header.split(',');
    const at = (line: string, values: Record<string, string>): string => {
      const cells = line.split(',');
      for (const [column, value] of Object.entries(values)) cells[columns.indexOf(column)] = value;
      return cells.join(',');
    };
    const later = at(row, { timestamp: '1591574459413000', local_timestamp: '1591574459500000', bid_price: '0.0210', bid_iv: '' });
    const file = path.join(temp.dir, 'chain.csv.gz');
    writeFileSync(file, gzipSync([header, row, later, at(row, { type: 'call' })].join('\n') + '\n'));
    const latest = await readChainFile(file);
    expect(latest.badRowCount).toBe(1);
    expect(latest.badRows[0]).toEqual({ line: 4, reason: 'type call disagrees with the symbol (put)' });
    const option = latest.currencies.get('BTC')!.options[0]!;
    expect(option.bid).toBe(0.021);
    // The Tardis row has no bid IV now: computed from 0.0210 BTC at the row's time, it reprices the bid.
    const years = yearsToExpiry(option.expiryMs, option.quoteTimestampMs);
    expect(black76Price(9756.36, 9875, years, option.bidIv!, false) / 9756.36).toBeCloseTo(0.021, 12);
    const earlier = await readChainFile(file, { atMs: 1591574400000 });
    expect(earlier.currencies.get('BTC')!.options[0]!.bid).toBe(0.0205);
    expect(earlier.asOfMs).toBe(1591574400000);
  });
});

describe('snapshot row pieces', () => {
  it('parses ISO times with microseconds and zones, and refuses impossible dates', () => {
    expect(parseIsoTimestamp('2026-01-02T09:18:09.153333+00:00')).toBe(Date.UTC(2026, 0, 2, 9, 18, 9, 153));
    expect(parseIsoTimestamp('2026-01-02T10:18:09+01:00')).toBe(Date.UTC(2026, 0, 2, 9, 18, 9));
    expect(parseIsoTimestamp('2026-02-31T00:00:00Z')).toBeNull();
    expect(parseIsoTimestamp('2026-01-02 09:18')).toBeNull();
  });

  it('reads an IV of 0 (a price at intrinsic) as no mark IV', () => {
    const [header, line] = readFileSync(JAN, 'utf8').split('\n') as [string, string];
    const names = header.split(',');
    const cells = line.split(',');
    cells[names.indexOf('implied_volatility')] = '0.0';
    const parsed = parseSnapshotRow(cells.join(','), new Map(names.map((n, i) => [n, i])), names.length)!;
    expect(parsed.markIv).toBeNull();
  });
});

describe('the two layouts agree', () => {
  it('the 2026-01-02 chain written as a Tardis options_chain file reads back to the same options', async () => {
    const snapshot = await readChainFile(JAN);
    const header = readFileSync(TARDIS, 'utf8').split(/\r?\n/)[0]!;
    const micros = (ms: number): string => `${ms}000`;
    const cell = (value: number | null): string => (value === null ? '' : String(value));
    // Percent IVs as Tardis writes them; the snapshot's computed bid/ask IVs go in as if Tardis had published them.
    const percent = (iv: number | null): string => (iv === null ? '' : String(iv * 100));
    const rows = [...snapshot.currencies.values()].flatMap((c) => c.options.map((o) => [
      'deribit', o.name, micros(o.quoteTimestampMs), micros(o.quoteTimestampMs), o.isCall ? 'call' : 'put', String(o.strike), micros(o.expiryMs),
      cell(o.openInterest), '', cell(o.bid), '1', percent(o.bidIv), cell(o.ask), '1', percent(o.askIv), cell(o.mark), percent(o.markIv),
      `SYN.${o.instrument.currency}`, String(o.forwardUsd), '', '', '', '', '',
    ].join(',')));
    const file = path.join(temp.dir, 'jan-as-tardis.csv.gz');
    writeFileSync(file, gzipSync([header, ...rows].join('\n') + '\n'));
    const tardis = await readChainFile(file);
    expect(tardis.layout).toBe('tardis_options_chain');
    expect(tardis.badRowCount).toBe(0);
    expect(tardis.asOfMs).toBe(snapshot.asOfMs);
    for (const [currency, c] of snapshot.currencies) {
      const other = tardis.currencies.get(currency)!;
      expect(other.options).toHaveLength(c.options.length);
      expect([...other.forwards]).toEqual([...c.forwards]);
      c.options.forEach((o, i) => {
        const t = other.options[i]!;
        expect(t.name).toBe(o.name);
        expect([t.bid, t.ask, t.mark, t.openInterest]).toEqual([o.bid, o.ask, o.mark, o.openInterest]);
        for (const key of ['markIv', 'bidIv', 'askIv'] as const) {
          if (o[key] === null) expect(t[key]).toBeNull();
          else expect(t[key]!).toBeCloseTo(o[key], 14);
        }
      });
    }
  });
});
