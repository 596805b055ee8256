/**
 * A recorded session for the backtest tests: the demo market (BTC only) recorded with a fixed clock, one step
 * every `stepMs` of market time, so a few hundred steps span hours and hourly rebalances happen. Deterministic:
 * the seed fixes every event.
 */
import { DemoMarket } from '../../src-main/core/sim/demo';
import { epochMs } from '../../src-main/core/units';
import { openDatabase } from '../../src-main/store/database';
import { EventLog, EventRecorder } from '../../src-main/store/eventLog';

export const BACKTEST_START_MS = Date.UTC(2026, 10, 21, 12, 0, 0);

export function recordBacktestSession(dbPath: string, options: { name?: string; seed?: number; steps?: number; stepMs?: number } = {}): { events: number; firstMs: number; lastMs: number } {
  const db = openDatabase(dbPath);
  try {
    const log = new EventLog(db);
    const session = log.createSession(options.name ?? 'demo-hours', 'demo', BACKTEST_START_MS);
    const recorder = new EventRecorder(log, session.id);
    const market = new DemoMarket({ seed: options.seed ?? 11, startMs: epochMs(BACKTEST_START_MS), currencies: ['BTC'] });
    let now = BACKTEST_START_MS;
    for (const event of market.snapshot(epochMs(now))) recorder.record(event);
    for (let step = 0; step < (options.steps ?? 240); step++) {
      now += options.stepMs ?? 60_000;
      for (const event of market.step(epochMs(now))) recorder.record(event);
    }
    recorder.close();
    const row = log.session(session.id);
    return { events: row.eventCount, firstMs: row.firstEventMs!, lastMs: row.lastEventMs! };
  } finally {
    db.close();
  }
}
