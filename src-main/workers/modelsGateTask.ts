/**
 * Jobs-pool task `modelsGate`: a stored model re-gated against the Whalley–Wilmott band under a criterion
 * (learn/regate.ts). Seconds of CPU at 10⁵ paths: the low-priority jobs thread, never the main thread.
 */
import type { MessagePort } from 'node:worker_threads';
import type { GateResult } from '../core/learn/evaluate';
import { regateModel, type RegateInput } from '../learn/regate';

export type ModelsGateInput = RegateInput;
export type ModelsGateResult = GateResult;

export function modelsGate(input: ModelsGateInput & { port: MessagePort }): ModelsGateResult {
  const { port, ...rest } = input;
  try {
    return regateModel(rest);
  } finally {
    port.close();
  }
}
