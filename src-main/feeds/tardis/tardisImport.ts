/**
 * `gammadesk import tardis`: Tardis.dev CSV files (plain or .gz) into a session that replays like a recording.
 * Streams in constant memory: one line of lookahead per file, merged by `local_timestamp` (arrival order, as
 * Tardis recommends for replay), written through the event recorder in batches. Bad rows are counted,
 * reported with file and line, and skipped; the rest is imported. Cancellable through an AbortSignal.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MarketEvent } from '../../core/market/events';
import type { EventLog } from '../../store/eventLog';
import { EventRecorder } from '../../store/eventLog';
import { readLines, type NumberedLine } from './lineReader';
import { parseOptionsChainHeader, type OptionsChainLayout } from './optionsChainCsv';
import { readHeader, TardisNormalizer, TardisRowError, type TardisKind } from './tardisRows';

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  rowsRead: number;
  eventsWritten: number;
  badRows: number;
}

export interface BadRow {
  file: string;
  line: number;
  reason: string;
}

export interface ImportReport {
  session: string;
  sessionId: number;
  files: { file: string; kind: TardisKind; rows: number; badRows: number }[];
  rowsRead: number;
  eventsWritten: number;
  badRows: number;
  /** The first bad rows (up to 100), with file, line number and reason. */
  badRowSamples: BadRow[];
  skipped: Record<string, number>;
  /** Rows whose local_timestamp went backwards within their file (imported in file order). */
  outOfOrderRows: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  cancelled: boolean;
}

export class ImportFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'ImportFileError';
  }
}

interface Source {
  file: string;
  kind: TardisKind;
  columns: Map<string, number>;
  /** The options_chain parser's header layout (options_chain files only). */
  layout: OptionsChainLayout | null;
  lines: AsyncGenerator<NumberedLine>;
  /** The next row, read ahead: its arrival time and raw fields. */
  head: { line: number; text: string; localTs: number; fields: string[] } | null;
  bytesRead: number;
  rows: number;
  badRows: number;
  lastLocalTs: number;
}

const MAX_SAMPLES = 100;

