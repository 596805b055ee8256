/**
 * Alerts in the app (issue 12, item 4): the stored rules (store/alerts.ts) evaluated every publish round on the
 * market time of the feed clock (core/alerts/rules.ts evaluateAlerts: hysteresis and minimum interval), from what
 * the app already has — the index and the book's greeks per currency, margin usage and the distance to a margin
 * call from the latest risk snapshot (when the Risk view or a script watches it; otherwise those rules stay quiet),
 * the feed's state, waiting proposals and failed recommendations. Each alert is stored with the session name,
 * appended to the audit log and published on the `alerts` stream. Gamma-flip and wall rules read the levels of the
 * naive exposure stream (sticky strike); while such a rule is enabled the service keeps that stream subscribed, so
 * the kernel computes it even with no Exposure view open (and stops when the rule goes).
 */
import { ApiException } from '../api/errors';
import type { AlertsDto } from '../api/contract/alerts';
import type { ExposureSnapshot, FeedStatus, RiskSnapshot } from '../api/dto';
import { AlertRuleError, evaluateAlerts, type AlertRule, type AlertSnapshot, type AlertState, type CurrencyAlertInputs } from '../core/alerts/rules';
import type { CheckedPosition } from '../core/book/position';
import { valueBook } from '../core/book/valuation';
import { CURRENCIES, type Currency } from '../core/market/events';
import { exposureKey, type ExposureStream } from '../engine/exposureSnapshot';
import { bookMarket } from '../engine/bookMarket';
import type { MarketState } from '../engine/marketState';
import { AlertRepository } from '../store/alerts';
import type { AuditLog } from '../store/audit';
import type { Db } from '../store/database';
import type { Recommendation } from '../store/recommendations';
import type { ApiHub, CommandHandlers, TopicResolvers } from './hub';

/** The exposure stream whose levels (flip, walls) the gamma-flip and wall rules read. */
const levelStream = (currency: Currency): ExposureStream => ({ currency, convention: 'naive', dynamics: 'stickyStrike' });

export interface AlertServiceDeps {
  db: Db;
  hub: ApiHub;
  audit: AuditLog;
  market: () => MarketState;
  book: () => readonly CheckedPosition[];
  feed: () => FeedStatus;
  /** The recommendations waiting (proposed) or failed: what the proposal-waiting and order-failed rules read. */
  recommendations: () => Recommendation[];
  /** The recording or replayed session's name, stored with each alert. */
  session: () => string | null;
  nowMs: () => number;
}

export class AlertService {
  readonly repository: AlertRepository;
  private state: AlertState = {};
  /** The exposure streams kept open for gamma-flip and wall rules, by currency. */
  private readonly levelStreams = new Map<Currency, () => void>();
  private lastEventMs: number | null = null;

  constructor(private readonly deps: AlertServiceDeps) {
    this.repository = new AlertRepository(deps.db);
  }

  dto(): AlertsDto {
    return { ...this.repository.rules(), history: this.repository.history(100) };
  }

  handlers(): CommandHandlers<'alerts'> {
    return {
      'alerts.rules.save': ({ rule }) => {
        try {
          const saved = this.repository.saveRule(rule, Math.floor(this.deps.nowMs()));
          this.publish();
          return saved;
        } catch (error) {
          if (error instanceof AlertRuleError) throw new ApiException('INVALID_ARGUMENT', error.message);
          throw error;
        }
      },
      'alerts.rules.delete': ({ id }) => {
        const deleted = this.repository.deleteRule(id);
        this.publish();
        return { deleted };
      },
    };
  }

  resolvers(): TopicResolvers<'alerts'> {
    return {
      alerts: () => {
        if (!this.deps.hub.channel('alerts', 'all').current()) this.publish();
        return 'all';
      },
    };
  }

