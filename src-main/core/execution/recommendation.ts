/**
 * The recommendation lifecycle as one transition table (the shape of nautilus_trader's order state machine):
 *
 *   proposed -> approved | modified-approved | rejected | expired
 *   approved | modified-approved -> submitted
 *   submitted -> filled | partially-filled | failed
 *
 * `rejected`, `expired`, `filled`, `partially-filled` (every leg final, some filled, some not) and `failed`
 * (every leg final, nothing filled) are final. Anything else is an {@link IllegalTransitionError}.
 *
 * Pure: the store (store/recommendations.ts) commits each transition with its audit row.
 */
import { instrumentName } from '../units';
import { MAX_LABEL_LENGTH, type OrderRequest, type Side } from './venue';

export const RECOMMENDATION_STATES = ['proposed', 'approved', 'modified-approved', 'rejected', 'expired', 'submitted', 'filled', 'partially-filled', 'failed'] as const;
export type RecommendationState = (typeof RECOMMENDATION_STATES)[number];

export const TRANSITIONS: Readonly<Record<RecommendationState, readonly RecommendationState[]>> = Object.freeze({
  proposed: ['approved', 'modified-approved', 'rejected', 'expired'],
  approved: ['submitted'],
  'modified-approved': ['submitted'],
  submitted: ['filled', 'partially-filled', 'failed'],
  rejected: [],
  expired: [],
  filled: [],
  'partially-filled': [],
  failed: [],
});

/** Approved in either form: the desk may (or already did) send its legs. */
export const isApproved = (state: RecommendationState): boolean => state === 'approved' || state === 'modified-approved';
export const isFinal = (state: RecommendationState): boolean => TRANSITIONS[state].length === 0;

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly id: string,
    readonly from: RecommendationState,
    readonly to: RecommendationState,
  ) {
    const allowed = TRANSITIONS[from];
    super(`recommendation ${id} cannot go from ${from} to ${to} (from ${from}: ${allowed.length > 0 ? allowed.join(', ') : 'nothing, it is final'})`);
  }
}

export function checkTransition(id: string, from: RecommendationState, to: RecommendationState): void {
  if (!TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(id, from, to);
}

/** One order the recommendation would send; amounts and prices in Deribit's units (see venue.ts). */
export interface ProposalLeg {
  instrument: string;
  side: Side;
  amount: number;
  type: 'limit' | 'market';
  /** Limit orders: in the instrument's quote currency. */
  price?: number;
  postOnly?: boolean;
}

/** The legs, plus whatever the policy wants kept with them (expected cost, greeks after…) as JSON. */
export interface Proposal {
  legs: readonly ProposalLeg[];
  [detail: string]: unknown;
}

/** A bad proposal or modification; the message names the field (`proposal.legs[1].amount`). */
export class ProposalError extends Error {
  override readonly name = 'ProposalError';
}

export function validateLegs(legs: unknown, field: string): ProposalLeg[] {
  if (!Array.isArray(legs) || legs.length === 0) throw new ProposalError(`${field} must be a non-empty array of legs`);
  return legs.map((leg: unknown, i) => {
    const at = `${field}[${i}]`;
    if (typeof leg !== 'object' || leg === null) throw new ProposalError(`${at} must be an object`);
    const { instrument, side, amount, type, price, postOnly } = leg as Record<string, unknown>;
    if (typeof instrument !== 'string' || instrument === '') throw new ProposalError(`${at}.instrument must be an instrument name, got ${JSON.stringify(instrument)}`);
    if (side !== 'buy' && side !== 'sell') throw new ProposalError(`${at}.side must be buy or sell, got ${JSON.stringify(side)}`);
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) throw new ProposalError(`${at}.amount must be a positive number, got ${String(amount)}`);
    if (type !== 'limit' && type !== 'market') throw new ProposalError(`${at}.type must be limit or market, got ${JSON.stringify(type)}`);
    if (type === 'limit' && (typeof price !== 'number' || !Number.isFinite(price) || price <= 0)) throw new ProposalError(`${at}.price must be a positive number for a limit order, got ${String(price)}`);
    if (type === 'market' && price !== undefined) throw new ProposalError(`${at}.price must be absent for a market order`);
    if (postOnly !== undefined && (typeof postOnly !== 'boolean' || (postOnly && type !== 'limit'))) throw new ProposalError(`${at}.postOnly must be a boolean, and true only on a limit order`);
    return { instrument, side, amount, type, ...(type === 'limit' ? { price: price as number } : {}), ...(postOnly !== undefined ? { postOnly } : {}) };
  });
}

/**
 * A trader's change to the quantities (and limit prices): the same legs in the same order, same instruments,
 * sides and order types. Returns the validated legs.
 */
export function validateModification(original: readonly ProposalLeg[], modified: unknown): ProposalLeg[] {
  const legs = validateLegs(modified, 'legs');
  if (legs.length !== original.length) throw new ProposalError(`legs: a modification keeps the ${original.length} legs of the proposal, got ${legs.length}`);
  legs.forEach((leg, i) => {
    const was = original[i]!;
    for (const key of ['instrument', 'side', 'type'] as const) {
      if (leg[key] !== was[key]) throw new ProposalError(`legs[${i}].${key}: a modification changes quantities and prices only (${was[key]} -> ${leg[key]})`);
    }
  });
  return legs;
}

/** The client order label of leg `leg`: `<recommendationId>:<leg>`. */
export function orderLabel(recommendationId: string, leg: number): string {
  const label = `${recommendationId}:${leg}`;
  if (label.length > MAX_LABEL_LENGTH) throw new RangeError(`order label ${label} is longer than Deribit's ${MAX_LABEL_LENGTH} characters`);
  return label;
}

export function legOrder(recommendationId: string, leg: number, proposal: ProposalLeg): OrderRequest {
  return {
    label: orderLabel(recommendationId, leg),
    instrument: instrumentName(proposal.instrument),
    side: proposal.side,
    amount: proposal.amount,
    type: proposal.type,
    ...(proposal.price !== undefined ? { price: proposal.price } : {}),
    ...(proposal.postOnly !== undefined ? { postOnly: proposal.postOnly } : {}),
  };
}
