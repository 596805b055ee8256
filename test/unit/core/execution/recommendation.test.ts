import { describe, expect, it } from 'vitest';
import {
  checkTransition,
  IllegalTransitionError,
  isFinal,
  legOrder,
  orderLabel,
  RECOMMENDATION_STATES,
  validateLegs,
  validateModification,
  type RecommendationState,
} from '../../../../src-main/core/execution/recommendation';

// The lifecycle of issue 11 item 3, written out here independently of the module's table.
const ISSUE_EDGES = new Set([
  'proposed>approved',
  'proposed>modified-approved',
  'proposed>rejected',
  'proposed>expired',
  'approved>submitted',
  'modified-approved>submitted',
  'submitted>filled',
  'submitted>partially-filled',
  'submitted>failed',
]);

describe('recommendation lifecycle', () => {
  it('allows exactly the issue’s transitions and refuses every other pair with a message naming both states', () => {
    let refused = 0;
    for (const from of RECOMMENDATION_STATES) {
      for (const to of RECOMMENDATION_STATES) {
        if (ISSUE_EDGES.has(`${from}>${to}`)) expect(() => checkTransition('r1', from, to)).not.toThrow();
        else {
          expect(() => checkTransition('r1', from, to)).toThrow(IllegalTransitionError);
          expect(() => checkTransition('r1', from, to)).toThrow(`recommendation r1 cannot go from ${from} to ${to}`);
          refused += 1;
        }
      }
    }
    expect(refused).toBe(9 * 9 - 9);
  });

  it('final states are those with no way out', () => {
    const finals: RecommendationState[] = RECOMMENDATION_STATES.filter(isFinal);
    expect(finals.sort()).toEqual(['expired', 'failed', 'filled', 'partially-filled', 'rejected']);
  });
});

describe('legs', () => {
  const legs = [
    { instrument: 'BTC-PERPETUAL', side: 'sell', amount: 1000, type: 'market' },
    { instrument: 'BTC-27DEC24-60000-C', side: 'buy', amount: 0.5, type: 'limit', price: 0.0125, postOnly: true },
  ];

  it('accepts good legs and names the field of a bad one', () => {
    expect(validateLegs(legs, 'proposal.legs')).toEqual(legs);
    expect(() => validateLegs([], 'proposal.legs')).toThrow('proposal.legs must be a non-empty array');
    expect(() => validateLegs([legs[0], { ...legs[1], amount: Number.NaN }], 'proposal.legs')).toThrow('proposal.legs[1].amount must be a positive number, got NaN');
    expect(() => validateLegs([{ ...legs[1], price: undefined }], 'proposal.legs')).toThrow('proposal.legs[0].price must be a positive number for a limit order');
    expect(() => validateLegs([{ ...legs[0], side: 'short' }], 'p')).toThrow('p[0].side must be buy or sell, got "short"');
    expect(() => validateLegs([{ ...legs[0], postOnly: true }], 'p')).toThrow('p[0].postOnly must be a boolean, and true only on a limit order');
  });

  it('a modification changes quantities and prices, never instruments, sides or order types', () => {
    const original = validateLegs(legs, 'p');
    expect(validateModification(original, [{ ...legs[0], amount: 500 }, { ...legs[1], price: 0.013 }])[0]!.amount).toBe(500);
    expect(() => validateModification(original, [legs[0]])).toThrow('keeps the 2 legs');
    expect(() => validateModification(original, [{ ...legs[0], side: 'buy' }, legs[1]])).toThrow('legs[0].side: a modification changes quantities and prices only (sell -> buy)');
  });

  it('labels are <recommendation id>:<leg> and fit Deribit’s 64 characters', () => {
    expect(orderLabel('abc-1', 2)).toBe('abc-1:2');
    expect(() => orderLabel('x'.repeat(63), 0)).toThrow(/longer than Deribit's 64/);
    expect(legOrder('abc', 1, validateLegs(legs, 'p')[1]!)).toEqual({ label: 'abc:1', instrument: 'BTC-27DEC24-60000-C', side: 'buy', amount: 0.5, type: 'limit', price: 0.0125, postOnly: true });
  });
});
