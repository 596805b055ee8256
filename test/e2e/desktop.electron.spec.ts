import { _electron as electron, expect, test } from '@playwright/test';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The desktop window: the same UI in a sandboxed, context-isolated renderer over IPC.
function electronBinary(): string | null {
  try {
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const nativeSqlite = existsSync(resolve('.electron-native/better_sqlite3.node'));

test('the Electron window shows the live demo chain over IPC', async () => {
  const reason = !binary
    ? 'Electron binary not installed: npm install skips its download here; run `npm run electron:fetch` where the Electron release download is reachable.'
    : !nativeSqlite
      ? 'better-sqlite3 is not built for Electron: `npm run electron:fetch` builds .electron-native/better_sqlite3.node.'
      : null;
  if (reason) console.log(`[electron] skipped: ${reason}`); // the list reporter shows test output, not skip reasons
  test.skip(reason !== null, reason ?? '');
  const app = await electron.launch({
    executablePath: binary!,
    args: [resolve('.'), '--db', join(mkdtempSync(join(tmpdir(), 'gammadesk-electron-')), 'e2e.db')],
  });
  const window = await app.firstWindow();
  await expect(window.getByTestId('link-state')).toHaveText('connected');
  await expect(window.getByTestId('feed-status')).toContainText('live');
  await expect.poll(async () => window.locator('[data-testid=chain] tbody tr').count(), { timeout: 20_000 }).toBeGreaterThan(10);
  // The page gets the bridge and nothing of Node.
  expect(await window.evaluate(() => ({ bridge: typeof (window as unknown as { gammadesk?: unknown }).gammadesk, require: typeof (globalThis as { require?: unknown }).require }))).toEqual({ bridge: 'object', require: 'undefined' });
  await window.screenshot({ path: 'test-results/screenshots/electron-chain.png' });
  await app.close();
});
