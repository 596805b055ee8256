/** `gammadesk serve`: the headless host on 127.0.0.1 with the built UI, running the demo market by default. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GammaDeskApp } from '../app/app';
import { defaultDbPath, deribitUrlOverride } from '../app/paths';
import { riskHistoryFromEnv } from '../app/whatIfService';
import { startHost, type RunningHost } from '../host/server';
import { builtPaths } from './builtPaths';

export interface ServeOptions {
  port?: number;
  dbPath?: string;
  /** The only folder the UI may import from (default: `imports` next to the database). */
  importFolder?: string;
  seed?: number;
}

export interface RunningServe {
  app: GammaDeskApp;
  host: RunningHost;
  stop(): Promise<void>;
}

export async function serve(options: ServeOptions): Promise<RunningServe> {
  const paths = builtPaths();
  if (!existsSync(resolve(paths.rendererDir, 'index.html'))) {
    throw new Error(`the UI is not built (${paths.rendererDir} has no index.html): run \`npm run build\``);
  }
  const dbPath = options.dbPath ? resolve(options.dbPath) : defaultDbPath();
  const app = GammaDeskApp.start({
    dbPath,
    mode: 'browser',
    worker: { filename: paths.worker },
    ...deribitUrlOverride(),
    ...riskHistoryFromEnv(),
    ...(options.seed !== undefined ? { demoSeed: options.seed } : {}),
    ...(options.importFolder !== undefined ? { importFolder: resolve(options.importFolder) } : {}),
  });
  let host: RunningHost;
  try {
    host = await startHost({
      hub: app.hub,
      staticDir: paths.rendererDir,
      ...(options.port !== undefined ? { port: options.port } : {}),
      log: (message) => console.error(`[host] ${message}`),
    });
  } catch (error) {
    await app.stop();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`port ${options.port} is in use: pick another with --port, or omit it for a free one`, { cause: error });
    throw error;
  }
  return {
    app,
    host,
    stop: async () => {
      await host.close();
      await app.stop();
    },
  };
}
