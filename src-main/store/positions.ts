/** The positions table: the trader's own option positions, contracts (+ long). */
import type { Db } from './database';

export interface PositionRow {
  instrument: string;
  /** Contracts, + long, − short. */
  amount: number;
  updatedMs: number;
}

export class PositionRepository {
  constructor(private readonly db: Db) {}

  list(): PositionRow[] {
    return this.db
      .prepare<[], { instrument: string; amount: number; updated_ms: number }>('SELECT instrument, amount, updated_ms FROM positions ORDER BY instrument')
      .all()
      .map((r) => ({ instrument: r.instrument, amount: r.amount, updatedMs: r.updated_ms }));
  }

  /** Replaces the whole book in one transaction (zero amounts are dropped). */
  replaceAll(positions: readonly { instrument: string; amount: number }[], nowMs: number): PositionRow[] {
    const insert = this.db.prepare('INSERT INTO positions (instrument, amount, updated_ms) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM positions').run();
      for (const p of positions) if (p.amount !== 0) insert.run(p.instrument, p.amount, nowMs);
    })();
    return this.list();
  }
}
