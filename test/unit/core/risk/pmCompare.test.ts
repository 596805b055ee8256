/**
 * Replica vs Deribit (core/risk/pmCompare.ts) on the two published private/pme/simulate responses of
 * ../shared/reference/deribit_margin_cases.json (deribit_docs_pme_simulate_btc_2024: Deribit's API reference
 * example; mainnet_capture_pme_simulate_eth_2026: a real mainnet capture), parsed by feeds/deribit/pmeParse.ts:
 * the same book gives zero differences to the published digits; a replica run with another price range gives
 * exactly the per-vector differences the delta-one identity P&L = size × m/(1 + m) predicts.
 */
import { describe, expect, it } from 'vitest';
import { pmeReferenceCases, type PmeReferenceCase } from '../../../mock-deribit/pmeReference';
import { parsePmeSimulate, pmeSimulateParams } from '../../../../src-main/feeds/deribit/pmeParse';
import { comparePm, pmDifference, pmExtrasOf, PmCompareError, type PmeSimulateResult } from '../../../../src-main/core/risk/pmCompare';
import { pmBook } from '../../../../src-main/core/risk/pm';
import { pmParamsFromModelParams, pmParamsWith, type DeribitModelParams } from '../../../../src-main/core/risk/pmParams';
import type { RiskPosition } from '../../../../src-main/core/risk/riskPosition';

const cases = pmeReferenceCases();

function bookOf(c: PmeReferenceCase): RiskPosition[] {
  const marks = c.result['ticker'] as Record<string, { mark_price: number }>;
  return Object.entries(c.positions).map(([instrument, sizeCoin]) => {
    const expiry = c.expiries[instrument];
    return { instrument, currency: c.currency, kind: expiry ? 'future' : 'perpetual', sizeCoin, expiryMs: expiry ? Date.parse(expiry) : null, strike: NaN, isCall: false, forwardUsd: marks[instrument]!.mark_price, vol: 0 };
  });
}

function parsed(c: PmeReferenceCase): PmeSimulateResult {
  const result = parsePmeSimulate(c.result, c.currency);
  if (!result.ok) throw result.error;
  return result.value;
}

describe.each(cases.map((c) => [c.id, c] as const))('%s', (_, c) => {
  const deribit = parsed(c);
  const params = pmParamsFromModelParams(deribit.modelParams!, c.currency);
  const replica = pmBook(c.currency, bookOf(c), deribit.indexUsd!, c.atMs, params, pmExtrasOf(deribit));
  const comparison = comparePm(replica, deribit);

  it('parses the response: 27 + 8 aggregated entries, margins, index, marks, live parameters', () => {
    expect(deribit.aggregated.standard).toHaveLength(27);
    expect(deribit.aggregated.extended).toHaveLength(8);
    expect(Object.keys(deribit.initial).sort()).toEqual(Object.keys(c.positions).sort());
    expect(deribit.modelParamsTimestampMs).toBe(c.atMs);
    expect(deribit.margins.initialMargin).toBeGreaterThan(0);
  });

  it('differs from Deribit by nothing, vector by vector, to the published digits', () => {
    for (const d of [...comparison.standard, ...comparison.extended]) {
      expect(Math.abs(d.diff)).toBeLessThanOrEqual(1e-17 + 1e-15 * Math.abs(d.deribit));
    }
    for (const row of comparison.instruments) {
      expect(row.reason).toBeNull();
      expect(row.maxAbsDiff!).toBeLessThanOrEqual(1e-16);
    }
  });

  it('gives IM exactly (9 dp), MM, risk-matrix margin and roll shock to their 12 / 11 published decimals', () => {
    expect(comparison.margins.initialMargin.diff).toBe(0);
    expect(Math.abs(comparison.margins.maintenanceMargin.diff)).toBeLessThan(5e-13);
    expect(Math.abs(comparison.margins.riskMatrixMargin.diff)).toBeLessThan(5e-13);
    expect(Math.abs(comparison.margins.rollShock.diff)).toBeLessThan(5e-12);
    expect(comparison.margins.deltaShock.diff).toBe(0);
    expect(comparison.worstCaseBucket.same).toBe(true);
    expect(Math.abs(comparison.largest.diff)).toBeLessThan(5e-12);
  });
});

