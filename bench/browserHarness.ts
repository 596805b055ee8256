/**
 * What the browser benchmarks (latency, idle) share: the built `gammadesk serve` as its own process (so its CPU is
 * measured apart from the browser's and the benchmark's), Debian's Chromium through Playwright with the e2e
 * suite's flags, and CPU time read from /proc (Linux only).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.GAMMADESK_CHROMIUM ?? '/usr/bin/chromium';
/** The flags of playwright.config.ts. */
const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Seconds of each measured phase: `GAMMADESK_BENCH_SECONDS` shortens them for a smoke run. */
export function benchSeconds(fallback: number): number {
  const value = Number(process.env.GAMMADESK_BENCH_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Builds out/ when the sources are newer (the benchmarks run the built CLI and UI, as a user does). */
export function ensureBuilt(): void {
  const result = spawnSync(process.execPath, [resolve('scripts/ensure-built.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed: run `npm run build` to see why');
}

export interface HostProcess {
  url: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** `gammadesk serve` on a free port with a scratch database; `nodeArgs` go to node (e.g. `--cpu-prof`). */
export async function startHost(options: { env?: Record<string, string>; nodeArgs?: string[] } = {}): Promise<HostProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-'));
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), resolve('out/main/cli.cjs'), 'serve', '--db', join(dataDir, 'bench.db')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not print its URL within 20 s:\n${output}`)), 20_000);
    child.stdout?.on('data', () => {
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        const finish = (): void => {
          rmSync(dataDir, { recursive: true, force: true });
          done();
        };
        if (child.exitCode !== null) return finish();
        child.once('exit', finish);
        child.kill('SIGTERM');
      }),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Opens the host's page and waits for the API link and a chain on screen. */
export async function openDesk(browser: Browser, url: string, initScript?: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  if (initScript) await page.addInitScript(initScript);
  await page.goto(url);
  await page.getByTestId('link-state').filter({ hasText: 'connected' }).waitFor({ timeout: 20_000 });
  return page;
}

// ---------------------------------------------------------------------------------------------------------------
// CPU time from /proc

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK']).stdout?.toString().trim()) || 100;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null; // gone
  }
  // The command name (field 2) may hold spaces and parentheses: split after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields from 3 on: state(3) ppid(4) … utime(14) stime(15).
  return { pid, ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND };
}

/** CPU seconds (user + system, all threads) of one process. */
export function processCpuSeconds(pid: number): number {
  return readStat(pid)?.cpuSeconds ?? NaN;
}

/** CPU seconds of every live descendant of `root`, leaving out the subtrees of `exclude` (e.g. the host). */
export function descendantsCpuSeconds(root: number, exclude: readonly number[]): number {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.push(stat);
  }
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  let total = 0;
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      if (exclude.includes(child.pid)) continue;
      total += child.cpuSeconds;
      walk(child.pid);
    }
  };
  walk(root);
  return total;
}

/** The machine's load averages at a moment (for the load note). */
export function machineLoad(): { loadavg_1m: number; loadavg_5m: number } {
  const [one, five] = loadavg();
  return { loadavg_1m: Math.round(one! * 100) / 100, loadavg_5m: Math.round(five! * 100) / 100 };
}

/** Total busy CPU seconds of the whole machine (all cores) from /proc/stat. */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, user, nice, system, _idle, _iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / CLOCK_TICKS_PER_SECOND;
}

/** Percentile by nearest rank of an ascending-sorted array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;
