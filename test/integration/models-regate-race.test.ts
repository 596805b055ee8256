/**
 * A re-gate (`models.gate`, on the jobs pool) whose model is deleted before it ends, the id then taken by a new
 * model (SQLite reuses the largest rowid): the gate is not stored on the new model, which was never vetted, and the
 * job fails saying why. The order is forced without waiting: the delete and the new model happen synchronously right
 * after the job starts, before the jobs thread can answer.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelJobDto } from '../../src-main/api/contract/models';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { benchmarkProblem } from '../../src-main/core/learn/benchmarks';
import { problemDto } from '../../src-main/learn/problemDto';
import { ModelRepository } from '../../src-main/store/models';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-regate-race-');
afterAll(() => temp.remove());

const B1 = benchmarkProblem('B1');
const entry = (name: string, createdMs: number) => ({
  name, benchmark: 'B1', createdMs, seeds: { init: 1, train: 2, validation: 3, test: 1000 }, dataRange: 'test',
  metrics: { problem: problemDto(B1, 'B1') }, passedGate: false,
  model: exportPolicy(new NetworkPolicy('ntb', Mlp.initialized([4, 8, 2], new Rng(createdMs), 0.5), defaultInputs('ntb', B1.contract.maturity, B1.sigma), 0.1), {}),
});

describe('models.gate while its model is deleted', () => {
  it('does not store the gate on a new model that took the id', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'race.db'), publishIntervalMs: 50 });
    try {
      const repository = new ModelRepository(stepped.app.db);
      const id = repository.save(entry('old', 1));
      const client = stepped.app.hub.client();
      let jobs: ModelJobDto[] = [];
      client.subscribe('modelJobs', {}, (m) => (jobs = m.data));
      const job = await client.call('models.gate', { id, paths: 2000 });
      expect(repository.delete(id)).toBe(true);
      const reused = repository.save(entry('new', 2));
      expect(reused).toBe(id);
      await stepped.app.models.idle();
      expect(repository.summary(reused)!.gates).toEqual([]);
      const done = jobs.find((j) => j.id === job.id)!;
      expect(done.state).toBe('failed');
      expect(done.error).toBe(`model ${id} "old" was deleted while it was re-gated: the gate is not stored`);
    } finally {
      await stepped.app.stop();
    }
  });
});
