import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HedgeSnapshot, RiskSnapshot } from '../../src-main/api/dto';
import type { GammaDeskApp } from '../../src-main/app/app';
import { cellIndex } from '../../src-main/core/risk/scenario';
import { makeTempDir } from '../helpers/tmp';
import { enterShortCallBook } from '../helpers/shortCallBook';
import { startSteppedApp } from '../helpers/steppedApp';

// The risk stream live: the demo market on the stepped clock, a short-call book entered through the API, the
// snapshot recomputed by the app's publish round (at most once per market second).
const temp = makeTempDir('gammadesk-risk-');
let app: GammaDeskApp | null = null;
afterEach(async () => {
  await app?.stop();
  app = null;
});

describe('risk stream', () => {
  it('publishes the matrix (centre exactly 0), PM margin, equity usage, distance to a margin call and the margin of the hedge proposal', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'risk.db'), publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    const call = await enterShortCallBook(stepped);
    const snapshots: RiskSnapshot[] = [];
    const unsubscribe = client.subscribe('risk', { currency: 'BTC' }, (m) => snapshots.push(m.data));
    const first = await stepped.until(() => snapshots.findLast((s) => s.matrix !== null && s.bookVersion === app!.book.version));
    const { spotMoves, volShifts } = first.settings;
    const matrix = first.matrix!;
    expect(matrix.pnlUsd).toHaveLength(spotMoves.length * volShifts.length * matrix.times.length);
    // The centre (no move, no vol shift, no time) is exactly 0 (issue 12, item 7).
    const centre = cellIndex({ spotMoves, volShifts, times: matrix.times, volShiftMode: 'absolute', volDynamics: 'sticky-strike' }, spotMoves.indexOf(0), volShifts.indexOf(0), 0);
    expect(matrix.pnlUsd[centre]).toBe(0);
    expect(matrix.pnlCoin[centre]).toBe(0);
    // A short call loses when spot rises and vol rises (now): the +30 % / +20 pt corner is below 0.
    expect(matrix.pnlUsd[cellIndex({ spotMoves, volShifts, times: matrix.times, volShiftMode: 'absolute', volDynamics: 'sticky-strike' }, spotMoves.length - 1, volShifts.length - 1, 0)]).toBeLessThan(0);
    // Drill-down rows add up to the cell.
    expect(matrix.positions.map((p) => p.instrument)).toEqual([call.instrument]);
    expect(matrix.drillUsd[0]).toEqual(matrix.pnlUsd);
    // PM margin of a short option book is positive, MM = mm_factor × risk-matrix margin, and it is the core's number.
    const margin = first.margin!;
    expect(margin.initialMargin).toBeGreaterThan(0);
    expect(margin.maintenanceMargin).toBeGreaterThan(0);
    expect(margin.maintenanceMargin).toBeLessThan(margin.initialMargin);
    // (That these are the core's numbers for the same book and market: test/unit/engine/riskSnapshot.test.ts.)
    expect(first.standardMargin!.initialMargin).toBeGreaterThan(0);
    // No equity yet: the snapshot says what to do, and no usage is guessed.
    expect(first.equityCoin).toBeNull();
    expect(first.equityReason).toMatch(/enter your equity/);
    expect(first.usage).toBeNull();
    expect(first.marginCall).toEqual([]);

    // Equity entered: usage = IM / equity; a margin call up (short calls lose on a rise), none needed down.
    await expect(client.call('risk.equity.set', { currency: 'BTC', equityCoin: -1 })).rejects.toThrow(/equityCoin/);
    await client.call('risk.equity.set', { currency: 'BTC', equityCoin: 2 });
    const withEquity = await stepped.until(() => snapshots.findLast((s) => s.equityCoin === 2 && s.margin !== null));
    expect(withEquity.usage!.initial).toBeCloseTo(withEquity.margin!.initialMargin / 2, 12);
    expect(withEquity.marginCall.map((d) => d.volShift)).toEqual([0, 0.1]);
    const [atVols, volUp] = withEquity.marginCall;
    expect(atVols!.up.move).toBeGreaterThan(0);
    // Vol up costs a short call: the call comes sooner.
    expect(volUp!.up.move!).toBeLessThanOrEqual(atVols!.up.move!);
    expect(withEquity.payoff!.lines.map((l) => l.label)).toEqual(['today', 'next expiry']);

    // Grid settings: a finer spot axis, term-scaled shifts; bad values are refused with the field named.
    await expect(client.call('risk.settings.set', { currency: 'BTC', spotMoves: [-1.5], volShifts: [0], volShiftMode: 'absolute', volDynamics: 'sticky-strike' })).rejects.toThrow(/spotMoves/);
    await client.call('risk.settings.set', { currency: 'BTC', spotMoves: [0.05, -0.05, 0], volShifts: [0, 0.1], volShiftMode: 'term-scaled', volDynamics: 'sticky-moneyness' });
    const regridded = await stepped.until(() => snapshots.findLast((s) => s.settings.volShiftMode === 'term-scaled' && s.matrix !== null));
    expect(regridded.settings.spotMoves).toEqual([-0.05, 0, 0.05]);
    expect(regridded.matrix!.pnlUsd).toHaveLength(3 * 2 * regridded.matrix!.times.length);
    expect((await client.call('risk.settings.get', { currency: 'BTC' })).equityCoin).toBe(2);

    // The advisor proposes a perpetual hedge: its margin before and after rides in the risk snapshot.
    await client.call('hedge.settings.set', {
      currency: 'BTC', enabled: true, delta: { target: 0, tolerance: 0.2, unit: 'coin' }, gamma: 'none', vega: 'none', policy: 'threshold',
      hedgeRatio: 1, riskAversion: 1e-4, maxBookShare: 0.5, proposalTtlMs: 60_000,
    });
    let hedge: HedgeSnapshot | null = null;
    const unsubscribeHedge = client.subscribe('hedge', { currency: 'BTC' }, (m) => (hedge = m.data));
    const hedged = await stepped.until(() => snapshots.findLast((s) => s.proposal !== null));
    // Each proposal carries its margin effect, computed on the market it was published on.
    const withMargin = await stepped.until(() => {
      const h = hedge as HedgeSnapshot | null;
      return h?.proposal?.status === 'trade' && h.margin ? h : null;
    });
    unsubscribeHedge();
    unsubscribe();
    const hm = withMargin.margin!;
    expect(hm.initialMarginBefore).toBeGreaterThan(0);
    expect(hm.initialMarginChange).toBeCloseTo(hm.initialMarginAfter - hm.initialMarginBefore, 12);
    expect(hm.marketSeq).toBeGreaterThanOrEqual(withMargin.marketSeq);
    // Buying the perpetual against short calls takes risk off: IM falls.
    expect(hm.initialMarginChange).toBeLessThan(0);
    const pm = hedged.proposal!.margin;
    expect(hedged.proposal!.legs[0]!.instrument).toBe('BTC-PERPETUAL');
    expect(pm.initialMarginBefore).toBe(hedged.margin!.initialMargin);
    expect(pm.initialMarginChange).toBeCloseTo(pm.initialMarginAfter - pm.initialMarginBefore, 12);
    expect(pm.legsNotRevalued).toEqual([]);
    expect(hedged.proposal!.payoffAfter!.lines).toHaveLength(2);
    // Market time paces the stream: no two snapshots of the same inputs within a market second.
    const times = snapshots.map((s) => s.marketTimeMs);
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!).toBe(true);
  }, 120_000);

  it('the selection policy takes "IM after ≤ X": the exact IM after the solve is in the rationale', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'risk-select.db'), publishIntervalMs: 50 });
    app = stepped.app;
    const client = app.hub.client();
    await enterShortCallBook(stepped);
    const settings = {
      currency: 'BTC' as const, enabled: true, delta: { target: 0, tolerance: 0.2, unit: 'coin' as const }, gamma: 'none' as const, vega: 'none' as const,
      policy: 'select' as const, hedgeRatio: 1, riskAversion: 1e-4, maxBookShare: 0.5, proposalTtlMs: 60_000,
    };
    await expect(client.call('hedge.settings.set', { ...settings, maxInitialMarginCoin: -1 })).rejects.toThrow(/maxInitialMarginCoin/);
    await client.call('hedge.settings.set', { ...settings, maxInitialMarginCoin: 1000 });
    expect((await client.call('hedge.settings.get', { currency: 'BTC' })).maxInitialMarginCoin).toBe(1000);
    let latest: HedgeSnapshot | null = null;
    const unsubscribe = client.subscribe('hedge', { currency: 'BTC' }, (m) => (latest = m.data));
    const selected = await stepped.until(() => {
      const s = latest as HedgeSnapshot | null;
      return s?.proposal && s.policy === 'select' ? s : null;
    });
    unsubscribe();
    const rationale = selected.proposal!.rationale.join('\n');
    expect(rationale).toMatch(/IM [\d.]+ → [\d.]+ BTC \(limit 1000, linearized [\d.-]+\): within the limit/);
  }, 120_000);
});
