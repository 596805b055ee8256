/**
 * Delta hedges with one linear instrument (the perpetual or a chosen future):
 *
 * - {@link ThresholdPolicy}: when delta leaves its band (separate thresholds above and below the target), trade
 *   `hedgeRatio` of the distance back to the target.
 * - {@link WhalleyWilmottPolicy}: the cost-aware band of Whalley & Wilmott (1997), half-width
 *   H = (3/2 · λ · S · Γ² / γ)^(1/3) in units of the underlying (r = 0), from the book's gamma Γ (coin per USD),
 *   the proportional cost λ of the hedge (half-spread plus taker fee as a fraction of the price), the price S and
 *   the absolute risk aversion γ (per USD). Outside the band it trades to the nearest edge, not to the centre,
 *   so small moves do not trade.
 *
 * A linear instrument has no gamma or vega: when the objectives set those bands and the book is outside them, the
 * proposal says it cannot reach them and names the selection policy, which can.
 */
import { depth, roundToLot, walkLeg } from './costs';
import { finishProposal, inBand } from './report';
import type { HedgeBook, HedgeInstrument, HedgeMarket, HedgeObjectives, HedgePolicy, Proposal } from './types';

export interface LinearHedgeParams {
  /** The hedge instrument; default the currency's perpetual. */
  instrument?: string;
  /** Never take more than this share of a level's visible size (0–1]. */
  maxBookShare?: number;
}

export interface ThresholdParams extends LinearHedgeParams {
  /** Fraction of the distance to the target that is traded, (0, 1]. */
  hedgeRatio?: number;
  /** Threshold above the target (long delta) before a hedge; default the objective's tolerance. */
  upper?: number;
  /** Threshold below the target (short delta); default the objective's tolerance. */
  lower?: number;
}

export interface WhalleyWilmottParams extends LinearHedgeParams {
  /** Absolute risk aversion γ, per USD. */
  riskAversion: number;
  /** Proportional cost λ; default the hedge's half-spread plus taker fee. */
  costRate?: number;
}

export const DEFAULT_MAX_BOOK_SHARE = 0.5;

export function hedgeInstrument(market: HedgeMarket, name: string | undefined): HedgeInstrument | null {
  const wanted = name ?? `${market.currency}-PERPETUAL`;
  return market.instruments.find((i) => i.instrument === wanted && i.kind !== 'option') ?? null;
}

/** Delta of the book in the objective's unit, and of one unit of the hedge. */
export function deltas(book: HedgeBook, hedge: HedgeInstrument, objectives: HedgeObjectives): { book: number; unit: number } {
  return objectives.delta.unit === 'coin'
    ? { book: book.totals.deltaCoin, unit: hedge.unitGreeks.deltaCoin }
    : { book: book.totals.deltaUsd, unit: hedge.unitGreeks.deltaUsd };
}

/**
 * Trades `wanted` units of delta change with the hedge (rounded to its lot, within the visible depth), and
 * finishes the proposal.
 */
export function tradeDelta(args: {
  policy: string;
  book: HedgeBook;
  market: HedgeMarket;
  objectives: HedgeObjectives;
  hedge: HedgeInstrument;
  deltaChange: number;
  maxShare: number;
  rationale: string[];
}): Proposal {
  const { hedge, market } = args;
  const { book: before, unit } = deltas(args.book, hedge, args.objectives);
  let quantity = roundToLot(args.deltaChange / unit, hedge.lot);
  // Rounding to the lot may stop just outside the band (trading to its edge): one more lot in the same direction.
  if (!inBand(before + quantity * unit, args.objectives.delta) && inBand(before + (quantity + Math.sign(args.deltaChange / unit) * hedge.lot) * unit, args.objectives.delta)) {
    quantity = roundToLot(quantity + Math.sign(args.deltaChange / unit) * hedge.lot, hedge.lot);
  }
  const side = quantity > 0 ? 'buy' : 'sell';
  let amount = Math.abs(quantity);
  const rationale = [...args.rationale];
  let cannot: string | null = null;
  if (amount < hedge.minAmount) {
    if (amount > 0 || args.deltaChange !== 0) rationale.push(`the trade rounds to ${amount} of ${hedge.instrument}, below Deribit's minimum ${hedge.minAmount}`);
    return finishProposal({ ...args, legs: [], rationale, cannot: args.deltaChange !== 0 ? `the hedge rounds below ${hedge.instrument}'s minimum amount` : null });
  }
  const available = roundToLot(depth(hedge, side) * args.maxShare, hedge.lot, 'down');
  if (available < amount) {
    cannot = `${hedge.instrument}: only ${available} of the ${amount} needed is within ${Math.round(args.maxShare * 100)} % of the visible ${side === 'buy' ? 'asks' : 'bids'}`;
    amount = available;
  }
  if (amount < hedge.minAmount) return finishProposal({ ...args, legs: [], rationale, cannot: cannot ?? 'no liquidity' });
  const walked = walkLeg(hedge, side, amount, market.indexUsd, args.maxShare);
  if (!walked.ok) return finishProposal({ ...args, legs: [], rationale, cannot: `${hedge.instrument}: not enough visible depth` });
  return finishProposal({ ...args, legs: [walked.leg], rationale, cannot });
}

