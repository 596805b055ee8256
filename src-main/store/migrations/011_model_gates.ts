import type { Migration } from './types';

/**
 * A model's gate results per criterion (issue 14 item 5: the trader chooses the criterion a learned policy must beat
 * the Whalley–Wilmott band on): one row per model and criterion key (core/learn/criterion.ts `criterionKey`, e.g.
 * `entropic:1`, `es:0.99`), the gate as JSON (difference, standard error, paths, seed, path model) and whether it
 * passed. A re-gate under the same criterion updates the row in place (store/models.ts `saveGate`; the training
 * run's gate stays in `models.metrics.gate` as training measured it, decision 0036). Rows go with their model.
 *
 * Models stored before this migration keep their one gate in `models.metrics.gate` / `passed_gate`; the repository
 * reads it as an entropic gate with the model's λ (store/models.ts), so nothing is copied here.
 */
export const migration011: Migration = {
  version: 11,
  name: 'model gates',
  up: `
    CREATE TABLE model_gates (
      model_id INTEGER NOT NULL REFERENCES models (id) ON DELETE CASCADE,
      criterion TEXT NOT NULL CHECK (length(criterion) BETWEEN 1 AND 100),
      created_ms INTEGER NOT NULL,
      passed INTEGER NOT NULL CHECK (passed IN (0, 1)),
      gate TEXT NOT NULL CHECK (json_valid(gate)),
      PRIMARY KEY (model_id, criterion)
    ) STRICT;
  `,
};
