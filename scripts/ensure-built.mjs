// Builds the app with electron-vite when the output is missing or older than any source file.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUTPUTS = ['out/main/index.cjs', 'out/main/cli.cjs', 'out/main/greeksWorker.cjs', 'out/preload/preload.cjs', 'out/renderer/index.html'];
const SOURCES = ['src-main', 'src-renderer', 'electron.vite.config.ts', 'svelte.config.js', 'package.json'];

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function needsBuild() {
  const outputs = OUTPUTS.map((p) => join(ROOT, p));
  if (!outputs.every((p) => existsSync(p))) return true;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const newestSource = Math.max(...SOURCES.map((p) => join(ROOT, p)).filter(existsSync).map(newestMtime));
  return newestSource > oldestOutput;
}

export function ensureBuilt({ quiet = false } = {}) {
  if (!needsBuild()) return;
  if (!quiet) console.error('GammaDesk: building (electron-vite)…');
  const bin = join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [bin, 'build'], { cwd: ROOT, stdio: quiet ? 'pipe' : ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    if (quiet) process.stderr.write(result.stderr ?? '');
    throw new Error(`build failed (exit ${result.status}); run \`npm run build\` to see why`);
  }
}

// `node scripts/ensure-built.mjs`: build when stale (tests call this before using the built CLI).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureBuilt({ quiet: true });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
