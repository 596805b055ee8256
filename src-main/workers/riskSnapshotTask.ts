/**
 * Named task `riskSnapshot` of the analytics worker: one currency's Risk view snapshot (engine/riskSnapshot.ts
 * `riskSnapshotFrom`: scenario matrix, PM and standard margin, payoff, distance to a margin call by bisection)
 * from the plain inputs the main thread assembled (`riskTaskInput`). The same function runs in-process, so the
 * pool's snapshot equals the in-process one field for field (test/integration/riskSnapshotPool.test.ts);
 * `computeMs` is this thread's CPU-bound wall time.
 */
import type { RiskSnapshot } from '../api/dto';
import { riskSnapshotFrom, type RiskTaskInput } from '../engine/riskSnapshot';

export function riskSnapshotTask(input: RiskTaskInput): RiskSnapshot {
  const started = performance.now();
  const snapshot = riskSnapshotFrom(input);
  snapshot.computeMs = performance.now() - started;
  return snapshot;
}
