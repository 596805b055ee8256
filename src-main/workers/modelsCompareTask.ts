/**
 * Jobs-pool task `modelsCompare`: a learned model against no hedge, Black-Scholes delta, Whalley–Wilmott and Leland
 * on the same test paths (learn/compare.ts), for the Models view. Seconds of CPU at 10⁵ paths: the low-priority jobs
 * thread, never the main thread.
 */
import type { MessagePort } from 'node:worker_threads';
import { comparePolicies, type CompareInput, type CompareOutput } from '../learn/compare';

export type ModelsCompareInput = CompareInput;
export type ModelsCompareResult = CompareOutput;

export function modelsCompare(input: ModelsCompareInput & { port: MessagePort }): ModelsCompareResult {
  const { port, ...rest } = input;
  try {
    return comparePolicies(rest);
  } finally {
    port.close();
  }
}
