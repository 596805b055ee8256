/**
 * The hedging desk: turns the advisor's proposals into recommendations the trader decides on, executes the
 * approved ones through a venue (the paper ledger by default), applies fills to the book, and keeps the audit log.
 *
 * - A proposal that trades becomes a recommendation (state proposed) unless one is waiting for the currency with
 *   the same book version and the same trade (amounts within 25 %); a different one supersedes it (expired, with
 *   that reason). So a recommendation stays put while the trader reads it, until it expires or the book changes. Replays never
 *   create recommendations: they are someone else's past, not a decision to make now.
 * - Approve commits the approval (store/recommendations.ts: one SQLite transaction with its audit row) and only
 *   then hands the recommendation to the executor; the UI hears of it from the committed row.
 * - On start, the executor reconciles every approved or submitted recommendation by order label before it sends
 *   anything (app/execution/executor.ts).
 */
import type { HedgeSnapshot } from '../api/dto';
import { LEARNED_NOT_USED } from '../engine/kernel';
import type { Proposal as PolicyProposal } from '../core/hedge/types';
import type { ProposalLeg } from '../core/execution/recommendation';
import type { EpochMs } from '../core/units';
import type { ExecutionVenue } from '../core/execution/venue';
import type { AuditLog } from '../store/audit';
import { RecommendationStore, type Recommendation } from '../store/recommendations';
import { Executor } from './execution/executor';
import type { BookService } from './book';
import type { Db } from '../store/database';

export const OPEN_STATES = ['proposed', 'approved', 'modified-approved', 'submitted'] as const;

/** The currency of a recommendation: the prefix of its legs' instruments. */
const currencyOf = (rec: Recommendation): string => rec.proposal.legs[0]?.instrument.split('-')[0] ?? '';

/** Legs as orders: limit at the last level the proposal walked (fills what it saw), never post-only. */
function orderLegs(proposal: PolicyProposal): ProposalLeg[] {
  return proposal.legs.map((leg) => ({ instrument: leg.instrument, side: leg.side, amount: leg.amount, type: 'limit', price: leg.limitPrice }));
}

/** Amounts within this share of each other are the same trade: a waiting recommendation is not replaced for them. */
export const MATERIAL_CHANGE = 0.25;

/**
 * Whether a new proposal is a different trade from the waiting one: other instruments or sides, or an amount
 * that moved by more than {@link MATERIAL_CHANGE}. The market moves a threshold hedge's size every tick; a
 * trader reading (or editing) a recommendation must not have it replaced under them for that.
 */
const sameTrade = (a: readonly ProposalLeg[], b: readonly ProposalLeg[]): boolean =>
  a.length === b.length &&
  a.every((leg, i) => {
    const other = b[i]!;
    return leg.instrument === other.instrument && leg.side === other.side && Math.abs(leg.amount - other.amount) <= MATERIAL_CHANGE * Math.max(leg.amount, other.amount);
  });

export class HedgeDesk {
  readonly recommendations: RecommendationStore;
  readonly executor: Executor;
  /** Bumped whenever a recommendation changes (the stream republishes). */
  version = 0;
  private readonly unsubscribe: () => void;

  constructor(
    db: Db,
    readonly audit: AuditLog,
    readonly venue: ExecutionVenue,
    private readonly book: BookService,
    private readonly clock: () => EpochMs,
    private readonly ttlMs: (currency: string) => number,
    private readonly onChange: () => void,
  ) {
    this.recommendations = new RecommendationStore(db, audit, clock);
    this.executor = new Executor(db, this.recommendations, audit, venue, clock);
    // Fills move the book (paper and live alike): quantity and average price.
    this.unsubscribe = venue.onUpdate(({ fills }) => {
      for (const fill of fills) this.book.applyFill(fill.instrument, fill.side, fill.amount, fill.price);
      this.changed();
    });
  }

  /** Reconciles open recommendations with the venue before anything is sent (start-up). */
  async start(): Promise<void> {
    const report = await this.executor.start();
    if (report.recommendations > 0) console.error(`[gammadesk] reconciled ${report.recommendations} open recommendation(s): ${report.legsFound} leg(s) found at the venue, ${report.legsSent} sent`);
    this.changed();
  }

