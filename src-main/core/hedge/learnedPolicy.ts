/**
 * The learned hedge policy inside the advisor: a trained network (core/learn/network.ts, NTB or FFN) applied to a
 * whole book, hedging with one linear instrument (the perpetual by default).
 *
 * The network was trained on one short call hedged with the underlying (core/learn/hedging.ts): for a state
 * (log-moneyness, time to maturity, Black-Scholes delta, implied vol) it gives a band [lower, upper] of hedge
 * positions per unit of short call. For a book:
 *
 * - each option gets the band of a short call of its strike and expiry, from the hedge market's inputs (forward,
 *   years to expiry, the option's mark IV), scaled by its quantity with the sign of the position: a short option
 *   of q contracts adds q·[lower, upper], a long one the mirror −q·[upper, lower] (hedge = −q·x for x in the band);
 * - a put takes the band of the call of its strike through put–call parity: its hedge per unit of short put is
 *   the call's band − 1 (a short put = a short call + a long forward, whose hedge is −1);
 * - the bands add up to the book's band of hedges around the delta hedge (minus the options' N(d1) delta);
 * - the current hedge is the delta of the book's futures and perpetuals; inside the band nothing trades, outside
 *   the hedge instrument trades to the nearest edge, rounded to its lot as the other delta policies do.
 *
 * An FFN's "band" is a single point that depends on the previous position; per option that is its share of the
 * current hedge: the deviation of the hedge from the delta hedge, split equally over the contracts. With one option
 * this is the hedge per contract, so one short call reproduces `NetworkPolicy.decide` exactly.
 *
 * The trader's delta target is not used (the network learned a band around the delta-neutral hedge); gamma and
 * vega objectives are reported like the other linear policies do (a linear hedge cannot move them).
 */
import type { BookMarket } from '../book/valuation';
import type { CheckedPosition } from '../book/position';
import { valuePosition } from '../book/valuation';
import { bsDeltaGamma, type HedgeState } from '../learn/hedging';
import type { NetworkPolicy } from '../learn/network';
import { yearsToExpiry } from '../pricing/time';
import { DEFAULT_MAX_BOOK_SHARE, deltas, hedgeInstrument, tradeDelta, type LinearHedgeParams } from './deltaPolicies';
import { finishProposal } from './report';
import type { HedgeBook, HedgeHolding, HedgeMarket, HedgeObjectives, HedgePolicy, LearnedBandReport, Proposal } from './types';

/** The stored model a policy came from (models table id; null for a model loaded from a file). */
export interface LearnedModelRef {
  id: number | null;
  name: string;
}

/** The book's positions one by one with their pricing inputs, from the same valuation the totals come from. */
export function hedgeHoldings(positions: readonly CheckedPosition[], market: BookMarket): HedgeHolding[] {
  return positions.map((position) => {
    const p = position.parsed;
    const value = valuePosition(position, market);
    const quote = p.kind === 'option' ? market.quote(position.instrument) : null;
    return {
      instrument: position.instrument,
      kind: p.kind,
      quantity: position.quantity,
      strike: p.kind === 'option' ? p.strike : null,
      expiryMs: p.kind === 'perpetual' ? null : p.expiryMs,
      isCall: p.kind === 'option' ? p.isCall : null,
      forwardUsd: quote?.forwardUsd ?? null,
      markIv: quote?.markIv ?? null,
      greeks: value.greeks,
    };
  });
}

/** The book's band of hedges and its parts; coin of the underlying. */
export interface BookBand {
  lower: number;
  upper: number;
  /** Options' N(d1) delta. */
  bsDelta: number;
  /** Futures and perpetual delta. */
  currentHedge: number;
  options: LearnedBandReport['options'];
  skipped: LearnedBandReport['skipped'];
}

interface OptionInput {
  instrument: string;
  quantity: number;
  /** The call state of this strike and expiry (previous position filled in later). */
  state: HedgeState;
  /** Parity shift of the band per unit of short position: 0 for a call, −1 for a put. */
  shift: number;
}

/**
 * The band of hedge positions the network allows for the whole book (pure; what `propose` acts on). Options with
 * no forward or IV, and expired ones, are left out and listed in `skipped`.
 */
export function bookBand(network: NetworkPolicy, holdings: readonly HedgeHolding[], nowMs: number): BookBand {
  let currentHedge = 0;
  let bsDelta = 0;
  const inputs: OptionInput[] = [];
  const skipped: BookBand['skipped'] = [];
  for (const h of holdings) {
    if (h.kind !== 'option') {
      if (h.greeks) currentHedge += h.greeks.delta;
      else skipped.push({ instrument: h.instrument, reason: 'no quote: its delta is not in the current hedge' });
      continue;
    }
    if (h.quantity === 0) continue;
    const years = yearsToExpiry(h.expiryMs ?? Number.NaN, nowMs);
    if (!(years > 0)) {
      skipped.push({ instrument: h.instrument, reason: 'expired' });
      continue;
    }
    if (h.forwardUsd === null || !(h.forwardUsd > 0) || h.strike === null || h.isCall === null) {
      skipped.push({ instrument: h.instrument, reason: 'no forward for its expiry' });
      continue;
    }
    if (h.markIv === null || !(h.markIv > 0)) {
      skipped.push({ instrument: h.instrument, reason: 'no mark IV' });
      continue;
    }
    const call = bsDeltaGamma(h.forwardUsd, h.strike, years, h.markIv, true);
    const shift = h.isCall ? 0 : -1;
    bsDelta += h.quantity * (call.delta + shift);
    inputs.push({
      instrument: h.instrument,
      quantity: h.quantity,
      shift,
      state: {
        timeToMaturity: years,
        logMoneyness: Math.log(h.forwardUsd / h.strike),
        spot: h.forwardUsd,
        bsDelta: call.delta,
        bsGamma: call.gamma,
        previousPosition: call.delta,
        impliedVol: h.markIv,
      },
    });
  }
  // The hedge's deviation from the delta hedge (−bsDelta), per contract: each option's previous position (FFN input).
  const contracts = inputs.reduce((sum, o) => sum + Math.abs(o.quantity), 0);
  const deviation = contracts > 0 ? (currentHedge + bsDelta) / contracts : 0;
  let lower = 0;
  let upper = 0;
  const options: BookBand['options'] = [];
  for (const o of inputs) {
    // In the space of one short call: short positions see the deviation as is, long ones mirrored.
    o.state.previousPosition = o.state.bsDelta + (o.quantity < 0 ? deviation : -deviation);
    const unit = network.band(o.state);
    const a = -o.quantity * (unit.lower + o.shift);
    const b = -o.quantity * (unit.upper + o.shift);
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    lower += lo;
    upper += hi;
    options.push({ instrument: o.instrument, quantity: o.quantity, bsDelta: o.state.bsDelta + o.shift, lowerCoin: lo, upperCoin: hi });
  }
  return { lower, upper, bsDelta, currentHedge, options, skipped };
}

