/**
 * The portfolio-margin replica against ../shared/reference/deribit_margin_cases.json:
 *   - deribit_docs_pme_simulate_btc_2024: Deribit's API reference example response of private/pme/simulate
 *     (BTC perpetual + dated future), reproduced vector by vector, and IM / MM to the last published digit;
 *   - mainnet_capture_pme_simulate_eth_2026: a real mainnet pme/simulate response (short ETH perpetual), the same;
 *   - vol_shock_factor_table_derived: the multiplicative vol-shock multipliers (oreome / Paradex / Derive form);
 *   - paradex_extended_weights_vs_price_range_over_move: extended-table fractions range/|m|;
 * and small books computed by hand (a short call, a straddle, futures) for every component.
 */
import { describe, expect, it } from 'vitest';
import { readSharedJson } from '../pricing/sharedData';
import { bsmPrice } from '../pricing/bsmReference';
import { PM_PARAMS, PmParamsError, pmParamsFromModelParams, pmParamsWith, standardMoves, type DeribitModelParams } from '../../../../src-main/core/risk/pmParams';
import { pmBook, pmMarginChange, pmShockedVols, positionVector } from '../../../../src-main/core/risk/pm';
import type { RiskPosition } from '../../../../src-main/core/risk/riskPosition';
import type { Currency } from '../../../../src-main/core/market/events';
import { settlementDeltaFactor } from '../../../../src-main/core/pricing/time';
import { initialMarginWithin, proposalMargin } from '../../../../src-main/core/risk/hedgeMargin';
import type { BookMarket, BookQuote } from '../../../../src-main/core/book/valuation';

interface SimulateCase {
  id: string;
  inputs: {
    positions_base_currency: Record<string, number>;
    index_price: Record<string, number>;
    ticker: Record<string, { mark_price: number }>;
    instrument_expiry_utc?: Record<string, string | null>;
    model_params: DeribitModelParams & { general: { timestamp: number } };
  };
  published_outputs: {
    initial_risk_vectors: Record<string, { standard: number[]; extended: number[] }>;
    pre_aggregated_risk_vectors?: Record<string, { standard: number[]; extended: number[] }>;
    aggregated_risk_vectors: Record<string, { standard: number[]; extended: number[] }>;
    margins: Record<string, {
      initial_margin: number;
      maintenance_margin: number;
      initial_margin_details: {
        risk_matrix_margin: number;
        mmp_margin: number;
        open_orders_margin: number;
        spot_margin: number;
        risk_matrix_margin_details: { delta_shock: number; roll_shock: number; worst_case: number; worst_case_bucket: { bucket: number; side: string; source: string; index: number } };
      };
    }>;
  };
}

const cases = readSharedJson<{ id: string }[]>('reference', 'deribit_margin_cases.json');
const caseById = <T>(id: string): T => cases.find((c) => c.id === id) as T;

function deltaOne(instrument: string, currency: Currency, sizeCoin: number, priceUsd: number, expiryMs: number | null): RiskPosition {
  return { instrument, currency, kind: expiryMs === null ? 'perpetual' : 'future', sizeCoin, expiryMs, strike: NaN, isCall: false, forwardUsd: priceUsd, vol: 0 };
}

function expectVector(actual: number[], expected: number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (let k = 0; k < expected.length; k++) expect(Math.abs(actual[k]! - expected[k]!)).toBeLessThanOrEqual(1e-17 + 1e-15 * Math.abs(expected[k]!));
}

