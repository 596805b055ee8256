/**
 * The worker entry benchmarks run: the built one (out/main/greeksWorker.cjs, what the app uses) when it exists,
 * else the TypeScript source through tsx.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { GreeksPool } from '../src-main/app/greeksPool';

export function benchWorker(): { filename: string; execArgv?: string[] } {
  const built = resolve('out/main/greeksWorker.cjs');
  return existsSync(built) ? { filename: built } : { filename: resolve('src-main/workers/greeksWorker.ts'), execArgv: ['--import', 'tsx'] };
}

export function benchPool(): GreeksPool {
  return new GreeksPool(benchWorker());
}
