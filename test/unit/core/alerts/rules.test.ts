/**
 * Alert rules: checked as data, evaluated purely over snapshots. The replay test feeds the real Deribit
 * BTC-PERPETUAL hourly closes of ../shared/data/lucashonorato_deribit_btc_perp_1h.csv (2026-02-27 … 2026-04-28) as
 * spot, against a fixed gamma flip, and expects the flip alert exactly at the hours the closes cross the flip's
 * dead band (found by a direct scan of the file); replaying twice gives the same alerts.
 */
import { describe, expect, it } from 'vitest';
import { readSharedText } from '../pricing/sharedData';
import { AlertRuleError, checkAlertRule, evaluateAlerts, type AlertEvent, type AlertRule, type AlertSnapshot, type AlertState, type CurrencyAlertInputs } from '../../../../src-main/core/alerts/rules';

const EMPTY: CurrencyAlertInputs = { spotUsd: null, gammaFlipUsd: null, callWallUsd: null, putWallUsd: null, delta: null, gamma: null, vega: null, marginUsagePercent: null, marginCallDistancePercent: null };

function snapshot(atMs: number, btc: Partial<CurrencyAlertInputs>, extra: Partial<AlertSnapshot> = {}): AlertSnapshot {
  return { atMs, currencies: { BTC: { ...EMPTY, ...btc } }, feed: { connected: true, lastEventMs: atMs }, proposals: [], failedOrders: [], ...extra };
}

function replay(rules: AlertRule[], snapshots: AlertSnapshot[]): AlertEvent[] {
  let state: AlertState = {};
  const all: AlertEvent[] = [];
  for (const s of snapshots) {
    const result = evaluateAlerts(rules, state, s);
    state = result.state;
    all.push(...result.fired);
  }
  return all;
}

const rule = (over: Record<string, unknown>): AlertRule => checkAlertRule({ id: 'r1', currency: 'BTC', kind: 'margin-usage', threshold: 80, hysteresis: 5, minIntervalMs: 0, ...over });

describe('alert rules as data', () => {
  it('rejects bad rules with the field and the value', () => {
    expect(() => checkAlertRule(null)).toThrow(AlertRuleError);
    expect(() => checkAlertRule({ id: '', kind: 'margin-usage' })).toThrow(/id: a non-empty string/);
    expect(() => rule({ kind: 'volcano' })).toThrow(/rule r1: kind "volcano" is not one of/);
    expect(() => rule({ currency: 'SOL' })).toThrow(/currency must be BTC or ETH, got "SOL"/);
    expect(() => rule({ kind: 'feed-stale', currency: 'BTC' })).toThrow(/null for an account-wide rule/);
    expect(() => rule({ threshold: 'high' })).toThrow(/threshold must be a number, got "high"/);
    expect(() => rule({ threshold: 0 })).toThrow(/threshold must be above 0 for margin-usage/);
    expect(() => rule({ hysteresis: -1 })).toThrow(/hysteresis must be a number ≥ 0/);
    expect(() => rule({ minIntervalMs: 1.5 })).toThrow(/minIntervalMs must be an integer/);
    expect(() => rule({ kind: 'greek-band', greek: 'rho', band: [0, 1] })).toThrow(/greek must be delta, gamma or vega/);
    expect(() => rule({ kind: 'greek-band', greek: 'delta', band: [1, -1] })).toThrow(/band must be \[min, max\] with min < max/);
    expect(rule({ kind: 'greek-band', greek: 'delta', band: [-1, 1] }).band).toEqual([-1, 1]);
  });
});

