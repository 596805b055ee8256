/**
 * The Risk view's snapshot against the core it assembles (core/risk: scenario.ts, pm.ts, standardMargin.ts,
 * marginCall.ts, hedgeMargin.ts — each checked against Deribit's published cases and hand computations in
 * test/unit/core/risk): the snapshot must carry exactly their numbers for the same book and market, and say why
 * when it cannot compute. A synthetic market (index 60 000, forward 60 300, 60 % vol) and a book of short calls and
 * a long perpetual.
 */
import { describe, expect, it } from 'vitest';
import { checkPosition, type CheckedPosition } from '../../../src-main/core/book/position';
import type { BookMarket, BookQuote } from '../../../src-main/core/book/valuation';
import { proposalMargin } from '../../../src-main/core/risk/hedgeMargin';
import { distanceToMarginCall } from '../../../src-main/core/risk/marginCall';
import { pmBook } from '../../../src-main/core/risk/pm';
import { PM_PARAMS } from '../../../src-main/core/risk/pmParams';
import { riskPositions } from '../../../src-main/core/risk/riskPosition';
import { cellIndex, defaultTimes } from '../../../src-main/core/risk/scenario';
import { standardMargin } from '../../../src-main/core/risk/standardMargin';
import { DEFAULT_RISK_SETTINGS, hedgeProposalMargin, LIVE_MARGIN_CALL_SCAN, riskSnapshot } from '../../../src-main/engine/riskSnapshot';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const INDEX = 60_000;
const quotes: Record<string, BookQuote> = {
  'BTC-31DEC26-66000-C': { markPrice: 0.02, markIv: 0.6, forwardUsd: 60_300 },
  'BTC-31DEC26-70000-C': { markPrice: 0.01, markIv: 0.62, forwardUsd: 60_300 },
  'BTC-PERPETUAL': { markPrice: INDEX, markIv: null, forwardUsd: INDEX },
};
const market: BookMarket = { nowMs: NOW, indexUsd: (c) => (c === 'BTC' ? INDEX : null), quote: (name) => quotes[name] ?? null };

function checked(instrument: string, quantity: number, priceCurrency: 'BTC' | 'USD'): CheckedPosition {
  const result = checkPosition({ instrument, quantity, averagePrice: null, priceCurrency }, null);
  if (!result.ok) throw new Error(result.reason);
  return result.position;
}
const book = [checked('BTC-31DEC26-66000-C', -10, 'BTC'), checked('BTC-PERPETUAL', 120_000, 'USD'), checked('BTC-31DEC26-90000-C', 1, 'BTC')];
const settings = { ...DEFAULT_RISK_SETTINGS, equityCoin: 4 };

