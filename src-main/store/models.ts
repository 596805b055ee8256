/** The models table (migration 010): trained hedge policies with their spec, seeds, data range and metrics. */
import type { PolicyModelJson } from '../core/learn/network';
import type { Db } from './database';

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
  passedGate: boolean;
}

/** A model to store: its summary fields (the kind comes from the model JSON) and the model itself. */
export interface NewModel extends Omit<StoredModelSummary, 'id' | 'kind'> {
  model: PolicyModelJson;
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
}

function summary(row: Row): StoredModelSummary {
  return {
    id: row.id, name: row.name, kind: row.kind, benchmark: row.benchmark, createdMs: row.created_ms,
    seeds: JSON.parse(row.seeds) as Record<string, number>, dataRange: row.data_range,
    metrics: JSON.parse(row.metrics) as Record<string, unknown>, passedGate: row.passed_gate === 1,
  };
}

export class ModelRepository {
  constructor(private readonly db: Db) {}

  /** Stores a model; returns its id. A duplicate name is an error (SQLite UNIQUE constraint). */
  save(entry: NewModel): number {
    const result = this.db
      .prepare('INSERT INTO models (name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate, model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(entry.name, entry.model.kind, entry.benchmark, entry.createdMs, JSON.stringify(entry.seeds), entry.dataRange,
        JSON.stringify(entry.metrics), entry.passedGate ? 1 : 0, JSON.stringify(entry.model));
    return Number(result.lastInsertRowid);
  }

  /** Summaries (no weights), newest first; optionally one benchmark only. */
  list(benchmark?: string): StoredModelSummary[] {
    const sql = 'SELECT id, name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate FROM models';
    const rows = benchmark === undefined
      ? this.db.prepare<[], Row>(`${sql} ORDER BY created_ms DESC, id DESC`).all()
      : this.db.prepare<[string], Row>(`${sql} WHERE benchmark = ? ORDER BY created_ms DESC, id DESC`).all(benchmark);
    return rows.map(summary);
  }

  /** The stored model JSON, or null for an unknown id. */
  model(id: number): PolicyModelJson | null {
    const text = this.db.prepare<[number], string>('SELECT model FROM models WHERE id = ?').pluck().get(id);
    return text === undefined ? null : (JSON.parse(text) as PolicyModelJson);
  }

  /** One model's summary, or null for an unknown id. */
  summary(id: number): StoredModelSummary | null {
    const row = this.db.prepare<[number], Row>('SELECT id, name, kind, benchmark, created_ms, seeds, data_range, metrics, passed_gate FROM models WHERE id = ?').get(id);
    return row === undefined ? null : summary(row);
  }

  /** Whether a model of this name is stored. */
  hasName(name: string): boolean {
    return this.db.prepare<[string], number>('SELECT 1 FROM models WHERE name = ?').pluck().get(name) !== undefined;
  }

  /** Deletes a model; false when no model had that id. */
  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM models WHERE id = ?').run(id).changes > 0;
  }
}