describe('evaluation', () => {
  it('margin usage fires once on crossing, re-arms only below threshold − hysteresis, and respects the minimum interval', () => {
    const usage = [70, 81, 90, 79, 82, 74, 85, 60, 95];
    const events = replay([rule({ minIntervalMs: 0 })], usage.map((u, i) => snapshot(i * 60_000, { marginUsagePercent: u })));
    // 81 fires; 79 and 82 are inside the band (no re-arm); 74 re-arms; 85 fires; 60 re-arms; 95 fires.
    expect(events.map((e) => e.value)).toEqual([81, 85, 95]);
    expect(events[0]!.message).toBe('BTC margin usage 81 % is above 80 %');
    const damped = replay([rule({ minIntervalMs: 5 * 60_000 })], usage.map((u, i) => snapshot(i * 60_000, { marginUsagePercent: u })));
    // 85 at minute 6 comes 5 min after 81 at minute 1: fires; 95 at minute 8 is 2 min after it: held back.
    expect(damped.map((e) => [e.atMs / 60_000, e.value])).toEqual([[1, 81], [6, 85]]);
    const later = evaluateAlerts([rule({ minIntervalMs: 5 * 60_000 })], replayState([rule({ minIntervalMs: 5 * 60_000 })], usage.map((u, i) => snapshot(i * 60_000, { marginUsagePercent: u }))), snapshot(20 * 60_000, { marginUsagePercent: 50 }));
    expect(later.fired).toEqual([]);
  });

  it('greek band, wall distance and margin-call distance fire on their conditions; unknown inputs stay quiet', () => {
    const rules = [
      rule({ id: 'delta', kind: 'greek-band', greek: 'delta', band: [-2, 2], hysteresis: 0.5 }),
      rule({ id: 'wall', kind: 'spot-near-wall', threshold: 1, hysteresis: 0.2 }),
      rule({ id: 'call', kind: 'margin-call-distance', threshold: 10, hysteresis: 2 }),
    ];
    const events = replay(rules, [
      snapshot(0, {}),
      snapshot(1, { delta: 2.5, spotUsd: 89_500, callWallUsd: 90_000, putWallUsd: 85_000, marginCallDistancePercent: 9 }),
    ]);
    expect(events.map((e) => e.ruleId)).toEqual(['delta', 'wall', 'call']);
    expect(events[1]!.message).toBe('BTC spot 89,500 is 0.56 % from the call wall at 90,000');
  });

  it('feed stale or disconnected, a proposal waiting, an order failed: each once', () => {
    const rules = [
      checkAlertRule({ id: 'feed', currency: null, kind: 'feed-stale', threshold: 10, hysteresis: 5 }),
      checkAlertRule({ id: 'prop', currency: null, kind: 'proposal-waiting', threshold: 60 }),
      checkAlertRule({ id: 'order', currency: null, kind: 'order-failed' }),
    ];
    const base = (atMs: number, extra: Partial<AlertSnapshot>): AlertSnapshot => ({ atMs, currencies: {}, feed: { connected: true, lastEventMs: atMs }, proposals: [], failedOrders: [], ...extra });
    const events = replay(rules, [
      base(0, { proposals: [{ id: 'p1', createdMs: 0 }] }),
      base(30_000, { feed: { connected: true, lastEventMs: 15_000 }, proposals: [{ id: 'p1', createdMs: 0 }] }),
      base(61_000, { feed: { connected: false, lastEventMs: 15_000 }, proposals: [{ id: 'p1', createdMs: 0 }], failedOrders: [{ id: 'o1', atMs: 60_000, reason: 'not_enough_funds' }] }),
      base(62_000, { proposals: [{ id: 'p1', createdMs: 0 }], failedOrders: [{ id: 'o1', atMs: 60_000, reason: 'not_enough_funds' }] }),
    ]);
    expect(events.map((e) => [e.ruleId, e.atMs])).toEqual([['feed', 30_000], ['prop', 61_000], ['order', 61_000]]);
    expect(events[0]!.message).toBe('market feed silent for 15 s (alert at 10 s)');
    expect(events[2]!.message).toBe('order o1 failed: not_enough_funds');
  });

  it('does not change the state it is given', () => {
    const r = [rule({})];
    const state = replayState(r, [snapshot(0, { marginUsagePercent: 90 })]);
    const copy = JSON.stringify(state);
    evaluateAlerts(r, state, snapshot(1, { marginUsagePercent: 50 }));
    expect(JSON.stringify(state)).toBe(copy);
  });
});

function replayState(rules: AlertRule[], snapshots: AlertSnapshot[]): AlertState {
  let state: AlertState = {};
  for (const s of snapshots) state = evaluateAlerts(rules, state, s).state;
  return state;
}

describe('replay on the real BTC-PERPETUAL hourly history', () => {
  const lines = readSharedText('data', 'lucashonorato_deribit_btc_perp_1h.csv').trim().split('\n').slice(1);
  const hours = lines.map((line) => {
    const cells = line.split(',');
    return { atMs: Date.parse(cells[0]!.replace(' ', 'T')), close: Number(cells[4]) };
  });
  const FLIP = 70_000;
  const BAND_PERCENT = 0.5;
  const flipRule = checkAlertRule({ id: 'flip', currency: 'BTC', kind: 'gamma-flip-crossed', threshold: 0, hysteresis: BAND_PERCENT, minIntervalMs: 0 });
  const snapshots = hours.map((h) => snapshot(h.atMs, { spotUsd: h.close, gammaFlipUsd: FLIP }));

  it('fires the gamma-flip alert exactly at the hours the closes cross the flip beyond its dead band', () => {
    // Direct scan: a side is above/below when the close is beyond FLIP ± 0.5 % of the close; inside it keeps the last side.
    const expected: number[] = [];
    let side = 0;
    for (const h of hours) {
      const band = (h.close * BAND_PERCENT) / 100;
      const now = h.close > FLIP + band ? 1 : h.close < FLIP - band ? -1 : 0;
      if (now !== 0 && side !== 0 && now !== side) expected.push(h.atMs);
      if (now !== 0) side = now;
    }
    expect(hours).toHaveLength(1441);
    expect(expected.length).toBeGreaterThan(2); // the history does cross 70 000 more than twice
    const events = replay([flipRule], snapshots);
    expect(events.map((e) => e.atMs)).toEqual(expected);
    expect(events[0]!.message).toMatch(/^BTC spot [\d,.]+ crossed the gamma flip 70,000 \(now (above|below): dealers (long|short) gamma\)$/);
    // Deterministic: the same replay gives the same alerts.
    expect(replay([flipRule], snapshots)).toEqual(events);
  });

  it('a minimum interval of a day holds crossings back and counts them', () => {
    const daily = { ...flipRule, minIntervalMs: 86_400_000 };
    const all = replay([flipRule], snapshots);
    const damped = replay([daily], snapshots);
    expect(damped.length).toBeLessThan(all.length);
    expect(damped.reduce((n, e) => n + e.suppressed, 0)).toBeLessThanOrEqual(all.length - damped.length);
    for (let i = 1; i < damped.length; i++) expect(damped[i]!.atMs - damped[i - 1]!.atMs).toBeGreaterThanOrEqual(86_400_000);
  });
});
