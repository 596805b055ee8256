/** Locations of the built artifacts, relative to the bundled main-process code in out/main. */
import { join } from 'node:path';

export function builtPaths(): { worker: string; jobsWorker: string; rendererDir: string } {
  // Every main-side entry (cli, electron main, worker) is emitted flat into out/main.
  return {
    worker: join(__dirname, 'greeksWorker.cjs'),
    jobsWorker: join(__dirname, 'jobsWorker.cjs'),
    rendererDir: join(__dirname, '..', 'renderer'),
  };
}
