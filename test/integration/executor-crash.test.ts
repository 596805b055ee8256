import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Executor } from '../../src-main/app/execution/executor';
import { PaperVenue } from '../../src-main/app/execution/paperVenue';
import { epochMs } from '../../src-main/core/units';
import { AuditLog } from '../../src-main/store/audit';
import { openDatabase, type Db } from '../../src-main/store/database';
import { RecommendationStore } from '../../src-main/store/recommendations';
import { pollDatabase } from '../helpers/childCli';
import { CRASH_CLOCK_MS } from '../helpers/executorCase';
import { deepMarket } from '../helpers/paperMarket';
import { makeTempDir } from '../helpers/tmp';

// Issue 11: "a crash between approval and submission can never trade twice". A real desk process (a child run
// through tsx: there is no hedge CLI command yet) is killed with SIGKILL at a chosen point; the restarted desk
// reconciles by label before it sends anything, and every label ends up as exactly one paper order.
const temp = makeTempDir('gammadesk-exec-crash-');
afterEach(() => temp.remove());

async function killAt(dbPath: string, mode: 'after-approval' | 'after-venue-submit', ready: (db: Db) => number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve('test/helpers/executorChild.ts'), dbPath, mode], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, signal) => done(signal)));
  const reached = await pollDatabase(dbPath, ready, 1, 30_000);
  expect(reached, `child never reached ${mode}; stderr:\n${stderr}`).toBe(1);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
}

function restart(dbPath: string): { db: Db; executor: Executor; store: RecommendationStore; audit: AuditLog; venue: PaperVenue } {
  const db = openDatabase(dbPath);
  const clock = () => epochMs(CRASH_CLOCK_MS + 5000);
  const audit = new AuditLog(db, clock);
  const store = new RecommendationStore(db, audit, clock);
  const venue = new PaperVenue(db, deepMarket(), clock);
  return { db, executor: new Executor(db, store, audit, venue, clock), store, audit, venue };
}

const paperOrders = (db: Db): { label: string; n: number }[] => db.prepare('SELECT label, COUNT(*) AS n FROM paper_orders GROUP BY label ORDER BY label').all() as { label: string; n: number }[];

describe('kill -9 of the desk', () => {
  it('between approval and submission: the restart sends each leg once, and approving again trades nothing', async () => {
    const dbPath = join(temp.dir, 'approval.db');
    await killAt(dbPath, 'after-approval', (db) => (db.prepare("SELECT COUNT(*) AS n FROM recommendations WHERE state = 'approved'").get() as { n: number }).n);
    const desk = restart(dbPath);
    expect(paperOrders(desk.db)).toEqual([]);
    expect(await desk.executor.start()).toEqual({ recommendations: 1, legsFound: 0, legsSent: 2, legsPending: 0 });
    expect(paperOrders(desk.db)).toEqual([
      { label: 'crash-rec:0', n: 1 },
      { label: 'crash-rec:1', n: 1 },
    ]);
    expect(desk.store.get('crash-rec')!.state).toBe('filled');
    // Approving twice, executing again, restarting again: still one order per label.
    expect(desk.store.approve('crash-rec', 'trader:ana').state).toBe('filled');
    await desk.executor.execute('crash-rec');
    expect(await restart(dbPath).executor.start()).toEqual({ recommendations: 0, legsFound: 0, legsSent: 0, legsPending: 0 });
    expect(paperOrders(desk.db)).toHaveLength(2);
    expect(desk.audit.verify()).toMatchObject({ ok: true });
    desk.db.close();
  }, 60_000);

  it('after the venue took a leg but before the desk heard back: reconciliation records it, sends only the other leg', async () => {
    const dbPath = join(temp.dir, 'submit.db');
    await killAt(dbPath, 'after-venue-submit', (db) => (db.prepare('SELECT COUNT(*) AS n FROM paper_orders').get() as { n: number }).n);
    const desk = restart(dbPath);
    // What the dead desk left: submitted, leg 0 at the venue but unknown to the desk's own order record.
    expect(desk.store.get('crash-rec')!.state).toBe('submitted');
    expect(desk.db.prepare('SELECT label, state FROM orders ORDER BY leg').all()).toEqual([
      { label: 'crash-rec:0', state: null },
      { label: 'crash-rec:1', state: null },
    ]);
    expect(await desk.executor.start()).toEqual({ recommendations: 1, legsFound: 1, legsSent: 1, legsPending: 0 });
    expect(paperOrders(desk.db)).toEqual([
      { label: 'crash-rec:0', n: 1 },
      { label: 'crash-rec:1', n: 1 },
    ]);
    expect(desk.store.get('crash-rec')!.state).toBe('filled');
    // The fills of the leg sent before the crash are in the desk's record too (read back from the venue).
    expect(desk.db.prepare('SELECT label, COUNT(*) AS n FROM fills GROUP BY label ORDER BY label').all()).toEqual([
      { label: 'crash-rec:0', n: 1 },
      { label: 'crash-rec:1', n: 1 },
    ]);
    const actions = [...desk.audit.rows()].map((r) => `${r.action} ${r.subject}`);
    expect(actions).toContain('order.reconciled crash-rec:0');
    expect(actions).toContain('order.accepted crash-rec:1');
    expect(actions).not.toContain('order.accepted crash-rec:0');
    expect(desk.audit.verify()).toMatchObject({ ok: true });
    desk.db.close();
  }, 60_000);
});
