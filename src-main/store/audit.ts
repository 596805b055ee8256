/**
 * The append-only, hash-chained audit log: every decision of the hedging desk (who, when, what, inputs, outcome,
 * fills) as one row `(seq, ts_ms, actor, action, subject, payload, prev_hash, hash)`.
 *
 * `payload` is stored as canonical JSON (RFC 8785, core/audit/canonicalJson.ts). A row's hash is
 * `SHA-256(prev_hash + canonical row)` in lowercase hex, where the canonical row is the canonical JSON of
 * `{action, actor, payload, seq, subject, ts_ms}` (payload as the JSON value, not a string), and the first row's
 * `prev_hash` is 64 zeros. A changed row breaks its own hash; a deleted row leaves a gap in `seq`; an inserted
 * or re-linked row has a `prev_hash` that is not its predecessor's hash. `verify()` names the first such row.
 *
 * What a chain alone cannot show: cutting rows off the end, or rewriting a row AND re-hashing every row after it.
 * Against both, keep the head (`verify()` reports it: seq and hash) somewhere else, e.g. in an export, and compare.
 *
 * Appends join the caller's transaction when there is one (better-sqlite3 nests them as savepoints), so a state
 * change and its audit row commit together or not at all.
 */
import type { AuditRowDto } from '../api/dto';
import { hash as oneShotHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { canonicalJson } from '../core/audit/canonicalJson';
import type { EpochMs } from '../core/units';
import type { Db } from './database';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  /** Who: `trader:<name>`, `system:executor`, `clock` (expiry), `venue:paper`… */
  actor: string;
  /** What: `recommendation.approved`, `order.sent`, `fill`… */
  action: string;
  /** What it is about: a recommendation id, an order label. */
  subject: string;
  /** Inputs and outcome; any JSON value (a NaN or undefined inside throws, naming its path). */
  payload: unknown;
}

/** One stored row; the API's DTO is the same shape (payload is canonical JSON text). */
export type AuditRow = AuditRowDto;

export type AuditProblem = 'changed' | 'deleted' | 'inserted' | 'truncated';

/** A head kept outside the database (from an earlier `verify`): proves that no rows were cut off the end. */
export interface AuditHead {
  seq: number;
  hash: string;
}

export type VerifyResult =
  | { ok: true; rows: number; head: { seq: number; hash: string } | null }
  | {
      ok: false;
      /** Rows that checked out before the first broken one. */
      rowsChecked: number;
      /** The first broken row's seq (for a deletion: the first missing seq). */
      seq: number;
      problem: AuditProblem;
      message: string;
    };

/** The canonical text a row's hash covers (its payload is already canonical JSON). */
export function canonicalRow(seq: number, tsMs: number, actor: string, action: string, subject: string, payload: string): string {
  // Keys in RFC 8785 order: action, actor, payload, seq, subject, ts_ms. The integers and the JSON-escaped
  // strings are exactly what canonicalJson would write.
  return `{"action":${quoted(action)},"actor":${quoted(actor)},"payload":${payload},"seq":${seq},"subject":${JSON.stringify(subject)},"ts_ms":${tsMs}}`;
}

/** JSON.stringify of the few distinct actors and actions, remembered (verify walks millions of rows). */
const QUOTED = new Map<string, string>();
function quoted(text: string): string {
  let json = QUOTED.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    if (QUOTED.size < 1024) QUOTED.set(text, json);
  }
  return json;
}

export function rowHash(prevHash: string, seq: number, tsMs: number, actor: string, action: string, subject: string, payload: string): string {
  // The one-shot hash (Node >= 20.12) is about twice as fast as createHash for rows this small.
  return oneShotHash('sha256', prevHash + canonicalRow(seq, tsMs, actor, action, subject, payload), 'hex');
}

type RawRow = [seq: number, tsMs: number, actor: string, action: string, subject: string, payload: string, prevHash: string, hash: string];

const COLUMNS = 'seq, ts_ms, actor, action, subject, payload, prev_hash, hash';

export class AuditLog {
  private readonly insert;
  private readonly last;

