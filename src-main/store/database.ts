/**
 * Opening the SQLite database: WAL, foreign keys, numbered migrations. One writer per process.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations';
import type { Migration } from './migrations/types';

export type Db = Database.Database;

export interface OpenOptions {
  /** Stop after this migration version (tests of a single migration). */
  targetVersion?: number;
  readonly?: boolean;
  /**
   * Path of a better-sqlite3 binary built for another ABI (Electron's). `npm run electron:fetch` builds one;
   * under plain Node the package's own build is used.
   */
  nativeBinding?: string;
}

/**
 * The database holds the trader's book and decisions: readable by its owner only. A folder GammaDesk creates is
 * 0700; the database file is created (or tightened) to 0600, and SQLite gives its -wal and -shm files the mode
 * of the database file.
 */
function restrictToOwner(path: string, readonly: boolean): void {
  const dir = dirname(path);
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (readonly) return;
  closeSync(openSync(path, 'a', 0o600));
  try {
    chmodSync(path, 0o600);
  } catch {
    // Not the owner (a shared file the user pointed at): SQLite still opens it; its mode is theirs to set.
  }
}

export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:') restrictToOwner(path, options.readonly ?? false);
  const db = new Database(path, {
    readonly: options.readonly ?? false,
    ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
  });
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only an OS crash or power
    // loss can lose the last commits. Recording batches every <= 100 ms, so that is the worst case anyway.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) migrate(db, MIGRATIONS, options.targetVersion);
  } catch (error) {
    // A refused database (newer schema, failed migration) must not stay open behind the caller's back.
    db.close();
    throw error;
  }
  return db;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies pending migrations, each in its own transaction with `PRAGMA user_version` bumped inside it. */
export function migrate(db: Db, migrations: readonly Migration[], targetVersion = Infinity): number {
  let current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(`database schema version ${current} is newer than this GammaDesk build knows (${latest})`);
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > targetVersion) continue;
    if (migration.version !== current + 1) {
      throw new Error(`migration ${migration.version} (${migration.name}) does not follow version ${current}`);
    }
    db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    })();
    current = migration.version;
  }
  return current;
}
