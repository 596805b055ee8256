/**
 * The engine with the real piscina pool: the TypeScript worker entry runs in worker threads through tsx
 * (`--import tsx`), so no build is needed. Results are checked against the pricing library in-process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GreeksPool } from '../../src-main/app/greeksPool';
import type { MarketEvent, SequencedEvent } from '../../src-main/core/market/events';
import { black76Greeks, toDeribitDisplay } from '../../src-main/core/pricing/black76';
import { allocateChainGreeks, computeChainGreeks } from '../../src-main/core/pricing/chain';
import { MS_PER_YEAR } from '../../src-main/core/units';
import { Engine, type EngineChange } from '../../src-main/engine/engine';
import type { ExpiryBook } from '../../src-main/engine/marketState';
import { realScheduler, type GreeksBatch, type GreeksPort } from '../../src-main/engine/ports';
import { chainSnapshot } from '../../src-main/engine/snapshots';
import {
  EXPIRY_A,
  EXPIRY_B,
  EXPIRY_SOON,
  STRIKES,
  T0,
  chainInstruments,
  chainTickers,
  indexEvent,
  optionName,
  optionTicker,
  smileIv,
} from '../helpers/market';
import { TSX_WORKER } from '../helpers/worker';


let pool: GreeksPool;

beforeAll(async () => {
  pool = new GreeksPool({ ...TSX_WORKER, maxThreads: 2 });
  // Warm up one thread so the first test does not pay the tsx start-up alone.
  await pool.computeGreeks({ count: 1, inputs: new Float64Array([100, 100, 1, 0.5, 1, NaN, NaN, NaN]) });
});

afterAll(async () => {
  await pool.close();
});

function makeEngine(greeks: GreeksPort = pool, coalesceMs = 10) {
  const changes: EngineChange[] = [];
  /** greeksSeq of each greeks change, read when it is emitted. */
  const stamps: number[] = [];
  const errors: unknown[] = [];
  const engine = new Engine({
    greeks,
    scheduler: realScheduler,
    coalesceMs,
    onChange: (c) => {
      changes.push(c);
      if (c.kind === 'greeks') stamps.push(c.book.greeksSeq);
    },
    onError: (e) => errors.push(e),
  });
  let seq = 0;
  const feed = (events: readonly MarketEvent[]): SequencedEvent[] =>
    events.map((event) => {
      const sequenced = { ...event, seq: ++seq } as SequencedEvent;
      engine.apply(sequenced, sequenced.seq);
      return sequenced;
    });
  return { engine, feed, changes, stamps, errors };
}

/** Expected greeks for a book, computed in this thread with the same kernel the worker runs. */
function expectedChain(book: ExpiryBook, timeMs: number) {
  const n = book.options.length;
  const inputs = {
    forward: new Float64Array(n),
    strike: new Float64Array(n),
    years: new Float64Array(n),
    vol: new Float64Array(n),
    isCall: new Uint8Array(n),
  };
  book.options.forEach((o, i) => {
    inputs.forward[i] = o.ticker!.underlyingPriceUsd;
    inputs.strike[i] = o.def.strikeUsd;
    inputs.years[i] = (book.expiryMs - timeMs) / MS_PER_YEAR;
    inputs.vol[i] = o.ticker!.markIv;
    inputs.isCall[i] = o.def.optionType === 'call' ? 1 : 0;
  });
  const out = allocateChainGreeks(n);
  computeChainGreeks(inputs, out, n);
  return { inputs, out };
}

