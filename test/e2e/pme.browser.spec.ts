import { expect, test } from '@playwright/test';
import { atmCall, openDesk } from './desk';
import { hostForThisFile, SHOTS } from './host';

// The Risk view's "Replica vs Deribit" panel in Chromium on the demo market: the demo market is not Deribit's, so
// there is no pme/simulate comparison and the panel says why, and that the replica runs on the documented table.
// (The comparison itself, against the mock exchange's recorded Deribit responses: test/integration/pme-comparison.test.ts.)
const host = hostForThisFile();

test('replica vs Deribit: the panel says why there is no comparison and which parameters the replica uses', async ({ page }) => {
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  const call = await atmCall(page);
  await page.getByRole('tab', { name: 'Positions' }).click();
  const csv = ['instrument,quantity,average_price,price_currency', `${call},-10,0.03,BTC`, 'BTC-PERPETUAL,20000,88000,USD'].join('\n');
  await page.getByTestId('import-book').setInputFiles({ name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-result')).toContainText('Imported 2 of 2 rows');

  await page.getByRole('tab', { name: 'Risk' }).click();
  await expect(page.getByTestId('risk-im')).toContainText('BTC', { timeout: 20_000 });
  const panel = page.getByTestId('pme-panel');
  await expect(panel).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'Replica vs Deribit' })).toBeVisible();
  await expect(page.getByTestId('pme-params')).toContainText('the documented table');
  await expect(page.getByTestId('pme-reason')).toHaveText("the market source is the demo market, not Deribit's live market: no comparison with Deribit's pme/simulate");
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/risk-pme-demo.png` });
  await page.getByRole('complementary', { name: 'Margin' }).screenshot({ path: `${SHOTS}/risk-pme-demo-panel.png` });
  expect(problems).toEqual([]);
});
