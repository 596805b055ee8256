/**
 * Two windows share the host's one source: when one switches it, the other says so (which window, when) instead
 * of silently showing another market.
 */
import { expect, test } from '@playwright/test';
import { hostForThisFile, SHOTS } from './host';

const host = hostForThisFile();

test('a source switch in one window is announced in the other', async ({ browser }) => {
  const first = await browser.newPage();
  const second = await browser.newPage();
  for (const page of [first, second]) {
    await page.goto(host.url);
    await expect(page.getByTestId('link-state')).toHaveText('connected');
  }
  await second.getByTestId('sources-button').click();
  await second.getByLabel('seed').fill('7');
  await second.getByRole('button', { name: 'Demo' }).click();
  await expect(second.getByTestId('current-source')).toContainText('Demo market (seed 7)');
  // The window that switched sees no notice; the other one names the window and the time.
  await expect(first.getByTestId('switched-elsewhere')).toContainText(/source switched by window [0-9a-f]{4} at \d\d:\d\d:\d\d/);
  await expect(second.getByTestId('switched-elsewhere')).toHaveCount(0);
  await first.screenshot({ path: `${SHOTS}/switched-elsewhere.png` });
  // Once the first window switches back itself, its notice goes and the second window's appears.
  await first.getByTestId('sources-button').click();
  await first.getByRole('button', { name: 'Demo' }).click();
  await expect(first.getByTestId('switched-elsewhere')).toHaveCount(0);
  await expect(second.getByTestId('switched-elsewhere')).toBeVisible();
  await first.close();
  await second.close();
});
