// `npm test`: typecheck, lint, build, unit + integration tests (vitest), then e2e (Playwright in Debian's
// Chromium through the headless host). Stops at the first failing step and says which.
import { spawnSync } from 'node:child_process';
import { ROOT } from './ensure-built.mjs';

const steps = [
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['unit + integration (vitest)', 'npx', ['vitest', 'run']],
  ['e2e (Playwright)', 'npx', ['playwright', 'test']],
];

const started = Date.now();
for (const [name, command, args] of steps) {
  const stepStart = Date.now();
  console.log(`\n=== ${name} ===`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\nnpm test: step '${name}' failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    process.exit(1);
  }
  console.log(`--- ${name}: ok in ${seconds} s`);
}
console.log(`\nnpm test: all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
