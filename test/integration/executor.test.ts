import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Executor } from '../../src-main/app/execution/executor';
import { PaperVenue } from '../../src-main/app/execution/paperVenue';
import { VenueError, type ExecutionVenue } from '../../src-main/core/execution/venue';
import { epochMs, type EpochMs } from '../../src-main/core/units';
import { AuditLog } from '../../src-main/store/audit';
import { openDatabase, type Db } from '../../src-main/store/database';
import { hashInputs, RecommendationStore, type NewRecommendation } from '../../src-main/store/recommendations';
import { T0 } from '../helpers/market';
import { deepMarket, type FixedMarket, OPTION, PERP } from '../helpers/paperMarket';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-exec-');
let db: Db;
let now: number;
const clock = (): EpochMs => epochMs(now);
let audit: AuditLog;
let store: RecommendationStore;
let market: FixedMarket;
let paper: PaperVenue;

beforeEach(() => {
  db = openDatabase(join(temp.dir, `exec-${Math.random().toString(36).slice(2)}.db`));
  now = T0 + 1000;
  audit = new AuditLog(db, clock);
  store = new RecommendationStore(db, audit, clock);
  market = deepMarket();
  paper = new PaperVenue(db, market, clock);
});
afterEach(() => {
  if (db.open) db.close();
  temp.remove();
});

function hedge(legs: NewRecommendation['proposal']['legs'], id = 'rec-1'): NewRecommendation {
  return { id, marketSeq: 10, bookVersion: 1, policy: 'threshold', params: {}, inputsHash: hashInputs(id), proposal: { legs }, rationale: null, expiresMs: now + 60_000 };
}
const PERP_BUY = { instrument: PERP.name, side: 'buy' as const, amount: 40_000, type: 'market' as const };
const OPTION_BUY = { instrument: OPTION.name, side: 'buy' as const, amount: 2.5, type: 'limit' as const, price: 0.0505 };
const paperOrderCount = (): number => (db.prepare('SELECT COUNT(*) AS n FROM paper_orders').get() as { n: number }).n;

