/**
 * Where approved hedges are executed: the paper ledger (default) or Deribit (testnet by default, mainnet only
 * after an explicit confirmation). Both implement {@link ExecutionVenue}; the hedging desk talks to nothing else.
 *
 * Idempotence is the venue's first duty. Every order carries a `label` derived from the recommendation id
 * (`<recommendationId>:<leg>`, at most 64 characters: Deribit's label limit); before anything is sent after a
 * restart, the desk asks {@link ExecutionVenue.ordersByLabel} for each approved-but-not-final recommendation and
 * only submits legs the venue has never seen. A venue must therefore find its orders by label, including orders
 * sent just before a crash.
 *
 * Amounts follow Deribit: options in contracts of the underlying coin (1 = 1 BTC), inverse futures and
 * perpetuals in USD (multiples of the contract size, 10 USD for BTC and 1 USD for ETH), linear (USDC) instruments
 * in coin. Prices are in the instrument's quote currency: coin for inverse options, USD for inverse futures and
 * perpetuals, USDC for linear instruments.
 */
import type { EpochMs, InstrumentName } from '../units';

export type VenueKind = 'paper' | 'deribit-testnet' | 'deribit';
export type Side = 'buy' | 'sell';

/** Deribit label limit (characters). */
export const MAX_LABEL_LENGTH = 64;

export interface OrderRequest {
  /** `<recommendationId>:<leg>`; unique per order the desk ever sends. */
  label: string;
  instrument: InstrumentName;
  side: Side;
  /** Positive; units as in the module comment. */
  amount: number;
  type: 'limit' | 'market';
  /** Required for limit orders, in the instrument's quote currency. */
  price?: number;
  /** Limit orders only: rejected instead of taking liquidity. */
  postOnly?: boolean;
  reduceOnly?: boolean;
}

/** Deribit's order states, and `rejected` for an order the venue refused (with `reason`). */
export type OrderStatus = 'open' | 'filled' | 'cancelled' | 'rejected' | 'untriggered';

export interface OrderState {
  label: string;
  /** The venue's order id (`paper-…` for the paper ledger). */
  orderId: string;
  instrument: InstrumentName;
  side: Side;
  amount: number;
  filledAmount: number;
  /** Average fill price in the quote currency, null before the first fill. */
  averagePrice: number | null;
  status: OrderStatus;
  /** Fees paid so far, in the fee currency (the coin for inverse instruments, USDC for linear ones). */
  fee: number;
  feeCurrency: string;
  /** Why the venue rejected or cancelled it (Deribit error code and message, e.g. `10009 not_enough_funds`). */
  reason?: string;
  updatedMs: EpochMs;
}

export interface Fill {
  label: string;
  orderId: string;
  tradeId: string;
  instrument: InstrumentName;
  side: Side;
  amount: number;
  price: number;
  fee: number;
  feeCurrency: string;
  timestampMs: EpochMs;
}

/** A venue failure the desk shows as it is: `code` is Deribit's error code where there is one. */
export class VenueError extends Error {
  override readonly name = 'VenueError';
  constructor(
    message: string,
    readonly code: number | null,
    /** True when retrying later may succeed (rate limit, disconnect); false for a refusal (funds, bad amount). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface ExecutionVenue {
  readonly kind: VenueKind;
  /**
   * Sends one order. Resolves with the venue's state right after acceptance (possibly already filled), or rejects
   * with a VenueError. Sending a label the venue already knows resolves with that order's state and sends nothing.
   */
  submit(order: OrderRequest): Promise<OrderState>;
  /** Cancels an open order by label; resolves with its final state (a no-op for final orders). */
  cancel(label: string): Promise<OrderState | null>;
  /** Every order the venue knows under this label (open or final); empty when it never saw it. */
  ordersByLabel(label: string): Promise<OrderState[]>;
  /** Order state changes and fills as they happen; returns the unsubscribe function. */
  onUpdate(listener: (update: { order: OrderState; fills: readonly Fill[] }) => void): () => void;
  close(): Promise<void>;
}
