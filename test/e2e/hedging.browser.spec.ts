import { expect, test } from '@playwright/test';
import { atmCall, openDesk } from './desk';
import { hostForThisFile, SHOTS } from './host';

// The hedging desk in Chromium on the demo market: a book imported from CSV (a bad row named by line), marked to
// market in the Positions view, and the advisor's proposal in the Hedges view.
const host = hostForThisFile();

test('positions: import a CSV book and see it marked to market; hedges: a proposal with legs and bands', async ({ page }) => {
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  const call = await atmCall(page);

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

  // The proposal waits as a recommendation: approve half of it (changed amount), then reject the next one.
  const waiting = page.getByTestId('recommendation').and(page.locator('[data-state=proposed]')).first();
  await expect(waiting).toBeVisible({ timeout: 20_000 });
  const firstId = (await waiting.getAttribute('data-id'))!;
  const first = page.locator(`[data-id="${firstId}"]`);
  const amountInput = first.locator('input[type=number]');
  const amount = Number(await amountInput.inputValue());
  const half = Math.max(10, Math.round(amount / 20) * 10);
  await amountInput.fill(String(half));
  await first.getByTestId('approve').click();
  // On the running demo market the proposal's limit may already be behind the book when it is approved: the order
  // then works (rests) until the book comes back through it. If it is still working after 30 s, the trader cancels
  // it and keeps what filled.
  let filled = half;
  const filledInTime = await expect(first)
    .toHaveAttribute('data-state', 'filled', { timeout: 30_000 })
    .then(() => true, () => false);
  if (filledInTime) await expect(first).toContainText(`filled ${half}`);
  else {
    test.info().annotations.push({ type: 'note', description: 'the approved limit rested for 30 s: cancelled from the UI' });
    // It may still fill between the look and the click: then there is nothing left to cancel.
    if (await first.getByTestId('working').isVisible()) {
      await page.screenshot({ path: `${SHOTS}/hedges-working.png` });
      await first.getByTestId('cancel-working').click({ timeout: 5_000 }).catch(() => undefined);
    }
    await expect(first).toHaveAttribute('data-state', /^(filled|failed|partially-filled)$/, { timeout: 10_000 });
    filled = Number(await first.locator('tbody tr').first().locator('td').nth(5).innerText());
  }
  const next = page.getByTestId('recommendation').and(page.locator('[data-state=proposed]')).first();
  await expect(next).toBeVisible({ timeout: 20_000 });
  const second = page.locator(`[data-id="${(await next.getAttribute('data-id'))!}"]`);
  await second.getByTestId('reject').click();
  await expect(page.getByRole('alert')).toContainText('a rejection needs a reason');
  await second.getByTestId('reject-reason').fill('waiting for the funding print');
  await second.getByTestId('reject').click();
  await expect(second).toHaveAttribute('data-state', 'rejected', { timeout: 10_000 });
  await page.screenshot({ path: `${SHOTS}/hedges-decisions.png` });

  // The fill is in the book.
  await page.getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByTestId('positions-table').locator('tbody tr', { hasText: 'BTC-PERPETUAL' })).toContainText(`${(50_000 + filled).toLocaleString('en-US')} $`);

  // Both decisions in the audit view, and the chain verifies.
  await page.getByRole('tab', { name: 'Audit' }).click();
  const audit = page.getByTestId('audit-table');
  await expect(audit).toContainText('recommendation.modified-approved');
  await expect(audit).toContainText('recommendation.rejected');
  await expect(audit).toContainText('waiting for the funding print');
  await page.getByTestId('audit-verify').click();
  await expect(page.getByTestId('audit-verify-result')).toContainText('chain intact');
  await page.screenshot({ path: `${SHOTS}/audit.png` });
  await page.getByTestId('audit-filter').fill('rejected');
  await expect(audit.locator('tbody tr')).toHaveCount(1);
  await page.getByRole('tab', { name: 'Hedges' }).click();

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
