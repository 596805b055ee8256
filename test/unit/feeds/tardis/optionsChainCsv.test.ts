import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  OptionsChainCsvError, parseOptionsChainHeader, parseOptionsChainRow,
} from '../../../../src-main/feeds/tardis/optionsChainCsv';

// The documented header and sample row from docs.tardis.dev ("Downloadable CSV files", options_chain),
// kept in ../shared/data/tardis_docs_options_chain_sample_row.csv.
const sample = readFileSync(path.resolve(process.cwd(), '../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8')
  .trim()
  .split(/\r?\n/);
const header = sample[0]!;
const row = sample[1]!;

function caught(fn: () => unknown): OptionsChainCsvError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OptionsChainCsvError) return error;
    throw error;
  }
  throw new Error('expected an OptionsChainCsvError');
}

describe('parseOptionsChainRow on the Tardis documentation sample', () => {
  it('converts microseconds to epoch ms and percent IVs to decimals', () => {
    const layout = parseOptionsChainHeader(header);
    expect(parseOptionsChainRow(row, layout, 2)).toEqual({
      exchange: 'deribit',
      symbol: 'BTC-9JUN20-9875-P',
      timestampMs: 1591574399413,
      localTimestampMs: 1591574400196, // 1591574400196008 µs, floored
      optionType: 'put',
      strike: 9875,
      expirationMs: Date.UTC(2020, 5, 9, 8), // 1591689600000000 µs = 2020-06-09 08:00 UTC
      openInterest: 0.1,
      lastPrice: 0.0295,
      bidPrice: 0.0205,
      bidAmount: 15,
      bidIv: 55.91 / 100,
      askPrice: 0.0235,
      askAmount: 15,
      askIv: 68.94 / 100,
      markPrice: 0.02210436,
      markIv: 62.89 / 100,
      underlyingIndex: 'SYN.BTC-9JUN20',
      underlyingPrice: 9756.36,
      delta: -0.61752,
      gamma: 0.00103,
      vega: 2.24964,
      theta: -53.05655,
      rho: -0.22796,
    });
  });

  it('maps empty optional fields to null and tolerates CRLF, a BOM and reordered columns', () => {
    const layout = parseOptionsChainHeader(`\ufeff${header}\r`);
    const cells = row.split(',');
    cells[9] = ''; // bid_price
    cells[11] = ''; // bid_iv
    cells[19] = ''; // delta
    const parsed = parseOptionsChainRow(`${cells.join(',')}\r`, layout, 7)!;
    expect([parsed.bidPrice, parsed.bidIv, parsed.delta, parsed.askPrice]).toEqual([null, null, null, 0.0235]);
    const names = header.split(',');
    const reordered = parseOptionsChainHeader([...names.slice(1), names[0]].join(','));
    expect(parseOptionsChainRow([...cells.slice(1), cells[0]].join(','), reordered, 3)!.symbol).toBe('BTC-9JUN20-9875-P');
    expect(parseOptionsChainRow('   ', layout, 4)).toBeNull();
  });
});

describe('errors name the line and the column', () => {
  const layout = parseOptionsChainHeader(header);

  it('rejects a header that is not options_chain', () => {
    const error = caught(() => parseOptionsChainHeader('exchange,symbol,timestamp,local_timestamp,id,side,price,amount'));
    expect(error.lineNumber).toBe(1);
    expect(error.message).toMatch(/missing type, strike_price, expiration/);
  });

  it('reports bad fields', () => {
    const cells = row.split(',');
    const withCell = (i: number, value: string) => cells.map((c, j) => (j === i ? value : c)).join(',');
    expect(caught(() => parseOptionsChainRow(withCell(5, 'abc'), layout, 12))).toMatchObject({ lineNumber: 12, column: 'strike_price' });
    expect(caught(() => parseOptionsChainRow(withCell(4, 'future'), layout, 13))).toMatchObject({ lineNumber: 13, column: 'type' });
    expect(caught(() => parseOptionsChainRow(withCell(2, ''), layout, 14))).toMatchObject({ lineNumber: 14, column: 'timestamp' });
    expect(caught(() => parseOptionsChainRow(withCell(2, '1591574399413000.5'), layout, 15))).toMatchObject({ column: 'timestamp' });
    expect(caught(() => parseOptionsChainRow(withCell(16, ' 62.89'), layout, 16))).toMatchObject({ column: 'mark_iv' });
    expect(caught(() => parseOptionsChainRow(`${row},extra`, layout, 17)).message).toMatch(/line 17: expected 24 fields, got 25/);
    expect(caught(() => parseOptionsChainRow(row.replace('deribit', '"deribit"'), layout, 18)).lineNumber).toBe(18);
  });
});
