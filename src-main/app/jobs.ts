/**
 * Long-running jobs started from the UI (Tardis imports, their rows parsed in the jobs pool and written here on
 * the main thread, the single writer): each runs with an AbortController, reports progress
 * at most a few times a second, and ends done, failed or cancelled with its summary. Finished jobs stay listed
 * (the last 20) so the user sees what happened.
 */
import type { JobStatus } from '../api/dto';
import { ApiException } from '../api/errors';
import { importTardis, type TardisParse, type TardisParseOptions } from '../feeds/tardis/tardisImport';
import type { EventLog } from '../store/eventLog';
import { resolveImportPath } from './importFolder';

const KEEP_FINISHED = 20;

export class JobRunner {
  private nextId = 1;
  private readonly jobs = new Map<number, { status: JobStatus; abort: AbortController; done: Promise<void> }>();

  constructor(
    private readonly log: EventLog,
    private readonly now: () => number,
    /** Called whenever a job's status changes (throttled by the caller's publisher); `finished` at its end. */
    private readonly onChange: (finished: boolean) => void,
    /** The only folder imports started here may read from (app/importFolder.ts); null: none. */
    private readonly importFolder: string | null = null,
    /** Where import rows are parsed: the jobs pool in the app (app/tardisParseJob.ts); default in process. */
    private readonly parse?: (options: TardisParseOptions) => TardisParse,
  ) {}

  list(): JobStatus[] {
    return [...this.jobs.values()].map((job) => job.status).sort((a, b) => b.id - a.id);
  }

  /**
   * Starts importing `paths` (absolute, or relative to the import folder) into a new session. Every path must
   * lead to a regular file inside the import folder: anything else is refused here, before a job exists.
   */
  startTardisImport(paths: string[], session: string): JobStatus {
    if (this.log.sessionByName(session)) throw new ApiException('INVALID_ARGUMENT', `a session named ${JSON.stringify(session)} exists already`);
    const files = paths.map((path) => resolveImportPath(this.importFolder, path));
    const abort = new AbortController();
    const status: JobStatus = {
      id: this.nextId++,
      kind: 'import',
      label: `Import ${paths.length} Tardis file${paths.length === 1 ? '' : 's'} → “${session}”`,
      state: 'running',
      progress: 0,
      detail: 'opening files',
      startedMs: this.now(),
      error: null,
      summary: null,
    };
    const done = importTardis({
      files,
      regularFilesOnly: true,
      session,
      log: this.log,
      signal: abort.signal,
      nowMs: this.now(),
      ...(this.parse ? { parse: this.parse } : {}),
      onProgress: (p) => {
        status.progress = p.totalBytes > 0 ? p.bytesRead / p.totalBytes : null;
        status.detail = `${p.rowsRead.toLocaleString('en-US')} rows · ${p.eventsWritten.toLocaleString('en-US')} events · ${p.badRows} bad rows`;
        this.onChange(false);
      },
    }).then(
      (report) => {
        status.state = report.cancelled ? 'cancelled' : 'done';
        status.progress = report.cancelled ? status.progress : 1;
        status.detail = `${report.rowsRead.toLocaleString('en-US')} rows → ${report.eventsWritten.toLocaleString('en-US')} events, ${report.badRows} bad rows skipped`;
        status.summary = { rowsRead: report.rowsRead, eventsWritten: report.eventsWritten, badRows: report.badRows, badRowSamples: report.badRowSamples.slice(0, 10) };
        this.onChange(true);
      },
      (error: unknown) => {
        status.state = 'failed';
        status.error = error instanceof Error ? error.message : String(error);
        this.onChange(true);
      },
    );
    this.jobs.set(status.id, { status, abort, done });
    this.prune();
    this.onChange(false);
    return { ...status };
  }

  cancel(id: number): JobStatus {
    const job = this.jobs.get(id);
    if (!job) throw new ApiException('NOT_FOUND', `no job ${id}`);
    job.abort.abort();
    return { ...job.status };
  }

  /** Cancels every running job and waits until each has let go of the database. */
  async cancelAll(): Promise<void> {
    for (const job of this.jobs.values()) job.abort.abort();
    await Promise.all([...this.jobs.values()].map((job) => job.done));
  }

  private prune(): void {
    const finished = this.list().filter((job) => job.state !== 'running');
    for (const job of finished.slice(KEEP_FINISHED)) this.jobs.delete(job.id);
  }
}
