import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RiskSnapshot } from '../../src-main/api/dto';
import type { GammaDeskApp, GammaDeskOptions } from '../../src-main/app/app';
import { makeTempDir } from '../helpers/tmp';
import { enterShortCallBook } from '../helpers/shortCallBook';
import { startSteppedApp, type SteppedApp } from '../helpers/steppedApp';
import { sharedPath } from '../unit/core/pricing/sharedData';

// The what-if book, historical scenarios and payoff dates in the app (issue 12, item 1; app/whatIfService.ts): the
// demo market on the stepped clock and a short-call book entered through the API. The what-if book is revalued
// by the risk stream's own function; scenario P&L adds over positions, so book + leg − book = the leg alone; the
// real book (rows, version, audit log) is never touched.
const temp = makeTempDir('gammadesk-whatif-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

/** A snapshot without its wall-clock field (the only one outside replay determinism). */
const timeless = (s: RiskSnapshot): Omit<RiskSnapshot, 'computeMs'> => {
  const { computeMs: _ignored, ...rest } = s;
  return rest;
};

/** A stepped app on the demo market with the short-call book entered; `app` is stopped after the test. */
async function startWithBook(name: string, riskHistory?: GammaDeskOptions['riskHistory']): Promise<{ stepped: SteppedApp; client: ReturnType<GammaDeskApp['hub']['client']>; call: { instrument: string } }> {
  const stepped = startSteppedApp({ dbPath: path.join(temp.dir, `${name}.db`), publishIntervalMs: 50, ...(riskHistory ? { riskHistory } : {}) });
  app = stepped.app;
  const call = await enterShortCallBook(stepped);
  return { stepped, client: app.hub.client(), call };
}

function realBook(a: GammaDeskApp): unknown {
  const count = (table: string): number => (a.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { version: a.book.version, rows: a.db.prepare('SELECT * FROM positions ORDER BY instrument').all(), audit: count('audit_log'), settings: a.db.prepare('SELECT * FROM settings ORDER BY key').all() };
}

describe('what-if book', () => {
  it('equals the live risk when unchanged; a leg adds its own scenario P&L; bad lines are refused by number; the real book is untouched', async () => {
    const { stepped, client, call } = await startWithBook('whatif');
    app = stepped.app;
    await client.call('risk.equity.set', { currency: 'BTC', equityCoin: 3 });
    const live = (await client.call('positions.list', {})).map((p) => ({ instrument: p.instrument, amount: p.amount, ...(p.averagePrice !== null ? { averagePrice: p.averagePrice } : {}) }));

    // The stream's snapshot and the command's live snapshot at the same market seq are the same numbers.
    let streamed: RiskSnapshot | null = null;
    const unsubscribe = client.subscribe('risk', { currency: 'BTC' }, (m) => (streamed = m.data));
    const current = await stepped.until(() => {
      const s = streamed as RiskSnapshot | null;
      return s && s.equityCoin === 3 && s.marketSeq === app!.engine.market.seq && s.marginCallAtMs === s.marketTimeMs ? s : null;
    });
    unsubscribe();
    const before = realBook(app);
    const same = await client.call('risk.whatIf', { currency: 'BTC', positions: live });
    expect(same.refused).toEqual([]);
    expect(same.marketSeq).toBe(current.marketSeq);
    // The stream adds the live book's replica-vs-Deribit comparison at publish time; the what-if has none.
    expect(timeless(same.live)).toEqual({ ...timeless(current), pmComparison: null, pmComparisonReason: null });
    // Unchanged: the what-if snapshot is the live one, number for number (margin call and payoff included).
    expect(timeless(same.whatIf)).toEqual(timeless(same.live));
    expect(same.whatIf.marginCall.length).toBe(2);

    // Add a leg: long 10 puts of the call's expiry, and an unknown and an expired instrument, and a repeated line.
    const put = app.engine.market.currencies.get('BTC')!.sortedExpiries()[3]!.options.find((o) => o.def.optionType === 'put' && o.ticker)!.def.name;
    const edited = [...live, { instrument: put, amount: 10 }, { instrument: 'BTC-NOPE', amount: 1 }, { instrument: 'BTC-1JAN21-30000-C', amount: 1 }, { instrument: put, amount: 3 }];
    const changed = await client.call('risk.whatIf', { currency: 'BTC', positions: edited });
    const n = live.length;
    expect(changed.refused.map((r) => r.line)).toEqual([n + 2, n + 3, n + 4]);
    expect(changed.refused[0]!.reason).toMatch(/BTC-NOPE/);
    expect(changed.refused[1]!.reason).toMatch(/not a listed instrument|expired/);
    expect(changed.refused[2]!.reason).toBe(`${put} is already on line ${n + 1}`);
    const alone = await client.call('risk.whatIf', { currency: 'BTC', positions: [{ instrument: put, amount: 10 }] });
    expect(alone.marketSeq).toBe(changed.marketSeq);
    const a = changed.live.matrix!;
    const b = changed.whatIf.matrix!;
    const leg = alone.whatIf.matrix!;
    expect(b.times).toEqual(a.times);
    expect(leg.times).toEqual(a.times);
    // Scenario P&L is additive: (book + leg) − book = the leg's standalone P&L, in every cell, USD and coin.
    for (let c = 0; c < a.pnlUsd.length; c++) {
      expect(b.pnlUsd[c]! - a.pnlUsd[c]!).toBeCloseTo(leg.pnlUsd[c]!, 6);
      expect(b.pnlCoin[c]! - a.pnlCoin[c]!).toBeCloseTo(leg.pnlCoin[c]!, 12);
    }
    expect(b.positions.map((p) => p.instrument)).toEqual([call.instrument, put]);
    expect(b.drillUsd[1]).toEqual(leg.drillUsd[0]);
    // The payoff too, at every date.
    const pa = changed.live.payoff!;
    const pb = changed.whatIf.payoff!;
    pb.lines.forEach((line, i) => line.pnlUsd.forEach((x, k) => expect(x - pa.lines[i]!.pnlUsd[k]!).toBeCloseTo(alone.whatIf.payoff!.lines[i]!.pnlUsd[k]!, 6)));
    // Margin is not additive (a maximum over vectors) but it moves: long puts against short calls change the worst case.
    expect(changed.whatIf.margin!.initialMargin).not.toBe(changed.live.margin!.initialMargin);
    expect(changed.whatIf.positionCount).toBe(2);

    // Deterministic: the same lines on the same market give the same snapshots.
    const again = await client.call('risk.whatIf', { currency: 'BTC', positions: edited });
    expect(timeless(again.whatIf)).toEqual(timeless(changed.whatIf));
    // An empty what-if book: every number that cannot be computed is null with its reason.
    const empty = await client.call('risk.whatIf', { currency: 'BTC', positions: [] });
    expect(empty.whatIf.matrix).toBeNull();
    expect(empty.whatIf.matrixReason).toBe('no BTC positions in the book');

    // Nothing of the real book changed: rows, version, audit log, settings.
    expect(realBook(app)).toEqual(before);
    expect(changed.bookVersion).toBe(app.book.version);
    await expect(client.call('risk.whatIf', { currency: 'BTC', positions: [{ instrument: put, amount: Number.NaN }] })).rejects.toThrow(/amount/);
  }, 120_000);

  it('payoff at chosen dates: stored per currency, shown in time order, bad days refused', async () => {
    const { stepped, client } = await startWithBook('payoff');
    // STEPPED_START_MS is 2026-11-21 11:59 UTC: the 23rd is after it, the 20th before.
    await expect(client.call('risk.payoffDates.set', { currency: 'BTC', dates: ['2026-02-30'] })).rejects.toThrow(/not a day YYYY-MM-DD/);
    await expect(client.call('risk.payoffDates.set', { currency: 'BTC', dates: ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26'] })).rejects.toThrow(/dates/);
    const saved = await client.call('risk.payoffDates.set', { currency: 'BTC', dates: ['2026-11-25', '2026-11-23', '2026-11-20'] });
    expect(saved.payoffDates).toEqual(['2026-11-20', '2026-11-23', '2026-11-25']);
    let latest: RiskSnapshot | null = null;
    const unsubscribe = client.subscribe('risk', { currency: 'BTC' }, (m) => (latest = m.data));
    const s = await stepped.until(() => ((latest as RiskSnapshot | null)?.payoff ? latest : null));
    unsubscribe();
    const lines = s!.payoff!.lines;
    expect(lines.map((l) => l.label)).toEqual(['today', '2026-11-23', '2026-11-25', 'next expiry']);
    expect(lines[1]!.atMs).toBe(Date.UTC(2026, 10, 23, 8));
    expect(s!.notes).toContain('payoff date 2026-11-20 (08:00 UTC) is not after the market time: left out');
    // Time decay of a short call: with the index unchanged, the book gains as the dates move on.
    const atIndex = (l: (typeof lines)[number]): number => l.pnlUsd[(l.pnlUsd.length - 1) / 2]!;
    expect(atIndex(lines[1]!)).toBeGreaterThan(atIndex(lines[0]!));
    expect(atIndex(lines[2]!)).toBeGreaterThan(atIndex(lines[1]!));
    // The grid settings keep the dates.
    await client.call('risk.settings.set', { currency: 'BTC', spotMoves: [-0.1, 0, 0.1], volShifts: [0], volShiftMode: 'absolute', volDynamics: 'sticky-strike' });
    expect((await client.call('risk.settings.get', { currency: 'BTC' })).payoffDates).toEqual(['2026-11-20', '2026-11-23', '2026-11-25']);
  }, 120_000);

  it('historical scenarios: the configured Deribit daily history applied to the live book, worst first; none configured says so', async () => {
    const { stepped, client } = await startWithBook('historical', {
      BTC: { prices: sharedPath('data', 'ttienomy_deribit_BTC-PERPETUAL_daily.csv'), dvol: sharedPath('data', 'joachimoliver_btc_dvol.csv') },
    });
    const before = realBook(stepped.app);
    const result = await client.call('risk.historical', { currency: 'BTC', count: 10 });
    expect(result.configured).toBe(true);
    expect(result.reason).toBeNull();
    expect(result.files).toEqual({ prices: 'ttienomy_deribit_BTC-PERPETUAL_daily.csv', dvol: 'joachimoliver_btc_dvol.csv' });
    // shared/data/README.md: 2727 daily rows 2018-08-14..2026-01-30; DVOL 1840 rows.
    expect(result.rows).toEqual({ prices: 2727, dvol: 1840 });
    expect(result.badRowCount).toBe(0);
    expect(result.scenarios).toHaveLength(10);
    // Worst first.
    for (let i = 1; i < result.scenarios.length; i++) expect(result.scenarios[i]!.pnlUsd).toBeGreaterThanOrEqual(result.scenarios[i - 1]!.pnlUsd);
    // 2020-03-12 (the perpetual's close 7389.5 → 5249.5, the Deribit daily file) is among them, before DVOL existed.
    const crash = result.scenarios.find((s) => s.date === '2020-03-12')!;
    expect(crash.spotMove).toBeCloseTo(5249.5 / 7389.5 - 1, 12);
    expect(crash.volShiftPoints).toBeNull();
    expect(crash.volReason).toBe('no DVOL history before 2021-03-24');
    // Short calls gain on a fall: that day is a gain, and the worst day is a rise.
    expect(crash.pnlUsd).toBeGreaterThan(0);
    expect(result.scenarios[0]!.spotMove).toBeGreaterThan(0);
    // The drill-down rows add up to the day's P&L.
    for (const s of result.scenarios) {
      expect(s.positions.reduce((sum, p) => sum + p.pnlUsd, 0)).toBeCloseTo(s.pnlUsd, 6);
      expect(s.positions.reduce((sum, p) => sum + p.pnlCoin, 0)).toBeCloseTo(s.pnlCoin, 12);
    }
    expect(result.scenarios.every((s) => s.whatIf === null)).toBe(true);

    // With a what-if book: the same days, its P&L beside the live book's; unchanged it is the live P&L, and a leg
    // adds its own P&L (additive). The market does not move between these calls (no step).
    const live = (await client.call('positions.list', {})).map((p) => ({ instrument: p.instrument, amount: p.amount }));
    const put = stepped.app.engine.market.currencies.get('BTC')!.sortedExpiries()[3]!.options.find((o) => o.def.optionType === 'put' && o.ticker)!.def.name;
    const same = await client.call('risk.historical', { currency: 'BTC', count: 10, positions: live });
    const both = await client.call('risk.historical', { currency: 'BTC', count: 10, positions: [...live, { instrument: put, amount: 10 }] });
    const alone = await client.call('risk.historical', { currency: 'BTC', count: 10, positions: [{ instrument: put, amount: 10 }] });
    expect(same.marketSeq).toBe(alone.marketSeq);
    for (const [i, day] of both.scenarios.entries()) {
      expect(same.scenarios[i]!.whatIf).toEqual({ pnlUsd: same.scenarios[i]!.pnlUsd, pnlCoin: same.scenarios[i]!.pnlCoin });
      const leg = alone.scenarios.find((d) => d.date === day.date)!.whatIf!;
      expect(day.whatIf!.pnlUsd - day.pnlUsd).toBeCloseTo(leg.pnlUsd, 6);
      expect(day.whatIf!.pnlCoin - day.pnlCoin).toBeCloseTo(leg.pnlCoin, 12);
    }
    const eth = await client.call('risk.historical', { currency: 'ETH' });
    expect(eth.configured).toBe(false);
    expect(eth.reason).toMatch(/GAMMADESK_ETH_HISTORY/);
    expect(realBook(stepped.app)).toEqual(before);
  }, 120_000);
});
