/**
 * `gammadesk audit verify|export`: checks the hash chain of the audit log (exit 1 naming the first broken row)
 * and exports it as CSV or JSON, streamed, to a file or stdout. The database is opened read-only: verifying
 * or exporting never changes it.
 */
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { defaultDbPath } from '../../app/paths';
import { epochMs } from '../../core/units';
import { AuditLog, type AuditHead } from '../../store/audit';
import { openDatabase, type Db } from '../../store/database';
import { UsageError } from '../args';
import { dbFlag, parsed, type CommandTable } from '../command';

function openAuditLog(dbFlagValue: string | boolean | undefined): { db: Db; log: AuditLog; path: string } {
  const path = typeof dbFlagValue === 'string' ? resolve(dbFlagValue) : defaultDbPath();
  if (!existsSync(path)) throw new Error(`no database at ${path}`);
  const db = openDatabase(path, { readonly: true });
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get()) {
    const version = String(db.pragma('user_version', { simple: true }));
    db.close();
    throw new Error(`${path} has no audit log (schema version ${version}; open it with this GammaDesk once to migrate it)`);
  }
  // Reading only: the clock stamps appends, and nothing is appended here.
  return { db, log: new AuditLog(db, () => epochMs(Date.now())), path };
}

/** `SEQ:HASH` as `verify` prints the head. */
function parseHead(text: string): AuditHead {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!match) throw new Error(`expected SEQ:HASH (the head row and its 64-hex-digit hash as verify prints them), got ${JSON.stringify(text)}`);
  return { seq: Number(match[1]), hash: match[2]! };
}

export const auditCommands: CommandTable = {
  audit: {
    summary: 'verify the hash-chained audit log (exit 1 naming the first broken row), or export it as CSV or JSON',
    usage: 'gammadesk audit verify [--head SEQ:HASH] [--format text|json] [--db FILE]\n       gammadesk audit export --format csv|json [--out FILE] [--db FILE]',
    flags: {
      format: { type: 'string', description: 'verify: text (default) or json; export: csv or json (required)' },
      head: { type: 'string', description: 'verify: a head kept from an earlier verify (SEQ:HASH); also finds rows cut off the end or a re-hashed tail' },
      out: { type: 'string', description: 'export: write to FILE (created owner-only, 0600) instead of stdout' },
      db: dbFlag,
    },
    async run({ positionals, flags }) {
      const [action, ...extra] = positionals;
      if (action !== 'verify' && action !== 'export') throw new UsageError(`audit needs verify or export, got ${action === undefined ? 'nothing' : JSON.stringify(action)}`);
      if (extra.length > 0) throw new UsageError(`audit ${action} takes no further arguments, got ${extra.join(' ')}`);
      const format = flags['format'];
      if (action === 'verify') {
        if (format !== undefined && format !== 'text' && format !== 'json') throw new UsageError(`--format for verify must be text or json, got ${String(format)}`);
        if (flags['out'] !== undefined) throw new UsageError('--out applies to export only');
        if (flags['head'] === true) throw new UsageError('--head needs SEQ:HASH');
        const head = typeof flags['head'] === 'string' ? parsed('head', parseHead, flags['head']) : undefined;
        const { db, log, path } = openAuditLog(flags['db']);
        try {
          const result = log.verify(head);
          if (format === 'json') console.log(JSON.stringify({ database: path, ...result }, null, 2));
          else if (result.ok) console.log(`audit log OK: ${result.rows} rows${result.head ? `, head ${result.head.seq}:${result.head.hash}` : ''} (${path})`);
          else console.error(`audit log BROKEN at row ${result.seq} (${result.problem}): ${result.message}; ${result.rowsChecked} rows before it check out (${path})`);
          return result.ok ? 0 : 1;
        } finally {
          db.close();
        }
      }
      if (flags['head'] !== undefined) throw new UsageError('--head applies to verify only');
      if (format !== 'csv' && format !== 'json') throw new UsageError(`export needs --format csv or json, got ${format === undefined ? 'nothing' : String(format)}`);
      const outPath = typeof flags['out'] === 'string' ? resolve(flags['out']) : null;
      if (flags['out'] === true) throw new UsageError('--out needs a FILE');
      const { db, log } = openAuditLog(flags['db']);
      try {
        const out: Writable = outPath ? createWriteStream(outPath, { mode: 0o600 }) : process.stdout;
        if (outPath) await once(out, 'open');
        const rows = format === 'csv' ? await log.exportCsv(out) : await log.exportJson(out);
        if (outPath) {
          out.end();
          await finished(out);
        }
        console.error(`exported ${rows} audit rows as ${format}${outPath ? ` to ${outPath}` : ''}`);
        return 0;
      } finally {
        db.close();
      }
    },
  },
};
