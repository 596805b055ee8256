/**
 * `npm run bench -- backtest`: events per second of a backtest replay. A demo session (BTC, one step a minute,
 * 12 hours of market time) is recorded into a temporary database, then backtested with the four classical
 * policies side by side (one pass over the events serves them all), rebalanced hourly and at every perpetual
 * update. Wall and CPU time cover reading the events from SQLite, the engine's market state, the valuations, the
 * proposals and the paper fills; the best of three runs is reported (the machine is shared).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest, type RebalanceSpec } from '../src-main/app/backtest/backtest';
import { CLASSICAL_POLICIES, classicalPolicy } from '../src-main/app/backtest/policies';
import { recordBacktestSession } from '../test/helpers/backtestSession';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export async function runBacktestBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-backtest-'));
  try {
    const dbPath = join(dir, 'bench.db');
    const session = recordBacktestSession(dbPath, { name: 'bench', steps: 720, stepMs: 60_000 });
    const measure = async (rebalance: RebalanceSpec): Promise<Record<string, unknown>> => {
      const seconds: number[] = [];
      const cpuSeconds: number[] = [];
      let hash = '';
      let rebalances = 0;
      for (let run = 0; run < 3; run++) {
        const started = performance.now();
        const cpu = process.cpuUsage();
        const result = await runBacktest({
          dbPath,
          session: 'bench',
          currency: 'BTC',
          book: { kind: 'short-call', contracts: 1 },
          rebalance,
          policies: CLASSICAL_POLICIES.map((name) => classicalPolicy(name, 'BTC')),
          hash: sha256,
        });
        seconds.push((performance.now() - started) / 1000);
        const used = process.cpuUsage(cpu);
        cpuSeconds.push((used.user + used.system) / 1e6);
        if (hash !== '' && hash !== result.resultSha256) throw new Error('backtest bench: two runs gave different results');
        hash = result.resultSha256;
        rebalances = result.policies[0]!.rebalances;
      }
      const best = Math.min(...seconds);
      const bestCpu = Math.min(...cpuSeconds);
      return {
        rebalances,
        policies: CLASSICAL_POLICIES.length,
        best_seconds: Number(best.toFixed(3)),
        events_per_second: Math.round(session.events / best),
        // CPU time of this process (the machine is shared: wall time includes waiting for a core).
        best_cpu_seconds: Number(bestCpu.toFixed(3)),
        events_per_cpu_second: Math.round(session.events / bestCpu),
        result_sha256: hash,
      };
    };
    return {
      events: session.events,
      market_hours: (session.lastMs - session.firstMs) / 3_600_000,
      hourly: await measure({ kind: 'interval', ms: 3_600_000, label: '1h' }),
      every: await measure({ kind: 'every' }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