describe.each([
  ['deribit_docs_pme_simulate_btc_2024', 'BTC', 'btc_btc'],
  ['mainnet_capture_pme_simulate_eth_2026', 'ETH', 'eth_eth'],
] as const)('pme/simulate %s', (id, currency, key) => {
  const c = caseById<SimulateCase>(id);
  const nowMs = c.inputs.model_params.general.timestamp;
  const params = pmParamsFromModelParams(c.inputs.model_params, currency);
  const index = c.inputs.index_price[`${currency.toLowerCase()}_usd`]!;
  const positions = Object.entries(c.inputs.positions_base_currency).map(([name, size]) => {
    const expiry = c.inputs.instrument_expiry_utc?.[name];
    return deltaOne(name, currency, size, c.inputs.ticker[name]!.mark_price, expiry ? Date.parse(expiry) : null);
  });
  const published = c.published_outputs;
  const margins = published.margins[currency.toLowerCase()]!;
  const details = margins.initial_margin_details;
  const book = pmBook(currency, positions, index, nowMs, params, { mmpMargin: details.mmp_margin, openOrdersMargin: details.open_orders_margin, spotMargin: details.spot_margin });

  it('reproduces every initial risk vector of every instrument', () => {
    positions.forEach((position, i) => {
      const vector = positionVector(book, i);
      const expected = published.initial_risk_vectors[position.instrument]!;
      expectVector(vector.standard, expected.standard);
      expectVector(vector.extended, expected.extended);
    });
  });

  it('reproduces the pre-aggregated and aggregated vectors (pnl_offset, dampener)', () => {
    if (published.pre_aggregated_risk_vectors) {
      expectVector(book.margin.preAggregatedStandard, published.pre_aggregated_risk_vectors[key]!.standard);
      expectVector(book.margin.preAggregatedExtended, published.pre_aggregated_risk_vectors[key]!.extended);
    }
    expectVector(book.margin.standard, published.aggregated_risk_vectors[key]!.standard);
    expectVector(book.margin.extended, published.aggregated_risk_vectors[key]!.extended);
  });

  it('reproduces worst case, its bucket, roll shock, delta shock, IM and MM to the last published digit', () => {
    const m = book.margin;
    const rm = details.risk_matrix_margin_details;
    expect(Math.abs(m.worstCase - rm.worst_case)).toBeLessThanOrEqual(2.3e-16 * rm.worst_case); // 1 ulp
    expect({ bucket: m.worstCaseBucket.bucket, side: m.worstCaseBucket.side, source: m.worstCaseBucket.source, index: m.worstCaseBucket.index }).toEqual(rm.worst_case_bucket);
    expect(m.deltaShock).toBe(rm.delta_shock);
    // roll shock published to 11 decimals, risk-matrix margin and MM to 12, IM to 9 (Deribit's own rounding).
    expect(m.rollShock.toFixed(11)).toBe(rm.roll_shock.toFixed(11));
    expect(m.riskMatrixMargin.toFixed(12)).toBe(details.risk_matrix_margin.toFixed(12));
    expect(m.maintenanceMargin.toFixed(12)).toBe(margins.maintenance_margin.toFixed(12));
    expect(m.initialMargin).toBe(margins.initial_margin);
  });

  it('takes its parameters from the default table (the table is this response\'s model_params)', () => {
    expect(params).toEqual(PM_PARAMS[currency]);
  });
});

describe('vol shocks (multiplicative, DTE-scaled)', () => {
  // vol_shock_factor_table_derived: multipliers of IV under (30/DTE)^power, 6 decimals.
  const table = caseById<{ derived_outputs: Record<string, number>[] }>('vol_shock_factor_table_derived').derived_outputs;
  it.each(table.map((row) => [row['dte_days']!, row] as const))('DTE %d days', (days, row) => {
    const vol = 0.8; // above the 0.5 floor after the shock, so the multiplier shows
    const years = days / 365;
    const [upBtc, same, downBtc] = pmShockedVols(vol, years, PM_PARAMS.BTC);
    const [upEth] = pmShockedVols(vol, years, PM_PARAMS.ETH);
    expect(same).toBe(vol);
    expect(upBtc / vol).toBeCloseTo(row['iv_mult_up(vr_up=0.5)']!, 6);
    expect(upEth / vol).toBeCloseTo(row['iv_mult_up(vr_up=0.4)']!, 6);
    expect(downBtc / vol).toBeCloseTo(row['iv_mult_down(vr_down=0.25)']!, 6);
  });

  it('floors the up-shocked vol at min_volatility_for_shock_up and a day to expiry at 1 day', () => {
    expect(pmShockedVols(0.2, 90 / 365, PM_PARAMS.BTC)[0]).toBe(0.5);
    expect(pmShockedVols(0.8, 0.1 / 365, PM_PARAMS.BTC)).toEqual(pmShockedVols(0.8, 1 / 365, PM_PARAMS.BTC));
  });
});