describe('Executor', () => {
  it('sends each leg of an approved recommendation with label <id>:<leg>, records orders, fills and audit rows, ends filled', async () => {
    store.propose(hedge([PERP_BUY, OPTION_BUY]));
    store.approve('rec-1', 'trader:ana');
    const executor = new Executor(db, store, audit, paper, clock);
    const done = await executor.execute('rec-1');
    expect(done).toMatchObject({ state: 'filled', reason: null });
    const orders = db.prepare('SELECT label, leg, venue, state FROM orders ORDER BY leg').all() as { label: string; leg: number; venue: string; state: string }[];
    expect(orders.map((o) => [o.label, o.venue, (JSON.parse(o.state) as { status: string }).status])).toEqual([
      ['rec-1:0', 'paper', 'filled'],
      ['rec-1:1', 'paper', 'filled'],
    ]);
    // Fees as the paper venue's hand-computed cases: 20,000 USD @ 50,000 + 20,000 @ 50,010 -> 0.0002 + 0.00019996 BTC;
    // options 1 @ 0.05 + 1.5 @ 0.0505 -> 0.0003 + 0.00045 BTC. Total 0.00114996 BTC = 114,996 units of 1e-8.
    expect(db.prepare('SELECT COUNT(*) AS n, SUM(fee_e8) AS fees FROM fills').get()).toEqual({ n: 4, fees: 114_996 });
    const actions = [...audit.rows()].map((r) => `${r.actor} ${r.action} ${r.subject}`);
    expect(actions.slice(0, 5)).toEqual([
      'system:advisor recommendation.proposed rec-1',
      'trader:ana recommendation.approved rec-1',
      'system:executor recommendation.submitted rec-1',
      'system:executor order.created rec-1:0',
      'system:executor order.created rec-1:1',
    ]);
    expect(actions.filter((a) => a.startsWith('venue:paper fill'))).toHaveLength(4);
    expect(actions.at(-1)).toBe('system:executor recommendation.filled rec-1');
    expect(audit.verify()).toMatchObject({ ok: true });
  });

  it('approving twice and executing twice at once never trades twice', async () => {
    store.propose(hedge([PERP_BUY]));
    store.approve('rec-1', 'trader:ana');
    store.approve('rec-1', 'trader:ana');
    const executor = new Executor(db, store, audit, paper, clock);
    const [a, b] = await Promise.all([executor.execute('rec-1'), executor.execute('rec-1')]);
    expect(a).toEqual(b);
    await executor.execute('rec-1');
    await new Executor(db, store, audit, paper, clock).execute('rec-1');
    expect(paperOrderCount()).toBe(1);
  });

  it('sends the trader’s modified quantities; a recommendation that is not approved is not sent', async () => {
    store.propose(hedge([PERP_BUY, OPTION_BUY]));
    store.approveModified('rec-1', [{ ...PERP_BUY, amount: 10_000 }, { ...OPTION_BUY, amount: 0.5 }], 'trader:ana');
    store.propose(hedge([PERP_BUY], 'rec-2'));
    const executor = new Executor(db, store, audit, paper, clock);
    expect((await executor.execute('rec-2')).state).toBe('proposed');
    expect(await executor.execute('rec-1')).toMatchObject({ state: 'filled' });
    expect(db.prepare("SELECT label, json_extract(state, '$.filledAmount') AS filled FROM paper_orders ORDER BY label").all()).toEqual([
      { label: 'rec-1:0', filled: 10_000 },
      { label: 'rec-1:1', filled: 0.5 },
    ]);
  });

  it('a refused leg is final with the venue’s reason: partially-filled when another leg filled, failed when none did', async () => {
    store.propose(hedge([PERP_BUY, { ...OPTION_BUY, amount: 0.05 }]));
    store.approve('rec-1', 'trader:ana');
    store.propose(hedge([{ ...PERP_BUY, amount: 15 }], 'rec-2'));
    store.approve('rec-2', 'trader:ana');
    const executor = new Executor(db, store, audit, paper, clock);
    const partial = await executor.execute('rec-1');
    expect(partial.state).toBe('partially-filled');
    expect(partial.reason).toMatch(/^rec-1:1 rejected: paper: rec-1:1: amount 0.05 of BTC-25DEC26-100000-C must be a multiple of 0.1/);
    const failed = await executor.execute('rec-2');
    expect(failed.state).toBe('failed');
    expect(failed.reason).toMatch(/rec-2:0 rejected: .*must be a multiple of 10 .*\(filled 0 of 15\)/);
  });

  it('a retryable venue error (10028 too many requests) leaves the leg pending; the next run reconciles and sends it', async () => {
    let refusals = 1;
    const limited: ExecutionVenue = {
      kind: 'paper',
      submit: (order) => (refusals-- > 0 ? Promise.reject(new VenueError('too_many_requests', 10028, true)) : paper.submit(order)),
      cancel: (label) => paper.cancel(label),
      ordersByLabel: (label) => paper.ordersByLabel(label),
      onUpdate: (listener) => paper.onUpdate(listener),
      close: () => paper.close(),
    };
    store.propose(hedge([PERP_BUY]));
    store.approve('rec-1', 'trader:ana');
    const executor = new Executor(db, store, audit, limited, clock);
    expect((await executor.execute('rec-1')).state).toBe('submitted');
    expect(paperOrderCount()).toBe(0);
    expect([...audit.rows()].at(-1)).toMatchObject({ action: 'order.retry-later', subject: 'rec-1:0' });
    expect((await executor.execute('rec-1')).state).toBe('filled');
    expect(paperOrderCount()).toBe(1);
  });

  it('a resting limit leg keeps the recommendation submitted until the venue reports it filled', async () => {
    store.propose(hedge([{ ...OPTION_BUY, amount: 5, price: 0.05 }]));
    store.approve('rec-1', 'trader:ana');
    const executor = new Executor(db, store, audit, paper, clock);
    expect((await executor.execute('rec-1')).state).toBe('submitted');
    now += 1000;
    market.books.set(OPTION.name, { bids: [[0.045, 5]], asks: [[0.049, 10]], tsMs: now });
    paper.matchOpenOrders();
    expect(store.get('rec-1')).toMatchObject({ state: 'filled' });
    expect(db.prepare("SELECT COUNT(*) AS n FROM fills WHERE label = 'rec-1:0'").get()).toEqual({ n: 2 });
  });

  it('a trader cancels a working hedge: resting legs are cancelled and it settles from what filled', async () => {
    store.propose(hedge([PERP_BUY, { ...OPTION_BUY, amount: 5, price: 0.05 }]));
    store.approve('rec-1', 'trader:ana');
    store.propose(hedge([{ ...OPTION_BUY, amount: 5, price: 0.04 }], 'rec-2'));
    store.approve('rec-2', 'trader:ana');
    const executor = new Executor(db, store, audit, paper, clock);
    expect((await executor.execute('rec-1')).state).toBe('submitted'); // option leg: 1 filled, 4 resting
    expect((await executor.execute('rec-2')).state).toBe('submitted'); // nothing at 0.04: all resting
    const partial = await executor.cancel('rec-1', 'trader:ana');
    expect(partial.state).toBe('partially-filled');
    expect(partial.reason).toBe('rec-1:1 cancelled: cancelled by the desk (filled 1 of 5)');
    expect((await executor.cancel('rec-2', 'trader:ana')).state).toBe('failed');
    expect(await executor.cancel('rec-2', 'trader:ana')).toMatchObject({ state: 'failed' });
    expect([...audit.rows({ subject: 'rec-1' })].map((r) => `${r.actor} ${r.action}`).slice(-2)).toEqual(['trader:ana recommendation.cancel-requested', 'system:executor recommendation.partially-filled']);
  });

  it('cancelling a hedge whose leg never got an answer: asked for by label, cancelled before it was sent, never sent later', async () => {
    const sent: string[] = [];
    let down = true;
    // Leg 0 the venue never answered (retryable); leg 1 it did take (and answers for it by label).
    const flaky: ExecutionVenue = {
      kind: 'paper',
      submit: (order) => {
        if (down && order.label.endsWith(':0')) return Promise.reject(new VenueError('not connected', null, true));
        sent.push(order.label);
        return paper.submit(order);
      },
      cancel: (label) => paper.cancel(label),
      ordersByLabel: (label) => paper.ordersByLabel(label),
      onUpdate: (listener) => paper.onUpdate(listener),
      close: () => paper.close(),
    };
    store.propose(hedge([PERP_BUY, { ...OPTION_BUY, amount: 5, price: 0.04 }]));
    store.approve('rec-1', 'trader:ana');
    const executor = new Executor(db, store, audit, flaky, clock);
    expect((await executor.execute('rec-1')).state).toBe('submitted');
    expect(sent).toEqual(['rec-1:1']);
    const settled = await executor.cancel('rec-1', 'trader:ana');
    expect(settled.state).toBe('failed');
    expect(settled.reason).toBe('rec-1:0 cancelled: cancelled by the desk before it was sent (filled 0 of 40000); rec-1:1 cancelled: cancelled by the desk (filled 0 of 5)');
    // The venue is back: nothing is sent for the cancelled leg, by a run or a restart.
    down = false;
    await executor.execute('rec-1');
    await new Executor(db, store, audit, flaky, clock).start();
    expect(sent).toEqual(['rec-1:1']);
    expect(paperOrderCount()).toBe(1);
    expect([...audit.rows({ subject: 'rec-1:0' })].map((r) => r.action)).toEqual(['order.created', 'order.retry-later', 'order.cancelled']);
  });

  it('a cancel during a run waits for it: a leg being sent is at the venue or never sent, not both', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: ExecutionVenue = {
      kind: 'paper',
      submit: async (order) => {
        await gate;
        return paper.submit(order);
      },
      cancel: (label) => paper.cancel(label),
      ordersByLabel: (label) => paper.ordersByLabel(label),
      onUpdate: (listener) => paper.onUpdate(listener),
      close: () => paper.close(),
    };
    store.propose(hedge([{ ...OPTION_BUY, amount: 5, price: 0.04 }]));
    store.approve('rec-1', 'trader:ana');
    const executor = new Executor(db, store, audit, slow, clock);
    const running = executor.execute('rec-1');
    const cancelling = executor.cancel('rec-1', 'trader:ana');
    release();
    await running;
    const settled = await cancelling;
    // The order reached the venue (it rested there) and was then cancelled at the venue, not recorded as never sent.
    expect(settled.state).toBe('failed');
    expect(settled.reason).toBe('rec-1:0 cancelled: cancelled by the desk (filled 0 of 5)');
    expect(paperOrderCount()).toBe(1);
  });
});
