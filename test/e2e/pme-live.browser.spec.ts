import { expect, test } from '@playwright/test';
import type { ScenarioStep } from '../mock-deribit/server';
import { MockDeribitServer } from '../mock-deribit/server';
import { perpetualTicker, recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { pmeReferenceCases } from '../mock-deribit/pmeReference';
import { openDesk } from './desk';
import { SHOTS, startHostProcess, type HostProcess } from './host';

// "Replica vs Deribit" live in Chromium: the host on Live Deribit (the mock Deribit server), the Deribit venue with
// a key from the environment, and the book of Deribit's ETH mainnet pme/simulate capture
// (../shared/reference/deribit_margin_cases.json: −0.999487053 ETH of ETH-PERPETUAL). The book holds whole USD
// contracts, so it is −1948 USD and the mock streams the mark that makes that −0.999487053 ETH (1948 / 0.999487053
// = 1948.9997 instead of the capture's 1949.49: a delta-one vector depends on the coin size only) and the
// capture's index (1949.34); its exchange answers pme/simulate for that book with the captured response. The panel
// must show the comparison (zero differences), Deribit's parameters in use, and the as-of time.
const eth = pmeReferenceCases().find((c) => c.currency === 'ETH')!;
const INDEX = 1949.34;
const QUANTITY_USD = -1948;
const MARK = -QUANTITY_USD / -eth.positions['ETH-PERPETUAL']!;
let mock: MockDeribitServer;
let host: HostProcess;
let playing: Promise<void> | null = null;

function ethSteps(rounds: number): ScenarioStep[] {
  const ticker = { ...perpetualTicker(0), instrument_name: 'ETH-PERPETUAL', mark_price: MARK, index_price: INDEX, best_bid_price: MARK - 0.05, best_ask_price: MARK + 0.05 };
  const steps: ScenarioStep[] = [];
  for (let r = 0; r < rounds; r++) {
    steps.push({ kind: 'notify', channel: 'deribit_price_index.eth_usd', data: { index_name: 'eth_usd', price: INDEX, timestamp: 0 } });
    steps.push({ kind: 'notify', channel: 'ticker.ETH-PERPETUAL.100ms', data: { ...ticker, best_bid_amount: 1000 + r } });
    steps.push({ kind: 'pause', ms: 250 });
  }
  return steps;
}

test.beforeAll(async () => {
  const shiftToMs = Date.now();
  mock = await MockDeribitServer.start({
    instruments: recordedInstruments({ shiftToMs }),
    books: recordedBooks({ shiftToMs }),
    scenario: ethSteps(240),
    gateTimeoutMs: 30_000,
    account: { clientId: 'e2e-pme-id', clientSecret: 'e2e-pme-secret', summaries: {}, pmeResponses: [{ currency: eth.currency, positions: eth.positions, result: eth.result }] },
  });
  host = await startHostProcess([], { GAMMADESK_DERIBIT_URL: mock.url, GAMMADESK_DERIBIT_CLIENT_ID: 'e2e-pme-id', GAMMADESK_DERIBIT_CLIENT_SECRET: 'e2e-pme-secret' });
});
test.afterAll(async () => {
  await host?.stop();
  await mock?.close();
  await playing?.catch(() => undefined);
});

test('replica vs Deribit live: the captured ETH book compares to zero, on Deribit\'s parameters', async ({ page }) => {
  playing = mock.play();
  const problems = await openDesk(page, host.url, { width: 1440, height: 900 });
  await page.getByTestId('sources-button').click();
  await page.getByLabel('Deribit network').selectOption('testnet');
  await page.getByRole('button', { name: 'Live Deribit' }).click();
  await expect(page.getByTestId('current-source')).toContainText('Live Deribit testnet');
  await page.getByTestId('sources-button').click();

  await page.getByRole('tab', { name: 'Hedges' }).click();
  await page.getByTestId('execution-venue').selectOption('deribit');
  await page.getByTestId('execution-apply').click();

  await page.getByRole('tab', { name: 'Positions' }).click();
  const csv = ['instrument,quantity,average_price,price_currency', `ETH-PERPETUAL,${QUANTITY_USD},${MARK},USD`].join('\n');
  await page.getByTestId('import-book').setInputFiles({ name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByTestId('import-result')).toContainText('Imported 1 of 1 rows');

  await page.getByRole('button', { name: 'ETH' }).click();
  await page.getByRole('tab', { name: 'Risk' }).click();
  const largest = page.getByTestId('pme-largest');
  await expect(largest).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId('pme-params')).toContainText("Deribit's live model_params");
  await expect(page.getByTestId('pme-asof')).toContainText("Deribit's pme/simulate of this book (1 position,");
  const margins = page.getByTestId('pme-margins');
  await expect(margins.getByRole('row', { name: /^IM / })).toContainText('0.157462');
  await expect(page.getByTestId('risk-im')).toContainText('0.1575 ETH');
  await page.getByTestId('pme-panel').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/risk-pme-live.png` });
  await page.getByRole('complementary', { name: 'Margin' }).screenshot({ path: `${SHOTS}/risk-pme-live-panel.png` });
  expect(problems).toEqual([]);
});
