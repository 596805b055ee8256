import { expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { atmCall, importShortCallBook, openDesk } from './desk';
import { hostForThisFile, SHOTS, startHostProcess } from './host';

// The Risk view's what-if book, payoff dates and historical scenarios in Chromium on the demo market (extends
// risk.browser.spec.ts): the host is started with the Deribit BTC daily history and BTC DVOL of ../shared/data
// configured (GAMMADESK_BTC_HISTORY / _DVOL, as `gammadesk risk --history/--dvol`); ETH has none.
const host = hostForThisFile(() =>
  startHostProcess([], {
    GAMMADESK_BTC_HISTORY: resolve('../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv'),
    GAMMADESK_BTC_DVOL: resolve('../shared/data/joachimoliver_btc_dvol.csv'),
  }),
);

test('what-if book beside the live one, payoff at a chosen date, historical days with drill-down', async ({ page }) => {
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  const call = await atmCall(page);
  const put = call.replace(/-C$/, '-P');

  await importShortCallBook(page, call);

  await page.getByRole('tab', { name: 'Risk' }).click();
  await expect(page.getByTestId('risk-matrix')).toBeVisible({ timeout: 20_000 });
  await page.getByTestId('risk-equity').fill('3');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('risk-usage')).toContainText('%', { timeout: 20_000 });

  // Payoff at a chosen date: three days after today (the demo market runs on the wall clock).
  const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await page.getByTestId('payoff-date-0').fill(day);
  await page.getByTestId('payoff-dates-apply').click();
  await expect(page.getByTestId('risk-payoff')).toContainText(`book, ${day}`, { timeout: 20_000 });
  await expect(page.getByTestId('risk-payoff')).toContainText('book, today');

  // What-if: a copy of the live book, then a long put added, a bad line refused by number.
  await page.getByTestId('whatif-open').click();
  const legs = page.getByTestId('whatif-legs');
  await expect(legs).toContainText(call);
  await expect(legs).toContainText('BTC-PERPETUAL');
  // Unchanged: the what-if margin is the live one, no change.
  await expect(page.getByTestId('whatif-im-change')).toHaveText(/^\+?0\.0000$/, { timeout: 20_000 });
  await page.getByTestId('whatif-add-instrument').fill(put);
  await page.getByTestId('whatif-add-amount').fill('25');
  await page.getByTestId('whatif-add').click();
  await expect(legs).toContainText(put);
  // Long puts against short calls and a long perpetual: the margin changes and the change is highlighted.
  await expect(page.getByTestId('whatif-im-change')).not.toHaveText(/^\+?0\.0000$/, { timeout: 20_000 });
  await expect(page.getByTestId('whatif-im-change')).toHaveClass(/better|worse/);
  // The difference matrix: at −30 % the puts gain.
  await expect(page.getByTestId('whatif-cell-0-2')).toHaveText(/^\$[\d.]+[kM]?$/);
  await page.getByRole('button', { name: `more ${put}` }).click();
  await expect(legs.locator('tr', { hasText: put })).toContainText('26');
  await page.getByTestId('whatif-add-instrument').fill('BTC-NOPE');
  await page.getByTestId('whatif-add-amount').fill('1');
  await page.getByTestId('whatif-add').click();
  await expect(page.getByTestId('whatif-refused')).toContainText('line 4:');
  await expect(page.getByTestId('whatif-payoff')).toContainText('what-if, today');
  // The real book did not change: still two positions.
  await expect(page.getByText('2 positions')).toBeVisible();
  // A tall window shows the live matrix, the what-if panel and the historical days at once.
  await page.setViewportSize({ width: 1440, height: 1700 });
  await expect(page.getByTestId('whatif-payoff')).toContainText('what-if, next expiry');
  await page.screenshot({ path: `${SHOTS}/whatif-1440.png` });
  await page.getByTestId('whatif').screenshot({ path: `${SHOTS}/whatif-panel.png` });

  // Historical days, worst first, with 2020-03-12 among the largest moves; a day opens into its positions.
  const table = page.getByTestId('historical-table');
  await expect(table).toContainText('2020-03-12', { timeout: 20_000 });
  await expect(page.getByTestId('historical-source')).toContainText('ttienomy_deribit_BTC-PERPETUAL_daily.csv');
  // The open what-if book's P&L on the same days (long puts: a gain on the fall of 2020-03-12).
  await expect(table).toContainText('what-if USD', { timeout: 20_000 });
  await expect(table.locator('tr', { hasText: '2020-03-12' }).locator('td.better')).toBeVisible();
  await page.getByTestId('historical-day-2020-03-12').click();
  await expect(page.getByTestId('historical-drill')).toContainText(call);
  await expect(page.getByTestId('historical-drill')).toContainText('BTC-PERPETUAL');
  await page.getByTestId('historical').screenshot({ path: `${SHOTS}/historical-panel.png` });

  // Positions view: the real book has no put.
  await page.getByRole('tab', { name: 'Positions' }).click();
  await expect(page.getByText(call).first()).toBeVisible();
  await expect(page.getByText(put)).toHaveCount(0);
  await page.getByRole('tab', { name: 'Risk' }).click();
  await page.getByTestId('whatif-discard').click();
  await expect(page.getByTestId('whatif-open')).toBeVisible();
  await expect(table).not.toContainText('what-if USD', { timeout: 20_000 });

  // ETH has no history configured: the panel says how to configure one.
  await page.getByRole('button', { name: 'ETH', exact: true }).click();
  await expect(page.getByTestId('historical-reason')).toContainText('GAMMADESK_ETH_HISTORY', { timeout: 20_000 });
  expect(problems).toEqual([]);
});
