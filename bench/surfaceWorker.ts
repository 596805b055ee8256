/** Worker side of bench/surface.ts: fits the raw SVI surface of the markets it receives and answers when done. */
import { parentPort } from 'node:worker_threads';
import { fitSurface } from '../src-main/core/surface/fit';
import type { ExpiryMarket } from '../src-main/core/surface/slices';

parentPort!.on('message', (markets: ExpiryMarket[]) => {
  const fit = fitSurface(markets, { model: 'svi' });
  parentPort!.postMessage(fit.slices.length);
});
