/** Where GammaDesk keeps its data when the user does not say (`--db`). */
import { homedir } from 'node:os';
import { join } from 'node:path';

export const DB_FILE_NAME = 'gammadesk.db';

/** `GAMMADESK_DERIBIT_URL`: a WebSocket endpoint used instead of Deribit's (a mock server, a proxy). */
export function deribitUrlOverride(env: NodeJS.ProcessEnv = process.env): { deribitUrl?: string } {
  const url = env['GAMMADESK_DERIBIT_URL'];
  return url ? { deribitUrl: url } : {};
}

/** Headless: `$GAMMADESK_HOME`, else `~/.gammadesk`. Electron passes its `userData` folder instead. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env['GAMMADESK_HOME'];
  return fromEnv && fromEnv.length > 0 ? fromEnv : join(homedir(), '.gammadesk');
}

export function defaultDbPath(dataDir: string = defaultDataDir()): string {
  return join(dataDir, DB_FILE_NAME);
}
