/**
 * Normalized market events: what every feed adapter (demo simulator, live Deribit, recordings, Tardis import)
 * produces, what the event log stores, and what `engine.apply` consumes. Units are in the field names:
 * option prices in coin as Deribit quotes them, futures prices in USD, IVs as decimals, times in epoch ms.
 */
import type { EpochMs, InstrumentName } from '../units';

export type Currency = 'BTC' | 'ETH';
export const CURRENCIES: readonly Currency[] = ['BTC', 'ETH'];

export type InstrumentKind = 'option' | 'future' | 'perpetual';
export type OptionType = 'call' | 'put';

export interface InstrumentDef {
  name: InstrumentName;
  currency: Currency;
  kind: InstrumentKind;
  /** Inverse: premium and settlement in coin. Linear: in USDC. */
  settlement: 'inverse' | 'linear';
  /** Expiry (08:00 UTC on Deribit); null for perpetuals. */
  expiryMs: EpochMs | null;
  /** Strike in USD; null for futures and perpetuals. */
  strikeUsd: number | null;
  optionType: OptionType | null;
  /** Underlying units per contract (1 BTC / 1 ETH for inverse options; USD 10 or 1 for inverse futures). */
  contractSize: number;
  /** Minimum price increment, in the instrument's price unit (coin for inverse options, USD for futures). */
  tickSize: number;
  minTradeAmount: number;
  /**
   * Fees as a fraction, from `public/get_instruments`; null when the source does not say (Tardis files carry
   * no fees): never guessed.
   */
  makerCommission: number | null;
  takerCommission: number | null;
}

interface EventStamp {
  /** Exchange timestamp of the event. */
  tsEvent: EpochMs;
  /** When this process received it (equals tsEvent for simulated and replayed data). */
  tsRecv: EpochMs;
}

export interface InstrumentEvent extends EventStamp {
  type: 'instrument';
  instrument: InstrumentDef;
}

export interface IndexEvent extends EventStamp {
  type: 'index';
  currency: Currency;
  /** Deribit price index (btc_usd / eth_usd), USD. */
  priceUsd: number;
}

/** An option ticker: prices in coin as Deribit quotes inverse options. */
export interface OptionTickerEvent extends EventStamp {
  type: 'option_ticker';
  instrument: InstrumentName;
  bidCoin: number | null;
  askCoin: number | null;
  /** Sizes in contracts (1 contract = 1 coin). */
  bidAmount: number;
  askAmount: number;
  markCoin: number;
  /** IVs as decimals (Deribit's ticker sends percent; parsers convert). */
  markIv: number;
  bidIv: number | null;
  askIv: number | null;
  /** The expiry's forward (Deribit `underlying_price`), USD. */
  underlyingPriceUsd: number;
  /** What the forward refers to: `SYN.BTC-27DEC24` or a listed future name. */
  underlyingIndex: string;
  /** Null when the source has no index price (Tardis `options_chain`). */
  indexPriceUsd: number | null;
  /** Open interest in contracts. */
  openInterest: number;
}

/** A futures or perpetual ticker: prices in USD. */
export interface FutureTickerEvent extends EventStamp {
  type: 'future_ticker';
  instrument: InstrumentName;
  bidUsd: number | null;
  askUsd: number | null;
  /** Sizes in USD (Deribit futures amounts are USD). */
  bidAmountUsd: number;
  askAmountUsd: number;
  markUsd: number;
  indexPriceUsd: number | null;
  /** Open interest in USD. */
  openInterestUsd: number;
  /** Current funding rate (perpetual only), as a decimal per 8 hours. */
  funding8h: number | null;
}

export interface TradeEvent extends EventStamp {
  type: 'trade';
  instrument: InstrumentName;
  tradeId: string;
  /** Trade price in the instrument's unit: coin for inverse options, USD for futures. */
  price: number;
  priceUnit: 'coin' | 'usd';
  /** Contracts for options (coin), USD for futures. */
  amount: number;
  /** Taker side: the customer's direction when the trade is read as customer vs dealer. */
  takerSide: 'buy' | 'sell';
  /** Trade IV as a decimal (options only). */
  iv: number | null;
  /** Null when the source has no index price (Tardis `trades`). */
  indexPriceUsd: number | null;
  blockTradeId: string | null;
  liquidation: boolean;
}

/**
 * An order-book snapshot of a hedge instrument (perpetual, future): price levels best first, prices in USD,
 * amounts in the instrument's unit (USD for Deribit futures). `changeId` orders snapshots from one feed.
 */
export interface BookSnapshotEvent extends EventStamp {
  type: 'book_snapshot';
  instrument: InstrumentName;
  bids: [priceUsd: number, amount: number][];
  asks: [priceUsd: number, amount: number][];
  changeId: number | null;
}

/**
 * An instrument left the exchange's universe before its expiry (Deribit `instrument.state`: terminated, closed,
 * settled, ...; or no longer listed by `public/get_instruments`): its quotes, greeks and exposure go with it.
 */
export interface InstrumentRemovedEvent extends EventStamp {
  type: 'instrument_removed';
  instrument: InstrumentName;
  /** Why, as the source said it: Deribit's state (`terminated`, ...), `unlisted` or `expired`. */
  reason: string;
}

export type MarketEvent =
  | BookSnapshotEvent
  | InstrumentEvent
  | InstrumentRemovedEvent
  | IndexEvent
  | OptionTickerEvent
  | FutureTickerEvent
  | TradeEvent;

export type MarketEventType = MarketEvent['type'];

/** An event as the event log stores it: numbered in arrival order within its session. */
export type SequencedEvent = MarketEvent & { seq: number };
