// `npm start`: build if needed, then the Electron window when Electron is installed, else the headless host
// on 127.0.0.1 serving the same UI to a browser (it prints the URL). `--browser` forces browser mode.
// Other arguments (--port N, --db FILE, --seed N) are passed on.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './ensure-built.mjs';

function electronBinary() {
  try {
    const path = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null; // the npm package is present but its binary was never downloaded (`npm run electron:fetch`)
  }
}

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser') || process.env.GAMMADESK_BROWSER === '1';
const passOn = args.filter((a) => a !== '--browser');

try {
  ensureBuilt();
} catch (error) {
  console.error(`GammaDesk: ${error.message}`);
  process.exit(1);
}

const electron = forceBrowser ? null : electronBinary();
const child = electron
  ? spawn(electron, [ROOT, ...passOn], { stdio: 'inherit' })
  : spawn(process.execPath, [join(ROOT, 'out', 'main', 'cli.cjs'), 'serve', ...passOn], { stdio: 'inherit' });
if (!electron && !forceBrowser) {
  console.error('GammaDesk: Electron is not installed (run `npm run electron:fetch` for the desktop window); starting browser mode.');
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
