import { beforeAll, describe, expect, it } from 'vitest';
import type {
  Currency,
  FutureTickerEvent,
  InstrumentDef,
  MarketEvent,
  OptionTickerEvent,
  TradeEvent,
} from '../../../../../src-main/core/market/events';
import { black76Price } from '../../../../../src-main/core/pricing/black76';
import {
  DEMO_CURRENCY_PARAMS,
  DemoMarket,
  demoExpirySchedule,
  roundOptionAsk,
  roundOptionBid,
} from '../../../../../src-main/core/sim/demo';
import { epochMs, MS_PER_DAY, MS_PER_YEAR } from '../../../../../src-main/core/units';
import type { EpochMs } from '../../../../../src-main/core/units';

const START = epochMs(Date.UTC(2026, 10, 21, 12)); // Saturday 2026-11-21 12:00 UTC
const HOUR = 3_600_000;

function optionTickers(events: readonly MarketEvent[]): OptionTickerEvent[] {
  return events.filter((e): e is OptionTickerEvent => e.type === 'option_ticker');
}
function futureTickers(events: readonly MarketEvent[]): FutureTickerEvent[] {
  return events.filter((e): e is FutureTickerEvent => e.type === 'future_ticker');
}
function trades(events: readonly MarketEvent[]): TradeEvent[] {
  return events.filter((e): e is TradeEvent => e.type === 'trade');
}

/** Runs snapshot + n steps at the market's own delays; returns all events per call. */
function run(seed: number, n: number, currencies?: Currency[]): MarketEvent[][] {
  const market = new DemoMarket(currencies ? { seed, startMs: START, currencies } : { seed, startMs: START });
  const out: MarketEvent[][] = [market.snapshot(START)];
  let now: number = START;
  for (let i = 0; i < n; i++) {
    now += market.nextDelayMs();
    out.push(market.step(epochMs(now)));
  }
  return out;
}

/** Parses `BTC-27NOV26-95000-C`. */
function parseName(name: string): { currency: string; code: string; strike: number; isCall: boolean } {
  const [currency, code, strike, type] = name.split('-');
  return { currency: currency ?? '', code: code ?? '', strike: Number(strike), isCall: type === 'C' };
}

function isOnOptionTick(price: number): boolean {
  const units = price * 10_000;
  if (Math.abs(units - Math.round(units)) > 1e-7) return false;
  if (price >= 0.005) return Math.round(units) % 5 === 0;
  return true;
}

interface ExpiryView {
  code: string;
  expiryMs: number;
  forward: number;
  index: number;
  underlyingIndex: string;
  tickers: OptionTickerEvent[]; // calls and puts, by strike
}

/** Groups a snapshot's option tickers of one currency by expiry, sorted by expiry. */
function expiryViews(events: readonly MarketEvent[], currency: Currency): ExpiryView[] {
  const defs = new Map<string, InstrumentDef>();
  for (const e of events) if (e.type === 'instrument') defs.set(e.instrument.name, e.instrument);
  const byCode = new Map<string, ExpiryView>();
  for (const t of optionTickers(events)) {
    const def = defs.get(t.instrument);
    if (!def || def.currency !== currency) continue;
    const { code } = parseName(t.instrument);
    let view = byCode.get(code);
    if (!view) {
      view = {
        code,
        expiryMs: def.expiryMs ?? 0,
        forward: t.underlyingPriceUsd,
        index: t.indexPriceUsd ?? NaN,
        underlyingIndex: t.underlyingIndex,
        tickers: [],
      };
      byCode.set(code, view);
    }
    view.tickers.push(t);
  }
  return [...byCode.values()].sort((a, b) => a.expiryMs - b.expiryMs);
}

function strikesOf(view: ExpiryView): number[] {
  return [...new Set(view.tickers.map((t) => parseName(t.instrument).strike))].sort((a, b) => a - b);
}

/** OTM option's IV at each strike (call at/above the forward, put below), by ascending strike. */
function otmSmile(view: ExpiryView): { strike: number; iv: number }[] {
  const out: { strike: number; iv: number }[] = [];
  for (const t of view.tickers) {
    const { strike, isCall } = parseName(t.instrument);
    if (isCall === strike >= view.forward) out.push({ strike, iv: t.markIv });
  }
  return out.sort((a, b) => a.strike - b.strike);
}

function ivAtNearestStrike(view: ExpiryView, target: number): { strike: number; iv: number } {
  const smile = otmSmile(view);
  let best = smile[0];
  for (const p of smile) if (best === undefined || Math.abs(p.strike - target) < Math.abs(best.strike - target)) best = p;
  if (!best) throw new Error('empty smile');
  return best;
}

/** ATM IV by linear interpolation of the OTM smile in strike at the forward. */
function atmIv(view: ExpiryView): number {
  const smile = otmSmile(view);
  for (let i = 1; i < smile.length; i++) {
    const a = smile[i - 1];
    const b = smile[i];
    if (a && b && a.strike <= view.forward && b.strike >= view.forward) {
      return a.iv + ((b.iv - a.iv) * (view.forward - a.strike)) / (b.strike - a.strike);
    }
  }
  throw new Error(`no strikes around the forward in ${view.code}`);
}

