import type { Migration } from './types';

/**
 * The book grows from options to futures and perpetuals with an average entry price and its currency (the coin
 * for options, USD for futures and perpetuals). Rows entered before keep their amount; their price is unknown
 * (NULL) and their currency is the option's coin, which is the only one an option row could have had.
 */
export const migration007: Migration = {
  version: 7,
  name: 'book',
  up: `
    ALTER TABLE positions ADD COLUMN average_price REAL CHECK (average_price IS NULL OR average_price >= 0);
    ALTER TABLE positions ADD COLUMN price_currency TEXT NOT NULL DEFAULT '' CHECK (price_currency IN ('', 'BTC', 'ETH', 'USD'));
    UPDATE positions SET price_currency = substr(instrument, 1, instr(instrument, '-') - 1) WHERE price_currency = '';
  `,
};
