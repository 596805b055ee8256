import { describe, expect, it } from 'vitest';
import { checkPosition, type CheckedPosition } from '../../../src-main/core/book/position';
import { PM_PARAMS } from '../../../src-main/core/risk/pmParams';
import { bookMarket } from '../../../src-main/engine/bookMarket';
import { MarketState } from '../../../src-main/engine/marketState';
import { marginLimitFor } from '../../../src-main/engine/riskInputs';
import { linearInstrument } from '../../helpers/hedgeMarket';
import { indexEvent, instrumentEvent, perpetualDef, perpetualTicker, sequence, T0 } from '../../helpers/market';

function shortPerpetualBook(): { market: MarketState; positions: CheckedPosition[] } {
  const market = new MarketState();
  for (const event of sequence([instrumentEvent(perpetualDef('BTC')), indexEvent('BTC', 100_000), perpetualTicker('BTC', 100_000)])) market.apply(event, event.seq);
  const checked = checkPosition({ instrument: 'BTC-PERPETUAL', quantity: -50_000, averagePrice: null, priceCurrency: 'USD' }, null);
  if (!checked.ok) throw new Error(checked.reason);
  return { market, positions: [checked.position] };
}

describe('the selection’s IM limit (engine/riskInputs.ts)', () => {
  it('uses the parameters it is given (Deribit’s live model_params), the documented table by default', () => {
    const { market, positions } = shortPerpetualBook();
    const instruments = [linearInstrument('BTC-PERPETUAL', 'perpetual', 100_000, [100_000])];
    const now = bookMarket(market, T0);
    const table = marginLimitFor('BTC', positions, now, instruments, 10);
    const explicitTable = marginLimitFor('BTC', positions, now, instruments, 10, PM_PARAMS.BTC);
    const wider = marginLimitFor('BTC', positions, now, instruments, 10, { ...PM_PARAMS.BTC, priceRange: 2 * PM_PARAMS.BTC.priceRange });
    if (!('book' in table) || !('book' in explicitTable) || !('book' in wider)) throw new Error('no margin');
    expect(table.book.margin.initialMargin).toBe(explicitTable.book.margin.initialMargin);
    // A short perpetual of 0.5 BTC: the worst vector is the +priceRange move, so the risk-matrix margin grows with it.
    expect(table.book.margin.initialMargin).toBeGreaterThan(0);
    expect(wider.book.margin.initialMargin).toBeGreaterThan(1.5 * table.book.margin.initialMargin);
  });
});
