import type { Migration } from './types';

/**
 * Sessions keep a running total of their stored payload bytes, so the session list can show sizes without
 * scanning millions of event rows.
 */
export const migration003: Migration = {
  version: 3,
  name: 'session_bytes',
  up: `
    ALTER TABLE sessions ADD COLUMN payload_bytes INTEGER NOT NULL DEFAULT 0;
    UPDATE sessions SET payload_bytes = (
      SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM events WHERE events.session_id = sessions.id
    );
  `,
};
