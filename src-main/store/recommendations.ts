/**
 * Recommendations and their lifecycle (core/execution/recommendation.ts), durable in SQLite. Every transition is
 * one SQLite transaction that updates the row (only if it is still in the state it was read in) and appends its
 * audit row; it has committed before the method returns, so what the UI shows as approved is on disk.
 *
 * Approving twice is a no-op that returns the recommendation as it is (no second audit row, nothing re-sent).
 * Expiry runs on the injected clock: a proposal whose `expiresMs` has passed is expired (and audited) by
 * `expireDue()`, or by an approval that arrives too late, which then throws {@link RecommendationExpiredError}.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../core/audit/canonicalJson';
import {
  checkTransition,
  IllegalTransitionError,
  isApproved,
  ProposalError,
  RECOMMENDATION_STATES,
  validateLegs,
  validateModification,
  type Proposal,
  type ProposalLeg,
  type RecommendationState,
} from '../core/execution/recommendation';
import type { EpochMs } from '../core/units';
import type { AuditLog } from './audit';
import type { Db } from './database';

/** What a policy hands over: its inputs (by reference and hash), the legs, the rationale and the expiry. */
export interface RecommendationInputs {
  /** The market seq the policy saw. */
  marketSeq: number;
  /** The version of the book (positions) the policy saw. */
  bookVersion: number;
  policy: string;
  params: unknown;
  /** SHA-256 (hex) of the policy's inputs, computed by the caller from what the policy read. */
  inputsHash: string;
  proposal: Proposal;
  /** What a trader reads: greeks before and after, cost, why these instruments (JSON). */
  rationale: unknown;
  expiresMs: number;
}

export interface NewRecommendation extends RecommendationInputs {
  /** Default: the first 16 hex digits of the inputs hash and the creation time in base 36. */
  id?: string;
}

export interface Recommendation extends RecommendationInputs {
  id: string;
  createdMs: number;
  /** The legs as the trader approved them when they changed quantities (state modified-approved). */
  approvedProposal: Proposal | null;
  state: RecommendationState;
  stateMs: number;
  reason: string | null;
}

export class RecommendationExpiredError extends Error {
  override readonly name = 'RecommendationExpiredError';
  constructor(
    readonly id: string,
    readonly expiresMs: number,
  ) {
    super(`recommendation ${id} expired at ${new Date(expiresMs).toISOString()}; it was not approved`);
  }
}

export class UnknownRecommendationError extends Error {
  override readonly name = 'UnknownRecommendationError';
  constructor(readonly id: string) {
    super(`no recommendation ${JSON.stringify(id)}`);
  }
}

interface Row {
  id: string;
  created_ms: number;
  market_seq: number;
  book_version: number;
  policy: string;
  params: string;
  inputs_hash: string;
  proposal: string;
  approved_proposal: string | null;
  rationale: string;
  expires_ms: number;
  state: string;
  state_ms: number;
  reason: string | null;
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,48}$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

function fromRow(row: Row): Recommendation {
  return {
    id: row.id,
    createdMs: row.created_ms,
    marketSeq: row.market_seq,
    bookVersion: row.book_version,
    policy: row.policy,
    params: JSON.parse(row.params) as unknown,
    inputsHash: row.inputs_hash,
    proposal: JSON.parse(row.proposal) as Proposal,
    approvedProposal: row.approved_proposal === null ? null : (JSON.parse(row.approved_proposal) as Proposal),
    rationale: JSON.parse(row.rationale) as unknown,
    expiresMs: row.expires_ms,
    state: row.state as RecommendationState,
    stateMs: row.state_ms,
    reason: row.reason,
  };
}

/** The legs the executor sends: the trader's modified ones when there are. */
export const legsToSend = (recommendation: Recommendation): readonly ProposalLeg[] => (recommendation.approvedProposal ?? recommendation.proposal).legs;