// Hand-computed books. Market: BTC index 60 000, one expiry 30 days out with forward 60 300 (so DTE = 30 exactly:
// shock multipliers 1.5 / 0.75), vols 0.6.
const NOW = Date.parse('2026-12-01T08:00:00Z');
const EXPIRY = NOW + 30 * 86_400_000;
const INDEX = 60_000;
const FORWARD = 60_300;

function option(strike: number, isCall: boolean, sizeCoin: number, vol = 0.6): RiskPosition {
  return { instrument: `BTC-31DEC26-${strike}-${isCall ? 'C' : 'P'}`, currency: 'BTC', kind: 'option', sizeCoin, expiryMs: EXPIRY, strike, isCall, forwardUsd: FORWARD, vol };
}

/** Coin value by the textbook pricer (Haug's generalized BSM with b = 0 on the forward). */
function coinValue(forward: number, strike: number, vol: number, isCall: boolean): number {
  return bsmPrice(forward, strike, 30 / 365, 0, 0, vol, isCall) / forward;
}

describe('hand-computed books', () => {
  const moves = standardMoves(PM_PARAMS.BTC);
  const range = 0.16;

  it('a single short call: every standard and extended entry, worst case and margins', () => {
    const call = option(66_000, true, -2);
    const book = pmBook('BTC', [call], INDEX, NOW, PM_PARAMS.BTC);
    const v = positionVector(book, 0);
    const base = coinValue(FORWARD, 66_000, 0.6, true);
    moves.forEach((m, i) => {
      const f = FORWARD * (1 + m);
      [0.9, 0.6, 0.45].forEach((vol, s) => expect(v.standard[3 * i + s]).toBeCloseTo(-2 * (coinValue(f, 66_000, vol, true) - base), 13));
    });
    PM_PARAMS.BTC.extendedMoves.forEach((m, j) => {
      const pnl = -2 * (coinValue(FORWARD * (1 + m), 66_000, 0.9, true) - base);
      expect(v.extended[j]).toBeCloseTo((pnl * (range / Math.abs(m)) * (1 + m)) / (1 + Math.sign(m) * range), 13);
    });
    // Worst: the +16 % move with vol up (index 24 + 0); a short call has no other loss as large.
    const worst = -v.standard[24]!;
    expect(book.margin.worstCaseBucket).toMatchObject({ source: 'standard', index: 24, bucket: 9, side: 'right', vol: 'up' });
    expect(book.margin.worstCase).toBeCloseTo(worst, 15);
    expect(book.margin.rollShock).toBe(0); // options carry no roll shock in this reading
    expect(book.margin.deltaShock).toBe(0);
    const rmm = Math.round(worst * 1e9) / 1e9;
    expect(book.margin.riskMatrixMargin).toBeCloseTo(rmm, 15);
    expect(book.margin.maintenanceMargin).toBeCloseTo(0.8 * rmm, 15);
    // Gains are dropped (pnl_offset 0 for BTC): the aggregated vector has no positive entry.
    expect(Math.max(...book.margin.standard)).toBe(0);
  });

  it('a short straddle: losses on both sides, the larger one is the worst case; the dampener shrinks the tails', () => {
    const straddle = [option(60_000, true, -100), option(60_000, false, -100)];
    const book = pmBook('BTC', straddle, INDEX, NOW, PM_PARAMS.BTC);
    const pnl = (m: number, vol: number): number =>
      -100 * (coinValue(FORWARD * (1 + m), 60_000, vol, true) - coinValue(FORWARD, 60_000, 0.6, true)) - 100 * (coinValue(FORWARD * (1 + m), 60_000, vol, false) - coinValue(FORWARD, 60_000, 0.6, false));
    const left = -pnl(-0.16, 0.9);
    const right = -pnl(0.16, 0.9);
    expect(left).toBeGreaterThan(0);
    expect(right).toBeGreaterThan(0);
    expect(book.margin.worstCase).toBeCloseTo(Math.max(left, right, -book.margin.extended.reduce((a, b) => Math.min(a, b), 0)), 12);
    // Extended −66 %: fraction 0.16/0.66 of the USD P&L at the coin price of the −16 % edge, moved towards 0 by
    // (0.66/0.16 − 1) × 100 000 USD at that price.
    const m = -0.66;
    const scaled = (pnl(m, 0.9) * (range / 0.66) * (1 + m)) / (1 - range);
    const damp = ((0.66 / range - 1) * 100_000) / (INDEX * (1 - range));
    expect(book.margin.preAggregatedExtended[0]).toBeCloseTo(scaled, 12);
    expect(book.margin.extended[0]).toBeCloseTo(Math.min(scaled + damp, 0), 12);
    expect(book.margin.extended[0]).toBeLessThan(0); // this book is big enough to pass the dampener
  });

  it('futures: roll shock at the floor for short expiries, e^{0.075 T} − 1 for a year, per instrument, and no netting across instruments', () => {
    const year = NOW + 365 * 86_400_000;
    const book = pmBook('BTC', [
      deltaOne('BTC-PERPETUAL', 'BTC', 3, INDEX, null),
      deltaOne('BTC-1DEC27', 'BTC', -2, 64_000, year),
      deltaOne('BTC-31DEC26', 'BTC', 1, 60_300, EXPIRY),
    ], INDEX, NOW, PM_PARAMS.BTC);
    expect(book.margin.rollShock).toBeCloseTo(3 * 0.01 + 2 * (Math.exp(0.075) - 1) + 1 * 0.01, 15);
    // Standard entries: Σ size × m/(1 + m) = 2 × m/(1 + m).
    moves.forEach((m, i) => expect(book.margin.preAggregatedStandard[3 * i]).toBeCloseTo((2 * m) / (1 + m), 15));
    expect(book.margin.worstCase).toBeCloseTo((-2 * -0.16) / 0.84, 15);
    expect(book.deltaCoin).toBe(2);
  });

  it('delta shock: 0 below the USD threshold, m_inc per coin above it (capped at max_delta_shock)', () => {
    const small = pmBook('BTC', [deltaOne('BTC-PERPETUAL', 'BTC', 300, INDEX, null)], INDEX, NOW, PM_PARAMS.BTC);
    expect(small.margin.deltaShock).toBe(0); // 300 BTC × 60 000 = 18 M < 20 M
    const big = pmBook('BTC', [deltaOne('BTC-PERPETUAL', 'BTC', 500, INDEX, null)], INDEX, NOW, PM_PARAMS.BTC);
    const excess = 500 - 20_000_000 / INDEX;
    expect(big.margin.deltaShock).toBeCloseTo(500 * 0.00005 * excess, 12);
    const huge = pmBook('BTC', [deltaOne('BTC-PERPETUAL', 'BTC', 5000, INDEX, null)], INDEX, NOW, PM_PARAMS.BTC);
    expect(huge.margin.deltaShock).toBeCloseTo(5000 * 0.1, 12);
  });

  it('ETH keeps 60 % of the gains (pnl_offset), capped at max_offsetable_pnl', () => {
    const book = pmBook('ETH', [deltaOne('ETH-PERPETUAL', 'ETH', 10, 3000, null)], 3000, NOW, PM_PARAMS.ETH);
    const last = book.margin.standard.length - 1;
    expect(book.margin.standard[last]).toBeCloseTo(0.6 * ((10 * 0.18) / 1.18), 15);
    const capped = pmBook('ETH', [deltaOne('ETH-PERPETUAL', 'ETH', 10, 3000, null)], 3000, NOW, pmParamsWith(PM_PARAMS.ETH, { maxOffsetablePnlUsd: 300 }));
    expect(capped.margin.standard[last]).toBeCloseTo(0.1, 15);
  });

  it('a candidate hedge from the stored vectors equals a full recomputation of the combined book', () => {
    const booked = [option(66_000, true, -5), option(54_000, false, -5), deltaOne('BTC-PERPETUAL', 'BTC', 1.2, INDEX, null)];
    const hedge = [option(70_000, true, 3), deltaOne('BTC-PERPETUAL', 'BTC', -2, INDEX, null), deltaOne('BTC-PERPETUAL', 'BTC', 0.5, INDEX, null)];
    const book = pmBook('BTC', booked, INDEX, NOW, PM_PARAMS.BTC);
    const change = pmMarginChange(book, hedge);
    const full = pmBook('BTC', [...booked, ...hedge], INDEX, NOW, PM_PARAMS.BTC).margin;
    expect(change.initialMarginAfter).toBeCloseTo(full.initialMargin, 12);
    expect(change.maintenanceMarginAfter).toBeCloseTo(full.maintenanceMargin, 12);
    expect(change.initialMarginBefore).toBe(book.margin.initialMargin);
    expect(change.initialMarginChange).toBeLessThan(0); // buying wings and selling delta back reduces the margin
  });

  it('refuses a position of another currency and a bad index', () => {
    expect(() => pmBook('BTC', [deltaOne('ETH-PERPETUAL', 'ETH', 1, 3000, null)], INDEX, NOW, PM_PARAMS.BTC)).toThrow(/ETH-PERPETUAL is a ETH position, not BTC/);
    expect(() => pmBook('BTC', [], NaN, NOW, PM_PARAMS.BTC)).toThrow(/BTC index must be a positive number, got NaN/);
    expect(() => pmBook('BTC', [option(60_000, true, 1, Number.NaN)], INDEX, NOW, PM_PARAMS.BTC)).toThrow(/an option needs a strike above 0, an expiry and a vol ≥ 0, got strike 60000, vol NaN/);
    expect(() => pmBook('BTC', [deltaOne('BTC-PERPETUAL', 'BTC', Number.POSITIVE_INFINITY, INDEX, null)], INDEX, NOW, PM_PARAMS.BTC)).toThrow(/must be finite/);
  });
});