describe('a mismatch', () => {
  // The ETH capture's book (−0.999487053 ETH perpetual, pnl_offset 0.6) run with price_range 0.16 instead of
  // Deribit's 0.18: every standard entry k moves from m = 0.045 (k/3 − 4) to m' = 0.04 (k/3 − 4).
  const c = cases.find((x) => x.currency === 'ETH')!;
  const deribit = parsed(c);
  const params = pmParamsWith(pmParamsFromModelParams(deribit.modelParams!, 'ETH'), { priceRange: 0.16 });
  const replica = pmBook('ETH', bookOf(c), deribit.indexUsd!, c.atMs, params, pmExtrasOf(deribit));
  const comparison = comparePm(replica, deribit);
  const size = c.positions['ETH-PERPETUAL']!;
  const aggregated = (m: number): number => {
    const pnl = (size * m) / (1 + m);
    return pnl > 0 ? pnl * 0.6 : pnl;
  };

  it('shows the per-vector differences the delta-one identity predicts', () => {
    comparison.standard.forEach((d, k) => {
      const point = Math.floor(k / 3) - 4;
      const expected = aggregated(0.04 * point) - aggregated(0.045 * point);
      expect(d.diff).toBeCloseTo(expected, 15);
      expect(d.deribit).toBe(deribit.aggregated.standard[k]);
      if (point === 0) expect(d.percent).toBe(0);
      else expect(d.percent!).toBeCloseTo((expected / Math.abs(d.deribit)) * 100, 10);
    });
  });

  it('names the largest difference (the +range entries: the worst case) and the IM / MM change', () => {
    // Worst case: Deribit −0.15246… at +18 %; replica size × 0.16/1.16 at +16 %.
    const replicaWorst = (size * 0.16) / 1.16;
    expect(comparison.margins.worstCase.diff).toBeCloseTo(-replicaWorst - deribit.margins.worstCase, 15);
    expect(comparison.worstCaseBucket.same).toBe(true); // the same bucket 9 (right), index 25
    expect(comparison.margins.initialMargin.diff).toBeCloseTo(Math.round(-replicaWorst * 1e9) / 1e9 - Math.round(deribit.margins.worstCase * 1e9) / 1e9, 12);
    expect(comparison.margins.maintenanceMargin.diff).toBeCloseTo(0.8 * comparison.margins.riskMatrixMargin.diff, 15);
    expect(Math.abs(comparison.largest.diff)).toBeCloseTo(Math.abs(aggregated(-0.16) - aggregated(-0.18)), 15);
    expect(comparison.largest.label).toMatch(/^standard\[[0-2]\]$/);
  });

  it('refuses vectors of different lengths, naming both', () => {
    const other = pmBook('ETH', bookOf(c), deribit.indexUsd!, c.atMs, pmParamsWith(params, { bucketsCount: 3 }), pmExtrasOf(deribit));
    expect(() => comparePm(other, deribit)).toThrow(PmCompareError);
    expect(() => comparePm(other, deribit)).toThrow(/Deribit sent 27 standard entries, the replica has 21/);
  });
});

describe('parsePmeSimulate', () => {
  const c = cases[0]!;
  it('names the path of a missing or wrong field', () => {
    const noMargins = { ...c.result, margins: {} };
    const r1 = parsePmeSimulate(noMargins, 'BTC');
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.error.path).toBe('result.margins.btc');
    const badEntry = structuredClone(c.result) as { aggregated_risk_vectors: { btc_btc: { standard: unknown[] } } };
    badEntry.aggregated_risk_vectors.btc_btc.standard[3] = 'x';
    const r2 = parsePmeSimulate(badEntry, 'BTC');
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.path).toBe('result.aggregated_risk_vectors.btc_btc.standard[3]');
    const r3 = parsePmeSimulate(c.result, 'ETH');
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.error.message).toMatch(/no aggregated vectors for ETH/);
  });

  it('builds the request for exactly the given book', () => {
    expect(pmeSimulateParams('BTC', { 'BTC-PERPETUAL': 0.5 })).toEqual({ currency: 'BTC', add_positions: false, simulated_positions: { 'BTC-PERPETUAL': 0.5 } });
    expect(pmeSimulateParams('ETH', null)).toEqual({ currency: 'ETH' });
  });

  it('percent is null only where Deribit has 0 and the replica does not', () => {
    expect(pmDifference(0, 0).percent).toBe(0);
    expect(pmDifference(1e-9, 0).percent).toBeNull();
    expect(pmDifference(1.1, -1).percent).toBeCloseTo(210, 12);
  });

  it('reads the live model_params the replica then uses', () => {
    const d = parsed(c);
    expect(pmParamsFromModelParams(d.modelParams as DeribitModelParams, 'BTC').priceRange).toBe(0.16);
  });
});
