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
