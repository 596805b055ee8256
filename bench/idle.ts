/**
 * The cost at rest (`npm run bench -- idle`): `gammadesk serve` on the demo market as its own process, Debian's
 * Chromium on the Chain view, then on the Exposure view, then on the Surface view. After a warm-up, the host's CPU time (user + system, all
 * threads: main and worker pool, from /proc/<pid>/stat) is sampled in 5-second windows and reported as % of one
 * core: the whole phase and the median window. The browser's CPU (every Chromium process) is reported apart, and
 * the machine's total busy time shows how much the other tenants of this shared machine used meanwhile.
 * Target: the host ≤ 10 % of a core on either view. `GAMMADESK_BENCH_SECONDS` sets the measured seconds per view
 * (default 25; the warm-up is a third of it, at least 3 s); `GAMMADESK_BENCH_CPU_PROF=DIR` runs the host under
 * `--cpu-prof` into DIR.
 */
import type { Page } from 'playwright-core';
import {
  benchSeconds, descendantsCpuSeconds, ensureBuilt, launchChromium, machineBusySeconds, machineLoad, openDesk, percentile, processCpuSeconds, round, sleep, startHost,
} from './browserHarness';

const WINDOW_MS = 5_000;
const TARGET_PERCENT = 10;

interface PhaseResult {
  view: string;
  seconds: number;
  host_cpu_percent_of_core: number;
  host_cpu_percent_median_window: number;
  host_cpu_percent_windows: number[];
  browser_cpu_percent_of_core: number;
  /** Everything else busy on the machine (other tenants, this benchmark process), in cores. */
  others_busy_cores: number;
  loadavg_1m_at_end: number;
  meets_target: boolean;
}

async function measure(view: string, hostPid: number, seconds: number): Promise<PhaseResult> {
  const windows: number[] = [];
  const start = { wall: performance.now(), host: processCpuSeconds(hostPid), browser: descendantsCpuSeconds(process.pid, [hostPid]), machine: machineBusySeconds(), self: process.cpuUsage() };
  let windowStart = { wall: start.wall, host: start.host };
  const endAt = start.wall + seconds * 1000;
  while (performance.now() < endAt) {
    await sleep(Math.min(WINDOW_MS, endAt - performance.now()));
    const now = { wall: performance.now(), host: processCpuSeconds(hostPid) };
    if (now.wall - windowStart.wall >= WINDOW_MS * 0.9) windows.push((100 * (now.host - windowStart.host)) / ((now.wall - windowStart.wall) / 1000));
    windowStart = now;
  }
  const wallSeconds = (performance.now() - start.wall) / 1000;
  const host = processCpuSeconds(hostPid) - start.host;
  const browser = descendantsCpuSeconds(process.pid, [hostPid]) - start.browser;
  const machine = machineBusySeconds() - start.machine;
  const selfUsage = process.cpuUsage(start.self);
  const self = (selfUsage.user + selfUsage.system) / 1e6;
  const hostPercent = (100 * host) / wallSeconds;
  const sorted = [...windows].sort((a, b) => a - b);
  return {
    view,
    seconds: round(wallSeconds),
    host_cpu_percent_of_core: round(hostPercent),
    host_cpu_percent_median_window: round(percentile(sorted, 50)),
    host_cpu_percent_windows: windows.map((w) => round(w)),
    browser_cpu_percent_of_core: round((100 * browser) / wallSeconds),
    others_busy_cores: round((machine - host - browser - self) / wallSeconds, 2),
    loadavg_1m_at_end: machineLoad().loadavg_1m,
    meets_target: hostPercent <= TARGET_PERCENT,
  };
}

async function showExposure(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Exposure' }).click();
  await page.getByTestId('gex-total').filter({ hasText: '$' }).waitFor({ timeout: 30_000 });
}

export async function runIdleBench(): Promise<Record<string, unknown>> {
  ensureBuilt();
  const seconds = benchSeconds(25);
  const warmUpMs = Math.max(3, seconds / 3) * 1000;
  const profDir = process.env.GAMMADESK_BENCH_CPU_PROF;
  const host = await startHost(profDir ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profDir] } : {});
  const browser = await launchChromium();
  try {
    const page = await openDesk(browser, host.url);
    await page.locator('tr.atm').waitFor({ timeout: 20_000 });
    await sleep(warmUpMs);
    const chain = process.env.GAMMADESK_BENCH_IDLE_VIEWS === 'exposure' ? null : await measure('chain', host.pid, seconds);
    await showExposure(page);
    await sleep(warmUpMs);
    // Once a second, the map's "as of" label: how often the hedge-pressure map was recomputed (decision 0009).
    const asOf = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const label = await page.getByTestId('cascade-as-of').textContent({ timeout: 1_000 }).catch(() => null);
        if (label) asOf.add(label);
        await sleep(1_000);
      }
    })();
    const exposure = { ...(await measure('exposure', host.pid, seconds)), hedge_maps_seen: asOf.size };
    watching = false;
    await watcher;
    // The Surface view: both the live SVI refit (at most once a second per currency) and live realized vol.
    await page.getByRole('tab', { name: 'Surface' }).click();
    await page.getByTestId('forecast-panel').waitFor({ timeout: 30_000 });
    await sleep(warmUpMs);
    const surface = await measure('surface', host.pid, seconds);
    // And with no browser at all: what the host costs on its own (demo market, journal, nothing published).
    await page.close();
    await sleep(warmUpMs);
    const noBrowser = await measure('no page open', host.pid, seconds);
    return {
      what: 'host process CPU (user + system, all threads) as % of one core, demo market (seed 42), Chromium 1440×900',
      target_percent: TARGET_PERCENT,
      warm_up_seconds: warmUpMs / 1000,
      load_at_start: machineLoad(),
      phases: [chain, exposure, surface, noBrowser].filter((phase) => phase !== null),
    };
  } finally {
    await browser.close();
    await host.stop();
  }
}
