/**
 * The models table (migration 010): trained hedge policies with their spec, seeds, data range and metrics; and their
 * gate results per criterion (migration 011, `model_gates`).
 */
import { criterionKey, type Criterion } from '../core/learn/criterion';
import type { PolicyModelJson } from '../core/learn/network';
import type { Statement } from 'better-sqlite3';
import type { Db } from './database';

/** One gate result of a model: under `criterion`, passed or not, with whatever else the gate recorded (JSON). */
export interface StoredGate {
  criterion: Criterion;
  passed: boolean;
  createdMs: number;
  /** The gate as recorded (difference, standard error, paths, seed, path model, criterion). */
  gate: Record<string, unknown>;
}

export interface StoredModelSummary {
  id: number;
  name: string;
  kind: 'ntb' | 'ffn';
  benchmark: string;
  createdMs: number;
  seeds: Record<string, number>;
  /** What the model was trained on, e.g. "Black-Scholes paths, sigma 0.2" or "BTC hourly 2018-01-01..2021-01-01". */
  dataRange: string;
  metrics: Record<string, unknown>;
  /** Whether it passed the gate it was trained with (`trainingGate`; `gates` holds every criterion's). */
  passedGate: boolean;
  /**
   * The gate of its training run as training measured it (`metrics.gate`, stored with the model and never
   * rewritten: a re-gate on the same criterion changes `gates`, not this); null when none was recorded.
   */
  trainingGate: StoredGate | null;
  /**
   * The latest gate result per criterion (what the advisor goes by), in the order the criteria were first stored
   * (the training run's first; a re-gate updates its criterion's entry in place): not by `createdMs`, whose clocks
   * differ (the app's market clock, which a replay sets in the past; the CLI's wall clock).
   */
  gates: StoredGate[];
  /**
   * Whether the network reads the hedge's P&L so far (input `hedge_pnl`, decision 0037): a path-dependent band for
   * one option hedged from its start, for benchmarks and evaluations; the hedge advisor refuses it.
   */
  pathDependent: boolean;
}

/** A model to store: its summary fields (the kind comes from the model JSON) and the model itself. */
export interface NewModel extends Omit<StoredModelSummary, 'id' | 'kind' | 'gates' | 'trainingGate' | 'pathDependent'> {
  model: PolicyModelJson;
  /** Gate results to store with it (the training run's, under the trader's criterion then). */
  gates?: Omit<StoredGate, 'createdMs'>[];
}

interface GateRow {
  criterion: string;
  created_ms: number;
  passed: number;
  gate: string;
}

interface Row {
  id: number;
  name: string;
  kind: 'ntb' | 'ffn';
  benchmark: string;
  created_ms: number;
  seeds: string;
  data_range: string;
  metrics: string;
  passed_gate: number;
  path_dependent: number;
}

/** The summary columns; `path_dependent` read from the model JSON's inputs. */
const SUMMARY_COLUMNS = `id, name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate,
  EXISTS (SELECT 1 FROM json_each(models.model, '$.inputs') WHERE json_extract(value, '$.name') = 'hedge_pnl') AS path_dependent`;

/**
 * The training run's gate, from the model's own row (`metrics.gate`, `passed_gate`). A model stored before migration
 * 011 has this one gate only, without a criterion: read as an entropic gate with the model's λ
 * (metrics.problem.lambda, 1 when not recorded), which is what it was.
 */
function trainingGateOf(row: Row, metrics: Record<string, unknown>): StoredGate | null {
  const gate = metrics['gate'] as Record<string, unknown> | undefined;
  if (gate === undefined || gate === null || typeof gate !== 'object') return null;
  const lambda = (metrics['problem'] as { lambda?: unknown } | undefined)?.lambda;
  const criterion = (gate['criterion'] as Criterion | undefined) ?? { kind: 'entropic', lambda: typeof lambda === 'number' ? lambda : 1 };
  return { criterion, passed: row.passed_gate === 1, createdMs: row.created_ms, gate: { ...gate, criterion } };
}

export class ModelRepository {
  /** Writes through this repository (save, saveGate, delete): with `data_version`, the stamp of `changeStamp`. */
  private writes = 0;
  private dataVersion: Statement<[], number> | null = null;

  constructor(private readonly db: Db) {}

  /**
   * Changes when anything this table and `model_gates` hold may have: a write through this repository, or a commit by
   * another connection (`PRAGMA data_version`: `gammadesk models gate|delete` in another process). One prepared
   * pragma, no table read: what a cache of parsed models and gates checks on every use.
   */
  changeStamp(): string {
    this.dataVersion ??= this.db.prepare<[], number>('PRAGMA data_version').pluck();
    return `${this.writes}/${this.dataVersion.get()!}`;
  }

