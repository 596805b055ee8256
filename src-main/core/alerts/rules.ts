/**
 * Alert rules as data, evaluated by a pure function over market snapshots (issue 12, item 4). The app stores the
 * rules (migration 009), builds an {@link AlertSnapshot} from each throttled engine snapshot, and keeps the
 * {@link AlertState} between calls; replaying a session feeds the same snapshots and fires the same alerts at the
 * same market times, because nothing here reads a clock: time is the snapshot's market time.
 *
 * Damping, per rule:
 *   hysteresis   a level rule fires when its value crosses the threshold and re-arms only once the value is back
 *                beyond the threshold by `hysteresis` (in the value's unit: percent points, coin, USD, …); the
 *                gamma-flip rule takes `hysteresis` as a dead band in percent of spot around the flip.
 *   minIntervalMs  after a firing, the rule stays silent for this long (market time); what it would have fired
 *                meanwhile is counted in the next alert's `suppressed`.
 */
import type { Currency } from '../market/events';

export type AlertKind =
  | 'gamma-flip-crossed'
  | 'spot-near-wall'
  | 'greek-band'
  | 'margin-usage'
  | 'margin-call-distance'
  | 'proposal-waiting'
  | 'feed-stale'
  | 'order-failed';

export const ALERT_KINDS: readonly AlertKind[] = ['gamma-flip-crossed', 'spot-near-wall', 'greek-band', 'margin-usage', 'margin-call-distance', 'proposal-waiting', 'feed-stale', 'order-failed'];

export type BookGreek = 'delta' | 'gamma' | 'vega';

export interface AlertRule {
  id: string;
  /** The currency the rule watches; null for account-wide rules (feed, proposals, orders). */
  currency: Currency | null;
  kind: AlertKind;
  enabled: boolean;
  /**
   * The threshold, by kind: spot-near-wall percent of spot; greek-band unused (see `band`); margin-usage percent
   * of equity (MM / equity); margin-call-distance percent move; proposal-waiting seconds; feed-stale seconds;
   * gamma-flip-crossed and order-failed unused (0).
   */
  threshold: number;
  /** greek-band only: which greek, and its band [min, max] (delta coin, gamma USD per 1 %, vega USD per vol point). */
  greek?: BookGreek;
  band?: [number, number];
  hysteresis: number;
  minIntervalMs: number;
}

/** Per currency, what the rules read; a field that is not known is null and its rules stay quiet. */
export interface CurrencyAlertInputs {
  spotUsd: number | null;
  gammaFlipUsd: number | null;
  callWallUsd: number | null;
  putWallUsd: number | null;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  /** MM / equity, percent. */
  marginUsagePercent: number | null;
  /** The smaller |move| to a margin call (down or up), percent. */
  marginCallDistancePercent: number | null;
}

export interface AlertSnapshot {
  /** Market time of the snapshot, epoch ms. */
  atMs: number;
  currencies: Partial<Record<Currency, CurrencyAlertInputs>>;
  feed: { connected: boolean; lastEventMs: number | null };
  /** Proposals waiting for the trader, with when they were made. */
  proposals: { id: string; createdMs: number }[];
  /** Orders that failed, with when (ids never repeat). */
  failedOrders: { id: string; atMs: number; reason: string }[];
}

export interface AlertEvent {
  ruleId: string;
  kind: AlertKind;
  currency: Currency | null;
  atMs: number;
  message: string;
  /** The value that fired the rule and the threshold it crossed (null when the kind has none). */
  value: number | null;
  threshold: number | null;
  /** Firings held back by the minimum interval since the previous alert of this rule. */
  suppressed: number;
}

interface RuleState {
  /** Level rules: the condition is active (fired, not yet re-armed). */
  active: boolean;
  /** gamma-flip-crossed: the side of the flip spot was last seen on, outside the dead band (−1 below, +1 above). */
  side: number;
  lastFiredMs: number | null;
  suppressed: number;
  /** order-failed / proposal-waiting: ids already alerted. */
  seen: string[];
}

export type AlertState = Record<string, RuleState>;

export class AlertRuleError extends Error {
  override readonly name = 'AlertRuleError';
}

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Checks a rule read from storage or the UI; returns it typed or throws an AlertRuleError naming the field and
 * the value refused.
 */
