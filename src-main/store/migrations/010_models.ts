import type { Migration } from './types';

/**
 * Trained hedge policies (issue 14): the full model JSON (architecture, input scaling, weights; see
 * core/learn/network.ts `PolicyModelJson`), its kind and benchmark, the seeds and data range it was trained
 * on, its out-of-sample metrics, and whether it passed the gate (beat the Whalley-Wilmott band out of sample
 * on the trader's criterion) that lets the hedge advisor offer it.
 *
 * Not yet in MIGRATIONS on the helper-learn branch: versions 007-009 belong to parallel work and the runner
 * requires consecutive versions. Append it after them when merging.
 */
export const migration010: Migration = {
  version: 10,
  name: 'models',
  up: `
    CREATE TABLE models (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
      kind TEXT NOT NULL CHECK (kind IN ('ntb', 'ffn')),
      benchmark TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      seeds TEXT NOT NULL CHECK (json_valid(seeds)),
      data_range TEXT NOT NULL,
      metrics TEXT NOT NULL CHECK (json_valid(metrics)),
      passed_gate INTEGER NOT NULL CHECK (passed_gate IN (0, 1)),
      model TEXT NOT NULL CHECK (json_valid(model))
    ) STRICT;
    CREATE INDEX models_by_benchmark ON models (benchmark, created_ms);
  `,
};
