/**
 * One currency of the demo market: its listed instruments as columns (struct-of-arrays, indexed by expiry, option
 * or future number), the stochastic factors that drive them, and how both are built and moved forward in time.
 *
 * Factors (per currency):
 * - index: geometric Brownian motion with the currency's annual vol, exact over any elapsed time;
 * - forward of each expiry: F = index · (1 + basis · T), the annualized basis an Ornstein–Uhlenbeck (OU) process
 *   around the currency's mean, clamped to ±3 points around it;
 * - ATM vol: the term structure (smile.ts) times exp(shock · weight(T)), the shock an OU log-vol factor;
 * - perpetual premium over the index: OU around a small positive mean, clamped to ±0.3 %.
 *
 * Option open interest starts Gaussian in moneyness around the money, heavier on the OTM side, with bumps at
 * round strikes, scaled by expiry kind (dailies < weeklies < monthlies < quarterlies) and lognormal noise; trades
 * move it by their amount.
 */
import type { Currency, InstrumentDef } from '../../market/events';
import type { Rng } from '../../random';
import { yearsToExpiry } from '../../pricing/time';
import { instrumentName, usd } from '../../units';
import type { EpochMs, InstrumentName } from '../../units';
import {
  DEMO_CURRENCY_PARAMS,
  FUTURE_MAKER_FEE,
  FUTURE_TAKER_FEE,
  OPTION_MAKER_FEE,
  OPTION_TAKER_FEE,
  OPTION_TICK,
  type DemoCurrencyParams,
} from './params';
import { listStrikes, nearMoneyStrikeStepIndex, type DemoExpiry, type DemoExpiryKind } from './schedule';
import { smileCurvature, termStructureAtmVol, volShockWeight } from './smile';

/** Log-vol shock: OU towards 0 with this mean-reversion speed and vol, per year (half-life ~5 days). */
const VOL_SHOCK_KAPPA = 50;
const VOL_SHOCK_ETA = 1.5;
/** Annualized basis: OU towards the currency's mean, per year, clamped to mean ± BASIS_BAND. */
const BASIS_KAPPA = 20;
const BASIS_ETA = 0.05;
const BASIS_BAND = 0.03;
/** Perpetual premium over the index (fraction): OU around a small positive mean, per year, clamped to ±MAX. */
export const PERPETUAL_PREMIUM_MEAN = 0.0002;
const PERPETUAL_PREMIUM_KAPPA = 500;
const PERPETUAL_PREMIUM_ETA = 0.019;
const PERPETUAL_PREMIUM_MAX = 0.003;
/** Marks the perpetual in `FutureColumns.expiryIndex`. */
export const PERPETUAL_EXPIRY_INDEX = -1;

/** Per-expiry columns; the time-dependent ones are recomputed by `updateExpiries` at every step. */
export interface ExpiryColumns {
  readonly listed: readonly DemoExpiry[];
  /** What the options of the expiry are quoted on: the dated future (quarterlies) or `SYN.<currency>-<code>`. */
  readonly underlyingIndex: readonly string[];
  /** Option number of the expiry's first option (options are expiry-major). */
  readonly firstOption: Int32Array;
  /** Listed strikes, USD, ascending. */
  readonly strikesUsd: readonly Float64Array[];
  /** Time to expiry in years (ACT/365) and its square root; stale once the expiry is no longer alive. */
  readonly years: Float64Array;
  readonly sqrtYears: Float64Array;
  readonly forwardUsd: Float64Array;
  /** ATM vol including the vol shock (decimal). */
  readonly atmVol: Float64Array;
  readonly smileCurvature: Float64Array;
  /** 1 while the expiry is in the future, 0 from its expiry time on. */
  readonly alive: Uint8Array;
}

/** Per-option columns: expiry-major, strike ascending, call then put (so option = first + 2·strike + isPut). */
export interface OptionColumns {
  readonly defs: readonly InstrumentDef[];
  readonly strikeUsd: Float64Array;
  readonly expiryIndex: Int32Array;
  /** 1 for a call, 0 for a put. */
  readonly isCall: Uint8Array;
  /** Contracts (= coin). */
  readonly openInterest: Float64Array;
  /**
   * Contracts traded over the last 24 hours, as Deribit's ticker `stats.volume`: a starting figure from the open
   * interest (no random draw, so the rest of a seed's stream is unchanged), plus every demo trade. It does not roll
   * off: a demo session is far shorter than the 24 hours it stands for.
   */
  readonly volume24h: Float64Array;
  /** Number of the last step in which the option traded (its ticker is then always sent); 0 = never. */
  readonly lastTradedStep: Uint32Array;
}

