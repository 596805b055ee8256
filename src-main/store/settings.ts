/** The settings table: small JSON values by key (the journal's size limit, …), each stamped when changed. */
import type { Db } from './database';

export class SettingsRepository {
  constructor(private readonly db: Db) {}

  get<T>(key: string): T | null {
    const value = this.db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck().get(key);
    return value === undefined ? null : (JSON.parse(value) as T);
  }

  set(key: string, value: unknown, nowMs: number): void {
    this.db
      .prepare('INSERT INTO settings (key, value, updated_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_ms = excluded.updated_ms')
      .run(key, JSON.stringify(value), nowMs);
  }
}
