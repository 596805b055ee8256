import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import { openDatabase } from '../../../src-main/store/database';
import { captureConsole } from '../../helpers/captureConsole';
import { makeTempDir } from '../../helpers/tmp';

// `gammadesk hedge propose` and `gammadesk positions import` through main(), on the real 2026-01-02 Deribit chain
// of ../shared/data (README there).
const JAN = path.resolve(process.cwd(), '../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv');
const temp = makeTempDir('gammadesk-hedge-cli-');
afterAll(() => temp.remove());
const printed = captureConsole();

const BOOK = path.join(temp.dir, 'book.csv');
writeFileSync(
  BOOK,
  ['instrument,quantity,average_price,price_currency', 'BTC-30JAN26-95000-C,-20,0.02,BTC', 'BTC-PERPETUAL,100000,88000,USD', 'ETH-30JAN26-3200-P,-100,0.05,ETH', 'BTC-30JAN26-95000-C,1,1,BTC'].join('\n'),
);

interface Report {
  positions: number;
  bad_rows: { line: number; reason: string }[];
  proposals: { currency: string; status: string; legs: { instrument: string; side: string; amount: number }[]; bands: { greek: string; in_band_after: boolean; before: number; after: number }[]; cost_usd: number }[];
}

describe('gammadesk hedge propose', () => {
  it('hedges each currency of the book with the perpetual (threshold), naming the bad row', async () => {
    await expect(main(['hedge', 'propose', '--positions', BOOK, '--chain', JAN, '--format', 'json'])).resolves.toBe(0);
    const report = JSON.parse(printed.out.join('\n')) as Report;
    expect(report.positions).toBe(3);
    expect(printed.err.join('\n')).toContain('book.csv:5: skipped: BTC-30JAN26-95000-C is already on line 2');
    const btc = report.proposals.find((p) => p.currency === 'BTC')!;
    // Short 20 calls, long 100,000 USD of perpetual: net short delta, bought back with the perpetual.
    expect(btc.status).toBe('trade');
    expect(btc.legs.map((l) => [l.instrument, l.side])).toEqual([['BTC-PERPETUAL', 'buy']]);
    expect(btc.bands[0]!.before).toBeLessThan(-0.5);
    expect(Math.abs(btc.bands[0]!.after)).toBeLessThanOrEqual(0.5);
    const eth = report.proposals.find((p) => p.currency === 'ETH')!;
    // Short 100 puts: long delta, sold with the perpetual.
    expect(eth.legs.map((l) => [l.instrument, l.side])).toEqual([['ETH-PERPETUAL', 'sell']]);
  });

  it('selects options when a gamma band is set, and brings every band in or says why', async () => {
    await expect(main(['hedge', 'propose', '--positions', BOOK, '--chain', JAN, '--policy', 'select', '--gamma-band', '50000', '--format', 'json'])).resolves.toBe(0);
    const report = JSON.parse(printed.out.join('\n')) as Report & { proposals: { reason: string | null }[] };
    for (const p of report.proposals) {
      if (p.status === 'trade') expect(p.bands.every((b) => b.in_band_after)).toBe(true);
      else expect(p.reason).toBeTruthy();
    }
    const btc = report.proposals.find((p) => p.currency === 'BTC')!;
    expect(btc.bands.map((b) => b.greek)).toEqual(['delta', 'gamma']);
    expect(btc.legs.some((l) => /-[CP]$/.test(l.instrument))).toBe(true);
  }, 60_000);

  it('refuses wrong arguments with exit 2', async () => {
    await expect(main(['hedge', 'propose', '--chain', JAN])).resolves.toBe(2);
    expect(printed.err.join('\n')).toContain('--positions BOOK.csv is required');
    await expect(main(['hedge', 'propose', '--positions', BOOK, '--chain', JAN, '--policy', 'magic'])).resolves.toBe(2);
    await expect(main(['hedge', 'propose', '--positions', BOOK, '--chain', JAN, '--gamma-band', '-5'])).resolves.toBe(2);
    await expect(main(['hedge', 'propose', '--positions', path.join(temp.dir, 'none.csv'), '--chain', JAN])).resolves.toBe(1);
  });
});

describe('gammadesk positions import', () => {
  it('imports into the database, checked against the stored instrument list, bad rows named', async () => {
    const db = path.join(temp.dir, 'import.db');
    const open = openDatabase(db);
    open
      .prepare(
        `INSERT INTO instruments (name, currency, kind, settlement, expiry_ms, strike_usd, option_type, contract_size, tick_size, min_trade_amount, maker_commission, taker_commission, source, updated_ms)
         VALUES ('BTC-PERPETUAL', 'BTC', 'perpetual', 'inverse', NULL, NULL, NULL, 10, 0.5, 10, 0, 0.0005, 'deribit', 0)`,
      )
      .run();
    open.close();
    const csv = path.join(temp.dir, 'import.csv');
    writeFileSync(csv, 'instrument,quantity,average_price,price_currency\nBTC-PERPETUAL,25000,90000,USD\nBTC-PERPETUAL,15,1,USD\nETH-PERPETUAL,10,3000,USD\n');
    await expect(main(['positions', 'import', csv, '--db', db])).resolves.toBe(0);
    const result = JSON.parse(printed.out.join('\n')) as { imported: number; rows: number; book: { instrument: string; amount: number }[] };
    expect(result).toMatchObject({ imported: 1, rows: 3 });
    expect(result.book.map((p) => [p.instrument, p.amount])).toEqual([['BTC-PERPETUAL', 25000]]);
    expect(printed.err.join('\n')).toContain('import.csv:4: skipped: ETH-PERPETUAL is not a listed Deribit instrument');
    await expect(main(['positions', 'import', csv, '--mode', 'sideways', '--db', db])).resolves.toBe(2);
  });
});