/** Per-future columns: dated futures (quarterlies) then the perpetual. */
export interface FutureColumns {
  readonly defs: readonly InstrumentDef[];
  /** Expiry of each dated future; PERPETUAL_EXPIRY_INDEX for the perpetual. */
  readonly expiryIndex: Int32Array;
  readonly openInterestUsd: Float64Array;
  /** Last published quote, USD; NaN before the first, so the first ticker is always sent. */
  readonly lastBidUsd: Float64Array;
  readonly lastAskUsd: Float64Array;
}

export interface DemoCurrencyMarket {
  readonly currency: Currency;
  readonly params: DemoCurrencyParams;
  /**
   * All draws of this currency except order-book sizes (factors, trades, ticker subsets, quote sizes), in a fixed
   * order: changing the number or order of draws changes every later event of a seed.
   */
  readonly random: Rng;
  /** Perpetual order-book sizes draw from their own stream, so adding the books changed no other event. */
  readonly orderBookRandom: Rng;
  /** Amounts are multiples of the minimum trade amount: round(amount · amountStepsPerUnit) / amountStepsPerUnit. */
  readonly amountStepsPerUnit: number;
  indexUsd: number;
  logVolShock: number;
  annualBasis: number;
  perpetualPremium: number;
  /** Trades and block trades so far (their ids count up from 1). */
  tradeCount: number;
  blockTradeCount: number;
  readonly expiries: ExpiryColumns;
  readonly options: OptionColumns;
  readonly futures: FutureColumns;
}

/**
 * Per expiry kind, relative to the currency's OI scale: the starting open interest (dailies hold little, quarterlies
 * the most), and the share of it that trades in a day at the start (short-dated options turn over far faster:
 * roughly Deribit's pattern, dailies trading about their open interest, quarterlies a few percent).
 */
const EXPIRY_KIND_ACTIVITY: Record<DemoExpiryKind, { openInterestWeight: number; dailyTurnover: number }> = {
  daily: { openInterestWeight: 0.25, dailyTurnover: 0.8 },
  weekly: { openInterestWeight: 0.5, dailyTurnover: 0.3 },
  monthly: { openInterestWeight: 1.3, dailyTurnover: 0.1 },
  quarterly: { openInterestWeight: 2.2, dailyTurnover: 0.04 },
};

