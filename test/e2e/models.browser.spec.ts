import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { atmCall, hedgeShortCallsWithModel, openDesk } from './desk';
import { hostForThisFile, SHOTS } from './host';

// The Models view in Chromium against the real host: a small B1 model trained from the UI (a step cap, the worker
// thread's progress on the bar), a second training on market-calibrated paths cancelled (its best checkpoint
// kept), the B1 model compared with the classical hedges on Heston test paths and, having passed its gate, chosen
// as the BTC hedge policy, whose proposal on a book of short calls shows the learned band.
const host = hostForThisFile();

test('models: train with progress, cancel another, compare on other paths, use a model that passed as the hedge policy', async ({ page }) => {
  test.setTimeout(420_000);
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  const call = await atmCall(page);

  await page.getByRole('tab', { name: 'Models' }).click();
  await expect(page.getByTestId('models-empty')).toBeVisible();

  // Train: NTB on B1 for 40 steps (seeds 1, 2, 3: the same model on any machine), at most 150 s.
  await page.getByTestId('train-source').selectOption('B1');
  await page.getByTestId('train-kind').selectOption('ntb');
  await page.getByTestId('train-steps').fill('40');
  await page.getByTestId('train-budget').fill('150');
  await page.getByTestId('train-name').fill('e2e ntb B1');
  await page.getByTestId('train-start').click();
  const progress = page.getByTestId('train-progress');
  await expect(progress).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('train-status')).toContainText('best validation', { timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/models-training.png` });
  await expect(progress).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const trained = page.getByTestId('model-row').filter({ hasText: 'e2e ntb B1' });
  await expect(trained).toBeVisible();
  // 40 steps from seed 1 are deterministic: this model beats the Whalley–Wilmott band on the 100,000 gate paths (B1
  // at 40 steps: README "Learned hedging", best validation 4.14 against the band's 4.36).
  await expect(trained.getByTestId('model-gate')).toContainText('PASSED');
  await expect(trained).toHaveAttribute('data-gate', 'passed');
  await expect(trained.getByTestId('model-seeds')).toHaveText('seeds init 1, train 2, validation 3, test 1000');

  // A second training on paths calibrated to the demo market's BTC ATM vol, cancelled once it has made progress:
  // the best checkpoint so far is stored.
  await page.getByTestId('train-source').selectOption('market');
  await page.getByTestId('train-kind').selectOption('ffn');
  await page.getByTestId('train-seed').fill('11');
  await page.getByTestId('train-steps').fill('');
  await page.getByTestId('train-budget').fill('600');
  await page.getByTestId('train-name').fill('e2e ffn market cancelled');
  await page.getByTestId('train-start').click();
  await expect(progress).toContainText('e2e ffn market cancelled');
  await expect(progress).toContainText(/BTC market .* UTC: priced and hedged at ATM IV 0\.\d{4}/);
  await expect(page.getByTestId('train-status')).toContainText('best validation', { timeout: 60_000 });
  await page.getByTestId('train-cancel').click();
  await expect(page.getByTestId('train-gating')).toContainText('Cancelled: finishing the current step');
  // The gate runs the best checkpoint and the band on 100,000 fresh paths: slow on a busy 2-core machine.
  await expect(progress).toHaveAttribute('data-state', 'cancelled', { timeout: 180_000 });
  await expect(progress).toContainText('the best checkpoint so far');
  await expect(page.getByTestId('model-row').filter({ hasText: 'e2e ffn market cancelled' }).getByTestId('model-seeds')).toHaveText('seeds init 11, train 12, validation 13, test 1000');

  // Compare the B1 model with the classical hedges on Heston paths it never saw.
  const modelId = (await trained.getAttribute('data-id'))!;
  await page.getByTestId('compare-model').selectOption(modelId);
  await page.getByTestId('compare-simulator').selectOption('heston');
  await page.getByTestId('compare-paths').fill('20000');
  await page.getByTestId('compare-run').click();
  const table = page.getByTestId('compare-table');
  await expect(table).toBeVisible({ timeout: 90_000 });
  await expect(table.getByTestId('compare-row')).toHaveCount(5);
  for (const baseline of ['none', 'bs-delta', 'ww', 'leland', `model:${modelId}`]) await expect(table.locator(`[data-policy="${baseline}"]`)).toContainText('±');
  await expect(page.getByTestId('comparison')).toContainText('20,000 heston');
  await expect(page.getByTestId('compare-gate')).toContainText('Model − Whalley–Wilmott');
  await expect(page.getByTestId('compare-histogram').locator('[data-axis=x]').first()).toBeVisible();
  await expect(page.getByTestId('compare-histogram')).toContainText('−ES99');
  await page.getByTestId('compare-histogram').hover();
  await expect(page.getByTestId('compare-histogram-readout')).toContainText('%');
  // The unhedged spike at zero P&L flattens the others: switch it off, and the chart rescales to the hedged policies.
  await page.getByRole('group', { name: 'Policies shown' }).getByRole('button', { name: 'no hedge' }).click();
  await expect(page.getByTestId('compare-histogram')).not.toContainText('no hedge −ES99');
  // The whole view in one picture (README): a taller window, scrolled to the top.
  await page.setViewportSize({ width: 1440, height: 1060 });
  await page.getByRole('region', { name: 'Models' }).evaluate((element) => element.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/models.png` });
  await page.setViewportSize({ width: 1440, height: 900 });

  // The model file downloads as self-contained JSON; the failed model is deleted (a second click confirms).
  const download = page.waitForEvent('download');
  await trained.getByTestId('export-model').click();
  const file = await download;
  const json = JSON.parse(readFileSync((await file.path())!, 'utf8')) as { format: string; kind: string };
  expect(file.suggestedFilename()).toMatch(/\.json$/);
  expect(json).toMatchObject({ format: 'gammadesk-hedge-policy', kind: 'ntb' });
  const cancelled = page.getByTestId('model-row').filter({ hasText: 'e2e ffn market cancelled' });
  await cancelled.getByTestId('delete-model').click();
  await expect(page.getByTestId('model-row')).toHaveCount(2);
  await cancelled.getByTestId('confirm-delete').click();
  await expect(page.getByTestId('model-row')).toHaveCount(1);

  // Only a model that passed its gate offers the "use" button.
  for (const row of await page.getByTestId('model-row').all()) {
    const gate = await row.getAttribute('data-gate');
    await expect(row.getByTestId('use-model')).toHaveCount(gate === 'passed' ? 1 : 0);
  }
  // A book of short ATM calls, the learned model as the BTC hedge policy, and its band explained in the Hedges view.
  await hedgeShortCallsWithModel(page, trained, call);
  const explanation = page.getByTestId('learned-explanation');
  await expect(explanation).toBeVisible({ timeout: 30_000 });
  await expect(explanation).toContainText('e2e ntb B1');
  // Short calls: the delta hedge is long the underlying, and the band holds it.
  const lower = Number(await explanation.getByTestId('band-lower').textContent());
  const upper = Number(await explanation.getByTestId('band-upper').textContent());
  const deltaHedge = Number(await explanation.getByTestId('band-delta').textContent());
  expect(deltaHedge).toBeGreaterThan(0);
  expect(lower).toBeLessThanOrEqual(deltaHedge);
  expect(deltaHedge).toBeLessThanOrEqual(upper);
  // No hedge yet: the current hedge (0) is below the band, and the proposal buys the perpetual to its lower edge.
  await expect(explanation.getByTestId('band-current')).toHaveText(/^-?0\.0+$/);
  await expect(explanation.getByTestId('band-where')).toContainText('below the band');
  await expect(page.getByTestId('proposal').locator('table.legs')).toContainText('BTC-PERPETUAL');
  await page.screenshot({ path: `${SHOTS}/hedges-learned.png` });
  expect(problems).toEqual([]);
});