/** Why a path-dependent model (input hedge_pnl, decision 0037) cannot hedge a book. */
export const PATH_DEPENDENT_REFUSAL = 'the model reads the hedge P&L so far (input hedge_pnl: a path-dependent band for one option hedged from its start); a book of options bought at different times has no such number, so it serves benchmarks and evaluations, not the advisor or backtests';

const fmt = (x: number): string => (x === 0 ? '0' : Number(x.toPrecision(4)).toString());

export class LearnedPolicy implements HedgePolicy {
  readonly name = 'learned';
  constructor(
    private readonly network: NetworkPolicy,
    readonly model: LearnedModelRef,
    private readonly params: LinearHedgeParams = {},
  ) {
    // A path-dependent model reads one option's hedge P&L since its hedge began; a book has no such number.
    if (network.pathDependent) throw new RangeError(PATH_DEPENDENT_REFUSAL);
  }

  propose(book: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives): Proposal {
    const hedge = hedgeInstrument(market, this.params.instrument);
    const maxShare = this.params.maxBookShare ?? DEFAULT_MAX_BOOK_SHARE;
    const policy = this.name;
    if (!hedge) return finishProposal({ policy, book, market, objectives, legs: [], rationale: [], cannot: `no quote for the hedge instrument ${this.params.instrument ?? `${market.currency}-PERPETUAL`}` });
    if (!book.holdings) {
      const reason = 'the learned policy needs the book position by position, and none was given';
      return { ...finishProposal({ policy, book, market, objectives, legs: [], rationale: [], cannot: reason }), status: 'cannot', reason };
    }
    const band = bookBand(this.network, book.holdings, market.nowMs);
    const h = band.currentHedge;
    const target = h < band.lower ? band.lower : h > band.upper ? band.upper : h;
    const position = h < band.lower ? 'below' : h > band.upper ? 'above' : 'inside';
    // The band in the objective's unit: the book's delta moves by k per coin of hedge (1 in coin, the hedge's price in USD).
    const { book: before, unit } = deltas(book, hedge, objectives);
    const k = objectives.delta.unit === 'coin' ? 1 : hedge.unitGreeks.deltaUsd / hedge.unitGreeks.delta;
    // A band narrower than one lot of the hedge cannot be hit exactly: it is widened to half a lot each side.
    const halfLot = (Math.abs(unit) * hedge.lot) / 2;
    const reported = {
      ...objectives,
      delta: { ...objectives.delta, target: before + ((band.lower + band.upper) / 2 - h) * k, tolerance: Math.max(((band.upper - band.lower) / 2) * k, halfLot) },
    };
    const coin = market.currency;
    const learnedBand: LearnedBandReport = {
      model: { id: this.model.id, name: this.model.name, kind: this.network.kind },
      lowerCoin: band.lower,
      upperCoin: band.upper,
      bsDeltaCoin: band.bsDelta,
      currentHedgeCoin: h,
      targetHedgeCoin: target,
      position,
      options: band.options,
      skipped: band.skipped,
    };
    const rationale = [
      `learned ${this.network.kind.toUpperCase()} policy "${this.model.name}"${this.model.id === null ? '' : ` (model ${this.model.id})`} with ${hedge.instrument}: hedge band [${fmt(band.lower)}, ${fmt(band.upper)}] ${coin} around the delta hedge ${fmt(-band.bsDelta)} ${coin} (options' Black-Scholes delta ${fmt(band.bsDelta)} ${coin}, ${band.options.length} option position(s))`,
      position === 'inside'
        ? `the current hedge (futures and perpetual delta) ${fmt(h)} ${coin} is inside the band: no trade`
        : `the current hedge (futures and perpetual delta) ${fmt(h)} ${coin} is ${position} the band: trade to its nearest edge ${fmt(target)} ${coin}`,
    ];
    if (objectives.delta.target !== 0) rationale.push(`the delta target ${fmt(objectives.delta.target)} is not used: the network learned a band around the delta-neutral hedge`);
    for (const s of band.skipped) rationale.push(`${s.instrument} left out of the band: ${s.reason}`);
    if (position === 'inside') return { ...finishProposal({ policy, book, market, objectives: reported, legs: [], rationale }), learnedBand };
    const proposal = tradeDelta({ policy, book, market, objectives: reported, hedge, deltaChange: (target - h) * k, maxShare, rationale });
    return { ...proposal, learnedBand };
  }
}
