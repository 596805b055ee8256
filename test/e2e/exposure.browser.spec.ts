import { expect, test } from '@playwright/test';
import { startHostProcess, type HostProcess } from './host';

// The Exposure view on the demo market: GEX by strike and the profile (lightweight-charts), the strike × expiry
// and spot × time heatmaps with hover readouts, the levels, and the dealer-convention switch.
let host: HostProcess;

test.beforeAll(async () => {
  host = await startHostProcess();
});
test.afterAll(async () => {
  await host?.stop();
});

function usd(text: string | null): number {
  const match = /(-?)\$([\d.]+)([kMB]?)/.exec(text ?? '');
  if (!match) return NaN;
  const scale = { '': 1, k: 1e3, M: 1e6, B: 1e9 }[match[3] as '' | 'k' | 'M' | 'B'];
  return (match[1] === '-' ? -1 : 1) * Number(match[2]) * scale;
}

test('exposure view: charts, heatmaps with readouts, levels and conventions', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.setViewportSize({ width: 1440, height: 1000 });
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  // An at-the-money call of the selected expiry, read off the chain, for the trader's own book below.
  await expect(page.locator('tr.atm')).toBeVisible({ timeout: 20_000 });
  const expiry = (await page.locator('button[role=tab][aria-selected=true]').nth(1).textContent())!.match(/^\d{1,2}[A-Z]{3}\d{2}/)![0];
  const atmStrike = await page.locator('tr.atm').getAttribute('data-strike');
  const myCall = `BTC-${expiry}-${atmStrike}-C`;
  await page.getByRole('tab', { name: 'Exposure' }).click();

  const total = page.getByTestId('gex-total');
  await expect(total).toContainText('$', { timeout: 20_000 });
  expect(Math.abs(usd(await total.textContent()))).toBeGreaterThan(0);
  // Both charts drew into their canvases.
  for (const id of ['gex-by-strike', 'gex-profile']) await expect(page.getByTestId(id).locator('canvas').first()).toBeVisible();

  // Hover readouts name the cell and its unit.
  const heatmap = page.getByTestId('gex-heatmap').locator('canvas');
  const box = (await heatmap.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.5, box.y + 8);
  await expect(page.getByTestId('gex-heatmap-readout')).toContainText(/expiry \d{1,2}[A-Z]{3}\d{2} · strike [\d,]+ · .*per 1 %/);
  const cascade = page.getByTestId('cascade-heatmap').locator('canvas');
  const cbox = (await cascade.boundingBox())!;
  await page.mouse.move(cbox.x + cbox.width * 0.6, cbox.y + 20);
  await expect(page.getByTestId('cascade-heatmap-readout')).toContainText(/time \(UTC\) .* · spot [\d,]+ · .*per \+1 % move/);
  // The demo perpetual has a book: hedge demand ÷ depth within 1 % (cascade risk), per vol shift.
  await page.getByLabel('Cascade metric').selectOption('ratio');
  await page.getByLabel('Vol shift').selectOption({ label: 'vol +5 pts' });
  await page.mouse.move(cbox.x + cbox.width * 0.6, cbox.y + 24);
  await expect(page.getByTestId('cascade-heatmap-readout')).toContainText(/× depth/);
  await page.screenshot({ path: 'test-results/screenshots/exposure-naive.png' });

  // The trader's own book: long 50 at-the-money calls is long gamma; a bad line is refused with its reason.
  await expect(page.getByTestId('own-book')).toContainText('Your book: no positions');
  await page.getByRole('button', { name: 'Edit positions' }).click();
  await page.getByLabel('Positions').fill(`${myCall} 50\nnot-an-option 1`);
  await page.getByTestId('save-positions').click();
  await expect(page.getByRole('alert')).toContainText('Invalid Deribit instrument name "NOT-AN-OPTION"');
  await page.getByLabel('Positions').fill(`${myCall} 50`);
  await page.getByTestId('save-positions').click();
  await expect.poll(async () => usd(await page.getByTestId('own-gex').textContent()), { timeout: 20_000 }).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/screenshots/exposure-own-book.png' });

  // Naive: dealers long calls, short puts. Dealers short everything: every GEX is negative and there is no flip.
  await page.getByRole('button', { name: 'Dealers short' }).click();
  await expect.poll(async () => usd(await total.textContent()), { timeout: 20_000 }).toBeLessThan(0);
  await expect(page.getByTestId('gex-flip')).toHaveText('none');

  // Flow: inferred from the demo market's trades, with its confidence.
  await page.getByRole('button', { name: 'Flow' }).click();
  await expect(page.getByTestId('flow-confidence')).toContainText(/confidence [\d.]+ %/, { timeout: 20_000 });
  await page.screenshot({ path: 'test-results/screenshots/exposure-flow.png' });

  // Sticky moneyness re-prices the profile with IVs following K/F.
  await page.getByLabel('Vol dynamics').selectOption('stickyMoneyness');
  await expect(page.getByText('re-priced over spot, sticky moneyness')).toBeVisible({ timeout: 20_000 });

  // ETH has its own levels.
  await page.getByRole('button', { name: 'ETH' }).click();
  await expect(page.getByText('Dealer Δ (ETH)')).toBeVisible({ timeout: 20_000 });

  // A fresh page load finds the saved book: its first calls, made before the socket opens, wait for it.
  await page.reload();
  await page.getByRole('tab', { name: 'Exposure' }).click();
  await expect.poll(async () => usd(await page.getByTestId('own-gex').textContent()), { timeout: 20_000 }).toBeGreaterThan(0);
  // The editor starts from the saved book (an empty one, saved, would wipe it).
  await page.getByRole('button', { name: 'Edit positions' }).click();
  await expect(page.getByLabel('Positions')).toHaveValue(`${myCall} 50`);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(problems).toEqual([]);
});
