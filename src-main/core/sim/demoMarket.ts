/**
 * The built-in deterministic demo market: the default data source when offline.
 *
 * A synthetic Deribit-like BTC/ETH options market that emits the same normalized `MarketEvent`s as the live and
 * recorded feeds. Pure: time comes in as arguments, randomness from seeded generators, no IO. Two markets built
 * with the same seed and start time that are stepped at the same times produce deep-equal event streams.
 *
 * Model (per currency):
 * - Index: geometric Brownian motion with a fixed annual vol (50 % BTC, 65 % ETH), exact over any elapsed time.
 * - Forward of each expiry: F = index · (1 + basis · T), the annualized basis an Ornstein–Uhlenbeck process around
 *   7 % (BTC) / 6 % (ETH), clamped to ±3 points around that mean.
 * - ATM vol: atmLong + (atmShort − atmLong) · exp(−T/τ) (upward-sloping term structure), times exp(shock · w(T))
 *   where `shock` is a mean-reverting (OU) log-vol factor and w(T) makes the short end move more.
 * - Smile in standardized moneyness z = ln(K/F) / (atm · √T):
 *   vol = atm · (1 + skew · z + curv(T) · (√(1 + z²) − 1)); skew < 0 is a mild put skew, the hyperbolic term is
 *   convex, and because z scales with 1/√T the short-dated wings are much higher at a fixed moneyness.
 * - Quotes: mark in coin = black76Price(F, K, T, iv) / F; bid/ask = prices at iv ∓ a vol half-spread that widens
 *   with |z| and for short expiries, rounded down/up to Deribit's tick steps (0.0001 below 0.005 coin, 0.0005
 *   above); no bid when the bid would be below one tick; min ask 0.0001. bidIv/askIv are iv ∓ half-spread
 *   (approximate, before tick rounding).
 * - Open interest: Gaussian in z around the money, OTM side heavier, bumps at round strikes, scaled by expiry type
 *   (dailies < weeklies < monthlies < quarterlies), lognormal noise; trades move it by their amount.
 */
import type {
  BookSnapshotEvent,
  Currency,
  FutureTickerEvent,
  IndexEvent,
  InstrumentDef,
  MarketEvent,
  OptionTickerEvent,
  TradeEvent,
} from '../market/events';
import { formatExpiryCode } from '../market/expiryCode';
import { black76Price } from '../pricing/black76';
import { Rng } from '../random';
import { epochMs, instrumentName, MS_PER_DAY, MS_PER_YEAR } from '../units';
import type { EpochMs, InstrumentName } from '../units';

// ---------------------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------------------

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
const OPTION_MAKER_FEE = 0.0003;
const OPTION_TAKER_FEE = 0.0003;
const FUTURE_MAKER_FEE = 0;
const FUTURE_TAKER_FEE = 0.0005;
/** Base option tick (coin); 0.0005 applies from 0.005 coin up. */
const OPTION_TICK = 0.0001;
const OPTION_TICK_STEP_ABOVE = 0.005;

/** Vol-factor dynamics: OU on log(ATM multiplier), per year. */
const VOL_KAPPA = 50;
const VOL_ETA = 1.5;
/** Basis dynamics. */
const BASIS_KAPPA = 20;
const BASIS_ETA = 0.05;
const BASIS_BAND = 0.03;
/** Perpetual premium over the index (fraction): OU around a small positive mean. */
const PERP_PREMIUM_MEAN = 0.0002;
const PERP_PREMIUM_KAPPA = 500;
const PERP_PREMIUM_ETA = 0.019;
const PERP_PREMIUM_MAX = 0.003;
const MAX_VOL = 3;
/** Expiries closer than this to startMs are not listed (a daily about to expire is useless as demo data). */
const MIN_EXPIRY_LEAD_MS = 12 * 3_600_000;
/** Caps the trade count of one step (after a long pause between steps). */
const MAX_MEAN_TRADES_PER_STEP = 20;

// ---------------------------------------------------------------------------------------------------------------
// Expiry schedule
// ---------------------------------------------------------------------------------------------------------------

export type DemoExpiryKind = 'daily' | 'weekly' | 'monthly' | 'quarterly';

export interface DemoExpiry {
  readonly expiryMs: EpochMs;
  /** Deribit date code, e.g. `27NOV26`. */
  readonly code: string;
  /** The most significant cycle the date belongs to (quarterly > monthly > weekly > daily). */
  readonly kind: DemoExpiryKind;
}

const KIND_RANK: Record<DemoExpiryKind, number> = { daily: 0, weekly: 1, monthly: 2, quarterly: 3 };
const FRIDAY = 5;

function lastFridayAt0800(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0, 8);
  const dow = new Date(lastDay).getUTCDay();
  return lastDay - ((dow - FRIDAY + 7) % 7) * MS_PER_DAY;
}

