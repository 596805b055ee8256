/**
 * `gammadesk import tardis`: Tardis.dev CSV files (plain or .gz) into a session that replays like a recording.
 * Streams in constant memory: one line of lookahead per file (each at most 1 MiB, lineReader.ts), merged by
 * `local_timestamp` (arrival order, as Tardis recommends for replay), written in batches. Bad rows — unreadable,
 * too long, or events the rules of core/market/validate.ts refuse — are counted, reported with file, line and a
 * reason that echoes at most ~200 characters of any field, and skipped; the rest is imported. A file that is not
 * a Tardis CSV (unknown header, not text) is refused without echoing its content.
 *
 * The session is staged (migration 006): it is written under a placeholder, invisible, and gets its name in the
 * last transaction. A failed import deletes it; a killed one is deleted at the next start. Cancellable through
 * an AbortSignal: a cancelled import keeps what was read (the user chose to stop), as a complete session.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { MarketEvent } from '../../core/market/events';
import { emptyEncodedEvents, encodeEvents, type EncodedEvents } from '../../store/eventCodec';
import type { EventLog } from '../../store/eventLog';
import { capReason, quoteInput } from '../../core/market/validate';
import { LineReadError, MAX_LINE_BYTES, readLines, type NumberedLine } from './lineReader';
import { OptionsChainCsvError, parseOptionsChainHeader, type OptionsChainLayout } from './optionsChainCsv';
import { NOT_TARDIS, readHeader, TardisNormalizer, TardisRowError, type TardisKind } from './tardisRows';

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
/** Events per write transaction. */
const BATCH = 5_000;

function appendEncodedRows(into: EncodedEvents, rows: EncodedEvents): EncodedEvents {
  for (let i = 0; i < rows.payload.length; i++) {
    into.tsEvent.push(rows.tsEvent[i]!);
    into.tsRecv.push(rows.tsRecv[i]!);
    into.type.push(rows.type[i]!);
    into.instrument.push(rows.instrument[i]!);
    into.payload.push(rows.payload[i]!);
  }
  return into;
}

