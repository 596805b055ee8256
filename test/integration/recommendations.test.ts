import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IllegalTransitionError } from '../../src-main/core/execution/recommendation';
import { epochMs, type EpochMs } from '../../src-main/core/units';
import { AuditLog } from '../../src-main/store/audit';
import { openDatabase, type Db } from '../../src-main/store/database';
import { hashInputs, RecommendationExpiredError, RecommendationStore, type NewRecommendation } from '../../src-main/store/recommendations';
import { makeTempDir } from '../helpers/tmp';

const temp = makeTempDir('gammadesk-recs-');
let db: Db;
let dbPath: string;
let now: number;
const clock = (): EpochMs => epochMs(now);
let audit: AuditLog;
let store: RecommendationStore;

beforeEach(() => {
  dbPath = join(temp.dir, `recs-${Math.random().toString(36).slice(2)}.db`);
  db = openDatabase(dbPath);
  now = Date.UTC(2026, 11, 5, 12, 0, 0);
  audit = new AuditLog(db, clock);
  store = new RecommendationStore(db, audit, clock);
});
afterEach(() => {
  if (db.open) db.close();
  temp.remove();
});

function proposal(overrides: Partial<NewRecommendation> = {}): NewRecommendation {
  const inputs = { market_seq: 1200, positions: [['BTC-27DEC24-60000-C', -10]] };
  return {
    marketSeq: 1200,
    bookVersion: 3,
    policy: 'threshold',
    params: { band: 0.5, hedge_ratio: 1 },
    inputsHash: hashInputs(inputs),
    proposal: { legs: [{ instrument: 'BTC-PERPETUAL', side: 'buy', amount: 25_000, type: 'market' }, { instrument: 'BTC-27DEC24-60000-C', side: 'buy', amount: 2, type: 'limit', price: 0.021 }], expected_cost_usd: 14.2 },
    rationale: { delta_before_coin: -4.1, delta_after_coin: -0.1, why: 'perpetual: cheapest delta' },
    expiresMs: now + 60_000,
    ...overrides,
  };
}

