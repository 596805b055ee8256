import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchmarkProblem } from '../../src-main/core/learn/benchmarks';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, hedgePnlInput, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { problemDto } from '../../src-main/learn/problemDto';
import { openDatabase } from '../../src-main/store/database';
import { ModelRepository } from '../../src-main/store/models';
import { openDesk } from './desk';
import { hostForThisFile, SHOTS, startHostProcess } from './host';

// A path-dependent model (input hedge_pnl, decision 0037) in the Models view, in Chromium against the real host:
// the host's database holds one (a small NTB on B1 with the hedge P&L input); its row says it serves benchmarks
// only and offers no "Use as hedge policy", the Hedges view does not list it, and it compares with the classical
// hedges on test paths like any model (the comparison hedges one option from its start).
const host = hostForThisFile(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gammadesk-e2e-pd-'));
  const file = join(dir, 'models.db');
  const db = openDatabase(file);
  try {
    const b1 = benchmarkProblem('B1');
    const inputs = [...defaultInputs('ntb', b1.contract.maturity, b1.sigma), hedgePnlInput(b1.contract.strike, b1.contract.maturity, b1.sigma)];
    const mlp = Mlp.initialized([5, 8, 8, 2], new Rng(3), 0.1);
    mlp.biases[2]!.fill(1.2);
    new ModelRepository(db).save({
      name: 'e2e path-dependent ntb', benchmark: 'B1', createdMs: Date.parse('2026-12-06T10:00:00Z'), seeds: { init: 3 }, dataRange: 'untrained (e2e)',
      metrics: { problem: problemDto(b1, 'B1') }, passedGate: false, model: exportPolicy(new NetworkPolicy('ntb', mlp, inputs, 0.1), {}),
    });
  } finally {
    db.close();
  }
  const started = await startHostProcess(['--db', file]);
  return { ...started, stop: async () => { await started.stop(); rmSync(dir, { recursive: true, force: true }); } };
});

test('models: a path-dependent model is for benchmarks only, and compares like any model', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  await page.getByRole('tab', { name: 'Models' }).click();
  const row = page.getByTestId('model-row').filter({ hasText: 'e2e path-dependent ntb' });
  await expect(row.getByTestId('path-dependent')).toHaveText('path-dependent: benchmarks only, not for the hedge advisor');
  await expect(row.getByTestId('use-model')).toHaveCount(0);

  const id = (await row.getAttribute('data-id'))!;
  await page.getByTestId('compare-model').selectOption(id);
  await page.getByTestId('compare-paths').fill('20000');
  await page.getByTestId('compare-run').click();
  const table = page.getByTestId('compare-table');
  await expect(table).toBeVisible({ timeout: 90_000 });
  for (const policy of ['bs-delta', 'ww', `model:${id}`]) await expect(table.locator(`[data-policy="${policy}"]`)).toContainText('±');
  await page.getByRole('region', { name: 'Models' }).evaluate((element) => element.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/models-path-dependent.png` });
  expect(problems).toEqual([]);
});
