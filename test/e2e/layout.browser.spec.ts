import { expect, test, type Locator, type Page } from '@playwright/test';
import { hostForThisFile, SHOTS } from './host';

// The chain and exposure views at a laptop (1280×720) and a desktop (1920×1080) size, with the Sources panel
// open and closed: nothing a trader reads is pushed off-screen or cut. Screenshots of every case.
const host = hostForThisFile();

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
] as const;

async function inViewport(page: Page, locator: Locator): Promise<void> {
  const box = await locator.boundingBox();
  const size = page.viewportSize()!;
  expect(box, 'element is laid out').not.toBeNull();
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.y).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(size.width + 0.5);
  expect(box!.y + box!.height).toBeLessThanOrEqual(size.height + 0.5);
}

/** True when the element is inside its scroll container's visible box (not clipped by `overflow`). */
async function notClipped(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    let parent = element.parentElement;
    while (parent) {
      const style = getComputedStyle(parent);
      if (/(auto|scroll|hidden)/.test(style.overflowX)) {
        const clip = parent.getBoundingClientRect();
        if (box.left < clip.left - 0.5 || box.right > clip.right + 0.5) return false;
      }
      parent = parent.parentElement;
    }
    return box.right <= window.innerWidth + 0.5;
  });
}

for (const size of SIZES) {
  test(`chain and exposure at ${size.width}×${size.height}, Sources panel closed and open`, async ({ page }) => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.setViewportSize(size);
    await page.goto(host.url);
    await expect(page.getByTestId('link-state')).toHaveText('connected');
    await expect(page.locator('tr.atm')).toBeVisible({ timeout: 20_000 });
    await expect.poll(async () => page.locator('[data-testid=put-delta]').filter({ hasText: /\d/ }).count(), { timeout: 20_000 }).toBeGreaterThan(5);
    const name = `${size.width}x${size.height}`;

    for (const panel of ['closed', 'open'] as const) {
      if (panel === 'open') {
        await page.getByTestId('sources-button').click();
        await expect(page.getByRole('complementary', { name: 'Data source and sessions' })).toBeVisible();
      }
      // Chain: the put side's last columns (Γ and OI) are on screen, not cut by the panel.
      await page.getByRole('tab', { name: 'Chain' }).click();
      const header = page.locator('[data-testid=chain] thead tr').nth(1).locator('th');
      const putOi = header.last();
      const putGamma = header.nth((await header.count()) - 2);
      await expect(putOi).toHaveText(/OI/);
      await expect(putGamma).toHaveText(/Γ/);
      expect(await notClipped(putOi), `put OI column visible (${name}, panel ${panel})`).toBe(true);
      expect(await notClipped(putGamma), `put Γ column visible (${name}, panel ${panel})`).toBe(true);
      await page.screenshot({ path: `${SHOTS}/layout-chain-${name}-panel-${panel}.png` });

      // Exposure: both charts, both heatmaps and their colour scales above the fold.
      await page.getByRole('tab', { name: 'Exposure' }).click();
      await expect(page.getByTestId('gex-total')).toContainText('$', { timeout: 20_000 });
      for (const id of ['gex-by-strike', 'gex-profile', 'gex-heatmap', 'cascade-heatmap']) {
        await expect(page.getByTestId(id).locator('canvas')).toBeVisible();
        await inViewport(page, page.getByTestId(id).locator('canvas'));
      }
      for (const id of ['gex-heatmap-scale', 'cascade-heatmap-scale']) await inViewport(page, page.getByTestId(id));
      await page.screenshot({ path: `${SHOTS}/layout-exposure-${name}-panel-${panel}.png` });
    }
    expect(problems).toEqual([]);
  });
}
