import { describe, expect, it } from 'vitest';
import { formatExpiryCode, parseExpiryCode } from '../../../../src-main/core/market/expiryCode';

describe('formatExpiryCode', () => {
  it('writes the day without a leading zero, the month upper-case and a two-digit year', () => {
    expect(formatExpiryCode(Date.UTC(2026, 11, 27, 8))).toBe('27DEC26');
    expect(formatExpiryCode(Date.UTC(2027, 0, 3, 8))).toBe('3JAN27');
    expect(formatExpiryCode(Date.UTC(2030, 5, 30, 8))).toBe('30JUN30');
    expect(formatExpiryCode(Date.UTC(2105, 1, 1, 8))).toBe('1FEB05');
  });

  it('uses the UTC date, not the local one', () => {
    // 23:30 UTC on the 31st is already the 1st in UTC+1 and still the 31st in UTC.
    expect(formatExpiryCode(Date.UTC(2026, 11, 31, 23, 30))).toBe('31DEC26');
    expect(formatExpiryCode(Date.UTC(2027, 0, 1, 0, 30))).toBe('1JAN27');
  });
});

describe('parseExpiryCode', () => {
  it('parses to 08:00 UTC on that date', () => {
    expect(parseExpiryCode('27DEC26')).toBe(Date.UTC(2026, 11, 27, 8));
    expect(parseExpiryCode('3JAN27')).toBe(Date.UTC(2027, 0, 3, 8));
    expect(parseExpiryCode('03JAN27')).toBe(Date.UTC(2027, 0, 3, 8));
    expect(parseExpiryCode('29FEB28')).toBe(Date.UTC(2028, 1, 29, 8)); // leap year
  });

  it('rejects impossible dates and malformed codes', () => {
    for (const code of ['31FEB26', '29FEB27', '0JAN26', '32JAN26', '31APR26', '27dec26', '27DEX26', '127DEC26', '27DEC2026', '', 'DEC26', ' 27DEC26']) {
      expect(parseExpiryCode(code), code).toBeNull();
    }
  });

  it('round-trips every day of a leap year', () => {
    for (let day = 0; day < 366; day++) {
      const ms = Date.UTC(2028, 0, 1 + day, 8);
      expect(parseExpiryCode(formatExpiryCode(ms))).toBe(ms);
    }
  });
});
