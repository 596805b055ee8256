/** Shared steps of the desk's e2e specs: open the demo desk watching for page errors, and read an ATM call's name. */
import { expect, type Locator, type Page } from '@playwright/test';

/** Opens the desk at a viewport; returns the console and page errors seen (the spec asserts none at its end). */
export async function openDesk(page: Page, url: string, size: { width: number; height: number }): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.setViewportSize(size);
  await page.goto(url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  return problems;
}

/** The at-the-money BTC call of the selected expiry, read off the Chain view. */
export async function atmCall(page: Page): Promise<string> {
  await expect(page.locator('tr.atm')).toBeVisible({ timeout: 20_000 });
  const expiry = (await page.locator('button[role=tab][aria-selected=true]').nth(1).textContent())!.match(/^\d{1,2}[A-Z]{3}\d{2}/)![0];
  const atmStrike = await page.locator('tr.atm').getAttribute('data-strike');
  return `BTC-${expiry}-${atmStrike}-C`;
}

/** Imports the risk specs' book in the Positions view: 25 short `call`s and 50 000 USD of the BTC perpetual. */
export async function importShortCallBook(page: Page, call: string): Promise<void> {
  await page.getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByText('The book is empty')).toBeVisible({ timeout: 20_000 });
  const csv = ['instrument,quantity,average_price,price_currency', `${call},-25,0.03,BTC`, 'BTC-PERPETUAL,50000,88000,USD'].join('\n');
  await page.getByTestId('import-book').setInputFiles({ name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-result')).toContainText('Imported 2 of 2 rows');
}

/**
 * Makes a stored model the BTC hedge policy on a book of 25 short `call`s (no hedge yet) and turns the advisor on:
 * the book imported in the Positions view, "Use as BTC hedge policy" in the model's `row` of the Models view, then
 * the Hedges view's settings saved with the advisor enabled. Ends in the Hedges view.
 */
export async function hedgeShortCallsWithModel(page: Page, row: Locator, call: string): Promise<void> {
  await page.getByRole('tab', { name: 'Positions' }).click();
  const csv = ['instrument,quantity,average_price,price_currency', `${call},-25,0.03,BTC`].join('\n');
  await page.getByTestId('import-book').setInputFiles({ name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 of 1 rows');
  await page.getByRole('tab', { name: 'Models' }).click();
  await row.getByTestId('use-model').click();
  await expect(row).toContainText('hedging BTC');
  await page.getByRole('tab', { name: 'Hedges' }).click();
  await expect(page.getByTestId('hedge-policy')).toHaveValue('learned');
  await page.getByTestId('hedge-enabled').check();
  await page.getByTestId('save-hedge').click();
}
