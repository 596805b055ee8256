/**
 * The built-in deterministic demo market: the default data source when offline.
 *
 * A synthetic Deribit-like BTC/ETH options market that emits the same normalized `MarketEvent`s as the live and
 * recorded feeds. Pure: time comes in as arguments, randomness from seeded generators, no IO. Two markets built
 * with the same seed and start time that are stepped at the same times produce deep-equal event streams.
 *
 * The parts: what is listed (schedule.ts), the vols (smile.ts), each currency's state and factors
 * (currencyMarket.ts), quotes (quotes.ts), trades (trades.ts) and the perpetual's order book (books.ts).
 */
import type { Currency, IndexEvent, InstrumentDef, MarketEvent } from '../../market/events';
import { Rng } from '../../random';
import { epochMs, MS_PER_YEAR, usd } from '../../units';
import type { EpochMs } from '../../units';
import { perpetualBook } from './books';
import { advanceFactors, buildCurrencyMarket, isOptionAlive, updateExpiries, type DemoCurrencyMarket } from './currencyMarket';
import { emptyOptionQuote, futureTicker, optionTicker } from './quotes';
import { demoExpirySchedule } from './schedule';
import { poisson, randomTrade } from './trades';

export interface DemoMarketOptions {
  /** Any safe integer. */
  seed: number;
  /** The market's start time; expiries and strikes are laid out relative to it. */
  startMs: EpochMs;
  /** Defaults to ['BTC', 'ETH']. */
  currencies?: Currency[];
}

/**
 * The seed's generator yields one seed per stream, in this fixed order, whatever currencies are simulated: BTC's
 * events do not depend on whether ETH is simulated, and nextDelayMs() does not perturb the market. The order-book
 * streams came last, so adding the books changed no other event of a seed.
 */
const MARKET_STREAM: Readonly<Record<Currency, number>> = { BTC: 0, ETH: 1 };
const DELAY_STREAM = 2;
const ORDER_BOOK_STREAM: Readonly<Record<Currency, number>> = { BTC: 3, ETH: 4 };
const STREAM_COUNT = 5;
/** Caps the expected trade count of one step (after a long pause between steps). */
const MAX_MEAN_TRADES_PER_STEP = 20;
/** Each step sends tickers for a random 5–15 % of the live options (the fraction is drawn per step). */
const MIN_TICKER_FRACTION = 0.05;
const TICKER_FRACTION_RANGE = 0.1;

export class DemoMarket {
  private readonly markets: DemoCurrencyMarket[];
  private readonly delayRandom: Rng;
  private lastMs: number;
  private stepNumber = 0;
  private readonly quoteScratch = emptyOptionQuote();

  constructor(options: DemoMarketOptions) {
    const startMs = epochMs(options.startMs);
    const currencies = options.currencies ?? ['BTC', 'ETH'];
    if (currencies.length === 0) throw new RangeError('DemoMarket needs at least one currency');
    if (new Set(currencies).size !== currencies.length) throw new RangeError('DemoMarket currencies must be unique');
    const seedGenerator = new Rng(options.seed);
    const streamSeeds = Array.from({ length: STREAM_COUNT }, () => seedGenerator.nextUint32());
    this.delayRandom = new Rng(streamSeeds[DELAY_STREAM]!);
    this.lastMs = startMs;
    const schedule = demoExpirySchedule(startMs);
    this.markets = currencies.map((currency) =>
      buildCurrencyMarket(
        currency,
        schedule,
        startMs,
        new Rng(streamSeeds[MARKET_STREAM[currency]]!),
        new Rng(streamSeeds[ORDER_BOOK_STREAM[currency]]!),
      ),
    );
  }

  /** Instruments live at the market's current time (all of them until the first expiry passes). */
  instruments(): InstrumentDef[] {
    const live: InstrumentDef[] = [];
    for (const market of this.markets) {
      for (const def of market.futures.defs) if (def.expiryMs === null || def.expiryMs > this.lastMs) live.push(def);
      for (const def of market.options.defs) if (def.expiryMs !== null && def.expiryMs > this.lastMs) live.push(def);
    }
    return live;
  }

