import type { Migration } from './types';

/**
 * Imports become visible only once complete. An import writes into a staging session: `staging_pid` holds the id
 * of the process writing it (NULL for every complete session), its name is a placeholder, and the session list,
 * name lookups and the seq numbering do not see it. The last transaction of the import gives it its name and
 * clears `staging_pid`. A staging session whose process is gone (kill -9, power loss) is deleted at the next
 * start (EventLog.removeAbandonedStaging), so a half import never replays as if complete nor blocks its name.
 */
export const migration006: Migration = {
  version: 6,
  name: 'import_staging',
  up: `
    ALTER TABLE sessions ADD COLUMN staging_pid INTEGER;
    CREATE INDEX sessions_staging ON sessions (staging_pid) WHERE staging_pid IS NOT NULL;
  `,
};