describe('GreeksPool', () => {
  it('runs the worker and transfers the input buffer instead of copying it', async () => {
    // One ATM call: forward, strike, years, vol, isCall, then bid / ask / mark in coin priced at 55 / 65 / 60 %.
    const coin = (vol: number): number => toDeribitDisplay(black76Greeks(100_000, 100_000, 0.25, vol, true), 100_000).priceCoin;
    const inputs = new Float64Array([100_000, 100_000, 0.25, 0.6, 1, coin(0.55), coin(0.65), coin(0.6)]);
    const before = pool.tasksRun;
    const result = await pool.computeGreeks({ count: 1, inputs });
    expect(result).toBeInstanceOf(Float64Array);
    expect(result).toHaveLength(8);
    expect(inputs.buffer.byteLength).toBe(0); // detached: moved to the worker
    expect(pool.tasksRun).toBe(before + 1);
    expect(pool.threads).toBeGreaterThanOrEqual(1);
    const g = toDeribitDisplay(black76Greeks(100_000, 100_000, 0.25, 0.6, true), 100_000);
    expect(result[0]).toBeCloseTo(g.priceUsd, 6);
    expect(result[1]).toBeCloseTo(g.delta, 12);
    expect(result[2]! / g.gamma).toBeCloseTo(1, 12);
    expect(result[3]! / g.vega).toBeCloseTo(1, 12);
    expect(result[4]! / g.theta).toBeCloseTo(1, 12);
    // Implied vols from the coin prices come back to the vols that priced them.
    expect(result[5]).toBeCloseTo(0.55, 12);
    expect(result[6]).toBeCloseTo(0.65, 12);
    expect(result[7]).toBeCloseTo(0.6, 12);
  });

  it('rejects a malformed batch with the worker\'s reason and does not count it', async () => {
    const before = pool.tasksRun;
    await expect(pool.computeGreeks({ count: 2, inputs: new Float64Array(5) })).rejects.toThrow(
      'greeks batch of 2 options needs 16 inputs, got 5',
    );
    expect(pool.tasksRun).toBe(before);
  });

  it('returns NaN rows for unusable inputs without failing the batch', async () => {
    // Row 0 fine; row 1 has NaN vol (no ticker yet).
    const inputs = new Float64Array([100, 100, 100, 110, 1, 1, 0.5, NaN, 1, 0, NaN, NaN, NaN, NaN, NaN, NaN]);
    const result = await pool.computeGreeks({ count: 2, inputs });
    expect(Number.isFinite(result[0]!)).toBe(true);
    for (let k = 0; k < 8; k++) expect(Number.isNaN(result[k * 2 + 1]!)).toBe(true);
  });
});