/**
 * Deribit's listing shape relative to `startMs`: the next 2 dailies (non-Friday), the next 3 Friday weeklies, the
 * next 3 last-Friday monthlies, and the quarterlies (last Friday of Mar/Jun/Sep/Dec) within a year; all at 08:00
 * UTC and at least 12 h after startMs. Usually 9–11 expiries from ~1 day to ~1 year.
 */
export function demoExpirySchedule(startMs: EpochMs): DemoExpiry[] {
  const earliest = startMs + MIN_EXPIRY_LEAD_MS;
  const latest = startMs + 366 * MS_PER_DAY;
  const byMs = new Map<number, DemoExpiryKind>();
  const add = (ms: number, kind: DemoExpiryKind): void => {
    const prev = byMs.get(ms);
    if (prev === undefined || KIND_RANK[kind] > KIND_RANK[prev]) byMs.set(ms, kind);
  };
  const start = new Date(startMs);
  const day0 = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate(), 8);

  let dailies = 0;
  let fridays = 0;
  for (let d = 0; d < 40 && (dailies < 2 || fridays < 3); d++) {
    const ms = day0 + d * MS_PER_DAY;
    if (ms < earliest) continue;
    if (new Date(ms).getUTCDay() === FRIDAY) {
      if (fridays < 3) add(ms, 'weekly');
      fridays++;
    } else if (dailies < 2) {
      add(ms, 'daily');
      dailies++;
    }
  }
  let monthlies = 0;
  for (let m = 0; monthlies < 3; m++) {
    const ms = lastFridayAt0800(start.getUTCFullYear(), start.getUTCMonth() + m);
    if (ms < earliest) continue;
    add(ms, 'monthly');
    monthlies++;
  }
  for (let m = 0; m < 15; m++) {
    const month = (start.getUTCMonth() + m) % 12;
    if (month % 3 !== 2) continue;
    const ms = lastFridayAt0800(start.getUTCFullYear(), start.getUTCMonth() + m);
    if (ms >= earliest && ms <= latest) add(ms, 'quarterly');
  }
  return [...byMs.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([ms, kind]) => ({ expiryMs: epochMs(ms), code: formatExpiryCode(ms), kind }));
}

// ---------------------------------------------------------------------------------------------------------------
// Small pure helpers (exported for tests and other simulators)
// ---------------------------------------------------------------------------------------------------------------

/** Deribit's inverse-option tick for a price level (coin). */
export function optionTickSize(priceCoin: number): number {
  return priceCoin < OPTION_TICK_STEP_ABOVE ? OPTION_TICK : 0.0005;
}

/** Largest value k·u/10⁴ ≤ x (exact in double comparison). */
function floorToGrid(x: number, units: number): number {
  let k = Math.floor((x * 10_000) / units);
  while (((k + 1) * units) / 10_000 <= x) k++;
  while (k > 0 && (k * units) / 10_000 > x) k--;
  return (k * units) / 10_000;
}

/** Smallest value k·u/10⁴ ≥ x (exact in double comparison). */
function ceilToGrid(x: number, units: number): number {
  let k = Math.ceil((x * 10_000) / units);
  while (k > 0 && ((k - 1) * units) / 10_000 >= x) k--;
  while ((k * units) / 10_000 < x) k++;
  return (k * units) / 10_000;
}

/** Rounds a coin price down to Deribit's option tick steps (0 when below one tick). */
export function roundOptionBid(priceCoin: number): number {
  if (!(priceCoin > 0)) return 0;
  return floorToGrid(priceCoin, priceCoin < OPTION_TICK_STEP_ABOVE ? 1 : 5);
}

/** Rounds a coin price up to Deribit's option tick steps (at least one tick). */
export function roundOptionAsk(priceCoin: number): number {
  if (!(priceCoin > OPTION_TICK)) return OPTION_TICK;
  return ceilToGrid(priceCoin, priceCoin <= OPTION_TICK_STEP_ABOVE ? 1 : 5);
}

/** Rounds a coin price to the nearest tick of its level (at least one tick): block trades print near mark. */
export function roundOptionNearest(priceCoin: number): number {
  if (!(priceCoin > OPTION_TICK)) return OPTION_TICK;
  const units = priceCoin < OPTION_TICK_STEP_ABOVE ? 1 : 5;
  return (Math.round((priceCoin * 10_000) / units) * units) / 10_000;
}

/** The demo smile: vol at standardized moneyness z for an ATM vol, skew and convexity. */
export function demoSmileVol(atm: number, z: number, skew: number, curvature: number): number {
  const m = 1 + skew * z + curvature * (Math.sqrt(1 + z * z) - 1);
  return Math.min(MAX_VOL, atm * Math.max(m, 0.3));
}

