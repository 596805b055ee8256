/**
 * Worker-thread entry for training a hedge policy (worker_threads, one thread per job: a training run is a long
 * job that must never starve the live analytics pool). Receives a `TrainJobInput` as workerData, posts
 * `TrainJobMessage`s, and stops at the next step when the shared cancel flag is set, returning the best
 * validated checkpoint. With workerData.role 'gradient-partner' it is instead the second thread of a two-thread
 * run (learn/parallelGradient.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { serveGradientPartner, type GradientPartnerData } from './parallelGradient';
import { runTrainJob, type TrainJobInput } from './trainJob';

if (parentPort === null) throw new Error('trainWorker must run in a worker thread');
const port = parentPort;
if ((workerData as { role?: string }).role === 'gradient-partner') {
  // The second thread of a two-thread run: half of every batch, driven through shared memory.
  serveGradientPartner(workerData as GradientPartnerData);
} else {
  const input = workerData as TrainJobInput & { cancelFlag: SharedArrayBuffer };
  const flag = new Int32Array(input.cancelFlag);
  const result = runTrainJob(input, {
    now: () => performance.now(),
    isCancelled: () => Atomics.load(flag, 0) !== 0,
    onProgress: (message) => port.postMessage(message),
  });
  port.postMessage(result);
}
