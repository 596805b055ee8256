import { describe, expect, it } from 'vitest';
import { FUNDING_PERIOD_MS, HedgeAccount } from '../../../../src-main/core/backtest/hedgeAccount';

const HOUR = 3_600_000;

describe('HedgeAccount', () => {
  it('books the inverse perpetual P&L exactly: Σ s·a (1/p − 1/m) over the fills', () => {
    const account = new HedgeAccount();
    account.fill({ side: 'buy', amountUsd: 10_000, priceUsd: 50_000, feeE8: 10_000 }, 50_000, 50_000);
    account.fill({ side: 'buy', amountUsd: 5_000, priceUsd: 51_000, feeE8: 4_902 }, 51_000, 51_000);
    account.fill({ side: 'sell', amountUsd: 7_000, priceUsd: 52_000, feeE8: 6_731 }, 52_000, 52_000);
    expect(account.positionUsd).toBe(8_000);
    const mark = 49_000;
    const byHand = 10_000 * (1 / 50_000 - 1 / mark) + 5_000 * (1 / 51_000 - 1 / mark) - 7_000 * (1 / 52_000 - 1 / mark);
    expect(account.tradingPnlCoin(mark)).toBeCloseTo(byHand, 16);
    // Closing at the mark leaves no position and the same P&L, now independent of any later mark.
    account.fill({ side: 'sell', amountUsd: 8_000, priceUsd: mark, feeE8: 0 }, mark, mark);
    expect(account.positionUsd).toBe(0);
    expect(account.tradingPnlCoin(1)).toBeCloseTo(byHand, 15);
    expect(account.tradingPnlCoin(1e9)).toBeCloseTo(byHand, 15);
    expect(account.feesE8).toBe(10_000 + 4_902 + 6_731);
    expect(account.feesCoin).toBe(0.00021633);
    expect(account.turnoverUsd).toBe(30_000);
    expect(account.fills).toBe(4);
  });

  it('charges the spread against the mid, buying above it or selling below it alike', () => {
    const account = new HedgeAccount();
    account.fill({ side: 'buy', amountUsd: 1_000, priceUsd: 100.5, feeE8: 0 }, 100, 100);
    account.fill({ side: 'sell', amountUsd: 1_000, priceUsd: 99.5, feeE8: 0 }, 100, 100);
    const byHand = 1_000 * (1 / 100 - 1 / 100.5) + 1_000 * (1 / 99.5 - 1 / 100);
    expect(account.spreadCostCoin).toBeCloseTo(byHand, 15);
    // A round trip through the spread loses what the spread cost (no fees here), at any mark.
    expect(account.tradingPnlCoin(123)).toBeCloseTo(-byHand, 13);
    expect(account.spreadCostUsd).toBeCloseTo(byHand * 100, 12);
  });

  it('accrues funding at the rate in force: longs pay a positive rate, shorts receive it', () => {
    const long = new HedgeAccount();
    long.fundingRate(0, 0.0001, 50_000);
    long.fill({ side: 'buy', amountUsd: 50_000, priceUsd: 50_000, feeE8: 0 }, 50_000, 50_000);
    long.accrueFunding(FUNDING_PERIOD_MS); // one full period on 1 BTC of notional: 0.0001 BTC paid
    expect(long.funding()).toEqual({ coin: -0.0001, reason: null });
    long.fundingRate(FUNDING_PERIOD_MS + HOUR, -0.0008, 40_000); // an hour more at the old rate, then a new one
    long.accrueFunding(FUNDING_PERIOD_MS + 2 * HOUR);
    const byHand = -0.0001 - 0.0001 / 8 + (50_000 / 40_000) * 0.0008 / 8;
    expect(long.funding().coin).toBeCloseTo(byHand, 8);
    const short = new HedgeAccount();
    short.fundingRate(0, 0.0001, 50_000);
    short.fill({ side: 'sell', amountUsd: 50_000, priceUsd: 50_000, feeE8: 0 }, 50_000, 50_000);
    short.accrueFunding(FUNDING_PERIOD_MS);
    expect(short.funding().coin).toBe(0.0001);
  });

  it('says funding is unknown when the position was open without a recorded rate, and not when it was flat', () => {
    const account = new HedgeAccount();
    account.fundingRate(0, null, 50_000);
    account.accrueFunding(HOUR); // flat: nothing owed
    expect(account.funding()).toEqual({ coin: 0, reason: null });
    account.fill({ side: 'buy', amountUsd: 10, priceUsd: 50_000, feeE8: 0 }, 50_000, 50_000);
    account.accrueFunding(3 * HOUR);
    expect(account.funding()).toEqual({ coin: null, reason: 'the recorded perpetual ticker carried no funding rate for 2.00 h while the hedge was open' });
  });

  it('refuses a fill without a positive amount, price or mid', () => {
    expect(() => new HedgeAccount().fill({ side: 'buy', amountUsd: 0, priceUsd: 1, feeE8: 0 }, 1, 1)).toThrow(/positive amount/);
    expect(() => new HedgeAccount().fill({ side: 'buy', amountUsd: 10, priceUsd: NaN, feeE8: 0 }, 1, 1)).toThrow(/positive amount/);
  });
});
