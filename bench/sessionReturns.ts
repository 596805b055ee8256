/**
 * Reading a recorded session as a returns source (learn/sessionReturns.ts): a demo session (BTC, one step a minute,
 * 12 hours of market time) recorded into a temporary database, its index sampled on the one-minute grid and split
 * 70/30, as `models.train` / `models.compare` do on the main thread before handing the returns to a worker. Best of
 * three, wall and this process's CPU time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSessionReturns } from '../src-main/learn/sessionReturns';
import { openDatabase } from '../src-main/store/database';
import { recordBacktestSession } from '../test/helpers/backtestSession';

export function runSessionReturnsBench(): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-session-returns-'));
  try {
    const dbPath = join(dir, 'session.db');
    const session = recordBacktestSession(dbPath, { name: 'bench', steps: 720, stepMs: 60_000 });
    const db = openDatabase(dbPath, { readonly: true });
    try {
      let bestWallMs = Infinity;
      let bestCpuMs = Infinity;
      let returns = 0;
      for (let run = 0; run < 3; run++) {
        const cpu = process.cpuUsage();
        const start = performance.now();
        const data = readSessionReturns(db, 'bench', 'BTC');
        const wall = performance.now() - start;
        const used = process.cpuUsage(cpu);
        returns = data.logReturns.length;
        bestWallMs = Math.min(bestWallMs, wall);
        bestCpuMs = Math.min(bestCpuMs, (used.user + used.system) / 1000);
      }
      return {
        events: session.events,
        returns,
        best_wall_ms: Math.round(bestWallMs * 10) / 10,
        best_cpu_ms: Math.round(bestCpuMs * 10) / 10,
        events_per_second_wall: Math.round(session.events / (bestWallMs / 1000)),
      };
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
