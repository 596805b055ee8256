import { expect, test } from '@playwright/test';
import { hostForThisFile, SHOTS } from './host';

// The hedging desk in Chromium on the demo market: a book imported from CSV (a bad row named by line), marked to
// market in the Positions view, and the advisor's proposal in the Hedges view.
const host = hostForThisFile();

test('positions: import a CSV book and see it marked to market; hedges: a proposal with legs and bands', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await expect(page.locator('tr.atm')).toBeVisible({ timeout: 20_000 });
  const expiry = (await page.locator('button[role=tab][aria-selected=true]').nth(1).textContent())!.match(/^\d{1,2}[A-Z]{3}\d{2}/)![0];
  const atmStrike = await page.locator('tr.atm').getAttribute('data-strike');
  const call = `BTC-${expiry}-${atmStrike}-C`;

  await page.getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByText('The book is empty')).toBeVisible({ timeout: 20_000 });
  const csv = ['instrument,quantity,average_price,price_currency', `${call},-25,0.03,BTC`, 'BTC-PERPETUAL,50000,88000,USD', 'BTC-PERPETUAL,10,1,BTC'].join('\n');
  await page.getByTestId('import-book').setInputFiles({ name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-result')).toContainText('Imported 2 of 3 rows');
  await expect(page.getByTestId('import-result')).toContainText('line 4: BTC-PERPETUAL is priced in USD, not BTC');
  const table = page.getByTestId('positions-table');
  await expect(table.locator('tbody tr', { hasText: call })).toBeVisible();
  await expect(table.locator('tbody tr', { hasText: 'BTC-PERPETUAL' })).toContainText('50,000 $');
  await expect(page.getByTestId('total-BTC')).toContainText('BTC total (2 positions)');
  await page.screenshot({ path: `${SHOTS}/positions.png` });

  await page.getByRole('tab', { name: 'Hedges' }).click();
  await expect(page.getByTestId('proposal-reason')).toContainText('the hedge advisor is off', { timeout: 20_000 });
  await page.getByTestId('hedge-enabled').check();
  await page.getByTestId('delta-tolerance').fill('0.5');
  await page.getByTestId('save-hedge').click();
  await expect(page.getByTestId('proposal-status')).toContainText(/Hedge proposed|In band|Cannot reach/, { timeout: 20_000 });
  // Short 25 ATM calls against long 50,000 USD of perpetual: the book is short delta; the threshold policy buys the perpetual.
  await expect(page.getByTestId('proposal').locator('table.legs')).toContainText('BTC-PERPETUAL');
  await expect(page.getByTestId('proposal').locator('table.bands')).toContainText('delta');
  await page.screenshot({ path: `${SHOTS}/hedges-threshold.png` });

  // The least-cost selection with a gamma band: options join the legs.
  await page.getByTestId('hedge-policy').selectOption('select');
  await page.getByTestId('gamma-on').check();
  await page.getByTestId('gamma-tolerance').fill('20000');
  await page.getByTestId('save-hedge').click();
  await expect(page.getByTestId('proposal-status')).toContainText('select', { timeout: 30_000 });
  await expect(page.getByTestId('proposal').locator('table.bands')).toContainText('gamma');
  await page.screenshot({ path: `${SHOTS}/hedges-select.png` });
  expect(problems).toEqual([]);
});
