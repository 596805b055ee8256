/**
 * `npm run bench -- models-advisor`: what the hedge advisor's two questions about its learned model cost on the main
 * thread per hedge computation (app.ts `learnedModel` → `ModelsService.model`, `learnedRefusal` →
 * `ModelsService.refusal`), on a database file in WAL mode holding one model (the trained 4→32→32→2 NTB's shape,
 * its problem and gate as `storedModel` records them):
 * - cached: both calls with nothing changed (the stamp check, one `PRAGMA data_version`, and two map look-ups);
 * - after a change: the first computation after a re-gate (the summary and gates read again; the parsed network is
 *   kept, its row unchanged);
 * - uncached reads: what every computation read before the cache — the model's summary and gates twice and the
 *   criterion's settings row.
 * µs per computation, best of 5 rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HedgeSettingsStore } from '../src-main/app/hedgeSettings';
import { ApiHub } from '../src-main/app/hub';
import { JobsPool } from '../src-main/app/jobsPool';
import { benchmarkProblemDto, ModelsService } from '../src-main/app/modelsService';
import { Mlp } from '../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, NetworkPolicy } from '../src-main/core/learn/network';
import { Rng } from '../src-main/core/random';
import { openDatabase } from '../src-main/store/database';
import { SettingsRepository } from '../src-main/store/settings';
import { TSX_JOBS_WORKER } from '../test/helpers/worker';

/** µs per call of `work`, best of 5 rounds of `rounds`. */
function microseconds(work: () => void, rounds: number): number {
  for (let k = 0; k < Math.min(rounds, 100); k++) work();
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    for (let k = 0; k < rounds; k++) work();
    times.push(((performance.now() - t0) * 1000) / rounds);
  }
  return Number(Math.min(...times).toFixed(2));
}

export async function runModelsAdvisorBench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-bench-models-advisor-'));
  const db = openDatabase(join(dir, 'bench.db'));
  const pool = new JobsPool(TSX_JOBS_WORKER);
  try {
    const settings = new SettingsRepository(db);
    const hedgeSettings = new HedgeSettingsStore(settings, () => 0);
    const models = new ModelsService({
      db, hub: new ApiHub(), hedgeSettings: () => hedgeSettings, jobsPool: pool, trainWorker: { file: 'unused: nothing is trained here' },
      market: () => {
        throw new Error('models-advisor bench: no market (nothing is calibrated here)');
      },
      realized: () => null, nowMs: () => 0, historyFile: null,
    });
    const policy = new NetworkPolicy('ntb', Mlp.initialized([4, 32, 32, 2], new Rng(3)), defaultInputs('ntb', 30 / 365, 0.2), 0.1);
    const criterion = { kind: 'entropic' as const, lambda: 1 };
    const gate = (paths: number) => ({ criterion, passed: true, gate: { baseline: 'ww', difference: { value: -0.2, standardError: 0.01 }, paths, seed: 1000, simulator: 'gbm', criterion } });
    const id = models.repository.save({
      name: 'bench', benchmark: 'B1', createdMs: 0, seeds: { init: 1, train: 2, validation: 3, test: 1000 }, dataRange: 'Black-Scholes paths, σ 0.2, 30 days',
      metrics: { problem: benchmarkProblemDto('B1').dto, steps: 600, gate: gate(100_000).gate }, passedGate: true, gates: [gate(100_000)], model: exportPolicy(policy, {}),
    });
    const computation = (): void => {
      if (models.model(id) === null || models.refusal(id) !== null) throw new Error('models-advisor bench: the model should hedge');
    };
    const cached = microseconds(computation, 20_000);
    let paths = 100_000;
    const afterChange = microseconds(() => {
      models.repository.saveGate(id, gate(++paths), 0);
      computation();
    }, 500);
    const regateOnly = microseconds(() => models.repository.saveGate(id, gate(++paths), 0), 500);
    const uncachedReads = microseconds(() => {
      models.repository.summary(id);
      models.repository.summary(id);
      settings.get('hedge.criterion');
    }, 5000);
    return {
      us_per_computation_cached: cached,
      us_first_computation_after_a_regate: Number(Math.max(0, afterChange - regateOnly).toFixed(2)),
      us_per_computation_reads_before_the_cache: uncachedReads,
    };
  } finally {
    await pool.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
