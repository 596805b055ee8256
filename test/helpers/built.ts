/**
 * The built CLI (out/main/cli.cjs), rebuilt first when any source is newer than the build (the same check
 * `npm start` makes), so integration tests never run a stale bundle.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

let checked = false;

export function builtCli(): string {
  if (!checked) {
    const result = spawnSync(process.execPath, [resolve('scripts/ensure-built.mjs')], { stdio: 'pipe' });
    if (result.status !== 0) throw new Error(`build failed:\n${String(result.stderr)}`);
    checked = true;
  }
  return resolve('out/main/cli.cjs');
}
