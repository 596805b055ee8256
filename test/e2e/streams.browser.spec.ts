import { expect, test, type Page } from '@playwright/test';
import { hostForThisFile } from './host';

// The renderer subscribes an API stream while something on screen shows it and unsubscribes when nothing does
// (the stream bridge in src-renderer/lib/state/stream.svelte.ts). Read off the frames the page sends to the
// host: which subscriptions are open after each step, and that none is left behind or doubled.
const host = hostForThisFile();

interface Subscription {
  topic: string;
  params: Record<string, unknown>;
}

/** Follows the page's API socket: the subscriptions it has open, by id. */
function watchSubscriptions(page: Page): Map<number, Subscription> {
  const open = new Map<number, Subscription>();
  page.on('websocket', (socket) => {
    if (!socket.url().includes('/api')) return;
    socket.on('framesent', ({ payload }) => {
      const frame = JSON.parse(String(payload)) as { kind: string; id: number; topic?: string; params?: Record<string, unknown> };
      if (frame.kind === 'subscribe') open.set(frame.id, { topic: frame.topic!, params: frame.params ?? {} });
      if (frame.kind === 'unsubscribe') open.delete(frame.id);
    });
  });
  return open;
}

/** The open subscriptions as sorted `topic params` lines, e.g. `exposure {"convention":"short",…}`. */
function listOpen(open: Map<number, Subscription>): string[] {
  return [...open.values()].map((s) => `${s.topic} ${JSON.stringify(s.params)}`).sort();
}

function topics(open: Map<number, Subscription>): string[] {
  return [...new Set([...open.values()].map((s) => s.topic))].sort();
}

test('each view subscribes the streams it shows, and only while it shows them', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  const open = watchSubscriptions(page);
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');

  // Chain view: the header (with its alerts bell), the desk status, BTC's expiries and the chain of the selected expiry.
  await expect(page.locator('tr.atm')).toBeVisible({ timeout: 20_000 });
  await expect.poll(() => topics(open)).toEqual(['alerts', 'chain', 'desk', 'expiries', 'header']);
  const chain = listOpen(open).filter((line) => line.startsWith('chain '));
  expect(chain).toHaveLength(1);
  expect(chain[0]).toMatch(/^chain \{"currency":"BTC","expiry":"\d{1,2}[A-Z]{3}\d{2}"\}$/);

  // Another expiry: the chain stream follows it (one chain subscription, the new expiry).
  const lastTab = page.getByRole('navigation', { name: 'Expiries' }).getByRole('tab').last();
  const label = (await lastTab.textContent())!.match(/^\d{1,2}[A-Z]{3}\d{2}/)![0];
  await lastTab.click();
  await expect.poll(() => listOpen(open).filter((line) => line.startsWith('chain '))).toEqual([`chain {"currency":"BTC","expiry":"${label}"}`]);

  // Exposure view: its stream opens, the chain's and the expiry list's close.
  await page.getByRole('tab', { name: 'Exposure' }).click();
  await expect(page.getByTestId('gex-total')).toContainText('$', { timeout: 20_000 });
  await expect.poll(() => topics(open)).toEqual(['alerts', 'desk', 'exposure', 'header']);
  expect(listOpen(open)).toContain('exposure {"currency":"BTC","convention":"naive","dynamics":"stickyStrike"}');

  // Another convention or currency replaces the exposure subscription instead of adding one.
  await page.getByRole('button', { name: 'Dealers short' }).click();
  await page.getByRole('button', { name: 'ETH' }).click();
  await expect
    .poll(() => listOpen(open).filter((line) => line.startsWith('exposure ')))
    .toEqual(['exposure {"currency":"ETH","convention":"short","dynamics":"stickyStrike"}']);
  await expect(page.getByText('Dealer Δ (ETH)')).toBeVisible({ timeout: 20_000 });

  // Back to the chain: the exposure stream closes; the chain comes back for the selected currency.
  await page.getByRole('tab', { name: 'Chain' }).click();
  await expect.poll(() => topics(open)).toEqual(['alerts', 'chain', 'desk', 'expiries', 'header']);
  await expect(page.locator('.caption b').first()).toContainText('ETH');
  await expect(page.locator('[data-testid=chain] tbody tr').first()).toBeVisible({ timeout: 20_000 });

  // The Sources panel reads the sessions and the import jobs while it is open.
  await page.getByTestId('sources-button').click();
  await expect(page.getByTestId('current-source')).toContainText('Demo market');
  await expect.poll(() => topics(open)).toEqual(['alerts', 'chain', 'desk', 'expiries', 'header', 'jobs', 'sessions']);
  await page.getByTestId('sources-button').click();
  await expect.poll(() => topics(open)).toEqual(['alerts', 'chain', 'desk', 'expiries', 'header']);

  // Nothing doubled along the way: one subscription per topic.
  expect(open.size).toBe(5);

  // The hedging desk's views: the book while Positions shows; proposal and recommendations while Hedges shows.
  await page.getByRole('tab', { name: 'Positions' }).click();
  await expect.poll(() => topics(open)).toEqual(['alerts', 'book', 'desk', 'header']);
  await page.getByRole('tab', { name: 'Hedges' }).click();
  await expect.poll(() => topics(open)).toEqual(['alerts', 'desk', 'header', 'hedge', 'recommendations']);
  await page.getByRole('tab', { name: 'Chain' }).click();
  await expect.poll(() => topics(open)).toEqual(['alerts', 'chain', 'desk', 'expiries', 'header']);
  expect(problems).toEqual([]);
});