  /** What the rules read now. */
  snapshot(): AlertSnapshot {
    const market = this.deps.market();
    const atMs = market.timeMs;
    const totals = valueBook(this.deps.book(), bookMarket(market, atMs)).byCurrency;
    const currencies: AlertSnapshot['currencies'] = {};
    for (const currency of CURRENCIES) {
      const risk = this.deps.hub.channel('risk', currency).current()?.data as RiskSnapshot | undefined;
      const t = totals[currency];
      const levels = (this.deps.hub.channel('exposure', exposureKey(levelStream(currency))).current()?.data as ExposureSnapshot | undefined)?.levels;
      const distances = (risk?.marginCall ?? []).filter((d) => d.volShift === 0).flatMap((d) => [d.down.move, d.up.move]).filter((m): m is number => m !== null);
      const inputs: CurrencyAlertInputs = {
        spotUsd: market.currencies.get(currency)?.indexUsd ?? null,
        gammaFlipUsd: levels?.flipUsd ?? null,
        callWallUsd: levels?.callWallUsd ?? null,
        putWallUsd: levels?.putWallUsd ?? null,
        delta: t ? t.deltaCoin : null,
        gamma: t ? t.gammaUsdPer1Pct : null,
        vega: t ? t.vegaUsd : null,
        marginUsagePercent: risk?.usage ? risk.usage.maintenance * 100 : null,
        marginCallDistancePercent: distances.length > 0 ? Math.min(...distances.map((m) => Math.abs(m) * 100)) : null,
      };
      currencies[currency] = inputs;
    }
    const feed = this.deps.feed();
    if (feed.silenceMs === 0) this.lastEventMs = atMs;
    const recs = this.deps.recommendations();
    return {
      atMs,
      currencies,
      feed: { connected: feed.state !== 'disconnected' && feed.state !== 'stopped', lastEventMs: this.lastEventMs },
      proposals: recs.filter((r) => r.state === 'proposed').map((r) => ({ id: r.id, createdMs: r.createdMs })),
      failedOrders: recs.filter((r) => r.state === 'failed').map((r) => ({ id: r.id, atMs: r.stateMs, reason: r.reason ?? 'failed' })),
    };
  }

  /** The publish round: evaluates the enabled rules; fired alerts are stored, audited and published. */
  round(): void {
    const { rules } = this.repository.rules();
    this.followLevels(rules);
    if (!rules.some((r) => r.enabled)) return;
    const { state, fired } = evaluateAlerts(rules, this.state, this.snapshot());
    this.state = state;
    if (fired.length === 0) return;
    this.repository.record(fired, this.deps.session());
    for (const event of fired) {
      this.deps.audit.append({ actor: 'system:alerts', action: `alert.${event.kind}`, subject: event.ruleId, payload: { message: event.message, currency: event.currency, market_ms: event.atMs, value: event.value, threshold: event.threshold, suppressed: event.suppressed } });
    }
    this.publish();
  }

  /** A new source: rule states start over (a replay fires as the live session did). */
  reset(): void {
    this.state = {};
    this.lastEventMs = null;
  }

  /** Keeps the naive exposure stream of each currency subscribed while a gamma-flip or wall rule is enabled for it. */
  private followLevels(rules: readonly AlertRule[]): void {
    const wanted = new Set(rules.filter((r) => r.enabled && r.currency !== null && (r.kind === 'gamma-flip-crossed' || r.kind === 'spot-near-wall')).map((r) => r.currency!));
    for (const [currency, unsubscribe] of this.levelStreams) {
      if (!wanted.has(currency)) {
        unsubscribe();
        this.levelStreams.delete(currency);
      }
    }
    for (const currency of wanted) {
      if (!this.levelStreams.has(currency)) this.levelStreams.set(currency, this.deps.hub.client().subscribe('exposure', { currency, convention: 'naive' }, () => {}));
    }
  }

  private publish(): void {
    this.deps.hub.channel('alerts', 'all').publish(this.dto());
  }
}
