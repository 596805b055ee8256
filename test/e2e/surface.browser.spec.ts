import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { hostForThisFile } from './host';

// The Surface view on the demo market: the live fit arrives from the host's worker pool, the smile with its
// bid/ask/mark dots and fitted curve, the term structure, RR/BF, the IV heatmap, fit quality per expiry and the
// forecast panel naming the live model; at 1280x720 and 1920x1080.
const host = hostForThisFile();
const SHOTS = 'test-results/screenshots';

for (const [width, height] of [
  [1280, 720],
  [1920, 1080],
] as const) {
  test(`surface view at ${width}x${height}: smile, term structure, skew, heatmap, fit quality, forecast`, async ({ page }) => {
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.setViewportSize({ width, height });
    await page.goto(host.url);
    await expect(page.getByTestId('link-state')).toHaveText('connected');
    await page.getByRole('tab', { name: 'Surface' }).click();
    const view = page.getByTestId('surface-view');
    await expect(view.getByTestId('fit-quality')).toBeVisible();
    // Every expiry of the demo market has a row; fitted ones have an ATM vol and an RMSE in vol points.
    const rows = view.getByTestId('fit-quality').locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(4);
    const first = rows.first().locator('td');
    expect(Number(await first.nth(3).textContent())).toBeGreaterThan(5);
    expect(Number(await first.nth(6).textContent())).toBeLessThan(5);
    // The smile chart draws the fitted line and the three dot series; its legend names them.
    const smile = view.getByTestId('smile-chart');
    await expect(smile).toContainText('fitted (raw SVI)');
    await expect(smile).toContainText('mark IV');
    await expect(smile.locator('canvas').first()).toBeVisible();
    await expect(view.getByTestId('term-chart')).toContainText('ATM IV');
    await expect(view.getByTestId('skew-chart')).toContainText('25Δ risk reversal');
    await expect(view.getByTestId('iv-heatmap').locator('canvas')).toBeVisible();
    // The forecast panel: warming up on a fresh demo market, the live model named with the reason it is live.
    await expect(view.getByTestId('live-model')).toContainText('Live model: EWMA');
    await expect(view.getByTestId('live-model')).toContainText('gammadesk forecast --evaluate');
    await expect(view.getByTestId('forecast-reason')).toContainText(/warming up: \d+ of 30 one-minute index returns/);
    // Another expiry's smile by the selector, and the strike axis.
    const select = view.getByRole('combobox', { name: 'Smile expiry' });
    const options = await select.locator('option:not([disabled])').allTextContents();
    expect(options.length).toBeGreaterThan(2);
    await select.selectOption({ index: 2 });
    await expect(view.locator('figcaption').first()).toContainText(options[2]!.split(' ')[0]!);
    // Hovering the smile reads out the nearest out-of-the-money quote and its distance to the fit.
    await smile.locator('canvas').first().hover();
    await expect(smile).toContainText(/BTC-\w+-\d+-[CP] · k -?[\d.]+ · bid [\d.–]+ · ask [\d.–]+ · mark [\d.]+ % · mark − fit -?[\d.]+ vol pts/);
    await view.getByRole('button', { name: 'strike' }).click();
    await expect(smile).toContainText('x: strike (USD)');
    await page.screenshot({ path: `${SHOTS}/surface-${width}x${height}.png` });
    expect(problems).toEqual([]);
  });
}

test('chain: the residual-to-surface columns from the picker', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByTestId('column-picker-button').click();
  const picker = page.getByTestId('column-picker');
  for (const label of ['IV−fit', 'Mid−fit hw']) await picker.getByRole('checkbox', { name: new RegExp(`^${label} `) }).check();
  await page.getByTestId('column-picker-button').click();
  const residuals = page.getByTestId('call-fit-vol-points');
  // Filled once the first fit of this currency arrives: out-of-the-money strikes were fitted, so they sit near it.
  await expect.poll(async () => (await residuals.allTextContents()).filter((t) => /^-?\d/.test(t)).length).toBeGreaterThan(5);
  const values = (await residuals.allTextContents()).filter((t) => /^-?\d/.test(t)).map(Number);
  expect(Math.min(...values.map(Math.abs))).toBeLessThan(1);
  const halfWidths = (await page.getByTestId('put-fit-half-widths').allTextContents()).filter((t) => /^-?\d/.test(t));
  expect(halfWidths.length).toBeGreaterThan(5);
  // The expiry's premium beside them: waiting for the forecast on a fresh demo market.
  await expect(page.getByTestId('chain-vrp')).toContainText(/VRP – \(warming up: \d+ of 30 one-minute index returns\)/);
  await page.screenshot({ path: `${SHOTS}/chain-fit-residuals.png` });
});

test('forecast panel: every model on a price file from the import folder, and the out-of-sample table', async ({ page }) => {
  // The real Deribit BTC-PERPETUAL daily history of ../shared/data (README there), copied into this host's folder.
  const dir = join(host.dataDir, 'imports');
  mkdirSync(dir, { recursive: true });
  copyFileSync(resolve('../shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv'), join(dir, 'btc-daily.csv'));
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByRole('tab', { name: 'Surface' }).click();
  await page.getByTestId('forecast-file').fill('btc-daily.csv');
  await page.getByTestId('forecast-evaluate').click();
  const table = page.getByTestId('forecast-oos');
  await expect(table).toBeVisible({ timeout: 60_000 });
  await expect(table.locator('tbody tr')).toHaveCount(4);
  await expect(page.getByTestId('forecast-evaluation')).toContainText(/1 d: (HAR|GARCH|EWMA|LEARNED) — /);
  await page.getByTestId('forecast-evaluation').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/forecast-evaluation.png` });
});
