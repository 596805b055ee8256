import { describe, expect, it } from 'vitest';
import { aggregateExposures, allocateExposureAggregates, allocateOptionExposures, buildExposureLayout, computeOptionExposures } from '../../../../src-main/core/exposure/exposures';
import { FlowInventory, type FlowEvent } from '../../../../src-main/core/exposure/flowInventory';
import type { MarketEvent, OptionTickerEvent, TradeEvent } from '../../../../src-main/core/market/events';
import { DemoMarket } from '../../../../src-main/core/sim/demo';
import { coin, epochMs, instrumentName, usd, vol, type EpochMs } from '../../../../src-main/core/units';
import { chainOf } from './chains';

const T0 = epochMs(Date.UTC(2026, 0, 2, 9));
const CALL = 'BTC-27MAR26-100000-C';
const PUT = 'BTC-27MAR26-90000-P';
let tradeSeq = 0;

function trade(instrument: string, takerSide: 'buy' | 'sell', amount: number, extra: Partial<TradeEvent> = {}): TradeEvent {
  return {
    type: 'trade', tsEvent: T0, tsRecv: T0, instrument: instrumentName(instrument), tradeId: `T${++tradeSeq}`, price: coin(0.05), priceUnit: 'coin',
    amount, takerSide, iv: vol(0.5), indexPriceUsd: usd(100_000), blockTradeId: null, liquidation: false, ...extra,
  };
}

function ticker(instrument: string, openInterest: number): OptionTickerEvent {
  return {
    type: 'option_ticker', tsEvent: T0, tsRecv: T0, instrument: instrumentName(instrument), bidCoin: coin(0.049), askCoin: coin(0.051), bidAmount: 1,
    askAmount: 1, markCoin: coin(0.05), markIv: vol(0.5), bidIv: vol(0.49), askIv: vol(0.51), underlyingPriceUsd: usd(100_000),
    underlyingIndex: 'BTC-27MAR26', indexPriceUsd: usd(100_000), openInterest, volume24h: null,
  };
}

describe('FlowInventory: taker = customer, dealer takes the other side, reconciled with open interest', () => {
  it('follows a scripted tape (trades, a block trade, a combo leg) to hand-computed positions and confidence', () => {
    const flow = new FlowInventory();
    // Baseline: both instruments observed with no open interest; no trade yet -> warm-up.
    expect(flow.add(ticker(CALL, 0))).toBeNull();
    expect(flow.add(ticker(PUT, 0))).toBeNull();
    // A customer buys 10 calls: dealers -10. OI not re-observed yet: nothing explained, confidence 0 (no OI open).
    expect(flow.add(trade(CALL, 'buy', 10))?.confidence).toBe(0);
    expect(flow.position(CALL)).toBe(-10);
    // OI 0 -> 10 with 10 traded: 10 opened, explained 10 of 10.
    expect(flow.add(ticker(CALL, 10))?.confidence).toBe(1);
    // A customer sells 4 back: dealers -6; OI 10 -> 6: 4 closed, explained 10 x (1 - 4/10) = 6 of 6.
    flow.add(trade(CALL, 'sell', 4));
    flow.add(ticker(CALL, 6));
    expect(flow.position(CALL)).toBe(-6);
    // A block trade: a customer sells 25 puts (dealers +25), then a combo leg: a customer buys 5 puts (dealers -5).
    flow.add(trade(PUT, 'sell', 25, { blockTradeId: 'BLOCK-1' }));
    flow.add(trade(PUT, 'buy', 5, { tradeId: 'COMBO-LEG-1' }));
    // OI 0 -> 30 with 30 traded: all opened.
    const result = flow.add(ticker(PUT, 30))!;
    expect(flow.position(PUT)).toBe(20);
    expect(result).toMatchObject({
      confidence: 1, explainedOpenInterest: 36, openInterest: 36, dealerGrossPosition: 26, dealerNetPosition: 14, instruments: 2, trades: 4,
      duplicates: 0, capped: 0,
    });
  });

  it('caps |dealer position| at the open interest and counts partly explained OI', () => {
    const flow = new FlowInventory();
    flow.add(ticker(CALL, 5)); // baseline: 5 open before we watched, unexplained
    flow.add(trade(CALL, 'buy', 10)); // dealers -10
    // OI 5 -> 8 with 10 traded: opened (10 + 3)/2 = 6.5, closed 3.5; |-10| > 8 -> capped to -8.
    const result = flow.add(ticker(CALL, 8))!;
    expect(flow.position(CALL)).toBe(-8);
    expect(result.capped).toBe(1);
    expect(result.explainedOpenInterest).toBe(6.5); // 0 x (1 - 3.5/5) + 6.5
    expect(result.confidence).toBeCloseTo(6.5 / 8, 12);
  });

  it('shrinks the inventory for closures it did not see, leaves it for unseen openings', () => {
    const flow = new FlowInventory();
    flow.add(ticker(CALL, 0));
    flow.add(trade(CALL, 'buy', 100));
    flow.add(ticker(CALL, 100));
    // OI halves with no trade seen: half of every holder's position closed, dealers -100 -> -50; explained 50 of 50.
    let result = flow.add(ticker(CALL, 50))!;
    expect(flow.position(CALL)).toBe(-50);
    expect(result.confidence).toBe(1);
    // OI grows by 100 unseen: direction unknown, inventory unchanged, explained 50 of 150.
    result = flow.add(ticker(CALL, 150))!;
    expect(flow.position(CALL)).toBe(-50);
    expect(result.confidence).toBeCloseTo(1 / 3, 15);
  });

  it('de-duplicates re-delivered trades, ignores non-options, and warms up', () => {
    const flow = new FlowInventory({ warmUpTrades: 2 });
    flow.add(ticker(CALL, 0));
    const t = trade(CALL, 'buy', 3);
    expect(flow.add(t)).toBeNull(); // one trade < warmUpTrades
    expect(flow.add(t)).toBeNull(); // the same trade again: a duplicate, still one trade
    flow.add(trade('BTC-PERPETUAL', 'buy', 1000, { priceUnit: 'usd' }));
    flow.add(trade('BTC-STRD-27MAR26-100000', 'buy', 1));
    expect(flow.position(CALL)).toBe(-3);
    const result = flow.add(trade(CALL, 'sell', 1))!;
    expect(result).toMatchObject({ trades: 2, duplicates: 1, instruments: 1 });
    expect(flow.isStable).toBe(true);
  });

  it('replace() rewinds the last add: a corrected trade equals having added the correction only', () => {
    const a = new FlowInventory();
    const b = new FlowInventory();
    for (const f of [a, b]) f.add(ticker(CALL, 0));
    a.add(trade(CALL, 'buy', 10, { tradeId: 'X' }));
    a.replace(trade(CALL, 'buy', 7, { tradeId: 'X' }));
    b.add(trade(CALL, 'buy', 7, { tradeId: 'X' }));
    expect(a.getState()).toEqual(b.getState());
    a.add(ticker(CALL, 5));
    a.replace(ticker(CALL, 7));
    b.add(ticker(CALL, 7));
    expect(a.getState()).toEqual(b.getState());
    expect(a.getResult()).toEqual(b.getResult());
    // The replaced trade id is still known: a re-delivery is a duplicate.
    a.add(trade(CALL, 'buy', 7, { tradeId: 'X' }));
    expect(a.getState().duplicates).toBe(1);
  });

  it('forgets expired options', () => {
    const flow = new FlowInventory();
    flow.add(trade('BTC-3JAN26-90000-C', 'buy', 1));
    flow.add(trade(CALL, 'buy', 1));
    expect(flow.expire(Date.UTC(2026, 0, 3, 8))).toBe(1);
    expect(flow.getState().instruments.map((s) => s.instrument)).toEqual([CALL]);
  });

  it('rejects broken events with the offending value', () => {
    const flow = new FlowInventory();
    expect(() => flow.add(trade(CALL, 'buy', Number.NaN))).toThrow(/invalid amount NaN/);
    expect(() => flow.add(ticker(CALL, -1))).toThrow(/invalid open interest -1/);
  });
});

