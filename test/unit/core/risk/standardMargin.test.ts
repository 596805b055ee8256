/**
 * Deribit standard margin (S:SM) against published numbers:
 *   - standard_margin_inverse_option_fixture_qc_fork and standard_margin_inverse_option_grid_derived in
 *     ../shared/reference/deribit_margin_cases.json (short inverse options, formula from Deribit's "Inverse
 *     Options" article);
 *   - futures: Deribit's worked examples in support "Linear Perpetual" (article 25944738177565), the same rates as
 *     the inverse futures of support "11 January 2022": 25 BTC → IM 2.125 % = 0.53125 BTC, MM 1.125 % = 0.28125 BTC;
 *     350 BTC → IM 3.75 % = 13.125 BTC.
 */
import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../pricing/sharedData';
import { futureMargin, shortOptionMargin, standardMargin, STANDARD_MARGIN_RATES } from '../../../../src-main/core/risk/standardMargin';
import { black76Price } from '../../../../src-main/core/pricing/black76';

const cases = readSharedJson<{ id: string }[]>('reference', 'deribit_margin_cases.json');
const find = <T>(id: string): T => cases.find((c) => c.id === id) as T;
const BTC = STANDARD_MARGIN_RATES.BTC;

describe('standard margin: short inverse options', () => {
  it('the QuantConnect-fork fixture (S 10 000, K 9 000, mark 0.025)', () => {
    const c = find<{ inputs: { index_usd: number; strike: number; mark_price_btc: number }; published_outputs: Record<string, number> }>('standard_margin_inverse_option_fixture_qc_fork');
    const { index_usd: s, strike, mark_price_btc: mark } = c.inputs;
    const call = shortOptionMargin(true, strike, s, mark, BTC);
    const put = shortOptionMargin(false, strike, s, mark, BTC);
    expect(call.initial * s).toBeCloseTo(c.published_outputs['short_call_IM_usd']!, 9);
    expect(put.initial * s).toBeCloseTo(c.published_outputs['short_put_IM_usd']!, 9);
    expect(call.maintenance * s).toBeCloseTo(c.published_outputs['short_call_MM_usd']!, 9);
    expect(put.maintenance * s).toBeCloseTo(c.published_outputs['short_put_MM_usd']!, 9);
  });

  it('the derived grid, every row', () => {
    const c = find<{ derived_outputs: { index: number; strike: number; type: 'C' | 'P'; mark_btc: number; IM_btc_per_contract: number; MM_btc_per_contract: number }[] }>('standard_margin_inverse_option_grid_derived');
    for (const row of c.derived_outputs) {
      const m = shortOptionMargin(row.type === 'C', row.strike, row.index, row.mark_btc, BTC);
      expect(m.initial).toBeCloseTo(row.IM_btc_per_contract, 12);
      expect(m.maintenance).toBeCloseTo(row.MM_btc_per_contract, 12);
    }
  });
});

describe('standard margin: futures', () => {
  it("Deribit's worked examples (25 and 350 BTC)", () => {
    expect(futureMargin(25, BTC).initial).toBeCloseTo(0.53125, 12);
    expect(futureMargin(-25, BTC).maintenance).toBeCloseTo(0.28125, 12);
    expect(futureMargin(350, BTC).initial).toBeCloseTo(13.125, 12);
    expect(futureMargin(0, BTC)).toEqual({ initial: 0, maintenance: 0 });
  });

  it('a book: futures netted per instrument, long options free, short options by the formula at the Black-76 mark', () => {
    const now = Date.parse('2026-12-01T08:00:00Z');
    const expiry = now + 30 * 86_400_000;
    const book = standardMargin('BTC', [
      { instrument: 'BTC-PERPETUAL', currency: 'BTC', kind: 'perpetual', sizeCoin: 10, expiryMs: null, strike: NaN, isCall: false, forwardUsd: 60_000, vol: 0 },
      { instrument: 'BTC-PERPETUAL', currency: 'BTC', kind: 'perpetual', sizeCoin: 15, expiryMs: null, strike: NaN, isCall: false, forwardUsd: 60_000, vol: 0 },
      { instrument: 'BTC-31DEC26-70000-C', currency: 'BTC', kind: 'option', sizeCoin: 2, expiryMs: expiry, strike: 70_000, isCall: true, forwardUsd: 60_300, vol: 0.6 },
      { instrument: 'BTC-31DEC26-66000-C', currency: 'BTC', kind: 'option', sizeCoin: -3, expiryMs: expiry, strike: 66_000, isCall: true, forwardUsd: 60_300, vol: 0.6 },
    ], 60_000, now);
    const mark = black76Price(60_300, 66_000, 30 / 365, 0.6, true) / 60_300;
    expect(book.initialMargin).toBeCloseTo(0.53125 + 3 * (Math.max(0.15 - 6000 / 60_000, 0.1) + mark), 12);
    expect(book.maintenanceMargin).toBeCloseTo(0.28125 + 3 * (0.075 + mark), 12);
    expect(book.positions.find((p) => p.instrument === 'BTC-31DEC26-70000-C')).toMatchObject({ initialMargin: 0, maintenanceMargin: 0 });
  });
});
