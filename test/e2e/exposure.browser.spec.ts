import { expect, test, type Locator, type Page } from '@playwright/test';
import { hostForThisFile } from './host';

// The Exposure view on the demo market: GEX by strike and the profile (lightweight-charts), the strike × expiry
// and spot × time heatmaps with hover readouts, the levels, and the dealer-convention switch.
const host = hostForThisFile();

function usd(text: string | null): number {
  const match = /(-?)\$([\d.]+)([kMB]?)/.exec(text ?? '');
  if (!match) return NaN;
  const scale = { '': 1, k: 1e3, M: 1e6, B: 1e9 }[match[3] as '' | 'k' | 'M' | 'B'];
  return (match[1] === '-' ? -1 : 1) * Number(match[2]) * scale;
}

/** The chart's axis labels as {value, text, centre x, centre y}. */
async function axisLabels(chart: Locator, axis: 'x' | 'left' | 'right'): Promise<{ value: number; text: string; x: number; y: number }[]> {
  return chart.locator(`[data-axis=${axis}]`).evaluateAll((nodes) =>
    nodes.map((node) => {
      const box = node.getBoundingClientRect();
      return { value: Number((node as HTMLElement).dataset['value']), text: node.textContent ?? '', x: box.left + box.width / 2, y: box.top + box.height / 2 };
    }),
  );
}

/** Boxes of the level labels (spot, flip, walls) of a chart. */
async function markerBoxes(chart: Locator): Promise<{ text: string; left: number; right: number; top: number; bottom: number }[]> {
  return chart.getByTestId('chart-marker').evaluateAll((nodes) =>
    nodes.map((node) => {
      const box = node.getBoundingClientRect();
      return { text: node.textContent ?? '', left: box.left, right: box.right, top: box.top, bottom: box.bottom };
    }),
  );
}