describe('RecommendationStore', () => {
  it('stores a proposal with its inputs and an audit row, and reads it back from another connection', () => {
    const rec = store.propose(proposal());
    expect(rec).toMatchObject({ state: 'proposed', marketSeq: 1200, bookVersion: 3, policy: 'threshold', createdMs: now, stateMs: now, approvedProposal: null });
    expect(rec.id).toMatch(/^[0-9a-f]{16}-[0-9a-z]+$/);
    expect(rec.proposal.expected_cost_usd).toBe(14.2);
    const other = openDatabase(dbPath, { readonly: true });
    expect(other.prepare('SELECT state FROM recommendations WHERE id = ?').get(rec.id)).toEqual({ state: 'proposed' });
    expect(other.prepare('SELECT action, subject, actor FROM audit_log').all()).toEqual([{ action: 'recommendation.proposed', subject: rec.id, actor: 'system:advisor' }]);
    other.close();
    // Same inputs at the same millisecond: a distinct id.
    expect(store.propose(proposal()).id).toBe(`${rec.id}-2`);
  });

  it('recent(): the open ones, however old, plus the newest decided ones, newest first', () => {
    const old = store.propose(proposal());
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      now += 1000;
      const rec = store.propose(proposal({ marketSeq: 1300 + i }));
      store.reject(rec.id, 'not now', 'trader');
      ids.push(rec.id);
    }
    const recent = store.recent(['proposed'], 3);
    expect(recent.map((r) => r.id)).toEqual([ids[5], ids[4], ids[3], old.id]);
    expect(recent.map((r) => r.state)).toEqual(['rejected', 'rejected', 'rejected', 'proposed']);
    expect(store.recent(['proposed'], 0).map((r) => r.id)).toEqual([old.id]);
  });

  it('refuses a bad proposal naming the field, and stores nothing', () => {
    expect(() => store.propose(proposal({ inputsHash: 'abc' }))).toThrow('inputsHash must be 64 lowercase hex digits');
    expect(() => store.propose(proposal({ expiresMs: now }))).toThrow('expiresMs must be an integer time after now');
    expect(() => store.propose(proposal({ proposal: { legs: [{ instrument: 'BTC-PERPETUAL', side: 'buy', amount: -1, type: 'market' }] } }))).toThrow('proposal.legs[0].amount must be a positive number, got -1');
    expect(() => store.propose(proposal({ rationale: { cost: Number.NaN } }))).toThrow('$.cost is NaN');
    expect(store.list()).toEqual([]);
    expect(audit.count()).toBe(0);
  });

  it('approving twice is a no-op returning the same state, with one audit row; so is approving after submission', () => {
    const rec = store.propose(proposal());
    now += 1000;
    const first = store.approve(rec.id, 'trader:ana');
    expect(first).toMatchObject({ state: 'approved', stateMs: now });
    now += 1000;
    expect(store.approve(rec.id, 'trader:ana')).toEqual(first);
    expect(store.approveModified(rec.id, first.proposal.legs, 'trader:ana')).toEqual(first);
    store.transition(rec.id, 'approved', 'submitted', { actor: 'system:executor', payload: {} });
    expect(store.approve(rec.id, 'trader:bob').state).toBe('submitted');
    expect([...audit.rows()].map((r) => r.action)).toEqual(['recommendation.proposed', 'recommendation.approved', 'recommendation.submitted']);
    expect(audit.verify()).toMatchObject({ ok: true, rows: 3 });
  });

  it('modify-and-approve keeps the proposal and the trader’s legs apart; another modification afterwards is refused', () => {
    const rec = store.propose(proposal());
    const legs = rec.proposal.legs.map((leg, i) => (i === 0 ? { ...leg, amount: 10_000 } : leg));
    const approved = store.approveModified(rec.id, legs, 'trader:ana');
    expect(approved.state).toBe('modified-approved');
    expect(approved.proposal.legs[0]!.amount).toBe(25_000);
    expect(approved.approvedProposal!.legs[0]!.amount).toBe(10_000);
    expect(approved.approvedProposal!.expected_cost_usd).toBe(14.2);
    expect(store.approveModified(rec.id, legs, 'trader:ana')).toEqual(approved);
    expect(() => store.approveModified(rec.id, rec.proposal.legs, 'trader:ana')).toThrow(/already modified-approved with other quantities/);
    const row = [...audit.rows()].at(-1)!;
    expect(JSON.parse(row.payload)).toMatchObject({ from: 'proposed', to: 'modified-approved', detail: { legs: [{ amount: 10_000 }, { amount: 2 }] } });
  });

  it('illegal transitions throw and change nothing; a rejection needs a reason', () => {
    const rec = store.propose(proposal());
    expect(() => store.reject(rec.id, '  ', 'trader:ana')).toThrow('a rejection needs a reason');
    const rejected = store.reject(rec.id, 'too expensive', 'trader:ana');
    expect(rejected).toMatchObject({ state: 'rejected', reason: 'too expensive' });
    expect(store.reject(rec.id, 'again', 'trader:ana')).toEqual(rejected);
    expect(() => store.approve(rec.id, 'trader:ana')).toThrow(IllegalTransitionError);
    expect(() => store.approve(rec.id, 'trader:ana')).toThrow(`recommendation ${rec.id} cannot go from rejected to approved`);
    expect(() => store.transition(rec.id, 'approved', 'submitted', { actor: 'system:executor', payload: {} })).toThrow(`cannot go from rejected to submitted`);
    expect(() => store.approve('nope', 'trader:ana')).toThrow('no recommendation "nope"');
    expect(store.get(rec.id)).toEqual(rejected);
    expect(audit.count()).toBe(2);
  });

  it('expires on the injected clock: expireDue, or a late approval that commits the expiry and then throws', () => {
    const a = store.propose(proposal({ expiresMs: now + 10_000 }));
    const b = store.propose(proposal({ expiresMs: now + 20_000, inputsHash: hashInputs('b') }));
    now += 10_000;
    expect(store.expireDue().map((r) => r.id)).toEqual([a.id]);
    expect(store.get(b.id)!.state).toBe('proposed');
    now += 10_000;
    expect(() => store.approve(b.id, 'trader:ana')).toThrow(RecommendationExpiredError);
    expect(store.get(b.id)).toMatchObject({ state: 'expired', reason: 'expired before a decision', stateMs: now });
    expect([...audit.rows()].map((r) => `${r.actor} ${r.action}`)).toEqual(['system:advisor recommendation.proposed', 'system:advisor recommendation.proposed', 'clock recommendation.expired', 'clock recommendation.expired']);
    expect(store.list(['expired'])).toHaveLength(2);
  });

  it('a transition that fails half-way leaves neither the state change nor the audit row', () => {
    const rec = store.propose(proposal());
    expect(() => store.transition(rec.id, 'proposed', 'approved', { actor: 'trader:ana', payload: { bad: Number.POSITIVE_INFINITY } })).toThrow('$.bad is Infinity');
    expect(store.get(rec.id)!.state).toBe('proposed');
    expect(audit.count()).toBe(1);
  });
});
