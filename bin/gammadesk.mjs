#!/usr/bin/env node
// The `gammadesk` command: builds the app if needed, then runs the bundled CLI (out/main/cli.cjs).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../scripts/ensure-built.mjs';

try {
  ensureBuilt();
} catch (error) {
  console.error(`gammadesk: ${error.message}`);
  process.exit(1);
}
createRequire(import.meta.url)(join(ROOT, 'out', 'main', 'cli.cjs'));
