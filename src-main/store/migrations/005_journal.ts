import type { Migration } from './types';

/**
 * The always-on journal (engine/kernel.ts, store/journal.ts): every live and demo event is stored in journal
 * segments, sessions of kind `journal` that the session list does not show and that roll off oldest first once
 * the journal exceeds its size limit. "Record" keeps a segment under a name (kind `recording`); Tardis files
 * become sessions of kind `import`.
 */
export const migration005: Migration = {
  version: 5,
  name: 'journal',
  up: `
    ALTER TABLE sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'recording' CHECK (kind IN ('journal', 'recording', 'import'));
    UPDATE sessions SET kind = 'import' WHERE source = 'tardis';
    CREATE INDEX sessions_by_kind ON sessions (kind, id);
  `,
};
