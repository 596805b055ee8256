import { expect, test, type Page } from '@playwright/test';
import { hostForThisFile, SHOTS } from './host';

// The foundation's vertical slice, as a user sees it: `gammadesk serve` → demo market → engine → greeks in the
// worker pool → the Chain view in Chromium, updating live.
const host = hostForThisFile();

function number(text: string | null): number {
  return Number((text ?? '').replace(/,/g, ''));
}

async function openDesk(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  return problems;
}

async function chainNumbers(page: Page): Promise<{ strikes: number[]; callDelta: number[]; putDelta: number[]; callMark: number[] }> {
  return page.locator('[data-testid=chain] tbody tr').evaluateAll((rows) => {
    const cell = (row: Element, id: string): number => Number(row.querySelector(`[data-testid=${id}]`)?.textContent?.replace(/,/g, ''));
    return {
      strikes: rows.map((r) => Number((r as HTMLElement).dataset['strike'])),
      callDelta: rows.map((r) => cell(r, 'call-delta')),
      putDelta: rows.map((r) => cell(r, 'put-delta')),
      callMark: rows.map((r) => cell(r, 'call-mark')),
    };
  });
}

test('the demo chain fills with numbers and keeps updating', async ({ page }) => {
  const problems = await openDesk(page);
  const feed = page.getByTestId('feed-status');
  await expect(feed).toContainText('Demo market (seed 42)');
  await expect(feed).toContainText('live');

  // Greeks come from the pool a moment after the first quotes: wait until every row has a delta.
  await expect.poll(async () => (await chainNumbers(page)).callDelta.filter(Number.isFinite).length, { timeout: 20_000 }).toBeGreaterThan(10);
  const first = await chainNumbers(page);
  expect(first.strikes.length).toBeGreaterThan(10);
  for (const delta of first.callDelta.filter(Number.isFinite)) {
    expect(delta).toBeGreaterThanOrEqual(0);
    expect(delta).toBeLessThanOrEqual(1);
  }
  for (const delta of first.putDelta.filter(Number.isFinite)) {
    expect(delta).toBeGreaterThanOrEqual(-1);
    expect(delta).toBeLessThanOrEqual(0);
  }
  // Call delta falls as the strike rises (strikes are sorted ascending).
  const callDeltas = first.callDelta.filter(Number.isFinite);
  expect(callDeltas[0]!).toBeGreaterThan(callDeltas.at(-1)!);
  expect(first.callMark.filter((m) => m > 0).length).toBeGreaterThan(5);

  const index = number(await page.getByTestId('index-price').textContent());
  expect(index).toBeGreaterThan(10_000);
  const forward = number(await page.getByTestId('front-forward').textContent());
  expect(forward).toBeGreaterThan(index * 0.99);

  await page.screenshot({ path: `${SHOTS}/chain-btc.png` });

  // Live: the chain's update counter and the quotes keep moving.
  const seqText = await page.getByTestId('chain-seq').textContent();
  await expect.poll(async () => page.getByTestId('chain-seq').textContent(), { timeout: 10_000 }).not.toBe(seqText);
  await expect.poll(async () => number(await page.getByTestId('index-price').textContent()), { timeout: 10_000 }).not.toBe(index);

  expect(problems).toEqual([]);
});

test('switching currency and expiry shows that chain', async ({ page }) => {
  const problems = await openDesk(page);
  await page.getByRole('button', { name: 'ETH' }).click();
  await expect(page.locator('.caption b').first()).toContainText('ETH');
  const tabs = page.getByRole('tab');
  await expect.poll(async () => tabs.count()).toBeGreaterThanOrEqual(8);
  const lastTab = tabs.last();
  const label = (await lastTab.textContent())?.match(/^\d{1,2}[A-Z]{3}\d{2}/)?.[0];
  expect(label).toBeTruthy();
  await lastTab.click();
  await expect(page.locator('.caption b').first()).toHaveText(`ETH ${label}`);
  await expect.poll(async () => (await chainNumbers(page)).callDelta.filter(Number.isFinite).length, { timeout: 20_000 }).toBeGreaterThan(10);
  const index = number(await page.getByTestId('index-price').textContent());
  expect(index).toBeGreaterThan(500);
  expect(index).toBeLessThan(50_000);
  await page.screenshot({ path: `${SHOTS}/chain-eth-long.png` });
  expect(problems).toEqual([]);
});

