/** Alert rules and history (migration 009). Rules go in and come out through `checkAlertRule`. */
import { checkAlertRule, type AlertEvent, type AlertRule } from '../core/alerts/rules';
import type { Db } from './database';

export interface StoredAlert extends AlertEvent {
  id: number;
  session: string | null;
}

export class AlertRepository {
  constructor(private readonly db: Db) {}

  /** Checks and stores (insert or replace) a rule; throws AlertRuleError for a bad one, storing nothing. */
  saveRule(raw: unknown, nowMs: number): AlertRule {
    const rule = checkAlertRule(raw);
    this.db
      .prepare('INSERT INTO alert_rules (id, kind, currency, rule, updated_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, currency = excluded.currency, rule = excluded.rule, updated_ms = excluded.updated_ms')
      .run(rule.id, rule.kind, rule.currency, JSON.stringify(rule), nowMs);
    return rule;
  }

  deleteRule(id: string): boolean {
    return this.db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
  }

  /** The stored rules that still pass the checks, and the others with the reason (never silently dropped). */
  rules(): { rules: AlertRule[]; refused: { id: string; reason: string }[] } {
    const rows = this.db.prepare<[], { id: string; rule: string }>('SELECT id, rule FROM alert_rules ORDER BY id').all();
    const rules: AlertRule[] = [];
    const refused: { id: string; reason: string }[] = [];
    for (const row of rows) {
      try {
        rules.push(checkAlertRule(JSON.parse(row.rule)));
      } catch (error) {
        refused.push({ id: row.id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { rules, refused };
  }

  record(events: readonly AlertEvent[], session: string | null): void {
    const insert = this.db.prepare('INSERT INTO alert_history (rule_id, kind, currency, market_ms, session, message, value, threshold, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const e of events) insert.run(e.ruleId, e.kind, e.currency, e.atMs, session, e.message, e.value, e.threshold, e.suppressed);
    })();
  }

  /** The latest alerts first. */
  history(limit = 100): StoredAlert[] {
    return this.db
      .prepare<[number], { id: number; rule_id: string; kind: AlertEvent['kind']; currency: AlertEvent['currency']; market_ms: number; session: string | null; message: string; value: number | null; threshold: number | null; suppressed: number }>(
        'SELECT id, rule_id, kind, currency, market_ms, session, message, value, threshold, suppressed FROM alert_history ORDER BY market_ms DESC, id DESC LIMIT ?',
      )
      .all(limit)
      .map((r) => ({ id: r.id, ruleId: r.rule_id, kind: r.kind, currency: r.currency, atMs: r.market_ms, session: r.session, message: r.message, value: r.value, threshold: r.threshold, suppressed: r.suppressed }));
  }
}