export class ThresholdPolicy implements HedgePolicy {
  readonly name = 'threshold';
  constructor(private readonly params: ThresholdParams = {}) {
    const ratio = params.hedgeRatio ?? 1;
    if (!(ratio > 0 && ratio <= 1)) throw new RangeError(`hedge ratio must be in (0, 1], got ${ratio}`);
  }

  propose(book: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives): Proposal {
    const hedge = hedgeInstrument(market, this.params.instrument);
    const maxShare = this.params.maxBookShare ?? DEFAULT_MAX_BOOK_SHARE;
    if (!hedge) return finishProposal({ policy: this.name, book, market, objectives, legs: [], rationale: [], cannot: `no quote for the hedge instrument ${this.params.instrument ?? `${market.currency}-PERPETUAL`}` });
    const { target, tolerance } = objectives.delta;
    const upper = this.params.upper ?? tolerance;
    const lower = this.params.lower ?? tolerance;
    const delta = deltas(book, hedge, objectives).book;
    const ratio = this.params.hedgeRatio ?? 1;
    const rationale = [`threshold hedge with ${hedge.instrument}: trade ${Math.round(ratio * 100)} % of the way back to ${target} when delta leaves [${target - lower}, ${target + upper}]`];
    // The report judges the band the policy acts on (asymmetric thresholds as a band around their midpoint).
    const band = { ...objectives, delta: { ...objectives.delta, target: target + (upper - lower) / 2, tolerance: (upper + lower) / 2 } };
    const outside = delta > target + upper || delta < target - lower;
    if (!outside) return finishProposal({ policy: this.name, book, market, objectives: band, legs: [], rationale });
    return tradeDelta({ policy: this.name, book, market, objectives: band, hedge, deltaChange: -ratio * (delta - target), maxShare, rationale });
  }
}

/** Proportional cost of trading the hedge: half the quoted spread over the mid, plus the taker fee rate. */
export function proportionalCost(hedge: HedgeInstrument): number | null {
  const bid = hedge.bids[0]?.[0];
  const ask = hedge.asks[0]?.[0];
  if (bid === undefined || ask === undefined) return null;
  const mid = (bid + ask) / 2;
  return (ask - bid) / 2 / mid + hedge.takerFee;
}

/** Whalley–Wilmott half-width in units of the underlying (coin): (3/2 · λ · S · Γ² / γ)^(1/3). */
export function whalleyWilmottHalfWidth(args: { costRate: number; priceUsd: number; gammaCoinPerUsd: number; riskAversion: number }): number {
  const { costRate, priceUsd, gammaCoinPerUsd, riskAversion } = args;
  if (!(riskAversion > 0)) throw new RangeError(`risk aversion must be > 0, got ${riskAversion}`);
  return Math.cbrt((1.5 * costRate * priceUsd * gammaCoinPerUsd * gammaCoinPerUsd) / riskAversion);
}

export class WhalleyWilmottPolicy implements HedgePolicy {
  readonly name = 'band';
  constructor(private readonly params: WhalleyWilmottParams) {
    if (!(params.riskAversion > 0)) throw new RangeError(`risk aversion must be > 0, got ${params.riskAversion}`);
  }

  propose(book: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives): Proposal {
    const hedge = hedgeInstrument(market, this.params.instrument);
    const maxShare = this.params.maxBookShare ?? DEFAULT_MAX_BOOK_SHARE;
    if (!hedge) return finishProposal({ policy: this.name, book, market, objectives, legs: [], rationale: [], cannot: `no quote for the hedge instrument ${this.params.instrument ?? `${market.currency}-PERPETUAL`}` });
    const cost = this.params.costRate ?? proportionalCost(hedge);
    if (cost === null) return finishProposal({ policy: this.name, book, market, objectives, legs: [], rationale: [], cannot: `${hedge.instrument} has no two-sided quote: the band's cost is unknown` });
    const S = market.indexUsd;
    // Dollar gamma per 1 % = Γ · S² · 0.01, so Γ (coin per USD) = gammaUsdPer1Pct / (0.01 · S²).
    const gamma = book.totals.gammaUsdPer1Pct / (0.01 * S * S);
    const halfCoin = whalleyWilmottHalfWidth({ costRate: cost, priceUsd: S, gammaCoinPerUsd: gamma, riskAversion: this.params.riskAversion });
    const half = objectives.delta.unit === 'coin' ? halfCoin : halfCoin * S;
    const { target } = objectives.delta;
    const band = { ...objectives, delta: { ...objectives.delta, tolerance: half } };
    const delta = deltas(book, hedge, objectives).book;
    const rationale = [
      `Whalley–Wilmott band with ${hedge.instrument}: half-width ${half.toPrecision(4)} ${objectives.delta.unit === 'coin' ? market.currency : 'USD'} from the book's gamma ${gamma.toExponential(3)} ${market.currency}/USD, cost ${(cost * 1e4).toFixed(2)} bp and risk aversion ${this.params.riskAversion}; outside it, trade to the nearest edge`,
    ];
    if (Math.abs(delta - target) <= half) return finishProposal({ policy: this.name, book, market, objectives: band, legs: [], rationale });
    const edge = delta > target ? target + half : target - half;
    return tradeDelta({ policy: this.name, book, market, objectives: band, hedge, deltaChange: edge - delta, maxShare, rationale });
  }
}
