/**
 * The positions table: the trader's book (options in contracts, futures and perpetuals in USD notional, + long),
 * with the average entry price and its currency when known (migration 007).
 */
import type { BookPosition, PriceCurrency } from '../core/book/position';
import type { Db } from './database';

export interface PositionRow extends BookPosition {
  /** The quantity (`amount` in the API: contracts for options, USD notional for futures). */
  amount: number;
  updatedMs: number;
}

interface Raw {
  instrument: string;
  amount: number;
  average_price: number | null;
  price_currency: string;
  updated_ms: number;
}

const toRow = (r: Raw): PositionRow => ({
  instrument: r.instrument,
  amount: r.amount,
  quantity: r.amount,
  averagePrice: r.average_price,
  priceCurrency: r.price_currency as PriceCurrency,
  updatedMs: r.updated_ms,
});

export class PositionRepository {
  constructor(private readonly db: Db) {}

  list(): PositionRow[] {
    return this.db.prepare<[], Raw>('SELECT instrument, amount, average_price, price_currency, updated_ms FROM positions ORDER BY instrument').all().map(toRow);
  }

  /** Replaces the whole book in one transaction (zero quantities are dropped). */
  replaceAll(positions: readonly BookPosition[], nowMs: number): PositionRow[] {
    const insert = this.db.prepare('INSERT INTO positions (instrument, amount, average_price, price_currency, updated_ms) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM positions').run();
      for (const p of positions) if (p.quantity !== 0) insert.run(p.instrument, p.quantity, p.averagePrice, p.priceCurrency, nowMs);
    })();
    return this.list();
  }
}
