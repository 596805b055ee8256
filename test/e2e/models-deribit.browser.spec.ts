import { expect, test } from '@playwright/test';
import { openDesk } from './desk';
import { hostForThisFile, SHOTS } from './host';

// The Models view's comparison on Deribit's perpetual (decision 0033) in Chromium against the real host: the B1
// baselines on deribit-daily paths (the notes name the span and the distinct blocks), a 7-day option on the demo
// market's ATM vol on deribit-hourly paths (each hedged at its anchor hour's DVOL), and a 30-day problem refused on
// deribit-hourly with the reason.
const host = hostForThisFile();

test('models: compare the classical hedges on Deribit perpetual daily and hourly paths', async ({ page }) => {
  test.setTimeout(240_000);
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  await page.getByRole('tab', { name: 'Models' }).click();

  await page.getByTestId('compare-model').selectOption('none');
  await page.getByTestId('compare-source').selectOption('B1');
  await page.getByTestId('compare-simulator').selectOption('deribit-daily');
  await page.getByTestId('compare-paths').fill('5000');
  await page.getByTestId('compare-run').click();
  const comparison = page.getByTestId('comparison');
  await expect(comparison).toContainText('5,000 deribit-daily', { timeout: 90_000 });
  await expect(page.getByTestId('compare-table').getByTestId('compare-row')).toHaveCount(4);
  await expect(comparison).toContainText('Deribit BTC-PERPETUAL daily closes 2021-03-24..2026-01-30 (08:00 UTC to 08:00 UTC); 1773 daily returns: 1769 distinct 5-day blocks, 354 of them non-overlapping');

  // 30 days is refused on the hourly 2026 file, with the reason.
  await page.getByTestId('compare-simulator').selectOption('deribit-hourly');
  await page.getByTestId('compare-run').click();
  await expect(page.getByRole('alert')).toContainText('deribit-hourly test paths are at most 7 days');

  // A 7-day option on the demo market's BTC ATM vol, on the hourly paths.
  await page.getByTestId('compare-source').selectOption('market');
  await page.getByTestId('compare-maturity').fill('7');
  await page.getByTestId('compare-run').click();
  await expect(comparison).toContainText('5,000 deribit-hourly', { timeout: 90_000 });
  await expect(comparison).toContainText(/BTC market .* UTC: priced and hedged at ATM IV 0\.\d{4} .* 7-day ATM call/);
  await expect(comparison).toContainText('721 anchor hours 2026-02-27 12:00..2026-03-29 12:00 (each priced at its hour\'s DVOL');
  await expect(comparison).toContainText('1417 distinct 24-hour blocks, 60 of them non-overlapping');
  for (const baseline of ['none', 'bs-delta', 'ww', 'leland']) await expect(page.getByTestId('compare-table').locator(`[data-policy="${baseline}"]`)).toContainText('±');
  await page.getByRole('region', { name: 'Models' }).evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await page.screenshot({ path: `${SHOTS}/models-deribit.png` });
  expect(problems).toEqual([]);
});
