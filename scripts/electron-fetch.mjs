// `npm run electron:fetch`: downloads the Electron binary (skipped by `npm install`, see allowScripts in
// package.json) and builds better-sqlite3 for Electron's ABI into .electron-native/, leaving the Node build in
// node_modules untouched for the CLI, the headless host and the tests. Needs internet access to the Electron
// release and headers downloads; everything else in GammaDesk works without it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './ensure-built.mjs';

function run(command, args, options = {}) {
  console.log(`> ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`electron:fetch: '${command}' failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

const electronDir = join(ROOT, 'node_modules', 'electron');
if (!existsSync(electronDir)) {
  console.error('electron:fetch: node_modules/electron is missing: run `npm install` first.');
  process.exit(1);
}
const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;

// 1. The Electron binary (what electron's own postinstall would have done).
run(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir });

// 2. better-sqlite3 compiled against Electron's headers, built in a scratch copy of the package.
const nodeGyp = process.env.npm_config_node_gyp;
if (!nodeGyp || !existsSync(nodeGyp)) {
  console.error('electron:fetch: run it through npm (`npm run electron:fetch`), which provides node-gyp.');
  process.exit(1);
}
const scratch = mkdtempSync(join(tmpdir(), 'gammadesk-sqlite-'));
try {
  cpSync(join(ROOT, 'node_modules', 'better-sqlite3'), scratch, { recursive: true });
  rmSync(join(scratch, 'build'), { recursive: true, force: true });
  const env = { ...process.env, npm_config_nodedir: '' };
  run(process.execPath, [nodeGyp, 'rebuild', '--release', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], { cwd: scratch, env });
  const outDir = join(ROOT, '.electron-native');
  mkdirSync(outDir, { recursive: true });
  cpSync(join(scratch, 'build', 'Release', 'better_sqlite3.node'), join(outDir, 'better_sqlite3.node'));
  console.log(`electron:fetch: Electron ${electronVersion} is ready; \`npm start\` now opens the desktop window.`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
