/**
 * `npm run bench -- surface-live`: the live path of the Surface view on the real Deribit snapshot
 * (../shared/data, 2026-08-22: BTC 1038 + ETH 930 options, 12 expiries each): both currencies packed and fitted by
 * the worker pool's `surface` task (the app's GreeksPool, 2 threads, workers run from source through tsx), each
 * from the previous fit's parameters as the kernel's schedule does, including the snapshot DTO the UI receives
 * and the structured-clone copy back; and the same task in-process for comparison (no thread hop).
 */
import path from 'node:path';
import { GreeksPool } from '../src-main/app/greeksPool';
import { expiryMarkets } from '../src-main/cli/commands/surface';
import type { Currency } from '../src-main/core/market/events';
import { packSurfaceInputs, type SurfaceTaskInput } from '../src-main/engine/surfaceInputs';
import { readChainFile } from '../src-main/feeds/chainFile';
import { surfaceTask } from '../src-main/workers/surfaceTask';

const FILE = path.resolve('../shared/data/znmahbub_deribit_options_snapshot_20260822T093536Z.csv');

const summary = (times: number[]): { best_ms: number; median_ms: number; runs: number } => {
  const sorted = [...times].sort((a, b) => a - b);
  return { best_ms: Number(sorted[0]!.toFixed(3)), median_ms: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(3)), runs: sorted.length };
};

export async function runSurfaceLiveBench(): Promise<Record<string, unknown>> {
  const chain = await readChainFile(FILE);
  const currencies = [...chain.currencies.entries()].map(([currency, c]) => ({ currency: currency as Currency, markets: expiryMarkets(c, chain.asOfMs) }));
  const starts = new Map<Currency, SurfaceTaskInput['starts']>(currencies.map((c) => [c.currency, []]));
  const input = (c: (typeof currencies)[number]): SurfaceTaskInput => packSurfaceInputs(c.currency, c.markets, starts.get(c.currency)!);
  const pool = new GreeksPool({ filename: path.resolve('src-main/workers/greeksWorker.ts'), execArgv: ['--import', 'tsx'], maxThreads: 2 });
  try {
    const poolTimes: number[] = [];
    let snapshotBytes = 0;
    for (let i = 0; i < 26; i++) {
      const started = performance.now();
      const outputs = await Promise.all(currencies.map((c) => pool.computeSurface(input(c))));
      if (i >= 5) poolTimes.push(performance.now() - started); // 5 warm-up rounds (thread start, JIT)
      outputs.forEach((o, j) => starts.set(currencies[j]!.currency, o.starts));
      snapshotBytes = outputs.reduce((n, o) => n + JSON.stringify(o.snapshot).length, 0);
    }
    const inProcess: number[] = [];
    for (let i = 0; i < 26; i++) {
      const started = performance.now();
      for (const c of currencies) starts.set(c.currency, surfaceTask(input(c)).starts);
      if (i >= 5) inProcess.push(performance.now() - started);
    }
    return {
      file: path.basename(FILE),
      quotes: currencies.reduce((n, c) => n + c.markets.reduce((m, e) => m + e.quotes.length, 0), 0),
      expiries: currencies.reduce((n, c) => n + c.markets.length, 0),
      pool_both_currencies_from_previous_fit: summary(poolTimes),
      in_process_both_currencies_from_previous_fit: summary(inProcess),
      snapshot_json_bytes_both: snapshotBytes,
      threads: pool.threads,
    };
  } finally {
    await pool.close();
  }
}
