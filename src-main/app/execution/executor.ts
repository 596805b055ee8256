/**
 * Sends approved recommendations to a venue, exactly once.
 *
 * The order of writes is what makes "never trade twice" hold across crashes:
 *   1. approval committed (RecommendationStore, before the UI shows it);
 *   2. `approved -> submitted` committed together with one `orders` row per leg (label `<recId>:<leg>`, the
 *      request, no venue state yet) and their audit rows: the intent is on disk before anything leaves;
 *   3. each leg is sent only after `venue.ordersByLabel(label)` came back empty; the venue's answer, its fills
 *      and their audit rows are recorded as they arrive;
 *   4. when every leg is final, `submitted -> filled | partially-filled | failed`.
 * A crash anywhere leaves a recommendation approved or submitted. `start()` first asks the venue about every
 * leg of every such recommendation (reconciliation), records what the venue already has, and only then sends
 * the legs it has never seen. Venues are idempotent by label as a second line of defence.
 *
 * Retryable venue errors (rate limit, disconnect) leave the leg unsent and the recommendation submitted: the
 * next `execute(id)` or `start()` reconciles and retries. A refusal (funds, bad amount) makes the leg final
 * (`rejected` with the venue's reason).
 */
import { canonicalJson } from '../../core/audit/canonicalJson';
import { isApproved, legOrder, type RecommendationState } from '../../core/execution/recommendation';
import { VenueError, type ExecutionVenue, type Fill, type OrderRequest, type OrderState } from '../../core/execution/venue';
import { roundE8 } from '../../core/execution/fees';
import type { EpochMs } from '../../core/units';
import type { AuditLog } from '../../store/audit';
import type { Db } from '../../store/database';
import { legsToSend, type Recommendation, type RecommendationStore } from '../../store/recommendations';

const ACTOR = 'system:executor';
const FINAL_ORDER: ReadonlySet<OrderState['status']> = new Set(['filled', 'cancelled', 'rejected']);
const OPEN_STATES: readonly RecommendationState[] = ['approved', 'modified-approved', 'submitted'];

/** A venue that can list an order's fills (the paper ledger; Deribit via get_user_trades_by_order). */
interface FillHistory {
  fillsByLabel(label: string): Fill[] | Promise<Fill[]>;
}
const hasFillHistory = (venue: ExecutionVenue): venue is ExecutionVenue & FillHistory => typeof (venue as Partial<FillHistory>).fillsByLabel === 'function';

export interface ReconcileReport {
  /** Recommendations found approved or submitted at start-up. */
  recommendations: number;
  /** Legs the venue already knew (recorded, not sent again). */
  legsFound: number;
  /** Legs sent after reconciliation (the venue had never seen them). */
  legsSent: number;
  /** Legs whose sending failed with a retryable error (still pending). */
  legsPending: number;
}

interface OrderRow {
  label: string;
  recommendation_id: string;
  leg: number;
  request: string;
  state: string | null;
}

