import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';
import { bsmPrice } from '../unit/core/pricing/bsmReference';
import { readSharedCsv } from '../unit/core/pricing/sharedData';

// `gammadesk risk` and `gammadesk margin` on the real Deribit chain snapshot of 2026-01-02 09:18 UTC
// (../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv). Golden numbers are recomputed from the
// file's own rows (mark IV, forward, index) with the textbook pricer of the tests (Haug's generalized BSM, b = 0),
// and from the delta-one identity of Deribit's published pme/simulate vectors: P&L = size × m/(1 + m).
const temp = makeTempDir('gammadesk-risk-');
afterAll(() => temp.remove());
const CHAIN = resolve('../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv');
const rows = readSharedCsv('data', 'znmahbub_deribit_options_snapshot_20260102T091809Z.csv');
const AS_OF = Date.parse('2026-01-02T09:18:09.153Z');

function run(command: string, ...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), command, ...args], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function book(name: string, lines: string[]): string {
  const file = join(temp.dir, name);
  writeFileSync(file, ['instrument,quantity,average_price,price_currency', ...lines].join('\n') + '\n');
  return file;
}

const BOOK = book('book.csv', [
  'BTC-30JAN26-100000-C,-5,0.012,BTC',
  'BTC-30JAN26-80000-P,-5,0.015,BTC',
  'BTC-PERPETUAL,-20000,88000,USD',
  'ETH-30JAN26-3000-C,10,0.08,ETH',
  'BTC-30JAN26-90000-C,abc,0.01,BTC',
  'BTC-30JAN26-999999-C,1,0.01,BTC',
]);

interface RiskRecord { currency: string; spot_move: number; vol_shift: number; days: number; time: string; pnl_usd: number; pnl_coin: number | null }

