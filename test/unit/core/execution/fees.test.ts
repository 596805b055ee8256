import { describe, expect, it } from 'vitest';
import { DERIBIT_FEE_SCHEDULE, roundE8, tradeFee, type FeeInstrument } from '../../../../src-main/core/execution/fees';
import type { InstrumentName } from '../../../../src-main/core/units';

// Rates as Deribit's public/get_instruments gives them for these instruments (the same figures as the fee page
// summarized in ../shared/reference/deribit_margin.md section 6): options 0.0003 maker and taker, inverse
// perpetual 0 maker / 0.0005 taker.
const option: FeeInstrument = { name: 'BTC-25DEC26-100000-C' as InstrumentName, currency: 'BTC', kind: 'option', settlement: 'inverse', contractSize: 1, makerCommission: 0.0003, takerCommission: 0.0003 };
const perpetual: FeeInstrument = { name: 'BTC-PERPETUAL' as InstrumentName, currency: 'BTC', kind: 'perpetual', settlement: 'inverse', contractSize: 10, makerCommission: 0, takerCommission: 0.0005 };
const linearPerp: FeeInstrument = { name: 'ETH_USDC-PERPETUAL' as InstrumentName, currency: 'ETH', kind: 'perpetual', settlement: 'linear', contractSize: 1, makerCommission: 0, takerCommission: 0.0005 };
const linearOption: FeeInstrument = { name: 'BTC_USDC-25DEC26-100000-C' as InstrumentName, currency: 'BTC', kind: 'option', settlement: 'linear', contractSize: 1, makerCommission: 0.0001, takerCommission: 0.0005 };

describe('tradeFee (Deribit fee schedule)', () => {
  it('inverse option: 0.0003 coin per contract when under the cap', () => {
    // 1.5 contracts x 0.0003 = 0.00045 BTC; the cap 12.5 % x 0.05 x 1.5 = 0.009375 BTC does not bind.
    expect(tradeFee(option, 'taker', 1.5, 0.05)).toEqual({ fee: 0.00045, feeE8: 45_000, currency: 'BTC', rate: 0.0003, rateSource: 'instrument', capped: false });
  });

  it('inverse option: capped at 12.5 % of the price — Deribit’s own example, a 0.0001 BTC option pays 0.0000125 BTC', () => {
    // Example from Deribit's fee page (../shared/reference/deribit_margin.md section 6).
    expect(tradeFee(option, 'taker', 1, 0.0001)).toMatchObject({ fee: 0.0000125, feeE8: 1250, capped: true });
    // The cap and the per-contract fee meet at price 0.0003 / 0.125 = 0.0024 BTC.
    expect(tradeFee(option, 'maker', 2, 0.0024)).toMatchObject({ fee: 0.0006, capped: false });
    expect(tradeFee(option, 'maker', 2, 0.0023)).toMatchObject({ fee: 0.000575, capped: true });
  });

  it('inverse perpetual: taker 0.05 % of the coin notional (USD amount / price), maker 0', () => {
    // 10,000 USD at 50,000 USD/BTC = 0.2 BTC notional; 0.05 % of it = 0.0001 BTC.
    expect(tradeFee(perpetual, 'taker', 10_000, 50_000)).toMatchObject({ fee: 0.0001, feeE8: 10_000, currency: 'BTC' });
    // 20,000 USD at 50,010: 0.0005 x 20000 / 50010 = 0.000199960008 BTC -> 19,996 units of 1e-8 (rounded).
    expect(tradeFee(perpetual, 'taker', 20_000, 50_010)).toMatchObject({ feeE8: 19_996, fee: 0.00019996 });
    expect(tradeFee(perpetual, 'maker', 10_000, 50_000)).toMatchObject({ fee: 0, feeE8: 0 });
  });

  it('linear (USDC) instruments: fee in USDC; linear options need the index and are capped like inverse ones', () => {
    // 2 ETH at 3,000 USDC: 0.05 % of 6,000 = 3 USDC.
    expect(tradeFee(linearPerp, 'taker', 2, 3000)).toMatchObject({ fee: 3, currency: 'USDC' });
    // 0.0005 x index 60,000 x 1 = 30 USDC, capped at 12.5 % of a 100 USDC option = 12.5 USDC.
    expect(tradeFee(linearOption, 'taker', 1, 100, 60_000)).toMatchObject({ fee: 12.5, capped: true, currency: 'USDC' });
    // 0.0001 x 60,000 x 0.5 = 3 USDC, under the cap of 0.125 x 1000 x 0.5 = 62.5.
    expect(tradeFee(linearOption, 'maker', 0.5, 1000, 60_000)).toMatchObject({ fee: 3, capped: false });
    expect(tradeFee(linearOption, 'taker', 1, 100, null)).toEqual({ fee: null, reason: 'BTC_USDC-25DEC26-100000-C: a linear option\'s fee needs the index price, which is not known' });
  });

  it('falls back to the schedule only when the instrument data has no commission, and says so', () => {
    const tardisOption = { ...option, makerCommission: null, takerCommission: null };
    expect(tradeFee(tardisOption, 'taker', 1, 0.05)).toMatchObject({ fee: 0.0003, rate: DERIBIT_FEE_SCHEDULE.inverse.option.taker, rateSource: 'schedule' });
    // The instrument's own rate wins over the schedule (e.g. a changed tier).
    expect(tradeFee({ ...perpetual, takerCommission: 0.0004 }, 'taker', 10_000, 50_000)).toMatchObject({ fee: 0.00008, rateSource: 'instrument' });
  });

  it('refuses amounts and prices that are not positive numbers', () => {
    expect(tradeFee(option, 'taker', 0, 0.05)).toEqual({ fee: null, reason: 'amount must be a positive number, got 0' });
    expect(tradeFee(option, 'taker', 1, Number.NaN)).toEqual({ fee: null, reason: 'price must be a positive number, got NaN' });
  });

  it('rounds to 1e-8 half away from zero without binary noise', () => {
    expect(roundE8(0.0003 * 1.5)).toBe(45_000);
    expect(roundE8(0.000000005)).toBe(1);
    expect(roundE8(-0.000000005)).toBe(-1);
    expect(roundE8(0.0000000049)).toBe(0);
  });
});