  constructor(
    private readonly db: Db,
    private readonly clock: () => EpochMs,
  ) {
    this.insert = db.prepare(`INSERT INTO audit_log (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.last = db.prepare<[], { seq: number; hash: string }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  }

  /** Appends one row (inside the caller's transaction when there is one) and returns it. */
  append(entry: AuditEntry): AuditRow {
    for (const field of ['actor', 'action', 'subject'] as const) {
      if (typeof entry[field] !== 'string' || entry[field] === '') throw new TypeError(`audit ${field} must be a non-empty string, got ${JSON.stringify(entry[field])}`);
    }
    const payload = canonicalJson(entry.payload);
    const tsMs = this.clock();
    return this.db.transaction((): AuditRow => {
      const head = this.last.get();
      const seq = (head?.seq ?? 0) + 1;
      const prevHash = head?.hash ?? GENESIS_HASH;
      const hash = rowHash(prevHash, seq, tsMs, entry.actor, entry.action, entry.subject, payload);
      this.insert.run(seq, tsMs, entry.actor, entry.action, entry.subject, payload, prevHash, hash);
      return { seq, tsMs, actor: entry.actor, action: entry.action, subject: entry.subject, payload, prevHash, hash };
    })();
  }

  head(): { seq: number; hash: string } | null {
    return this.last.get() ?? null;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
  }

  /**
   * Rows in seq order, read in pages of `pageSize` by key (no statement stays open between pages, so the
   * connection is free for other work while an export awaits its output), optionally only one subject's rows.
   */
  *rows(filter: { subject?: string; pageSize?: number } = {}): Generator<AuditRow> {
    const pageSize = filter.pageSize ?? 2000;
    const bySubject = filter.subject !== undefined;
    const page = this.db.prepare(`SELECT ${COLUMNS} FROM audit_log WHERE seq > ?${bySubject ? ' AND subject = ?' : ''} ORDER BY seq LIMIT ${pageSize}`).raw(true);
    let after = 0;
    for (;;) {
      const rows = (bySubject ? page.all(after, filter.subject) : page.all(after)) as RawRow[];
      for (const [seq, tsMs, actor, action, subject, payload, prevHash, hash] of rows) yield { seq, tsMs, actor, action, subject, payload, prevHash, hash };
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1]![0];
    }
  }

  /**
   * Walks the whole chain; the first broken row, or ok with the row count and the head. With `expectedHead`
   * (kept from an earlier verify or export), rows cut off the end or a re-hashed tail are found too.
   */
  verify(expectedHead?: AuditHead): VerifyResult {
    let expectedSeq = 1;
    let previousHash = GENESIS_HASH;
    const iterator = this.db.prepare(`SELECT ${COLUMNS} FROM audit_log ORDER BY seq`).raw(true).iterate() as IterableIterator<RawRow>;
    for (const [seq, tsMs, actor, action, subject, payload, prevHash, hash] of iterator) {
      const checked = expectedSeq - 1;
      if (seq !== expectedSeq) {
        const missing = seq > expectedSeq ? `rows ${expectedSeq}${seq - 1 > expectedSeq ? `–${seq - 1}` : ''} are missing` : `seq ${seq} repeats`;
        return { ok: false, rowsChecked: checked, seq: expectedSeq, problem: 'deleted', message: `audit row ${expectedSeq}: ${missing} (deleted); the next row present is ${seq}` };
      }
      const recomputed = rowHash(prevHash, seq, tsMs, actor, action, subject, payload);
      if (recomputed !== hash) {
        return { ok: false, rowsChecked: checked, seq, problem: 'changed', message: `audit row ${seq} (${action} ${subject}) was changed: its content hashes to ${recomputed}, the row says ${hash}` };
      }
      if (prevHash !== previousHash) {
        return {
          ok: false,
          rowsChecked: checked,
          seq,
          problem: 'inserted',
          message: `audit row ${seq} (${action} ${subject}) does not follow row ${seq - 1}: its prev_hash is ${prevHash}, row ${seq - 1} hashes to ${previousHash} (a row inserted or replaced)`,
        };
      }
      previousHash = hash;
      expectedSeq += 1;
    }
    const rows = expectedSeq - 1;
    if (expectedHead) {
      const problem = checkHead(expectedHead, rows, (seq) => this.db.prepare<[number], { hash: string }>('SELECT hash FROM audit_log WHERE seq = ?').get(seq)?.hash ?? null);
      if (problem) return { ok: false, rowsChecked: rows, ...problem };
    }
    return { ok: true, rows, head: rows > 0 ? { seq: rows, hash: previousHash } : null };
  }

  /** Writes every row as CSV (RFC 4180, header first) with backpressure; resolves with the row count. */
  async exportCsv(out: Writable): Promise<number> {
    let count = 0;
    const writer = new ChunkedWriter(out);
    await writer.add('seq,ts_ms,time_utc,actor,action,subject,payload,prev_hash,hash\r\n');
    for (const row of this.rows()) {
      const cells = [String(row.seq), String(row.tsMs), new Date(row.tsMs).toISOString(), row.actor, row.action, row.subject, row.payload, row.prevHash, row.hash];
      await writer.add(`${cells.map(csvCell).join(',')}\r\n`);
      count += 1;
    }
    await writer.flush();
    return count;
  }

  /**
   * Writes every row as one JSON array (payloads as JSON values, not strings) with backpressure; resolves with
   * the row count. Each row is on its own line, so line tools work on big exports too.
   */
  async exportJson(out: Writable): Promise<number> {
    let count = 0;
    const writer = new ChunkedWriter(out);
    await writer.add('[');
    for (const row of this.rows()) {
      const text = `{"seq":${row.seq},"ts_ms":${row.tsMs},"time_utc":"${new Date(row.tsMs).toISOString()}","actor":${JSON.stringify(row.actor)},"action":${JSON.stringify(row.action)},"subject":${JSON.stringify(row.subject)},"payload":${row.payload},"prev_hash":"${row.prevHash}","hash":"${row.hash}"}`;
      await writer.add(`${count === 0 ? '\n' : ',\n'}${text}`);
      count += 1;
    }
    await writer.add(count === 0 ? ']\n' : '\n]\n');
    await writer.flush();
    return count;
  }
}

/** Compares a chain that verified on its own with a head kept elsewhere. */
function checkHead(expected: AuditHead, rows: number, hashAt: (seq: number) => string | null): { seq: number; problem: AuditProblem; message: string } | null {
  if (rows < expected.seq) {
    return { seq: rows + 1, problem: 'truncated', message: `audit rows ${rows + 1}–${expected.seq} are missing: the log ends at row ${rows}, the kept head is row ${expected.seq}` };
  }
  const hash = hashAt(expected.seq);
  if (hash !== expected.hash) {
    return { seq: expected.seq, problem: 'changed', message: `audit row ${expected.seq} hashes to ${hash}, the kept head says ${expected.hash}: the log was rewritten up to there and re-hashed` };
  }
  return null;
}

function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain');
}

/** Collects small pieces and writes them in chunks of about 64 KiB (one write call per row is slow). */
class ChunkedWriter {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable) {}

  async add(text: string): Promise<void> {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 65_536) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await write(this.out, text);
  }
}
