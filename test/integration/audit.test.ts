import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src-main/core/audit/canonicalJson';
import { epochMs, type EpochMs } from '../../src-main/core/units';
import { AuditLog, GENESIS_HASH } from '../../src-main/store/audit';
import { openDatabase, type Db } from '../../src-main/store/database';
import { makeTempDir } from '../helpers/tmp';

// The issue asks for tampering "with sqlite3": the sqlite3 command-line shell (Debian package sqlite3) edits the
// file from outside, as a person would. Where it is not installed, a second better-sqlite3 connection does it.
const HAS_SQLITE3_CLI = spawnSync('sqlite3', ['-version']).status === 0;

function tamper(dbPath: string, sql: string): void {
  if (HAS_SQLITE3_CLI) {
    execFileSync('sqlite3', [dbPath, sql]);
    return;
  }
  const other = openDatabase(dbPath);
  other.exec(sql);
  other.close();
}

const temp = makeTempDir('gammadesk-audit-');
let db: Db;
let dbPath: string;
let now: number;
const clock = (): EpochMs => epochMs(now);

beforeEach(() => {
  dbPath = join(temp.dir, `audit-${Math.random().toString(36).slice(2)}.db`);
  db = openDatabase(dbPath);
  now = Date.UTC(2026, 11, 5, 12, 0, 0);
});
afterEach(() => {
  if (db.open) db.close();
});
afterEach(() => temp.remove());

function fill(log: AuditLog, n: number): void {
  for (let i = 1; i <= n; i += 1) {
    now += 1000;
    log.append({ actor: i % 2 ? 'trader:ana' : 'system:executor', action: `test.step${i}`, subject: `rec-${Math.ceil(i / 3)}`, payload: { i, note: `row, "${i}"\nline two`, legs: [{ amount: i / 10 }] } });
  }
}

