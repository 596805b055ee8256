import { expect, test } from '@playwright/test';
import { atmCall, hedgeShortCallsWithModel, openDesk } from './desk';
import { hostForThisFile, SHOTS } from './host';

// The trader's criterion in the Models view (issue 14 item 5), in Chromium against the real host: a small NTB trained
// on B1 is gated on the default criterion (entropic λ 1); switching the criterion to ES 95 % leaves it without a gate
// there (not usable, a Re-gate button); the re-gate runs on the jobs pool and adds its gate line; mean–variance too.
// Every gate line names its criterion; only a model passed on the current one offers "Use as hedge policy". A model
// hedging BTC when the criterion switches away from its gates: the Hedges view shows the advisor's reason, no
// learned proposal; after the re-gate passes, the learned band is back.
const host = hostForThisFile();

const LINE = (label: string): RegExp => new RegExp(`${label}: −?[\\d.]+ ± [\\d.]+ vs WW, (passed|not passed)`);

test('models: gate lines per criterion, switch the trader\'s criterion, re-gate on it', async ({ page }) => {
  test.setTimeout(300_000);
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  const call = await atmCall(page);
  await page.getByRole('tab', { name: 'Models' }).click();
  const select = page.getByTestId('criterion-select');
  await expect(select).toHaveValue('entropic:1');

  await page.getByTestId('train-source').selectOption('B1');
  await page.getByTestId('train-steps').fill('10');
  await page.getByTestId('train-budget').fill('120');
  await page.getByTestId('train-name').fill('e2e criterion ntb');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-progress')).toHaveAttribute('data-state', 'done', { timeout: 200_000 });
  const row = page.getByTestId('model-row').filter({ hasText: 'e2e criterion ntb' });
  await expect(row.getByTestId('gate-line')).toHaveCount(1);
  await expect(row.getByTestId('gate-line')).toHaveText(LINE('entropic λ 1'));
  await expect(row.getByTestId('regate')).toHaveCount(0);

  // It hedges BTC: a book of short ATM calls, the learned policy on.
  await hedgeShortCallsWithModel(page, row, call);
  await expect(page.getByTestId('learned-explanation')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Models' }).click();

  // ES 95 %: no gate there yet; not usable, re-gate offered.
  await select.selectOption('es:0.95');
  await expect(row).toHaveAttribute('data-gate', 'failed');
  await expect(row.getByTestId('model-gate')).toContainText('FAILED on ES 95 %');
  await expect(row.getByTestId('use-model')).toHaveCount(0);
  // The advisor falls back visibly: no learned proposal, and why.
  await page.getByRole('tab', { name: 'Hedges' }).click();
  await expect(page.getByTestId('learned-explanation')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('proposal-reason')).toContainText(/the learned policy is not used: model \d+ "e2e criterion ntb" has no gate on ES 95 %, the trader's criterion \(its gates: entropic λ 1 passed\)/);
  // The learned recommendation that was waiting is withdrawn, none comes back.
  await expect(page.locator('[data-testid=recommendation][data-state=proposed]')).toHaveCount(0, { timeout: 30_000 });
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/hedges-criterion-fallback.png` });
  await page.getByRole('tab', { name: 'Models' }).click();

  await row.getByTestId('regate').click();
  await expect(row.getByTestId('gate-line')).toHaveCount(2, { timeout: 120_000 });
  await expect(row.getByTestId('gate-line').nth(1)).toHaveText(LINE('ES 95 %'));
  await expect(row.getByTestId('regate')).toHaveCount(0);
  // Passed on ES 95 % (a 10-step NTB on B1 beats the band's tail there, as in test/integration/models-criterion.test.ts):
  // the learned band is back.
  await expect(row.getByTestId('gate-line').nth(1)).toHaveText(/, passed$/);
  await page.getByRole('tab', { name: 'Hedges' }).click();
  await expect(page.getByTestId('learned-explanation')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('tab', { name: 'Models' }).click();

  // Mean–variance too: three gate lines, the current one bold.
  await select.selectOption('mean-variance:1');
  await row.getByTestId('regate').click();
  await expect(row.getByTestId('gate-line')).toHaveCount(3, { timeout: 120_000 });
  await expect(row.getByTestId('gate-line').nth(2)).toHaveText(LINE('mean–variance a 1'));
  await expect(row.getByTestId('gate-line').nth(2)).toHaveClass(/current/);
  // The verdict under the current criterion decides the "use" button.
  const passed = (await row.getByTestId('gate-line').nth(2).textContent())!.endsWith(', passed');
  await expect(row).toHaveAttribute('data-gate', passed ? 'passed' : 'failed');
  // In use by BTC: no "use" button either way; the row says so.
  await expect(row).toContainText('hedging BTC');

  await page.getByRole('region', { name: 'Models' }).evaluate((element) => element.scrollTo(0, 0));
  await page.mouse.move(0, 0);
  await page.screenshot({ path: `${SHOTS}/models-criterion.png` });
  // Back to the default for whoever looks next.
  await select.selectOption('entropic:1');
  await expect(row.getByTestId('model-gate')).toContainText('on entropic λ 1');
  expect(problems).toEqual([]);
});
