import { describe, expect, it } from 'vitest';
import {
  InstrumentNameError, formatFutureName, formatOptionName, formatStrike, parseInstrumentName, parseOptionName,
} from '../../../../src-main/core/pricing/instrument';

describe('parseInstrumentName', () => {
  it('parses an inverse option, expiry at 08:00 UTC', () => {
    expect(parseInstrumentName('BTC-27DEC24-60000-C')).toEqual({
      kind: 'option', name: 'BTC-27DEC24-60000-C', currency: 'BTC', settlementCurrency: 'BTC', settlement: 'inverse',
      expiryMs: Date.UTC(2024, 11, 27, 8), expiryCode: '27DEC24', strike: 60000, optionType: 'call', isCall: true,
    });
    expect(parseOptionName('ETH-5JUN20-310-P')).toMatchObject({ currency: 'ETH', strike: 310, isCall: false, expiryMs: Date.UTC(2020, 5, 5, 8) });
  });

  it('parses a linear USDC option with d as the decimal point (tardis-node fixture MATIC_USDC-9MAR24-1d02-C)', () => {
    const parsed = parseOptionName('MATIC_USDC-9MAR24-1d02-C');
    expect(parsed).toMatchObject({ currency: 'MATIC', settlementCurrency: 'USDC', settlement: 'linear', strike: 1.02, expiryMs: Date.UTC(2024, 2, 9, 8) });
    // tardis-node upper-cases symbols in its normalized output
    expect(parseOptionName('MATIC_USDC-9MAR24-1D02-C').strike).toBe(1.02);
    expect(parseOptionName('XRP_USDC-30AUG24-0d625-P').strike).toBe(0.625);
  });

  it('parses futures and perpetuals', () => {
    expect(parseInstrumentName('BTC-27DEC24')).toMatchObject({ kind: 'future', currency: 'BTC', expiryMs: Date.UTC(2024, 11, 27, 8) });
    expect(parseInstrumentName('BTC-PERPETUAL')).toEqual({ kind: 'perpetual', name: 'BTC-PERPETUAL', currency: 'BTC', settlementCurrency: 'BTC', settlement: 'inverse' });
    expect(parseInstrumentName('ETH_USDC-PERPETUAL')).toMatchObject({ kind: 'perpetual', settlement: 'linear', settlementCurrency: 'USDC' });
  });

  it('rejects malformed names with a typed error carrying the name', () => {
    const bad = [
      '', 'BTC', 'btc-27DEC24-60000-C', 'BTC-27DEC24-60000-X', 'BTC-32DEC24-60000-C', 'BTC-30FEB24-60000-C',
      'BTC-27Dec24-60000-C', 'BTC-027DEC24-60000-C', 'BTC-27DEC24--C', 'BTC-27DEC24-0-C', 'BTC-27DEC24-1.5-C',
      'BTC-27DEC24-60000-C-X', 'BTC-STRD-30SEP22-20000', 'BTC-CSR12-16SEP22-21000_23000', 'BTC-27DEC2024',
    ];
    for (const name of bad) {
      let caught: unknown;
      try {
        parseInstrumentName(name);
      } catch (error) {
        caught = error;
      }
      expect(caught, name).toBeInstanceOf(InstrumentNameError);
      expect((caught as InstrumentNameError).instrumentName).toBe(name);
      expect((caught as Error).message).toContain(`"${name}"`);
    }
    expect(() => parseOptionName('BTC-PERPETUAL')).toThrow(/not an option/);
    expect(() => parseInstrumentName('BTC-STRD-30SEP22-20000')).toThrow(/combo/);
  });
});

describe('formatting', () => {
  it('round-trips names', () => {
    for (const name of ['BTC-27DEC24-60000-C', 'ETH-3JAN25-3200-P', 'MATIC_USDC-9MAR24-1d02-C', 'BTC-27DEC24', 'BTC-PERPETUAL', 'SOL_USDC-28MAR25-0d5-P']) {
      const parsed = parseInstrumentName(name);
      const formatted = parsed.kind === 'option'
        ? formatOptionName(parsed)
        : formatFutureName(parsed.currency, parsed.kind === 'future' ? parsed.expiryMs : null, parsed.settlement, parsed.settlementCurrency);
      expect(formatted).toBe(name);
    }
  });

  it('formats strikes with d for decimals', () => {
    expect(formatStrike(60000)).toBe('60000');
    expect(formatStrike(1.02)).toBe('1d02');
    expect(() => formatStrike(0)).toThrow(RangeError);
    expect(formatOptionName({ currency: 'BTC', expiryMs: Date.UTC(2025, 0, 3, 8), strike: 100000, isCall: false })).toBe('BTC-3JAN25-100000-P');
  });
});
