/**
 * Streams the lines of a text file, plain or gzip (`.gz`, or detected by its magic bytes), with 1-based line
 * numbers, in constant memory: a 1 GB file is read 64 KiB at a time, and no line is held beyond `maxLineBytes`
 * (1 MiB by default): a longer one is skipped to its end and handed over as `tooLongBytes` for the caller to
 * count as a bad row, so 700 MB without a newline cost 1 MiB, not a `RangeError: Invalid string length`. A NUL
 * byte stops the file: that is not CSV text (a binary file, /dev/zero). Every error names the file and the last
 * line read. Progress is reported in bytes read from disk (compressed bytes for .gz), so a progress bar can show
 * the file's share done.
 */
import { constants, createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export interface NumberedLine {
  lineNumber: number;
  /** The line without its `\n` / `\r\n`; empty when the line was too long (see `tooLongBytes`). */
  text: string;
  /** Set when the line was longer than `maxLineBytes`: its length in bytes; it was skipped, not read. */
  tooLongBytes?: number;
}

export interface LineReaderOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
  /** The longest line read (default {@link MAX_LINE_BYTES}); a longer one comes back as `tooLongBytes`. */
  maxLineBytes?: number;
  /**
   * Read only a regular file, and not through a symbolic link (O_NOFOLLOW, checked on the opened file): for paths
   * a client named (app/importFolder.ts), so a file swapped for a link or a device after the check is refused.
   */
  regularFileOnly?: boolean;
}

/** 1 MiB: a Tardis row is a few hundred bytes; a book_snapshot_25 row about 1.5 KB. */
export const MAX_LINE_BYTES = 1 << 20;

/** The file cannot be read on (I/O error, broken gzip) or is not text; the message names the file and the line. */
export class LineReadError extends Error {
  override readonly name = 'LineReadError';
  constructor(
    readonly file: string,
    /** What went wrong, without the file name: `cannot be read after line 12: unexpected end of file`. */
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`${basename(file)}: ${detail}`, options);
  }
}

async function isGzip(handle: FileHandle, path: string): Promise<boolean> {
  if (path.endsWith('.gz')) return true;
  const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
  return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
}

const NEWLINE = 0x0a;

export async function* readLines(path: string, options: LineReaderOptions = {}): AsyncGenerator<NumberedLine> {
  const maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  let handle: FileHandle;
  let totalBytes: number;
  let gzip: boolean;
  try {
    handle = await open(path, options.regularFileOnly ? constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK : 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LineReadError(path, code === 'ELOOP' ? 'is a symbolic link: refused' : `cannot be read (${code ?? 'error'})`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (options.regularFileOnly && !stats.isFile()) throw new LineReadError(path, 'is not a regular file: refused');
    totalBytes = stats.size;
    gzip = await isGzip(handle, path);
  } catch (error) {
    await handle.close();
    if (error instanceof LineReadError) throw error;
    throw new LineReadError(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  // The stream reads the file opened (and checked) above, from its start, and closes it.
  const file = createReadStream(path, { fd: handle, start: 0, highWaterMark: 64 * 1024 });
  let bytesRead = 0;
  let source: Readable = file;
  if (gzip) {
    // The gunzip stream is what is iterated; the file's own chunks count the progress.
    file.on('data', (chunk) => {
      bytesRead += chunk.length;
      options.onProgress?.(bytesRead, totalBytes);
    });
    const gunzip = createGunzip();
    file.on('error', (error) => gunzip.destroy(error));
    source = file.pipe(gunzip);
  }

  let lineNumber = 0;
  // The line being assembled: its pieces (at most maxLineBytes in all), or only its length once it is too long.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  const take = (): NumberedLine => {
    lineNumber++;
    let line: NumberedLine;
    if (tooLong) {
      line = { lineNumber, text: '', tooLongBytes: partBytes };
    } else {
      let text = (parts.length === 1 ? parts[0]! : Buffer.concat(parts, partBytes)).toString('utf8');
      if (text.endsWith('\r')) text = text.slice(0, -1);
      line = { lineNumber, text };
    }
    parts = [];
    partBytes = 0;
    tooLong = false;
    return line;
  };
  const append = (piece: Buffer): void => {
    if (piece.length === 0) return;
    partBytes += piece.length;
    if (tooLong) return;
    if (partBytes > maxLineBytes) {
      tooLong = true;
      parts = [];
      return;
    }
    parts.push(piece);
  };

  try {
    const iterator = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw new LineReadError(path, `cannot be read after line ${lineNumber}: ${(error as Error).message}`, { cause: error });
      }
      if (next.done) break;
      const chunk = next.value;
      if (!gzip) {
        bytesRead += chunk.length;
        options.onProgress?.(bytesRead, totalBytes);
      }
      if (options.signal?.aborted) throw new Error('cancelled');
      // The lines before a NUL byte are handed over; the line holding it stops the file.
      const nulAt = chunk.indexOf(0);
      let start = 0;
      for (;;) {
        const end = chunk.indexOf(NEWLINE, start);
        if (nulAt !== -1 && nulAt >= start && (end === -1 || nulAt < end)) {
          throw new LineReadError(path, `is not CSV text (a NUL byte in line ${lineNumber + 1}); stopped reading it`);
        }
        if (end === -1) {
          append(chunk.subarray(start));
          break;
        }
        append(chunk.subarray(start, end));
        start = end + 1;
        yield take();
        if (options.signal?.aborted) throw new Error('cancelled');
      }
    }
    if (partBytes > 0) yield take();
  } finally {
    source.destroy();
    file.destroy();
  }
}
