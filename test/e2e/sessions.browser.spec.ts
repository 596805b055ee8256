import { expect, test } from '@playwright/test';
import { hostForThisFile, SHOTS } from './host';

// Record the demo market from the UI, find the session in the list, rename it, replay it with the Replay
// bar (pause, speed, seek), then delete it.
const host = hostForThisFile();

test('record, rename, replay and delete a session from the UI', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByTestId('sources-button').click();
  await expect(page.getByTestId('current-source')).toContainText('Demo market (seed 42)');
  // The journal runs before anyone records: its size and limit are shown.
  await expect(page.getByTestId('journal')).toContainText(/Journal \(always on.*\d+(\.\d)? (KiB|MiB) of 1\.00 GiB on disk/);
  await page.getByLabel('journal limit').fill('2');
  await page.getByTestId('journal-limit').click();
  await expect(page.getByTestId('journal')).toContainText('of 2.00 GiB on disk');

  await page.getByLabel('Session name', { exact: true }).fill('ui-session');
  await page.getByTestId('record').click();
  const recordStarted = Date.now();
  await expect(page.getByTestId('rec-indicator')).toContainText('REC ui-session');
  await expect.poll(async () => Number((await page.getByTestId('recording').textContent())?.match(/([\d,]+) events/)?.[1]?.replace(/,/g, '')), { timeout: 10_000 }).toBeGreaterThan(3000);
  await page.screenshot({ path: `${SHOTS}/recording.png` });
  // Switching the source would end the recording: the panel asks first, and "Keep recording" keeps it.
  await page.getByRole('button', { name: 'Demo' }).click();
  await expect(page.getByTestId('confirm-source')).toContainText('Recording “ui-session” is running');
  await page.screenshot({ path: `${SHOTS}/confirm-source.png` });
  await page.getByRole('button', { name: 'Keep recording' }).click();
  await expect(page.getByTestId('confirm-source')).toHaveCount(0);
  await expect(page.getByTestId('rec-indicator')).toContainText('REC ui-session');
  // A few seconds of span, so that a seek to the middle at 1× has time to be seen before the end.
  await page.waitForTimeout(Math.max(0, 5_000 - (Date.now() - recordStarted)));
  await page.getByRole('button', { name: 'Stop recording' }).click();
  await expect(page.getByTestId('rec-indicator')).toHaveCount(0);

  const row = page.getByTestId('sessions').locator('tbody tr', { hasText: 'ui-session' });
  await expect(row).toBeVisible();
  await expect.poll(async () => Number((await row.locator('td').nth(3).textContent())?.replace(/,/g, ''))).toBeGreaterThan(3000);

  await row.getByRole('button', { name: 'Rename' }).click();
  await page.getByLabel('New name').fill('ui-session-renamed');
  await page.getByRole('button', { name: 'Save' }).click();
  const renamed = page.getByTestId('sessions').locator('tbody tr', { hasText: 'ui-session-renamed' });
  await expect(renamed).toBeVisible();

  await page.getByLabel('Replay speed').selectOption('1');
  await renamed.getByRole('button', { name: 'Replay' }).click();
  const bar = page.getByTestId('replay-bar');
  await expect(bar).toContainText('Replay “ui-session-renamed”');
  await expect(page.getByTestId('feed-status')).toContainText('Replay: ui-session-renamed');
  // The chain fills from the recording.
  await expect.poll(async () => page.locator('[data-testid=chain] tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(10);
  await bar.getByRole('button', { name: 'Pause' }).click();
  await expect(bar.getByRole('button', { name: 'Play' })).toBeVisible();
  await page.waitForTimeout(400); // let the last published status arrive
  const paused = await page.getByTestId('replay-progress').textContent();
  await page.waitForTimeout(600);
  expect(await page.getByTestId('replay-progress').textContent()).toBe(paused);
  await bar.getByRole('button', { name: 'Play' }).click();
  await bar.getByRole('button', { name: 'max' }).click();
  await expect(bar).toContainText('done', { timeout: 15_000 });
  await expect(page.getByTestId('replay-progress')).toContainText('100.0 %');
  // The final state's greeks arrive from the pool.
  await expect.poll(async () => page.getByTestId('call-delta').evaluateAll((cells) => cells.filter((c) => Number.isFinite(Number(c.textContent))).length)).toBeGreaterThan(10);
  await page.screenshot({ path: `${SHOTS}/replay.png` });

  // Seek back to the middle at 1×: the state is rebuilt up to there and the replay continues from it.
  await bar.getByRole('button', { name: '1×' }).click();
  const slider = page.getByLabel('Seek');
  const min = Number(await slider.getAttribute('min'));
  const max = Number(await slider.getAttribute('max'));
  await slider.evaluate((element, value) => {
    const input = element as HTMLInputElement;
    input.value = String(value);
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, Math.round((min + max) / 2));
  await expect(bar).not.toContainText('done');
  const percent = async () => Number((await page.getByTestId('replay-progress').textContent())?.match(/([\d.]+) %/)?.[1]);
  await expect.poll(percent).toBeGreaterThan(40);
  expect(await percent()).toBeLessThan(90);

  // Back to the demo, then delete the session.
  await page.getByRole('button', { name: 'Demo' }).click();
  await expect(page.getByTestId('current-source')).toContainText('Demo market');
  // Deleting asks first; "Keep" keeps it, "Delete for good" deletes it.
  await renamed.getByRole('button', { name: 'Delete' }).click();
  await renamed.getByRole('button', { name: 'Keep' }).click();
  await expect(renamed).toBeVisible();
  await renamed.getByRole('button', { name: 'Delete' }).click();
  await renamed.getByRole('button', { name: 'Delete for good' }).click();
  await expect(page.getByTestId('sessions')).toHaveCount(0);
  expect(problems).toEqual([]);
});
