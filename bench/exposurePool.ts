/**
 * The exposure analytics as the app runs them: a full BTC+ETH chain (2000 options, `demoExposureChains`) on the
 * worker pool (2 threads here), each currency split in two tasks by time range — summary (exposures, walls,
 * 81-point profile, flips) plus the hedge-pressure map of 60 spots × 48 times × 3 vol shifts. Wall-clock time of
 * the whole set, from dispatch to the last result (pool overhead and transfers included).
 */
import { CASCADE_SPOTS, CASCADE_TIMES, CASCADE_VOL_SHIFTS } from '../src-main/engine/exposureSnapshot';
import { uniformTimeGrid, yearsToNthExpiry } from '../src-main/core/exposure/chain';
import { demoExposureChains } from './exposure';
import { benchPool } from './worker';

export async function runExposurePoolBench(): Promise<Record<string, unknown>> {
  const pool = benchPool();
  const chains = demoExposureChains(2000);
  const options = Object.values(chains).reduce((sum, chain) => sum + chain.count, 0);
  const half = Math.ceil(CASCADE_TIMES / 2);
  const runOnce = async (): Promise<number> => {
    const started = performance.now();
    const tasks = [];
    for (const chain of Object.values(chains)) {
      const elapsedYears = uniformTimeGrid(CASCADE_TIMES, Math.min(14 / 365, Math.max(1 / 365, yearsToNthExpiry(chain, 2))));
      const cascade = (timeFrom: number, timeTo: number) => ({
        elapsedYears,
        volShift: Float64Array.from(CASCADE_VOL_SHIFTS),
        spotPoints: CASCADE_SPOTS,
        timeFrom,
        timeTo,
        bidDepthUsd: 25e6,
        askDepthUsd: 25e6,
      });
      tasks.push(pool.computeExposure({ chain, summary: true, cascade: cascade(0, half) }));
      tasks.push(pool.computeExposure({ chain, summary: false, cascade: cascade(half, CASCADE_TIMES) }));
    }
    await Promise.all(tasks);
    return performance.now() - started;
  };
  try {
    for (let i = 0; i < 5; i++) await runOnce(); // threads up, code warm
    const times: number[] = [];
    for (let i = 0; i < 15; i++) times.push(await runOnce());
    times.sort((a, b) => a - b);
    return {
      options,
      grid: `${CASCADE_SPOTS} spots × ${CASCADE_TIMES} times × ${CASCADE_VOL_SHIFTS.length} vol shifts, plus profile and flips`,
      threads: pool.threads,
      full_ms_best: Number(times[0]!.toFixed(1)),
      full_ms_median: Number(times[Math.floor(times.length / 2)]!.toFixed(1)),
      target_ms: 100,
    };
  } finally {
    await pool.close();
  }
}
