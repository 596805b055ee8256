/**
 * A path-dependent model (input hedge_pnl, decision 0037) in the app: it is stored, listed and re-gated like any
 * model (the gate hedges single options from their start, where the P&L so far exists), but the advisor refuses it
 * and says why: a book has no single hedge P&L since inception.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ModelJobDto } from '../../src-main/api/contract/models';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, hedgePnlInput, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { benchmarkProblem } from '../../src-main/core/learn/benchmarks';
import { defaultHedgeSettings } from '../../src-main/core/hedge/settings';
import { problemDto } from '../../src-main/learn/problemDto';
import { ModelRepository } from '../../src-main/store/models';
import { startSteppedApp } from '../helpers/steppedApp';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-path-dependent-');
afterAll(() => temp.remove());

const B1 = benchmarkProblem('B1');
const { gamma: _gamma, vega: _vega, hedgeInstrument: _instrument, maxInitialMarginCoin: _im, modelId: _model, ...defaults } = defaultHedgeSettings('BTC');

describe('a path-dependent model in the app', () => {
  it('is gated like any model, and the advisor refuses it with the reason', async () => {
    const stepped = startSteppedApp({ dbPath: path.join(temp.dir, 'pd.db'), publishIntervalMs: 50 });
    try {
      const inputs = [...defaultInputs('ntb', B1.contract.maturity, B1.sigma), hedgePnlInput(B1.contract.strike, B1.contract.maturity, B1.sigma)];
      const network = new NetworkPolicy('ntb', Mlp.initialized([5, 8, 2], new Rng(4), 0.5), inputs, 0.1);
      const id = new ModelRepository(stepped.app.db).save({
        name: 'pd', benchmark: 'B1', createdMs: 1, seeds: { init: 1, train: 2, validation: 3, test: 1000 }, dataRange: 'test',
        metrics: { problem: problemDto(B1, 'B1') }, passedGate: false, model: exportPolicy(network, {}),
      });
      const client = stepped.app.hub.client();
      let jobs: ModelJobDto[] = [];
      client.subscribe('modelJobs', {}, (m) => (jobs = m.data));
      const job = await client.call('models.gate', { id, paths: 2000 });
      await stepped.app.models.idle();
      expect(jobs.find((j) => j.id === job.id)!.state).toBe('done');
      const [model] = await client.call('models.list', {});
      expect(model!.pathDependent).toBe(true);
      expect(model!.gates).toHaveLength(1);
      expect(Number.isFinite(model!.gates[0]!.difference.value)).toBe(true);
      expect(stepped.app.models.refusal(id)).toMatch(/model \d+ "pd": the model reads the hedge P&L so far \(input hedge_pnl/);
      await expect(client.call('hedge.settings.set', { ...defaults, enabled: true, gamma: 'none', vega: 'none', policy: 'learned', modelId: id })).rejects.toThrow(/hedge_pnl/);
    } finally {
      await stepped.app.stop();
    }
  });
});
