import { describe, expect, it } from 'vitest';
import { type OptionChainQuote, analyzeChain, analyzeQuote, updateLatestQuote } from '../../../../src-main/core/pricing/analyze';
import { black76Greeks, toDeribitDisplay } from '../../../../src-main/core/pricing/black76';
import { vol } from '../../../../src-main/core/units';

// The Tardis documentation sample row (../shared/data/tardis_docs_options_chain_sample_row.csv), as the CSV
// parser returns it: Deribit BTC-9JUN20-9875-P, 2020-06-07 23:59:59.413 UTC, IVs converted to decimals.
const SAMPLE: OptionChainQuote = {
  symbol: 'BTC-9JUN20-9875-P',
  timestampMs: 1591574399413,
  optionType: 'put',
  strike: 9875,
  expirationMs: Date.UTC(2020, 5, 9, 8),
  bidPrice: 0.0205,
  askPrice: 0.0235,
  markPrice: 0.02210436,
  bidIv: vol(0.5591),
  askIv: vol(0.6894),
  markIv: vol(0.6289),
  underlyingPrice: 9756.36,
  underlyingIndex: 'SYN.BTC-9JUN20',
  openInterest: 0.1,
  delta: -0.61752,
  gamma: 0.00103,
  vega: 2.24964,
  theta: -53.05655,
  rho: -0.22796,
};

describe('analyzeQuote', () => {
  it('reproduces Deribit\'s mark IV, bid/ask IVs and greeks from the documented sample row', () => {
    const record = analyzeQuote(SAMPLE, SAMPLE.timestampMs);
    expect(record).toMatchObject({ instrument: 'BTC-9JUN20-9875-P', currency: 'BTC', settlement: 'inverse', optionType: 'put', phase: 'open', quoteAgeMs: 0 });
    expect(record.iv.mark.reason).toBe('ok');
    // Bid and ask IVs (printed to 0.01 vol points) are reproduced from the bid and ask prices.
    expect(Math.abs(record.iv.bid.vol - 0.5591)).toBeLessThan(1e-4);
    expect(Math.abs(record.iv.ask.vol - 0.6894)).toBeLessThan(1e-4);
    // This row's mark price is 4.1e-6 coin (0.04 USD) above Black-76 at its printed 62.89 %: the mark price
    // implies 62.908 %. (Deribit's mark and mark IV in one ticker are not always from the same instant.)
    expect(record.check.markPrice).toBeCloseTo(-4.13e-6, 8);
    expect(Math.abs(record.check.markIv)).toBeLessThan(2e-4);
    // Greeks printed to 5 decimals; 1e-4 relative allows the 0.005 % vol rounding.
    expect(Math.abs(record.check.delta)).toBeLessThan(2e-5);
    expect(Math.abs(record.check.gamma)).toBeLessThan(1e-5);
    expect(Math.abs(record.check.vega / SAMPLE.vega!)).toBeLessThan(1e-4);
    expect(Math.abs(record.check.theta / SAMPLE.theta!)).toBeLessThan(1e-4);
    expect(Math.abs(record.check.rho / SAMPLE.rho!)).toBeLessThan(1e-4);
    expect(record.greeks.deltaPremiumAdjusted).toBeCloseTo(record.greeks.delta - record.greeks.priceCoin, 15);
  });

  it('values at the as-of time and flags settlement and expiry', () => {
    const oneHourLater = analyzeQuote(SAMPLE, SAMPLE.timestampMs + 3_600_000);
    expect(oneHourLater.quoteAgeMs).toBe(3_600_000);
    expect(oneHourLater.years).toBeLessThan(analyzeQuote(SAMPLE, SAMPLE.timestampMs).years);
    expect(oneHourLater.check).toEqual(analyzeQuote(SAMPLE, SAMPLE.timestampMs).check); // checks use quote time
    expect(analyzeQuote(SAMPLE, SAMPLE.expirationMs - 60_000).phase).toBe('settling');
    const expired = analyzeQuote(SAMPLE, SAMPLE.expirationMs + 1);
    expect(expired.phase).toBe('expired');
    // An expired option's value is its settlement: no greek is guessed (not ±0.5 or ±1 delta), all are NaN (null).
    expect(Object.values(expired.greeks).every(Number.isNaN)).toBe(true);
  });

  it('decays the delta linearly to 0 over the 30-minute settlement window, as Deribit does', () => {
    // Black delta at expiry − 15 min, then Deribit's factor: 15 of the 30 minutes of the average are still to come.
    const halfway = analyzeQuote(SAMPLE, SAMPLE.expirationMs - 15 * 60_000);
    const years = halfway.years;
    const black = black76Greeks(halfway.forward, SAMPLE.strike, years, SAMPLE.markIv!, SAMPLE.optionType === 'call').delta;
    expect(halfway.phase).toBe('settling');
    expect(halfway.greeks.delta).toBeCloseTo(0.5 * black, 14);
    expect(halfway.greeks.deltaPremiumAdjusted).toBeCloseTo(0.5 * black - halfway.greeks.priceCoin, 14);
    // Gamma is not decayed (the option still reprices with the index until 08:00).
    expect(halfway.greeks.gamma).toBe(toDeribitDisplay(black76Greeks(halfway.forward, SAMPLE.strike, years, SAMPLE.markIv!, SAMPLE.optionType === 'call'), halfway.forward).gamma);
    expect(analyzeQuote(SAMPLE, SAMPLE.expirationMs - 60 * 60_000).greeks.delta).toBe(
      black76Greeks(SAMPLE.underlyingPrice!, SAMPLE.strike, analyzeQuote(SAMPLE, SAMPLE.expirationMs - 60 * 60_000).years, SAMPLE.markIv!, SAMPLE.optionType === 'call').delta,
    );
  });

  it('reports missing prices with a reason and prices linear options in USDC', () => {
    const noBid = analyzeQuote({ ...SAMPLE, bidPrice: null, bidIv: null }, SAMPLE.timestampMs);
    expect(noBid.iv.bid).toEqual({ vol: NaN, reason: 'missing_price' });
    // tardis-node fixture: MATIC_USDC-9MAR24-1d02-C, mark 0.139 USDC, mark IV 209.64 %
    const linear = analyzeQuote({
      ...SAMPLE, symbol: 'MATIC_USDC-9MAR24-1d02-C', optionType: 'call', strike: 1.02, expirationMs: Date.UTC(2024, 2, 9, 8),
      timestampMs: 1709809020064, markPrice: 0.139, markIv: vol(2.0964), bidPrice: null, askPrice: null, underlyingPrice: 1.1367,
      underlyingIndex: 'index_price', delta: 0.7869, gamma: 1.70098, vega: 0.00024, theta: -0.01323, rho: 4e-5,
    }, 1709809020064);
    expect(linear.settlement).toBe('linear');
    // The premium of a linear option is USDC: its coin-P&L delta is its plain delta (no − price/F term).
    expect(linear.greeks.deltaPremiumAdjusted).toBe(linear.greeks.delta);
    expect(Math.abs(linear.iv.mark.vol - 2.0964)).toBeLessThan(1e-3);
    expect(Math.abs(linear.check.delta)).toBeLessThan(1e-4);
  });
});

