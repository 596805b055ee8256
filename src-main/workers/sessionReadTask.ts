/**
 * Jobs-pool task `sessionRead`: a recorded session's index read, sampled and split (learn/sessionSource.ts) off the
 * main thread — a long session takes seconds of JSON decoding, which must not block the app (decision 0029). The
 * database is opened read-only on this thread (WAL: the main thread keeps writing meanwhile).
 */
import type { MessagePort } from 'node:worker_threads';
import type { SessionSourceDto } from '../api/contract/models';
import { readSessionSource, type SessionSourceRead } from '../learn/sessionSource';
import { openDatabase } from '../store/database';

export interface SessionReadInput {
  dbFile: string;
  /** The better-sqlite3 binary the app opened the database with (Electron's ABI), if not the package's own. */
  nativeBinding?: string;
  source: SessionSourceDto;
}
export type SessionReadResult = SessionSourceRead;

export function sessionRead(input: SessionReadInput & { port: MessagePort }): SessionReadResult {
  const { port, dbFile, nativeBinding, source } = input;
  try {
    // Opened inside the try: a database that cannot be opened fails the job and still closes the port.
    const db = openDatabase(dbFile, { readonly: true, ...(nativeBinding ? { nativeBinding } : {}) });
    try {
      return readSessionSource(db, source);
    } finally {
      db.close();
    }
  } finally {
    port.close();
  }
}
