/**
 * Parameters of the demo market: per-currency calibration (index, smile, open interest, contract terms) and the
 * constants shared by its parts (Deribit fees and ticks, the dynamics of the stochastic factors).
 */
import type { Currency } from '../../market/events';

export interface DemoCurrencyParams {
  /** Index at startMs, USD. */
  readonly indexStartUsd: number;
  /** Annual volatility of the index GBM (decimal). */
  readonly indexVol: number;
  /** ATM implied vol at T → 0 and T → ∞ (decimals), and the term-structure time constant in years. */
  readonly atmShort: number;
  readonly atmLong: number;
  readonly termTauYears: number;
  /** Slope of vol/atm in standardized moneyness z; negative = put skew. */
  readonly skew: number;
  /** Smile convexity (coefficient of √(1 + z²) − 1), before the short-expiry boost. */
  readonly curvature: number;
  /** Mean annualized basis of forwards over the index. */
  readonly basisMean: number;
  /** Strike spacings from finest to coarsest, USD; every strike is a multiple of the first. */
  readonly strikeSteps: readonly number[];
  /** Strikes that are multiples of this carry extra open interest. */
  readonly oiRoundStrike: number;
  /** Open interest (contracts) of an ATM OTM option in a weight-1 expiry, before bumps and noise. */
  readonly oiScale: number;
  /** Option minimum trade amount (contracts = coin). */
  readonly minTradeAmount: number;
  /** Smallest block trade, contracts. */
  readonly blockMinAmount: number;
  /** Inverse futures: USD per contract, and price ticks (USD) for dated futures and the perpetual. */
  readonly futureContractSizeUsd: number;
  readonly futureTickUsd: number;
  readonly perpTickUsd: number;
  /** Static futures open interest, USD. */
  readonly perpOpenInterestUsd: number;
  readonly futureOpenInterestUsd: number;
  /** Mean number of option trades per second. */
  readonly tradesPerSecond: number;
}

export const DEMO_CURRENCY_PARAMS: Readonly<Record<Currency, DemoCurrencyParams>> = {
  BTC: {
    indexStartUsd: 95_000,
    indexVol: 0.5,
    atmShort: 0.47,
    atmLong: 0.56,
    termTauYears: 0.25,
    skew: -0.03,
    curvature: 0.12,
    basisMean: 0.07,
    strikeSteps: [500, 1000, 2500, 5000, 10_000, 20_000, 50_000],
    oiRoundStrike: 10_000,
    oiScale: 600,
    minTradeAmount: 0.1,
    blockMinAmount: 25,
    futureContractSizeUsd: 10,
    futureTickUsd: 2.5,
    perpTickUsd: 0.5,
    perpOpenInterestUsd: 1.2e9,
    futureOpenInterestUsd: 3e8,
    tradesPerSecond: 2,
  },
  ETH: {
    indexStartUsd: 3300,
    indexVol: 0.65,
    atmShort: 0.62,
    atmLong: 0.72,
    termTauYears: 0.25,
    skew: -0.04,
    curvature: 0.13,
    basisMean: 0.06,
    strikeSteps: [25, 50, 100, 200, 500, 1000, 2000],
    oiRoundStrike: 1000,
    oiScale: 4000,
    minTradeAmount: 1,
    blockMinAmount: 250,
    futureContractSizeUsd: 1,
    futureTickUsd: 0.05,
    perpTickUsd: 0.05,
    perpOpenInterestUsd: 4e8,
    futureOpenInterestUsd: 8e7,
    tradesPerSecond: 1.2,
  },
};

/** Deribit option fees (fraction of the underlying; Deribit caps them at 12.5 % of the option price). */
export const OPTION_MAKER_FEE = 0.0003;
export const OPTION_TAKER_FEE = 0.0003;
export const FUTURE_MAKER_FEE = 0;
export const FUTURE_TAKER_FEE = 0.0005;
/** Deribit's option tick in coin: 0.0001 below 0.005 coin, 0.0005 from 0.005 coin up. */
export const OPTION_TICK = 0.0001;
export const OPTION_TICK_ABOVE_STEP = 0.0005;
export const OPTION_TICK_STEP_PRICE = 0.005;