/** A reader's error as the import reports it: the file, and what went wrong after which line. */
function fileError(file: string, error: unknown): Error {
  if (error instanceof ImportFileError) return error;
  if (error instanceof LineReadError) return new ImportFileError(file, error.detail, { cause: error });
  // A header the options_chain parser refuses names only its own missing columns, never the file's content.
  if (error instanceof TardisRowError || error instanceof OptionsChainCsvError) return new ImportFileError(file, error.message, { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * What the parsing half of an import hands the writer: the events of the rows read since the last chunk, and the
 * counters so far. The first chunk comes once every file's header is read (no events yet): a wrong file fails the
 * import before a session exists.
 */
export interface ParsedChunk {
  /** The events, encoded as the event log stores them (cheap to post from the worker). */
  rows: EncodedEvents;
  bytesRead: number;
  totalBytes: number;
  rowsRead: number;
  badRows: number;
  /** Bad-row samples found since the previous chunk (the first 100 of the import in all). */
  badRowSamples: BadRow[];
}

/** The parsing half's result once every row is read, or once cancelled (`cancelled`: it stopped early). */
export type ParseSummary = Pick<ImportReport, 'files' | 'skipped' | 'outOfOrderRows' | 'firstEventMs' | 'lastEventMs' | 'cancelled'>;

/** The rows of a import, parsed and validated into events chunk by chunk: in process, or in the jobs pool. */
export type TardisParse = AsyncGenerator<ParsedChunk, ParseSummary, void>;

export interface TardisParseOptions {
  files: readonly string[];
  /** Stops reading at the next chunk boundary; the summary then says `cancelled`. */
  signal?: AbortSignal;
  /** Read only regular files, not through symbolic links (paths a client named: app/importFolder.ts). */
  regularFilesOnly?: boolean;
}

/** Rows per chunk: the granularity of progress reports and of cancelling. */
const CHUNK_ROWS = 5000;

/**
 * The CPU-heavy half of an import (decompress, split, merge by arrival time, normalize and validate), with no
 * database: it runs in the jobs pool's worker (app/tardisParseJob.ts) or in process. Throws ImportFileError
 * for a file that cannot be read or is not a Tardis CSV.
 */
export async function* parseTardisFiles(options: TardisParseOptions): TardisParse {
  if (options.files.length === 0) throw new Error('no files to import');
  let totalBytes = 0;
  for (const file of options.files) {
    try {
      totalBytes += (await stat(file)).size;
    } catch {
      throw new ImportFileError(file, 'cannot be read (no such file?)');
    }
  }
  const counts = { rowsRead: 0, badRows: 0, samples: 0 };
  let samples: BadRow[] = [];
  const summary: ParseSummary = { files: [], skipped: {}, outOfOrderRows: 0, firstEventMs: null, lastEventMs: null, cancelled: false };
  const bad = (source: Source, line: number, reason: string): void => {
    source.badRows++;
    counts.badRows++;
    if (counts.samples < MAX_SAMPLES) {
      counts.samples++;
      samples.push({ file: basename(source.file), line, reason: capReason(reason) });
    }
  };

  // Open every file and read its header before the first chunk: a wrong file fails the import whole.
  const sources: Source[] = [];
  const closeAll = async (): Promise<void> => {
    for (const source of sources) await source.lines.return(undefined);
  };
  for (const file of options.files) {
    const source = { file, bytesRead: 0 } as Source;
    source.lines = readLines(file, {
      onProgress: (bytes) => (source.bytesRead = bytes),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.regularFilesOnly ? { regularFileOnly: true } : {}),
    });
    sources.push(source);
    try {
      const first = await source.lines.next();
      if (first.done) throw new ImportFileError(file, 'is empty');
      if (first.value.tooLongBytes !== undefined) throw new ImportFileError(file, NOT_TARDIS);
      const header = readHeader(first.value.text);
      source.kind = header.kind;
      source.columns = header.columns;
      source.layout = header.kind === 'options_chain' ? parseOptionsChainHeader(first.value.text) : null;
    } catch (error) {
      await closeAll();
      throw fileError(file, error);
    }
    source.head = null;
    source.rows = 0;
    source.badRows = 0;
    source.lastLocalTs = -Infinity;
  }

  const advance = async (source: Source): Promise<void> => {
    source.head = null;
    for (;;) {
      let next: IteratorResult<NumberedLine>;
      try {
        next = await source.lines.next();
      } catch (error) {
        if (options.signal?.aborted) throw new Error('cancelled', { cause: error });
        throw fileError(source.file, error);
      }
      if (next.done) return;
      const { lineNumber, text, tooLongBytes } = next.value;
      if (tooLongBytes !== undefined) {
        source.rows++;
        counts.rowsRead++;
        bad(source, lineNumber, `line of ${tooLongBytes} bytes is longer than the ${MAX_LINE_BYTES} bytes a row may have`);
        continue;
      }
      if (text.length === 0) continue;
      source.rows++;
      counts.rowsRead++;
      const fields = text.split(',');
      if (fields.length !== source.columns.size) {
        bad(source, lineNumber, `expected ${source.columns.size} fields, got ${fields.length}`);
        continue;
      }
      const localRaw = fields[source.columns.get('local_timestamp')!];
      const localTs = Number(localRaw);
      if (!Number.isFinite(localTs) || localRaw === '') {
        bad(source, lineNumber, `local_timestamp is not a number: ${quoteInput(localRaw ?? '')}`);
        continue;
      }
      if (localTs < source.lastLocalTs) summary.outOfOrderRows++;
      source.lastLocalTs = localTs;
      source.head = { line: lineNumber, text, localTs, fields };
      return;
    }
  };

  let rows = emptyEncodedEvents();
  const chunk = (): ParsedChunk => {
    const out: ParsedChunk = {
      rows,
      bytesRead: sources.reduce((sum, s) => sum + s.bytesRead, 0),
      totalBytes,
      rowsRead: counts.rowsRead,
      badRows: counts.badRows,
      badRowSamples: samples,
    };
    rows = emptyEncodedEvents();
    samples = [];
    return out;
  };
  const normalizer = new TardisNormalizer();
  try {
    yield chunk();
    for (const source of sources) await advance(source);
    let sinceChunk = 0;
    for (;;) {
      // The source whose next row arrived first (ties: the order the files were given).
      let earliest: Source | null = null;
      for (const source of sources) if (source.head && (!earliest || source.head.localTs < earliest.head!.localTs)) earliest = source;
      if (!earliest) break;
      const { line, text, fields } = earliest.head!;
      let rowEvents: MarketEvent[] = [];
      try {
        rowEvents = normalizer.normalize(earliest.kind, text, line, fields, earliest.columns, earliest.layout);
      } catch (error) {
        if (!(error instanceof TardisRowError)) throw error;
        bad(earliest, line, error.reason);
      }
      encodeEvents(rowEvents, rows);
      for (const event of rowEvents) {
        if (summary.firstEventMs === null || event.tsEvent < summary.firstEventMs) summary.firstEventMs = event.tsEvent;
        if (summary.lastEventMs === null || event.tsEvent > summary.lastEventMs) summary.lastEventMs = event.tsEvent;
      }
      await advance(earliest);
      if (++sinceChunk >= CHUNK_ROWS) {
        sinceChunk = 0;
        yield chunk();
        if (options.signal?.aborted) throw new Error('cancelled');
      }
    }
  } catch (error) {
    if (!(options.signal?.aborted && error instanceof Error && error.message === 'cancelled')) throw error;
    summary.cancelled = true;
  } finally {
    await closeAll();
  }
  yield chunk();
  summary.files = sources.map((s) => ({ file: basename(s.file), kind: s.kind, rows: s.rows, badRows: s.badRows }));
  summary.skipped = Object.fromEntries(normalizer.skipped);
  return summary;
}

/**
 * Imports Tardis files into a new session. The rows are parsed by `parse` (default: in process; the app passes
 * the jobs pool's, app/tardisParseJob.ts) while this function, on the caller's thread, is the only writer.
 */
export async function importTardis(options: {
  files: readonly string[];
  session: string;
  log: EventLog;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  nowMs?: number;
  /** Read only regular files, not through symbolic links (paths a client named: app/importFolder.ts). */
  regularFilesOnly?: boolean;
  /** Where the rows are parsed; default {@link parseTardisFiles} in process. */
  parse?: (options: TardisParseOptions) => TardisParse;
}): Promise<ImportReport> {
  if (options.files.length === 0) throw new Error('no files to import');
  if (options.log.sessionByName(options.session)) throw new Error(`a session named ${JSON.stringify(options.session)} exists already`);
  const parse = (options.parse ?? parseTardisFiles)({
    files: options.files,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.regularFilesOnly ? { regularFilesOnly: true } : {}),
  });
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
  let last: ParsedChunk | null = null;
  const progress = (): ImportProgress => ({
    bytesRead: last?.bytesRead ?? 0,
    totalBytes: last?.totalBytes ?? 0,
    rowsRead: report.rowsRead,
    eventsWritten: report.eventsWritten,
    badRows: report.badRows,
  });
  const take = (chunk: ParsedChunk): void => {
    last = chunk;
    report.rowsRead = chunk.rowsRead;
    report.badRows = chunk.badRows;
    report.badRowSamples.push(...chunk.badRowSamples);
    report.eventsWritten += chunk.rows.payload.length;
  };

  // The first chunk: every header read (or the files refused, before a session exists).
  let step = await parse.next();
  if (step.done) throw new Error('the parser ended before reading the headers');
  take(step.value);

  const nowMs = options.nowMs ?? Date.now();
  const staging = options.log.createStagingSession('tardis', nowMs);
  report.sessionId = staging.id;
  // Batches of at least BATCH events, each in its own transaction; the last one goes with the completion.
  let pending = emptyEncodedEvents();
  let nextSeq = 1;
  const writePending = (): void => {
    options.log.appendEncoded(staging.id, nextSeq, pending);
    nextSeq += pending.payload.length;
    pending = emptyEncodedEvents();
  };
  const discard = (): void => {
    try {
      options.log.deleteSession(staging.id);
    } catch {
      // Already gone, or the database refuses: the next start removes it (its process will be gone).
    }
    report.sessionId = 0;
  };
  let summary: ParseSummary;
  try {
    for (;;) {
      step = await parse.next();
      if (step.done) {
        summary = step.value;
        break;
      }
      take(step.value);
      pending = pending.payload.length === 0 ? step.value.rows : appendEncodedRows(pending, step.value.rows);
      if (pending.payload.length >= BATCH) writePending();
      options.onProgress?.(progress());
    }
  } catch (error) {
    // A failed import (unreadable file, broken gzip, disk full) leaves no half session behind: run it again.
    discard();
    await parse.return(undefined as never).catch(() => undefined);
    if (error instanceof Error) error.message += '; no session was kept';
    throw error;
  }
  report.cancelled = summary.cancelled;
  report.outOfOrderRows = summary.outOfOrderRows;
  report.firstEventMs = summary.firstEventMs;
  report.lastEventMs = summary.lastEventMs;
  if (report.eventsWritten === 0) {
    // Every row was bad, the files held none, or it was cancelled before the first: an empty session would
    // replay nothing.
    discard();
    if (report.cancelled) return report;
    const first = report.badRowSamples[0];
    throw new ImportFileError(
      options.files.map((f) => basename(f)).join(', '),
      `no events imported: ${report.rowsRead} rows read, ${report.badRows} bad${first ? ` (first: line ${first.line}: ${first.reason})` : ''}; no session was kept`,
    );
  }
  try {
    options.log.completeStaging(staging.id, options.session, nextSeq, pending);
  } catch (error) {
    discard();
    if (error instanceof Error) error.message += '; no session was kept';
    throw error;
  }
  report.files = summary.files;
  report.skipped = summary.skipped;
  return report;
}
