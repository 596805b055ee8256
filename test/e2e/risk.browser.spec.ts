import { expect, test } from '@playwright/test';
import { atmCall, importShortCallBook, openDesk } from './desk';
import { hostForThisFile, SHOTS } from './host';

// The Risk view in Chromium on the demo market: a short-call book entered as CSV, then the scenario matrix (centre
// cell 0, drill-down into a cell's positions, USD / coin), the PM margin with its caveat, equity → usage and the
// distance to a margin call, and the margin of a hedge proposal in the Hedges view; at 1280×720 and 1920×1080.
const host = hostForThisFile();

test('risk: matrix with drill-down, margin panel, equity and usage, proposal margin', async ({ page }) => {
  const problems = await openDesk(page, host.url, { width: 1280, height: 720 });
  const call = await atmCall(page);

  await importShortCallBook(page, call);

  await page.getByRole('tab', { name: 'Risk' }).click();
  const matrix = page.getByTestId('risk-matrix');
  await expect(matrix).toBeVisible({ timeout: 20_000 });
  // Default grid: 7 index moves × 5 vol shifts; the centre (0 %, +0 pts, now) is exactly 0.
  await expect(matrix.locator('button.cell')).toHaveCount(35);
  await expect(page.getByTestId('risk-cell-3-2')).toHaveText('$0');
  await expect(page.getByTestId('risk-caveat')).toContainText('third-party reading');
  await expect(page.getByTestId('risk-im')).toContainText('BTC');
  await expect(page.getByTestId('risk-worst')).toContainText(/standard|extended/);
  await expect(page.getByTestId('risk-equity-reason')).toContainText('enter your equity');

  // Drill into the −30 % / +20 pts cell: both positions, the short calls and the perpetual.
  await page.getByTestId('risk-cell-0-4').click();
  const drill = page.getByTestId('risk-drill');
  await expect(drill).toContainText(call);
  await expect(drill).toContainText('BTC-PERPETUAL');
  await page.getByTestId('risk-unit-coin').click();
  await expect(page.getByTestId('risk-cell-3-2')).toHaveText('0.0000 BTC');

  // Equity entered: usage and the distance to a margin call appear.
  await page.getByTestId('risk-equity').fill('3');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByTestId('risk-usage')).toContainText('%', { timeout: 20_000 });
  await expect(page.getByTestId('risk-margin-call')).toContainText('current vols');
  await expect(page.getByTestId('risk-payoff')).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/risk-1280.png` });

  // A bad grid value is refused with the field named; a good one redraws the matrix.
  await page.getByTestId('risk-spot-grid').fill('-10, x, 10');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('alert').first()).toContainText('Index moves (%): "x" is not a number');
  await page.getByTestId('risk-spot-grid').fill('-20, -10, 0, 10, 20');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(matrix.locator('button.cell')).toHaveCount(25, { timeout: 20_000 });

  // An alert rule from the editor: the book's delta is far outside [-0.1, 0.1], so it fires; the bell counts it.
  await page.getByTestId('alert-kind').selectOption('greek-band');
  await page.getByRole('spinbutton', { name: 'min' }).fill('-0.1');
  await page.getByRole('spinbutton', { name: 'max' }).fill('0.1');
  await page.getByTestId('alert-add').click();
  await expect(page.getByTestId('alert-rules')).toContainText('delta outside [-0.1, 0.1]');
  await expect(page.getByTestId('alert-bell')).toContainText('1', { timeout: 20_000 });
  await page.getByTestId('alert-bell').click();
  await expect(page.getByTestId('alert-history')).toContainText(/BTC book delta -[\d.]+ is outside its band/);
  await page.screenshot({ path: `${SHOTS}/risk-alerts.png` });
  await page.getByTestId('alert-bell').click();

  // The hedge advisor's proposal carries its margin effect.
  await page.getByRole('tab', { name: 'Hedges' }).click();
  await page.getByTestId('hedge-enabled').check();
  await page.getByTestId('delta-tolerance').fill('0.5');
  await page.getByTestId('save-hedge').click();
  await expect(page.getByTestId('proposal').locator('table.legs')).toContainText('BTC-PERPETUAL', { timeout: 20_000 });
  await expect(page.getByTestId('proposal-margin')).toContainText('Initial (IM)');
  await page.screenshot({ path: `${SHOTS}/risk-hedges-margin.png` });

  await page.getByRole('tab', { name: 'Risk' }).click();
  await page.setViewportSize({ width: 1920, height: 1080 });
  await expect(page.getByTestId('risk-proposal')).toContainText('IM before → after', { timeout: 20_000 });
  await page.screenshot({ path: `${SHOTS}/risk-1920.png` });
  expect(problems).toEqual([]);
});
