/**
 * A paper market whose books a test sets by hand: Deribit's instrument data for one BTC option and the BTC
 * perpetual (test/helpers/market.ts: options 0.0003 maker and taker, min 0.1 contract; perpetual 0 / 0.0005,
 * 10 USD contracts) and the levels given. Used in-process and by the executor's child process.
 */
import type { InstrumentDef } from '../../src-main/core/market/events';
import type { InstrumentName } from '../../src-main/core/units';
import type { OrderBook, PaperMarket } from '../../src-main/app/execution/paperVenue';
import { EXPIRY_A, T0, optionDef, perpetualDef } from './market';

export const OPTION = optionDef('BTC', EXPIRY_A, 100_000, 'call');
export const PERP = perpetualDef('BTC');

export class FixedMarket implements PaperMarket {
  readonly books = new Map<string, OrderBook>();
  private readonly defs = new Map<string, InstrumentDef>([
    [OPTION.name, OPTION],
    [PERP.name, PERP],
  ]);

  book(instrument: InstrumentName): OrderBook | null {
    return this.books.get(instrument) ?? null;
  }

  instrument(instrument: InstrumentName): InstrumentDef | null {
    return this.defs.get(instrument) ?? null;
  }
}

/** Deep books on both instruments: every hedge in the executor tests fills completely. */
export function deepMarket(): FixedMarket {
  const market = new FixedMarket();
  market.books.set(PERP.name, { bids: [[49_990, 1_000_000]], asks: [[50_000, 20_000], [50_010, 1_000_000]], tsMs: T0 });
  market.books.set(OPTION.name, { bids: [[0.049, 50]], asks: [[0.05, 1], [0.0505, 50]], tsMs: T0 });
  return market;
}
