import { describe, expect, it } from 'vitest';
import type { BacktestPolicyDto } from '../../../src-main/api/contract/backtest';
import { bestOf, chartPoints, coin, figureRows, policyLabel, shortHash, usdAmount } from '../../../src-renderer/lib/backtest';

const point = (timeMs: number, pnlCoin: number, pnlUsd = pnlCoin * 90_000) => ({ timeMs, pnlCoin, pnlUsd, hedgeUsd: 0 });

/** A policy's figures as the wire carries them; only what a test changes differs. */
function policy(name: string, change: Partial<BacktestPolicyDto> = {}): BacktestPolicyDto {
  const shortfall = { value: 0.001, level: 0.95, intervals: 4, tail: 1, reason: null };
  return {
    name, model: null, spec: {}, path: [], pathPoints: 0, rebalances: 5, orders: 3, fills: 4, unfilledUsd: 0, turnoverUsd: 12_345.5, turnoverCoin: 0.13,
    feesCoin: 0.0000651, feesUsd: 5.86, spreadCostCoin: 0.0000111, spreadCostUsd: 1, fundingCoin: null, fundingUsd: null, fundingReason: 'no funding rate recorded',
    optionPnlCoin: -0.01, hedgePnlCoin: 0.009, finalPnlCoin: -0.001, finalPnlUsd: -90, worstDrawdownCoin: 0.002, worstDrawdownUsd: 180,
    expectedShortfallCoin: shortfall, expectedShortfallUsd: shortfall, skippedRebalances: 0, lastSkipReason: null, blockedProposals: 0, lastBlockedReason: null, notes: [], sha256: 'ab'.repeat(32),
    ...change,
  };
}

describe('chartPoints', () => {
  it('gives whole seconds, strictly increasing, the last value within a second, in the unit asked for', () => {
    const path = [point(1_000, 0.1), point(1_400, 0.2), point(1_999, 0.3), point(2_000, -0.1), point(62_000, 0.05)];
    expect(chartPoints(path, 'coin')).toEqual([{ time: 1, value: 0.3 }, { time: 2, value: -0.1 }, { time: 62, value: 0.05 }]);
    expect(chartPoints(path, 'usd').map((p) => p.value)).toEqual([0.3 * 90_000, -0.1 * 90_000, 0.05 * 90_000]);
    // A non-finite value is a gap, not a point.
    expect(chartPoints([point(1_000, Number.NaN), point(3_000, 1)], 'coin')).toEqual([{ time: 3, value: 1 }]);
  });
});

describe('the side-by-side table', () => {
  it('labels every amount with its unit: the currency for coin figures, USD for the rest', () => {
    const rows = figureRows({ currency: 'ETH' });
    const units = Object.fromEntries(rows.map((r) => [`${r.label} ${r.unit}`.trim(), r.unit]));
    expect(units).toMatchObject({ 'final P&L ETH': 'ETH', 'final P&L USD': 'USD', 'turnover USD': 'USD', 'fees ETH': 'ETH', 'spread cost ETH': 'ETH', 'funding ETH': 'ETH', 'worst drawdown ETH': 'ETH', 'ES 95 % per interval ETH': 'ETH' });
    const p = policy('bs-delta');
    const cell = (label: string, unit: string): string => rows.find((r) => r.label === label && r.unit === unit)!.cell(p);
    expect(cell('fees', 'ETH')).toBe('0.0000651');
    expect(cell('turnover', 'USD')).toBe('12,345.50');
    // Funding that cannot be computed says so (its reason in the title).
    expect(cell('funding', 'ETH')).toBe('n/a');
    expect(rows.find((r) => r.label === 'funding')!.title!(p)).toBe('no funding rate recorded');
    expect(cell('orders / fills', '')).toBe('3 / 4');
  });

  it('marks the best policy of a row, none on a tie or alone', () => {
    const rows = figureRows({ currency: 'BTC' });
    const final = rows.find((r) => r.label === 'final P&L' && r.unit === 'BTC')!;
    const fees = rows.find((r) => r.label === 'fees')!;
    const a = policy('bs-delta', { finalPnlCoin: -0.002, feesCoin: 0.0001 });
    const b = policy('none', { finalPnlCoin: 0.001, feesCoin: 0 });
    expect(bestOf(final, [a, b])).toBe('none');
    expect(bestOf(fees, [a, b])).toBe('none');
    expect(bestOf(fees, [a, policy('ww', { feesCoin: 0.0001 })])).toBeNull();
    expect(bestOf(final, [a])).toBeNull();
    expect(bestOf(rows.find((r) => r.label === 'rebalances')!, [a, b])).toBeNull();
  });

  it('formats amounts, hashes and model columns', () => {
    expect(coin(0)).toBe('0');
    expect(coin(-0.0123456789)).toBe('-0.0123457');
    expect(coin(null)).toBe('–');
    expect(coin(1.5)).toBe('1.5');
    expect(coin(-2)).toBe('-2');
    expect(coin(-3.3e-7)).toBe('-0.00000033');
    expect(coin(1.234567891e-9)).toBe('0.00000000123457');
    expect(usdAmount(-1234.567)).toBe('-1,234.57');
    expect(shortHash('0123456789abcdef'.repeat(4))).toBe('0123456789ab');
    expect(policyLabel({ name: 'model:3', model: { id: 3, name: 'ntb B1', kind: 'ntb', passedGate: false } })).toBe('ntb B1 (model:3)');
    expect(policyLabel({ name: 'ww', model: null })).toBe('ww');
  });
});
