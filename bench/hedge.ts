/**
 * `npm run bench -- hedge`: the hedge advisor's costs.
 *
 * - solve: the selection policy (LP relaxation + MILP on HiGHS) for 300 candidate instruments (perpetual, a future,
 *   298 options) and 3 greek bands, on the app's worker pool (the `hedgeSolve` task), wall time per proposal;
 * - latency: the app on the demo market with real timers and the advisor on (threshold, then select): from the
 *   market time of the inputs (the demo stamps events with the wall clock) to the proposal's publication, which
 *   includes the wait for the advisor's 250 ms round.
 * Audit append and verify rates are in `npm run bench -- audit`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GammaDeskApp } from '../src-main/app/app';
import type { HedgeSnapshot } from '../src-main/api/dto';
import { optionGreeks } from '../src-main/core/book/valuation';
import { SelectionPolicy } from '../src-main/core/hedge/selection';
import type { HedgeObjectives } from '../src-main/core/hedge/types';
import { hedgeMarket } from '../test/helpers/hedgeMarket';
import { benchPool, benchWorker } from './worker';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const round = (x: number): number => Number(x.toFixed(2));

async function solveBench(): Promise<Record<string, unknown>> {
  const pool = benchPool();
  try {
    const market = hedgeMarket(11, 298);
    const policy = new SelectionPolicy({ solve: (model, options) => pool.solveMilp(model, options) });
    const times: number[] = [];
    let statuses: Record<string, number> = {};
    for (let k = 0; k < 23; k++) {
      // A different short-option book each time (seeded), 3 bands.
      const g = optionGreeks(-(10 + (k % 7) * 3), 90_000, 86_000 + (k % 5) * 2000, (14 + (k % 4) * 15) / 365, 0.5, k % 2 === 0);
      const objectives: HedgeObjectives = {
        currency: 'BTC',
        delta: { target: 0, tolerance: 0.05, unit: 'coin' },
        gamma: { target: 0, tolerance: Math.abs(g.gammaUsdPer1Pct) * 0.2 },
        vega: { target: 0, tolerance: Math.abs(g.vegaUsd) * 0.2 },
      };
      const t0 = performance.now();
      const p = await policy.propose({ version: 1, totals: g }, market, objectives);
      const ms = performance.now() - t0;
      if (k >= 3) {
        times.push(ms);
        statuses = { ...statuses, [p.status]: (statuses[p.status] ?? 0) + 1 };
      }
    }
    times.sort((a, b) => a - b);
    return { candidates: market.instruments.length, bands: 3, proposals: times.length, statuses, ms_best: round(times[0]!), ms_p50: round(percentile(times, 0.5)), ms_p90: round(percentile(times, 0.9)), target_ms: 50 };
  } finally {
    await pool.close();
  }
}

async function latencyBench(policy: 'threshold' | 'select', seconds: number): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-hedge-'));
  const app = GammaDeskApp.start({ dbPath: join(dir, 'bench.db'), mode: 'in-process', worker: benchWorker(), publishIntervalMs: 200 });
  try {
    const client = app.hub.client();
    const market = app.engine.market;
    // Wait for the demo market, then a short-call book.
    const deadline = Date.now() + 20_000;
    while (!(market.currencies.get('BTC')?.sortedExpiries().length && market.currencies.get('BTC')?.perpetual) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const expiry = market.currencies.get('BTC')!.sortedExpiries()[3]!;
    const call = expiry.options.find((o) => o.def.optionType === 'call' && o.ticker && o.def.strikeUsd > o.ticker.underlyingPriceUsd)!;
    await client.call('positions.set', { positions: [{ instrument: call.def.name, amount: -20 }] });
    const latencies: number[] = [];
    const unsubscribe = client.subscribe('hedge', { currency: 'BTC' }, (m) => {
      const s: HedgeSnapshot = m.data;
      if (s.proposal && s.policy === policy) latencies.push(Date.now() - s.marketTimeMs);
    });
    await client.call('hedge.settings.set', {
      currency: 'BTC',
      enabled: true,
      delta: { target: 0, tolerance: 0.2, unit: 'coin' },
      gamma: policy === 'select' ? { target: 0, tolerance: 20_000 } : 'none',
      vega: 'none',
      policy,
      hedgeRatio: 1,
      riskAversion: 1e-4,
      maxBookShare: 0.5,
      proposalTtlMs: 60_000,
    });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    unsubscribe();
    latencies.sort((a, b) => a - b);
    return { policy, seconds, proposals: latencies.length, ms_p50: percentile(latencies, 0.5), ms_p99: percentile(latencies, 0.99), ms_max: latencies.at(-1) ?? null, target_ms: 250 };
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runHedgeBench(): Promise<Record<string, unknown>> {
  return {
    solve_300_candidates_3_bands: await solveBench(),
    market_to_proposal_threshold: await latencyBench('threshold', 15),
    market_to_proposal_select: await latencyBench('select', 15),
  };
}
