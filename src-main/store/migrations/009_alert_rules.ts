import type { Migration } from './types';

/**
 * Alert rules (core/alerts/rules.ts) and the history of the alerts they fired. A rule is stored as its checked
 * JSON (`checkAlertRule` reads it back, so a rule the code no longer accepts is reported, not half-applied);
 * `kind` and `currency` are columns too, for listing. History rows are append-only and stamped with the market
 * time of the snapshot that fired them (replay reproduces them) and the session they came from.
 */
export const migration009: Migration = {
  version: 9,
  name: 'alert_rules',
  up: `
    CREATE TABLE alert_rules (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('gamma-flip-crossed', 'spot-near-wall', 'greek-band', 'margin-usage',
        'margin-call-distance', 'proposal-waiting', 'feed-stale', 'order-failed')),
      currency TEXT CHECK (currency IS NULL OR currency IN ('BTC', 'ETH')),
      rule TEXT NOT NULL CHECK (json_valid(rule)),
      updated_ms INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE alert_history (
      id INTEGER PRIMARY KEY,
      rule_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      currency TEXT,
      market_ms INTEGER NOT NULL,
      session TEXT,
      message TEXT NOT NULL,
      value REAL,
      threshold REAL,
      suppressed INTEGER NOT NULL DEFAULT 0 CHECK (suppressed >= 0)
    ) STRICT;
    CREATE INDEX alert_history_by_time ON alert_history (market_ms);
    CREATE TRIGGER alert_history_append_only BEFORE UPDATE ON alert_history
      BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END;
  `,
};
