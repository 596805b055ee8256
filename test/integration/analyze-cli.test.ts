import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

// `gammadesk analyze` on a Tardis options_chain file. Golden numbers: the documented Tardis sample row
// (../shared/data/tardis_docs_options_chain_sample_row.csv, docs.tardis.dev) carries Deribit's own greeks for
// BTC-9JUN20-9875-P: delta -0.61752, gamma 0.00103, vega 2.24964, theta -53.05655, rho -0.22796, mark IV 62.89 %.
const temp = makeTempDir('gammadesk-analyze-');
afterAll(() => temp.remove());
const SAMPLE = resolve('../shared/data/tardis_docs_options_chain_sample_row.csv');
const [HEADER, ROW] = readFileSync(SAMPLE, 'utf8').trim().split('\n') as [string, string];

function analyze(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  // A full chain's report is over 1 MiB (spawnSync's default buffer) with the exposure heatmap in it.
  const result = spawnSync(process.execPath, [builtCli(), 'analyze', ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('gammadesk analyze', () => {
  it("reproduces Deribit's greeks and mark IV for the documented sample row", () => {
    const { stdout, status } = analyze(SAMPLE);
    expect(status).toBe(0);
    const report = JSON.parse(stdout) as { as_of: string; instruments: Record<string, number | string>[] };
    expect(report.as_of).toBe('2020-06-07T23:59:59.413Z'); // the row's timestamp: the last time in the file
    const [put] = report.instruments;
    expect(put).toMatchObject({ symbol: 'BTC-9JUN20-9875-P', currency: 'BTC', type: 'put', strike: 9875, forward: 9756.36, status: 'ok' });
    expect(put!['delta']).toBeCloseTo(-0.61752, 5);
    expect(put!['gamma']).toBeCloseTo(0.00103, 5);
    expect(put!['vega']).toBeCloseTo(2.24964, 4);
    expect(Math.abs((put!['theta'] as number) + 53.05655)).toBeLessThan(0.005);
    expect(put!['rho']).toBeCloseTo(-0.22796, 5);
    // mark_price 0.02210436 BTC is rounded to 8 decimals: the IV it implies is 62.89 % to within that rounding.
    expect(Math.abs((put!['iv_mark'] as number) - 0.6289)).toBeLessThan(0.0003);
    // coin P&L delta = delta − mark price in coin.
    expect(put!['coin_delta']).toBeCloseTo((put!['delta'] as number) - (put!['price_usd'] as number) / 9756.36, 12);
    expect(put!['iv_bid']).toBeLessThan(put!['iv_mark'] as number);
    expect(put!['iv_ask']).toBeGreaterThan(put!['iv_mark'] as number);
  });

  it('keeps the latest row per symbol at or before --at, reports bad rows by line, reads .gz, writes CSV', () => {
    const later = ROW.replace('1591574399413000', '1591574999413000').replace('0.02210436', '0.02300000').replace('1591574400196008', '1591575000196008');
    const expired = ROW.replace('BTC-9JUN20-9875-P', 'BTC-7JUN20-9875-P').replace('1591689600000000', '1591516800000000');
    const lines = [HEADER, ROW, 'deribit,BTC-9JUN20-9875-P,not-a-time', later, ROW.replace(',62.89,', ',x,'), expired];
    const file = join(temp.dir, 'chain.csv.gz');
    writeFileSync(file, gzipSync(lines.join('\n') + '\n'));

    const latest = analyze(file);
    expect(latest.status).toBe(0);
    expect(latest.stderr).toContain(':3: skipped: expected 24 fields, got 3');
    expect(latest.stderr).toContain(':5: skipped: column mark_iv: "x" is not a number');
    const report = JSON.parse(latest.stdout) as { bad_rows: number; rows_read: number; instruments: { symbol: string; status: string; quote_age_ms: number }[] };
    expect(report.bad_rows).toBe(2);
    expect(report.rows_read).toBe(3);
    expect(report.instruments.map((i) => i.symbol)).toEqual(['BTC-7JUN20-9875-P', 'BTC-9JUN20-9875-P']);
    expect(report.instruments[0]!.status).toBe('expired');

    // At the first row's time, the later quote is not yet known.
    const early = JSON.parse(analyze(file, '--at', '2020-06-07T23:59:59.413Z').stdout) as { instruments: { symbol: string; iv_mark: number }[] };
    const late = JSON.parse(analyze(file).stdout) as { instruments: { symbol: string; iv_mark: number }[] };
    const ivOf = (r: typeof early): number => r.instruments.find((i) => i.symbol === 'BTC-9JUN20-9875-P')!.iv_mark;
    expect(ivOf(late)).toBeGreaterThan(ivOf(early));

    const csv = analyze(file, '--format', 'csv').stdout.trim().split('\n');
    expect(csv[0]).toBe(
      'symbol,currency,expiry,strike,type,forward,years,iv_mark,iv_bid,iv_ask,price_usd,delta,gamma,vega,theta,rho,vanna,volga,charm,coin_delta,status,deribit_mark_iv,quote_age_ms',
    );
    expect(csv).toHaveLength(3);
  });

  it('refuses wrong arguments and files with clear errors', () => {
    expect(analyze().status).toBe(2);
    expect(analyze(SAMPLE, '--format', 'xml').status).toBe(2);
    expect(analyze(SAMPLE, '--at', 'noon').status).toBe(2);
    const missing = analyze(join(temp.dir, 'missing.csv'));
    expect(missing.status).toBe(1);
    const notChain = join(temp.dir, 'trades.csv');
    writeFileSync(notChain, 'exchange,symbol,timestamp,local_timestamp,id,side,price,amount\n');
    const wrong = analyze(notChain);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain('not an options_chain header');
    expect(analyze(SAMPLE, '--at', '2019-01-01T00:00:00Z').stderr).toContain('no rows at or before 2019-01-01T00:00:00.000Z');
    expect(execFileSync(process.execPath, [builtCli(), 'analyze', '--help'], { encoding: 'utf8' })).toContain('--format json|csv');
  });
});

describe('gammadesk analyze: the same row checks as import (issue "Hardening")', () => {
  const cells = HEADER.split(',');
  const withField = (row: string, column: string, value: string): string => {
    const c = row.split(',');
    c[cells.indexOf(column)] = value;
    return c.join(',');
  };

  it('a symbol that disagrees with its expiration, strike or type column is a bad row, not an "ok" quote', () => {
    // The symbol says 1JAN20; the expiration column says 1 Jan 2027: before, reported "ok" and counted in the GEX.
    const wrongExpiry = withField(ROW.replace('BTC-9JUN20-9875-P', 'BTC-1JAN20-9875-P'), 'expiration', '1798790400000000');
    const wrongStrike = withField(ROW.replace('BTC-9JUN20-9875-P', 'BTC-9JUN20-9000-P'), 'strike_price', '9875');
    const file = join(temp.dir, 'wrong_symbols.csv');
    writeFileSync(file, [HEADER, ROW, wrongExpiry, wrongStrike].join('\n') + '\n');
    const { stdout, status, stderr } = analyze(file);
    expect(status, stderr).toBe(0);
    const report = JSON.parse(stdout) as { bad_rows: number; bad_row_samples: { line: number; reason: string }[]; instruments: { symbol: string }[] };
    expect(report.bad_row_samples).toEqual([
      { line: 3, reason: 'expiration 2027-01-01T08:00:00.000Z disagrees with the symbol (2020-01-01T08:00:00.000Z)' },
      { line: 4, reason: 'strike_price 9875 disagrees with the symbol (9000)' },
    ]);
    expect(report.instruments.map((i) => i.symbol)).toEqual(['BTC-9JUN20-9875-P']);
  });

  it('a mark IV of 0 or a negative open interest is a bad row; a timestamp beyond a Date is a bad row, not a failed file', () => {
    const lines = [
      HEADER,
      ROW,
      withField(ROW.replace('BTC-9JUN20-9875-P', 'BTC-9JUN20-9000-P'), 'strike_price', '9000').replace(',62.89,', ',0,'),
      withField(ROW, 'open_interest', '-5'),
      withField(ROW, 'timestamp', '9000000000000000000'), // > 8.64e18 µs: before, "Invalid time value" for the whole file
    ];
    const file = join(temp.dir, 'bad_values.csv');
    writeFileSync(file, lines.join('\n') + '\n');
    const { stdout, status, stderr } = analyze(file);
    expect(status, stderr).toBe(0);
    const report = JSON.parse(stdout) as { bad_row_samples: { line: number; reason: string }[]; instruments: { symbol: string; status: string }[] };
    expect(report.bad_row_samples).toEqual([
      { line: 3, reason: 'BTC-9JUN20-9000-P: mark IV 0 is not > 0' },
      { line: 4, reason: 'BTC-9JUN20-9875-P: open interest -5 is not >= 0' },
      { line: 5, reason: 'column timestamp: "9000000000000000000" is not a microsecond timestamp' },
    ]);
    expect(report.instruments.map((i) => [i.symbol, i.status])).toEqual([['BTC-9JUN20-9875-P', 'ok']]);
  });
});

describe('gammadesk analyze: dealer gamma exposure (gex)', () => {
  // A real full Deribit chain (../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv, 1288 options,
  // 2026-01-02 09:18 UTC) rewritten in Tardis's options_chain layout: mark IV decimal → percent, forward =
  // futures_price, µs timestamps.
  const snapshot = resolve('../shared/data/znmahbub_deribit_options_snapshot_20260102T091809Z.csv');
  const file = join(temp.dir, 'snapshot_options_chain.csv');
  const lines = readFileSync(snapshot, 'utf8').trim().split('\n');
  const head = lines[0]!.split(',');
  const col = (name: string): number => head.indexOf(name);
  const micros = (iso: string): string => `${Date.parse(iso)}000`;
  const rows = lines.slice(1).map((line) => {
    const c = line.split(',');
    const t = micros(c[col('timestamp')]!);
    return [
      'deribit', c[col('instrument_name')], t, t, c[col('option_type')], Number(c[col('strike')]), micros(c[col('expiry_datetime')]!), c[col('open_interest')], '',
      c[col('bid_price')], '1', '', c[col('ask_price')], '1', '', c[col('mark_price')], Number(c[col('implied_volatility')]) * 100,
      c[col('underlying_name')], c[col('futures_price')], c[col('delta')], '', c[col('vega')], '', '',
    ].join(',');
  });
  writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');

  // The live stream's exposure summary renamed to snake_case (engine/exposureSummary.ts, cli/snakeCase.ts).
  interface Gex {
    spot_usd: number;
    dynamics: string;
    options: number;
    totals: { gex_usd_per_1pct: number; abs_gex_usd_per_1pct: number };
    levels: { flip_usd: number | null; flips_usd: number[]; flip_without_front_usd: number | null; call_wall_usd: number | null; put_wall_usd: number | null; abs_gamma_strike_usd: number | null };
    by_strike: { strike_usd: number; call_usd_per_1pct: number; put_usd_per_1pct: number; net_usd_per_1pct: number }[];
    by_expiry: { label: string; net_usd_per_1pct: number }[];
    profile: { spot_usd: number[]; gex_usd_per_1pct: number[] };
  }

  it('gives plausible, self-consistent levels on a real full chain (naive convention)', () => {
    const report = JSON.parse(analyze(file).stdout) as { gex: Record<string, Gex> };
    const btc = report.gex['BTC']!;
    const eth = report.gex['ETH']!;
    for (const g of [btc, eth]) {
      const total = g.totals.gex_usd_per_1pct;
      const gross = g.totals.abs_gex_usd_per_1pct;
      // Totals equal the sums by strike and by expiry.
      const byStrike = g.by_strike.reduce((s, r) => s + r.net_usd_per_1pct, 0);
      const byExpiry = g.by_expiry.reduce((s, r) => s + r.net_usd_per_1pct, 0);
      expect(Math.abs(byStrike - total)).toBeLessThan(1e-6 * gross);
      expect(Math.abs(byExpiry - total)).toBeLessThan(1e-6 * gross);
      // Walls are listed strikes; the call wall carries the largest call GEX.
      const strikes = g.by_strike.map((r) => r.strike_usd);
      for (const wall of [g.levels.call_wall_usd, g.levels.put_wall_usd, g.levels.abs_gamma_strike_usd]) expect(strikes).toContain(wall);
      expect(g.by_strike.find((r) => r.strike_usd === g.levels.call_wall_usd)!.call_usd_per_1pct).toBe(Math.max(...g.by_strike.map((r) => r.call_usd_per_1pct)));
      // The profile changes sign across every reported flip.
      const { spot_usd: spots, gex_usd_per_1pct: gex } = g.profile;
      for (const flip of g.levels.flips_usd) {
        const below = spots.findLastIndex((spot) => spot < flip);
        const above = spots.findIndex((spot) => spot > flip);
        expect(Math.sign(gex[below]!)).not.toBe(Math.sign(gex[above]!));
      }
    }
    // Levels found on this snapshot (index 89,009; nearest forward 89,029): flip ≈ 86,000 (−3.4 %), call wall 90,000,
    // put wall 85,000. Assert what can be justified: a flip within ±10 % of spot, walls within ±15 %.
    const flip = btc.levels.flip_usd;
    expect(flip).not.toBeNull();
    expect(Math.abs(flip! / btc.spot_usd - 1)).toBeLessThan(0.1);
    expect(Math.abs(btc.levels.call_wall_usd! / btc.spot_usd - 1)).toBeLessThan(0.15);
    expect(Math.abs(btc.levels.put_wall_usd! / btc.spot_usd - 1)).toBeLessThan(0.15);
    // The flip without the front expiry is reported too (a documented field kept under the DTO's name).
    expect(btc.levels.flip_without_front_usd).not.toBeNull();
    // Gross GEX of the order of open interest × spot × 1 %: 1288 options, ~ 400k BTC OI.
    expect(btc.totals.abs_gex_usd_per_1pct).toBeGreaterThan(1e7);
    expect(btc.totals.abs_gex_usd_per_1pct).toBeLessThan(1e10);
    // Every BTC row of the file is in the chain: 622 BTC rows (../shared/data/README.md).
    expect(btc.options).toBe(622);
  });

  it('sticky moneyness re-prices the profile differently away from spot, identically at spot', () => {
    const strike = (JSON.parse(analyze(file).stdout) as { gex: Record<string, Gex> }).gex['BTC']!;
    const moneyness = (JSON.parse(analyze(file, '--vol-dynamics', 'sticky-moneyness').stdout) as { gex: Record<string, Gex> }).gex['BTC']!;
    expect(moneyness.dynamics).toBe('stickyMoneyness');
    expect(moneyness.totals.gex_usd_per_1pct).toBeCloseTo(strike.totals.gex_usd_per_1pct, 6);
    const at = (g: Gex, k: number): number => g.profile.gex_usd_per_1pct[k]!;
    const mid = Math.floor(strike.profile.spot_usd.length / 2); // the grid's centre is the spot itself
    const gross = strike.totals.abs_gex_usd_per_1pct;
    expect(Math.abs(at(moneyness, mid) - at(strike, mid))).toBeLessThan(1e-9 * gross);
    expect(Math.abs(at(moneyness, 0) - at(strike, 0))).toBeGreaterThan(1e-4 * gross);
    expect(analyze(file, '--vol-dynamics', 'sticky-delta').status).toBe(2);
  });

  it('dealers short everything: all GEX negative, no flip; flow needs a session', () => {
    const report = JSON.parse(analyze(file, '--dealer', 'short').stdout) as { gex: Record<string, Gex> };
    for (const g of Object.values(report.gex)) {
      expect(g.totals.gex_usd_per_1pct).toBeLessThan(0);
      expect(g.by_strike.every((r) => r.net_usd_per_1pct <= 0)).toBe(true);
      expect(g.levels.flip_usd).toBeNull();
    }
    const flow = analyze(file, '--dealer', 'flow');
    expect(flow.status).toBe(2);
    expect(flow.stderr).toContain('--dealer flow needs the trades of a recorded session');
  });
});
