/** The event rules every edge and the engine share (core/market/validate.ts). */
import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../../../src-main/core/market/events';
import { capReason, MAX_ECHOED_CHARS, MAX_EVENT_MS, quoteInput, validateMarketEvent } from '../../../../src-main/core/market/validate';
import { EXPIRY_A, indexEvent, instrumentEvent, optionDef, optionName, optionTicker, perpetualDef } from '../../../helpers/market';

const name = optionName('BTC', EXPIRY_A, 100_000, 'call');
const ticker = optionTicker(name, { forward: 95_000, iv: 0.55 });

describe('validateMarketEvent', () => {
  it('accepts the hand-made universe', () => {
    for (const event of [instrumentEvent(optionDef('BTC', EXPIRY_A, 100_000, 'call')), instrumentEvent(perpetualDef('ETH')), indexEvent('BTC', 95_000), ticker]) {
      expect(validateMarketEvent(event as MarketEvent)).toBeNull();
    }
    // Valid, if odd: a zero bid, a zero mark price, a 500 % IV.
    expect(validateMarketEvent({ ...ticker, bidCoin: 0, markCoin: 0, askIv: 5 } as MarketEvent)).toBeNull();
  });

  it('refuses what would throw in the engine or poison a session, naming the field and the value', () => {
    const bad: [Partial<typeof ticker>, string][] = [
      [{ openInterest: -5 }, `${name}: open interest -5 is not >= 0`],
      [{ markIv: 0 as never }, `${name}: mark IV 0 is not > 0`],
      [{ markIv: NaN as never }, `${name}: mark IV NaN is not > 0`],
      [{ underlyingPriceUsd: 0 as never }, `${name}: underlying price 0 is not > 0`],
      [{ bidAmount: -1 }, `${name}: bid amount -1 is not >= 0`],
      [{ tsEvent: 1e20 as never }, 'timestamp 100000000000000000000 is not an epoch-ms time between 1970 and 275760'],
      [{ tsRecv: 1.5 as never }, 'receive time 1.5 is not an epoch-ms time between 1970 and 275760'],
      [{ tsEvent: (MAX_EVENT_MS + 1) as never }, `timestamp ${MAX_EVENT_MS + 1} is not an epoch-ms time between 1970 and 275760`],
    ];
    for (const [change, reason] of bad) expect(validateMarketEvent({ ...ticker, ...change } as MarketEvent)).toBe(reason);
    expect(validateMarketEvent({ ...indexEvent('BTC', 95_000), priceUsd: -1 } as MarketEvent)).toBe('BTC index -1 is not > 0');
    const trade = { type: 'trade', tsEvent: ticker.tsEvent, tsRecv: ticker.tsRecv, instrument: name, tradeId: '1', price: 0.05, priceUnit: 'coin', amount: 0, takerSide: 'buy', iv: null, indexPriceUsd: null, blockTradeId: null, liquidation: false };
    expect(validateMarketEvent(trade as MarketEvent)).toBe(`${name}: trade amount 0 is not > 0`);
    const book = { type: 'book_snapshot', tsEvent: ticker.tsEvent, tsRecv: ticker.tsRecv, instrument: 'BTC-PERPETUAL', bids: [[95_000, 10]], asks: [[Infinity, 1]], changeId: null };
    expect(validateMarketEvent(book as MarketEvent)).toBe('BTC-PERPETUAL asks[0] price Infinity is not > 0');
    expect(validateMarketEvent({ ...instrumentEvent(optionDef('BTC', EXPIRY_A, 100_000, 'call')), instrument: { ...optionDef('BTC', EXPIRY_A, 100_000, 'call'), strikeUsd: null } } as MarketEvent)).toMatch(
      /strike null is not > 0/,
    );
  });

  it('echoes at most MAX_ECHOED_CHARS of an input value, and caps a whole reason', () => {
    const huge = 'x'.repeat(1_000_000);
    expect(quoteInput(huge)).toBe(`"${'x'.repeat(MAX_ECHOED_CHARS)}"… (1000000 characters)`);
    expect(quoteInput('abc')).toBe('"abc"');
    expect(capReason(huge).length).toBeLessThan(700);
  });
});
