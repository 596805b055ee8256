import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ExposureSnapshot } from '../../../src-main/api/dto';
import { snakeCase, snakeKey, type SnakeCased, type SnakeKey } from '../../../src-main/cli/snakeCase';

describe('snakeCase: the CLI edge renames DTO keys mechanically', () => {
  it('splits before an upper-case letter after a lower-case one and before a digit after a letter', () => {
    // The documented CLI names this rename must keep producing (README "gammadesk analyze output").
    const cases: [string, string][] = [
      ['spotUsd', 'spot_usd'],
      ['byStrike', 'by_strike'],
      ['gexUsdPer1Pct', 'gex_usd_per_1pct'],
      ['gexUsdPer1PctWithoutFront', 'gex_usd_per_1pct_without_front'],
      ['absGammaStrikeUsd', 'abs_gamma_strike_usd'],
      ['funding8h', 'funding_8h'],
      ['currency', 'currency'],
      ['already_snake', 'already_snake'],
      ['aBC', 'a_bc'],
    ];
    for (const [camel, snake] of cases) expect(snakeKey(camel), camel).toBe(snake);
  });

  it('the type-level rename agrees with the runtime one', () => {
    expectTypeOf<SnakeKey<'gexUsdPer1Pct'>>().toEqualTypeOf<'gex_usd_per_1pct'>();
    expectTypeOf<SnakeKey<'funding8h'>>().toEqualTypeOf<'funding_8h'>();
    expectTypeOf<SnakeKey<'aBC'>>().toEqualTypeOf<'a_bc'>();
    expectTypeOf<SnakeCased<ExposureSnapshot>['levels']>().toEqualTypeOf<{
      flip_usd: number | null;
      flips_usd: number[];
      flip_without_front_usd: number | null;
      call_wall_usd: number | null;
      put_wall_usd: number | null;
      abs_gamma_strike_usd: number | null;
    }>();
    const renamed = snakeCase({ byStrike: [{ strikeUsd: 1 }] });
    expectTypeOf(renamed).toEqualTypeOf<{ by_strike: { strike_usd: number }[] }>();
  });

  it('renames nested objects and arrays of objects; keeps values, nulls, typed arrays and dates as they are', () => {
    const typed = new Float64Array([1, 2]);
    const when = new Date(0);
    const out = snakeCase({ levels: { flipUsd: null, flipsUsd: [1, 2] }, byExpiry: [{ expiryMs: 5, netUsdPer1Pct: -1 }], raw: typed, at: when });
    expect(out).toEqual({ levels: { flip_usd: null, flips_usd: [1, 2] }, by_expiry: [{ expiry_ms: 5, net_usd_per_1pct: -1 }], raw: typed, at: when });
    expect(out.raw).toBe(typed);
  });

  it('refuses two keys that would collide instead of losing one', () => {
    expect(() => snakeCase({ spotUsd: 1, spot_usd: 2 })).toThrow('snakeCase: keys "spotUsd" and "spot_usd" both become "spot_usd"');
  });
});
