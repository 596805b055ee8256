/**
 * The long-jobs pool's worker entry (app/jobsPool.ts): one named export per job, `pool.run(input, { name })`.
 * Training and backtests add theirs here and in `JobTypes`.
 */
export { tardisParse } from './tardisParseTask';
export { forecastEvaluate } from './forecastEvaluateTask';
export { modelsCompare } from './modelsCompareTask';
export { backtestRun } from './backtestRunTask';
export { modelsGate } from './modelsGateTask';
export { sessionRead } from './sessionReadTask';

/**
 * Piscina loads the default export when a thread starts; without one it falls back to `import()`, which the
 * tests' tsx loader cannot serve in a worker. Every job has a name, so this only refuses.
 */
export default function unnamedJob(): never {
  throw new Error('the jobs worker runs named jobs only: pool.run(input, { name })');
}