export class RecommendationStore {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly clock: () => EpochMs,
  ) {}

  get(id: string): Recommendation | null {
    const row = this.db.prepare<[string], Row>('SELECT * FROM recommendations WHERE id = ?').get(id);
    return row ? fromRow(row) : null;
  }

  /** Recommendations in the given states (all when omitted), oldest first. */
  list(states: readonly RecommendationState[] = RECOMMENDATION_STATES): Recommendation[] {
    const rows = this.db.prepare<string[], Row>(`SELECT * FROM recommendations WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY created_ms, id`).all(...states);
    return rows.map(fromRow);
  }

  /**
   * The recommendations in `open` states plus the `limit` most recently stored ones, newest first. Reads only
   * those rows (the open ones through the state index, the recent ones by rowid), however long the history.
   */
  recent(open: readonly RecommendationState[], limit: number): Recommendation[] {
    const sql =
      `SELECT * FROM recommendations WHERE state IN (${open.map(() => '?').join(',')}) ` +
      'OR rowid IN (SELECT rowid FROM recommendations ORDER BY rowid DESC LIMIT ?) ORDER BY created_ms DESC, id DESC';
    return this.db.prepare<(string | number)[], Row>(sql).all(...open, limit).map(fromRow);
  }

  /** Stores a new proposal (state proposed) with its audit row. Throws ProposalError naming a bad field. */
  propose(input: NewRecommendation, actor = 'system:advisor'): Recommendation {
    const now = this.clock();
    const legs = validateLegs(input.proposal?.legs, 'proposal.legs');
    for (const key of ['marketSeq', 'bookVersion'] as const) {
      if (!Number.isInteger(input[key]) || input[key] < 0) throw new ProposalError(`${key} must be a non-negative integer, got ${String(input[key])}`);
    }
    if (typeof input.policy !== 'string' || input.policy === '') throw new ProposalError('policy must be a non-empty name');
    if (typeof input.inputsHash !== 'string' || !HASH_PATTERN.test(input.inputsHash)) throw new ProposalError(`inputsHash must be 64 lowercase hex digits (SHA-256), got ${JSON.stringify(input.inputsHash)}`);
    if (!Number.isInteger(input.expiresMs) || input.expiresMs <= now) throw new ProposalError(`expiresMs must be an integer time after now (${now}), got ${String(input.expiresMs)}`);
    if (input.id !== undefined && !ID_PATTERN.test(input.id)) throw new ProposalError(`id must be 1–48 letters, digits, _ or -, got ${JSON.stringify(input.id)}`);
    const proposal = canonicalJson({ ...input.proposal, legs });
    const params = canonicalJson(input.params ?? null);
    const rationale = canonicalJson(input.rationale ?? null);
    return this.db.transaction((): Recommendation => {
      const id = input.id ?? this.freshId(input.inputsHash, now);
      this.db
        .prepare(
          `INSERT INTO recommendations (id, created_ms, market_seq, book_version, policy, params, inputs_hash, proposal, approved_proposal, rationale, expires_ms, state, state_ms, reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 'proposed', ?, NULL)`,
        )
        .run(id, now, input.marketSeq, input.bookVersion, input.policy, params, input.inputsHash, proposal, rationale, input.expiresMs, now);
      const created = this.get(id)!;
      this.audit.append({
        actor,
        action: 'recommendation.proposed',
        subject: id,
        payload: { market_seq: created.marketSeq, book_version: created.bookVersion, policy: created.policy, params: created.params, inputs_hash: created.inputsHash, proposal: created.proposal, rationale: created.rationale, expires_ms: created.expiresMs },
      });
      return created;
    })();
  }

  /** Approves as proposed. A second approval (or one after submission) returns the recommendation unchanged. */
  approve(id: string, actor: string): Recommendation {
    return this.decide(id, actor, (current) => {
      if (isApproved(current.state) || current.approvedAt !== null) return null;
      return { to: 'approved', payload: { legs: current.proposal.legs } };
    });
  }

  /**
   * Approves with changed quantities (and limit prices). Repeating the same modification is a no-op; a
   * different one after approval throws: what is being executed does not change under the executor.
   */
  approveModified(id: string, legs: unknown, actor: string): Recommendation {
    return this.decide(id, actor, (current) => {
      const modified = validateModification(current.proposal.legs, legs);
      if (isApproved(current.state) || current.approvedAt !== null) {
        if (canonicalJson(legsToSend(current)) === canonicalJson(modified)) return null;
        throw new ProposalError(`recommendation ${id} is already ${current.state} with other quantities; it is not changed`);
      }
      return { to: 'modified-approved', payload: { legs: modified, proposed_legs: current.proposal.legs }, approvedProposal: { ...current.proposal, legs: modified } };
    });
  }

  /** Rejects with a reason (required). Rejecting a rejected recommendation again is a no-op. */
  reject(id: string, reason: string, actor: string): Recommendation {
    if (typeof reason !== 'string' || reason.trim() === '') throw new ProposalError('a rejection needs a reason');
    return this.decide(id, actor, (current) => (current.state === 'rejected' ? null : { to: 'rejected', reason: reason.trim(), payload: { reason: reason.trim() } }));
  }

  /** Expires every proposal whose time has passed on the injected clock; returns them. */
  expireDue(): Recommendation[] {
    const now = this.clock();
    const due = this.db.prepare<[number], { id: string }>("SELECT id FROM recommendations WHERE state = 'proposed' AND expires_ms <= ? ORDER BY expires_ms, id").all(now);
    return due.map(({ id }) => this.transition(id, 'proposed', 'expired', { actor: 'clock', reason: 'expired before a decision', payload: {} }));
  }

  /**
   * The executor's transitions (submitted, filled, partially-filled, failed), checked against the table and
   * committed with their audit row. `from` guards against a concurrent change: the row must still be in it.
   */
  transition(
    id: string,
    from: RecommendationState,
    to: RecommendationState,
    options: { actor: string; reason?: string; payload: unknown; approvedProposal?: Proposal },
  ): Recommendation {
    checkTransition(id, from, to);
    const now = this.clock();
    const payload = canonicalJson(options.payload ?? null);
    return this.db.transaction((): Recommendation => {
      const set = options.approvedProposal !== undefined ? ', approved_proposal = ?' : '';
      const args: (string | number | null)[] = [to, now, options.reason ?? null];
      if (options.approvedProposal !== undefined) args.push(canonicalJson(options.approvedProposal));
      const changed = this.db.prepare(`UPDATE recommendations SET state = ?, state_ms = ?, reason = ?${set} WHERE id = ? AND state = ?`).run(...args, id, from).changes;
      if (changed !== 1) {
        const current = this.get(id);
        if (!current) throw new UnknownRecommendationError(id);
        throw new IllegalTransitionError(id, current.state, to);
      }
      this.audit.append({ actor: options.actor, action: `recommendation.${to}`, subject: id, payload: { from, to, ...(options.reason !== undefined ? { reason: options.reason } : {}), detail: JSON.parse(payload) as unknown } });
      return this.get(id)!;
    })();
  }

  /**
   * A trader's decision on a proposal: expires it first when its time has passed (committed, then thrown), and
   * otherwise applies what `decide` returns (null: a no-op, the recommendation is returned as it is).
   */
  private decide(
    id: string,
    actor: string,
    choose: (current: Recommendation & { approvedAt: number | null }) => { to: RecommendationState; reason?: string; payload: unknown; approvedProposal?: Proposal } | null,
  ): Recommendation {
    if (typeof actor !== 'string' || actor === '') throw new ProposalError('a decision needs an actor (who decided)');
    // IMMEDIATE: the read and the write are one step even against another process deciding at the same time.
    const outcome = this.db.transaction((): Recommendation | { expiredAt: number } => {
      const current = this.get(id);
      if (!current) throw new UnknownRecommendationError(id);
      if (current.state === 'proposed' && current.expiresMs <= this.clock()) {
        this.transition(id, 'proposed', 'expired', { actor: 'clock', reason: 'expired before a decision', payload: {} });
        return { expiredAt: current.expiresMs };
      }
      // Past approval (submitted, filled, …) the recommendation was approved: a repeated approval is a no-op.
      const approvedAt = ['submitted', 'filled', 'partially-filled', 'failed'].includes(current.state) ? current.stateMs : null;
      const next = choose({ ...current, approvedAt });
      if (next === null) return current;
      return this.transition(id, current.state, next.to, {
        actor,
        payload: next.payload,
        ...(next.reason !== undefined ? { reason: next.reason } : {}),
        ...(next.approvedProposal !== undefined ? { approvedProposal: next.approvedProposal } : {}),
      });
    }).immediate();
    // The expiry is committed; the late decision is refused.
    if ('expiredAt' in outcome) throw new RecommendationExpiredError(id, outcome.expiredAt);
    return outcome;
  }

  private freshId(inputsHash: string, nowMs: number): string {
    const base = `${inputsHash.slice(0, 16)}-${nowMs.toString(36)}`;
    const exists = this.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM recommendations WHERE id = ?');
    let id = base;
    for (let n = 2; exists.get(id)!.n > 0; n += 1) id = `${base}-${n}`;
    return id;
  }
}

/** SHA-256 (hex) of a policy's inputs in canonical JSON: one way for a caller to fill `inputsHash`. */
export function hashInputs(inputs: unknown): string {
  return createHash('sha256').update(canonicalJson(inputs)).digest('hex');
}
