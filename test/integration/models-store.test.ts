/** Migration 010 (models) and the model repository. */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../src-main/store/database';
import { migration010 } from '../../src-main/store/migrations/010_models';
import { ModelRepository } from '../../src-main/store/models';
import { exportPolicy, importPolicy } from '../../src-main/core/learn/network';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer } from '../../src-main/core/learn/train';
import { benchmarkProblem } from '../../src-main/core/learn/benchmarks';

let db: Db | null = null;
afterEach(() => db?.close());

function freshDb(): Db {
  db = openDatabase(':memory:');
  expect(schemaVersion(db)).toBeGreaterThanOrEqual(migration010.version);
  return db;
}

describe('models store', () => {
  it('saves a model with its spec, seeds and metrics and gives back the same policy', () => {
    const repo = new ModelRepository(freshDb());
    const trainer = new HedgeTrainer(benchmarkProblem('B2'), { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', batch: 32, validationPaths: 100 });
    const model = exportPolicy(trainer.policy, { benchmark: 'B2' });
    const id = repo.save({
      name: 'b2-ntb', benchmark: 'B2', createdMs: 1_700_000_000_000, seeds: { init: 1, train: 2, validation: 3, test: 1000 },
      dataRange: 'Black-Scholes paths, sigma 0.2', metrics: { indifference_price: 0.0235 }, passedGate: false, model,
    });
    const [summary] = repo.list('B2');
    expect(summary).toEqual({
      id, name: 'b2-ntb', kind: 'ntb', benchmark: 'B2', createdMs: 1_700_000_000_000, seeds: { init: 1, train: 2, validation: 3, test: 1000 },
      dataRange: 'Black-Scholes paths, sigma 0.2', metrics: { indifference_price: 0.0235 }, passedGate: false, trainingGate: null, gates: [], pathDependent: false,
    });
    const stored = repo.model(id);
    expect(stored).toEqual(model);
    const state = { timeToMaturity: 0.05, logMoneyness: 0.02, spot: 1.02, bsDelta: 0.6, bsGamma: 7, previousPosition: 0.3, impliedVol: 0.2 };
    expect(importPolicy(stored).policy.decide(state)).toBe(trainer.policy.decide(state));
    expect(repo.model(id + 1)).toBeNull();
    expect(repo.list('B1')).toEqual([]);
  });

  it('refuses a duplicate name and a model that is not JSON', () => {
    const database = freshDb();
    const repo = new ModelRepository(database);
    const model = exportPolicy(new HedgeTrainer(benchmarkProblem('B1'), { ...DEFAULT_TRAIN_SETTINGS, kind: 'ffn', batch: 16, validationPaths: 10 }).policy, {});
    const entry = { name: 'm', benchmark: 'B1', createdMs: 1, seeds: {}, dataRange: 'x', metrics: {}, passedGate: true, model };
    repo.save(entry);
    expect(() => repo.save(entry)).toThrow(/UNIQUE/);
    expect(() => database.prepare("INSERT INTO models (name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate, model) VALUES ('n', 'ntb', 'B1', 1, '{}', 'x', '{}', 0, '{')").run()).toThrow(/CHECK/);
    const plan = database.prepare("EXPLAIN QUERY PLAN SELECT id FROM models WHERE benchmark = 'B1' ORDER BY created_ms DESC").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('models_by_benchmark');
  });
});
