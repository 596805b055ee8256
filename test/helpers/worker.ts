import path from 'node:path';

/**
 * The greeks worker from TypeScript source, run in worker threads through tsx: no build needed for tests.
 * (The built app uses out/main/greeksWorker.cjs instead.)
 */
export const TSX_WORKER = { filename: path.resolve('src-main/workers/greeksWorker.ts'), execArgv: ['--import', 'tsx'] };

/** The long-jobs worker (app/jobsPool.ts) from TypeScript source, the same way. */
export const TSX_JOBS_WORKER = { filename: path.resolve('src-main/workers/jobsWorker.ts'), execArgv: ['--import', 'tsx'] };