describe('convention (c): flow-inferred positions go through the same exposure code', () => {
  it('customers buying calls and selling puts leave dealers short call gamma and long put gamma', () => {
    const flow = new FlowInventory();
    for (const e of [ticker(CALL, 0), ticker(PUT, 0), trade(CALL, 'buy', 50), trade(PUT, 'sell', 30), ticker(CALL, 50), ticker(PUT, 30)]) flow.add(e);
    const chain = chainOf([
      { forward: 100_000, strike: 100_000, years: 0.23, vol: 0.5, call: true, openInterest: 50, expiry: 0 },
      { forward: 100_000, strike: 90_000, years: 0.23, vol: 0.55, call: false, openInterest: 30, expiry: 0 },
    ], 100_000);
    flow.writePositions([CALL, PUT], chain.dealerPosition);
    expect(Array.from(chain.dealerPosition)).toEqual([-50, 30]);
    const perOption = allocateOptionExposures(2);
    computeOptionExposures(chain, perOption);
    const aggregates = allocateExposureAggregates(buildExposureLayout(chain));
    aggregateExposures(chain, perOption, aggregates);
    expect(aggregates.total.callGammaUsdPer1Pct[0]).toBeLessThan(0);
    expect(aggregates.total.putGammaUsdPer1Pct[0]).toBeGreaterThan(0);
  });
});

describe('FlowInventory replay', () => {
  function demoEvents(): FlowEvent[] {
    const start = epochMs(Date.UTC(2026, 10, 21, 12));
    const market = new DemoMarket({ seed: 7, startMs: start, currencies: ['BTC'] });
    const events: MarketEvent[] = [...market.snapshot(start)];
    let now: number = start;
    for (let k = 0; k < 400; k++) {
      now += market.nextDelayMs();
      events.push(...market.step(now as EpochMs));
    }
    return events.filter((e): e is FlowEvent => e.type === 'trade' || e.type === 'option_ticker');
  }

  it('gives identical state for identical events, and keeps every reconciled position within its open interest', () => {
    const events = demoEvents();
    const first = new FlowInventory();
    const second = new FlowInventory();
    for (const e of events) first.add(e);
    for (const e of events) second.add(e);
    expect(JSON.stringify(first.getState())).toBe(JSON.stringify(second.getState()));
    const result = first.getResult()!;
    // The O(1) running totals agree with an exact recount.
    const exact = first.summarize();
    for (const key of ['confidence', 'explainedOpenInterest', 'openInterest', 'dealerGrossPosition', 'dealerNetPosition'] as const) {
      expect(Math.abs(result[key] - exact[key])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(exact[key])));
    }
    expect(result.instruments).toBe(exact.instruments);
    expect(result.trades).toBeGreaterThan(100);
    expect(result.confidence).toBeGreaterThan(0);
    expect(result.confidence).toBeLessThanOrEqual(1);
    // The demo publishes a ticker for every traded option after its trades, so every position is reconciled.
    for (const s of first.getState().instruments) {
      expect(s.volumeSinceObservation).toBe(0);
      expect(Math.abs(s.position)).toBeLessThanOrEqual(s.openInterest);
      expect(s.explained).toBeLessThanOrEqual(s.openInterest);
    }
  });
});
