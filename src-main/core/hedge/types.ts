/**
 * The hedge advisor's vocabulary: objectives (target and tolerance band per greek), hedge instruments with their
 * order books and per-unit greeks, and proposals (legs, greeks before and after, expected cost, rationale).
 *
 * Every policy implements {@link HedgePolicy}: `propose(book, market, objectives) → proposal`. The book and
 * market come in as plain values (no live objects), so a proposal is a pure function of its inputs: the same
 * inputs give the same proposal, byte for byte, which is what replay and the audit log rely on.
 */
import type { BookGreeks, BookTotals } from '../book/valuation';
import type { Currency } from '../market/events';

export type HedgeGreek = 'delta' | 'gamma' | 'vega';

export interface Band {
  target: number;
  /** In band when |value − target| ≤ tolerance. */
  tolerance: number;
}

export interface HedgeObjectives {
  currency: Currency;
  /**
   * Delta band: `coin` is the coin-P&L delta (what a coin-margined account hedges), `usd` the N(d1) delta × the
   * underlying price.
   */
  delta: Band & { unit: 'coin' | 'usd' };
  /** Dollar gamma, USD per 1 % move. */
  gamma?: Band;
  /** Vega, USD per vol point. */
  vega?: Band;
}

/** `[price, amount]`: price in the instrument's quote currency, amount in its quantity unit. */
export type Level = readonly [number, number];

export interface HedgeInstrument {
  instrument: string;
  kind: 'option' | 'future' | 'perpetual';
  /** Quantity step: 0.1 contract for options, the contract size (10 USD BTC, 1 USD ETH) for futures. */
  lot: number;
  /** Smallest order Deribit takes, in the quantity unit. */
  minAmount: number;
  /** Taker fee: for options a fraction of the underlying per contract (0.0003), for futures of the notional. */
  takerFee: number;
  /** Where the fee came from: the instrument list, or Deribit's published schedule when the source said nothing. */
  feeSource: 'instrument' | 'schedule';
  /** Best first. */
  bids: readonly Level[];
  asks: readonly Level[];
  /** Mark price in the quote currency (options: coin; futures: USD). */
  markPrice: number;
  /** Greeks of one unit of quantity (1 contract, or 1 USD notional). */
  unitGreeks: BookGreeks;
  /**
   * Options: the market's mark IV minus the fitted volatility surface at this strike, vol points (+ rich, − cheap);
   * null or absent when no fit is known. The selection policy can price it in (`surfaceEdge`).
   */
  ivResidualVolPoints?: number | null;
}

export interface HedgeMarket {
  nowMs: number;
  /** The market seq the inputs are from. */
  marketSeq: number;
  currency: Currency;
  indexUsd: number;
  instruments: readonly HedgeInstrument[];
  /**
   * The variance risk premium per expiry (ATM implied vol minus the forecast realized vol over the expiry's horizon,
   * vol points; `Surface` view), keyed by expiry label (`27DEC26`); absent when no live fit or forecast exists.
   */
  variancePremiums?: Readonly<Record<string, number>>;
}

/**
 * One position of the book with what a per-position policy (the learned band) needs: options carry their strike,
 * expiry, forward and mark IV; `greeks` are the whole position's (null when the market has no quote).
 */
export interface HedgeHolding {
  instrument: string;
  kind: 'option' | 'future' | 'perpetual';
  /** + long, − short; contracts (options) or USD notional (futures, perpetuals). */
  quantity: number;
  /** Options only (null otherwise). */
  strike: number | null;
  expiryMs: number | null;
  isCall: boolean | null;
  forwardUsd: number | null;
  /** Mark IV, decimal. */
  markIv: number | null;
  greeks: BookGreeks | null;
}

/** The book as the advisor sees it: the currency's totals (core/book/valuation.ts). */
export interface HedgeBook {
  version: number;
  totals: BookGreeks & Partial<Pick<BookTotals, 'positions' | 'missingGreeks'>>;
  /** The positions one by one, for policies that look at each (the learned band); absent for the others. */
  holdings?: readonly HedgeHolding[];
}

export interface ProposalLeg {
  instrument: string;
  side: 'buy' | 'sell';
  /** Positive, in the instrument's quantity unit. */
  amount: number;
  /** Volume-weighted price over the levels walked, quote currency. */
  averagePrice: number;
  /** The last level walked: the limit price that fills the whole leg against the visible book. */
  limitPrice: number;
  /** Expected cost against the mark (half-spread, slippage and fee), USD and coin. */
  costUsd: number;
  costCoin: number;
  /** Part of the cost that is the fee, coin. */
  feeCoin: number;
  /** What the leg adds to the book's greeks. */
  greeks: BookGreeks;
}

export interface BandReport {
  greek: HedgeGreek;
  unit: string;
  target: number;
  tolerance: number;
  before: number;
  after: number;
  inBandBefore: boolean;
  inBandAfter: boolean;
}

export interface Proposal {
  policy: string;
  currency: Currency;
  /**
   * `trade`: legs bring the book into band. `in-band`: nothing to do. `cannot`: no trade reaches the band
   * (liquidity, limits): `reason` says why, and legs, when there are any, come as close as possible.
   */
  status: 'trade' | 'in-band' | 'cannot';
  legs: ProposalLeg[];
  before: BookGreeks;
  after: BookGreeks;
  bands: BandReport[];
  costUsd: number;
  costCoin: number;
  rationale: string[];
  reason: string | null;
  /** The learned policy's band, for the explanation (absent for the other policies). */
  learnedBand?: LearnedBandReport;
}

/** Where the learned policy's band lies and where the current hedge sits in it; coin of the underlying. */
export interface LearnedBandReport {
  model: { id: number | null; name: string; kind: string };
  /** The hedge (futures and perpetual delta) the band allows: [lower, upper]. */
  lowerCoin: number;
  upperCoin: number;
  /** The options' Black-Scholes N(d1) delta; the band is around its negative (the delta hedge). */
  bsDeltaCoin: number;
  /** Futures and perpetual delta now, and after the proposal. */
  currentHedgeCoin: number;
  targetHedgeCoin: number;
  position: 'inside' | 'below' | 'above';
  /** Per option: its share of the band. */
  options: { instrument: string; quantity: number; bsDelta: number; lowerCoin: number; upperCoin: number }[];
  /** Options left out (no IV or forward, or expired), with why. */
  skipped: { instrument: string; reason: string }[];
}

export interface HedgePolicy {
  readonly name: string;
  propose(book: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives): Proposal | Promise<Proposal>;
}
