import type { Migration } from './types';

/**
 * The trader's own option positions (contracts, + long), entered in the app. The exposure view overlays their
 * gamma exposure on the dealers'. Execution and fills (later) will maintain this table too.
 */
export const migration004: Migration = {
  version: 4,
  name: 'positions',
  up: `
    CREATE TABLE positions (
      instrument TEXT PRIMARY KEY,
      amount REAL NOT NULL CHECK (amount <> 0),
      updated_ms INTEGER NOT NULL
    ) STRICT;
  `,
};
