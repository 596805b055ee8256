/**
 * Audit log (issue 11 item 9): append rate (one decision per SQLite transaction, as the desk commits them, and
 * in batches), verify rate over a big chain (target >= 200k rows/s) and streaming export rate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { epochMs } from '../src-main/core/units';
import { AuditLog } from '../src-main/store/audit';
import { openDatabase } from '../src-main/store/database';

const SINGLE_APPENDS = 20_000;
const CHAIN_ROWS = 500_000;
const BATCH = 1000;

/** A payload of the size the desk writes for an approval: legs, greeks, reasons (about 400 bytes of JSON). */
function payload(i: number): unknown {
  return {
    recommendation: `3f9a1c2be4d5a6b7-${i.toString(36)}`,
    market_seq: 1_000_000 + i,
    legs: [
      { instrument: 'BTC-PERPETUAL', side: 'buy', amount: 20_000, type: 'market' },
      { instrument: 'BTC-27DEC26-100000-C', side: 'sell', amount: 2.5, type: 'limit', price: 0.0505 },
    ],
    greeks_before: { delta_coin: -4.12, gamma: 0.00031, vega_usd: 1234.5 },
    greeks_after: { delta_coin: -0.08, gamma: 0.00029, vega_usd: 1190.2 },
    reason: 'delta outside the 0.5 BTC band',
  };
}

const rate = (rows: number, ms: number): number => Math.round((rows / ms) * 1000);

export async function runAuditBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-audit-'));
  try {
    const db = openDatabase(join(dir, 'audit.db'));
    let now = Date.UTC(2026, 11, 5, 12);
    const log = new AuditLog(db, () => epochMs((now += 1)));

    let start = performance.now();
    for (let i = 0; i < SINGLE_APPENDS; i += 1) log.append({ actor: 'trader:bench', action: 'recommendation.approved', subject: `rec-${i}`, payload: payload(i) });
    const singleMs = performance.now() - start;

    start = performance.now();
    const batch = db.transaction((from: number) => {
      for (let i = from; i < from + BATCH; i += 1) log.append({ actor: 'system:executor', action: 'fill', subject: `rec-${i}:0`, payload: payload(i) });
    });
    for (let from = SINGLE_APPENDS; from < CHAIN_ROWS; from += BATCH) batch(from);
    const batchedMs = performance.now() - start;

    // Wall time and this process's CPU time: on a machine shared with other work the CPU figure is what the
    // verify costs, the wall figure what a user waited.
    const verifyRuns: number[] = [];
    const verifyCpuRuns: number[] = [];
    let rows = 0;
    for (let run = 0; run < 3; run += 1) {
      start = performance.now();
      const cpu = process.cpuUsage();
      const result = log.verify();
      const used = process.cpuUsage(cpu);
      verifyRuns.push(performance.now() - start);
      verifyCpuRuns.push((used.user + used.system) / 1000);
      if (!result.ok) throw new Error(`bench chain does not verify: ${result.message}`);
      rows = result.rows;
    }
    const bestVerify = Math.min(...verifyRuns);

    let bytes = 0;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done();
      },
    });
    start = performance.now();
    const exported = await log.exportJson(sink);
    const exportMs = performance.now() - start;
    db.close();
    return {
      rows,
      append_one_per_transaction: { rows: SINGLE_APPENDS, rows_per_second: rate(SINGLE_APPENDS, singleMs), mean_us: Math.round((singleMs / SINGLE_APPENDS) * 1000 * 10) / 10 },
      append_batched: { rows: CHAIN_ROWS - SINGLE_APPENDS, batch: BATCH, rows_per_second: rate(CHAIN_ROWS - SINGLE_APPENDS, batchedMs) },
      verify: {
        rows_per_second_best: rate(rows, bestVerify),
        runs_ms: verifyRuns.map((ms) => Math.round(ms)),
        rows_per_cpu_second_best: rate(rows, Math.min(...verifyCpuRuns)),
        cpu_ms: verifyCpuRuns.map((ms) => Math.round(ms)),
        target_rows_per_second: 200_000,
      },
      export_json: { rows: exported, rows_per_second: rate(exported, exportMs), mib: Math.round((bytes / 2 ** 20) * 10) / 10 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