export class Executor {
  private readonly inFlight = new Map<string, Promise<Recommendation>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Db,
    private readonly recommendations: RecommendationStore,
    private readonly audit: AuditLog,
    private readonly venue: ExecutionVenue,
    private readonly clock: () => EpochMs,
  ) {
    this.unsubscribe = venue.onUpdate(({ order, fills }) => this.recordUpdate(order, fills));
  }

  /**
   * Start-up: asks the venue about every leg of every approved or submitted recommendation before anything is
   * sent, records what it knows, then sends the legs it has never seen.
   */
  async start(): Promise<ReconcileReport> {
    const open = this.recommendations.list(OPEN_STATES);
    const report: ReconcileReport = { recommendations: open.length, legsFound: 0, legsSent: 0, legsPending: 0 };
    const unsent: OrderRow[] = [];
    for (const rec of open) {
      for (const row of this.orderRows(rec.id)) {
        const known = await this.venue.ordersByLabel(row.label);
        if (known.length > 0) {
          report.legsFound += 1;
          await this.recordReconciled(row, known[known.length - 1]!);
        } else unsent.push(row);
      }
    }
    // Only now is anything sent: approved recommendations get their order rows, unsent legs go out.
    for (const rec of open) await this.execute(rec.id);
    for (const row of [...unsent, ...open.filter((rec) => isApproved(rec.state)).flatMap((rec) => this.orderRows(rec.id))]) {
      if (this.orderState(row.label)) report.legsSent += 1;
      else report.legsPending += 1;
    }
    return report;
  }

  /**
   * Executes one approved recommendation (or continues a submitted one). Concurrent calls for the same id share
   * one run; calls for a recommendation that is not approved or submitted return it unchanged.
   */
  execute(id: string): Promise<Recommendation> {
    const running = this.inFlight.get(id);
    if (running) return running;
    const run = this.run(id).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, run);
    return run;
  }

  /**
   * Stops a working hedge (the trader's cancel): its resting legs are cancelled at the venue, and a leg that never
   * got an answer (a retryable error left it unsent) is asked for by label first — cancelled there if the venue has
   * it, else recorded as cancelled before it was sent, so it is never sent later. The recommendation then settles as
   * partially-filled or failed from what did fill. A run still sending legs finishes first. Audited with the actor.
   */
  async cancel(id: string, actor: string): Promise<Recommendation> {
    if (!this.recommendations.get(id)) throw new Error(`no recommendation ${JSON.stringify(id)}`);
    await this.inFlight.get(id)?.catch(() => undefined);
    const rec = this.recommendations.get(id)!;
    if (rec.state !== 'submitted') return rec;
    this.audit.append({ actor, action: 'recommendation.cancel-requested', subject: id, payload: {} });
    for (const row of this.orderRows(id)) {
      if (row.state === null) {
        const known = await this.venue.ordersByLabel(row.label);
        if (known.length === 0) {
          this.recordState(unsentState(JSON.parse(row.request) as OrderRequest, 'cancelled', 'cancelled by the desk before it was sent', this.clock()), 'order.cancelled');
          continue;
        }
        await this.recordReconciled(row, known[known.length - 1]!);
      }
      if (this.orderState(row.label)?.status !== 'open') continue;
      const cancelled = await this.venue.cancel(row.label);
      if (cancelled) this.recordState(cancelled, 'order.cancelled');
    }
    return this.settle(id);
  }

  close(): void {
    this.unsubscribe();
  }

  private async run(id: string): Promise<Recommendation> {
    let rec = this.recommendations.get(id);
    if (!rec) throw new Error(`no recommendation ${JSON.stringify(id)}`);
    if (isApproved(rec.state)) rec = this.markSubmitted(rec);
    if (rec.state !== 'submitted') return rec;
    for (const row of this.orderRows(id)) {
      if (row.state !== null) continue;
      // Never send a label the venue already has (a crash after sending, a second desk on the same account).
      const known = await this.venue.ordersByLabel(row.label);
      if (known.length > 0) {
        await this.recordReconciled(row, known[known.length - 1]!);
        continue;
      }
      await this.send(row);
    }
    return this.settle(id);
  }

  /** approved -> submitted, with the order rows of every leg, in one transaction. */
  private markSubmitted(rec: Recommendation): Recommendation {
    const legs = legsToSend(rec);
    const requests = legs.map((leg, i) => legOrder(rec.id, i, leg));
    return this.db.transaction((): Recommendation => {
      const submitted = this.recommendations.transition(rec.id, rec.state, 'submitted', { actor: ACTOR, payload: { venue: this.venue.kind, labels: requests.map((r) => r.label) } });
      const insert = this.db.prepare('INSERT INTO orders (label, recommendation_id, leg, venue, request, state, updated_ms) VALUES (?, ?, ?, ?, ?, NULL, ?)');
      requests.forEach((request, leg) => {
        insert.run(request.label, rec.id, leg, this.venue.kind, canonicalJson(request), this.clock());
        this.audit.append({ actor: ACTOR, action: 'order.created', subject: request.label, payload: { recommendation: rec.id, leg, venue: this.venue.kind, request } });
      });
      return submitted;
    })();
  }

  private async send(row: OrderRow): Promise<void> {
    const request = JSON.parse(row.request) as OrderRequest;
    try {
      const state = await this.venue.submit(request);
      this.recordState(state, 'order.accepted');
    } catch (error) {
      const venueError = error instanceof VenueError ? error : null;
      if (venueError?.retryable) {
        this.audit.append({ actor: ACTOR, action: 'order.retry-later', subject: row.label, payload: { code: venueError.code, message: venueError.message } });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      const reason = venueError && venueError.code !== null ? `${venueError.code} ${message}` : message;
      this.recordState(unsentState(request, 'rejected', reason, this.clock()), 'order.refused');
    }
  }

  private async recordReconciled(row: OrderRow, state: OrderState): Promise<void> {
    this.recordState(state, 'order.reconciled');
    if (hasFillHistory(this.venue)) for (const fill of await this.venue.fillsByLabel(row.label)) this.recordFill(fill);
  }

  /** Stores the venue's latest view of an order; audits it when its status or filled amount changed. */
  private recordState(state: OrderState, action: string): void {
    const previous = this.orderState(state.label);
    if (previous && previous.status === state.status && previous.filledAmount === state.filledAmount && action === 'order.update') return;
    // A venue may leave optional fields undefined (`reason`): JSON has no undefined.
    const plain = JSON.parse(JSON.stringify(state)) as OrderState;
    this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE orders SET state = ?, updated_ms = ? WHERE label = ?').run(canonicalJson(plain), this.clock(), state.label).changes;
      if (changed === 1) this.audit.append({ actor: ACTOR, action, subject: state.label, payload: plain });
    })();
  }

  private recordFill(fill: Fill): void {
    this.db.transaction(() => {
      const inserted = this.db
        .prepare('INSERT OR IGNORE INTO fills (venue, trade_id, label, order_id, instrument, side, amount, price, fee_e8, fee_currency, ts_ms) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM orders WHERE label = ?)')
        .run(this.venue.kind, fill.tradeId, fill.label, fill.orderId, fill.instrument, fill.side, fill.amount, fill.price, roundE8(fill.fee), fill.feeCurrency, fill.timestampMs, fill.label).changes;
      if (inserted === 1) this.audit.append({ actor: `venue:${this.venue.kind}`, action: 'fill', subject: fill.label, payload: fill });
    })();
  }

  /** Venue updates (fills, later state changes): recorded for our own orders, then the recommendation settles. */
  private recordUpdate(order: OrderState, fills: readonly Fill[]): void {
    const row = this.db.prepare<[string], { recommendation_id: string }>('SELECT recommendation_id FROM orders WHERE label = ?').get(order.label);
    if (!row) return; // not an order of this desk
    for (const fill of fills) this.recordFill(fill);
    this.recordState(order, 'order.update');
    if (!this.inFlight.has(row.recommendation_id)) this.settle(row.recommendation_id);
  }

  /** submitted -> filled | partially-filled | failed once every leg is final; otherwise unchanged. */
  private settle(id: string): Recommendation {
    const rec = this.recommendations.get(id)!;
    if (rec.state !== 'submitted') return rec;
    const legs = this.orderRows(id).map((row) => (row.state === null ? null : (JSON.parse(row.state) as OrderState)));
    if (legs.some((leg) => leg === null || !FINAL_ORDER.has(leg.status))) return rec;
    const final = legs as OrderState[];
    const complete = final.every((leg) => leg.status === 'filled');
    const anyFilled = final.some((leg) => leg.filledAmount > 0);
    const to: RecommendationState = complete ? 'filled' : anyFilled ? 'partially-filled' : 'failed';
    const reasons = final.filter((leg) => leg.status !== 'filled').map((leg) => `${leg.label} ${leg.status}${leg.reason ? `: ${leg.reason}` : ''} (filled ${leg.filledAmount} of ${leg.amount})`);
    return this.recommendations.transition(id, 'submitted', to, {
      actor: ACTOR,
      ...(reasons.length > 0 ? { reason: reasons.join('; ') } : {}),
      payload: { legs: final.map((leg) => ({ label: leg.label, status: leg.status, filled: leg.filledAmount, average_price: leg.averagePrice, fee: leg.fee, fee_currency: leg.feeCurrency })) },
    });
  }

  private orderRows(id: string): OrderRow[] {
    return this.db.prepare<[string], OrderRow>('SELECT label, recommendation_id, leg, request, state FROM orders WHERE recommendation_id = ? ORDER BY leg').all(id);
  }

  private orderState(label: string): OrderState | null {
    const row = this.db.prepare<[string], { state: string | null }>('SELECT state FROM orders WHERE label = ?').get(label);
    return row?.state ? (JSON.parse(row.state) as OrderState) : null;
  }
}

/** The final state of a leg that never traded at the venue: refused there, or cancelled before it was sent. */
function unsentState(request: OrderRequest, status: 'rejected' | 'cancelled', reason: string, nowMs: EpochMs): OrderState {
  return {
    label: request.label,
    orderId: '',
    instrument: request.instrument,
    side: request.side,
    amount: request.amount,
    filledAmount: 0,
    averagePrice: null,
    status,
    fee: 0,
    feeCurrency: '',
    reason,
    updatedMs: nowMs,
  };
}
