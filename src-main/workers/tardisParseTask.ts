/**
 * Jobs-pool task `tardisParse`: the CPU-heavy half of a Tardis import (feeds/tardis/tardisImport.ts
 * `parseTardisFiles`) in the long-jobs worker. Chunks of events go to the main thread over the task's message
 * port, at most {@link CHUNKS_AHEAD} ahead of the writer's acknowledgements (memory stays bounded when the disk is
 * slower than the parser); a `cancel` message stops the parse at its next chunk, as the in-process signal does.
 * The main thread (app/tardisParseJob.ts) stays the only SQLite writer.
 */
import type { MessagePort } from 'node:worker_threads';
import { ImportFileError, parseTardisFiles, type ParsedChunk, type ParseSummary } from '../feeds/tardis/tardisImport';

export interface TardisParseInput {
  files: string[];
  regularFilesOnly: boolean;
}

/** Worker → main. Errors cross as their name, message and (for ImportFileError) file, and are rebuilt there. */
export type TardisParseToMain =
  | { type: 'chunk'; chunk: ParsedChunk }
  | { type: 'done'; summary: ParseSummary }
  | { type: 'error'; name: string; message: string; file: string | null };

/** Main → worker: a chunk was written (`ack`), or the user cancelled. */
export type TardisParseToWorker = { type: 'ack' } | { type: 'cancel' };

/** Chunks (5000 rows each) the parser may run ahead of the writer. */
export const CHUNKS_AHEAD = 2;

export async function tardisParse(input: TardisParseInput & { port: MessagePort }): Promise<void> {
  const { port } = input;
  const abort = new AbortController();
  let unacknowledged = 0;
  let wake: (() => void) | null = null;
  port.on('message', (message: TardisParseToWorker) => {
    if (message.type === 'cancel') abort.abort();
    else unacknowledged--;
    wake?.();
    wake = null;
  });
  // The main side gone (its writer failed, the app closing): stop as if cancelled rather than wait for acks.
  port.on('close', () => {
    abort.abort();
    wake?.();
    wake = null;
  });
  const send = (message: TardisParseToMain): void => port.postMessage(message);
  try {
    const parse = parseTardisFiles({ files: input.files, signal: abort.signal, ...(input.regularFilesOnly ? { regularFilesOnly: true } : {}) });
    for (;;) {
      const step = await parse.next();
      if (step.done) {
        send({ type: 'done', summary: step.value });
        break;
      }
      send({ type: 'chunk', chunk: step.value });
      unacknowledged++;
      while (unacknowledged >= CHUNKS_AHEAD && !abort.signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
    }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    send({ type: 'error', name: failure.name, message: failure.message, file: failure instanceof ImportFileError ? failure.file : null });
  } finally {
    port.close();
  }
}