describe('AuditLog', () => {
  it('chains every row to the one before with SHA-256 over prev_hash + the canonical row', () => {
    const log = new AuditLog(db, clock);
    fill(log, 5);
    const rows = [...log.rows()];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 0; i < rows.length; i += 1) {
      const r = rows[i]!;
      if (i > 0) expect(r.prevHash).toBe(rows[i - 1]!.hash);
      // Recomputed independently: canonicalJson over the row object (the store splices the text by hand).
      const canonical = canonicalJson({ seq: r.seq, ts_ms: r.tsMs, actor: r.actor, action: r.action, subject: r.subject, payload: JSON.parse(r.payload) as unknown });
      expect(r.hash).toBe(createHash('sha256').update(r.prevHash + canonical).digest('hex'));
    }
    expect(log.verify()).toEqual({ ok: true, rows: 5, head: { seq: 5, hash: rows[4]!.hash } });
  });

  it('an empty log verifies with 0 rows; bad entries are refused before anything is written', () => {
    const log = new AuditLog(db, clock);
    expect(log.verify()).toEqual({ ok: true, rows: 0, head: null });
    expect(() => log.append({ actor: '', action: 'x', subject: 's', payload: null })).toThrow(/audit actor must be a non-empty string/);
    expect(() => log.append({ actor: 'a', action: 'x', subject: 's', payload: { price: Number.NaN } })).toThrow(/\$\.price is NaN/);
    expect(log.count()).toBe(0);
  });

  it('joins the caller transaction: a rolled-back decision leaves no audit row', () => {
    const log = new AuditLog(db, clock);
    fill(log, 2);
    expect(() =>
      db.transaction(() => {
        log.append({ actor: 'trader:ana', action: 'recommendation.approved', subject: 'rec-9', payload: {} });
        throw new Error('state change failed');
      })(),
    ).toThrow(/state change failed/);
    expect(log.count()).toBe(2);
    expect(log.verify()).toMatchObject({ ok: true, rows: 2 });
  });

  describe(`tampering from outside with ${HAS_SQLITE3_CLI ? 'the sqlite3 command-line shell' : 'a second better-sqlite3 connection (no sqlite3 CLI here)'}`, () => {
    it('a changed payload is named as the first broken row', () => {
      const log = new AuditLog(db, clock);
      fill(log, 10);
      db.close();
      tamper(dbPath, `UPDATE audit_log SET payload = replace(payload, '"i":4', '"i":40') WHERE seq = 4;`);
      db = openDatabase(dbPath);
      const result = new AuditLog(db, clock).verify();
      expect(result).toMatchObject({ ok: false, seq: 4, problem: 'changed', rowsChecked: 3 });
      expect(result.ok ? '' : result.message).toMatch(/audit row 4 \(test\.step4 rec-2\) was changed/);
    });

    it('a changed actor or time is detected too, and so is a recomputed hash without re-chaining the rest', () => {
      const log = new AuditLog(db, clock);
      fill(log, 10);
      db.close();
      tamper(dbPath, `UPDATE audit_log SET actor = 'trader:bob' WHERE seq = 7;`);
      db = openDatabase(dbPath);
      expect(new AuditLog(db, clock).verify()).toMatchObject({ ok: false, seq: 7, problem: 'changed' });
      // The forger fixes row 7's own hash: row 8 no longer follows it.
      const row7 = db.prepare('SELECT * FROM audit_log WHERE seq = 7').get() as { ts_ms: number; action: string; subject: string; payload: string; prev_hash: string };
      const forged = createHash('sha256')
        .update(row7.prev_hash + canonicalJson({ seq: 7, ts_ms: row7.ts_ms, actor: 'trader:bob', action: row7.action, subject: row7.subject, payload: JSON.parse(row7.payload) as unknown }))
        .digest('hex');
      db.close();
      tamper(dbPath, `UPDATE audit_log SET hash = '${forged}' WHERE seq = 7;`);
      db = openDatabase(dbPath);
      expect(new AuditLog(db, clock).verify()).toMatchObject({ ok: false, seq: 8, problem: 'inserted', rowsChecked: 7 });
    });

    it('a deleted row is named by its missing seq', () => {
      const log = new AuditLog(db, clock);
      fill(log, 10);
      db.close();
      tamper(dbPath, 'DELETE FROM audit_log WHERE seq IN (5, 6);');
      db = openDatabase(dbPath);
      const result = new AuditLog(db, clock).verify();
      expect(result).toMatchObject({ ok: false, seq: 5, problem: 'deleted', rowsChecked: 4 });
      expect(result.ok ? '' : result.message).toMatch(/rows 5–6 are missing \(deleted\); the next row present is 7/);
    });

    it('an inserted row with a self-consistent hash but no link to its predecessor is named', () => {
      const log = new AuditLog(db, clock);
      fill(log, 3);
      const fakePrev = 'f'.repeat(64);
      const payload = canonicalJson({ approved: true });
      const hash = createHash('sha256').update(fakePrev + canonicalJson({ seq: 4, ts_ms: 1, actor: 'trader:eve', action: 'recommendation.approved', subject: 'rec-1', payload: { approved: true } })).digest('hex');
      db.close();
      tamper(dbPath, `INSERT INTO audit_log VALUES (4, 1, 'trader:eve', 'recommendation.approved', 'rec-1', '${payload}', '${fakePrev}', '${hash}');`);
      db = openDatabase(dbPath);
      expect(new AuditLog(db, clock).verify()).toMatchObject({ ok: false, seq: 4, problem: 'inserted', rowsChecked: 3 });
    });

    it('cutting rows off the end keeps a valid chain on its own; against a kept head it is named', () => {
      const log = new AuditLog(db, clock);
      fill(log, 6);
      const head = log.head()!;
      db.close();
      tamper(dbPath, 'DELETE FROM audit_log WHERE seq >= 5;');
      db = openDatabase(dbPath);
      expect(new AuditLog(db, clock).verify()).toMatchObject({ ok: true, rows: 4 });
      const result = new AuditLog(db, clock).verify(head);
      expect(result).toMatchObject({ ok: false, seq: 5, problem: 'truncated', rowsChecked: 4 });
      expect(result.ok ? '' : result.message).toBe('audit rows 5–6 are missing: the log ends at row 4, the kept head is row 6');
    });

    it('a row rewritten and every later row re-hashed is caught by the kept head', () => {
      const log = new AuditLog(db, clock);
      fill(log, 6);
      const head = log.head()!;
      // The forger rewrites row 3 and re-chains 3..6 with correct hashes.
      const rows = [...log.rows()];
      let prev = rows[1]!.hash;
      const statements: string[] = [];
      for (const r of rows.slice(2)) {
        const payload = r.seq === 3 ? canonicalJson({ forged: true }) : r.payload;
        const hash = createHash('sha256').update(prev + canonicalJson({ seq: r.seq, ts_ms: r.tsMs, actor: r.actor, action: r.action, subject: r.subject, payload: JSON.parse(payload) as unknown })).digest('hex');
        statements.push(`UPDATE audit_log SET payload = '${payload.replaceAll("'", "''")}', prev_hash = '${prev}', hash = '${hash}' WHERE seq = ${r.seq};`);
        prev = hash;
      }
      db.close();
      tamper(dbPath, statements.join(' '));
      db = openDatabase(dbPath);
      expect(new AuditLog(db, clock).verify()).toMatchObject({ ok: true, rows: 6 });
      expect(new AuditLog(db, clock).verify(head)).toMatchObject({ ok: false, seq: 6, problem: 'changed' });
    });
  });

  it('exports CSV and JSON that parse back to the stored rows, through a slow reader (backpressure)', async () => {
    const log = new AuditLog(db, clock);
    fill(log, 3000);
    const collect = async (run: (out: PassThrough) => Promise<number>): Promise<{ text: string; count: number }> => {
      const out = new PassThrough({ highWaterMark: 1024 });
      const chunks: Buffer[] = [];
      out.on('data', (chunk: Buffer) => chunks.push(chunk));
      const count = await run(out);
      out.end();
      return { text: Buffer.concat(chunks).toString('utf8'), count };
    };
    const stored = [...log.rows()];
    const json = await collect((out) => log.exportJson(out));
    expect(json.count).toBe(3000);
    const parsed = JSON.parse(json.text) as { seq: number; payload: unknown; hash: string; prev_hash: string; actor: string; time_utc: string }[];
    expect(parsed).toHaveLength(3000);
    expect(parsed[41]).toMatchObject({ seq: 42, payload: JSON.parse(stored[41]!.payload) as unknown, hash: stored[41]!.hash, prev_hash: stored[41]!.prevHash, actor: stored[41]!.actor, time_utc: new Date(stored[41]!.tsMs).toISOString() });

    const csv = await collect((out) => log.exportCsv(out));
    expect(csv.count).toBe(3000);
    const records = parseCsv(csv.text);
    expect(records[0]).toEqual(['seq', 'ts_ms', 'time_utc', 'actor', 'action', 'subject', 'payload', 'prev_hash', 'hash']);
    expect(records).toHaveLength(3001);
    expect(records[7]).toEqual([String(stored[6]!.seq), String(stored[6]!.tsMs), new Date(stored[6]!.tsMs).toISOString(), stored[6]!.actor, stored[6]!.action, stored[6]!.subject, stored[6]!.payload, stored[6]!.prevHash, stored[6]!.hash]);

    const empty = await collect((out) => new AuditLog(openDatabase(':memory:'), clock).exportJson(out));
    expect(JSON.parse(empty.text)).toEqual([]);
  });

  it('reads one subject’s rows', () => {
    const log = new AuditLog(db, clock);
    fill(log, 9);
    expect([...log.rows({ subject: 'rec-2', pageSize: 2 })].map((r) => r.seq)).toEqual([4, 5, 6]);
  });
});

/** A small RFC 4180 reader (quoted cells with commas, quotes and line breaks), written here to check the export. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(cell);
      records.push(record);
      record = [];
      cell = '';
      i += 1;
    } else cell += ch;
  }
  return records;
}
