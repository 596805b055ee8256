/**
 * Paths to the read-only reference material beside the checkout (`../shared`, see shared/data/README.md and
 * shared/reference/README.md). Tests run with cwd = the repository root; the files are never copied in.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function sharedPath(...parts: string[]): string {
  return path.resolve(process.cwd(), '../shared', ...parts);
}

export function readSharedJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(sharedPath(...parts), 'utf8')) as T;
}

export function readSharedText(...parts: string[]): string {
  return readFileSync(sharedPath(...parts), 'utf8');
}

/** Minimal CSV reader for the snapshot files (no quoted fields there): header-keyed rows. */
export function readSharedCsv(...parts: string[]): Record<string, string>[] {
  const lines = readSharedText(...parts).trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      row[name] = cells[i] ?? '';
    });
    return row;
  });
}

/** Sorted-sample quantile (nearest rank below): q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}