describe('riskSnapshot', () => {
  const snapshot = riskSnapshot({ currency: 'BTC', book, bookVersion: 3, market, marketSeq: 17, settings, proposal: { inputsHash: 'h', legs: [{ instrument: 'BTC-PERPETUAL', side: 'sell', amount: 60_000 }] } });
  const { positions } = riskPositions(book, market);

  it('carries the core numbers: matrix (centre exactly 0), PM and standard margin, usage, margin call, proposal margin', () => {
    const m = snapshot.matrix!;
    const spec = { spotMoves: settings.spotMoves, volShifts: settings.volShifts, times: defaultTimes(positions, NOW), volShiftMode: 'absolute' as const, volDynamics: 'sticky-strike' as const };
    expect(m.times).toEqual(spec.times);
    expect(m.pnlUsd[cellIndex(spec, 3, 2, 0)]).toBe(0);
    expect(m.pnlCoin[cellIndex(spec, 3, 2, 0)]).toBe(0);
    // Drill rows add up to the cells.
    for (let c = 0; c < m.pnlUsd.length; c++) expect(m.drillUsd.reduce((sum, row) => sum + row[c]!, 0)).toBeCloseTo(m.pnlUsd[c]!, 6);
    const pm = pmBook('BTC', positions, INDEX, NOW, PM_PARAMS.BTC).margin;
    expect(snapshot.margin!.initialMargin).toBe(pm.initialMargin);
    expect(snapshot.margin!.maintenanceMargin).toBe(pm.maintenanceMargin);
    expect(snapshot.margin!.worstCaseBucket).toEqual(pm.worstCaseBucket);
    expect(snapshot.standardMargin!.initialMargin).toBe(standardMargin('BTC', positions, INDEX, NOW).initialMargin);
    expect(snapshot.usage).toEqual({ initial: pm.initialMargin / 4, maintenance: pm.maintenanceMargin / 4 });
    const call = distanceToMarginCall('BTC', positions, INDEX, NOW, PM_PARAMS.BTC, 4, { ...LIVE_MARGIN_CALL_SCAN, volShift: 0.1 });
    expect(snapshot.marginCall[1]).toEqual({ volShift: 0.1, down: call.down, up: call.up });
    expect(snapshot.marginCallAtMs).toBe(NOW);
    const pmBookNow = pmBook('BTC', positions, INDEX, NOW, PM_PARAMS.BTC);
    expect(snapshot.proposal!.margin.initialMarginAfter).toBe(proposalMargin(pmBookNow, [{ instrument: 'BTC-PERPETUAL', side: 'sell', amount: 60_000 }], market).initialMarginAfter);
    expect(snapshot.proposal!.payoffAfter!.lines).toHaveLength(2);
    // An instrument without a quote is named, not guessed.
    expect(snapshot.skipped.map(({ instrument, reason }) => ({ instrument, reason }))).toEqual([{ instrument: 'BTC-31DEC26-90000-C', reason: 'no quote for this instrument in the market' }]);
    expect(snapshot.positionCount).toBe(3);
  });

  it('the hedge stream margin is the same computation', () => {
    const result = hedgeProposalMargin('BTC', book, market, 17, [{ instrument: 'BTC-PERPETUAL', side: 'sell', amount: 60_000 }]);
    expect(result.margin!.initialMarginAfter).toBe(snapshot.proposal!.margin.initialMarginAfter);
    expect(result.margin!.marketSeq).toBe(17);
    expect(hedgeProposalMargin('ETH', book, market, 17, []).reason).toBe('no ETH index price yet');
  });

  it('says why when it cannot compute: no index, no positions, no equity', () => {
    const eth = riskSnapshot({ currency: 'ETH', book, bookVersion: 3, market, marketSeq: 17, settings });
    expect(eth.matrix).toBeNull();
    expect(eth.matrixReason).toBe('no ETH index price yet');
    const empty = riskSnapshot({ currency: 'BTC', book: [], bookVersion: 1, market, marketSeq: 17, settings });
    expect(empty.matrixReason).toBe('no BTC positions in the book');
    expect(empty.margin).toBeNull();
    const noEquity = riskSnapshot({ currency: 'BTC', book, bookVersion: 3, market, marketSeq: 17, settings: DEFAULT_RISK_SETTINGS });
    expect(noEquity.usage).toBeNull();
    expect(noEquity.marginCall).toEqual([]);
    expect(noEquity.equityReason).toMatch(/enter your equity/);
    const zero = riskSnapshot({ currency: 'BTC', book, bookVersion: 3, market, marketSeq: 17, settings: { ...settings, equityCoin: 0 } });
    expect(zero.usage).toBeNull();
    expect(zero.equityReason).toBe('usage needs an equity above 0');
  });

  it('reuses a margin call handed in (the service decides when it is current)', () => {
    const reused = riskSnapshot({ currency: 'BTC', book, bookVersion: 3, market, marketSeq: 18, settings, marginCall: { atMs: NOW - 5000, distances: snapshot.marginCall } });
    expect(reused.marginCallAtMs).toBe(NOW - 5000);
    expect(reused.marginCall).toBe(snapshot.marginCall);
  });
});
