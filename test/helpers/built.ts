/** The built CLI (out/main/cli.cjs). `npm test` builds before vitest; a bare `vitest run` builds here once. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export function builtCli(): string {
  const cli = resolve('out/main/cli.cjs');
  if (!existsSync(cli) || !existsSync(resolve('out/main/greeksWorker.cjs'))) {
    const result = spawnSync(process.execPath, [resolve('node_modules/electron-vite/bin/electron-vite.js'), 'build'], { stdio: 'pipe' });
    if (result.status !== 0) throw new Error(`electron-vite build failed:\n${String(result.stderr)}`);
  }
  return cli;
}
