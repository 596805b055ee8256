/**
 * "IM after ≤ X" as a linear limit: the per-unit coefficients are the central difference of the replica's IM
 * (core/risk/pm.ts, itself checked against Deribit's published pme/simulate responses in pm.test.ts), so the
 * numbers here are identities of the replica, not published figures: the linearization equals the exact IM where
 * the worst vector does not change (a perpetual on a perpetual book: IM is |size| × the edge move, linear), and
 * misses across a kink (a trade that flips the book's delta), which the exact check reports.
 */
import { describe, expect, it } from 'vitest';
import type { BookMarket, BookQuote } from '../../../../src-main/core/book/valuation';
import { checkInitialMarginAfter, initialMarginCoefficients, initialMarginLimit } from '../../../../src-main/core/risk/imLimit';
import { pmBook } from '../../../../src-main/core/risk/pm';
import { PM_PARAMS } from '../../../../src-main/core/risk/pmParams';
import type { RiskPosition } from '../../../../src-main/core/risk/riskPosition';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const INDEX = 60_000;
const quotes: Record<string, BookQuote> = { 'BTC-PERPETUAL': { markPrice: INDEX, markIv: null, forwardUsd: null } };
const market: BookMarket = { nowMs: NOW, indexUsd: () => INDEX, quote: (name) => quotes[name] ?? null };
const perp = (sizeCoin: number): RiskPosition => ({ instrument: 'BTC-PERPETUAL', currency: 'BTC', kind: 'perpetual', sizeCoin, expiryMs: null, strike: NaN, isCall: false, forwardUsd: INDEX, vol: 0 });
const PERP = { instrument: 'BTC-PERPETUAL', kind: 'perpetual' as const, lot: 10 };

describe('IM limit for the selection', () => {
  it('is exact while the worst vector stays the same (long perpetual, selling part of it)', () => {
    const book = pmBook('BTC', [perp(2)], INDEX, NOW, PM_PARAMS.BTC);
    const c = initialMarginCoefficients(book, [PERP], market).get('BTC-PERPETUAL')!;
    // By hand (the perpetual alone, worst case at the −range edge, plus the roll shock's minimum move): one more USD
    // of a long perpetual adds (r/(1 − r) + min_annualised_move) / index coin of IM. Per unit bought (+), so > 0.
    const { priceRange: r, minAnnualisedMove } = PM_PARAMS.BTC;
    // IM is rounded to 9 dp, over a 2 × 6 000 USD difference: agreement to 1e-9 / 12 000 ≈ 1e-13.
    expect(Math.abs(c - (r / (1 - r) + minAnnualisedMove) / INDEX)).toBeLessThan(1e-13);
    const legs = [{ instrument: 'BTC-PERPETUAL', side: 'sell' as const, amount: 30_000 }];
    const limit = initialMarginLimit(book, [PERP], market, book.margin.initialMargin);
    const check = checkInitialMarginAfter(book, legs, market, limit, book.margin.initialMargin);
    expect(check.linearized).toBeCloseTo(check.margin.initialMarginAfter, 9);
    expect(check.within).toBe(true);
    expect(check.reason).toBeNull();
    expect(limit.upper).toBe(0);
  });

  it('misses across a kink (the trade flips the delta) and the exact check says so', () => {
    const book = pmBook('BTC', [perp(2)], INDEX, NOW, PM_PARAMS.BTC);
    const limit = initialMarginLimit(book, [PERP], market, book.margin.initialMargin * 0.5);
    // Selling 4 coins of notional turns +2 into −2: the linearization says IM falls far below 0; exactly it is back where it was.
    const legs = [{ instrument: 'BTC-PERPETUAL', side: 'sell' as const, amount: 4 * INDEX }];
    const check = checkInitialMarginAfter(book, legs, market, limit, book.margin.initialMargin * 0.5);
    expect(check.linearized).toBeLessThan(0);
    expect(check.margin.initialMarginAfter).toBeGreaterThan(book.margin.initialMargin * 0.5);
    expect(check.within).toBe(false);
    expect(check.reason).toMatch(/linearization predicted/);
  });

  it('refuses a bad limit and leaves out instruments the market cannot revalue', () => {
    const book = pmBook('BTC', [perp(1)], INDEX, NOW, PM_PARAMS.BTC);
    expect(() => initialMarginLimit(book, [PERP], market, Number.NaN)).toThrow(/IM limit must be a number of coins/);
    const limit = initialMarginLimit(book, [PERP, { instrument: 'BTC-31DEC26-70000-C', kind: 'option', lot: 0.1 }], market, 1);
    expect(limit.coefficient('BTC-31DEC26-70000-C')).toBe(0);
    expect(limit.coefficient('BTC-PERPETUAL')).not.toBe(0);
  });
});