describe('Engine with the worker pool', () => {
  it('computes every option\'s greeks as the pricing library does, stamped with the seq they used', async () => {
    const { engine, feed, errors } = makeEngine();
    feed([...chainInstruments('BTC', EXPIRY_A), ...chainInstruments('BTC', EXPIRY_B)]);
    const ts = T0 + 3_600_000;
    feed(chainTickers('BTC', EXPIRY_A, 100_400, ts));
    const last = feed(chainTickers('BTC', EXPIRY_B, 101_900, ts));
    await engine.idle();
    expect(errors).toEqual([]);
    for (const expiry of [EXPIRY_A, EXPIRY_B]) {
      const book = engine.market.currency('BTC').expiries.get(expiry)!;
      const { inputs, out } = expectedChain(book, engine.market.timeMs);
      book.options.forEach((option, i) => {
        const g = option.greeks!;
        // Bit-identical to the kernel run in this thread: the packing to and from the worker loses nothing.
        expect([g.priceUsd, g.delta, g.gamma, g.vega, g.theta]).toEqual([out.price[i], out.delta[i], out.gamma[i], out.vega[i], out.theta[i]]);
        // And equal to the scalar Black-76 reference in Deribit's display units.
        const ref = toDeribitDisplay(
          black76Greeks(inputs.forward[i]!, inputs.strike[i]!, inputs.years[i]!, inputs.vol[i]!, option.def.optionType === 'call'),
          inputs.forward[i]!,
        );
        expect(g.priceUsd).toBeCloseTo(ref.priceUsd, 6);
        expect(g.delta).toBeCloseTo(ref.delta, 12);
        expect(g.gamma / ref.gamma).toBeCloseTo(1, 10);
        expect(g.vega / ref.vega).toBeCloseTo(1, 10);
        expect(g.theta / ref.theta).toBeCloseTo(1, 10);
        if (option.def.optionType === 'call') expect(g.delta).toBeGreaterThan(0);
        else expect(g.delta).toBeLessThan(0);
      });
    }
    const bookB = engine.market.currency('BTC').expiries.get(EXPIRY_B)!;
    expect(bookB.greeksSeq).toBe(last.at(-1)!.seq);
    expect(engine.market.currency('BTC').expiries.get(EXPIRY_A)!.greeksSeq).toBe(last[0]!.seq - 1);
    // Put-call parity on the computed prices: C - P = F - K.
    const snap = chainSnapshot(engine.market, bookB);
    for (const row of bookB.options.filter((o) => o.def.optionType === 'call')) {
      const put = bookB.options.find((o) => o.def.optionType === 'put' && o.def.strikeUsd === row.def.strikeUsd)!;
      expect(row.greeks!.priceUsd - put.greeks!.priceUsd).toBeCloseTo(101_900 - row.def.strikeUsd, 6);
    }
    expect(snap.rows.every((r) => r.call?.delta !== null && r.put?.delta !== null)).toBe(true);
  });

  it('coalesces a burst of quotes into one pool task per expiry', async () => {
    const { engine, feed } = makeEngine(pool, 20);
    feed([...chainInstruments('BTC', EXPIRY_A), ...chainInstruments('ETH', EXPIRY_A, [3000, 3500, 4000])]);
    const before = pool.tasksRun;
    let quotes = 0;
    for (let i = 0; i < 100; i++) {
      quotes += feed(chainTickers('BTC', EXPIRY_A, 100_000 + i, T0 + i)).length;
      quotes += feed(chainTickers('ETH', EXPIRY_A, 3500 + i, T0 + i, [3000, 3500, 4000])).length;
    }
    await engine.idle();
    expect(quotes).toBe(1600);
    expect(pool.tasksRun - before).toBe(2);
    const btc = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(btc.greeksSeq).toBe(btc.quotesSeq);
    expect(btc.options.every((o) => o.greeks && Number.isFinite(o.greeks.delta))).toBe(true);
  });

  it('quotes that arrive while the pool works: first result stamped with the old seq, one follow-up task', async () => {
    let inject: (() => void) | null = null;
    const port: GreeksPort = {
      computeGreeks(batch: GreeksBatch) {
        const run = pool.computeGreeks(batch);
        // New quotes land while this task is in the pool.
        const hook = inject;
        inject = null;
        hook?.();
        return run;
      },
    };
    const { engine, feed, stamps } = makeEngine(port, 5);
    feed(chainInstruments('BTC', EXPIRY_A));
    const first = feed(chainTickers('BTC', EXPIRY_A, 100_000));
    let second: SequencedEvent[] = [];
    inject = () => {
      second = feed(chainTickers('BTC', EXPIRY_A, 105_000));
    };
    const before = pool.tasksRun;
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    await engine.idle();
    expect(stamps).toEqual([first.at(-1)!.seq, second.at(-1)!.seq]);
    expect(pool.tasksRun - before).toBe(2);
    expect(book.greeksSeq).toBe(book.quotesSeq);
    // The final greeks use the newer forward.
    const atmCall = book.options.find((o) => o.def.name === optionName('BTC', EXPIRY_A, 100_000, 'call'))!;
    const ref = toDeribitDisplay(
      black76Greeks(105_000, 100_000, (EXPIRY_A - engine.market.timeMs) / MS_PER_YEAR, smileIv(100_000, 105_000), true),
      105_000,
    );
    expect(atmCall.greeks!.delta).toBeCloseTo(ref.delta, 12);
  });

  it('rejects and counts tickers for unknown instruments without dispatching work', async () => {
    const { engine, feed } = makeEngine();
    feed(chainInstruments('BTC', EXPIRY_A));
    await engine.idle();
    const before = pool.tasksRun;
    feed([
      optionTicker('BTC-25DEC26-123456-C', { forward: 100_000, iv: 0.5 }),
      optionTicker('ETH-25DEC26-3000-P', { forward: 3000, iv: 0.6 }),
    ]);
    expect(engine.eventsRejected).toBe(2);
    expect(engine.lastRejection).toBe('ticker for unknown option ETH-25DEC26-3000-P');
    await engine.idle();
    expect(pool.tasksRun).toBe(before);
  });

  it('rolls an expiry off once market time passes it; the rest keeps its greeks', async () => {
    const { engine, feed, changes } = makeEngine();
    feed([...chainInstruments('BTC', EXPIRY_SOON), ...chainInstruments('BTC', EXPIRY_A)]);
    feed(chainTickers('BTC', EXPIRY_SOON, 100_000, EXPIRY_SOON - 3_600_000));
    feed(chainTickers('BTC', EXPIRY_A, 100_300, EXPIRY_SOON - 3_600_000));
    await engine.idle();
    const soon = engine.market.currency('BTC').expiries.get(EXPIRY_SOON)!;
    expect(soon.options.every((o) => o.greeks !== null)).toBe(true);
    changes.length = 0;
    feed([indexEvent('BTC', 100_050, EXPIRY_SOON + 1)]);
    expect([...engine.market.currency('BTC').expiries.keys()]).toEqual([EXPIRY_A]);
    expect(changes).toContainEqual({ kind: 'expiries', currency: 'BTC' });
    feed([optionTicker(optionName('BTC', EXPIRY_SOON, STRIKES[2], 'call'), { forward: 100_000, iv: 0.5, ts: EXPIRY_SOON + 2 })]);
    expect(engine.eventsRejected).toBe(1);
    await engine.idle();
    const remaining = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(remaining.options.every((o) => o.greeks !== null && Number.isFinite(o.greeks.gamma))).toBe(true);
  });
});
