import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startHostProcess, type HostProcess } from './host';

// Import Tardis files from the UI (the "Import file" source): a job with progress, its bad rows listed, the new
// session in the list, and the session replays into the chain. The options_chain row is the documented Tardis
// sample in ../shared/data; the other rows are written here in the same layout.
let host: HostProcess;
let files: string[];

test.beforeAll(async () => {
  host = await startHostProcess();
  // The host reads only from its import folder: `imports` next to its database.
  const dir = join(host.dataDir, 'imports');
  const [header, row] = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n') as [string, string];
  const rows = [row];
  // More strikes of the same expiry, each a millisecond later, and one broken row.
  for (const [i, strike] of [9000, 9500, 10000, 10500].entries()) {
    const type = strike >= 9875 ? 'call' : 'put';
    rows.push(
      row
        .replace('BTC-9JUN20-9875-P', `BTC-9JUN20-${strike}-${type === 'call' ? 'C' : 'P'}`)
        .replace(',put,9875,', `,${type},${strike},`)
        .replace('1591574400196008', String(1591574400196008 + (i + 1) * 1000)),
    );
  }
  rows.push('deribit,BTC-9JUN20-9875-P,broken');
  files = [join(dir, 'deribit_options_chain_2020-06-08.csv.gz')];
  writeFileSync(files[0]!, gzipSync([header, ...rows].join('\n') + '\n'));
});
test.afterAll(async () => {
  await host?.stop();
});

test('import Tardis files from the UI and replay the session', async ({ page }) => {
  await page.goto(host.url);
  await expect(page.getByTestId('link-state')).toHaveText('connected');
  await page.getByTestId('sources-button').click();
  await page.getByLabel('Files to import').fill(files.join('\n'));
  await page.getByLabel('Import session name').fill('tardis-ui');
  await page.getByTestId('import').click();
  const job = page.getByTestId('job').first();
  await expect(job).toContainText('done', { timeout: 20_000 });
  await expect(job).toContainText('6 rows → 10 events, 1 bad rows skipped');
  await job.getByText('1 bad rows (first 1)').click();
  await expect(job).toContainText('deribit_options_chain_2020-06-08.csv.gz:7 — expected 24 fields, got 3');
  const session = page.getByTestId('sessions').locator('tbody tr', { hasText: 'tardis-ui' });
  await expect(session).toContainText('tardis');
  await page.screenshot({ path: 'test-results/screenshots/import.png' });

  await session.getByRole('button', { name: 'Replay' }).click();
  await expect(page.getByTestId('replay-bar')).toContainText('done', { timeout: 20_000 });
  await expect(page.getByRole('tab', { name: /9JUN20/ })).toBeVisible();
  const rows = page.locator('[data-testid=chain] tbody tr');
  await expect(rows).toHaveCount(5);
  await expect(page.locator('[data-testid=chain] tbody tr[data-strike="9875"]')).toContainText('0.0221');
  // Tardis options_chain files carry no traded volume: the Vol column shows a dash and says why on hover (a wide
  // window, so that the column fits beside the Sources panel).
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.getByTestId('column-picker-button').click();
  await page.getByTestId('column-picker').getByRole('checkbox', { name: /^Vol / }).check();
  await page.getByTestId('column-picker-button').click();
  await expect(page.getByTestId('columns-hidden')).toHaveCount(0);
  const putVolume = page.locator('[data-testid=chain] tbody tr[data-strike="9875"]').getByTestId('put-volume');
  await expect(putVolume).toHaveText('–');
  await expect(putVolume).toHaveAttribute('title', /No 24 h volume: the source does not report it/);
  await page.screenshot({ path: 'test-results/screenshots/import-replay-no-volume.png' });

  // Wrong input gets a clear error and changes nothing: a file outside the import folder is refused unread.
  await page.getByLabel('Files to import').fill('/etc/passwd');
  await page.getByLabel('Import session name').fill('broken-import');
  await page.getByTestId('import').click();
  await expect(page.getByRole('alert')).toContainText('"/etc/passwd" is outside the import folder');

  // The imported options_chain has no trades: the Flow convention says so instead of showing $0.
  await page.getByRole('tab', { name: 'Exposure' }).click();
  await expect(page.getByTestId('gex-total')).toContainText('$', { timeout: 20_000 });
  await page.getByRole('button', { name: 'Flow' }).click();
  await expect(page.getByTestId('flow-no-trades')).toContainText('no trades', { timeout: 20_000 });
  await expect(page.getByTestId('gex-total')).toHaveText('no trades');
  await page.screenshot({ path: 'test-results/screenshots/exposure-flow-no-trades.png' });
});
