/**
 * Streams the lines of a text file, plain or gzip (`.gz`, or detected by its magic bytes), with 1-based line
 * numbers, in constant memory: a 1 GB file is read 64 KiB at a time. Progress is reported in bytes read from
 * disk (compressed bytes for .gz), so a progress bar can show the file's share done.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

export interface NumberedLine {
  lineNumber: number;
  text: string;
}

export interface LineReaderOptions {
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  signal?: AbortSignal;
}

async function isGzip(path: string): Promise<boolean> {
  if (path.endsWith('.gz')) return true;
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

export async function* readLines(path: string, options: LineReaderOptions = {}): AsyncGenerator<NumberedLine> {
  const totalBytes = (await stat(path)).size;
  const gzip = await isGzip(path);
  // From here on, no await until readline is attached: a 'data' listener starts the stream flowing.
  const file = createReadStream(path, { highWaterMark: 64 * 1024 });
  let bytesRead = 0;
  file.on('data', (chunk) => {
    bytesRead += chunk.length;
    options.onProgress?.(bytesRead, totalBytes);
  });
  const source = gzip ? file.pipe(createGunzip()) : file;
  if ((source as NodeJS.ReadableStream) !== file) file.on('error', (error) => source.destroy(error));
  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      if (options.signal?.aborted) throw new Error('cancelled');
      lineNumber++;
      yield { lineNumber, text };
    }
  } finally {
    lines.close();
    file.destroy();
  }
}