/** Vol half-spread of a quote: ~0.5 vol point ATM on long expiries, wider in the wings and for short expiries. */
function spreadVol(z: number, t: number): number {
  const shortBoost = Math.min(4, Math.sqrt(7 / 365 / t));
  return (0.005 + 0.0025 * Math.abs(z)) * (1 + 0.7 * shortBoost);
}

function expiryOiWeight(kind: DemoExpiryKind): number {
  switch (kind) {
    case 'daily':
      return 0.25;
    case 'weekly':
      return 0.5;
    case 'monthly':
      return 1.3;
    case 'quarterly':
      return 2.2;
  }
}

function expiryTradeWeight(kind: DemoExpiryKind): number {
  switch (kind) {
    case 'daily':
      return 2.5;
    case 'weekly':
      return 2;
    case 'monthly':
      return 1.5;
    case 'quarterly':
      return 1.2;
  }
}

function baseAtm(p: DemoCurrencyParams, t: number): number {
  return p.atmLong + (p.atmShort - p.atmLong) * Math.exp(-t / p.termTauYears);
}

/** How strongly the vol shock moves an expiry (short end moves more). */
function shockWeight(t: number): number {
  return 0.6 + 0.4 * Math.exp(-t / 0.1);
}

function curvatureAt(p: DemoCurrencyParams, t: number): number {
  return p.curvature * (1 + 0.8 * Math.exp((-t * 365) / 10));
}

/** Exact OU update of x towards `mean` over dt years. */
function ouStep(x: number, mean: number, kappa: number, eta: number, dt: number, z: number): number {
  const decay = Math.exp(-kappa * dt);
  return mean + (x - mean) * decay + eta * Math.sqrt((1 - decay * decay) / (2 * kappa)) * z;
}

/** Strike tier (index of the finest spacing near the money) by days to expiry. */
function strikeTier(days: number): number {
  if (days <= 3) return 0;
  if (days <= 45) return 1;
  if (days <= 150) return 2;
  return 3;
}

/**
 * Deribit-like strike grid: finest spacing within 1 sd of the forward, then coarser bands at 2 and 3 sd and
 * beyond; range −3.5 sd … +4.5 sd (at least −6 % … +7 %, at most 0.15× … 4× the forward).
 */
function buildStrikes(forward: number, t: number, atm: number, steps: readonly number[], tier: number): number[] {
  const sd = atm * Math.sqrt(t);
  const lnLo = Math.max(Math.min(-3.5 * sd, -0.06), Math.log(0.15));
  const lnHi = Math.min(Math.max(4.5 * sd, 0.07), Math.log(4));
  const s0 = steps[0] ?? 1;
  const last = steps.length - 1;
  const strikes: number[] = [];
  const kLo = Math.ceil((forward * Math.exp(lnLo)) / s0) * s0;
  const kHi = Math.floor((forward * Math.exp(lnHi)) / s0) * s0;
  for (let k = Math.max(kLo, s0); k <= kHi; k += s0) {
    const x = Math.abs(Math.log(k / forward)) / sd;
    const band = x <= 1 ? 0 : x <= 2 ? 1 : x <= 3 ? 2 : 3;
    const step = steps[Math.min(tier + band, last)] ?? s0;
    if (k % step === 0) strikes.push(k);
  }
  return strikes;
}

// ---------------------------------------------------------------------------------------------------------------
// The market
// ---------------------------------------------------------------------------------------------------------------

export interface DemoMarketOptions {
  /** Any safe integer. */
  seed: number;
  /** The market's start time; expiries and strikes are laid out relative to it. */
  startMs: EpochMs;
  /** Defaults to ['BTC', 'ETH']. */
  currencies?: Currency[];
}

/** Quote scratch (filled by `priceOption`, read immediately; avoids per-quote object churn). */
interface QuoteScratch {
  iv: number;
  markCoin: number;
  bidCoin: number | null;
  askCoin: number;
  bidIv: number | null;
  askIv: number;
}

/** One currency's instruments (struct-of-arrays) and state. */
interface Book {
  readonly currency: Currency;
  readonly p: DemoCurrencyParams;
  readonly rng: Rng;
  readonly amountFactor: number;
  index: number;
  volShock: number;
  basis: number;
  perpPremium: number;
  tradeSeq: number;
  blockSeq: number;
  // Expiries.
  readonly expiries: readonly DemoExpiry[];
  readonly expUnderlying: readonly string[];
  readonly expFirstOption: Int32Array;
  readonly expStrikes: readonly Float64Array[];
  readonly expT: Float64Array;
  readonly expSqrtT: Float64Array;
  readonly expForward: Float64Array;
  readonly expAtm: Float64Array;
  readonly expCurv: Float64Array;
  readonly expAlive: Uint8Array;
  // Options: expiry-major, strike ascending, call then put.
  readonly optDef: readonly InstrumentDef[];
  readonly optStrike: Float64Array;
  readonly optExpiry: Int32Array;
  readonly optIsCall: Uint8Array;
  readonly optOi: Float64Array;
  readonly optTouched: Uint32Array;
  // Futures: dated futures (quarterlies) then the perpetual.
  readonly futDef: readonly InstrumentDef[];
  /** Expiry index of each future; −1 for the perpetual. */
  readonly futExpiry: Int32Array;
  readonly futOiUsd: Float64Array;
  readonly futLastBid: Float64Array;
  readonly futLastAsk: Float64Array;
}

