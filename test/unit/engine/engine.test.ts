/**
 * Engine scheduling with a manual clock and a scripted greeks port: coalescing, seq stamping, stale results,
 * roll-off, errors. The real worker pool is exercised in test/integration/engineWithPool.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { InstrumentRemovedEvent, MarketEvent, SequencedEvent, TradeEvent } from '../../../src-main/core/market/events';
import { coin, MS_PER_YEAR, usd, vol, type EpochMs, type InstrumentName } from '../../../src-main/core/units';
import { Engine, type EngineChange } from '../../../src-main/engine/engine';
import type { ExpiryBook } from '../../../src-main/engine/marketState';
import { GREEKS_INPUT_FIELDS, GREEKS_OUTPUT_FIELDS, type GreeksBatch, type GreeksPort, type GreeksResult } from '../../../src-main/engine/ports';
import { ManualTimers } from '../../helpers/fakeTimers';
import {
  EXPIRY_A,
  EXPIRY_B,
  STRIKES,
  T0,
  chainInstruments,
  chainTickers,
  indexEvent,
  optionDef,
  instrumentEvent,
  optionName,
  optionTicker,
} from '../../helpers/market';

/** A port whose jobs finish only when the test says so; results encode the batch so they can be checked. */
class ScriptedPort implements GreeksPort {
  readonly jobs: { batch: GreeksBatch; resolve: (r: GreeksResult) => void; reject: (e: unknown) => void }[] = [];

  computeGreeks(batch: GreeksBatch): Promise<GreeksResult> {
    return new Promise((resolve, reject) => this.jobs.push({ batch, resolve, reject }));
  }

  /** Finishes job `i` with output field k of row r = 1000 k + r (plus the vol, to tie it to the inputs). */
  finish(i: number): void {
    const { batch, resolve } = this.jobs[i]!;
    const out = new Float64Array(batch.count * GREEKS_OUTPUT_FIELDS);
    for (let k = 0; k < GREEKS_OUTPUT_FIELDS; k++) {
      for (let r = 0; r < batch.count; r++) out[k * batch.count + r] = 1000 * k + r + batch.inputs[3 * batch.count + r]!;
    }
    resolve(out);
  }
}

function setup(coalesceMs = 50, wanted?: (book: ExpiryBook) => boolean) {
  const timers = new ManualTimers();
  const port = new ScriptedPort();
  const changes: EngineChange[] = [];
  const errors: unknown[] = [];
  const engine = new Engine({
    greeks: port,
    scheduler: timers,
    coalesceMs,
    onChange: (c) => changes.push(c),
    onError: (e) => errors.push(e),
    ...(wanted ? { wanted } : {}),
  });
  let seq = 0;
  const feed = (events: readonly MarketEvent[]): SequencedEvent[] =>
    events.map((event) => {
      const sequenced = { ...event, seq: ++seq } as SequencedEvent;
      engine.apply(sequenced, sequenced.seq);
      return sequenced;
    });
  return { timers, port, changes, errors, engine, feed };
}

