/**
 * The Risk view's snapshot (engine/riskSnapshot.ts) on the 500-position BTC book of bench/risk.ts: what the app
 * computes at most once per market second per watched currency. Timed without an equity (matrix on the default
 * 7 × 5 × 3 grid, PM and standard margin, payoff curve of 81 points × 2 dates) and with one (plus the distance to a
 * margin call at current vols and at +10 vol points: a scan in 1 % steps and a bisection, each step a PM margin of
 * the re-marked book).
 */
import type { BookMarket } from '../src-main/core/book/valuation';
import { DEFAULT_RISK_SETTINGS, riskSnapshot } from '../src-main/engine/riskSnapshot';
import { buildBenchBook, time } from './risk';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const INDEX = 95_000;

export function runRiskSnapshotBench(): Record<string, unknown> {
  const positions = buildBenchBook();
  const market: BookMarket = { nowMs: NOW, indexUsd: () => INDEX, quote: () => null };
  const run = (equityCoin: number | null): ReturnType<typeof riskSnapshot> =>
    riskSnapshot({ currency: 'BTC', book: [], bookVersion: 1, market, marketSeq: 1, settings: { ...DEFAULT_RISK_SETTINGS, equityCoin }, riskBook: { positions, skipped: [] } });
  const noEquity = time(() => run(null), 5, 1);
  const probe = run(null);
  // An equity 1.5 × the IM: a margin call within the scan range on at least one side.
  const equity = probe.margin!.initialMargin * 1.5;
  const withEquity = time(() => run(equity), 5, 1);
  const snapshot = run(equity);
  return {
    positions: positions.length,
    cells: probe.matrix!.pnlUsd.length,
    without_equity: noEquity,
    with_equity_and_margin_call: { ...withEquity, equity_btc: equity, margin_call: snapshot.marginCall },
    snapshot_json_bytes: JSON.stringify(snapshot).length,
  };
}