const RNG_STREAM: Record<Currency, number> = { BTC: 0, ETH: 1 };
const DELAY_STREAM = 2;
/** Order-book sizes draw from their own streams, so adding books changed no other event of a seed. */
const BOOK_STREAM: Record<Currency, number> = { BTC: 3, ETH: 4 };
/** Perpetual book: 25 levels a side, 0.04 % apart (the first 1 % of the book), sizes log-normal in USD. */
const BOOK_LEVELS = 25;
const BOOK_LEVEL_SPACING = 0.0004;

export class DemoMarket {
  private readonly books: Book[];
  private readonly bookRngs: Rng[];
  private readonly delayRng: Rng;
  private lastMs: number;
  private stepStamp = 0;
  private readonly q: QuoteScratch = { iv: 0, markCoin: 0, bidCoin: null, askCoin: 0, bidIv: null, askIv: 0 };

  constructor(options: DemoMarketOptions) {
    const startMs = epochMs(options.startMs);
    const currencies = options.currencies ?? ['BTC', 'ETH'];
    if (currencies.length === 0) throw new RangeError('DemoMarket needs at least one currency');
    if (new Set(currencies).size !== currencies.length) throw new RangeError('DemoMarket currencies must be unique');
    // Independent streams per currency (fixed order), so BTC's events do not depend on whether ETH is simulated
    // and nextDelayMs() does not perturb the market.
    const master = new Rng(options.seed);
    const streamSeeds = [master.nextUint32(), master.nextUint32(), master.nextUint32(), master.nextUint32(), master.nextUint32()];
    this.delayRng = new Rng(streamSeeds[DELAY_STREAM] ?? 0);
    this.lastMs = startMs;
    const schedule = demoExpirySchedule(startMs);
    this.books = currencies.map((c) => buildBook(c, schedule, startMs, new Rng(streamSeeds[RNG_STREAM[c]] ?? 0)));
    this.bookRngs = currencies.map((c) => new Rng(streamSeeds[BOOK_STREAM[c]] ?? 0));
  }

  /** Instruments live at the market's current time (all of them until the first expiry passes). */
  instruments(): InstrumentDef[] {
    const out: InstrumentDef[] = [];
    for (const b of this.books) {
      for (const def of b.futDef) if (def.expiryMs === null || def.expiryMs > this.lastMs) out.push(def);
      for (const def of b.optDef) if (def.expiryMs !== null && def.expiryMs > this.lastMs) out.push(def);
    }
    return out;
  }

  /**
   * Advances the market to nowMs (without trades) and returns the full state: instrument events, index events and
   * a ticker for every live instrument.
   */
  snapshot(nowMs: EpochMs): MarketEvent[] {
    const dt = this.advanceClock(nowMs);
    const events: MarketEvent[] = [];
    for (const b of this.books) {
      advanceBook(b, dt);
      updateExpiries(b, nowMs);
    }
    for (const def of this.instruments()) {
      events.push({ type: 'instrument', tsEvent: nowMs, tsRecv: nowMs, instrument: def });
    }
    for (const b of this.books) events.push(indexEvent(b, nowMs));
    this.books.forEach((b, k) => {
      for (let i = 0; i < b.optStrike.length; i++) {
        if (b.expAlive[b.optExpiry[i] ?? 0] === 1) events.push(this.optionTicker(b, i, nowMs));
      }
      for (let f = 0; f < b.futDef.length; f++) {
        const ev = this.futureTicker(b, f, nowMs, true);
        if (ev !== null) {
          events.push(ev);
          if (ev.funding8h !== null) events.push(this.perpetualBook(b, ev, this.bookRngs[k]!, nowMs));
        }
      }
    });
    return events;
  }