  /** A new proposal from the advisor (live or demo sources only). */
  onProposal(snapshot: HedgeSnapshot): void {
    this.expireDue();
    const proposal = snapshot.proposal;
    // The learned policy's model may no longer hedge (e.g. not passed on the trader's new criterion): its waiting
    // recommendations are withdrawn with the reason, not left to be approved until they expire.
    if (!proposal && snapshot.policy === 'learned' && snapshot.reason?.startsWith(LEARNED_NOT_USED)) {
      const open = this.recommendations.list(['proposed']).filter((r) => currencyOf(r) === snapshot.currency && r.policy === 'learned');
      for (const old of open) this.recommendations.transition(old.id, 'proposed', 'expired', { actor: 'system:advisor', reason: snapshot.reason, payload: { withdrawn_at_seq: snapshot.marketSeq } });
      if (open.length > 0) this.changed();
      return;
    }
    if (!proposal || proposal.status !== 'trade' || proposal.legs.length === 0) return;
    // While an approved hedge of this currency is still working (a resting limit, a leg waiting to be sent), the
    // book does not show it yet: a new proposal would offer the same hedge twice. The next comes once it settles.
    if (this.recommendations.list(['approved', 'modified-approved', 'submitted']).some((r) => currencyOf(r) === snapshot.currency)) return;
    const legs = orderLegs(proposal);
    const open = this.recommendations.list(['proposed']).filter((r) => currencyOf(r) === snapshot.currency);
    // The waiting recommendation stays while the book and the trade are the same (until it expires).
    if (open.some((r) => r.bookVersion === snapshot.bookVersion && sameTrade(r.proposal.legs, legs))) return;
    for (const old of open) {
      this.recommendations.transition(old.id, 'proposed', 'expired', { actor: 'system:advisor', reason: 'superseded by a newer proposal', payload: { superseded_at_seq: snapshot.marketSeq } });
    }
    this.recommendations.propose({
      marketSeq: snapshot.marketSeq,
      bookVersion: snapshot.bookVersion,
      policy: snapshot.policy,
      params: { settingsVersion: snapshot.settingsVersion, currency: snapshot.currency },
      inputsHash: snapshot.inputsHash,
      proposal: { legs, costUsd: proposal.costUsd, costCoin: proposal.costCoin, before: proposal.before, after: proposal.after, bands: proposal.bands },
      rationale: proposal.rationale,
      expiresMs: this.clock() + this.ttlMs(snapshot.currency),
    });
    this.changed();
  }

  expireDue(): void {
    if (this.recommendations.expireDue().length > 0) this.changed();
  }

  /** Approves (with changed amounts when given), commits, then executes; returns the committed approval. */
  approve(id: string, actor: string, amounts?: readonly number[]): Recommendation {
    const current = this.recommendations.get(id);
    const approved =
      amounts === undefined || !current
        ? this.recommendations.approve(id, actor)
        : this.recommendations.approveModified(
            id,
            current.proposal.legs.map((leg, i) => ({ ...leg, amount: amounts[i] ?? leg.amount })),
            actor,
          );
    this.changed();
    void this.executor.execute(id).then(
      () => this.changed(),
      (error: unknown) => {
        console.error(`[gammadesk] executing ${id} failed:`, error instanceof Error ? error.message : error);
        this.changed();
      },
    );
    return approved;
  }

  reject(id: string, reason: string, actor: string): Recommendation {
    const rejected = this.recommendations.reject(id, reason, actor);
    this.changed();
    return rejected;
  }

  /** Cancels the resting legs of a submitted recommendation (audited with the actor); see Executor.cancel. */
  async cancel(id: string, actor: string): Promise<Recommendation> {
    const settled = await this.executor.cancel(id, actor);
    this.changed();
    return settled;
  }

  /** Open recommendations and the latest decided ones, newest first. */
  list(limit = 50): Recommendation[] {
    return this.recommendations.recent(OPEN_STATES, limit);
  }

  close(): void {
    this.unsubscribe();
    this.executor.close();
  }

  private changed(): void {
    this.version++;
    this.onChange();
  }
}