describe('parameters', () => {
  it('Paradex extended weights are price_range/|m| (paradex_extended_weights_vs_price_range_over_move)', () => {
    const c = caseById<{ inputs_and_outputs: { moves: number[]; published_weights_pct: number[]; 'derived_0.16_over_abs_move': number[] } }>('paradex_extended_weights_vs_price_range_over_move');
    // For a move m a delta-one USD-margined P&L scales by the weight; our coin fraction at the edge price is
    // range/|m| × (1 + m)/(1 ± range): divide that back out.
    c.inputs_and_outputs.moves.forEach((m, j) => {
      const book = pmBook('BTC', [deltaOne('BTC-PERPETUAL', 'BTC', 1, INDEX, null)], INDEX, NOW, pmParamsWith(PM_PARAMS.BTC, { extendedDampenerUsd: 0, pnlOffset: 1, maxOffsetablePnlUsd: 1e12 }));
      const usdPnlAtMove = (m / (1 + m)) * INDEX * (1 + m);
      const usdExtended = book.margin.extended[j]! * INDEX * (1 + Math.sign(m) * 0.16);
      // Paradex publishes whole or 2-decimal percents (24 for 24.24, 48 for 48.48): within half a point of them, and to
      // 4 decimals of the case's range/|m| column.
      expect(Math.abs((100 * usdExtended) / usdPnlAtMove - c.inputs_and_outputs.published_weights_pct[j]!)).toBeLessThan(0.5);
      expect(usdExtended / usdPnlAtMove).toBeCloseTo(c.inputs_and_outputs['derived_0.16_over_abs_move'][j]!, 4);
    });
  });

  it('overrides are checked and name the parameter', () => {
    expect(pmParamsWith(PM_PARAMS.BTC, { priceRange: 0.14 }).priceRange).toBe(0.14);
    expect(() => pmParamsWith(PM_PARAMS.BTC, { priceRange: 1.5 })).toThrow(PmParamsError);
    expect(() => pmParamsWith(PM_PARAMS.BTC, { mmFactor: Number.NaN })).toThrow(/mmFactor must be a number > 0, got null/);
    expect(() => pmParamsWith(PM_PARAMS.BTC, { nonsense: 1 } as never)).toThrow(/unknown portfolio-margin parameter "nonsense"/);
    expect(() => pmParamsWith(PM_PARAMS.BTC, { extendedMoves: [0.5, 0] })).toThrow(/extendedMoves/);
  });
});