describe('demo expiry schedule', () => {
  it('lists Deribit-shaped expiries for 2026-11-21', () => {
    const schedule = demoExpirySchedule(START);
    expect(schedule.map((e) => e.code)).toEqual([
      '22NOV26',
      '23NOV26',
      '27NOV26',
      '4DEC26',
      '11DEC26',
      '25DEC26',
      '29JAN27',
      '26MAR27',
      '25JUN27',
      '24SEP27',
    ]);
    expect(schedule.map((e) => e.kind)).toEqual([
      'daily',
      'daily',
      'monthly',
      'weekly',
      'weekly',
      'quarterly',
      'monthly',
      'quarterly',
      'quarterly',
      'quarterly',
    ]);
  });

  it('has ~10 expiries at 08:00 UTC between ~1 day and ~1 year for many start times', () => {
    for (let k = 0; k < 60; k++) {
      const start = epochMs(Date.UTC(2025, 0, 1) + k * 6.3 * MS_PER_DAY + ((k * 7) % 24) * HOUR);
      const schedule = demoExpirySchedule(start);
      expect(schedule.length, new Date(start).toISOString()).toBeGreaterThanOrEqual(9);
      expect(schedule.length).toBeLessThanOrEqual(12);
      const days = schedule.map((e) => (e.expiryMs - start) / MS_PER_DAY);
      expect(days[0]).toBeGreaterThanOrEqual(0.5);
      expect(days[0]).toBeLessThanOrEqual(1.5);
      expect(days[days.length - 1]).toBeGreaterThan(250);
      expect(days[days.length - 1]).toBeLessThanOrEqual(366);
      for (let i = 1; i < days.length; i++) expect(days[i]).toBeGreaterThan(days[i - 1] ?? Infinity);
      for (const e of schedule) {
        const d = new Date(e.expiryMs);
        expect(d.getUTCHours() * 60 + d.getUTCMinutes()).toBe(8 * 60);
        const nextWeek = new Date(e.expiryMs + 7 * MS_PER_DAY);
        if (e.kind !== 'daily') expect(d.getUTCDay()).toBe(5);
        if (e.kind === 'daily') expect(d.getUTCDay()).not.toBe(5);
        if (e.kind === 'monthly' || e.kind === 'quarterly') expect(nextWeek.getUTCMonth()).not.toBe(d.getUTCMonth());
        if (e.kind === 'quarterly') expect(d.getUTCMonth() % 3).toBe(2);
      }
      expect(schedule.filter((e) => e.kind === 'quarterly').length).toBeGreaterThanOrEqual(3);
    }
  });
});

