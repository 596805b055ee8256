import { describe, expect, it } from 'vitest';
import { displayYearsToExpiry, settlementDeltaFactor, settlementPhase, yearsToExpiry } from '../../../../src-main/core/pricing/time';
import { MS_PER_YEAR } from '../../../../src-main/core/units';

const EXPIRY = Date.UTC(2024, 11, 27, 8); // BTC-27DEC24 expires 2024-12-27 08:00 UTC

describe('yearsToExpiry', () => {
  it('is ACT/365 in milliseconds to 08:00 UTC', () => {
    expect(yearsToExpiry(EXPIRY, EXPIRY - 365 * 86_400_000)).toBe(1);
    expect(yearsToExpiry(EXPIRY, EXPIRY - 3_600_000)).toBe(3_600_000 / MS_PER_YEAR);
    // 2024 is a leap year: 27 Dec 2023 08:00 -> 27 Dec 2024 08:00 is 366 days = 366/365 years.
    expect(yearsToExpiry(EXPIRY, Date.UTC(2023, 11, 27, 8))).toBe(366 / 365);
    expect(yearsToExpiry(EXPIRY, EXPIRY + 60_000)).toBeLessThan(0);
    expect(yearsToExpiry(EXPIRY, NaN)).toBeNaN();
  });

  it('matches the tardis-node ticker BTC-5JUN20-9250-C (timestamp 1590969652595)', () => {
    // Expiry 2020-06-05 08:00 UTC; 374 347 405 ms before it.
    expect(yearsToExpiry(Date.UTC(2020, 5, 5, 8), 1590969652595)).toBeCloseTo(374_347_405 / MS_PER_YEAR, 18);
  });
});

describe('displayYearsToExpiry', () => {
  it('is yearsToExpiry before the expiry and 0 from it on', () => {
    expect(displayYearsToExpiry(EXPIRY, EXPIRY - 3_600_000)).toBe(yearsToExpiry(EXPIRY, EXPIRY - 3_600_000));
    expect(displayYearsToExpiry(EXPIRY, EXPIRY)).toBe(0);
    expect(displayYearsToExpiry(EXPIRY, EXPIRY + 60_000)).toBe(0);
  });
});

describe('settlement window', () => {
  it('flags the 30 minutes before expiry and gives Deribit\'s linear delta factor', () => {
    expect(settlementPhase(EXPIRY, EXPIRY - 31 * 60_000)).toBe('open');
    expect(settlementPhase(EXPIRY, EXPIRY - 30 * 60_000)).toBe('open');
    expect(settlementPhase(EXPIRY, EXPIRY - 29 * 60_000)).toBe('settling');
    expect(settlementPhase(EXPIRY, EXPIRY)).toBe('expired');
    expect(settlementDeltaFactor(EXPIRY, EXPIRY - 3_600_000)).toBe(1);
    expect(settlementDeltaFactor(EXPIRY, EXPIRY - 15 * 60_000)).toBe(0.5);
    expect(settlementDeltaFactor(EXPIRY, EXPIRY - 3 * 60_000)).toBeCloseTo(0.1, 15);
    expect(settlementDeltaFactor(EXPIRY, EXPIRY + 1)).toBe(0);
  });
});
