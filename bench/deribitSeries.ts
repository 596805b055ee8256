/**
 * The Deribit series as test data (learn/deribitSeries.ts, learn/deribitPaths.ts; decision 0033): reading and
 * anchoring the 2026 perpetual hourly file with the 44 680-row hourly DVOL (what `evaluate --simulator
 * deribit-hourly` and `models.compare` do before any path), reading the perpetual daily file, and drawing 100 000
 * B3 7-day test paths (168 hourly steps) from the anchored history. Best of three, wall and this process's CPU.
 */
import { anchoredBootstrapPaths, b3Problem } from '../src-main/core/learn/b3';
import { DERIBIT_SPANS } from '../src-main/core/learn/deribitSeries';
import { Rng } from '../src-main/core/random';
import { deribitDailyReturns, loadDeribitHourly } from '../src-main/learn/deribitSeries';

function best<T>(run: () => T): { result: T; wallMs: number; cpuMs: number } {
  let wallMs = Infinity;
  let cpuMs = Infinity;
  let result: T | undefined;
  for (let i = 0; i < 3; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    result = run();
    wallMs = Math.min(wallMs, performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000);
  }
  return { result: result!, wallMs: Math.round(wallMs * 10) / 10, cpuMs: Math.round(cpuMs * 10) / 10 };
}

export function runDeribitSeriesBench(): Record<string, unknown> {
  const hourly = best(() => loadDeribitHourly());
  const daily = best(() => deribitDailyReturns(DERIBIT_SPANS.dailyTest));
  const problem = b3Problem(7);
  const paths = 100_000;
  const draw = best(() => anchoredBootstrapPaths(hourly.result.history, problem, paths, new Rng(1000)));
  return {
    hourly_load: { anchors: hourly.result.history.anchorTime.length, returns: hourly.result.history.logReturns.length, problems: hourly.result.problems.length, best_wall_ms: hourly.wallMs, best_cpu_ms: hourly.cpuMs },
    daily_load: { returns: daily.result.returns.length, best_wall_ms: daily.wallMs, best_cpu_ms: daily.cpuMs },
    b3_7d_paths: { paths, steps: draw.result.paths.steps, best_wall_ms: draw.wallMs, best_cpu_ms: draw.cpuMs, paths_per_second_wall: Math.round(paths / (draw.wallMs / 1000)) },
  };
}
