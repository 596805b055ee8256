/** What a command printed: console.log and console.error captured per test (installs beforeEach/afterEach). */
import { afterEach, beforeEach, vi } from 'vitest';

export function captureConsole(): { out: string[]; err: string[] } {
  const printed = { out: [] as string[], err: [] as string[] };
  beforeEach(() => {
    printed.out = [];
    printed.err = [];
    vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.out.push(parts.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void printed.err.push(parts.join(' ')));
  });
  afterEach(() => vi.restoreAllMocks());
  return printed;
}