const flushMicrotasks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Engine scheduling', () => {
  it('defers the greeks of an expiry nobody wants until want() asks for them; a full recompute does them all', async () => {
    const watched = new Set<number>([EXPIRY_A]);
    const { timers, port, feed, engine } = setup(50, (book) => watched.has(book.expiryMs));
    feed([...chainInstruments('BTC', EXPIRY_A), ...chainInstruments('BTC', EXPIRY_B)]);
    feed([...chainTickers('BTC', EXPIRY_A, 100_000), ...chainTickers('BTC', EXPIRY_B, 100_000)]);
    timers.advance(50);
    // Only the watched expiry went to the pool; the other waits, and does not keep the engine busy.
    expect(port.jobs.map((j) => j.batch.count)).toEqual([chainInstruments('BTC', EXPIRY_A).length]);
    port.finish(0);
    await flushMicrotasks();
    await engine.idle();
    const bookB = engine.market.currencies.get('BTC')!.expiries.get(EXPIRY_B)!;
    expect(bookB.options.every((o) => o.greeks === undefined || o.greeks === null)).toBe(true);
    // Its chain is opened: the deferred computation goes out after the coalescing delay.
    watched.add(EXPIRY_B);
    engine.want(bookB);
    expect(port.jobs).toHaveLength(1);
    timers.advance(50);
    expect(port.jobs).toHaveLength(2);
    port.finish(1);
    await flushMicrotasks();
    expect(bookB.options.every((o) => o.greeks !== undefined && o.greeks !== null)).toBe(true);
    // Nobody watches either now; a full recompute (a replay's final analytics) computes both anyway.
    watched.clear();
    const all = engine.recomputeAll();
    await flushMicrotasks();
    expect(port.jobs).toHaveLength(4);
    port.finish(2);
    port.finish(3);
    await all;
  });

  it('coalesces a burst of quotes into one job per expiry after coalesceMs', async () => {
    const { timers, port, feed } = setup(50);
    feed([...chainInstruments('BTC', EXPIRY_A), ...chainInstruments('BTC', EXPIRY_B)]);
    for (let i = 0; i < 20; i++) feed(chainTickers('BTC', EXPIRY_A, 100_000 + i));
    feed(chainTickers('BTC', EXPIRY_B, 101_000));
    expect(port.jobs).toHaveLength(0);
    expect(timers.pending).toBe(1);
    timers.advance(49);
    expect(port.jobs).toHaveLength(0);
    timers.advance(1);
    expect(port.jobs).toHaveLength(2);
    expect(port.jobs.map((j) => j.batch.count)).toEqual([10, 10]);
  });

  it('packs the batch field by field: forward, strike, years, vol, isCall', () => {
    const { timers, port, engine, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    const tickers = feed(chainTickers('BTC', EXPIRY_A, 100_500, T0 + 60_000));
    timers.advance(50);
    const { count, inputs } = port.jobs[0]!.batch;
    expect(inputs).toBeInstanceOf(Float64Array);
    expect(inputs.length).toBe(count * GREEKS_INPUT_FIELDS);
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    const years = (EXPIRY_A - (T0 + 60_000)) / MS_PER_YEAR;
    book.options.forEach((option, i) => {
      const ticker = tickers.find((t) => t.type === 'option_ticker' && t.instrument === option.def.name)!;
      expect(inputs[i]).toBe(100_500);
      expect(inputs[count + i]).toBe(option.def.strikeUsd);
      expect(inputs[2 * count + i]).toBe(years);
      expect(inputs[3 * count + i]).toBe(ticker.type === 'option_ticker' ? ticker.markIv : NaN);
      expect(inputs[4 * count + i]).toBe(option.def.optionType === 'call' ? 1 : 0);
    });
  });

  it('options without a ticker go in as NaN', () => {
    const { timers, port, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A, [100_000]));
    feed([optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 100_000, iv: 0.5 })]);
    timers.advance(50);
    const { inputs } = port.jobs[0]!.batch;
    // Row 0 = call (ticked), row 1 = put (no ticker).
    expect(inputs[0]).toBe(100_000);
    expect(Number.isNaN(inputs[1]!)).toBe(true);
    expect(Number.isNaN(inputs[3 * 2 + 1]!)).toBe(true);
  });

  it('writes results back, stamps greeksSeq with the seq the inputs came from, and emits a greeks change', async () => {
    const { timers, port, engine, changes, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    const tickers = feed(chainTickers('BTC', EXPIRY_A, 100_000));
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    timers.advance(50);
    timers.nowMs += 7; // the job takes 7 ms on the scheduler's clock
    port.finish(0);
    await engine.idle();
    expect(book.greeksSeq).toBe(tickers.at(-1)!.seq);
    expect(book.greeksComputeMs).toBe(7);
    const vol0 = book.options[0]!.ticker!.markIv;
    expect(book.options[0]!.greeks).toEqual({
      priceUsd: vol0,
      delta: 1000 + vol0,
      gamma: 2000 + vol0,
      vega: 3000 + vol0,
      theta: 4000 + vol0,
      ivBid: 5000 + vol0,
      ivAsk: 6000 + vol0,
      ivMark: 7000 + vol0,
    });
    expect(changes.filter((c) => c.kind === 'greeks')).toHaveLength(1);
  });

  it('quotes arriving while a job runs: the result keeps the old seq, then one more job catches up', async () => {
    const { timers, port, engine, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    const first = feed(chainTickers('BTC', EXPIRY_A, 100_000));
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    timers.advance(50);
    expect(port.jobs).toHaveLength(1);
    // A burst while the job is in flight.
    for (let i = 1; i <= 5; i++) feed(chainTickers('BTC', EXPIRY_A, 100_000 + i));
    const lastSeq = engine.market.seq;
    timers.advance(50); // the timer fires but the book is in flight: no second concurrent job
    expect(port.jobs).toHaveLength(1);
    let idle = false;
    void engine.idle().then(() => (idle = true));
    port.finish(0);
    await flushMicrotasks();
    expect(book.greeksSeq).toBe(first.at(-1)!.seq);
    expect(book.quotesSeq).toBe(lastSeq);
    expect(idle).toBe(false);
    timers.advance(50);
    expect(port.jobs).toHaveLength(2);
    expect(port.jobs[1]!.batch.inputs[0]).toBe(100_005); // the newest forward
    port.finish(1);
    await flushMicrotasks();
    expect(book.greeksSeq).toBe(lastSeq);
    expect(idle).toBe(true);
  });

  it('discards a result computed for an instrument list that changed meanwhile, and recomputes', async () => {
    const { timers, port, engine, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    feed(chainTickers('BTC', EXPIRY_A, 100_000));
    timers.advance(50);
    feed([instrumentEvent(optionDef('BTC', EXPIRY_A, 130_000, 'call'))]);
    port.finish(0);
    await flushMicrotasks();
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(book.greeksSeq).toBe(0);
    expect(book.options.every((o) => o.greeks === null)).toBe(true);
    timers.advance(50);
    expect(port.jobs).toHaveLength(2);
    expect(port.jobs[1]!.batch.count).toBe(11);
    port.finish(1);
    await engine.idle();
    expect(book.options.every((o) => o.greeks !== null)).toBe(true);
  });

  it('idle() resolves at once when nothing is pending', async () => {
    const { engine } = setup();
    await expect(engine.idle()).resolves.toBeUndefined();
  });

  it('a failing job is reported through onError and the engine recovers', async () => {
    const { timers, port, engine, errors, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    feed(chainTickers('BTC', EXPIRY_A, 100_000));
    timers.advance(50);
    port.jobs[0]!.reject(new Error('worker died'));
    await engine.idle();
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('worker died');
    feed(chainTickers('BTC', EXPIRY_A, 100_100));
    timers.advance(50);
    port.finish(1);
    await engine.idle();
    expect(engine.market.currency('BTC').expiries.get(EXPIRY_A)!.greeksSeq).toBe(engine.market.seq);
  });

  it('counts unknown-instrument tickers as rejected, keeps the last reason, and does not count them as applied', () => {
    const { engine, port, timers, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    const applied = engine.eventsApplied;
    feed([optionTicker('BTC-25DEC26-777-C', { forward: 1, iv: 0.5 }), optionTicker('BTC-25DEC26-778-P', { forward: 1, iv: 0.5 })]);
    expect(engine.eventsRejected).toBe(2);
    expect(engine.eventsApplied).toBe(applied);
    expect(engine.lastRejection).toBe('ticker for unknown option BTC-25DEC26-778-P');
    timers.advance(50);
    // Instruments alone dirty the book once; rejected tickers add nothing.
    expect(port.jobs).toHaveLength(1);
  });

  it('counts and skips an event the rules refuse (open interest -5, time 1e20) instead of throwing', () => {
    const { engine, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    const name = optionName('BTC', EXPIRY_A, STRIKES[0]!, 'call');
    const applied = engine.eventsApplied;
    // Until the rules ran in MarketState.apply, the first threw a RangeError out of the dealer-flow estimator.
    expect(() => feed([optionTicker(name, { forward: 90_000, iv: 0.5, openInterest: -5 })])).not.toThrow();
    expect(engine.lastRejection).toBe(`seq ${engine.market.seq}: ${name}: open interest -5 is not >= 0`);
    feed([{ ...optionTicker(name, { forward: 90_000, iv: 0.5 }), tsEvent: 1e20 as EpochMs }]);
    expect(engine.lastRejection).toMatch(/timestamp 100000000000000000000 is not an epoch-ms time/);
    expect(engine.eventsRejected).toBe(2);
    expect(engine.eventsApplied).toBe(applied);
    expect(engine.market.timeMs).toBeLessThan(1e16);
    expect(engine.market.option(name)!.state.ticker).toBeNull();
    // A valid event after them applies as usual.
    feed([optionTicker(name, { forward: 90_000, iv: 0.5 })]);
    expect(engine.market.option(name)!.state.ticker).not.toBeNull();
  });

  it('emits quotes and expiries changes for instruments, quotes only for tickers', () => {
    const { changes, feed } = setup();
    feed([instrumentEvent(optionDef('ETH', EXPIRY_A, 4000, 'call'))]);
    expect(changes.map((c) => c.kind)).toEqual(['quotes', 'expiries']);
    changes.length = 0;
    feed([optionTicker(optionName('ETH', EXPIRY_A, 4000, 'call'), { forward: 4000, iv: 0.6 })]);
    expect(changes.map((c) => c.kind)).toEqual(['quotes']);
    changes.length = 0;
    feed([indexEvent('ETH', 3990)]);
    expect(changes).toEqual([{ kind: 'currency', currency: 'ETH' }]);
  });

  it('rolls expiries off once market time reaches them, dropping their pending work', async () => {
    const { timers, port, engine, changes, feed } = setup();
    feed([...chainInstruments('BTC', EXPIRY_A), ...chainInstruments('BTC', EXPIRY_B)]);
    feed(chainTickers('BTC', EXPIRY_A, 100_000, EXPIRY_A - 1000));
    changes.length = 0;
    feed([indexEvent('BTC', 100_000, EXPIRY_A)]);
    expect([...engine.market.currency('BTC').expiries.keys()]).toEqual([EXPIRY_B]);
    expect(changes).toContainEqual({ kind: 'expiries', currency: 'BTC' });
    timers.advance(50);
    expect(port.jobs).toHaveLength(1); // only EXPIRY_B is still dirty
    expect(port.jobs[0]!.batch.count).toBe(STRIKES.length * 2);
    port.finish(0);
    await engine.idle();
    feed([optionTicker(optionName('BTC', EXPIRY_A, 100_000, 'call'), { forward: 1, iv: 0.5, ts: EXPIRY_A + 1 })]);
    expect(engine.lastRejection).toMatch(/unknown option BTC-25DEC26-100000-C/);
  });

  it('a delisted option leaves the running computation stale, the recomputed batch, and the dealer flow', async () => {
    const { timers, port, engine, changes, feed } = setup();
    const name = optionName('BTC', EXPIRY_A, 100_000, 'call');
    feed([...chainInstruments('BTC', EXPIRY_A), ...chainTickers('BTC', EXPIRY_A, 100_000)]);
    const trade: TradeEvent = {
      type: 'trade', tsEvent: T0 as EpochMs, tsRecv: T0 as EpochMs, instrument: name, tradeId: 't1', price: coin(0.05), priceUnit: 'coin',
      amount: 3, takerSide: 'buy', iv: vol(0.5), indexPriceUsd: usd(100_000), blockTradeId: null, liquidation: false,
    };
    feed([trade]);
    expect(engine.flow('BTC').position(name)).toBe(-3); // the customer bought: the dealer is short
    timers.advance(50);
    expect(port.jobs).toHaveLength(1);
    const instrumentsBefore = engine.flow('BTC').summarize().instruments;
    changes.length = 0;
    const removal: InstrumentRemovedEvent = { type: 'instrument_removed', tsEvent: T0 as EpochMs, tsRecv: T0 as EpochMs, instrument: name as InstrumentName, reason: 'terminated' };
    feed([removal]);
    expect(changes.map((c) => c.kind)).toEqual(['quotes', 'expiries']);
    expect(engine.flow('BTC').position(name)).toBe(0);
    expect(engine.flow('BTC').summarize().instruments).toBe(instrumentsBefore - 1);
    port.finish(0); // computed for the old list: discarded, and the book recomputed without the option
    await flushMicrotasks();
    timers.advance(50);
    expect(port.jobs).toHaveLength(2);
    expect(port.jobs[1]!.batch.count).toBe(STRIKES.length * 2 - 1);
    port.finish(1);
    await engine.idle();
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(book.options.every((o) => o.greeks !== null && o.def.name !== name)).toBe(true);
  });

  it('a job still in the pool at dispose is ignored when it returns: no greeks written, no change, no new job', async () => {
    const { timers, port, engine, changes, errors, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    feed(chainTickers('BTC', EXPIRY_A, 100_000));
    timers.advance(50);
    feed([instrumentEvent(optionDef('BTC', EXPIRY_A, 130_000, 'call'))]); // would normally force a recompute
    let idle = false;
    void engine.idle().then(() => (idle = true));
    engine.dispose();
    changes.length = 0;
    port.finish(0);
    await flushMicrotasks();
    expect(idle).toBe(true);
    const book = engine.market.currency('BTC').expiries.get(EXPIRY_A)!;
    expect(book.greeksSeq).toBe(0);
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
    expect(timers.pending).toBe(0);
    timers.advance(1000);
    expect(port.jobs).toHaveLength(1);
  });

  it('a job that fails because the pool is closing after dispose is not reported as an error', async () => {
    const { timers, port, engine, errors, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    timers.advance(50);
    const idle = engine.idle();
    engine.dispose();
    port.jobs[0]!.reject(new Error('Terminating worker thread'));
    await idle;
    expect(errors).toEqual([]);
  });

  it('dispose cancels the pending timer and releases idle waiters', async () => {
    const { timers, port, engine, feed } = setup();
    feed(chainInstruments('BTC', EXPIRY_A));
    const idle = engine.idle();
    engine.dispose();
    await idle;
    expect(timers.pending).toBe(0);
    timers.advance(1000);
    expect(port.jobs).toHaveLength(0);
  });
});
