import { describe, expect, it } from 'vitest';
import { MAX_BACKTEST_PATH_POINTS } from '../../../src-main/api/contract/backtest';
import type { PolicyResult } from '../../../src-main/app/backtest/backtest';
import { bookCsv, policyDto, rebalanceLabel } from '../../../src-main/app/backtestService';
import { worstDrawdown } from '../../../src-main/core/backtest/metrics';
import { Rng } from '../../../src-main/core/random';
import { parseBookCsv } from '../../../src-main/core/book/csv';

describe('the app backtest’s inputs', () => {
  it('writes the rebalance interval as the CLI’s --rebalance would (the label is part of the hashed context)', () => {
    expect(rebalanceLabel(3600)).toBe('1h');
    expect(rebalanceLabel(7200)).toBe('2h');
    expect(rebalanceLabel(1800)).toBe('30m');
    expect(rebalanceLabel(60)).toBe('1m');
    expect(rebalanceLabel(90)).toBe('90s');
    expect(rebalanceLabel(5400)).toBe('90m');
  });

  it('hands the current book over as a positions CSV that reads back to the same positions', () => {
    const text = ['instrument,quantity,average_price,price_currency', 'BTC-25DEC26-100000-C,-2.5,0.031,BTC', 'BTC-25DEC26-80000-P,1,,', 'BTC-PERPETUAL,-1000,95000,USD'].join('\n');
    const book = parseBookCsv(text);
    expect(book.errors).toEqual([]);
    const again = parseBookCsv(bookCsv(book.positions));
    expect(again.errors).toEqual([]);
    expect(again.positions).toEqual(book.positions);
    // Line numbers as a file's: the header is line 1.
    expect(bookCsv(book.positions).split('\n')[3]).toBe('BTC-PERPETUAL,-1000,95000,USD');
  });
});

describe('the wire’s thinned P&L path (policyDto)', () => {
  /** A P&L path of `n` points: a seeded coin walk, its USD at a moving index, and single-point USD dips at `dips`. */
  function policyPath(n: number, dips: readonly number[]): PolicyResult {
    const rng = new Rng(21);
    let coin = 0;
    let index = 60_000;
    const path = Array.from({ length: n }, (_, i) => {
      coin += rng.nextNormal() * 1e-4;
      index *= Math.exp(rng.nextNormal() * 1e-3);
      // A USD-only spike: the index prints far off for one point (the coin P&L does not move).
      const usd = coin * index + (dips.includes(i) ? -500 - i / 1000 : 0);
      return { timeMs: i * 1000, pnlCoin: coin, pnlUsd: usd, hedgeUsd: 0, deltaCoin: 0 };
    });
    // Only the path matters to policyDto; the figures are passed through as they are.
    return { name: 'bs-delta', spec: {}, path, sha256: 'x' } as unknown as PolicyResult;
  }

  it('keeps every bucket’s USD extremes too: a USD-only dip survives the thinning when the chart shows USD', () => {
    const n = 100_000;
    // 20 dips 5000 points apart, each alone in its bucket (buckets are ~100–200 points at 2000 points).
    const dips = Array.from({ length: 20 }, (_, k) => 2_500 + k * 5_000);
    const full = policyPath(n, dips);
    const wire = policyDto(full, null);
    expect(wire.path.length).toBeLessThanOrEqual(MAX_BACKTEST_PATH_POINTS);
    const kept = new Set(wire.path.map((p) => p.timeMs / 1000));
    expect(dips.filter((i) => !kept.has(i))).toEqual([]);
    const usd = full.path.map((p) => p.pnlUsd);
    const coin = full.path.map((p) => p.pnlCoin);
    expect(Math.min(...wire.path.map((p) => p.pnlUsd))).toBe(Math.min(...usd));
    expect(Math.max(...wire.path.map((p) => p.pnlUsd))).toBe(Math.max(...usd));
    expect(Math.min(...wire.path.map((p) => p.pnlCoin))).toBe(Math.min(...coin));
    expect(Math.max(...wire.path.map((p) => p.pnlCoin))).toBe(Math.max(...coin));
    expect(worstDrawdown(wire.path.map((p) => p.pnlUsd))).toBe(worstDrawdown(usd));
    expect(worstDrawdown(wire.path.map((p) => p.pnlCoin))).toBe(worstDrawdown(coin));
  });
});