  /**
   * Advances the market to nowMs and returns what changed: per currency an index event, the step's trades, tickers
   * for a random 5–15 % of live options (plus every traded option, showing its new open interest), and tickers of
   * the futures whose bid or ask changed. nowMs must not go backwards.
   */
  step(nowMs: EpochMs): MarketEvent[] {
    const dt = this.advanceClock(nowMs);
    const stamp = ++this.stepStamp;
    const events: MarketEvent[] = [];
    for (const b of this.books) {
      advanceBook(b, dt);
      updateExpiries(b, nowMs);
      events.push(indexEvent(b, nowMs));

      const meanTrades = Math.min(MAX_MEAN_TRADES_PER_STEP, (b.p.tradesPerSecond * dt * MS_PER_YEAR) / 1000);
      const nTrades = poisson(b.rng, meanTrades);
      for (let k = 0; k < nTrades; k++) {
        const trade = this.trade(b, nowMs, stamp);
        if (trade !== null) events.push(trade);
      }

      const p = 0.05 + 0.1 * b.rng.nextFloat();
      const n = b.optStrike.length;
      for (let i = 0; i < n; i++) {
        if (b.expAlive[b.optExpiry[i] ?? 0] !== 1) continue;
        const draw = b.rng.nextFloat();
        if (draw < p || b.optTouched[i] === stamp) events.push(this.optionTicker(b, i, nowMs));
      }
      for (let f = 0; f < b.futDef.length; f++) {
        const ev = this.futureTicker(b, f, nowMs, false);
        if (ev !== null) {
          events.push(ev);
          if (ev.funding8h !== null) events.push(this.perpetualBook(b, ev, this.bookRngs[this.books.indexOf(b)]!, nowMs));
        }
      }
    }
    return events;
  }

  /**
   * The perpetual's order book around its new quote: 25 levels a side from the best bid / ask outwards, 0.04 % of
   * price apart, sizes in USD (Deribit perpetual amounts), deeper away from the touch. Gives the hedge-pressure map
   * a depth to divide by.
   */
  private perpetualBook(b: Book, ticker: FutureTickerEvent, rng: Rng, nowMs: EpochMs): BookSnapshotEvent {
    const tick = b.p.perpTickUsd;
    const unit = b.p.futureContractSizeUsd;
    const bids: [number, number][] = [];
    const asks: [number, number][] = [];
    const mid = ((ticker.bidUsd ?? ticker.markUsd) + (ticker.askUsd ?? ticker.markUsd)) / 2;
    const step = Math.max(tick, Math.round((mid * BOOK_LEVEL_SPACING) / tick) * tick);
    const size = (level: number): number => unit * Math.max(1, Math.round((400_000 * (1 + level / 8) * Math.exp(0.6 * rng.nextNormal())) / unit));
    for (let level = 0; level < BOOK_LEVELS; level++) {
      bids.push([roundUsd((ticker.bidUsd ?? mid) - level * step), size(level)]);
      asks.push([roundUsd((ticker.askUsd ?? mid) + level * step), size(level)]);
    }
    return { type: 'book_snapshot', tsEvent: nowMs, tsRecv: nowMs, instrument: ticker.instrument, bids, asks, changeId: null };
  }

  /** Delay to the next step: uniform integer 100–250 ms from its own seeded stream. */
  nextDelayMs(): number {
    return this.delayRng.nextInt(100, 250);
  }

  private advanceClock(nowMs: EpochMs): number {
    const now = epochMs(nowMs);
    if (now < this.lastMs) {
      throw new RangeError(`DemoMarket time must not go backwards: ${now} < ${this.lastMs}`);
    }
    const dt = (now - this.lastMs) / MS_PER_YEAR;
    this.lastMs = now;
    return dt;
  }

  /** Prices option i into the scratch quote from the current expiry state. */
  private priceOption(b: Book, i: number): QuoteScratch {
    const q = this.q;
    const e = b.optExpiry[i] ?? 0;
    const f = b.expForward[e] ?? 0;
    const t = b.expT[e] ?? 0;
    const atm = b.expAtm[e] ?? 0;
    const k = b.optStrike[i] ?? 0;
    const isCall = b.optIsCall[i] === 1;
    const z = Math.log(k / f) / (atm * (b.expSqrtT[e] ?? 0));
    const iv = demoSmileVol(atm, z, b.p.skew, b.expCurv[e] ?? 0);
    const sv = spreadVol(z, t);
    const mark = black76Price(f, k, t, iv, isCall) / f;
    const bidRaw = Math.min(mark, black76Price(f, k, t, iv - sv, isCall) / f);
    const askRaw = Math.max(mark, black76Price(f, k, t, iv + sv, isCall) / f);
    const bid = roundOptionBid(bidRaw);
    let ask = roundOptionAsk(askRaw);
    if (bid > 0 && ask <= bid) ask = roundOptionAsk(bid + optionTickSize(bid) / 2);
    q.iv = iv;
    q.markCoin = mark;
    q.bidCoin = bid > 0 ? bid : null;
    q.askCoin = ask;
    q.bidIv = bid > 0 ? iv - sv : null;
    q.askIv = iv + sv;
    return q;
  }