describe('DemoMarket instruments and snapshot', () => {
  let snap: MarketEvent[];
  let market: DemoMarket;
  beforeAll(() => {
    market = new DemoMarket({ seed: 42, startMs: START });
    snap = market.snapshot(START);
  });

  it('defines options, quarterly futures and perpetuals with Deribit contract terms', () => {
    const defs = market.instruments();
    for (const currency of ['BTC', 'ETH'] as const) {
      const mine = defs.filter((d) => d.currency === currency);
      const options = mine.filter((d) => d.kind === 'option');
      expect(options.length).toBeGreaterThan(300);
      expect(options.length).toBeLessThan(1200);
      for (const d of options) {
        expect(d.name).toMatch(new RegExp(`^${currency}-[0-9]{1,2}[A-Z]{3}[0-9]{2}-[0-9]+-[CP]$`));
        const { strike, isCall } = parseName(d.name);
        expect(d.strikeUsd).toBe(strike);
        expect(d.optionType).toBe(isCall ? 'call' : 'put');
        expect(d.settlement).toBe('inverse');
        expect(d.contractSize).toBe(1);
        expect(d.tickSize).toBe(0.0001);
        expect(d.minTradeAmount).toBe(currency === 'BTC' ? 0.1 : 1);
        expect(d.makerCommission).toBe(0.0003);
        expect(d.takerCommission).toBe(0.0003);
      }
      // Every strike has both a call and a put.
      const calls = new Set(options.filter((d) => d.optionType === 'call').map((d) => d.name.slice(0, -2)));
      const puts = new Set(options.filter((d) => d.optionType === 'put').map((d) => d.name.slice(0, -2)));
      expect(calls).toEqual(puts);
      const futures = mine.filter((d) => d.kind !== 'option');
      expect(futures.map((d) => d.name)).toEqual([
        `${currency}-25DEC26`,
        `${currency}-26MAR27`,
        `${currency}-25JUN27`,
        `${currency}-24SEP27`,
        `${currency}-PERPETUAL`,
      ]);
      for (const d of futures) {
        expect(d.makerCommission).toBe(0);
        expect(d.takerCommission).toBe(0.0005);
        expect(d.kind).toBe(d.name.endsWith('PERPETUAL') ? 'perpetual' : 'future');
        expect(d.expiryMs === null).toBe(d.kind === 'perpetual');
      }
    }
  });

  it('snapshot carries an instrument event and a ticker for every instrument plus both indices', () => {
    const defs = market.instruments();
    const instrumentEvents = snap.filter((e) => e.type === 'instrument');
    expect(instrumentEvents.length).toBe(defs.length);
    const tickerNames = new Set([...optionTickers(snap), ...futureTickers(snap)].map((t) => t.instrument));
    expect(tickerNames).toEqual(new Set(defs.map((d) => d.name)));
    const indices = snap.filter((e) => e.type === 'index');
    expect(indices).toEqual([
      { type: 'index', tsEvent: START, tsRecv: START, currency: 'BTC', priceUsd: 95_000 },
      { type: 'index', tsEvent: START, tsRecv: START, currency: 'ETH', priceUsd: 3300 },
    ]);
    for (const e of snap) {
      expect(e.tsEvent).toBe(START);
      expect(e.tsRecv).toBe(START);
    }
  });

  it('names each forward SYN.* for short expiries and the listed future for quarterlies', () => {
    for (const currency of ['BTC', 'ETH'] as const) {
      const views = expiryViews(snap, currency);
      expect(views.length).toBe(10);
      const futureNames = new Set(futureTickers(snap).map((t): string => t.instrument));
      for (const v of views) {
        const quarterly = ['25DEC26', '26MAR27', '25JUN27', '24SEP27'].includes(v.code);
        expect(v.underlyingIndex).toBe(quarterly ? `${currency}-${v.code}` : `SYN.${currency}-${v.code}`);
        if (quarterly) {
          expect(futureNames.has(v.underlyingIndex)).toBe(true);
          const fut = futureTickers(snap).find((t) => t.instrument === v.underlyingIndex);
          expect(fut?.markUsd).toBeCloseTo(v.forward, 6);
        }
        for (const t of v.tickers) {
          expect(t.underlyingPriceUsd).toBe(v.forward);
          expect(t.underlyingIndex).toBe(v.underlyingIndex);
        }
      }
    }
  });

  it('puts forwards above the index with a 4–11 % annualized basis, increasing with expiry', () => {
    for (const currency of ['BTC', 'ETH'] as const) {
      const views = expiryViews(snap, currency);
      let prev = 0;
      for (const v of views) {
        const t = (v.expiryMs - START) / MS_PER_YEAR;
        const basis = (v.forward / v.index - 1) / t;
        expect(basis).toBeGreaterThan(0.04);
        expect(basis).toBeLessThan(0.11);
        expect(v.forward).toBeGreaterThan(prev);
        prev = v.forward;
      }
    }
  });

  it('clusters strikes at round numbers, finer near the money and for short expiries', () => {
    for (const currency of ['BTC', 'ETH'] as const) {
      const unit = currency === 'BTC' ? 500 : 25;
      const views = expiryViews(snap, currency);
      for (const v of views) {
        const strikes = strikesOf(v);
        expect(strikes.length).toBeGreaterThanOrEqual(12);
        expect(strikes.length).toBeLessThanOrEqual(80);
        for (const k of strikes) expect(k % unit).toBe(0);
        expect(strikes[0]).toBeLessThan(v.forward * 0.95);
        expect(strikes[strikes.length - 1]).toBeGreaterThan(v.forward * 1.05);
        // Spacing next to the forward is the smallest spacing of the expiry; far wings are coarser.
        const gaps = strikes.slice(1).map((k, i) => ({ mid: (k + (strikes[i] ?? 0)) / 2, gap: k - (strikes[i] ?? 0) }));
        const nearest = gaps.reduce((a, b) => (Math.abs(b.mid - v.forward) < Math.abs(a.mid - v.forward) ? b : a));
        expect(nearest.gap).toBe(Math.min(...gaps.map((g) => g.gap)));
        expect(Math.max(...gaps.map((g) => g.gap))).toBeGreaterThan(2 * nearest.gap);
      }
      const first = views[0] as ExpiryView;
      const last = views[views.length - 1] as ExpiryView;
      const nearGap = (v: ExpiryView): number => {
        const s = strikesOf(v);
        return Math.min(...s.slice(1).map((k, i) => k - (s[i] ?? 0)));
      };
      expect(nearGap(first)).toBe(unit); // 500 BTC / 25 ETH for the dailies
      expect(nearGap(last)).toBeGreaterThanOrEqual(currency === 'BTC' ? 2500 : 100);
      // Multiples of the round-OI strike are always listed around the money.
      const round = DEMO_CURRENCY_PARAMS[currency].oiRoundStrike;
      for (const v of views.slice(2)) {
        const near = Math.round(v.forward / round) * round;
        expect(strikesOf(v)).toContain(near);
      }
    }
  });

  it('concentrates open interest near the money, at round strikes and in monthlies/quarterlies', () => {
    for (const currency of ['BTC', 'ETH'] as const) {
      const round = DEMO_CURRENCY_PARAMS[currency].oiRoundStrike;
      const views = expiryViews(snap, currency);
      const totals = new Map<string, number>();
      let bumpRatioLog = 0;
      let bumpCount = 0;
      for (const v of views) {
        const t = (v.expiryMs - START) / MS_PER_YEAR;
        const sd = atmIv(v) * Math.sqrt(t);
        const perStrike = new Map<number, number>();
        for (const x of v.tickers) {
          const k = parseName(x.instrument).strike;
          expect(x.openInterest).toBeGreaterThanOrEqual(0);
          perStrike.set(k, (perStrike.get(k) ?? 0) + x.openInterest);
        }
        const z = (k: number): number => Math.log(k / v.forward) / sd;
        const near = [...perStrike].filter(([k]) => Math.abs(z(k)) < 0.75).map(([, oi]) => oi);
        const far = [...perStrike].filter(([k]) => Math.abs(z(k)) > 2.5).map(([, oi]) => oi);
        const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
        expect(near.length).toBeGreaterThan(0);
        if (far.length > 0) expect(mean(near)).toBeGreaterThan(4 * mean(far));
        const [peakStrike] = [...perStrike].reduce((a, b) => (b[1] > a[1] ? b : a));
        expect(Math.abs(z(peakStrike))).toBeLessThan(1.6);
        totals.set(v.code, [...perStrike.values()].reduce((a, b) => a + b, 0));
        // Round-strike bumps: compare with the neighbouring strikes.
        const strikes = strikesOf(v);
        for (let i = 1; i + 1 < strikes.length; i++) {
          const k = strikes[i] ?? 0;
          const lo = strikes[i - 1] ?? 0;
          const hi = strikes[i + 1] ?? 0;
          if (k % round !== 0 || lo % round === 0 || hi % round === 0 || Math.abs(z(k)) > 2) continue;
          const neighbours = Math.sqrt((perStrike.get(lo) ?? 0) * (perStrike.get(hi) ?? 0));
          bumpRatioLog += Math.log((perStrike.get(k) ?? 0) / neighbours);
          bumpCount++;
        }
      }
      expect(bumpCount).toBeGreaterThan(5);
      expect(Math.exp(bumpRatioLog / bumpCount)).toBeGreaterThan(1.4);
      const daily = ((totals.get('22NOV26') ?? 0) + (totals.get('23NOV26') ?? 0)) / 2;
      const weekly = ((totals.get('4DEC26') ?? 0) + (totals.get('11DEC26') ?? 0)) / 2;
      const monthly = totals.get('29JAN27') ?? 0;
      const quarterly = totals.get('26MAR27') ?? 0;
      expect(weekly).toBeGreaterThan(daily);
      expect(monthly).toBeGreaterThan(1.5 * weekly);
      expect(quarterly).toBeGreaterThan(monthly);
    }
  });

  it('has crypto-realistic ATM vols rising with expiry', () => {
    for (const currency of ['BTC', 'ETH'] as const) {
      const [lo, hi] = currency === 'BTC' ? [0.45, 0.6] : [0.6, 0.75];
      const atms = expiryViews(snap, currency).map(atmIv);
      for (const v of atms) {
        expect(v).toBeGreaterThan(lo);
        expect(v).toBeLessThan(hi);
      }
      for (let i = 1; i < atms.length; i++) expect(atms[i]).toBeGreaterThan(atms[i - 1] ?? Infinity);
      expect((atms[atms.length - 1] ?? 0) - (atms[0] ?? 0)).toBeGreaterThan(0.05);
    }
  });

  it('has a convex smile with a mild put skew and higher short-dated wings', () => {
    for (const currency of ['BTC', 'ETH'] as const) {
      const views = expiryViews(snap, currency);
      for (const v of views) {
        // Convex in log-strike: slopes between consecutive strikes increase.
        const smile = otmSmile(v);
        let prevSlope = -Infinity;
        for (let i = 1; i < smile.length; i++) {
          const a = smile[i - 1];
          const b = smile[i];
          if (!a || !b) continue;
          const slope = (b.iv - a.iv) / Math.log(b.strike / a.strike);
          expect(slope).toBeGreaterThanOrEqual(prevSlope - 1e-9);
          prevSlope = slope;
        }
        // Put skew: at ±1 sd the put wing is richer than the call wing, but mildly (< 20 % of ATM).
        const t = (v.expiryMs - START) / MS_PER_YEAR;
        const atm = atmIv(v);
        const sd = atm * Math.sqrt(t);
        const put = ivAtNearestStrike(v, v.forward * Math.exp(-sd));
        const call = ivAtNearestStrike(v, v.forward * Math.exp(sd));
        const zPut = Math.log(put.strike / v.forward) / sd;
        const zCall = Math.log(call.strike / v.forward) / sd;
        if (Math.abs(zPut + 1) < 0.3 && Math.abs(zCall - 1) < 0.3) {
          expect(put.iv).toBeGreaterThan(call.iv);
          expect(put.iv - call.iv).toBeLessThan(0.2 * atm);
        }
        // Smile minimum is at or just above the money, and both wings rise above ATM.
        expect(smile[0]?.iv).toBeGreaterThan(atm);
        expect(smile[smile.length - 1]?.iv).toBeGreaterThan(atm);
      }
      // Short-dated wings are higher: the lowest strike of the second expiry vs the longest expiry at that strike.
      const short = views[1] as ExpiryView;
      const long = views[views.length - 1] as ExpiryView;
      const lowStrike = strikesOf(short)[0] ?? 0;
      expect(lowStrike).toBeLessThan(short.forward * 0.93);
      expect(ivAtNearestStrike(short, lowStrike).iv).toBeGreaterThan(ivAtNearestStrike(long, lowStrike).iv + 0.1);
    }
  });
});