export function checkAlertRule(raw: unknown): AlertRule {
  if (typeof raw !== 'object' || raw === null) throw new AlertRuleError('a rule must be an object');
  const r = raw as Record<string, unknown>;
  const id = r['id'];
  if (typeof id !== 'string' || id.trim() === '') throw new AlertRuleError('id: a non-empty string is needed');
  const where = `rule ${id}`;
  const kind = r['kind'];
  if (typeof kind !== 'string' || !(ALERT_KINDS as readonly string[]).includes(kind)) throw new AlertRuleError(`${where}: kind ${JSON.stringify(kind)} is not one of ${ALERT_KINDS.join(', ')}`);
  const currency = r['currency'] ?? null;
  const accountWide = kind === 'proposal-waiting' || kind === 'feed-stale' || kind === 'order-failed';
  if (accountWide ? currency !== null : currency !== 'BTC' && currency !== 'ETH') {
    throw new AlertRuleError(`${where}: currency must be ${accountWide ? 'null for an account-wide rule' : 'BTC or ETH'}, got ${JSON.stringify(currency)}`);
  }
  const enabled = r['enabled'] ?? true;
  if (typeof enabled !== 'boolean') throw new AlertRuleError(`${where}: enabled must be true or false`);
  const threshold = r['threshold'] ?? 0;
  const hysteresis = r['hysteresis'] ?? 0;
  const minIntervalMs = r['minIntervalMs'] ?? 0;
  if (!finite(threshold)) throw new AlertRuleError(`${where}: threshold must be a number, got ${JSON.stringify(threshold)}`);
  if (!finite(hysteresis) || hysteresis < 0) throw new AlertRuleError(`${where}: hysteresis must be a number ≥ 0, got ${JSON.stringify(hysteresis)}`);
  if (!finite(minIntervalMs) || minIntervalMs < 0 || !Number.isInteger(minIntervalMs)) throw new AlertRuleError(`${where}: minIntervalMs must be an integer ≥ 0, got ${JSON.stringify(minIntervalMs)}`);
  const needsPositive = kind === 'spot-near-wall' || kind === 'margin-usage' || kind === 'margin-call-distance' || kind === 'proposal-waiting' || kind === 'feed-stale';
  if (needsPositive && !(threshold > 0)) throw new AlertRuleError(`${where}: threshold must be above 0 for ${kind}, got ${threshold}`);
  const rule: AlertRule = { id, currency: currency as Currency | null, kind: kind as AlertKind, enabled, threshold, hysteresis, minIntervalMs };
  if (kind === 'greek-band') {
    const greek = r['greek'];
    if (greek !== 'delta' && greek !== 'gamma' && greek !== 'vega') throw new AlertRuleError(`${where}: greek must be delta, gamma or vega, got ${JSON.stringify(greek)}`);
    const band = r['band'];
    if (!Array.isArray(band) || band.length !== 2 || !finite(band[0]) || !finite(band[1]) || !(band[0] < band[1])) {
      throw new AlertRuleError(`${where}: band must be [min, max] with min < max, got ${JSON.stringify(band)}`);
    }
    rule.greek = greek;
    rule.band = [band[0], band[1]];
  }
  return rule;
}

function freshState(): RuleState {
  return { active: false, side: 0, lastFiredMs: null, suppressed: 0, seen: [] };
}

const fmt = (x: number, digits = 2): string => x.toLocaleString('en-US', { maximumFractionDigits: digits });

/** A level condition: its value and whether it is past the threshold, and past the re-arm level. */
interface Level {
  value: number | null;
  threshold: number;
  /** Past the threshold: fire (if armed). */
  on: boolean;
  /** Back beyond threshold ± hysteresis: re-arm. */
  off: boolean;
  message: string;
}

function levelOf(rule: AlertRule, inputs: CurrencyAlertInputs | undefined, snapshot: AlertSnapshot): Level | null {
  const h = rule.hysteresis;
  const t = rule.threshold;
  const ccy = rule.currency ?? '';
  switch (rule.kind) {
    case 'spot-near-wall': {
      if (!inputs || inputs.spotUsd === null) return null;
      const spot = inputs.spotUsd;
      const walls = [['call wall', inputs.callWallUsd], ['put wall', inputs.putWallUsd]].filter((w): w is [string, number] => w[1] !== null);
      if (walls.length === 0) return null;
      const [name, wall] = walls.reduce((a, b) => (Math.abs(spot - b[1]) < Math.abs(spot - a[1]) ? b : a));
      const distance = (Math.abs(spot - wall) / spot) * 100;
      return { value: distance, threshold: t, on: distance <= t, off: distance > t + h, message: `${ccy} spot ${fmt(spot)} is ${fmt(distance)} % from the ${name} at ${fmt(wall)}` };
    }
    case 'greek-band': {
      const value = inputs?.[rule.greek!] ?? null;
      if (value === null) return null;
      const [min, max] = rule.band!;
      const outside = value < min || value > max;
      return { value, threshold: value > max ? max : min, on: outside, off: value >= min + h && value <= max - h, message: `${ccy} book ${rule.greek} ${fmt(value, 4)} is outside its band [${fmt(min, 4)}, ${fmt(max, 4)}]` };
    }
    case 'margin-usage': {
      const value = inputs?.marginUsagePercent ?? null;
      if (value === null) return null;
      return { value, threshold: t, on: value >= t, off: value < t - h, message: `${ccy} margin usage ${fmt(value)} % is above ${fmt(t)} %` };
    }
    case 'margin-call-distance': {
      const value = inputs?.marginCallDistancePercent ?? null;
      if (value === null) return null;
      return { value, threshold: t, on: value <= t, off: value > t + h, message: `${ccy} a margin call is ${fmt(value)} % away (alert below ${fmt(t)} %)` };
    }
    case 'feed-stale': {
      const age = snapshot.feed.lastEventMs === null ? Infinity : (snapshot.atMs - snapshot.feed.lastEventMs) / 1000;
      const stale = !snapshot.feed.connected || age >= t;
      return {
        value: Number.isFinite(age) ? age : null,
        threshold: t,
        on: stale,
        off: snapshot.feed.connected && age < Math.max(t - h, 0),
        message: snapshot.feed.connected ? `market feed silent for ${fmt(age, 1)} s (alert at ${fmt(t)} s)` : 'market feed disconnected',
      };
    }
    default:
      return null;
  }
}

