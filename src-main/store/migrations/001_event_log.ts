import type { Migration } from './types';

/**
 * Sessions and their append-only event log: every normalized market event, numbered by `seq` in arrival order,
 * stored before the engine sees it (record first, then handle). Rows are never updated; a session's events go
 * only when the user deletes the whole session.
 */
export const migration001: Migration = {
  version: 1,
  name: 'event_log',
  up: `
    CREATE TABLE settings (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL,
      updated_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE sessions (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL CHECK (source IN ('demo', 'deribit', 'deribit-testnet', 'tardis', 'recording')),
      created_ms INTEGER NOT NULL,
      first_event_ms INTEGER,
      last_event_ms INTEGER,
      event_count INTEGER NOT NULL DEFAULT 0,
      meta TEXT NOT NULL DEFAULT '{}'
    ) STRICT;

    CREATE TABLE events (
      session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL,
      ts_event INTEGER NOT NULL,
      ts_recv INTEGER NOT NULL,
      type TEXT NOT NULL,
      instrument TEXT,
      payload TEXT NOT NULL,
      PRIMARY KEY (session_id, seq)
    ) STRICT, WITHOUT ROWID;

    CREATE INDEX events_by_time ON events (session_id, ts_event);

    CREATE TRIGGER events_append_only BEFORE UPDATE ON events
    BEGIN
      SELECT RAISE(ABORT, 'events are append-only: rows cannot be updated');
    END;
  `,
};
