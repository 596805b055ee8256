/** Starts the real `gammadesk serve` (built CLI) on a free port with a scratch database, as a user would. */
import { test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface HostProcess {
  url: string;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startHostProcess(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<HostProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gammadesk-e2e-'));
  const cli = resolve('out/main/cli.cjs');
  const child: ChildProcess = spawn(process.execPath, [cli, 'serve', '--db', join(dataDir, 'e2e.db'), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`host did not print its URL within 20 s:\n${output}`)), 20_000);
    const check = (): void => {
      const match = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dataDir,
    output: () => output,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => {
          rmSync(dataDir, { recursive: true, force: true });
          done();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Where every e2e screenshot goes. */
export const SHOTS = 'test-results/screenshots';

/**
 * One host for all the tests of a spec file: started before the first, stopped after the last. The returned
 * object reads the running host (use it inside tests).
 */
export function hostForThisFile(start: () => Promise<HostProcess> = () => startHostProcess()): HostProcess {
  let host: HostProcess | null = null;
  test.beforeAll(async () => {
    host = await start();
  });
  test.afterAll(async () => {
    await host?.stop();
  });
  const running = (): HostProcess => {
    if (!host) throw new Error('the host is not running (used outside a test?)');
    return host;
  };
  return {
    get url() {
      return running().url;
    },
    get dataDir() {
      return running().dataDir;
    },
    output: () => running().output(),
    stop: () => running().stop(),
  };
}
