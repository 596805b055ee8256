/**
 * `npm run bench -- surface`: the volatility surface of a real Deribit snapshot (../shared/data, 2026-08-22:
 * BTC 1038 + ETH 930 options, 12 expiries each) — the full raw SVI fit of both currencies (quasi-explicit, with the
 * arbitrage checks, residuals and smile summaries), single-threaded and on 2 worker threads (one currency each);
 * one expiry's refit after a quote changes, from the previous fit; and the SSVI / eSSVI fits.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { expiryMarkets } from '../src-main/cli/commands/surface';
import { fitSurface, refitSlice, type SurfaceModel } from '../src-main/core/surface/fit';
import type { ExpiryMarket } from '../src-main/core/surface/slices';
import { readChainFile } from '../src-main/feeds/chainFile';
import { time } from './exposure';

const FILE = path.resolve('../shared/data/znmahbub_deribit_options_snapshot_20260822T093536Z.csv');

/** Two worker threads (tsx from source), each fitting the markets it is sent; wall time of both fits. */
async function onTwoThreads(currencies: ExpiryMarket[][], runs: number): Promise<{ best_ms: number; median_ms: number; runs: number }> {
  // tsx registered inside the worker, then the TypeScript entry imported (a .ts filename alone is refused).
  const entry = pathToFileURL(path.resolve('bench/surfaceWorker.ts')).href;
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  const workers = [0, 1].map(() => new Worker(bootstrap, { eval: true }));
  const fitOn = (worker: Worker, markets: ExpiryMarket[]): Promise<void> =>
    new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.postMessage(markets);
    });
  try {
    const times: number[] = [];
    for (let i = 0; i < runs + 5; i++) {
      const started = performance.now();
      await Promise.all(currencies.map((markets, j) => fitOn(workers[j % 2]!, markets)));
      if (i >= 5) times.push(performance.now() - started); // 5 warm-up rounds
    }
    times.sort((a, b) => a - b);
    return { best_ms: Number(times[0]!.toFixed(3)), median_ms: Number(times[Math.floor(times.length / 2)]!.toFixed(3)), runs };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export async function runSurfaceBench(): Promise<Record<string, unknown>> {
  const chain = await readChainFile(FILE);
  const currencies = [...chain.currencies.values()].map((c) => expiryMarkets(c, chain.asOfMs));
  const quotes = currencies.flat().reduce((n, m) => n + m.quotes.length, 0);
  const expiries = currencies.flat().length;
  const fitAll = (model: SurfaceModel) => (): void => {
    for (const markets of currencies) fitSurface(markets, { model });
  };
  for (let i = 0; i < 5; i++) fitAll('svi')(); // warm the JIT
  const full = time(fitAll('svi'), 21, 0);
  // One expiry's refit: BTC's 25SEP26 (65 strikes) after one quote's IVs move by 0.5 vol point.
  const btc = currencies[0]!;
  const previous = fitSurface(btc, { model: 'svi' });
  const index = btc.findIndex((m) => m.label === '25SEP26');
  const market = btc[index]!;
  const moved: ExpiryMarket = {
    ...market,
    quotes: market.quotes.map((q, i) => (i === 10 ? { ...q, bidIv: q.bidIv === null ? null : q.bidIv + 0.005, askIv: q.askIv === null ? null : q.askIv + 0.005, markIv: q.markIv === null ? null : q.markIv + 0.005 } : q)),
  };
  for (let i = 0; i < 20; i++) refitSlice(previous, moved);
  const refit = time(() => void refitSlice(previous, moved), 101, 0);
  const coldSlice = time(() => void fitSurface([moved], { model: 'svi' }), 21, 0);
  const ssvi = time(fitAll('ssvi'), 5, 1);
  const essvi = time(fitAll('essvi'), 5, 1);
  const pool = await onTwoThreads(currencies, 21);
  return {
    file: path.basename(FILE),
    quotes,
    expiries,
    full_svi_single_thread: full,
    full_svi_two_threads: pool,
    full_target_ms: 30,
    refit_one_expiry: refit,
    refit_target_ms: 2,
    cold_fit_same_expiry: coldSlice,
    full_ssvi_single_thread: ssvi,
    full_essvi_single_thread: essvi,
  };
}