/** Lists the currency's instruments on the schedule as of startMs, with starting open interest and factors. */
export function buildCurrencyMarket(
  currency: Currency,
  schedule: readonly DemoExpiry[],
  startMs: EpochMs,
  random: Rng,
  orderBookRandom: Rng,
): DemoCurrencyMarket {
  const params = DEMO_CURRENCY_PARAMS[currency];
  const expiryCount = schedule.length;
  const underlyingIndex: string[] = [];
  const strikesUsd: Float64Array[] = [];
  const firstOption = new Int32Array(expiryCount);
  const optionDefs: InstrumentDef[] = [];
  const optionStrikes: number[] = [];
  const optionExpiries: number[] = [];
  const optionIsCall: number[] = [];
  const optionOpenInterest: number[] = [];
  const optionVolume: number[] = [];
  const futureDefs: InstrumentDef[] = [];
  const futureExpiries: number[] = [];
  const amountStepsPerUnit = Math.round(1 / params.minTradeAmount);

  schedule.forEach((expiry, expiryIndex) => {
    const years = yearsToExpiry(expiry.expiryMs, startMs);
    const forwardUsd = params.indexStartUsd * (1 + params.basisMean * years);
    const atmVol = termStructureAtmVol(params, years);
    const stepIndex = nearMoneyStrikeStepIndex(years * 365);
    const strikes = listStrikes(forwardUsd, years, atmVol, params.strikeSteps, stepIndex);
    strikesUsd.push(Float64Array.from(strikes));
    firstOption[expiryIndex] = optionDefs.length;
    const futureName = `${currency}-${expiry.code}`;
    if (expiry.kind === 'quarterly') {
      underlyingIndex.push(futureName);
      futureDefs.push(futureDef(currency, params, instrumentName(futureName), expiry.expiryMs));
      futureExpiries.push(expiryIndex);
    } else {
      underlyingIndex.push(`SYN.${futureName}`);
    }
    const standardDeviation = atmVol * Math.sqrt(years);
    const { openInterestWeight: expiryWeight, dailyTurnover } = EXPIRY_KIND_ACTIVITY[expiry.kind];
    for (const strike of strikes) {
      for (const isCall of [true, false]) {
        optionDefs.push(optionDef(currency, params, expiry, strike, isCall));
        const standardDeviationsAway = Math.log(strike / forwardUsd) / standardDeviation;
        const outOfTheMoney = isCall ? strike >= forwardUsd : strike <= forwardUsd;
        const roundStrikeBump =
          strike % params.oiRoundStrike === 0 ? 2.2 : strike % (params.oiRoundStrike / 2) === 0 ? 1.4 : 1;
        // Lognormal with mean ≈ 1 (exp(σ²/2 − 0.06) with σ = 0.35).
        const noise = Math.exp(0.35 * random.nextNormal() - 0.06);
        const gaussianInMoneyness = Math.exp((-standardDeviationsAway * standardDeviationsAway) / (2 * 1.2 * 1.2));
        const openInterest = params.oiScale * expiryWeight * (0.03 + gaussianInMoneyness) * (outOfTheMoney ? 1 : 0.35);
        optionStrikes.push(strike);
        optionExpiries.push(expiryIndex);
        optionIsCall.push(isCall ? 1 : 0);
        const startingOpenInterest = Math.round(openInterest * roundStrikeBump * noise * amountStepsPerUnit) / amountStepsPerUnit;
        optionOpenInterest.push(startingOpenInterest);
        optionVolume.push(Math.round(startingOpenInterest * dailyTurnover * amountStepsPerUnit) / amountStepsPerUnit);
      }
    }
  });
  futureDefs.push(futureDef(currency, params, instrumentName(`${currency}-PERPETUAL`), null));
  futureExpiries.push(PERPETUAL_EXPIRY_INDEX);
  const futureOpenInterestUsd = futureExpiries.map((expiryIndex) =>
    expiryIndex === PERPETUAL_EXPIRY_INDEX ? params.perpOpenInterestUsd : params.futureOpenInterestUsd,
  );

  return {
    currency,
    params,
    random,
    orderBookRandom,
    amountStepsPerUnit,
    indexUsd: params.indexStartUsd,
    logVolShock: 0,
    annualBasis: params.basisMean,
    perpetualPremium: PERPETUAL_PREMIUM_MEAN,
    tradeCount: 0,
    blockTradeCount: 0,
    expiries: {
      listed: schedule,
      underlyingIndex,
      firstOption,
      strikesUsd,
      years: new Float64Array(expiryCount),
      sqrtYears: new Float64Array(expiryCount),
      forwardUsd: new Float64Array(expiryCount),
      atmVol: new Float64Array(expiryCount),
      smileCurvature: new Float64Array(expiryCount),
      alive: new Uint8Array(expiryCount),
    },
    options: {
      defs: optionDefs,
      strikeUsd: Float64Array.from(optionStrikes),
      expiryIndex: Int32Array.from(optionExpiries),
      isCall: Uint8Array.from(optionIsCall),
      openInterest: Float64Array.from(optionOpenInterest),
      volume24h: Float64Array.from(optionVolume),
      lastTradedStep: new Uint32Array(optionDefs.length),
    },
    futures: {
      defs: futureDefs,
      expiryIndex: Int32Array.from(futureExpiries),
      openInterestUsd: Float64Array.from(futureOpenInterestUsd),
      lastBidUsd: new Float64Array(futureDefs.length).fill(Number.NaN),
      lastAskUsd: new Float64Array(futureDefs.length).fill(Number.NaN),
    },
  };
}

function optionDef(
  currency: Currency,
  params: DemoCurrencyParams,
  expiry: DemoExpiry,
  strikeUsd: number,
  isCall: boolean,
): InstrumentDef {
  return {
    name: instrumentName(`${currency}-${expiry.code}-${strikeUsd}-${isCall ? 'C' : 'P'}`),
    currency,
    kind: 'option',
    settlement: 'inverse',
    expiryMs: expiry.expiryMs,
    strikeUsd: usd(strikeUsd),
    optionType: isCall ? 'call' : 'put',
    contractSize: 1,
    tickSize: OPTION_TICK,
    minTradeAmount: params.minTradeAmount,
    makerCommission: OPTION_MAKER_FEE,
    takerCommission: OPTION_TAKER_FEE,
  };
}

