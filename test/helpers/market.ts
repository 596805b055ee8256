/** Hand-made market events for tests: a small, fully known option universe. */
import type {
  Currency,
  FutureTickerEvent,
  IndexEvent,
  InstrumentDef,
  InstrumentEvent,
  OptionTickerEvent,
  SequencedEvent,
  MarketEvent,
} from '../../src-main/core/market/events';
import { formatExpiryCode } from '../../src-main/core/market/expiryCode';
import type { Coin, EpochMs, InstrumentName, Usd, Vol } from '../../src-main/core/units';

export const T0 = Date.UTC(2026, 10, 20, 12, 0, 0); // 20 Nov 2026 12:00 UTC
export const EXPIRY_A = Date.UTC(2026, 11, 25, 8); // 25DEC26
export const EXPIRY_B = Date.UTC(2027, 2, 26, 8); // 26MAR27
export const EXPIRY_SOON = Date.UTC(2026, 10, 21, 8); // 21NOV26

export function optionName(currency: Currency, expiryMs: number, strike: number, type: 'call' | 'put'): InstrumentName {
  return `${currency}-${formatExpiryCode(expiryMs)}-${strike}-${type === 'call' ? 'C' : 'P'}` as InstrumentName;
}

export function optionDef(currency: Currency, expiryMs: number, strike: number, type: 'call' | 'put'): InstrumentDef {
  return {
    name: optionName(currency, expiryMs, strike, type),
    currency,
    kind: 'option',
    settlement: 'inverse',
    expiryMs: expiryMs as EpochMs,
    strikeUsd: strike as Usd,
    optionType: type,
    contractSize: 1,
    tickSize: 0.0001,
    minTradeAmount: 0.1,
    makerCommission: 0.0003,
    takerCommission: 0.0003,
  };
}

export function perpetualDef(currency: Currency): InstrumentDef {
  return {
    name: `${currency}-PERPETUAL` as InstrumentName,
    currency,
    kind: 'perpetual',
    settlement: 'inverse',
    expiryMs: null,
    strikeUsd: null,
    optionType: null,
    contractSize: 10,
    tickSize: 0.5,
    minTradeAmount: 10,
    makerCommission: 0,
    takerCommission: 0.0005,
  };
}

export function instrumentEvent(def: InstrumentDef, ts: number = T0): InstrumentEvent {
  return { type: 'instrument', tsEvent: ts as EpochMs, tsRecv: ts as EpochMs, instrument: def };
}

export function indexEvent(currency: Currency, priceUsd: number, ts: number = T0): IndexEvent {
  return { type: 'index', currency, priceUsd: priceUsd as Usd, tsEvent: ts as EpochMs, tsRecv: ts as EpochMs };
}

export interface TickerSpec {
  forward: number;
  iv: number;
  markCoin?: number;
  ts?: number;
  openInterest?: number;
  volume24h?: number | null;
  underlyingIndex?: string;
}

export function optionTicker(name: string, spec: TickerSpec): OptionTickerEvent {
  const ts = (spec.ts ?? T0) as EpochMs;
  const mark = spec.markCoin ?? 0.05;
  return {
    type: 'option_ticker',
    instrument: name as InstrumentName,
    tsEvent: ts,
    tsRecv: ts,
    bidCoin: Math.max(0.0001, mark - 0.0005) as Coin,
    askCoin: (mark + 0.0005) as Coin,
    bidAmount: 10,
    askAmount: 12,
    markCoin: mark as Coin,
    markIv: spec.iv as Vol,
    bidIv: (spec.iv - 0.01) as Vol,
    askIv: (spec.iv + 0.01) as Vol,
    underlyingPriceUsd: spec.forward as Usd,
    underlyingIndex: spec.underlyingIndex ?? 'SYN.BTC-25DEC26',
    indexPriceUsd: Math.max(spec.forward - 300, spec.forward / 2) as Usd, // > 0 (the event rules) for any forward
    openInterest: spec.openInterest ?? 100,
    volume24h: spec.volume24h ?? null,
  };
}

/** Numbers events from `start` on, as a recorder or the app would. */
export function sequence(events: readonly MarketEvent[], start = 1): SequencedEvent[] {
  return events.map((event, i) => ({ ...event, seq: start + i }) as SequencedEvent);
}

export const STRIKES = [80_000, 90_000, 100_000, 110_000, 120_000] as const;

/** A smile: higher IV away from the money. */
export function smileIv(strike: number, forward: number): number {
  const m = Math.log(strike / forward);
  return 0.5 + 0.8 * m * m - 0.1 * m;
}

/** Instrument events for a call and a put at each strike of the expiry. */
export function chainInstruments(currency: Currency, expiryMs: number, strikes: readonly number[] = STRIKES): InstrumentEvent[] {
  const out: InstrumentEvent[] = [];
  for (const strike of strikes) {
    out.push(instrumentEvent(optionDef(currency, expiryMs, strike, 'put')));
    out.push(instrumentEvent(optionDef(currency, expiryMs, strike, 'call')));
  }
  return out;
}

export function chainTickers(
  currency: Currency,
  expiryMs: number,
  forward: number,
  ts: number = T0,
  strikes: readonly number[] = STRIKES,
): OptionTickerEvent[] {
  const out: OptionTickerEvent[] = [];
  for (const strike of strikes) {
    for (const type of ['call', 'put'] as const) {
      out.push(optionTicker(optionName(currency, expiryMs, strike, type), { forward, iv: smileIv(strike, forward), ts }));
    }
  }
  return out;
}

/** A perpetual's ticker at `markUsd` (bid/ask left out; the index equal to the mark). */
export function perpetualTicker(currency: Currency, markUsd: number, ts: number = T0): FutureTickerEvent {
  return {
    type: 'future_ticker', instrument: `${currency}-PERPETUAL` as InstrumentName, tsEvent: ts as EpochMs, tsRecv: ts as EpochMs,
    bidUsd: null, askUsd: null, bidAmountUsd: 0 as Usd, askAmountUsd: 0 as Usd, markUsd: markUsd as Usd, indexPriceUsd: markUsd as Usd, openInterestUsd: 0 as Usd, funding8h: 0,
  };
}
