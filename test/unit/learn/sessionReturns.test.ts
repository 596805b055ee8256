/**
 * A recorded session as a returns source (learn/sessionReturns.ts): previous-tick sampling of the index on a
 * market-time grid, checked on a hand-written session whose every price is known (a gap, a bad price, events on a
 * grid point), the chronological 70/30 split that never overlaps, the problem it poses (realized vol of the training
 * part, maturity in intervals), and the clear errors (unknown session, no such currency, too few samples).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MS_PER_YEAR, epochMs, usd } from '../../../src-main/core/units';
import { openDatabase, type Db } from '../../../src-main/store/database';
import { EventLog, EventRecorder } from '../../../src-main/store/eventLog';
import {
  aggregateReturns, chronologicalSplit, logReturnsOf, MIN_SESSION_RETURNS, readSessionReturns, sampleOnGrid, SessionReturnsError, sessionProblem, sessionRow, sessionSpans,
} from '../../../src-main/learn/sessionReturns';
import { findSession } from '../../../src-main/app/backtest/backtest';
import { makeTempDir } from '../../helpers/tmp';

const temp = makeTempDir('gammadesk-session-returns-');
afterAll(() => temp.remove());

const T0 = Date.UTC(2026, 10, 21, 12, 0, 0);
/** The hand-written index: event i at T0 + 20 s·i, price p(i); none for i in 61..71 (a 4-minute gap). */
const price = (i: number): number => 50_000 + 7 * i + 40 * Math.sin(i);
const GAP = (i: number): boolean => i >= 61 && i <= 71;

function handWritten(db: Db, name: string, options: { events?: number; eth?: boolean; bad?: boolean } = {}): number {
  const log = new EventLog(db);
  const session = log.createSession(name, 'recording', T0);
  const recorder = new EventRecorder(log, session.id);
  const index = (ms: number, currency: 'BTC' | 'ETH', p: number) => recorder.record({ type: 'index', tsEvent: epochMs(ms), tsRecv: epochMs(ms), currency, priceUsd: usd(p) });
  for (let i = 0; i <= (options.events ?? 120); i++) {
    if (GAP(i)) continue;
    index(T0 + 20_000 * i, 'BTC', price(i));
    if (options.eth) index(T0 + 20_000 * i, 'ETH', 3000 + i);
    // A bad price inside the gap: rejected, counted, and the grid keeps the last good index.
    if (options.bad && i === 60) index(T0 + 20_000 * i + 30_000, 'BTC', -5);
  }
  recorder.close();
  return session.id;
}

/** The event index sampled at grid point k (60 s grid): 3k, except across the gap, where event 60 is the last. */
const sampled = (k: number): number => (k >= 21 && k <= 23 ? 60 : 3 * k);

describe('sampling on a market-time grid', () => {
  it('previous tick: the sample at t_k is the last observation at or before t_k; equal times take the last', () => {
    const grid = sampleOnGrid([0, 10, 60, 60, 200], [1, 2, 3, 4, 5], 60, 250);
    expect(Array.from(grid.times)).toEqual([0, 60, 120, 180, 240]);
    expect(Array.from(grid.prices)).toEqual([1, 4, 4, 4, 5]);
    // 120 and 180 saw nothing new.
    expect(grid.stale).toBe(2);
    expect(() => sampleOnGrid([0], [1], 0, 10)).toThrow(/interval must be a positive number of ms, got 0/);
  });

  it('reads the hand-written session: 41 one-minute samples with the known prices, the gap stale, the bad price rejected', () => {
    const db = openDatabase(path.join(temp.dir, 'hand.db'));
    try {
      const id = handWritten(db, 'hand', { eth: true, bad: true });
      const data = readSessionReturns(db, 'hand', 'BTC');
      expect(data.session).toMatchObject({ id, name: 'hand', firstEventMs: T0, lastEventMs: T0 + 2_400_000 });
      expect(data.series).toBe('index');
      expect(data.times.length).toBe(41);
      for (let k = 0; k <= 40; k++) {
        expect(data.times[k]).toBe(T0 + 60_000 * k);
        expect(data.prices[k]).toBe(price(sampled(k)));
      }
      expect(data.stale).toBe(3);
      expect(data.rejected).toBe(1);
      expect(data.lastRejection).toMatch(/^seq \d+: BTC index -5 is not > 0$/);
      for (let k = 0; k < 40; k++) expect(data.logReturns[k]).toBeCloseTo(Math.log(price(sampled(k + 1)) / price(sampled(k))), 15);
      // By numeric id too, and ETH is there as well; a 30-second grid doubles the samples (t = 630 s: event 31 at 620 s).
      expect(readSessionReturns(db, id, 'ETH').prices[40]).toBe(3120);
      const half = readSessionReturns(db, String(id), 'BTC', { intervalMs: 30_000 });
      expect(half.times.length).toBe(81);
      expect(half.prices[20]).toBe(price(30));
      expect(half.prices[21]).toBe(price(31));
      expect(sessionSpans(data)).toBe(`session ${id} "hand" BTC index at 60 s: training 2026-11-21 12:00..2026-11-21 12:28 UTC (28 returns), held out 2026-11-21 12:28..2026-11-21 12:40 UTC (12 returns)`);
    } finally {
      db.close();
    }
  });

  it('clear errors: unknown session (listing the known), no such currency, too few samples (naming the minimum), bad interval', () => {
    const db = openDatabase(path.join(temp.dir, 'errors.db'));
    try {
      const id = handWritten(db, 'btc only');
      handWritten(db, 'short', { events: 60 });
      const unknown = (() => {
        try {
          readSessionReturns(db, 'nope', 'BTC');
        } catch (error) {
          return error;
        }
        return null;
      })();
      expect(unknown).toBeInstanceOf(SessionReturnsError);
      expect((unknown as SessionReturnsError).notFound).toBe(true);
      expect((unknown as Error).message).toMatch(new RegExp(`no recorded session named or numbered "nope"; sessions: .*${id} "btc only"`));
      expect(() => readSessionReturns(db, 'btc only', 'ETH')).toThrow(/session "btc only" has no ETH index \(it has BTC\)/);
      // 60 events of 20 s = 20 minutes = 20 returns < 30.
      expect(MIN_SESSION_RETURNS).toBe(30);
      expect(() => readSessionReturns(db, 'short', 'BTC')).toThrow(/gives 20 BTC index returns at 60 s intervals; at least 30 are needed/);
      expect(() => readSessionReturns(db, 'btc only', 'BTC', { intervalMs: 500 })).toThrow(/at least 1000 \(1 s\), got 500/);
    } finally {
      db.close();
    }
  });
});

