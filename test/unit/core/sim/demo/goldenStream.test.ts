import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Currency, MarketEvent } from '../../../../../src-main/core/market/events';
import {
  DEMO_CURRENCY_PARAMS,
  DemoMarket,
  demoExpirySchedule,
  demoSmileVol,
  optionTickSize,
  roundOptionAsk,
  roundOptionBid,
  roundOptionNearest,
} from '../../../../../src-main/core/sim/demo';
import { epochMs, MS_PER_DAY } from '../../../../../src-main/core/units';

// Byte-identity guard for refactors of the demo market. The golden hashes below were computed by running this
// file on the pre-split implementation (src-main/core/sim/demoMarket.ts at commit 7e0505e). Any change to the
// event stream — a reordered random draw, a different rounding, a renamed field — changes a hash. If a change of
// behaviour is intended, say so in the commit and recompute the hashes from the new code.

const START = epochMs(Date.UTC(2026, 10, 21, 12)); // Saturday 2026-11-21 12:00 UTC
const FIRST_EXPIRY = Date.UTC(2026, 10, 22, 8); // the 22NOV26 daily
const FIRST_QUARTERLY = Date.UTC(2026, 11, 25, 8); // 25DEC26: a dated future expires with its options

/**
 * SHA-256 over the JSON of each returned event batch, in order (the hash of the concatenated JSON of the whole
 * stream, fed batch by batch so a long run needs no single huge string). Also counts events and event types, so a
 * run that silently stops covering a code path shows up in the test too.
 */
class StreamHash {
  private readonly hash = createHash('sha256');
  events = 0;
  readonly types = new Map<string, number>();

  add(batch: readonly MarketEvent[]): void {
    // Option tickers gained `volume24h` after these hashes were taken (a field derived from state, no random draw):
    // it is left out here so the hashes still prove every other byte unchanged; demo volume has its own test.
    this.hash.update(JSON.stringify(batch, (key, value: unknown) => (key === 'volume24h' ? undefined : value)));
    this.events += batch.length;
    for (const event of batch) this.types.set(event.type, (this.types.get(event.type) ?? 0) + 1);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Snapshot, 1500 steps at the market's own delays, a jump across the first daily expiry in 1 s steps, a jump
 * across the first quarterly (a dated future expiring), then a second snapshot of what is left.
 */
function runStream(seed: number, currencies?: Currency[]): StreamHash {
  const market = new DemoMarket(currencies ? { seed, startMs: START, currencies } : { seed, startMs: START });
  const out = new StreamHash();
  out.add(market.snapshot(START));
  let now: number = START;
  for (let i = 0; i < 1500; i++) {
    now += market.nextDelayMs();
    out.add(market.step(epochMs(now)));
  }
  for (let t = FIRST_EXPIRY - 30_000; t <= FIRST_EXPIRY + 30_000; t += 1000) out.add(market.step(epochMs(t)));
  for (const t of [FIRST_QUARTERLY - 1000, FIRST_QUARTERLY, FIRST_QUARTERLY + 1000]) out.add(market.step(epochMs(t)));
  out.add(market.snapshot(epochMs(FIRST_QUARTERLY + 200_000)));
  out.add(market.instruments().map((instrument) => ({ type: 'instrument', tsEvent: epochMs(0), tsRecv: epochMs(0), instrument })));
  return out;
}

describe('demo market golden stream (byte-identical to the pre-split implementation at 7e0505e)', () => {
  it('emits the same event stream for seed 20261121 from 2026-11-21 12:00 UTC', () => {
    const stream = runStream(20_261_121);
    // Covers every event kind, including block trades and perpetual books.
    expect(Object.fromEntries(stream.types)).toEqual({
      book_snapshot: expect.any(Number) as number,
      future_ticker: expect.any(Number) as number,
      index: expect.any(Number) as number,
      instrument: expect.any(Number) as number,
      option_ticker: expect.any(Number) as number,
      trade: expect.any(Number) as number,
    });
    expect(stream.events).toBeGreaterThan(100_000);
    expect(stream.digest()).toBe('e05e2c0888a8432e8a7f8be8c7e5b94086c5f938d1afe45db7b8906baea024fc');
  });

  it('emits the same event stream for a BTC-only market', () => {
    expect(runStream(7, ['BTC']).digest()).toBe('09cbbaf0ac7cd55ccc493dd321c0be9b99a337e11f4ade13e11cba3e985a2375');
  });

  it('lists the same expiry schedules and prices the same helper values', () => {
    const hash = createHash('sha256');
    // Schedules for start times spread over four years, at hours that cross the 08:00 UTC expiry time.
    for (let k = 0; k < 600; k++) {
      const start = epochMs(Date.UTC(2025, 0, 1) + k * 2.437 * MS_PER_DAY + ((k * 7) % 24) * 3_600_000 + (k % 3) * 60_000);
      hash.update(JSON.stringify(demoExpirySchedule(start)));
    }
    const helpers: number[] = [];
    for (let k = 0; k <= 4000; k++) {
      const price = (k * k) / 1e8 + k * 1.3e-7;
      helpers.push(roundOptionBid(price), roundOptionAsk(price), roundOptionNearest(price), optionTickSize(price));
    }
    for (let z = -6; z <= 6; z += 0.25) helpers.push(demoSmileVol(0.55, z, -0.03, 0.12), demoSmileVol(2.9, z, -0.5, 0.01));
    hash.update(JSON.stringify(helpers));
    hash.update(JSON.stringify(DEMO_CURRENCY_PARAMS));
    expect(hash.digest('hex')).toBe('2f007f0769bf0307150cef5382fa8a3245ef5ec260c623b55c86948c6ae610ad');
  });
});