/** Fully transparent pixels down the middle of a heatmap's cells: gaps between rows read as scan lines. */
async function gapPixels(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).locator('canvas').evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d')!;
    const ratio = canvas.width / canvas.clientWidth;
    // From below the top padding to above the column labels (16 px), at 60 % of the width.
    const x = Math.round(canvas.width * 0.6);
    const top = Math.round(10 * ratio);
    const bottom = Math.round((canvas.clientHeight - 20) * ratio);
    const pixels = context.getImageData(x, top, 1, bottom - top).data;
    let gaps = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] === 0) gaps++;
    return gaps;
  });
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

  // Item 10: numeric strike and spot axes: round ticks (multiples of 1,000 USD for BTC), thousands separators,
  // placed in proportion to their value (not one slot per strike).
  for (const id of ['gex-by-strike', 'gex-profile']) {
    const ticks = await axisLabels(page.getByTestId(id), 'x');
    expect(ticks.length, `${id} x ticks`).toBeGreaterThanOrEqual(3);
    for (const tick of ticks) {
      expect(tick.text).toMatch(/^\d{1,3}(,\d{3})+$/);
      expect(Number(tick.text.replace(/,/g, ''))).toBe(tick.value);
      expect(tick.value % 1000).toBe(0);
    }
    const steps = ticks.slice(1).map((t, i) => t.value - ticks[i]!.value);
    expect(new Set(steps).size, `${id}: one tick step`).toBe(1);
    const pxPerUsd = ticks.slice(1).map((t, i) => (t.x - ticks[i]!.x) / (t.value - ticks[i]!.value));
    for (const scale of pxPerUsd) expect(scale).toBeCloseTo(pxPerUsd[0]!, 3);
    // Item 11: level labels never overprint each other.
    const boxes = await markerBoxes(page.getByTestId(id));
    expect(boxes.length).toBeGreaterThanOrEqual(3);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
        expect(overlap, `${id}: "${a.text}" and "${b.text}" overlap`).toBe(false);
      }
    }
  }
  // Item 11: one colour meaning and a colour scale on both heatmaps. + GEX dampens (right end of the GEX map's
  // scale); a + hedge (dealers buy into a rise) amplifies (right end of the hedge-pressure scale).
  await expect(page.getByTestId('gamma-legend')).toContainText('dampening');
  await expect(page.getByTestId('gex-heatmap-scale')).toContainText(/amplifying.*dampening/);
  await expect(page.getByTestId('cascade-heatmap-scale')).toContainText(/dampening.*amplifying/);
  const dampeningColour = async (id: string): Promise<string> =>
    page.getByTestId(id).locator('span', { hasText: 'dampening' }).evaluate((node) => getComputedStyle(node).color);
  expect(await dampeningColour('gex-heatmap-scale')).toBe(await dampeningColour('cascade-heatmap-scale'));
  // No scan lines: the hedge-pressure map's thin rows touch (the expiry map's thick rows keep a 1 px divider).
  await page.getByLabel('Cascade metric').selectOption('hedge');
  expect(await gapPixels(page, 'cascade-heatmap')).toBe(0);

  // Item 12: key levels with their distance from spot, and the call / put / net split of a strike on hover.
  const spotUsd = Number((await page.getByTestId('level-spot').locator('td').nth(1).textContent())!.replace(/,/g, ''));
  for (const id of ['flip', 'call-wall', 'put-wall', 'abs-gamma', 'largest-1', 'largest-5']) {
    const row = page.getByTestId(`level-${id}`);
    await expect(row).toBeVisible();
    const level = Number((await row.locator('td').nth(1).textContent())!.replace(/,/g, ''));
    const distance = (await page.getByTestId(`level-${id}-distance`).textContent())!;
    expect(distance).toMatch(/^[+−]?\d+\.\d{2} %$/);
    const percent = Number(distance.replace('−', '-').replace(/[ %+]/g, ''));
    expect(percent).toBeCloseTo((level / spotUsd - 1) * 100, 1);
  }
  const callWall = Number((await page.getByTestId('level-call-wall').locator('td').nth(1).textContent())!.replace(/,/g, ''));
  const strikeTicks = await axisLabels(page.getByTestId('gex-by-strike'), 'x');
  const pxPerUsd = (strikeTicks[1]!.x - strikeTicks[0]!.x) / (strikeTicks[1]!.value - strikeTicks[0]!.value);
  const plot = (await page.getByTestId('gex-by-strike').locator('canvas').boundingBox())!;
  await page.mouse.move(strikeTicks[0]!.x + (callWall - strikeTicks[0]!.value) * pxPerUsd, plot.y + plot.height / 2);
  await expect(page.getByTestId('gex-by-strike-readout')).toContainText(
    new RegExp(`strike ${callWall.toLocaleString('en-US')} USD \\([+−]\\d+\\.\\d{2} % from spot\\) · calls -?\\$[\\d.]+[kMB]? · puts -?\\$[\\d.]+[kMB]? · net -?\\$[\\d.]+[kMB]? per 1 % move`),
  );

  // The key levels over the session, on a time chart: it fills as snapshots arrive (market time).
  const history = page.getByTestId('level-history');
  await expect.poll(async () => Number(await history.getAttribute('data-points')), { timeout: 20_000 }).toBeGreaterThan(3);
  await expect(history.locator('canvas').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/exposure-level-history.png' });

  // The trader's own book: long 50 at-the-money calls is long gamma; a bad line is refused with its reason.
  await expect(page.getByTestId('own-book')).toContainText('Your book: no positions');
  await page.getByRole('button', { name: 'Edit positions' }).click();
  await page.getByLabel('Positions').fill(`${myCall} 50\nnot-an-option 1`);
  await page.getByTestId('save-positions').click();
  await expect(page.getByRole('alert')).toContainText('Invalid Deribit instrument name "NOT-AN-OPTION"');
  // Lines are checked against the instrument list: below Deribit's 0.1 lot, and a strike that is not listed.
  const unlistedStrike = myCall.replace(/-(\d+)-C$/, (_, strike: string) => `-${Number(strike) + 1}-C`);
  await page.getByLabel('Positions').fill(`${myCall} 0.05\n${unlistedStrike} 1`);
  await page.getByTestId('save-positions').click();
  await expect(page.getByRole('alert')).toContainText(`the book was not saved: 0.05 contracts of ${myCall} is below Deribit's minimum of 0.1; ${unlistedStrike} is not a listed instrument`);
  await page.screenshot({ path: 'test-results/screenshots/positions-refused.png' });
  // What was typed stays, to be corrected.
  await expect(page.getByLabel('Positions')).toHaveValue(`${myCall} 0.05\n${unlistedStrike} 1`);
  await page.getByLabel('Positions').fill(`${myCall} 50`);
  await page.getByTestId('save-positions').click();
  await expect.poll(async () => usd(await page.getByTestId('own-gex').textContent()), { timeout: 20_000 }).toBeGreaterThan(0);
  // Both deltas, labelled: N(d1) as Deribit shows it, and the coin delta (minus the premium) a coin account hedges.
  await expect(page.getByTestId('own-book')).toContainText(/Δ N\(d₁\) [\d.]+ BTC · coin Δ [\d.]+ BTC/);
  const ownDelta = Number(await page.getByTestId('own-delta').textContent());
  const ownCoinDelta = Number(await page.getByTestId('own-coin-delta').textContent());
  expect(ownCoinDelta).toBeLessThan(ownDelta);
  expect(ownCoinDelta).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/screenshots/exposure-own-book.png' });
  // Item 10: the book's axis (left) has its $0 at the market's $0 (right) on both charts.
  for (const id of ['gex-by-strike', 'gex-profile']) {
    const chart = page.getByTestId(id);
    await expect(chart.locator('[data-axis=left][data-value="0"]')).toHaveText('$0');
    const leftZero = (await axisLabels(chart, 'left')).find((t) => t.value === 0)!;
    const rightZero = (await axisLabels(chart, 'right')).find((t) => t.value === 0)!;
    expect(Math.abs(leftZero.y - rightZero.y), `${id}: zeros aligned`).toBeLessThan(1);
  }

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
  // Both deltas, labelled: N(d1) as Deribit shows it, and the coin delta (minus the premium) a coin account hedges.
  await expect(page.getByTestId('own-book')).toContainText(/Δ N\(d₁\) [\d.]+ BTC · coin Δ [\d.]+ BTC/);
  const bookDelta = Number(await page.getByTestId('own-delta').textContent());
  const bookCoinDelta = Number(await page.getByTestId('own-coin-delta').textContent());
  expect(bookCoinDelta).toBeLessThan(bookDelta);
  expect(bookCoinDelta).toBeGreaterThan(0);
  // The editor starts from the saved book (an empty one, saved, would wipe it).
  await page.getByRole('button', { name: 'Edit positions' }).click();
  await expect(page.getByLabel('Positions')).toHaveValue(`${myCall} 50`);
  await expect(page.getByRole('alert')).toHaveCount(0);
  expect(problems).toEqual([]);
});