describe('analyzeChain and updateLatestQuote', () => {
  it('keeps the latest quote per symbol up to as-of, sorts records and lists skipped symbols', () => {
    const latest = new Map<string, OptionChainQuote>();
    const asOf = SAMPLE.timestampMs + 10_000;
    const call = { ...SAMPLE, symbol: 'BTC-9JUN20-9875-C', optionType: 'call' as const, markPrice: 0.0109, delta: 0.38 };
    for (const quote of [
      { ...SAMPLE, timestampMs: SAMPLE.timestampMs - 5_000, markPrice: 0.03 },
      SAMPLE,
      { ...SAMPLE, timestampMs: asOf + 1, markPrice: 0.5 }, // after as-of: ignored
      call,
      { ...SAMPLE, symbol: 'BTC-PERPETUAL' },
    ]) {
      updateLatestQuote(latest, quote, asOf);
    }
    expect(latest.get('BTC-9JUN20-9875-P')).toBe(SAMPLE);
    const result = analyzeChain(latest.values(), asOf);
    expect(result.instruments.map((r) => r.instrument)).toEqual(['BTC-9JUN20-9875-C', 'BTC-9JUN20-9875-P']);
    expect(result.skipped).toHaveLength(1);
    expect(result.skipped[0]!.reason).toMatch(/not an option/);
    expect(JSON.parse(JSON.stringify(result)).instruments[0].iv.bid.vol).toBeTypeOf('number');
  });
});
