/** Builds the app first when the sources are newer than out/ (the e2e suite runs the built CLI and UI). */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function globalSetup(): void {
  const result = spawnSync(process.execPath, [resolve('scripts/ensure-built.mjs')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('build failed: run `npm run build` to see why');
}
