/**
 * The Risk view's snapshot on the worker pool (named task `riskSnapshot`, workers/riskSnapshotTask.ts) equals the
 * in-process one field for field (all but `computeMs`, the only wall-clock field): the 500-position BTC book of
 * the risk benchmark with an equity (so the distance to a margin call is bisected on the thread) and a proposal,
 * and the synthetic short-call book of test/unit/engine/riskSnapshot.test.ts with sticky-moneyness smiles.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { GreeksPool } from '../../src-main/app/greeksPool';
import { checkPosition } from '../../src-main/core/book/position';
import type { BookMarket, BookQuote } from '../../src-main/core/book/valuation';
import { DEFAULT_RISK_SETTINGS, riskSnapshot, riskSnapshotFrom, riskTaskInput, type RiskInputs } from '../../src-main/engine/riskSnapshot';
import { smileKey } from '../../src-main/core/risk/scenario';
import { buildBenchBook } from '../../bench/risk';
import { TSX_WORKER } from '../helpers/worker';

const pool = new GreeksPool({ ...TSX_WORKER, maxThreads: 1 });
afterAll(async () => {
  await pool.close();
});

const NOW = Date.parse('2026-12-01T08:00:00Z');

function withoutTime<T extends { computeMs: number }>(snapshot: T): Omit<T, 'computeMs'> {
  const { computeMs: _, ...rest } = snapshot;
  return rest;
}

describe('riskSnapshot on the pool', () => {
  it('500 positions, equity and margin call, proposal: identical to in-process', async () => {
    const positions = buildBenchBook();
    const market: BookMarket = { nowMs: NOW, indexUsd: (c) => (c === 'BTC' ? 95_000 : null), quote: (name) => (name === 'BTC-PERPETUAL' ? { markPrice: 95_000, markIv: null, forwardUsd: 95_000 } : null) };
    const probe = riskSnapshot({ currency: 'BTC', book: [], bookVersion: 1, market, marketSeq: 1, settings: DEFAULT_RISK_SETTINGS, riskBook: { positions, skipped: [] } });
    const inputs: RiskInputs = {
      currency: 'BTC', book: [], bookVersion: 1, market, marketSeq: 1,
      settings: { ...DEFAULT_RISK_SETTINGS, equityCoin: probe.margin!.initialMargin * 1.5 },
      riskBook: { positions, skipped: [] },
      proposal: { inputsHash: 'p', legs: [{ instrument: 'BTC-PERPETUAL', side: 'sell', amount: 50_000 }] },
    };
    const local = riskSnapshot(inputs);
    const remote = await pool.computeRiskSnapshot(riskTaskInput(inputs));
    expect(local.marginCall.length).toBe(2);
    expect(local.proposal).not.toBeNull();
    expect(withoutTime(remote)).toEqual(withoutTime(local));
    expect(remote.computeMs).toBeGreaterThan(0);
  });

  it('a small book with sticky-moneyness smiles and a skipped position: identical', async () => {
    const quotes: Record<string, BookQuote> = {
      'BTC-31DEC26-66000-C': { markPrice: 0.02, markIv: 0.6, forwardUsd: 60_300 },
      'BTC-PERPETUAL': { markPrice: 60_000, markIv: null, forwardUsd: 60_000 },
    };
    const market: BookMarket = { nowMs: NOW, indexUsd: (c) => (c === 'BTC' ? 60_000 : null), quote: (name) => quotes[name] ?? null };
    const book = [['BTC-31DEC26-66000-C', -10, 'BTC'], ['BTC-PERPETUAL', 120_000, 'USD'], ['BTC-31DEC26-90000-C', 1, 'BTC']].map(([instrument, quantity, priceCurrency]) => {
      const r = checkPosition({ instrument: instrument as string, quantity: quantity as number, averagePrice: null, priceCurrency: priceCurrency as 'BTC' | 'USD' }, null);
      if (!r.ok) throw new Error(r.reason);
      return r.position;
    });
    const smiles = new Map([[smileKey('BTC', Date.parse('2026-12-31T08:00:00Z')), { strikes: [50_000, 66_000, 80_000], vols: [0.7, 0.6, 0.65] }]]);
    const inputs: RiskInputs = { currency: 'BTC', book, bookVersion: 2, market, marketSeq: 9, settings: { ...DEFAULT_RISK_SETTINGS, volDynamics: 'sticky-moneyness', equityCoin: 3 }, smiles };
    const task = riskTaskInput(inputs);
    expect(structuredClone(task)).toEqual(task); // plain data: what crosses to the thread is what was assembled
    const remote = await pool.computeRiskSnapshot(task);
    expect(withoutTime(remote)).toEqual(withoutTime(riskSnapshot(inputs)));
    expect(withoutTime(remote)).toEqual(withoutTime(riskSnapshotFrom(task)));
    expect(remote.skipped).toHaveLength(1);
  });
});