/** A dated inverse future (expiryMs) or the perpetual (null). */
function futureDef(
  currency: Currency,
  params: DemoCurrencyParams,
  name: InstrumentName,
  expiryMs: EpochMs | null,
): InstrumentDef {
  return {
    name,
    currency,
    kind: expiryMs === null ? 'perpetual' : 'future',
    settlement: 'inverse',
    expiryMs,
    strikeUsd: null,
    optionType: null,
    contractSize: params.futureContractSizeUsd,
    tickSize: expiryMs === null ? params.perpTickUsd : params.futureTickUsd,
    minTradeAmount: params.futureContractSizeUsd,
    makerCommission: FUTURE_MAKER_FEE,
    takerCommission: FUTURE_TAKER_FEE,
  };
}

/** Exact OU update of `value` towards `mean` over `years`, with speed kappa and vol eta per year. */
function ornsteinUhlenbeckStep(value: number, mean: number, kappa: number, eta: number, years: number, normalDraw: number): number {
  const decay = Math.exp(-kappa * years);
  return mean + (value - mean) * decay + eta * Math.sqrt((1 - decay * decay) / (2 * kappa)) * normalDraw;
}

/** Evolves index, vol shock, basis and perpetual premium over `years` (no draws when no time passed). */
export function advanceFactors(market: DemoCurrencyMarket, years: number): void {
  if (!(years > 0)) return;
  const random = market.random;
  const { params } = market;
  const indexVol = params.indexVol;
  // GBM with zero drift in the index (martingale): exp(−σ²t/2 + σ√t·N).
  market.indexUsd *= Math.exp(-0.5 * indexVol * indexVol * years + indexVol * Math.sqrt(years) * random.nextNormal());
  market.logVolShock = ornsteinUhlenbeckStep(market.logVolShock, 0, VOL_SHOCK_KAPPA, VOL_SHOCK_ETA, years, random.nextNormal());
  const basis = ornsteinUhlenbeckStep(market.annualBasis, params.basisMean, BASIS_KAPPA, BASIS_ETA, years, random.nextNormal());
  market.annualBasis = Math.min(params.basisMean + BASIS_BAND, Math.max(params.basisMean - BASIS_BAND, basis));
  const premium = ornsteinUhlenbeckStep(
    market.perpetualPremium,
    PERPETUAL_PREMIUM_MEAN,
    PERPETUAL_PREMIUM_KAPPA,
    PERPETUAL_PREMIUM_ETA,
    years,
    random.nextNormal(),
  );
  market.perpetualPremium = Math.min(PERPETUAL_PREMIUM_MAX, Math.max(-PERPETUAL_PREMIUM_MAX, premium));
}

/**
 * Recomputes time to expiry, forward, ATM vol and smile convexity of each expiry at nowMs. An expiry is alive
 * strictly before its expiry time: at 08:00:00.000 UTC on its date it is gone.
 */
export function updateExpiries(market: DemoCurrencyMarket, nowMs: number): void {
  const { expiries, params } = market;
  expiries.listed.forEach((expiry, expiryIndex) => {
    const years = yearsToExpiry(expiry.expiryMs, nowMs);
    if (!(years > 0)) {
      expiries.alive[expiryIndex] = 0;
      return;
    }
    expiries.alive[expiryIndex] = 1;
    expiries.years[expiryIndex] = years;
    expiries.sqrtYears[expiryIndex] = Math.sqrt(years);
    expiries.forwardUsd[expiryIndex] = market.indexUsd * (1 + market.annualBasis * years);
    expiries.atmVol[expiryIndex] =
      termStructureAtmVol(params, years) * Math.exp(market.logVolShock * volShockWeight(years));
    expiries.smileCurvature[expiryIndex] = smileCurvature(params, years);
  });
}

/** True while the option's expiry is in the future. */
export function isOptionAlive(market: DemoCurrencyMarket, option: number): boolean {
  return market.expiries.alive[market.options.expiryIndex[option]!] === 1;
}

/** Rounds an amount to the currency's minimum-amount grid (never negative). */
export function roundToMinAmount(market: DemoCurrencyMarket, amount: number): number {
  return Math.max(0, Math.round(amount * market.amountStepsPerUnit) / market.amountStepsPerUnit);
}
