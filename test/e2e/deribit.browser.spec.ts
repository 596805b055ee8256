import { expect, test } from '@playwright/test';
import { parseInstrumentName } from '../../src-main/core/pricing/instrument';
import { buildScenario, recordedBooks, recordedInstruments, scenarioShift } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';
import { SHOTS, startHostProcess, type HostProcess } from './host';

// "Live Deribit" from the UI, against the mock Deribit server on 127.0.0.1 that speaks the JSON-RPC protocol and
// replays the real recorded messages (no network here). GAMMADESK_DERIBIT_URL points the host at it.
// The app runs on the wall clock, so the recorded (2020) scenario is shifted by whole weeks to the present
// (`shiftToMs`, see scenario.ts): same messages and prices, expiries a few days ahead, names renamed to match.
const ROUNDS = 40;
/** 11 steps per round: 80 rounds × 11 × ~50 ms ≈ 45 s of stream, still running when the screenshot is taken. */
const STEP_DELAY_MS = 100;
let mock: MockDeribitServer;
let host: HostProcess;
let shiftToMs: number;
let btcCall: { name: string; expiryCode: string; strike: number };
let playing: Promise<void> | null = null;
let playError: Error | null = null;

test.beforeAll(async () => {
  shiftToMs = Date.now();
  const instruments = recordedInstruments({ shiftToMs });
  // The recorded BTC-5JUN20-9250-C, under its shifted name (found in the shifted list, not hard-coded).
  const call = instruments.find((i) => i.kind === 'option' && i.base_currency === 'BTC' && i.strike === 9250 && i.option_type === 'call');
  if (!call) throw new Error('no BTC 9250 call in the shifted instrument list');
  const parsed = parseInstrumentName(call.instrument_name);
  if (parsed.kind !== 'option') throw new Error(`${call.instrument_name} is not an option`);
  btcCall = { name: call.instrument_name, expiryCode: parsed.expiryCode, strike: parsed.strike };
  mock = await MockDeribitServer.start({
    instruments,
    books: recordedBooks({ shiftToMs }),
    scenario: buildScenario({ rounds: ROUNDS, shiftToMs }),
    stepDelayMs: STEP_DELAY_MS,
    // The scenario starts before the UI switches to Live Deribit: its first step waits for that subscription.
    gateTimeoutMs: 30_000,
  });
  host = await startHostProcess([], { GAMMADESK_DERIBIT_URL: mock.url });
});
test.afterAll(async () => {
  await host?.stop();
  await mock?.close();
  await playing;
});

test('switching to Live Deribit streams the (mock) exchange into the chain', async ({ page }) => {
  // The shift put the recorded expiry days ahead of now, on the recorded weekday (a Friday) at 08:00 UTC.
  const expiryMs = (parseInstrumentName(btcCall.name) as { expiryMs: number }).expiryMs;
  expect(expiryMs).toBeGreaterThan(shiftToMs + 86_400_000);
  expect(new Date(expiryMs).getUTCDay()).toBe(5);
  expect(scenarioShift(shiftToMs).name('BTC-5JUN20-9250-C')).toBe(btcCall.name);

  playing = mock.play().catch((error: unknown) => {
    playError = error as Error;
  });
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByTestId('sources-button').click();
  await page.getByLabel('Deribit network').selectOption('testnet');
  await page.getByRole('button', { name: 'Live Deribit' }).click();
  await expect(page.getByTestId('current-source')).toContainText('Live Deribit testnet');
  const feed = page.getByTestId('feed-status');
  await expect(feed).toContainText(`Deribit (${mock.url})`);
  await expect(feed).toContainText('live', { timeout: 20_000 });
  // The recorded BTC option (BTC-5JUN20-9250-C, shifted) appears under its expiry tab with its forward and greeks.
  const tab = page.getByRole('tab', { name: new RegExp(`^${btcCall.expiryCode}`) });
  await expect(tab).toBeVisible({ timeout: 20_000 });
  await tab.click();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  const row = page.locator(`[data-testid=chain] tbody tr[data-strike="${btcCall.strike}"]`);
  await expect(row).toBeVisible();
  await expect.poll(async () => Number(await row.getByTestId('call-delta').textContent()), { timeout: 15_000 }).toBeGreaterThan(0);
  // The expiry bar: the shifted expiry (08:00 UTC), the recorded forward (underlying_price 9440.73, not shifted)
  // on the renamed synthetic index (SYN.BTC-5JUN20 → SYN.BTC-{code}).
  const expiryBar = page.getByRole('navigation', { name: 'Expiries' });
  await expect(expiryBar).toContainText(`Expiry ${new Date(expiryMs).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
  await expect(expiryBar).toContainText('Forward 9,440.73 USD');
  await expect(expiryBar).toContainText(`on SYN.BTC-${btcCall.expiryCode}`);
  // Let a few rounds through (every instrument heard from, the BTC-8JUN20-8750-P "expired" ticker after round 1
  // handled), then check the header: index and perpetual from the stream, no stale instrument.
  await expect.poll(() => mock.stats.notificationsSent, { timeout: 20_000 }).toBeGreaterThan(11 * 6);
  const number = async (testId: string): Promise<number> => Number((await page.getByTestId(testId).textContent())?.replace(/,/g, ''));
  await expect.poll(() => number('index-price')).toBeGreaterThan(5000);
  await expect(page.locator('header')).toContainText(/Perpetual \(USD\)\s*[0-9]/);
  await expect(feed).not.toContainText('stale');
  // The stream is still running (the screenshot shows live numbers), and nothing in it failed.
  expect(playError).toBeNull();
  expect(mock.stats.notificationsSent).toBeLessThan(11 * ROUNDS);
  await page.screenshot({ path: `${SHOTS}/deribit-mock.png` });
  expect(mock.stats.connections).toBeGreaterThanOrEqual(1);
});
