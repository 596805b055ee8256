import { describe, expect, it } from 'vitest';
import { coin, epochMs, usd, vol, volFromPercent, volFromPercentOrNull } from '../../../src-main/core/units';

describe('unit constructors', () => {
  it('pass valid values through unchanged', () => {
    expect(usd(95_000.5)).toBe(95_000.5);
    expect(coin(0.0215)).toBe(0.0215);
    expect(vol(0.55)).toBe(0.55);
    expect(epochMs(1_700_000_000_000)).toBe(1_700_000_000_000);
  });

  it('refuse what is not the unit with a RangeError naming the value', () => {
    expect(() => usd(NaN)).toThrow(RangeError);
    expect(() => coin(Infinity)).toThrow(/Coin must be a finite number, got Infinity/);
    expect(() => vol(-0.1)).toThrow(/non-negative decimal, got -0.1/);
    expect(() => epochMs(1.5)).toThrow(/integer, got 1.5/);
  });

  it('convert percent IVs to decimals in one place', () => {
    // Deribit ticker: mark_iv 62.89 (percent) is 0.6289.
    expect(volFromPercent(62.89)).toBe(62.89 / 100);
    expect(volFromPercent(0)).toBe(0);
    expect(() => volFromPercent(-1)).toThrow(RangeError);
    expect(volFromPercentOrNull(62.89)).toBe(volFromPercent(62.89));
    expect(volFromPercentOrNull(null)).toBeNull();
    expect(volFromPercentOrNull(-1)).toBeNull();
    expect(volFromPercentOrNull(NaN)).toBeNull();
  });
});