describe('gammadesk risk', () => {
  it('prints the matrix records with an exactly-zero centre, the PM margin, and reports bad rows by line', () => {
    const { stdout, stderr, status } = run('risk', '--positions', BOOK, '--chain', CHAIN);
    expect(status).toBe(0);
    expect(stderr).toContain('book.csv:6: skipped: BTC-30JAN26-90000-C: quantity "abc" is not a number');
    expect(stderr).toContain('BTC-30JAN26-999999-C: not revalued: no quote for this instrument in the market');
    const report = JSON.parse(stdout) as { as_of: string; records: RiskRecord[]; pm_margin: Record<string, { initial_margin: number; maintenance_margin: number; risk_matrix_margin: number }> };
    expect(report.as_of).toBe('2026-01-02T09:18:09.153Z');
    // 7 spot × 5 vol × 3 times (now, +1d, next expiry 30JAN26) per currency, and the USD total.
    expect(report.records.filter((r) => r.currency === 'BTC')).toHaveLength(105);
    expect(report.records.filter((r) => r.currency === 'TOTAL').every((r) => r.pnl_coin === null)).toBe(true);
    for (const currency of ['BTC', 'ETH', 'TOTAL']) {
      const centre = report.records.find((r) => r.currency === currency && r.spot_move === 0 && r.vol_shift === 0 && r.days === 0)!;
      expect(centre.pnl_usd).toBe(0);
      if (currency !== 'TOTAL') expect(centre.pnl_coin).toBe(0);
    }
    const btc = report.pm_margin['BTC']!;
    expect(btc.maintenance_margin).toBeCloseTo(0.8 * btc.risk_matrix_margin, 15);
    expect(btc.initial_margin).toBe(Math.round(btc.risk_matrix_margin * 1e9) / 1e9);
  });

  it("revalues an option like the textbook pricer on the file's own mark IV and forward", () => {
    const file = book('call.csv', ['BTC-30JAN26-100000-C,-5,,BTC']);
    const { stdout, status } = run('risk', '--positions', file, '--chain', CHAIN, '--spot-grid=0.1', '--vol-grid=10', '--days', '0,2');
    expect(status).toBe(0);
    const records = (JSON.parse(stdout) as { records: RiskRecord[] }).records;
    const row = rows.find((r) => r['instrument_name'] === 'BTC-30JAN26-100000-C')!;
    const forward = Number(row['futures_price']);
    const iv = Number(row['implied_volatility']); // decimal in this layout
    const index = Number(row['index_price']);
    const years = (Date.parse('2026-01-30T08:00:00Z') - AS_OF) / (365 * 86_400_000);
    const coin = (f: number, t: number, vol: number): number => bsmPrice(f, 100_000, t, 0, 0, vol, true) / f;
    for (const days of [0, 2]) {
      const r = records.find((x) => x.days === days)!;
      const t = years - days / 365;
      const expected = -5 * (coin(forward * 1.1, t, iv + 0.1) - coin(forward, years, iv));
      expect(r.pnl_coin).toBeCloseTo(expected, 12);
      // USD: the coin value × index; the file's index is the median of its BTC rows, within 0.1 % of this row's.
      expect(Math.abs(r.pnl_usd / (-5 * (coin(forward * 1.1, t, iv + 0.1) * index * 1.1 - coin(forward, years, iv) * index)) - 1)).toBeLessThan(1e-3);
    }
  });

  it('gives the distance to a margin call with --equity, sooner under vol up', () => {
    const { stdout, status } = run('risk', '--positions', BOOK, '--chain', CHAIN, '--spot-grid=0', '--vol-grid=0', '--equity', 'BTC:1.5');
    expect(status).toBe(0);
    const d = (JSON.parse(stdout) as { distance_to_margin_call: { vol_shift_points: number; down: { move: number }; up: { move: number } }[] }).distance_to_margin_call;
    expect(d).toHaveLength(2);
    expect(d[0]!.down.move).toBeLessThan(0);
    expect(d[0]!.up.move).toBeGreaterThan(0);
    expect(d[1]!.vol_shift_points).toBe(10);
    expect(d[1]!.down.move).toBeGreaterThan(d[0]!.down.move);
  });

  it('applies the largest daily moves of the Deribit perpetual history (with the DVOL move of the day) to the book', () => {
    const history = resolve('../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv');
    const dvol = resolve('../shared/data/joachimoliver_btc_dvol.csv');
    const all = run('risk', '--positions', BOOK, '--chain', CHAIN, '--spot-grid=0', '--vol-grid=0', '--history', history, '--dvol', dvol, '--history-count', '2');
    expect(all.status).toBe(0);
    type Historical = { date: string; spot_move: number; vol_shift_points: number | null; vol_reason: string | null; BTC: { pnl_coin: number }; total_usd: number };
    const [first] = (JSON.parse(all.stdout) as { historical: Historical[] }).historical;
    // 2020-03-12: Deribit BTC-PERPETUAL daily close 7389.5 → 5249.5 (the file's rows for 03-11 and 03-12).
    expect(first!.date).toBe('2020-03-12');
    expect(first!.spot_move).toBeCloseTo(5249.5 / 7389.5 - 1, 12);
    expect(first!.vol_reason).toBe('no DVOL history before 2021-03-24');
    const since = run('risk', '--positions', BOOK, '--chain', CHAIN, '--spot-grid=0', '--vol-grid=0', '--history', history, '--dvol', dvol, '--history-count', '3', '--history-since', '2021-03-24');
    const recent = (JSON.parse(since.stdout) as { historical: Historical[] }).historical;
    expect(recent).toHaveLength(3);
    for (const h of recent) {
      expect(h.date >= '2021-03-24').toBe(true);
      expect(h.vol_shift_points).not.toBeNull();
    }
    // The same move and vol shift as a matrix cell gives the same P&L.
    const h = recent[0]!;
    const cell = run('risk', '--positions', BOOK, '--chain', CHAIN, `--spot-grid=${h.spot_move}`, `--vol-grid=${h.vol_shift_points}`, '--days', '0');
    const record = (JSON.parse(cell.stdout) as { records: RiskRecord[] }).records.find((r) => r.currency === 'BTC')!;
    expect(record.pnl_coin).toBeCloseTo(h.BTC.pnl_coin, 12);
    expect(run('risk', '--positions', BOOK, '--chain', CHAIN, '--dvol', dvol).status).toBe(2);
  });

  it('moves vols along the fitted SVI surface with --vol-dynamics surface (centre still exactly 0)', () => {
    const grid = ['--spot-grid=-0.2,0,0.2', '--vol-grid=0', '--days', '0'];
    const surface = run('risk', '--positions', BOOK, '--chain', CHAIN, ...grid, '--vol-dynamics', 'surface');
    const strike = run('risk', '--positions', BOOK, '--chain', CHAIN, ...grid);
    expect(surface.status).toBe(0);
    const bySurface = (JSON.parse(surface.stdout) as { records: RiskRecord[]; notes: string[] });
    const byStrike = (JSON.parse(strike.stdout) as { records: RiskRecord[] }).records;
    expect(bySurface.notes.filter((n) => n.includes('30JAN26'))).toEqual([]); // the book's expiry was fitted
    const at = (records: RiskRecord[], move: number): RiskRecord => records.find((r) => r.currency === 'BTC' && r.spot_move === move)!;
    expect(at(bySurface.records, 0).pnl_coin).toBe(0);
    // The fitted smile moves with spot: a different P&L from sticky strike off the centre, of the same sign here.
    expect(at(bySurface.records, -0.2).pnl_coin).not.toBeCloseTo(at(byStrike, -0.2).pnl_coin!, 4);
    expect(Math.sign(at(bySurface.records, -0.2).pnl_coin!)).toBe(Math.sign(at(byStrike, -0.2).pnl_coin!));
  });

  it('writes CSV records and runs sticky moneyness on the chain smile', () => {
    const csv = run('risk', '--positions', BOOK, '--chain', CHAIN, '--format', 'csv', '--vol-dynamics', 'sticky-moneyness', '--vol-shift', 'term-scaled');
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('currency,spot_move,vol_shift,days,pnl_usd,pnl_coin');
    expect(lines).toHaveLength(1 + 3 * 105);
  });

  it('rejects bad arguments (exit 2) and bad files (exit 1) with a clear message', () => {
    expect(run('risk', '--positions', BOOK).stderr).toContain('--chain FILE is required');
    const grid = run('risk', '--positions', BOOK, '--chain', CHAIN, '--vol-grid', '5,x');
    expect(grid.status).toBe(2);
    expect(grid.stderr).toContain('--vol-grid: "x" is not a number');
    expect(run('risk', '--positions', BOOK, '--chain', CHAIN, '--vol-dynamics', 'local-vol').status).toBe(2);
    const missing = run('risk', '--positions', BOOK, '--chain', join(temp.dir, 'nope.csv'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.csv: no such file/);
    const header = join(temp.dir, 'header.csv');
    writeFileSync(header, 'name,size\nBTC-PERPETUAL,10\n');
    const noHeader = run('margin', '--positions', header, '--chain', CHAIN);
    expect(noHeader.status).toBe(1);
    expect(noHeader.stderr).toContain('header.csv: line 1: the header lacks the column "instrument"');
    const params = join(temp.dir, 'params.json');
    writeFileSync(params, JSON.stringify({ BTC: { priceRange: 2 } }));
    const badParams = run('margin', '--positions', BOOK, '--chain', CHAIN, '--params', params);
    expect(badParams.status).toBe(1);
    expect(badParams.stderr).toContain('priceRange must be a number in (0, 1), got 2');
  });
});

describe('gammadesk margin', () => {
  it("prints 27 + 8 vectors per instrument; a perpetual's vector is size × m/(1 + m) as in Deribit's responses", () => {
    const file = book('perp.csv', ['BTC-PERPETUAL,-20000,,USD', 'BTC-30JAN26-100000-C,-5,,BTC']);
    const { stdout, status } = run('margin', '--positions', file, '--chain', CHAIN);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { margins: { currency: string; index_usd: number; standard_moves: number[]; extended_moves: number[]; initial_risk_vectors: Record<string, { standard: number[]; extended: number[] }>; aggregated: { standard: number[] }; initial_margin: number; maintenance_margin: number; risk_matrix_margin: number; roll_shock: number; standard_margin: { initial_margin: number } }[] };
    const btc = report.margins[0]!;
    expect(btc.currency).toBe('BTC');
    const perp = btc.initial_risk_vectors['BTC-PERPETUAL']!;
    expect(perp.standard).toHaveLength(27);
    expect(perp.extended).toHaveLength(8);
    const size = -20_000 / btc.index_usd; // perpetual marked at the index
    btc.standard_moves.forEach((m, i) => expect(perp.standard[3 * i + 1]).toBeCloseTo((size * m) / (1 + m), 15));
    expect(btc.roll_shock).toBeCloseTo(0.01 * Math.abs(size), 15); // BTC min_annualised_move
    expect(btc.maintenance_margin).toBeCloseTo(0.8 * btc.risk_matrix_margin, 15);
    expect(btc.standard_margin.initial_margin).toBeGreaterThan(btc.initial_margin); // SM is the more expensive model here
  });

  it("reads Deribit's model_params with --params (the 2026 ETH capture's parameters)", () => {
    const cases = JSON.parse(readFileSync(resolve('../shared/reference/deribit_margin_cases.json'), 'utf8')) as { id: string; inputs: { model_params: unknown } }[];
    const params = join(temp.dir, 'model_params.json');
    writeFileSync(params, JSON.stringify(cases.find((c) => c.id === 'mainnet_capture_pme_simulate_eth_2026')!.inputs.model_params));
    const file = book('eth.csv', ['ETH-PERPETUAL,-3000,,USD']);
    const { stdout, status } = run('margin', '--positions', file, '--chain', CHAIN, '--params', params, '--format', 'text');
    expect(status).toBe(0);
    expect(stdout).toContain('ETH  index 3036.61');
    expect(stdout).toMatch(/-18\.0 %/); // price_range 0.18 of the capture
  });
});