/**
 * Checks one option ticker against Deribit's quoting rules and the pricing model; returns the violated rules
 * (collected rather than asserted one by one, to keep tens of thousands of checks fast).
 */
function quoteProblems(t: OptionTickerEvent, expiryMs: number): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, rule: string): void => {
    if (!ok) problems.push(`${t.instrument}@${t.tsEvent}: ${rule}`);
  };
  const { strike, isCall } = parseName(t.instrument);
  const years = (expiryMs - t.tsEvent) / MS_PER_YEAR;
  const f = t.underlyingPriceUsd;
  // Mark is Black-76 at markIv on the forward, in coin.
  const model = black76Price(f, strike, years, t.markIv, isCall) / f;
  check(Math.abs(t.markCoin - model) <= 1e-12 * Math.max(model, 1e-6), 'markCoin = black76(F, K, T, markIv) / F');
  const ask = t.askCoin;
  check(ask !== null, 'ask present');
  if (ask === null || t.askIv === null) return problems;
  check(ask >= 0.0001, 'ask >= 0.0001');
  check(ask >= t.markCoin, 'mark <= ask');
  check(isOnOptionTick(ask), 'ask on tick');
  check(t.askIv > t.markIv, 'askIv > markIv');
  // The ask is the price at askIv rounded up to its tick.
  const askAtIv = black76Price(f, strike, years, t.askIv, isCall) / f;
  check(ask === roundOptionAsk(Math.max(askAtIv, t.markCoin)), 'ask = price at askIv rounded up');
  check(t.askAmount > 0, 'ask amount');
  if (t.bidCoin === null) {
    check(t.bidIv === null && t.bidAmount === 0, 'no bid: no bid IV or amount');
    // No bid only when the bid price is below one tick.
    const bidAtIv = black76Price(f, strike, years, t.markIv - (t.askIv - t.markIv), isCall) / f;
    check(bidAtIv < 0.0001, 'no bid only below one tick');
  } else {
    check(t.bidCoin >= 0.0001, 'bid >= one tick');
    check(t.bidCoin <= t.markCoin, 'bid <= mark');
    check(t.bidCoin < ask, 'bid < ask');
    check(isOnOptionTick(t.bidCoin), 'bid on tick');
    check(t.bidIv !== null && t.bidIv > 0 && t.bidIv < t.markIv, '0 < bidIv < markIv');
    const bidAtIv = black76Price(f, strike, years, t.bidIv ?? 0, isCall) / f;
    check(t.bidCoin === roundOptionBid(Math.min(bidAtIv, t.markCoin)), 'bid = price at bidIv rounded down');
    check(t.bidAmount > 0, 'bid amount');
  }
  return problems;
}