  private optionTicker(b: Book, i: number, nowMs: EpochMs): OptionTickerEvent {
    const q = this.priceOption(b, i);
    const e = b.optExpiry[i] ?? 0;
    const def = b.optDef[i] as InstrumentDef;
    return {
      type: 'option_ticker',
      tsEvent: nowMs,
      tsRecv: nowMs,
      instrument: def.name,
      bidCoin: q.bidCoin,
      askCoin: q.askCoin,
      bidAmount: q.bidCoin === null ? 0 : quoteAmount(b),
      askAmount: quoteAmount(b),
      markCoin: q.markCoin,
      markIv: q.iv,
      bidIv: q.bidIv,
      askIv: q.askIv,
      underlyingPriceUsd: b.expForward[e] ?? 0,
      underlyingIndex: b.expUnderlying[e] ?? '',
      indexPriceUsd: b.index,
      openInterest: b.optOi[i] ?? 0,
    };
  }

  /** A future's ticker; null when it expired, or (unless forced) when its bid and ask did not change. */
  private futureTicker(b: Book, f: number, nowMs: EpochMs, force: boolean): FutureTickerEvent | null {
    const e = b.futExpiry[f] ?? -1;
    const isPerp = e < 0;
    if (!isPerp && b.expAlive[e] !== 1) return null;
    const tick = isPerp ? b.p.perpTickUsd : b.p.futureTickUsd;
    const mark = isPerp ? b.index * (1 + b.perpPremium) : (b.expForward[e] ?? 0);
    const half = tick * (isPerp ? 0.5 : 1.5);
    const bid = roundUsd(Math.floor((mark - half) / tick) * tick);
    let ask = roundUsd(Math.ceil((mark + half) / tick) * tick);
    if (ask <= bid) ask = roundUsd(bid + tick);
    if (!force && bid === b.futLastBid[f] && ask === b.futLastAsk[f]) return null;
    b.futLastBid[f] = bid;
    b.futLastAsk[f] = ask;
    const sizeUnit = b.p.futureContractSizeUsd;
    const size = (): number => sizeUnit * Math.round((20_000 * Math.exp(b.rng.nextFloat() * Math.log(50))) / sizeUnit);
    const def = b.futDef[f] as InstrumentDef;
    return {
      type: 'future_ticker',
      tsEvent: nowMs,
      tsRecv: nowMs,
      instrument: def.name,
      bidUsd: bid,
      askUsd: ask,
      bidAmountUsd: size(),
      askAmountUsd: size(),
      markUsd: mark,
      indexPriceUsd: b.index,
      openInterestUsd: b.futOiUsd[f] ?? 0,
      funding8h: isPerp ? fundingRate(b.perpPremium) : null,
    };
  }

