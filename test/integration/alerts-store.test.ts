import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../src-main/store/database';
import { migration009 } from '../../src-main/store/migrations/009_alert_rules';
import { AlertRepository } from '../../src-main/store/alerts';
import { AlertRuleError, evaluateAlerts, type AlertSnapshot } from '../../src-main/core/alerts/rules';

let db: Db | null = null;
afterEach(() => db?.close());

function open(): AlertRepository {
  db = openDatabase(':memory:');
  return new AlertRepository(db);
}

describe('migration 009: alert rules and history', () => {
  it('is version 9, follows 008, and creates the two tables with their checks', () => {
    expect(migration009.version).toBe(9);
    const v8 = openDatabase(':memory:', { targetVersion: 8 });
    expect(v8.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'alert%'").pluck().get()).toBe(0);
    v8.close();
    db = openDatabase(':memory:', { targetVersion: 9 });
    expect(schemaVersion(db)).toBe(9);
    expect(() => db!.prepare("INSERT INTO alert_rules VALUES ('x', 'volcano', NULL, '{}', 1)").run()).toThrow(/CHECK/);
    expect(() => db!.prepare("INSERT INTO alert_rules VALUES ('x', 'feed-stale', 'SOL', '{}', 1)").run()).toThrow(/CHECK/);
    expect(() => db!.prepare("INSERT INTO alert_rules VALUES ('x', 'feed-stale', NULL, 'not json', 1)").run()).toThrow(/CHECK/);
  });

  it('stores checked rules, refuses bad ones, keeps an append-only history in market time', () => {
    const repo = open();
    repo.saveRule({ id: 'usage', currency: 'BTC', kind: 'margin-usage', threshold: 80, hysteresis: 5, minIntervalMs: 60_000 }, 1);
    repo.saveRule({ id: 'usage', currency: 'BTC', kind: 'margin-usage', threshold: 75, hysteresis: 5, minIntervalMs: 60_000 }, 2);
    expect(() => repo.saveRule({ id: 'bad', currency: 'BTC', kind: 'margin-usage', threshold: -1 }, 3)).toThrow(AlertRuleError);
    const { rules, refused } = repo.rules();
    expect(rules.map((r) => [r.id, r.threshold])).toEqual([['usage', 75]]);
    expect(refused).toEqual([]);
    // A row the code no longer accepts is reported with its reason, not dropped silently.
    db!.prepare("INSERT INTO alert_rules VALUES ('old', 'margin-usage', 'BTC', '{\"id\":\"old\",\"kind\":\"margin-usage\",\"currency\":\"BTC\",\"threshold\":0}', 1)").run();
    expect(repo.rules().refused).toEqual([{ id: 'old', reason: 'rule old: threshold must be above 0 for margin-usage, got 0' }]);

    const snapshot: AlertSnapshot = {
      atMs: 1_767_345_489_153,
      currencies: { BTC: { spotUsd: 89_000, gammaFlipUsd: null, callWallUsd: null, putWallUsd: null, delta: null, gamma: null, vega: null, marginUsagePercent: 82, marginCallDistancePercent: null } },
      feed: { connected: true, lastEventMs: 1_767_345_489_153 },
      proposals: [],
      failedOrders: [],
    };
    const { fired } = evaluateAlerts(rules, {}, snapshot);
    repo.record(fired, 'replay-2026-01-02');
    const history = repo.history();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ ruleId: 'usage', kind: 'margin-usage', currency: 'BTC', atMs: 1_767_345_489_153, session: 'replay-2026-01-02', value: 82, threshold: 75, suppressed: 0 });
    expect(() => db!.prepare('UPDATE alert_history SET message = ?').run('x')).toThrow(/append-only/);
    expect(repo.deleteRule('usage')).toBe(true);
    expect(repo.deleteRule('usage')).toBe(false);
  });
});