// The remaining cases of deribit_margin_cases.json that bear on the margin model. The two fee cases
// (deribit_fees_published_examples, deribit_api_get_instruments_commission_example) are trading fees, not margin:
// they belong to the execution code's fee model and are not tested here.
describe('other cases of deribit_margin_cases.json', () => {
  it('deribit_docs_legacy_get_portfolio_margins_2021: the 11-point delta-one vector of the legacy model (±15 %, 3 % steps)', () => {
    const c = caseById<{ inputs: { position_sizes_coin: Record<string, number> }; published_outputs: { pls: number[] } }>('deribit_docs_legacy_get_portfolio_margins_2021');
    const size = c.inputs.position_sizes_coin['BTC-PERPETUAL']!;
    const params = pmParamsWith(PM_PARAMS.BTC, { priceRange: 0.15, bucketsCount: 5 });
    const book = pmBook('BTC', [deltaOne('BTC-PERPETUAL', 'BTC', size, 43_372.6, null)], 43_372.6, NOW, params);
    const unchanged = positionVector(book, 0).standard.filter((_, k) => k % 3 === 1);
    // The case notes a max abs error of 2.7e-11 against the formula (Deribit rounded the size it printed).
    c.published_outputs.pls.forEach((pl, k) => expect(Math.abs(unchanged[k]! - pl)).toBeLessThan(5e-11));
  });

  it("deribit_support_delta_decay_example: the settlement window's delta decay (pricing/time.ts)", () => {
    const c = caseById<{ inputs: { bs_delta: number; mark_price_coin: number; minutes_into_settlement: number }; published_outputs: { decayed_delta: number; net_transaction_delta: number } }>('deribit_support_delta_decay_example');
    const expiry = NOW + (30 - c.inputs.minutes_into_settlement) * 60_000;
    const factor = settlementDeltaFactor(expiry, NOW);
    expect(c.inputs.bs_delta * factor).toBeCloseTo(c.published_outputs.decayed_delta, 15);
    expect((c.inputs.bs_delta - c.inputs.mark_price_coin) * factor).toBeCloseTo(c.published_outputs.net_transaction_delta, 15);
  });

  it('deribit_legacy_docs_iv_shock_examples: (30/DTE)^0.30 × 38 % is the shock form with volatility_range_up 0.38', () => {
    const legacy = pmParamsWith(PM_PARAMS.BTC, { volRangeUp: 0.38, minVolForShockUp: 0 });
    expect(pmShockedVols(1, 30 / 365, legacy)[0] - 1).toBeCloseTo(0.38, 12);
    expect(pmShockedVols(1, 15 / 365, legacy)[0] - 1).toBeCloseTo(0.4678349, 7);
    // The older sqrt form: 40 % × √(30/15) = 56.6 % (published), i.e. power 0.5.
    const sqrtForm = pmParamsWith(PM_PARAMS.BTC, { volRangeUp: 0.4, shortTermVegaPower: 0.5, minVolForShockUp: 0 });
    expect(pmShockedVols(1, 15 / 365, sqrtForm)[0] - 1).toBeCloseTo(0.566, 3);
  });

  it('derive_pm1_docs_example_third_party: the same multiplicative shock, 1 + 0.5 (30/14)^0.3 = 1.628', () => {
    const c = caseById<{ inputs: { long_call: { iv: number }; short_put: { iv: number }; dte_days: number }; published_outputs: { iv_shock_up_multiplier: number; shocked_iv_1800: number; shocked_iv_1700: number } }>('derive_pm1_docs_example_third_party');
    const params = pmParamsWith(PM_PARAMS.BTC, { volRangeUp: 0.5, minVolForShockUp: 0 });
    const years = c.inputs.dte_days / 365;
    expect(pmShockedVols(1, years, params)[0]).toBeCloseTo(c.published_outputs.iv_shock_up_multiplier, 3);
    // Derive prints the shocked vols with the multiplier rounded to 1.628: within 5e-4 of the unrounded ones.
    expect(Math.abs(pmShockedVols(c.inputs.long_call.iv, years, params)[0] - c.published_outputs.shocked_iv_1800)).toBeLessThan(5e-4);
    expect(Math.abs(pmShockedVols(c.inputs.short_put.iv, years, params)[0] - c.published_outputs.shocked_iv_1700)).toBeLessThan(5e-4);
  });
});

