import type { Migration } from './types';

/**
 * The instrument universe as last seen from any feed (Deribit `public/get_instruments`, the demo market,
 * imports). Fees live here because they come from the venue per instrument, never from constants.
 */
export const migration002: Migration = {
  version: 2,
  name: 'instruments',
  up: `
    CREATE TABLE instruments (
      name TEXT PRIMARY KEY,
      currency TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('option', 'future', 'perpetual')),
      settlement TEXT NOT NULL CHECK (settlement IN ('inverse', 'linear')),
      expiry_ms INTEGER,
      strike_usd REAL,
      option_type TEXT CHECK (option_type IN ('call', 'put')),
      contract_size REAL NOT NULL,
      tick_size REAL NOT NULL,
      min_trade_amount REAL NOT NULL,
      maker_commission REAL,
      taker_commission REAL,
      source TEXT NOT NULL,
      updated_ms INTEGER NOT NULL
    ) STRICT;

    CREATE INDEX instruments_by_expiry ON instruments (currency, expiry_ms);
  `,
};
