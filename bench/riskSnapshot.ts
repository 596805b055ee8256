/**
 * The Risk view's snapshot (engine/riskSnapshot.ts) on the 500-position BTC book of bench/risk.ts: what the app
 * computes at most once per market second per watched currency. Timed without an equity (matrix on the default
 * 7 × 5 × 3 grid, PM and standard margin, payoff curve of 81 points × 2 dates) and with one (plus the distance to a
 * margin call at current vols and at +10 vol points: a scan in 1 % steps and a bisection, each step a PM margin of
 * the re-marked book).
 *
 * Main thread before / after the move to the worker pool (named task `riskSnapshot`): "before" is the whole
 * in-process snapshot; "after" is what the main thread still does per snapshot: assembling the inputs
 * (`riskTaskInput`), posting them (structured clone) and taking the result back (its deserialization and the
 * promise), measured as the synchronous dispatch time plus the event loop's active time while the task runs
 * (`performance.eventLoopUtilization`). The worker's own compute time is `computeMs` of the returned snapshot.
 */
import type { BookMarket } from '../src-main/core/book/valuation';
import { DEFAULT_RISK_SETTINGS, riskSnapshot, riskTaskInput, type RiskInputs } from '../src-main/engine/riskSnapshot';
import { buildBenchBook, time } from './risk';
import { benchPool } from './worker';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const INDEX = 95_000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Main-thread ms per snapshot on the pool (dispatch + event-loop active time while waiting), and the worker's compute ms. */
async function offThread(inputs: RiskInputs, rounds: number): Promise<Record<string, number>> {
  const pool = benchPool();
  try {
    // Start the thread and warm its JIT up as the in-process timing does (its first rounds are several times slower).
    for (let i = 0; i < 6; i++) await pool.computeRiskSnapshot(riskTaskInput(inputs));
    const main: number[] = [];
    const dispatch: number[] = [];
    const worker: number[] = [];
    const wall: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const start = performance.now();
      const pending = pool.computeRiskSnapshot(riskTaskInput(inputs));
      const sync = performance.now() - start;
      const elu = performance.eventLoopUtilization();
      const snapshot = await pending;
      const busy = performance.eventLoopUtilization(elu).active;
      wall.push(performance.now() - start);
      dispatch.push(sync);
      main.push(sync + busy);
      worker.push(snapshot.computeMs);
    }
    return {
      main_thread_median_ms: round3(median(main)),
      main_thread_best_ms: round3(Math.min(...main)),
      dispatch_median_ms: round3(median(dispatch)),
      worker_compute_median_ms: round3(median(worker)),
      wall_median_ms: round3(median(wall)),
    };
  } finally {
    await pool.close();
  }
}

export async function runRiskSnapshotBench(): Promise<Record<string, unknown>> {
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
  const inputs = (equityCoin: number | null): RiskInputs => ({ currency: 'BTC', book: [], bookVersion: 1, market, marketSeq: 1, settings: { ...DEFAULT_RISK_SETTINGS, equityCoin }, riskBook: { positions, skipped: [] } });
  const pooled = { without_equity: await offThread(inputs(null), 7), with_equity_and_margin_call: await offThread(inputs(equity), 5) };
  return {
    positions: positions.length,
    cells: probe.matrix!.pnlUsd.length,
    without_equity: noEquity,
    with_equity_and_margin_call: { ...withEquity, equity_btc: equity, margin_call: snapshot.marginCall },
    snapshot_json_bytes: JSON.stringify(snapshot).length,
    // Before: the in-process figures above are all main-thread time. After: the pool's.
    on_worker_pool: pooled,
  };
}
