/**
 * The built `gammadesk` CLI as a child process, watched from outside as another process would (the crash tests:
 * kill -9 mid-write, then check what the database kept).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openDatabase, type Db } from '../../src-main/store/database';
import { builtCli } from './built';

export interface CliChild {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the signal that ended the process (null for a normal exit). */
  exited: Promise<NodeJS.Signals | null>;
}

export function spawnCli(args: string[]): CliChild {
  const child = spawn(process.execPath, [builtCli(), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return { child, stderr: () => stderr, exited };
}

/**
 * Polls the database read-only (WAL lets a reader see each committed batch) until `read` reaches `target` or
 * `timeoutMs` passes; returns the last value read. The child runs on real time, so this is a condition poll.
 */
export async function pollDatabase(dbPath: string, read: (db: Db) => number, target: number, timeoutMs: number, intervalMs = 50): Promise<number> {
  let value = 0;
  const deadline = Date.now() + timeoutMs;
  while (value < target && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    try {
      const reader = openDatabase(dbPath, { readonly: true });
      try {
        value = read(reader);
      } finally {
        reader.close();
      }
    } catch {
      // the file or the schema may not exist yet
    }
  }
  return value;
}
