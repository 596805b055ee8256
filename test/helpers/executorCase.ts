/** The hedge both sides of the kill -9 tests agree on: a perpetual and an option leg, deep books (paperMarket.ts). */
import { hashInputs, type NewRecommendation } from '../../src-main/store/recommendations';
import { T0 } from './market';
import { OPTION, PERP } from './paperMarket';

export const CRASH_CLOCK_MS = T0 + 1000;

export function crashRecommendation(): NewRecommendation {
  return {
    id: 'crash-rec',
    marketSeq: 4242,
    bookVersion: 1,
    policy: 'threshold',
    params: { band_coin: 0.5 },
    inputsHash: hashInputs({ case: 'kill -9' }),
    proposal: {
      legs: [
        { instrument: PERP.name, side: 'buy', amount: 20_000, type: 'market' },
        { instrument: OPTION.name, side: 'buy', amount: 1, type: 'limit', price: 0.05 },
      ],
    },
    rationale: { why: 'delta below band' },
    expiresMs: CRASH_CLOCK_MS + 60_000,
  };
}