  private toSummary(row: Row): StoredModelSummary {
    const metrics = JSON.parse(row.metrics) as Record<string, unknown>;
    const rows = this.db.prepare<[number], GateRow>('SELECT criterion, created_ms, passed, gate FROM model_gates WHERE model_id = ? ORDER BY rowid').all(row.id);
    const trainingGate = trainingGateOf(row, metrics);
    // A model stored before migration 011 has no rows: its training gate is its one gate.
    const gates = rows.length === 0
      ? (trainingGate ? [trainingGate] : [])
      : rows.map((g): StoredGate => {
        const gate = JSON.parse(g.gate) as Record<string, unknown>;
        return { criterion: gate['criterion'] as Criterion, passed: g.passed === 1, createdMs: g.created_ms, gate };
      });
    return {
      id: row.id, name: row.name, kind: row.kind, benchmark: row.benchmark, createdMs: row.created_ms,
      seeds: JSON.parse(row.seeds) as Record<string, number>, dataRange: row.data_range,
      metrics, passedGate: row.passed_gate === 1, trainingGate, gates, pathDependent: row.path_dependent === 1,
    };
  }

  /**
   * Stores model `id`'s gate under its criterion: a new criterion is added after the others, a criterion gated
   * before is updated in place (an upsert, not INSERT OR REPLACE, whose delete-and-insert moved it to the end of the
   * stored order). The training gate in the model's row is not touched. The first gate of a model stored before
   * migration 011 is written too, so its history is not lost when another criterion is added.
   */
  saveGate(id: number, gate: Omit<StoredGate, 'createdMs'>, createdMs: number): void {
    const existing = this.summary(id);
    if (!existing) throw new RangeError(`model ${id} does not exist`);
    const upsert = this.db.prepare(`INSERT INTO model_gates (model_id, criterion, created_ms, passed, gate) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (model_id, criterion) DO UPDATE SET created_ms = excluded.created_ms, passed = excluded.passed, gate = excluded.gate`);
    this.db.transaction(() => {
      const stored = this.db.prepare<[number], number>('SELECT count(*) FROM model_gates WHERE model_id = ?').pluck().get(id) ?? 0;
      if (stored === 0) for (const old of existing.gates) upsert.run(id, criterionKey(old.criterion), old.createdMs, old.passed ? 1 : 0, JSON.stringify({ ...old.gate, criterion: old.criterion }));
      upsert.run(id, criterionKey(gate.criterion), createdMs, gate.passed ? 1 : 0, JSON.stringify({ ...gate.gate, criterion: gate.criterion }));
    })();
    this.writes++;
  }

  /** Stores a model; returns its id. A duplicate name is an error (SQLite UNIQUE constraint). */
  save(entry: NewModel): number {
    return this.db.transaction(() => {
      const result = this.db
        .prepare('INSERT INTO models (name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(entry.name, entry.model.kind, entry.benchmark, entry.createdMs, JSON.stringify(entry.seeds), entry.dataRange,
          JSON.stringify(entry.metrics), entry.passedGate ? 1 : 0, JSON.stringify(entry.model));
      const id = Number(result.lastInsertRowid);
      const insert = this.db.prepare('INSERT INTO model_gates (model_id, criterion, created_ms, passed, gate) VALUES (?, ?, ?, ?, ?)');
      for (const g of entry.gates ?? []) insert.run(id, criterionKey(g.criterion), entry.createdMs, g.passed ? 1 : 0, JSON.stringify({ ...g.gate, criterion: g.criterion }));
      this.writes++;
      return id;
    })();
  }

  /** Summaries (no weights), newest first; optionally one benchmark only. */
  list(benchmark?: string): StoredModelSummary[] {
    const sql = `SELECT ${SUMMARY_COLUMNS} FROM models`;
    const rows = benchmark === undefined
      ? this.db.prepare<[], Row>(`${sql} ORDER BY created_ms DESC, id DESC`).all()
      : this.db.prepare<[string], Row>(`${sql} WHERE benchmark = ? ORDER BY created_ms DESC, id DESC`).all(benchmark);
    return rows.map((row) => this.toSummary(row));
  }

  /** The stored model JSON, or null for an unknown id. */
  model(id: number): PolicyModelJson | null {
    const text = this.db.prepare<[number], string>('SELECT model FROM models WHERE id = ?').pluck().get(id);
    return text === undefined ? null : (JSON.parse(text) as PolicyModelJson);
  }

  /** One model's summary, or null for an unknown id. */
  summary(id: number): StoredModelSummary | null {
    const row = this.db.prepare<[number], Row>(`SELECT ${SUMMARY_COLUMNS} FROM models WHERE id = ?`).get(id);
    return row === undefined ? null : this.toSummary(row);
  }

  /** Whether a model of this name is stored. */
  hasName(name: string): boolean {
    return this.db.prepare<[string], number>('SELECT 1 FROM models WHERE name = ?').pluck().get(name) !== undefined;
  }

  /** Deletes a model; false when no model had that id. */
  delete(id: number): boolean {
    this.writes++;
    return this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
  }
}
