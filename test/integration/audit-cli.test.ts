import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { epochMs } from '../../src-main/core/units';
import { AuditLog } from '../../src-main/store/audit';
import { openDatabase } from '../../src-main/store/database';
import { builtCli } from '../helpers/built';
import { makeTempDir } from '../helpers/tmp';

// `gammadesk audit verify|export` as a user runs it: the built CLI as a child process on a database written by
// the store, then tampered with by the sqlite3 shell (or a second better-sqlite3 connection where it is absent).
const temp = makeTempDir('gammadesk-audit-cli-');
afterAll(() => temp.remove());
const HAS_SQLITE3_CLI = spawnSync('sqlite3', ['-version']).status === 0;

function audit(...args: string[]): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, [builtCli(), 'audit', ...args], { encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function makeLog(path: string, rows: number): void {
  const db = openDatabase(path);
  let now = Date.UTC(2026, 11, 5, 12);
  const log = new AuditLog(db, () => epochMs((now += 1000)));
  for (let i = 1; i <= rows; i += 1) log.append({ actor: 'trader:ana', action: i === 1 ? 'recommendation.proposed' : 'recommendation.approved', subject: `rec-${i}`, payload: { i, note: 'a, "quoted"\nnote' } });
  db.close();
}

let good: string;
beforeAll(() => {
  good = join(temp.dir, 'good.db');
  makeLog(good, 25);
});

describe('gammadesk audit', () => {
  it('verify: exit 0 with the row count and the head', () => {
    const { stdout, status } = audit('verify', '--db', good);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^audit log OK: 25 rows, head 25:[0-9a-f]{64} \(/);
    const json = JSON.parse(audit('verify', '--format', 'json', '--db', good).stdout) as { ok: boolean; rows: number };
    expect(json).toMatchObject({ ok: true, rows: 25 });
  });

  it(`verify: exit 1 naming the first broken row after tampering with ${HAS_SQLITE3_CLI ? 'the sqlite3 shell' : 'a second connection'}`, () => {
    const broken = join(temp.dir, 'broken.db');
    makeLog(broken, 25);
    const sql = `UPDATE audit_log SET payload = '{"i":12,"note":"nothing to see"}' WHERE seq = 12;`;
    if (HAS_SQLITE3_CLI) execFileSync('sqlite3', [broken, sql]);
    else {
      const other = openDatabase(broken);
      other.exec(sql);
      other.close();
    }
    const { stderr, status } = audit('verify', '--db', broken);
    expect(status).toBe(1);
    expect(stderr).toMatch(/audit log BROKEN at row 12 \(changed\): audit row 12 \(recommendation\.approved rec-12\) was changed.*; 11 rows before it check out/);
  });

  it('verify --head: rows cut off the end are found against the head kept from an earlier verify', () => {
    const cut = join(temp.dir, 'cut.db');
    makeLog(cut, 10);
    const head = /head (\d+:[0-9a-f]{64})/.exec(audit('verify', '--db', cut).stdout)![1]!;
    expect(audit('verify', '--head', head, '--db', cut).status).toBe(0);
    execFileSync(HAS_SQLITE3_CLI ? 'sqlite3' : process.execPath, HAS_SQLITE3_CLI ? [cut, 'DELETE FROM audit_log WHERE seq > 8;'] : ['-e', `require('better-sqlite3')(${JSON.stringify(cut)}).exec('DELETE FROM audit_log WHERE seq > 8')`]);
    expect(audit('verify', '--db', cut).status).toBe(0);
    const result = audit('verify', '--head', head, '--db', cut);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/audit log BROKEN at row 9 \(truncated\): audit rows 9–10 are missing: the log ends at row 8, the kept head is row 10/);
    expect(audit('verify', '--head', 'latest', '--db', cut).stderr).toMatch(/--head: expected SEQ:HASH/);
  });

  it('export: CSV and JSON to a file (owner-only) or stdout, every row', () => {
    const csvPath = join(temp.dir, 'audit.csv');
    const csv = audit('export', '--format', 'csv', '--out', csvPath, '--db', good);
    expect(csv.status).toBe(0);
    expect(csv.stderr).toMatch(/exported 25 audit rows as csv to /);
    expect(statSync(csvPath).mode & 0o777).toBe(0o600);
    const text = readFileSync(csvPath, 'utf8');
    expect(text.startsWith('seq,ts_ms,time_utc,actor,action,subject,payload,prev_hash,hash\r\n1,')).toBe(true);
    // The payload's commas, quotes and line break are quoted per RFC 4180.
    expect(text).toContain('"{""i"":1,""note"":""a, \\""quoted\\""\\nnote""}"');
    const json = audit('export', '--format', 'json', '--db', good);
    expect(json.status).toBe(0);
    const rows = JSON.parse(json.stdout) as { seq: number; payload: { i: number } }[];
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(rows[4]!.payload.i).toBe(5);
  });

  it('wrong arguments exit 2 with usage; a missing database or one without an audit log exits 1 with the reason', () => {
    expect(audit('check').status).toBe(2);
    expect(audit('export', '--db', good).stderr).toMatch(/export needs --format csv or json, got nothing/);
    expect(audit('export', '--db', good).status).toBe(2);
    expect(audit('verify', '--format', 'xml', '--db', good).status).toBe(2);
    const missing = audit('verify', '--db', join(temp.dir, 'nope.db'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/no database at .*nope\.db/);
    const old = join(temp.dir, 'old.db');
    openDatabase(old, { targetVersion: 6 }).close();
    const oldResult = audit('verify', '--db', old);
    expect(oldResult.status).toBe(1);
    expect(oldResult.stderr).toMatch(/has no audit log \(schema version 6/);
  });
});