  /**
   * Advances the market to nowMs (without trades) and returns the full state: instrument events, index events and
   * a ticker for every live instrument.
   */
  snapshot(nowMs: EpochMs): MarketEvent[] {
    const years = this.advanceClock(nowMs);
    const events: MarketEvent[] = [];
    for (const market of this.markets) {
      advanceFactors(market, years);
      updateExpiries(market, nowMs);
    }
    for (const def of this.instruments()) {
      events.push({ type: 'instrument', tsEvent: nowMs, tsRecv: nowMs, instrument: def });
    }
    for (const market of this.markets) events.push(indexEvent(market, nowMs));
    for (const market of this.markets) {
      for (let option = 0; option < market.options.defs.length; option++) {
        if (isOptionAlive(market, option)) events.push(optionTicker(market, option, nowMs, this.quoteScratch));
      }
      this.pushFutureTickers(market, nowMs, true, events);
    }
    return events;
  }

  /**
   * Advances the market to nowMs and returns what changed: per currency an index event, the step's trades, tickers
   * for a random 5–15 % of live options (plus every traded option, showing its new open interest), and tickers of
   * the futures whose bid or ask changed. nowMs must not go backwards.
   */
  step(nowMs: EpochMs): MarketEvent[] {
    const years = this.advanceClock(nowMs);
    const stepNumber = ++this.stepNumber;
    const events: MarketEvent[] = [];
    for (const market of this.markets) {
      advanceFactors(market, years);
      updateExpiries(market, nowMs);
      events.push(indexEvent(market, nowMs));

      // Trades per second × elapsed seconds (written in this order: the golden stream depends on the rounding).
      const meanTrades = Math.min(MAX_MEAN_TRADES_PER_STEP, (market.params.tradesPerSecond * years * MS_PER_YEAR) / 1000);
      const tradeCount = poisson(market.random, meanTrades);
      for (let trade = 0; trade < tradeCount; trade++) {
        const event = randomTrade(market, nowMs, stepNumber, this.quoteScratch);
        if (event !== null) events.push(event);
      }

      const tickerFraction = MIN_TICKER_FRACTION + TICKER_FRACTION_RANGE * market.random.nextFloat();
      for (let option = 0; option < market.options.defs.length; option++) {
        if (!isOptionAlive(market, option)) continue;
        const draw = market.random.nextFloat();
        if (draw < tickerFraction || market.options.lastTradedStep[option] === stepNumber) {
          events.push(optionTicker(market, option, nowMs, this.quoteScratch));
        }
      }
      this.pushFutureTickers(market, nowMs, false, events);
    }
    return events;
  }

  /** Delay to the next step: uniform integer 100–250 ms from its own seeded stream. */
  nextDelayMs(): number {
    return this.delayRandom.nextInt(100, 250);
  }

  /** Future tickers (all live ones when forced, else the changed ones), each perpetual one followed by its book. */
  private pushFutureTickers(market: DemoCurrencyMarket, nowMs: EpochMs, force: boolean, events: MarketEvent[]): void {
    for (let future = 0; future < market.futures.defs.length; future++) {
      const ticker = futureTicker(market, future, nowMs, force);
      if (ticker === null) continue;
      events.push(ticker);
      if (ticker.funding8h !== null) events.push(perpetualBook(market, ticker, nowMs));
    }
  }

  /** Moves the market's time to nowMs; returns the elapsed time in years (ACT/365). */
  private advanceClock(nowMs: EpochMs): number {
    const now = epochMs(nowMs);
    if (now < this.lastMs) {
      throw new RangeError(`DemoMarket time must not go backwards: ${now} < ${this.lastMs}`);
    }
    const years = (now - this.lastMs) / MS_PER_YEAR;
    this.lastMs = now;
    return years;
  }
}

function indexEvent(market: DemoCurrencyMarket, nowMs: EpochMs): IndexEvent {
  return { type: 'index', tsEvent: nowMs, tsRecv: nowMs, currency: market.currency, priceUsd: usd(market.indexUsd) };
}