describe('DemoMarket quotes', () => {
  it('tick rounding follows Deribit steps', () => {
    expect(roundOptionBid(0.00019)).toBe(0.0001);
    expect(roundOptionBid(0.00009)).toBe(0);
    expect(roundOptionBid(0.0049)).toBe(0.0049);
    expect(roundOptionBid(0.00734)).toBe(0.007);
    expect(roundOptionBid(0.0123)).toBe(0.012);
    expect(roundOptionAsk(0.00001)).toBe(0.0001);
    expect(roundOptionAsk(0.00411)).toBe(0.0042);
    expect(roundOptionAsk(0.00501)).toBe(0.0055);
    expect(roundOptionAsk(0.0123)).toBe(0.0125);
    expect(roundOptionAsk(0.0125)).toBe(0.0125);
    expect(roundOptionBid(0.0125)).toBe(0.0125);
  });

  it('quotes every option with bid <= mark <= ask on ticks, consistent with Black-76 at its IVs', () => {
    const market = new DemoMarket({ seed: 9, startMs: START });
    const snap = market.snapshot(START);
    const expiryOf = new Map<string, number>();
    for (const e of snap) if (e.type === 'instrument' && e.instrument.expiryMs !== null) expiryOf.set(e.instrument.name, e.instrument.expiryMs);
    const all = optionTickers(snap);
    let now: number = START;
    for (let i = 0; i < 150; i++) {
      now += 60_000;
      all.push(...optionTickers(market.step(epochMs(now))));
    }
    expect(all.length).toBeGreaterThan(15_000);
    let noBid = 0;
    const problems: string[] = [];
    for (const t of all) {
      problems.push(...quoteProblems(t, expiryOf.get(t.instrument) ?? 0));
      if (t.bidCoin === null) noBid++;
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // Some far wings have no bid, but most options do.
    expect(noBid).toBeGreaterThan(0);
    expect(noBid).toBeLessThan(0.3 * all.length);
  });

  it('widens spreads in the wings and for short expiries', () => {
    const snap = new DemoMarket({ seed: 3, startMs: START }).snapshot(START);
    const views = expiryViews(snap, 'BTC');
    const volSpread = (t: OptionTickerEvent): number => (t.askIv ?? 0) - t.markIv;
    const atmTicker = (v: ExpiryView): OptionTickerEvent => {
      const k = ivAtNearestStrike(v, v.forward).strike;
      const t = v.tickers.find((x) => parseName(x.instrument).strike === k && parseName(x.instrument).isCall);
      if (!t) throw new Error('no ATM call');
      return t;
    };
    const short = views[0] as ExpiryView;
    const long = views[views.length - 1] as ExpiryView;
    expect(volSpread(atmTicker(short))).toBeGreaterThan(1.5 * volSpread(atmTicker(long)));
    for (const v of [short, long]) {
      const lowest = strikesOf(v)[0] ?? 0;
      const wing = v.tickers.find((x) => x.instrument.endsWith(`-${lowest}-P`));
      expect(volSpread(wing as OptionTickerEvent)).toBeGreaterThan(1.5 * volSpread(atmTicker(v)));
    }
  });
});

describe('DemoMarket dynamics', () => {
  it('is deterministic: same seed and step times give deep-equal events, another seed differs', () => {
    const a = run(1234, 300);
    const b = run(1234, 300);
    expect(a).toEqual(b);
    const c = run(1235, 300);
    expect(c).not.toEqual(a);
    // Same seed but different step times also differ.
    const market = new DemoMarket({ seed: 1234, startMs: START });
    const d: MarketEvent[][] = [market.snapshot(START)];
    let now: number = START;
    for (let i = 0; i < 300; i++) {
      now += 150;
      d.push(market.step(epochMs(now)));
    }
    expect(d[0]).toEqual(a[0]);
    expect(d).not.toEqual(a);
  });

  it('keeps each currency and the delay stream independent', () => {
    const both = run(77, 200);
    const btcOnly = run(77, 200, ['BTC']);
    const btcOf = (events: MarketEvent[]): MarketEvent[] =>
      events.filter((e) =>
        e.type === 'instrument' ? e.instrument.currency === 'BTC' : e.type === 'index' ? e.currency === 'BTC' : e.instrument.startsWith('BTC'),
      );
    expect(btcOnly.map(btcOf)).toEqual(btcOnly);
    expect(both.map(btcOf)).toEqual(btcOnly);
    // Calling nextDelayMs() or not does not change the market.
    const m1 = new DemoMarket({ seed: 5, startMs: START });
    const m2 = new DemoMarket({ seed: 5, startMs: START });
    m1.snapshot(START);
    m2.snapshot(START);
    for (let i = 1; i <= 50; i++) {
      m1.nextDelayMs();
      expect(m1.step(epochMs(START + i * 200))).toEqual(m2.step(epochMs(START + i * 200)));
    }
  });

  it('draws step delays uniformly from 100 to 250 ms', () => {
    const market = new DemoMarket({ seed: 8, startMs: START });
    const delays = Array.from({ length: 5000 }, () => market.nextDelayMs());
    expect(delays.every((d) => Number.isInteger(d) && d >= 100 && d <= 250)).toBe(true);
    expect(Math.min(...delays)).toBe(100);
    expect(Math.max(...delays)).toBe(250);
    const mean = delays.reduce((s, d) => s + d, 0) / delays.length;
    expect(mean).toBeGreaterThan(172);
    expect(mean).toBeLessThan(178);
  });

  it('moves the index with roughly the configured volatility', () => {
    const market = new DemoMarket({ seed: 123, startMs: START, currencies: ['BTC', 'ETH'] });
    market.snapshot(START);
    const dtMs = 60_000;
    const n = 3000;
    const last: Record<string, number> = { BTC: 95_000, ETH: 3300 };
    const sumSq: Record<string, number> = { BTC: 0, ETH: 0 };
    for (let i = 1; i <= n; i++) {
      for (const e of market.step(epochMs(START + i * dtMs))) {
        if (e.type !== 'index') continue;
        const r = Math.log(e.priceUsd / (last[e.currency] ?? 1));
        sumSq[e.currency] = (sumSq[e.currency] ?? 0) + r * r;
        last[e.currency] = e.priceUsd;
      }
    }
    const years = (n * dtMs) / MS_PER_YEAR;
    const btcVol = Math.sqrt((sumSq.BTC ?? 0) / years);
    const ethVol = Math.sqrt((sumSq.ETH ?? 0) / years);
    // Standard error ~1.3 % of the vol; bounds are ~9 standard errors wide.
    expect(btcVol).toBeGreaterThan(0.44);
    expect(btcVol).toBeLessThan(0.56);
    expect(ethVol).toBeGreaterThan(0.57);
    expect(ethVol).toBeLessThan(0.73);
  });

  it('reports a 24 h volume per option: a share of its open interest at the start, then up by exactly its trades', () => {
    const market = new DemoMarket({ seed: 7, startMs: START });
    const first = optionTickers(market.snapshot(START));
    const startVolume = new Map(first.map((t) => [t.instrument, t.volume24h!]));
    for (const t of first) {
      // Between 4 % (quarterlies) and 80 % (dailies) of open interest, rounded to the minimum amount (0.1 BTC, 1 ETH).
      expect(t.volume24h, t.instrument).not.toBeNull();
      expect(t.volume24h!, t.instrument).toBeLessThanOrEqual(0.8 * t.openInterest + 0.5);
      expect(t.volume24h!, t.instrument).toBeGreaterThanOrEqual(0.04 * t.openInterest - 0.5);
    }
    const traded = new Map<string, number>();
    let now: number = START;
    for (let i = 0; i < 2000; i++) {
      now += market.nextDelayMs();
      for (const trade of trades(market.step(epochMs(now)))) {
        if (trade.priceUnit === 'coin') traded.set(trade.instrument, (traded.get(trade.instrument) ?? 0) + trade.amount);
      }
    }
    expect(traded.size).toBeGreaterThan(20);
    for (const t of optionTickers(market.snapshot(epochMs(now)))) {
      const before = startVolume.get(t.instrument);
      if (before === undefined) continue; // listed during the run
      expect(t.volume24h!, t.instrument).toBeCloseTo(before + (traded.get(t.instrument) ?? 0), 9);
    }
  });

  it('emits index events, a 5–15 % subset of option tickers, changed futures and realistic trades', () => {
    const market = new DemoMarket({ seed: 2026, startMs: START });
    const snap = market.snapshot(START);
    const oi = new Map<string, number>();
    for (const t of optionTickers(snap)) oi.set(t.instrument, t.openInterest);
    const lastFuture = new Map<string, FutureTickerEvent>();
    for (const t of futureTickers(snap)) lastFuture.set(t.instrument, t);
    const liveOptions = optionTickers(snap).length;
    const steps = 3000;
    const dtMs = 500;
    let optionTickerCount = 0;
    let tradedTickers = 0;
    const allTrades: TradeEvent[] = [];
    let nearOtmBuys = 0;
    let nearOtm = 0;
    let oiChecks = 0;
    const problems: string[] = [];
    const check = (ok: boolean, rule: string): void => {
      if (!ok) problems.push(rule);
    };
    for (let i = 1; i <= steps; i++) {
      const now = epochMs(START + i * dtMs);
      const events = market.step(now);
      const indexCurrencies = events.flatMap((e) => (e.type === 'index' ? [e.currency] : []));
      check(indexCurrencies.join() === 'BTC,ETH', `step ${i}: one index event per currency`);
      check(
        events.every((e) => e.tsEvent === now && e.tsRecv === now),
        `step ${i}: tsEvent = tsRecv = now`,
      );
      check(!events.some((e) => e.type === 'instrument'), `step ${i}: no instrument events`);
      const tickers = optionTickers(events);
      const stepTrades = trades(events);
      const tickerByName = new Map(tickers.map((t) => [t.instrument, t]));
      optionTickerCount += tickers.length;
      tradedTickers += new Set(stepTrades.map((t) => t.instrument)).size;
      for (const tr of stepTrades) {
        allTrades.push(tr);
        const ticker = tickerByName.get(tr.instrument);
        check(ticker !== undefined, `ticker for traded ${tr.instrument}`);
        if (!ticker) continue;
        check(tr.iv === ticker.markIv, 'trade iv = markIv');
        check(tr.priceUnit === 'coin' && tr.indexPriceUsd === ticker.indexPriceUsd, 'trade unit and index');
        if (tr.blockTradeId === null) {
          check(tr.price === (tr.takerSide === 'buy' ? ticker.askCoin : ticker.bidCoin), 'taker trades at the touch');
        } else {
          check(Math.abs(tr.price - ticker.markCoin) <= 0.00025 + 1e-12 && isOnOptionTick(tr.price), 'block near mark');
        }
        const { strike, isCall } = parseName(tr.instrument);
        const f = ticker.underlyingPriceUsd;
        const otm = isCall ? strike >= f : strike < f;
        if (otm && Math.abs(Math.log(strike / f)) < 0.1) {
          nearOtm++;
          if (tr.takerSide === 'buy') nearOtmBuys++;
        }
        // Open interest moves by exactly the traded amount (checked when the instrument traded once this step).
        if (stepTrades.filter((x) => x.instrument === tr.instrument).length === 1) {
          const before = oi.get(tr.instrument) ?? NaN;
          const delta = Math.abs(ticker.openInterest - before);
          check(Math.abs(delta - tr.amount) < 1e-6, `${tr.instrument}: OI moved ${delta}, traded ${tr.amount}`);
          oiChecks++;
        }
      }
      for (const t of tickers) oi.set(t.instrument, t.openInterest);
      for (const t of futureTickers(events)) {
        const prev = lastFuture.get(t.instrument);
        check(!(prev && prev.bidUsd === t.bidUsd && prev.askUsd === t.askUsd), `${t.instrument}: unchanged quote re-sent`);
        check((t.bidUsd ?? 0) < t.markUsd && t.markUsd < (t.askUsd ?? 0), `${t.instrument}: bid < mark < ask`);
        check((t.funding8h === null) === !t.instrument.endsWith('PERPETUAL'), 'funding only on perpetuals');
        lastFuture.set(t.instrument, t);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    // Subset of option tickers: 5–15 % of live options on average (plus traded ones).
    const fraction = (optionTickerCount - tradedTickers) / steps / liveOptions;
    expect(fraction).toBeGreaterThan(0.07);
    expect(fraction).toBeLessThan(0.13);
    // A few trades per second.
    const perSecond = allTrades.length / ((steps * dtMs) / 1000);
    expect(perSecond).toBeGreaterThan(2);
    expect(perSecond).toBeLessThan(5);
    expect(oiChecks).toBeGreaterThan(1000);
    // Amounts: regular 0.1–25 BTC / 1–250 ETH on the minimum-amount grid; blocks are larger and marked.
    const blocks = allTrades.filter((t) => t.blockTradeId !== null);
    expect(blocks.length).toBeGreaterThan(0.01 * allTrades.length);
    expect(blocks.length).toBeLessThan(0.1 * allTrades.length);
    const badAmounts = allTrades.filter((t) => {
      const btc = t.instrument.startsWith('BTC');
      const [lo, hi] = btc ? [0.1, 25] : [1, 250];
      const inRange = t.blockTradeId === null ? t.amount >= lo && t.amount <= hi : t.amount >= (btc ? 25 : 250);
      const grid = btc ? t.amount * 10 : t.amount;
      return !inRange || Math.abs(grid - Math.round(grid)) > 1e-9 || t.liquidation;
    });
    expect(badAmounts).toEqual([]);
    expect(allTrades.some((t) => t.instrument.startsWith('BTC') && t.blockTradeId === null && t.amount < 1)).toBe(true);
    expect(new Set(allTrades.map((t) => t.tradeId)).size).toBe(allTrades.length);
    // More buying than selling of near-the-money OTM options (0.62 configured vs 0.5).
    expect(nearOtm).toBeGreaterThan(1000);
    expect(nearOtmBuys / nearOtm).toBeGreaterThan(0.56);
    expect(nearOtmBuys / nearOtm).toBeLessThan(0.68);
  });

  it('stops quoting expired options and futures', () => {
    const market = new DemoMarket({ seed: 4, startMs: START });
    market.snapshot(START);
    const firstExpiry = Date.UTC(2026, 10, 22, 8);
    const quarterly = Date.UTC(2026, 11, 25, 8);
    const quoted = new Set<string>();
    const times: number[] = [];
    for (let t = firstExpiry - 60_000; t < firstExpiry + 60_000; t += 1000) times.push(t);
    times.push(quarterly - 1000, quarterly, quarterly + 1000);
    for (let t = quarterly + 2000; t < quarterly + 120_000; t += 1000) times.push(t);
    for (const t of times) {
      const events = market.step(epochMs(t));
      for (const e of events) {
        if (e.type === 'index' || e.type === 'instrument') continue;
        const name = e.instrument;
        if (name.includes('-22NOV26-')) {
          expect(t, `${name} quoted at ${new Date(t).toISOString()}`).toBeLessThan(firstExpiry);
          quoted.add(name);
        }
        if (name.includes('-25DEC26')) expect(t).toBeLessThan(quarterly);
      }
    }
    expect(quoted.size).toBeGreaterThan(0); // it was quoted before expiring
    const defs = market.instruments().map((d) => d.name);
    expect(defs.some((n) => n.includes('-22NOV26-') || n.includes('-25DEC26'))).toBe(false);
    expect(defs).toContain('BTC-PERPETUAL');
    const snap = market.snapshot(epochMs(quarterly + 200_000));
    const names = snap.map((e) => (e.type === 'instrument' ? e.instrument.name : e.type === 'index' ? '' : e.instrument));
    expect(names.some((n) => n.includes('-22NOV26-') || n.includes('-25DEC26'))).toBe(false);
    expect(expiryViews(snap, 'BTC').length).toBe(4);
  });

  it('rejects time going backwards and bad options', () => {
    const market = new DemoMarket({ seed: 1, startMs: START });
    market.step(epochMs(START + 1000));
    expect(() => market.step(epochMs(START + 999))).toThrow(RangeError);
    expect(() => new DemoMarket({ seed: 1, startMs: START, currencies: [] })).toThrow(RangeError);
    expect(() => new DemoMarket({ seed: 1.5, startMs: START })).toThrow(RangeError);
    expect(() => new DemoMarket({ seed: 1, startMs: 1.5 as EpochMs })).toThrow(RangeError);
  });

  it('steps in well under a millisecond on average', () => {
    const market = new DemoMarket({ seed: 6, startMs: START });
    market.snapshot(START);
    let now: number = START;
    for (let i = 0; i < 200; i++) market.step(epochMs((now += 175))); // warm-up
    const t0 = performance.now();
    const n = 1000;
    for (let i = 0; i < n; i++) market.step(epochMs((now += 175)));
    const perStep = (performance.now() - t0) / n;
    // Typically ~0.15 ms; loose bound for a shared CI machine.
    expect(perStep).toBeLessThan(2);
  });
});

describe('DemoMarket perpetual order books', () => {
  it('publishes a 25-level book with each perpetual quote: sorted, around the quote, about $10M+ within 1 %', () => {
    const steps = run(42, 40);
    const books = steps.flat().filter((e): e is Extract<MarketEvent, { type: 'book_snapshot' }> => e.type === 'book_snapshot');
    expect(new Set(books.map((b) => b.instrument))).toEqual(new Set(['BTC-PERPETUAL', 'ETH-PERPETUAL']));
    for (const book of books) {
      expect(book.bids).toHaveLength(25);
      expect(book.asks).toHaveLength(25);
      expect(book.bids[0]![0]).toBeLessThan(book.asks[0]![0]);
      for (let i = 1; i < 25; i++) {
        expect(book.bids[i]![0]).toBeLessThan(book.bids[i - 1]![0]);
        expect(book.asks[i]![0]).toBeGreaterThan(book.asks[i - 1]![0]);
      }
      const mid = (book.bids[0]![0] + book.asks[0]![0]) / 2;
      const within = (levels: [number, number][], side: 1 | -1): number =>
        levels.filter(([price]) => side * (price - mid) <= 0.01 * mid).reduce((sum, [, amount]) => sum + amount, 0);
      expect(within(book.bids, -1)).toBeGreaterThan(5e6);
      expect(within(book.asks, 1)).toBeGreaterThan(5e6);
      expect(within(book.asks, 1)).toBeLessThan(2e8);
    }
    // Each book follows its perpetual's ticker in the same step, at the ticker's quote.
    for (const events of steps) {
      for (const book of events.filter((e) => e.type === 'book_snapshot')) {
        const ticker = events.find((e) => e.type === 'future_ticker' && e.instrument === (book as { instrument: string }).instrument) as FutureTickerEvent;
        expect((book as { bids: [number, number][] }).bids[0]![0]).toBe(ticker.bidUsd);
      }
    }
    expect(run(42, 40)).toEqual(steps);
  });
});
