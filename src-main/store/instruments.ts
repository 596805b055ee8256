/** The instruments table: the universe as last seen from a feed, fees included. */
import type { InstrumentDef } from '../core/market/events';
import type { Db } from './database';

export class InstrumentRepository {
  private readonly upsert;

  constructor(private readonly db: Db) {
    this.upsert = db.prepare(
      `INSERT INTO instruments (name, currency, kind, settlement, expiry_ms, strike_usd, option_type, contract_size,
         tick_size, min_trade_amount, maker_commission, taker_commission, source, updated_ms)
       VALUES (@name, @currency, @kind, @settlement, @expiryMs, @strikeUsd, @optionType, @contractSize,
         @tickSize, @minTradeAmount, @makerCommission, @takerCommission, @source, @updatedMs)
       ON CONFLICT (name) DO UPDATE SET currency = excluded.currency, kind = excluded.kind,
         settlement = excluded.settlement, expiry_ms = excluded.expiry_ms, strike_usd = excluded.strike_usd,
         option_type = excluded.option_type, contract_size = excluded.contract_size, tick_size = excluded.tick_size,
         min_trade_amount = excluded.min_trade_amount, maker_commission = excluded.maker_commission,
         taker_commission = excluded.taker_commission, source = excluded.source, updated_ms = excluded.updated_ms`,
    );
  }

  upsertMany(defs: readonly InstrumentDef[], source: string, nowMs: number): void {
    if (defs.length === 0) return;
    this.db.transaction(() => {
      for (const def of defs) this.upsert.run({ ...def, source, updatedMs: nowMs });
    })();
  }

  /** What a book line is checked against: the instrument's lot size and expiry, as last listed by a feed. */
  find(name: string): Pick<InstrumentDef, 'name' | 'minTradeAmount' | 'tickSize' | 'expiryMs' | 'kind' | 'contractSize'> | null {
    const row = this.db
      .prepare<[string], { name: string; min_trade_amount: number; tick_size: number; expiry_ms: number | null; kind: InstrumentDef['kind']; contract_size: number }>(
        'SELECT name, min_trade_amount, tick_size, expiry_ms, kind, contract_size FROM instruments WHERE name = ?',
      )
      .get(name);
    return row
      ? {
          name: row.name as InstrumentDef['name'],
          minTradeAmount: row.min_trade_amount,
          tickSize: row.tick_size,
          expiryMs: row.expiry_ms as InstrumentDef['expiryMs'],
          kind: row.kind,
          contractSize: row.contract_size,
        }
      : null;
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM instruments').get() as { n: number }).n;
  }
}
