import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/store/database';
import { makeTempDir } from '../helpers/tmp';

// One test per migration (house style): 008 adds the hedging desk's tables on top of 007 and keeps what was there.
const temp = makeTempDir('gammadesk-m008-');
afterEach(() => temp.remove());

const plan = (db: ReturnType<typeof openDatabase>, sql: string, ...params: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail).join(' | ');

describe('migration 008: hedging', () => {
  it('adds recommendations, orders, fills, the audit log and the paper ledger on top of version 7, keeping the book', () => {
    const path = join(temp.dir, 'm.db');
    const v7 = openDatabase(path, { targetVersion: 7 });
    v7.prepare("INSERT INTO positions (instrument, amount, average_price, price_currency, updated_ms) VALUES ('BTC-PERPETUAL', -25000, 91000.5, 'USD', 3)").run();
    v7.close();
    const db = openDatabase(path, { targetVersion: 8 });
    expect(schemaVersion(db)).toBe(8);
    expect(db.prepare('SELECT instrument, amount FROM positions').all()).toEqual([{ instrument: 'BTC-PERPETUAL', amount: -25000 }]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['audit_log', 'fills', 'orders', 'paper_fills', 'paper_orders', 'recommendations']));

    const rec = db.prepare(
      "INSERT INTO recommendations (id, created_ms, market_seq, book_version, policy, params, inputs_hash, proposal, rationale, expires_ms, state, state_ms) VALUES (?, 1, 1, 1, 'threshold', '{}', 'h', '{}', 'null', 2, ?, 1)",
    );
    rec.run('r1', 'proposed');
    expect(() => rec.run('r2', 'approved twice')).toThrow(/CHECK constraint failed/);
    const order = db.prepare("INSERT INTO orders (label, recommendation_id, leg, venue, request, state, updated_ms) VALUES (?, ?, ?, 'paper', '{}', NULL, 1)");
    order.run('r1:0', 'r1', 0);
    // One order per label and per (recommendation, leg); an order needs its recommendation.
    expect(() => order.run('r1:0', 'r1', 1)).toThrow(/UNIQUE constraint failed: orders.label/);
    expect(() => order.run('r1:x', 'r1', 0)).toThrow(/UNIQUE constraint failed: orders.recommendation_id, orders.leg/);
    expect(() => order.run('r9:0', 'r9', 0)).toThrow(/FOREIGN KEY constraint failed/);
    const fill = db.prepare("INSERT INTO fills (venue, trade_id, label, order_id, instrument, side, amount, price, fee_e8, fee_currency, ts_ms) VALUES ('paper', ?, ?, 'o1', 'BTC-PERPETUAL', 'buy', 10, 50000, ?, 'BTC', 1)");
    fill.run('t1', 'r1:0', 20);
    expect(() => fill.run('t1', 'r1:0', 20)).toThrow(/UNIQUE constraint failed/);
    expect(() => fill.run('t2', 'nope:0', 20)).toThrow(/FOREIGN KEY constraint failed/);
    // STRICT: fees are integer units, not text or fractions.
    expect(() => fill.run('t3', 'r1:0', 'twenty')).toThrow(/cannot store TEXT value in INTEGER column/);
    // The queries the desk relies on use the indexes.
    expect(plan(db, "SELECT id FROM recommendations WHERE state = 'proposed' AND expires_ms <= ?", 5)).toMatch(/recommendations_state/);
    expect(plan(db, 'SELECT * FROM fills WHERE label = ?', 'r1:0')).toMatch(/fills_label/);
    expect(plan(db, 'SELECT * FROM paper_fills WHERE label = ?', 'r1:0')).toMatch(/paper_fills_label/);
    expect(plan(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')).not.toMatch(/TEMP B-TREE/);
    db.close();
  });
});