export async function importTardis(options: {
  files: readonly string[];
  session: string;
  log: EventLog;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  nowMs?: number;
}): Promise<ImportReport> {
  if (options.files.length === 0) throw new Error('no files to import');
  if (options.log.sessionByName(options.session)) throw new Error(`a session named ${JSON.stringify(options.session)} exists already`);
  let totalBytes = 0;
  for (const file of options.files) {
    try {
      totalBytes += (await stat(file)).size;
    } catch {
      throw new ImportFileError(file, 'cannot be read (no such file?)');
    }
  }

  const report: ImportReport = {
    session: options.session,
    sessionId: 0,
    files: [],
    rowsRead: 0,
    eventsWritten: 0,
    badRows: 0,
    badRowSamples: [],
    skipped: {},
    outOfOrderRows: 0,
    firstEventMs: null,
    lastEventMs: null,
    cancelled: false,
  };
  const bad = (source: Source, line: number, reason: string): void => {
    source.badRows++;
    report.badRows++;
    if (report.badRowSamples.length < MAX_SAMPLES) report.badRowSamples.push({ file: basename(source.file), line, reason });
  };

  // Open every file and read its header before creating the session: a wrong file fails the import whole.
  const sources: Source[] = [];
  const closeAll = async (): Promise<void> => {
    for (const source of sources) await source.lines.return(undefined);
  };
  for (const file of options.files) {
    const source = { file, bytesRead: 0 } as Source;
    source.lines = readLines(file, { onProgress: (bytes) => (source.bytesRead = bytes), ...(options.signal ? { signal: options.signal } : {}) });
    sources.push(source);
    try {
      const first = await source.lines.next();
      if (first.done) throw new ImportFileError(file, 'is empty');
      const header = readHeader(first.value.text);
      source.kind = header.kind;
      source.columns = header.columns;
      source.layout = header.kind === 'options_chain' ? parseOptionsChainHeader(first.value.text) : null;
    } catch (error) {
      await closeAll();
      throw error instanceof ImportFileError ? error : new ImportFileError(file, error instanceof Error ? error.message : String(error));
    }
    source.head = null;
    source.rows = 0;
    source.badRows = 0;
    source.lastLocalTs = -Infinity;
  }

  const advance = async (source: Source): Promise<void> => {
    source.head = null;
    for (;;) {
      let next: IteratorResult<{ lineNumber: number; text: string }>;
      try {
        next = await source.lines.next();
      } catch (error) {
        if (options.signal?.aborted) throw new Error('cancelled', { cause: error });
        throw new ImportFileError(source.file, `cannot be read after line ${source.rows + 1}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (next.done) return;
      const { lineNumber, text } = next.value;
      if (text.length === 0) continue;
      source.rows++;
      report.rowsRead++;
      const fields = text.split(',');
      if (fields.length !== source.columns.size) {
        bad(source, lineNumber, `expected ${source.columns.size} fields, got ${fields.length}`);
        continue;
      }
      const localRaw = fields[source.columns.get('local_timestamp')!];
      const localTs = Number(localRaw);
      if (!Number.isFinite(localTs) || localRaw === '') {
        bad(source, lineNumber, `local_timestamp is not a number: ${JSON.stringify(localRaw ?? '')}`);
        continue;
      }
      if (localTs < source.lastLocalTs) report.outOfOrderRows++;
      source.lastLocalTs = localTs;
      source.head = { line: lineNumber, text, localTs, fields };
      return;
    }
  };

  const session = options.log.createSession(options.session, 'tardis', options.nowMs ?? Date.now());
  report.sessionId = session.id;
  const recorder = new EventRecorder(options.log, session.id, { maxBatch: 20_000 });
  const normalizer = new TardisNormalizer();
  const progress = (): ImportProgress => ({
    bytesRead: sources.reduce((sum, s) => sum + s.bytesRead, 0),
    totalBytes,
    rowsRead: report.rowsRead,
    eventsWritten: report.eventsWritten,
    badRows: report.badRows,
  });
  try {
    for (const source of sources) await advance(source);
    let sinceProgress = 0;
    for (;;) {
      // The source whose next row arrived first (ties: the order the files were given).
      let earliest: Source | null = null;
      for (const source of sources) if (source.head && (!earliest || source.head.localTs < earliest.head!.localTs)) earliest = source;
      if (!earliest) break;
      const { line, text, fields } = earliest.head!;
      let events: MarketEvent[] = [];
      try {
        events = normalizer.normalize(earliest.kind, text, line, fields, earliest.columns, earliest.layout);
      } catch (error) {
        if (!(error instanceof TardisRowError)) throw error;
        bad(earliest, line, error.reason);
      }
      for (const event of events) {
        recorder.record(event);
        if (report.firstEventMs === null || event.tsEvent < report.firstEventMs) report.firstEventMs = event.tsEvent;
        if (report.lastEventMs === null || event.tsEvent > report.lastEventMs) report.lastEventMs = event.tsEvent;
      }
      report.eventsWritten += events.length;
      await advance(earliest);
      if (++sinceProgress >= 5000) {
        sinceProgress = 0;
        options.onProgress?.(progress());
        if (options.signal?.aborted) throw new Error('cancelled');
      }
    }
  } catch (error) {
    if (!(options.signal?.aborted && error instanceof Error && error.message === 'cancelled')) {
      // A failed import (unreadable file, broken gzip, disk full) leaves no half session behind: run it again.
      recorder.close();
      options.log.deleteSession(session.id);
      if (error instanceof Error) error.message += '; no session was kept';
      throw error;
    }
    report.cancelled = true;
  } finally {
    await closeAll();
  }
  recorder.close();
  options.onProgress?.(progress());
  if (report.eventsWritten === 0) {
    // Every row was bad, the files held none, or it was cancelled before the first: an empty session would
    // replay nothing.
    options.log.deleteSession(session.id);
    report.sessionId = 0;
    if (report.cancelled) return report;
    const first = report.badRowSamples[0];
    throw new ImportFileError(
      options.files.map((f) => basename(f)).join(', '),
      `no events imported: ${report.rowsRead} rows read, ${report.badRows} bad${first ? ` (first: line ${first.line}: ${first.reason})` : ''}; no session was kept`,
    );
  }
  report.files = sources.map((s) => ({ file: basename(s.file), kind: s.kind, rows: s.rows, badRows: s.badRows }));
  report.skipped = Object.fromEntries(normalizer.skipped);
  return report;
}
