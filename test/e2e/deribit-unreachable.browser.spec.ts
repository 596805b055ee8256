import { expect, test } from '@playwright/test';
import { closedPort } from '../helpers/net';
import { hostForThisFile, startHostProcess } from './host';

// "Live Deribit" when the exchange cannot be reached (no network, a firewall, a wrong proxy): the header says
// why and that it keeps retrying, instead of an empty chain and no reason.
const host = hostForThisFile(async () => startHostProcess([], { GAMMADESK_DERIBIT_URL: `ws://127.0.0.1:${await closedPort()}/ws/api/v2` }));

test('an unreachable Deribit shows the reason and the retries in the header', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByTestId('sources-button').click();
  await page.getByRole('button', { name: 'Live Deribit' }).click();
  const error = page.getByTestId('feed-error');
  await expect(error).toContainText('ECONNREFUSED', { timeout: 15_000 });
  await expect(error).toContainText('retrying');
  await expect(page.getByTestId('feed-status')).toContainText(/\d+ reconnects/, { timeout: 15_000 });
  await page.screenshot({ path: 'test-results/screenshots/deribit-unreachable.png' });
  // Back to the demo: the error goes with the feed.
  await page.getByRole('button', { name: 'Demo' }).click();
  await expect(page.getByTestId('current-source')).toContainText('Demo market');
  await expect(error).toHaveCount(0);
});

test('after switching to a source with no data, no view shows the old source\'s numbers, before or after a reload', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  // The demo's exposure is on screen.
  await page.getByRole('tab', { name: 'Exposure' }).click();
  await expect(page.getByTestId('gex-total')).toContainText('$', { timeout: 20_000 });
  await page.getByTestId('sources-button').click();
  await page.getByRole('button', { name: 'Live Deribit' }).click();
  // Live Deribit cannot be reached: nothing of the demo stays on screen, and the view says why it is empty.
  await expect(page.getByTestId('freshness')).toContainText('No data from Deribit', { timeout: 15_000 });
  await expect(page.getByTestId('freshness')).toContainText('ECONNREFUSED');
  await expect(page.getByTestId('gex-total')).toHaveCount(0);
  await expect(page.getByText('Waiting for exposures…')).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/no-data-yet.png' });
  // A reload asks the host afresh: still nothing from the demo.
  await page.reload();
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByRole('tab', { name: 'Exposure' }).click();
  await expect(page.getByTestId('freshness')).toContainText('No data from Deribit');
  await page.getByRole('button', { name: 'ETH' }).click();
  await expect(page.getByText('Waiting for exposures…')).toBeVisible();
  await expect(page.getByTestId('gex-total')).toHaveCount(0);
  // The chain view too: no expiries, no rows.
  await page.getByRole('tab', { name: 'Chain' }).click();
  await expect(page.locator('[data-testid=chain] tbody tr')).toHaveCount(0);
  // Back to the demo: its numbers return and the notice goes.
  await page.getByTestId('sources-button').click();
  await page.getByRole('button', { name: 'Demo' }).click();
  await expect(page.getByTestId('freshness')).toHaveCount(0, { timeout: 15_000 });
});
