/**
 * Migration 011 (model gates per criterion): a model stored under version 10 keeps its one gate, read as an entropic
 * gate with its λ; re-gating it under another criterion keeps that first gate; a gate under the same criterion
 * replaces the earlier one; gates go with their model; the table's constraints hold.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-main/store/database';
import { ModelRepository } from '../../src-main/store/models';
import { exportPolicy } from '../../src-main/core/learn/network';
import { DEFAULT_TRAIN_SETTINGS, HedgeTrainer } from '../../src-main/core/learn/train';
import { benchmarkProblem } from '../../src-main/core/learn/benchmarks';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-m011-');
afterEach(() => temp.remove());

const model = () => exportPolicy(new HedgeTrainer(benchmarkProblem('B1'), { ...DEFAULT_TRAIN_SETTINGS, kind: 'ntb', batch: 16, validationPaths: 10 }).policy, {});
const oldGate = { baseline: 'ww', difference: { value: -0.12, standardError: 0.03 }, passed: true, paths: 10_000, seed: 1000, simulator: 'gbm' };

describe('migration 011: model gates', () => {
  it('reads a version-10 model as one entropic gate, keeps it when another criterion is added, replaces per criterion', () => {
    const path = join(temp.dir, 'm.db');
    const v10 = openDatabase(path, { targetVersion: 10 });
    v10.prepare('INSERT INTO models (name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run('old', 'ntb', 'B1', 5, '{}', 'x', JSON.stringify({ problem: { lambda: 1 }, gate: oldGate }), 1, JSON.stringify(model()));
    v10.close();
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(11);
    const repo = new ModelRepository(db);
    const [old] = repo.list();
    expect(old!.gates).toEqual([{ criterion: { kind: 'entropic', lambda: 1 }, passed: true, createdMs: 5, gate: { ...oldGate, criterion: { kind: 'entropic', lambda: 1 } } }]);

    const es = { baseline: 'ww', difference: { value: 0.05, standardError: 0.02 }, paths: 5000, seed: 1000, simulator: 'gbm' };
    repo.saveGate(old!.id, { criterion: { kind: 'es', alpha: 0.99 }, passed: false, gate: es }, 10);
    expect(repo.summary(old!.id)!.gates.map((g) => [g.criterion, g.passed, g.createdMs])).toEqual([[{ kind: 'entropic', lambda: 1 }, true, 5], [{ kind: 'es', alpha: 0.99 }, false, 10]]);
    // The same criterion again: replaced, not added.
    repo.saveGate(old!.id, { criterion: { kind: 'es', alpha: 0.99 }, passed: true, gate: { ...es, difference: { value: -0.2, standardError: 0.05 } } }, 20);
    const gates = repo.summary(old!.id)!.gates;
    expect(gates).toHaveLength(2);
    expect(gates[1]).toMatchObject({ passed: true, createdMs: 20, gate: { difference: { value: -0.2 } } });
    expect(() => repo.saveGate(999, { criterion: { kind: 'es', alpha: 0.99 }, passed: true, gate: {} }, 1)).toThrow(/model 999 does not exist/);
    expect(() => db.prepare("INSERT INTO model_gates (model_id, criterion, created_ms, passed, gate) VALUES (?, 'es:0.95', 1, 2, '{}')").run(old!.id)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO model_gates (model_id, criterion, created_ms, passed, gate) VALUES (?, 'es:0.95', 1, 1, '{')").run(old!.id)).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO model_gates (model_id, criterion, created_ms, passed, gate) VALUES (999, 'es:0.95', 1, 1, '{}')").run()).toThrow(/FOREIGN KEY/);
    // Gates go with their model.
    repo.delete(old!.id);
    expect(db.prepare('SELECT count(*) FROM model_gates').pluck().get()).toBe(0);
    db.close();
  });

  it('a model saved with its gates lists them in order, and a model without any has none', () => {
    const db = openDatabase(':memory:');
    const repo = new ModelRepository(db);
    const id = repo.save({
      name: 'new', benchmark: 'B1', createdMs: 7, seeds: {}, dataRange: 'x', metrics: {}, passedGate: false, model: model(),
      gates: [{ criterion: { kind: 'mean-variance', riskAversion: 2 }, passed: false, gate: { paths: 1 } }],
    });
    expect(repo.summary(id)!.gates).toEqual([{ criterion: { kind: 'mean-variance', riskAversion: 2 }, passed: false, createdMs: 7, gate: { paths: 1, criterion: { kind: 'mean-variance', riskAversion: 2 } } }]);
    // A re-gate stamped earlier than the training (the app's market clock in a replay of an older session) still
    // lists after the training run's gate: stored order, not createdMs.
    repo.saveGate(id, { criterion: { kind: 'es', alpha: 0.99 }, passed: true, gate: { paths: 2 } }, 3);
    expect(repo.summary(id)!.gates.map((g) => [g.criterion.kind, g.createdMs])).toEqual([['mean-variance', 7], ['es', 3]]);
    const bare = repo.save({ name: 'bare', benchmark: 'B1', createdMs: 8, seeds: {}, dataRange: 'x', metrics: {}, passedGate: false, model: model() });
    expect(repo.summary(bare)!.gates).toEqual([]);
    db.close();
  });

  it('a re-gate on the training criterion updates that criterion\'s gate in place and leaves the training record alone', () => {
    const db = openDatabase(':memory:');
    const repo = new ModelRepository(db);
    const entropic = { kind: 'entropic' as const, lambda: 1 };
    const trainingGate = { baseline: 'ww', difference: { value: -0.12, standardError: 0.03 }, paths: 100_000, seed: 1000, simulator: 'gbm', criterion: entropic };
    const id = repo.save({
      name: 'trained', benchmark: 'B1', createdMs: 7, seeds: {}, dataRange: 'x', metrics: { gate: trainingGate }, passedGate: true, model: model(),
      gates: [{ criterion: entropic, passed: true, gate: trainingGate }],
    });
    expect(repo.summary(id)!.trainingGate).toEqual({ criterion: entropic, passed: true, createdMs: 7, gate: trainingGate });
    repo.saveGate(id, { criterion: { kind: 'es', alpha: 0.99 }, passed: true, gate: { paths: 2 } }, 8);
    // The trader re-gates on the training criterion with other paths: it fails there now.
    const regate = { ...trainingGate, difference: { value: 0.01, standardError: 0.02 }, paths: 5000, seed: 2000 };
    repo.saveGate(id, { criterion: entropic, passed: false, gate: regate }, 9);
    const after = repo.summary(id)!;
    // The criterion keeps its place (the training run's first) with the re-gate's result: what the advisor reads.
    expect(after.gates.map((g) => [g.criterion.kind, g.passed, g.createdMs, g.gate['paths']])).toEqual([['entropic', false, 9, 5000], ['es', true, 8, 2]]);
    // What training measured is unchanged.
    expect(after.trainingGate).toEqual({ criterion: entropic, passed: true, createdMs: 7, gate: trainingGate });
    expect(after.passedGate).toBe(true);
    db.close();
  });

  it('reads a version-10 model\'s one gate as its training gate too', () => {
    const db = openDatabase(':memory:');
    const repo = new ModelRepository(db);
    const id = repo.save({ name: 'old', benchmark: 'B1', createdMs: 5, seeds: {}, dataRange: 'x', metrics: { problem: { lambda: 2 }, gate: oldGate }, passedGate: true, model: model() });
    expect(repo.summary(id)!.trainingGate).toEqual({ criterion: { kind: 'entropic', lambda: 2 }, passed: true, createdMs: 5, gate: { ...oldGate, criterion: { kind: 'entropic', lambda: 2 } } });
    const bare = repo.save({ name: 'bare', benchmark: 'B1', createdMs: 8, seeds: {}, dataRange: 'x', metrics: {}, passedGate: false, model: model() });
    expect(repo.summary(bare)!.trainingGate).toBeNull();
    db.close();
  });
});
