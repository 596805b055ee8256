/**
 * The parsing half of a Tardis import run in the jobs pool (workers/tardisParseTask.ts), seen from the main
 * thread as the same chunk generator `importTardis` takes from `parseTardisFiles` in process. Each chunk is
 * acknowledged once the writer has taken it (it asks for the next), which bounds what is in flight; aborting the
 * signal sends `cancel`, and the parse ends with a cancelled summary after the chunk it was in.
 */
import { ImportFileError, type ParsedChunk, type ParseSummary, type TardisParse, type TardisParseOptions } from '../feeds/tardis/tardisImport';
import type { TardisParseToMain } from '../workers/tardisParseTask';
import type { JobsPool } from './jobsPool';

/** An error from the worker as the in-process parse would have thrown it. */
function rebuild(message: Extract<TardisParseToMain, { type: 'error' }>): Error {
  const error = message.file !== null ? new ImportFileError(message.file, '') : new Error();
  error.message = message.message;
  if (message.file === null) error.name = message.name;
  return error;
}

export async function* parseTardisInPool(pool: JobsPool, options: TardisParseOptions): TardisParse {
  const job = pool.start('tardisParse', { files: [...options.files], regularFilesOnly: options.regularFilesOnly ?? false });
  const inbox: TardisParseToMain[] = [];
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    wake?.();
    wake = null;
  };
  job.onMessage((message) => {
    inbox.push(message);
    notify();
  });
  // A worker that dies (out of memory, a bug) rejects the task: the parse fails with that error.
  job.done.then(notify, (error: unknown) => {
    failure = error;
    notify();
  });
  const cancel = (): void => job.send({ type: 'cancel' });
  options.signal?.addEventListener('abort', cancel, { once: true });
  if (options.signal?.aborted) cancel();
  let finished = false;
  try {
    for (;;) {
      while (inbox.length === 0) {
        if (failure !== null) throw failure instanceof Error ? failure : new Error(String(failure));
        await new Promise<void>((resolve) => (wake = resolve));
      }
      const message = inbox.shift()!;
      if (message.type === 'error') {
        finished = true;
        throw rebuild(message);
      }
      if (message.type === 'done') {
        finished = true;
        return message.summary satisfies ParseSummary;
      }
      yield message.chunk satisfies ParsedChunk;
      job.send({ type: 'ack' });
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    // The writer stopped early (it failed): stop the worker's parse too.
    if (!finished) cancel();
    job.close();
  }
}