describe('margin effect of a hedge proposal', () => {
  it("equals the combined book's margin; legs without a quote are named", () => {
    const quotes: Record<string, BookQuote> = {
      'BTC-31DEC26-70000-C': { markPrice: 0.01, markIv: 0.6, forwardUsd: FORWARD },
      'BTC-PERPETUAL': { markPrice: INDEX, markIv: null, forwardUsd: null },
    };
    const market: BookMarket = { nowMs: NOW, indexUsd: () => INDEX, quote: (name) => quotes[name] ?? null };
    const booked = [option(66_000, true, -5), deltaOne('BTC-PERPETUAL', 'BTC', 1.2, INDEX, null)];
    const book = pmBook('BTC', booked, INDEX, NOW, PM_PARAMS.BTC);
    const legs = [
      { instrument: 'BTC-31DEC26-70000-C', side: 'buy' as const, amount: 3 },
      { instrument: 'BTC-PERPETUAL', side: 'sell' as const, amount: 60_000 },
      { instrument: 'BTC-31DEC26-75000-C', side: 'buy' as const, amount: 1 },
    ];
    const margin = proposalMargin(book, legs, market);
    const combined = pmBook('BTC', [...booked, { ...option(70_000, true, 3), instrument: 'BTC-31DEC26-70000-C', expiryMs: Date.parse('2026-12-31T08:00:00Z') }, deltaOne('BTC-PERPETUAL', 'BTC', -1, INDEX, null)], INDEX, NOW, PM_PARAMS.BTC).margin;
    expect(margin.initialMarginAfter).toBeCloseTo(combined.initialMargin, 12);
    expect(margin.maintenanceMarginAfter).toBeCloseTo(combined.maintenanceMargin, 12);
    expect(margin.legsNotRevalued).toEqual([{ instrument: 'BTC-31DEC26-75000-C', reason: 'no quote for this instrument in the market' }]);
    expect(initialMarginWithin(margin, margin.initialMarginAfter)).toBe(true);
    expect(initialMarginWithin(margin, margin.initialMarginAfter - 1e-9)).toBe(false);
  });
});