  /** One random option trade (customer taker vs the book); updates open interest and marks the option touched. */
  private trade(b: Book, nowMs: EpochMs, stamp: number): TradeEvent | null {
    const rng = b.rng;
    // Expiry: weighted towards short expiries, live ones only.
    let total = 0;
    for (let e = 0; e < b.expiries.length; e++) {
      if (b.expAlive[e] === 1) total += expiryTradeWeight((b.expiries[e] as DemoExpiry).kind);
    }
    if (total === 0) return null;
    let u = rng.nextFloat() * total;
    let e = -1;
    for (let x = 0; x < b.expiries.length; x++) {
      if (b.expAlive[x] !== 1) continue;
      e = x;
      u -= expiryTradeWeight((b.expiries[x] as DemoExpiry).kind);
      if (u < 0) break;
    }
    const strikes = b.expStrikes[e] as Float64Array;
    const f = b.expForward[e] ?? 0;
    const z = 0.9 * rng.nextNormal();
    const target = f * Math.exp(z * (b.expAtm[e] ?? 0) * (b.expSqrtT[e] ?? 0));
    const j = nearestIndex(strikes, target);
    const k = strikes[j] ?? 0;
    const otm = rng.nextFloat() < 0.8;
    const isCall = otm ? k >= f : k < f;
    const i = (b.expFirstOption[e] ?? 0) + 2 * j + (isCall ? 0 : 1);

    const nearMoneyOtm = otm && Math.abs(z) < 1.5;
    let side: 'buy' | 'sell' = rng.nextFloat() < (nearMoneyOtm ? 0.62 : 0.5) ? 'buy' : 'sell';
    const isBlock = rng.nextFloat() < 0.04;
    const amountDraw = rng.nextFloat();
    const amount = isBlock
      ? Math.round(b.p.blockMinAmount * Math.exp(amountDraw * Math.log(8)))
      : roundAmount(b, b.p.minTradeAmount * Math.exp(amountDraw * Math.log(250)));

    const q = this.priceOption(b, i);
    if (side === 'sell' && q.bidCoin === null && !isBlock) side = 'buy';
    const price = isBlock
      ? roundOptionNearest(q.markCoin)
      : side === 'buy'
        ? q.askCoin
        : (q.bidCoin ?? q.askCoin);

    // Open interest: opening (up) 60 % of the time, closing (down) otherwise when enough is open.
    const oi = b.optOi[i] ?? 0;
    const up = rng.nextFloat() < 0.6 || oi < amount;
    b.optOi[i] = roundAmount(b, up ? oi + amount : oi - amount);
    b.optTouched[i] = stamp;

    const def = b.optDef[i] as InstrumentDef;
    return {
      type: 'trade',
      tsEvent: nowMs,
      tsRecv: nowMs,
      instrument: def.name,
      tradeId: `DEMO-${b.currency}-${++b.tradeSeq}`,
      price,
      priceUnit: 'coin',
      amount,
      takerSide: side,
      iv: q.iv,
      indexPriceUsd: b.index,
      blockTradeId: isBlock ? `DEMO-BLOCK-${b.currency}-${++b.blockSeq}` : null,
      liquidation: false,
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Book construction and evolution
// ---------------------------------------------------------------------------------------------------------------

function buildBook(currency: Currency, schedule: readonly DemoExpiry[], startMs: EpochMs, rng: Rng): Book {
  const p = DEMO_CURRENCY_PARAMS[currency];
  const nExp = schedule.length;
  const expUnderlying: string[] = [];
  const expStrikes: Float64Array[] = [];
  const expFirstOption = new Int32Array(nExp);
  const optDef: InstrumentDef[] = [];
  const strikesAll: number[] = [];
  const expiryAll: number[] = [];
  const callAll: number[] = [];
  const oiAll: number[] = [];
  const futDef: InstrumentDef[] = [];
  const futExpiry: number[] = [];
  const amountFactor = Math.round(1 / p.minTradeAmount);

  for (let e = 0; e < nExp; e++) {
    const ex = schedule[e] as DemoExpiry;
    const t = (ex.expiryMs - startMs) / MS_PER_YEAR;
    const forward = p.indexStartUsd * (1 + p.basisMean * t);
    const atm = baseAtm(p, t);
    const tier = strikeTier(t * 365);
    const strikes = buildStrikes(forward, t, atm, p.strikeSteps, tier);
    expStrikes.push(Float64Array.from(strikes));
    expFirstOption[e] = optDef.length;
    const futureName = `${currency}-${ex.code}`;
    if (ex.kind === 'quarterly') {
      expUnderlying.push(futureName);
      futDef.push(futureDef(currency, p, instrumentName(futureName), ex.expiryMs));
      futExpiry.push(e);
    } else {
      expUnderlying.push(`SYN.${futureName}`);
    }
    const sd = atm * Math.sqrt(t);
    const weight = expiryOiWeight(ex.kind);
    for (const k of strikes) {
      for (const isCall of [true, false]) {
        const name = instrumentName(`${currency}-${ex.code}-${k}-${isCall ? 'C' : 'P'}`);
        optDef.push({
          name,
          currency,
          kind: 'option',
          settlement: 'inverse',
          expiryMs: ex.expiryMs,
          strikeUsd: k,
          optionType: isCall ? 'call' : 'put',
          contractSize: 1,
          tickSize: OPTION_TICK,
          minTradeAmount: p.minTradeAmount,
          makerCommission: OPTION_MAKER_FEE,
          takerCommission: OPTION_TAKER_FEE,
        });
        const x = Math.log(k / forward) / sd;
        const otm = isCall ? k >= forward : k <= forward;
        const bump = k % p.oiRoundStrike === 0 ? 2.2 : k % (p.oiRoundStrike / 2) === 0 ? 1.4 : 1;
        const noise = Math.exp(0.35 * rng.nextNormal() - 0.06);
        const oi = p.oiScale * weight * (0.03 + Math.exp((-x * x) / (2 * 1.2 * 1.2))) * (otm ? 1 : 0.35);
        strikesAll.push(k);
        expiryAll.push(e);
        callAll.push(isCall ? 1 : 0);
        oiAll.push(Math.round(oi * bump * noise * amountFactor) / amountFactor);
      }
    }
  }
  futDef.push(futureDef(currency, p, instrumentName(`${currency}-PERPETUAL`), null));
  futExpiry.push(-1);
  const futOiUsd = futExpiry.map((e) => (e < 0 ? p.perpOpenInterestUsd : p.futureOpenInterestUsd));

  return {
    currency,
    p,
    rng,
    amountFactor,
    index: p.indexStartUsd,
    volShock: 0,
    basis: p.basisMean,
    perpPremium: PERP_PREMIUM_MEAN,
    tradeSeq: 0,
    blockSeq: 0,
    expiries: schedule,
    expUnderlying,
    expFirstOption,
    expStrikes,
    expT: new Float64Array(nExp),
    expSqrtT: new Float64Array(nExp),
    expForward: new Float64Array(nExp),
    expAtm: new Float64Array(nExp),
    expCurv: new Float64Array(nExp),
    expAlive: new Uint8Array(nExp),
    optDef,
    optStrike: Float64Array.from(strikesAll),
    optExpiry: Int32Array.from(expiryAll),
    optIsCall: Uint8Array.from(callAll),
    optOi: Float64Array.from(oiAll),
    optTouched: new Uint32Array(optDef.length),
    futDef,
    futExpiry: Int32Array.from(futExpiry),
    futOiUsd: Float64Array.from(futOiUsd),
    futLastBid: new Float64Array(futDef.length).fill(Number.NaN),
    futLastAsk: new Float64Array(futDef.length).fill(Number.NaN),
  };
}

function futureDef(
  currency: Currency,
  p: DemoCurrencyParams,
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
    contractSize: p.futureContractSizeUsd,
    tickSize: expiryMs === null ? p.perpTickUsd : p.futureTickUsd,
    minTradeAmount: p.futureContractSizeUsd,
    makerCommission: FUTURE_MAKER_FEE,
    takerCommission: FUTURE_TAKER_FEE,
  };
}

/** Evolves index, vol factor, basis and perpetual premium over dt years (no draws when dt = 0). */
function advanceBook(b: Book, dt: number): void {
  if (!(dt > 0)) return;
  const rng = b.rng;
  const sigma = b.p.indexVol;
  b.index *= Math.exp(-0.5 * sigma * sigma * dt + sigma * Math.sqrt(dt) * rng.nextNormal());
  b.volShock = ouStep(b.volShock, 0, VOL_KAPPA, VOL_ETA, dt, rng.nextNormal());
  const basis = ouStep(b.basis, b.p.basisMean, BASIS_KAPPA, BASIS_ETA, dt, rng.nextNormal());
  b.basis = Math.min(b.p.basisMean + BASIS_BAND, Math.max(b.p.basisMean - BASIS_BAND, basis));
  const premium = ouStep(b.perpPremium, PERP_PREMIUM_MEAN, PERP_PREMIUM_KAPPA, PERP_PREMIUM_ETA, dt, rng.nextNormal());
  b.perpPremium = Math.min(PERP_PREMIUM_MAX, Math.max(-PERP_PREMIUM_MAX, premium));
}

/** Recomputes T, forward, ATM vol and smile convexity of each expiry at nowMs. */
function updateExpiries(b: Book, nowMs: number): void {
  for (let e = 0; e < b.expiries.length; e++) {
    const t = ((b.expiries[e] as DemoExpiry).expiryMs - nowMs) / MS_PER_YEAR;
    if (!(t > 0)) {
      b.expAlive[e] = 0;
      continue;
    }
    b.expAlive[e] = 1;
    b.expT[e] = t;
    b.expSqrtT[e] = Math.sqrt(t);
    b.expForward[e] = b.index * (1 + b.basis * t);
    b.expAtm[e] = baseAtm(b.p, t) * Math.exp(b.volShock * shockWeight(t));
    b.expCurv[e] = curvatureAt(b.p, t);
  }
}

function indexEvent(b: Book, nowMs: EpochMs): IndexEvent {
  return { type: 'index', tsEvent: nowMs, tsRecv: nowMs, currency: b.currency, priceUsd: b.index };
}

/** Deribit's 8-hour funding: the premium with a ±0.05 % dead band. */
function fundingRate(premium: number): number {
  return Math.max(0.0005, premium) + Math.min(-0.0005, premium);
}

function roundUsd(x: number): number {
  return Math.round(x * 100) / 100;
}

function roundAmount(b: Book, x: number): number {
  return Math.max(0, Math.round(x * b.amountFactor) / b.amountFactor);
}

/** A displayed quote size: 1–500 minimum amounts, log-uniform. */
function quoteAmount(b: Book): number {
  return roundAmount(b, b.p.minTradeAmount * Math.exp(b.rng.nextFloat() * Math.log(500)));
}

/** Poisson draw by Knuth's product method (mean is capped small). */
function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  const limit = Math.exp(-mean);
  let k = 0;
  let prod = rng.nextFloat();
  while (prod > limit) {
    k++;
    prod *= rng.nextFloat();
  }
  return k;
}

/** Index of the value in a sorted, non-empty array nearest to x. */
function nearestIndex(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] ?? 0) <= x) lo = mid;
    else hi = mid;
  }
  return Math.abs((sorted[hi] ?? 0) - x) < Math.abs((sorted[lo] ?? 0) - x) ? hi : lo;
}
