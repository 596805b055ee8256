// `npm test`: typecheck, lint, build, unit + integration tests (vitest), a subset of them at a shifted date (when
// faketime is installed), then e2e (Playwright in Debian's Chromium through the headless host). Stops at the first
// failing step and says which.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './ensure-built.mjs';

// The demo market lays out its expiries from the clock, so a test that assumes names, dates or orderings from it
// passes on some days only. A fast subset (the demo market, the engine, the app and positions tests) also runs
// under Debian's libfaketime at a fixed awkward date: a Monday year end one minute before Deribit's 08:00 UTC
// expiry, on which the demo lists 1JAN30 (a name a test once assumed unlisted). The `faketime` wrapper shares one
// start time with every child process (workers, spawned CLIs); the clock keeps moving from there.
const SHIFTED_DATE = '2029-12-31 07:59:00';
const SHIFTED_TESTS = ['test/unit/core/sim', 'test/unit/engine', 'test/integration/positions.test.ts', 'test/integration/app.test.ts'];
const hasFaketime = spawnSync('faketime', ['--version'], { stdio: 'ignore' }).status === 0;

const steps = [
  ['typecheck', 'npm', ['run', '--silent', 'typecheck']],
  ['lint', 'npm', ['run', '--silent', 'lint']],
  ['build', 'npm', ['run', '--silent', 'build']],
  ['unit + integration (vitest)', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=test-results/vitest.json']],
  [
    `shifted date (vitest subset at ${SHIFTED_DATE} UTC)`,
    'faketime',
    [SHIFTED_DATE, 'npx', 'vitest', 'run', ...SHIFTED_TESTS],
    {
      env: { ...process.env, TZ: 'UTC', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
      skip: hasFaketime ? null : "'faketime' is not installed (Debian: apt-get install -y faketime; .ci/run installs it)",
    },
  ],
  ['e2e (Playwright)', 'npx', ['playwright', 'test']],
];

const started = Date.now();
for (const [name, command, args, options = {}] of steps) {
  const stepStart = Date.now();
  console.log(`\n=== ${name} ===`);
  if (options.skip) {
    console.log(`--- ${name}: skipped: ${options.skip}`);
    continue;
  }
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: options.env ?? process.env });
  const seconds = ((Date.now() - stepStart) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\nnpm test: step '${name}' failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
    process.exit(1);
  }
  console.log(`--- ${name}: ok in ${seconds} s`);
}
console.log(`\nnpm test: all steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);

// One plain summary line over both test runners (their JSON reports).
function counts() {
  const total = { passed: 0, failed: 0, skipped: 0 };
  try {
    const v = JSON.parse(readFileSync(join(ROOT, 'test-results', 'vitest.json'), 'utf8'));
    total.passed += v.numPassedTests ?? 0;
    total.failed += v.numFailedTests ?? 0;
    total.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  } catch {
    // no report: the step's exit code already said everything
  }
  try {
    const p = JSON.parse(readFileSync(join(ROOT, 'test-results', 'playwright.json'), 'utf8'));
    total.passed += p.stats?.expected ?? 0;
    total.failed += (p.stats?.unexpected ?? 0) + (p.stats?.flaky ?? 0);
    total.skipped += p.stats?.skipped ?? 0;
  } catch {
    // as above
  }
  return total;
}
const { passed, failed, skipped } = counts();
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
