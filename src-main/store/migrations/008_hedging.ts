import type { Migration } from './types';

/**
 * The hedging desk's durable record: recommendations and their lifecycle, the orders the desk sent (one per leg,
 * label `<recommendationId>:<leg>`), the fills it was told about, the hash-chained audit log, and the paper
 * ledger (the paper venue's own book of orders and fills, kept apart from the desk's record so that the desk can
 * reconcile against it exactly as it reconciles against Deribit).
 */
/** The columns a fill has in both ledgers (the desk's and the paper venue's); fee in 1e-8 of fee_currency. */
const FILL_COLUMNS = `order_id TEXT NOT NULL, instrument TEXT NOT NULL, side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
      amount REAL NOT NULL, price REAL NOT NULL, fee_e8 INTEGER NOT NULL, fee_currency TEXT NOT NULL,`;

export const migration008: Migration = {
  version: 8,
  name: 'hedging',
  up: `
    CREATE TABLE recommendations (
      id TEXT PRIMARY KEY,
      created_ms INTEGER NOT NULL,
      market_seq INTEGER NOT NULL,
      book_version INTEGER NOT NULL,
      policy TEXT NOT NULL,
      params TEXT NOT NULL,
      inputs_hash TEXT NOT NULL,
      proposal TEXT NOT NULL,
      -- the legs as approved when the trader changed quantities (state modified-approved), else NULL
      approved_proposal TEXT,
      rationale TEXT NOT NULL,
      expires_ms INTEGER NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('proposed', 'approved', 'modified-approved', 'rejected', 'expired',
        'submitted', 'filled', 'partially-filled', 'failed')),
      state_ms INTEGER NOT NULL,
      reason TEXT
    ) STRICT;
    CREATE INDEX recommendations_state ON recommendations (state, expires_ms);

    CREATE TABLE orders (
      label TEXT PRIMARY KEY,
      recommendation_id TEXT NOT NULL REFERENCES recommendations (id),
      leg INTEGER NOT NULL,
      venue TEXT NOT NULL,
      request TEXT NOT NULL,
      -- the venue's latest OrderState as JSON; NULL until the venue answered
      state TEXT,
      updated_ms INTEGER NOT NULL,
      UNIQUE (recommendation_id, leg)
    ) STRICT;

    CREATE TABLE fills (
      venue TEXT NOT NULL,
      trade_id TEXT NOT NULL,
      label TEXT NOT NULL REFERENCES orders (label),
      ${FILL_COLUMNS}
      ts_ms INTEGER NOT NULL,
      PRIMARY KEY (venue, trade_id)
    ) STRICT;
    CREATE INDEX fills_label ON fills (label);

    CREATE TABLE audit_log (
      seq INTEGER PRIMARY KEY,
      ts_ms INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      subject TEXT NOT NULL,
      payload TEXT NOT NULL,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    ) STRICT;

    CREATE TABLE paper_orders (
      label TEXT PRIMARY KEY,
      order_id TEXT NOT NULL UNIQUE,
      request TEXT NOT NULL,
      state TEXT NOT NULL,
      created_ms INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE paper_fills (
      trade_id TEXT PRIMARY KEY,
      label TEXT NOT NULL REFERENCES paper_orders (label),
      ${FILL_COLUMNS}
      liquidity TEXT NOT NULL CHECK (liquidity IN ('maker', 'taker')),
      ts_ms INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX paper_fills_label ON paper_fills (label);
  `,
};
