/**
 * Schema migrations, one test per migration (Signal-Desktop style), against real SQLite files.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, type Db } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { MIGRATIONS } from '../../src-main/store/migrations';
import { makeTempDir } from '../helpers/tmp';

let tmp: { dir: string; remove: () => void };
let dbPath: string;
const open: Db[] = [];

function openDb(options: Parameters<typeof openDatabase>[1] = {}): Db {
  const db = openDatabase(dbPath, options);
  open.push(db);
  return db;
}

const columns = (db: Db, table: string): { name: string; type: string; notnull: number; pk: number }[] =>
  db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; notnull: number; pk: number }[];

const tables = (db: Db): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

const LATEST = MIGRATIONS.at(-1)!.version;

/** Open file descriptors of this process that point at the database or its -wal/-shm files (Linux). */
const openHandles = (file: string): number =>
  fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(file);
    } catch {
      return false;
    }
  }).length;

const plan = (db: Db, sql: string, ...params: unknown[]): string =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');

beforeEach(() => {
  tmp = makeTempDir();
  dbPath = path.join(tmp.dir, 'nested', 'gammadesk.db');
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  tmp.remove();
});

describe('openDatabase', () => {
  it('creates missing folders, turns WAL and foreign keys on', () => {
    const db = openDb();
    expect(fs.existsSync(dbPath)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    db.prepare("INSERT INTO settings (key, value, updated_ms) VALUES ('a', 'b', 1)").run();
    expect(fs.existsSync(`${dbPath}-wal`)).toBe(true);
  });

  it('migrates a new database to the latest version', () => {
    const db = openDb();
    expect(schemaVersion(db)).toBe(LATEST);
    expect(LATEST).toBeGreaterThanOrEqual(3);
  });

  it('migrations are numbered 1, 2, … without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });
});

describe('migration 001: event log', () => {
  it('creates sessions, events and settings with the expected columns, and nothing else', () => {
    const db = openDb({ targetVersion: 1 });
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).toEqual(['events', 'sessions', 'settings']);
    expect(columns(db, 'sessions').map((c) => [c.name, c.type, c.notnull, c.pk])).toEqual([
      ['id', 'INTEGER', 0, 1],
      ['name', 'TEXT', 1, 0],
      ['source', 'TEXT', 1, 0],
      ['created_ms', 'INTEGER', 1, 0],
      ['first_event_ms', 'INTEGER', 0, 0],
      ['last_event_ms', 'INTEGER', 0, 0],
      ['event_count', 'INTEGER', 1, 0],
      ['meta', 'TEXT', 1, 0],
    ]);
    expect(columns(db, 'events').map((c) => [c.name, c.type, c.notnull, c.pk])).toEqual([
      ['session_id', 'INTEGER', 1, 1],
      ['seq', 'INTEGER', 1, 2],
      ['ts_event', 'INTEGER', 1, 0],
      ['ts_recv', 'INTEGER', 1, 0],
      ['type', 'TEXT', 1, 0],
      ['instrument', 'TEXT', 0, 0],
      ['payload', 'TEXT', 1, 0],
    ]);
    expect(columns(db, 'settings').map((c) => c.name)).toEqual(['key', 'value', 'updated_ms']);
  });

  it('events are append-only: UPDATE is refused by the trigger; deleting a session cascades to its events', () => {
    const db = openDb({ targetVersion: 1 });
    db.prepare("INSERT INTO sessions (id, name, source, created_ms) VALUES (1, 's', 'demo', 0)").run();
    const insert = db.prepare("INSERT INTO events VALUES (1, ?, 0, 0, 'index', NULL, '{}')");
    insert.run(1);
    insert.run(2);
    expect(() => db.prepare("UPDATE events SET payload = 'x' WHERE seq = 1").run()).toThrow(
      /events are append-only: rows cannot be updated/,
    );
    expect(db.prepare('SELECT payload FROM events WHERE seq = 1').pluck().get()).toBe('{}');
    db.prepare('DELETE FROM sessions WHERE id = 1').run();
    expect(db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0);
  });

  it('enforces the schema: unique session names, known sources, existing sessions, unique (session, seq), STRICT types', () => {
    const db = openDb({ targetVersion: 1 });
    const addSession = db.prepare('INSERT INTO sessions (name, source, created_ms) VALUES (?, ?, 0)');
    addSession.run('a', 'demo');
    expect(() => addSession.run('a', 'demo')).toThrow(/UNIQUE/);
    expect(() => addSession.run('b', 'nasdaq')).toThrow(/CHECK/);
    const addEvent = db.prepare("INSERT INTO events VALUES (?, ?, ?, 0, 'index', NULL, '{}')");
    expect(() => addEvent.run(99, 1, 0)).toThrow(/FOREIGN KEY/);
    addEvent.run(1, 1, 0);
    expect(() => addEvent.run(1, 1, 0)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => addEvent.run(1, 2, 'yesterday')).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('reading a session by seq uses the primary key; by time uses events_by_time; neither sorts', () => {
    const db = openDb({ targetVersion: 1 });
    const bySeq = plan(db, 'SELECT payload FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?', 1, 0, 10);
    expect(bySeq).toMatch(/SEARCH events USING PRIMARY KEY \(session_id=\? AND seq>\?\)/);
    expect(bySeq).not.toMatch(/TEMP B-TREE/);
    const byTime = plan(
      db,
      'SELECT payload FROM events WHERE session_id = ? AND ts_event >= ? AND ts_event < ? ORDER BY ts_event',
      1,
      0,
      10,
    );
    expect(byTime).toMatch(/SEARCH events USING INDEX events_by_time \(session_id=\? AND ts_event>\? AND ts_event<\?\)/);
    expect(byTime).not.toMatch(/TEMP B-TREE/);
  });

  it('the query plans hold with data and statistics too', () => {
    const db = openDb({ targetVersion: 1 });
    db.prepare("INSERT INTO sessions (id, name, source, created_ms) VALUES (1, 'a', 'demo', 0), (2, 'b', 'demo', 0)").run();
    const insert = db.prepare("INSERT INTO events VALUES (?, ?, ?, ?, 'index', NULL, '{}')");
    db.transaction(() => {
      for (let i = 1; i <= 2000; i++) insert.run(1 + (i % 2), i, 1000 * i, 1000 * i);
    })();
    db.exec('ANALYZE');
    expect(plan(db, 'SELECT payload FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?', 1, 0, 10)).toMatch(
      /USING PRIMARY KEY/,
    );
    expect(plan(db, 'SELECT payload FROM events WHERE session_id = ? AND ts_event BETWEEN ? AND ? ORDER BY ts_event', 1, 0, 5000)).toMatch(
      /USING INDEX events_by_time/,
    );
  });
});

describe('migration 002: instruments', () => {
  it('adds the instruments table and its expiry index on top of version 1, keeping existing data', () => {
    const v1 = openDb({ targetVersion: 1 });
    v1.prepare("INSERT INTO sessions (name, source, created_ms) VALUES ('kept', 'demo', 5)").run();
    expect(tables(v1)).not.toContain('instruments');
    v1.close();

    const db = openDb({ targetVersion: 2 });
    expect(schemaVersion(db)).toBe(2);
    // Once a release has shipped, a migration never changes (databases past it would not get the change): from
    // then on, if this fails because 002 was edited, put the change in a new migration instead.
    expect(
      columns(db, 'instruments').map((c) => [c.name, c.type, c.notnull]),
      'migration 002 produces the schema it shipped with',
    ).toEqual([
      ['name', 'TEXT', 1], // STRICT: the TEXT primary key is NOT NULL (plain tables would allow NULL keys)
      ['currency', 'TEXT', 1],
      ['kind', 'TEXT', 1],
      ['settlement', 'TEXT', 1],
      ['expiry_ms', 'INTEGER', 0],
      ['strike_usd', 'REAL', 0],
      ['option_type', 'TEXT', 0],
      ['contract_size', 'REAL', 1],
      ['tick_size', 'REAL', 1],
      ['min_trade_amount', 'REAL', 1],
      ['maker_commission', 'REAL', 0], // null: the source gave no fees (Tardis files)
      ['taker_commission', 'REAL', 0],
      ['source', 'TEXT', 1],
      ['updated_ms', 'INTEGER', 1],
    ]);
    expect(columns(db, 'instruments').find((c) => c.name === 'name')!.pk).toBe(1);
    const index = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'instruments_by_expiry'").pluck().get();
    expect(index).toMatch(/ON instruments \(currency, expiry_ms\)/);
    expect(db.prepare('SELECT name FROM sessions').pluck().all()).toEqual(['kept']);
    expect(plan(db, 'SELECT name FROM instruments WHERE currency = ? AND expiry_ms = ?', 'BTC', 1)).toMatch(
      /USING INDEX instruments_by_expiry/,
    );
  });

  it('checks kinds, settlements and option types', () => {
    const db = openDb({ targetVersion: 2 });
    const insert = db.prepare(
      `INSERT INTO instruments VALUES (?, 'BTC', ?, ?, NULL, NULL, ?, 1, 0.5, 10, 0, 0.0005, 'test', 0)`,
    );
    insert.run('BTC-PERPETUAL', 'perpetual', 'inverse', null);
    expect(() => insert.run('X', 'swap', 'inverse', null)).toThrow(/CHECK/);
    expect(() => insert.run('Y', 'option', 'quanto', 'call')).toThrow(/CHECK/);
    expect(() => insert.run('Z', 'option', 'inverse', 'straddle')).toThrow(/CHECK/);
  });
});

describe('migration 003: session payload bytes', () => {
  it('adds sessions.payload_bytes and backfills it from the events already stored', () => {
    const v2 = openDb({ targetVersion: 2 });
    v2.prepare("INSERT INTO sessions (id, name, source, created_ms) VALUES (1, 'full', 'demo', 0), (2, 'empty', 'demo', 0)").run();
    const insert = v2.prepare("INSERT INTO events VALUES (1, ?, 0, 0, 'index', NULL, ?)");
    insert.run(1, '{"a":1}'); // 7 characters
    insert.run(2, '{"bb":22}'); // 9 characters
    expect(columns(v2, 'sessions').map((c) => c.name)).not.toContain('payload_bytes');
    v2.close();

    const db = openDb({ targetVersion: 3 });
    expect(schemaVersion(db)).toBe(3);
    const column = columns(db, 'sessions').find((c) => c.name === 'payload_bytes');
    expect(column).toMatchObject({ type: 'INTEGER', notnull: 1 });
    expect(db.prepare('SELECT id, payload_bytes FROM sessions ORDER BY id').all()).toEqual([
      { id: 1, payload_bytes: 16 },
      { id: 2, payload_bytes: 0 },
    ]);
    // New sessions start at 0.
    db.prepare("INSERT INTO sessions (name, source, created_ms) VALUES ('new', 'demo', 0)").run();
    expect(db.prepare("SELECT payload_bytes FROM sessions WHERE name = 'new'").pluck().get()).toBe(0);
  });
});

describe('migration 004: positions', () => {
  it('adds the positions table (instrument key, non-zero amount) on top of version 3', () => {
    const v3 = openDb({ targetVersion: 3 });
    expect(tables(v3)).not.toContain('positions');
    v3.close();
    const db = openDb({ targetVersion: 4 });
    expect(schemaVersion(db)).toBe(4);
    expect(columns(db, 'positions').map((c) => [c.name, c.type, c.notnull, c.pk])).toEqual([
      ['instrument', 'TEXT', 1, 1],
      ['amount', 'REAL', 1, 0],
      ['updated_ms', 'INTEGER', 1, 0],
    ]);
    db.prepare("INSERT INTO positions VALUES ('BTC-27DEC26-100000-C', 10, 1)").run();
    expect(() => db.prepare("INSERT INTO positions VALUES ('BTC-27DEC26-90000-C', 0, 1)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO positions VALUES ('BTC-27DEC26-100000-C', 5, 1)").run()).toThrow(/UNIQUE|PRIMARY KEY/);
  });
});

describe('migration 005: journal', () => {
  it('gives sessions a kind: recordings stay recordings, Tardis sessions become imports, and only the three kinds exist', () => {
    const v4 = openDb({ targetVersion: 4 });
    v4.prepare("INSERT INTO sessions (name, source, created_ms) VALUES ('mine', 'demo', 1), ('tardis file', 'tardis', 2)").run();
    v4.close();
    const db = openDb({ targetVersion: 5 });
    expect(schemaVersion(db)).toBe(5);
    expect(db.prepare('SELECT name, kind FROM sessions ORDER BY id').all()).toEqual([
      { name: 'mine', kind: 'recording' },
      { name: 'tardis file', kind: 'import' },
    ]);
    db.prepare("INSERT INTO sessions (name, source, created_ms, kind) VALUES ('j', 'demo', 3, 'journal')").run();
    expect(() => db.prepare("INSERT INTO sessions (name, source, created_ms, kind) VALUES ('x', 'demo', 4, 'other')").run()).toThrow(/CHECK/);
    // The journal's roll-off and the session list find segments by kind through the index.
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT id FROM sessions WHERE kind = 'journal' ORDER BY id").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/sessions_by_kind/);
  });
});

describe('migration 007: the book (futures, perpetuals, average price)', () => {
  it('keeps every position entered before, with an unknown price in its coin, and adds price and currency', () => {
    const v6 = openDb({ targetVersion: 6 });
    v6.prepare("INSERT INTO positions VALUES ('BTC-27DEC26-100000-C', 10, 1), ('ETH-27DEC26-3000-P', -2.5, 2)").run();
    v6.close();
    const db = openDb({ targetVersion: 7 });
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare('SELECT instrument, amount, average_price, price_currency, updated_ms FROM positions ORDER BY instrument').all()).toEqual([
      { instrument: 'BTC-27DEC26-100000-C', amount: 10, average_price: null, price_currency: 'BTC', updated_ms: 1 },
      { instrument: 'ETH-27DEC26-3000-P', amount: -2.5, average_price: null, price_currency: 'ETH', updated_ms: 2 },
    ]);
    const insert = db.prepare('INSERT INTO positions (instrument, amount, average_price, price_currency, updated_ms) VALUES (?, ?, ?, ?, ?)');
    insert.run('BTC-PERPETUAL', -25000, 91000.5, 'USD', 3);
    expect(() => insert.run('BTC-27DEC26', 10, -1, 'USD', 4)).toThrow(/CHECK/);
    expect(() => insert.run('BTC-27DEC26', 10, 1, 'EUR', 4)).toThrow(/CHECK/);
  });
});

describe('migration 006: import staging', () => {
  it('adds sessions.staging_pid (NULL for every existing session), found through a partial index', () => {
    const v5 = openDb({ targetVersion: 5 });
    v5.prepare("INSERT INTO sessions (name, source, created_ms, kind) VALUES ('mine', 'demo', 1, 'recording'), ('tardis file', 'tardis', 2, 'import')").run();
    v5.close();
    const db = openDb({ targetVersion: 6 });
    expect(schemaVersion(db)).toBe(6);
    expect(columns(db, 'sessions').find((c) => c.name === 'staging_pid')).toMatchObject({ type: 'INTEGER', notnull: 0 });
    expect(db.prepare('SELECT name, staging_pid FROM sessions ORDER BY id').all()).toEqual([
      { name: 'mine', staging_pid: null },
      { name: 'tardis file', staging_pid: null },
    ]);
    // STRICT: a pid is an integer.
    expect(() => db.prepare("UPDATE sessions SET staging_pid = 'abc' WHERE name = 'mine'").run()).toThrow(/cannot store TEXT value in INTEGER column/);
    // The start-up cleanup finds the staging sessions through the partial index, not a scan of every session.
    expect(plan(db, 'SELECT * FROM sessions WHERE staging_pid IS NOT NULL')).toMatch(/sessions_staging/);
  });

  it('staging sessions are hidden from the list, names and ids, completed in one step, and removed once their process is gone', () => {
    const db = openDb();
    const log = new EventLog(db);
    const staging = log.createStagingSession('tardis', 1, 999_999);
    expect(log.listSessions()).toEqual([]);
    expect(log.findSession(staging.id)).toBeNull();
    const mine = log.createStagingSession('tardis', 2, process.pid);
    // The name the staging import will take stays free meanwhile; the first to complete gets it.
    log.createSession('taken', 'tardis', 3);
    expect(() => log.completeStaging(mine.id, 'taken', 1, [])).toThrow(/a session named "taken" exists already/);
    expect(log.completeStaging(mine.id, 'done', 1, []).name).toBe('done');
    expect(log.listSessions().map((r) => r.name)).toEqual(['taken', 'done']);
    // Only the dead process's staging session goes; a running import (this process) is left alone.
    const other = log.createStagingSession('tardis', 4, process.pid);
    expect(log.removeAbandonedStaging((pid) => pid !== 999_999).map((r) => r.id)).toEqual([staging.id]);
    expect(log.removeAbandonedStaging()).toEqual([]);
    expect(db.prepare('SELECT id FROM sessions WHERE staging_pid IS NOT NULL').pluck().all()).toEqual([other.id]);
  });
});

describe('file permissions', () => {
  it.runIf(process.platform !== 'win32')('creates its folder 0700 and the database, WAL and SHM files 0600, and tightens an existing 0644 file', () => {
    const dir = path.join(path.dirname(dbPath), 'private', 'nested');
    const file = path.join(dir, 'owner-only.db');
    const db = openDatabase(file);
    db.prepare("INSERT INTO sessions (name, source, created_ms) VALUES ('s', 'demo', 1)").run();
    const mode = (p: string): number => fs.statSync(p).mode & 0o777;
    expect(mode(path.join(path.dirname(dbPath), 'private'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
    db.close();
    fs.chmodSync(file, 0o644);
    openDatabase(file).close();
    expect(mode(file)).toBe(0o600);
  });
});

describe('reopening and versions', () => {
  it('reopening an already migrated database is a no-op: same schema, same data, same version', () => {
    const first = openDb();
    first.prepare("INSERT INTO sessions (name, source, created_ms) VALUES ('s', 'demo', 1)").run();
    const schema = first.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    first.close();
    const second = openDb();
    expect(schemaVersion(second)).toBe(LATEST);
    expect(second.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()).toEqual(schema);
    expect(second.prepare('SELECT COUNT(*) FROM sessions').pluck().get()).toBe(1);
    expect(migrate(second, MIGRATIONS)).toBe(LATEST);
  });

  it('refuses a database with a newer user_version than it knows, with a clear error, and leaves it untouched', () => {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    const raw = new Database(dbPath);
    raw.exec('CREATE TABLE future_thing (x INTEGER)');
    raw.pragma(`user_version = ${LATEST + 5}`);
    raw.close();
    expect(() => openDb()).toThrow(
      `database schema version ${LATEST + 5} is newer than this GammaDesk build knows (${LATEST})`,
    );
    const check = new Database(dbPath, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(LATEST + 5);
    expect(tables(check)).toEqual(['future_thing']);
    check.close();
  });

  it.runIf(process.platform === 'linux')('a refused database is closed again (no file handles left open)', () => {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    const raw = new Database(dbPath);
    raw.pragma(`user_version = ${LATEST + 1}`);
    raw.close();
    expect(openHandles(dbPath)).toBe(0);
    expect(() => openDb()).toThrow(/is newer than this GammaDesk build knows/);
    expect(openHandles(dbPath)).toBe(0);
  });

  it('a failing migration rolls back completely: no half-made tables, version unchanged', () => {
    const db = openDb({ targetVersion: 1 });
    const broken = [
      ...MIGRATIONS,
      { version: LATEST + 1, name: 'broken', up: 'CREATE TABLE half_made (x INTEGER); CREATE TABLE oops (' },
    ];
    expect(() => migrate(db, broken)).toThrow(/syntax error|incomplete input/);
    expect(schemaVersion(db)).toBe(LATEST); // the good migrations committed, each in its own transaction
    expect(tables(db)).not.toContain('half_made');
    expect(tables(db)).toContain('instruments');
  });

  it('refuses a gap in the numbering', () => {
    const db = openDb({ targetVersion: 1 });
    const gap = [MIGRATIONS[0]!, { version: 3, name: 'skipped_two', up: 'CREATE TABLE never (x INTEGER)' }];
    expect(() => migrate(db, gap)).toThrow('migration 3 (skipped_two) does not follow version 1');
    expect(tables(db)).not.toContain('never');
    expect(schemaVersion(db)).toBe(1);
  });

  it('readonly opening does not migrate and refuses writes', () => {
    openDb({ targetVersion: 1 }).close();
    const ro = openDb({ readonly: true });
    expect(schemaVersion(ro)).toBe(1);
    expect(() => ro.prepare("INSERT INTO settings VALUES ('a', 'b', 1)").run()).toThrow(/readonly/);
  });
});
