/**
 * Worker-pool benchmark: one expiry's greeks and bid/ask/mark implied vols computed in a piscina worker on
 * transferred Float64Arrays, as the engine does it. Measures the round trip per batch (pool overhead included)
 * and the parallel throughput at realistic expiry sizes. (Engine event throughput is in the feeds benchmark.)
 */
import { GreeksPool } from '../src-main/app/greeksPool';
import { black76Price } from '../src-main/core/pricing/black76';
import { GREEKS_INPUT_FIELDS, GreeksInput } from '../src-main/engine/ports';
import { benchWorker } from './worker';

/** One expiry batch as the engine builds it: forward, strike, years, vol, isCall, bid / ask / mark in coin. */
export function greeksBatch(count: number): Float64Array {
  const inputs = new Float64Array(count * GREEKS_INPUT_FIELDS);
  const forward = 95_000;
  const years = 30 / 365;
  for (let i = 0; i < count; i++) {
    const strike = 60_000 + (i * 80_000) / count;
    const vol = 0.5 + 0.2 * Math.abs(i / count - 0.5);
    const isCall = i % 2 === 1;
    const markCoin = black76Price(forward, strike, years, vol, isCall) / forward;
    const set = (offset: number, value: number): void => {
      inputs[offset * count + i] = value;
    };
    set(GreeksInput.forwardUsd, forward);
    set(GreeksInput.strikeUsd, strike);
    set(GreeksInput.years, years);
    set(GreeksInput.vol, vol);
    set(GreeksInput.isCall, isCall ? 1 : 0);
    set(GreeksInput.bidCoin, markCoin * 0.97);
    set(GreeksInput.askCoin, markCoin * 1.03);
    set(GreeksInput.markCoin, markCoin);
  }
  return inputs;
}

export async function runPoolBench(): Promise<Record<string, unknown>> {
  const worker = benchWorker();
  const pool = new GreeksPool(worker);
  const results: Record<string, unknown> = { worker: worker.execArgv ? 'tsx source' : worker.filename };
  try {
    for (const count of [100, 250, 1000]) {
      // Warm-up: spin up threads and JIT the kernel.
      for (let i = 0; i < 50; i++) await pool.computeGreeks({ count, inputs: greeksBatch(count) });
      const rounds = 400;
      const prepared = Array.from({ length: rounds }, () => greeksBatch(count));
      const sequentialStart = performance.now();
      for (const inputs of prepared) await pool.computeGreeks({ count, inputs });
      const sequentialMs = performance.now() - sequentialStart;
      const parallelInputs = Array.from({ length: rounds }, () => greeksBatch(count));
      const parallelStart = performance.now();
      await Promise.all(parallelInputs.map((inputs) => pool.computeGreeks({ count, inputs })));
      const parallelMs = performance.now() - parallelStart;
      results[`expiry_${count}_options`] = {
        round_trip_us_per_batch: Number(((sequentialMs * 1000) / rounds).toFixed(1)),
        throughput_batches_per_s_parallel: Math.round((rounds * 1000) / parallelMs),
        ns_per_option_parallel: Number(((parallelMs * 1e6) / (rounds * count)).toFixed(1)),
      };
    }
    results['threads'] = pool.threads;
  } finally {
    await pool.close();
  }
  return results;
}