describe('the chronological split', () => {
  it('first 70 % train, last 30 % test: disjoint, adjacent, covering every return, train strictly earlier', () => {
    for (const n of [30, 31, 40, 97, 1000]) {
      const times = Float64Array.from({ length: n + 1 }, (_, i) => T0 + 60_000 * i);
      const returns = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 1e-3);
      const { train, test } = chronologicalSplit(times, returns);
      expect(train.from).toBe(0);
      expect(train.to).toBe(Math.floor(0.7 * n));
      // Never overlapping: the test part starts where training ends, in index and in time.
      expect(test.from).toBe(train.to);
      expect(train.toMs).toBeLessThanOrEqual(test.fromMs);
      expect(test.to).toBe(n);
      expect([...train.returns, ...test.returns]).toEqual([...returns]);
      expect(Math.max(...Array.from({ length: train.to - train.from }, (_, i) => times[train.from + i + 1]!))).toBeLessThanOrEqual(Math.min(...Array.from({ length: test.to - test.from }, (_, i) => times[test.from + i]!)));
    }
    expect(() => chronologicalSplit([0, 1], new Float64Array(2))).toThrow(/2 returns need 3 times/);
  });
});

describe('the hedging problem of a session', () => {
  it('S0 = K = 1, a 60-minute ATM call stepped every minute, at the training part\'s realized vol; steps aggregate intervals', () => {
    const db = openDatabase(path.join(temp.dir, 'problem.db'));
    try {
      handWritten(db, 'hand');
      const data = readSessionReturns(db, 'hand', 'BTC');
      const p = sessionProblem(data);
      const train = Array.from({ length: 28 }, (_, k) => Math.log(price(sampled(k + 1)) / price(sampled(k))));
      const mean = train.reduce((a, b) => a + b, 0) / train.length;
      const variance = train.reduce((a, b) => a + (b - mean) ** 2, 0) / (train.length - 1);
      // Realized vol: sample standard deviation of the 1-minute returns × √(minutes per ACT/365 year).
      expect(p.realizedVol).toBeCloseTo(Math.sqrt(variance * 365 * 24 * 60), 10);
      expect(p.problem).toEqual({ s0: 1, sigma: p.realizedVol, dt: 60_000 / MS_PER_YEAR, contract: { strike: 1, isCall: true, maturity: 3_600_000 / MS_PER_YEAR }, cost: 5e-4, lambda: 1 });
      expect(Array.from(p.trainSteps)).toEqual(Array.from(data.train.returns));
      expect(p.testSteps.length).toBe(12);
      // Two intervals a step: sums of pairs, maturity 60 minutes = 30 steps; the held-out part is then too short.
      expect(Array.from(aggregateReturns(Float64Array.from([1, 2, 3, 4, 5]), 2))).toEqual([3, 7]);
      expect(() => sessionProblem(data, { rebalanceIntervals: 2 })).toThrow(/the held-out part of session "hand" has 6 steps of 2 interval\(s\); at least 10 \(two blocks of 5\) are needed/);
      expect(() => sessionProblem(data, { maturityIntervals: 7, rebalanceIntervals: 2 })).toThrow(/maturityIntervals must be a positive multiple of rebalanceIntervals \(2\), got 7/);
      expect(logReturnsOf([1, Math.E])[0]).toBe(1);
    } finally {
      db.close();
    }
  });

  it('a numeric session id is an id only: a session named "2" is not taken for session id 2; text is a name first (the CLI)', () => {
    const db = openDatabase(path.join(temp.dir, 'ids.db'));
    try {
      const namedTwo = handWritten(db, '2', { events: 120 });
      const second = handWritten(db, 'second', { events: 100 });
      expect([namedTwo, second]).toEqual([1, 2]);
      // By id (the app's sessionId, the backtest's request): session 2 "second", 100 events of 20 s = 33 minutes.
      expect(readSessionReturns(db, 2, 'BTC').session.name).toBe('second');
      expect(sessionRow(db, 2).id).toBe(second);
      expect(findSession(new EventLog(db), 2).name).toBe('second');
      // By text (the CLI's --session): the name first.
      expect(sessionRow(db, '2').id).toBe(namedTwo);
      expect(() => sessionRow(db, 3)).toThrow(/^no recorded session with id 3; sessions: (2 "second", 1 "2"|1 "2", 2 "second")$/);
    } finally {
      db.close();
    }
  });
});