function emit(rule: AlertRule, state: RuleState, atMs: number, message: string, value: number | null, threshold: number | null, out: AlertEvent[]): void {
  if (state.lastFiredMs !== null && atMs - state.lastFiredMs < rule.minIntervalMs) {
    state.suppressed++;
    return;
  }
  out.push({ ruleId: rule.id, kind: rule.kind, currency: rule.currency, atMs, message, value, threshold, suppressed: state.suppressed });
  state.lastFiredMs = atMs;
  state.suppressed = 0;
}

/**
 * Evaluates every enabled rule on one snapshot. Pure: returns the new state (the input is not changed) and the
 * alerts fired, in rule order.
 */
export function evaluateAlerts(rules: readonly AlertRule[], previous: AlertState, snapshot: AlertSnapshot): { state: AlertState; fired: AlertEvent[] } {
  const state: AlertState = {};
  const fired: AlertEvent[] = [];
  for (const rule of rules) {
    const s: RuleState = previous[rule.id] ? { ...previous[rule.id]!, seen: [...previous[rule.id]!.seen] } : freshState();
    state[rule.id] = s;
    if (!rule.enabled) continue;
    const inputs = rule.currency === null ? undefined : snapshot.currencies[rule.currency];
    switch (rule.kind) {
      case 'gamma-flip-crossed': {
        if (!inputs || inputs.spotUsd === null || inputs.gammaFlipUsd === null) break;
        const band = (inputs.spotUsd * rule.hysteresis) / 100;
        const side = inputs.spotUsd > inputs.gammaFlipUsd + band ? 1 : inputs.spotUsd < inputs.gammaFlipUsd - band ? -1 : 0;
        if (side !== 0 && s.side !== 0 && side !== s.side) {
          emit(rule, s, snapshot.atMs, `${rule.currency} spot ${fmt(inputs.spotUsd)} crossed the gamma flip ${fmt(inputs.gammaFlipUsd)} (now ${side > 0 ? 'above' : 'below'}: dealers ${side > 0 ? 'long' : 'short'} gamma)`, inputs.spotUsd, inputs.gammaFlipUsd, fired);
        }
        if (side !== 0) s.side = side;
        break;
      }
      case 'proposal-waiting': {
        for (const p of snapshot.proposals) {
          const waited = (snapshot.atMs - p.createdMs) / 1000;
          if (waited >= rule.threshold && !s.seen.includes(p.id)) {
            s.seen.push(p.id);
            emit(rule, s, snapshot.atMs, `proposal ${p.id} has waited ${fmt(waited, 0)} s for a decision`, waited, rule.threshold, fired);
          }
        }
        const waiting = new Set(snapshot.proposals.map((p) => p.id));
        s.seen = s.seen.filter((id) => waiting.has(id));
        break;
      }
      case 'order-failed': {
        for (const order of snapshot.failedOrders) {
          if (s.seen.includes(order.id)) continue;
          s.seen.push(order.id);
          emit(rule, s, snapshot.atMs, `order ${order.id} failed: ${order.reason}`, null, null, fired);
        }
        // The snapshot lists recent failures; ids never repeat, so what left the list need not be remembered.
        const listed = new Set(snapshot.failedOrders.map((o) => o.id));
        s.seen = s.seen.filter((id) => listed.has(id));
        break;
      }
      default: {
        const level = levelOf(rule, inputs, snapshot);
        if (level === null) break;
        if (!s.active && level.on) {
          s.active = true;
          emit(rule, s, snapshot.atMs, level.message, level.value, level.threshold, fired);
        } else if (s.active && level.off) s.active = false;
      }
    }
  }
  return { state, fired };
}