test('chain columns: vega, theta, quote sizes and volume from the picker, USD prices, kept after a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const problems = await openDesk(page);
  await expect.poll(async () => (await chainNumbers(page)).callDelta.filter(Number.isFinite).length, { timeout: 20_000 }).toBeGreaterThan(10);
  const atm = page.locator('tr.atm');
  const coinMark = number(await atm.getByTestId('call-mark').textContent());
  expect(coinMark).toBeGreaterThan(0);
  expect(coinMark).toBeLessThan(1);

  await page.getByTestId('column-picker-button').click();
  const picker = page.getByTestId('column-picker');
  for (const label of ['Vega', 'Θ', 'Bid size', 'Ask size', 'Vol']) await picker.getByRole('checkbox', { name: new RegExp(`^${label} `) }).check();
  await page.getByTestId('column-picker-button').click();
  await expect(page.getByTestId('columns-hidden')).toHaveCount(0);
  // Vega (USD per vol point) is positive, theta (USD per day) negative for a long option; sizes in contracts.
  await expect.poll(async () => number(await atm.getByTestId('call-vega').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
  expect(number(await atm.getByTestId('call-theta').textContent())).toBeLessThan(0);
  expect(number(await atm.getByTestId('put-vega').textContent())).toBeGreaterThan(0);
  expect(number(await atm.getByTestId('call-ask-size').textContent())).toBeGreaterThan(0);
  // 24 h volume in contracts, as the ticker's stats carry it (the demo's: from open interest plus its trades).
  expect(number(await atm.getByTestId('call-volume').textContent())).toBeGreaterThan(0);
  expect(number(await atm.getByTestId('put-volume').textContent())).toBeGreaterThan(0);
  await expect(atm.getByTestId('call-volume')).not.toHaveAttribute('title', /No 24 h volume/);

  // USD prices: coin price × the option's forward.
  await page.getByRole('group', { name: 'Price unit' }).getByRole('button', { name: 'USD' }).click();
  await expect(page.locator('.caption')).toContainText('Prices in USD');
  const forward = number(await page.getByTestId('front-forward').textContent());
  await expect.poll(async () => number(await atm.getByTestId('call-mark').textContent())).toBeGreaterThan(coinMark * forward * 0.8);
  await page.screenshot({ path: `${SHOTS}/chain-columns-usd.png` });

  // The choice is kept (localStorage) across a reload.
  await page.reload();
  await expect(page.locator('tr.atm').getByTestId('call-vega')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole('group', { name: 'Price unit' }).getByRole('button', { name: 'USD' })).toHaveAttribute('aria-pressed', 'true');
  expect(problems).toEqual([]);
});

test('the host serves a strict CSP and refuses the API without the run token', async ({ page, request }) => {
  const response = await request.get(host.url);
  const csp = response.headers()['content-security-policy'] ?? '';
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');

  await openDesk(page);
  const outcome = await page.evaluate(async (base) => {
    const tryConnect = (token: string): Promise<string> =>
      new Promise((resolve) => {
        const ws = new WebSocket(`${base.replace('http', 'ws')}api?token=${encodeURIComponent(token)}`);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('refused');
      });
    const token = document.querySelector<HTMLMetaElement>('meta[name="gammadesk-token"]')?.content ?? '';
    return { wrong: await tryConnect('not-the-token'), none: await tryConnect(''), right: await tryConnect(token), bridge: 'gammadesk' in window };
  }, host.url);
  expect(outcome).toEqual({ wrong: 'refused', none: 'refused', right: 'open', bridge: false });
  expect(host.output()).toContain('refused WebSocket');
});
