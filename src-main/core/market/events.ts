/**
 * Normalized market events: what every feed adapter (demo simulator, live Deribit, recordings, Tardis import)
 * produces, what the event log stores, and what `engine.apply` consumes. Units are in the field names and in the
 * types (core/units.ts): option prices in coin as Deribit quotes them (`Coin`), USD prices and USD amounts
 * (`Usd`), IVs as decimals (`Vol`), times in epoch ms (`EpochMs`). Producers create them with the checked
 * constructors (`usd`, `coin`, `vol`, `volFromPercent`, `epochMs`); readers use them as plain numbers. Sizes in
 * contracts, tick sizes and rates stay plain numbers.
 */
import type { Coin, EpochMs, InstrumentName, Usd, Vol } from '../units';

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
  strikeUsd: Usd | null;
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
  priceUsd: Usd;
}

/** An option ticker: prices in coin as Deribit quotes inverse options. */
export interface OptionTickerEvent extends EventStamp {
  type: 'option_ticker';
  instrument: InstrumentName;
  bidCoin: Coin | null;
  askCoin: Coin | null;
  /** Sizes in contracts (1 contract = 1 coin). */
  bidAmount: number;
  askAmount: number;
  markCoin: Coin;
  /** IVs as decimals (Deribit's ticker sends percent; parsers convert with `volFromPercent`). */
  markIv: Vol;
  bidIv: Vol | null;
  askIv: Vol | null;
  /** The expiry's forward (Deribit `underlying_price`), USD. */
  underlyingPriceUsd: Usd;
  /** What the forward refers to: `SYN.BTC-27DEC24` or a listed future name. */
  underlyingIndex: string;
  /** Null when the source has no index price (Tardis `options_chain`). */
  indexPriceUsd: Usd | null;
  /** Open interest in contracts. */
  openInterest: number;
  /**
   * Contracts traded over the last 24 hours (Deribit's ticker `stats.volume`); null when the source does not say
   * (Deribit sends null for an option that has not traded; Tardis `options_chain` files have no volume column;
   * event-log rows written before this field existed decode it as null).
   */
  volume24h: number | null;
}

/** A futures or perpetual ticker: prices in USD. */
export interface FutureTickerEvent extends EventStamp {
  type: 'future_ticker';
  instrument: InstrumentName;
  bidUsd: Usd | null;
  askUsd: Usd | null;
  /** Sizes in USD (Deribit futures amounts are USD). */
  bidAmountUsd: Usd;
  askAmountUsd: Usd;
  markUsd: Usd;
  indexPriceUsd: Usd | null;
  /** Open interest in USD. */
  openInterestUsd: Usd;
  /** Current funding rate (perpetual only), as a decimal per 8 hours. */
  funding8h: number | null;
}

export interface TradeEvent extends EventStamp {
  type: 'trade';
  instrument: InstrumentName;
  tradeId: string;
  /** Trade price in the instrument's unit (`priceUnit`): coin for inverse options, USD for futures. */
  price: Coin | Usd;
  priceUnit: 'coin' | 'usd';
  /** Contracts for options (coin), USD for futures. */
  amount: number;
  /** Taker side: the customer's direction when the trade is read as customer vs dealer. */
  takerSide: 'buy' | 'sell';
  /** Trade IV as a decimal (options only). */
  iv: Vol | null;
  /** Null when the source has no index price (Tardis `trades`). */
  indexPriceUsd: Usd | null;
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
  bids: [priceUsd: Usd, amount: number][];
  asks: [priceUsd: Usd, amount: number][];
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
