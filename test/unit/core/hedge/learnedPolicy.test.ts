/**
 * The learned policy in the hedge advisor: a book of one short call reproduces the network's own decision
 * (`NetworkPolicy.decide`, the function training optimised) exactly; a long call mirrors it; a put takes the call's
 * band through put–call parity; bands of several options add; an empty book does not trade; outside the band the
 * perpetual trades to the nearest edge within one lot, and the proposal explains the band.
 */
import { describe, expect, it } from 'vitest';
import { checkPosition, type CheckedPosition } from '../../../../src-main/core/book/position';
import type { BookMarket, BookQuote } from '../../../../src-main/core/book/valuation';
import { bookBand, hedgeHoldings, LearnedPolicy } from '../../../../src-main/core/hedge/learnedPolicy';
import type { HedgeBook, HedgeHolding, HedgeObjectives } from '../../../../src-main/core/hedge/types';
import { bsDeltaGamma, type HedgeState } from '../../../../src-main/core/learn/hedging';
import { Mlp } from '../../../../src-main/core/learn/mlp';
import { defaultInputs, NetworkPolicy, type NetworkKind } from '../../../../src-main/core/learn/network';
import { black76Price } from '../../../../src-main/core/pricing/black76';
import { yearsToExpiry } from '../../../../src-main/core/pricing/time';
import { Rng } from '../../../../src-main/core/random';
import { linearInstrument, NOW_MS } from '../../../helpers/hedgeMarket';

const FORWARD = 90_000;
const PERP_MARK = 90_015;
const EXPIRY = '25DEC26';
const IV = 0.55;

/** A seeded untrained network with biases moved off zero, so its band is asymmetric and state-dependent. */
function network(kind: NetworkKind, seed = 11): NetworkPolicy {
  const rng = new Rng(seed);
  const mlp = Mlp.initialized([4, 16, 16, kind === 'ntb' ? 2 : 1], rng);
  for (const b of mlp.biases) for (let j = 0; j < b.length; j++) b[j] = 0.3 * rng.nextNormal();
  return new NetworkPolicy(kind, mlp, defaultInputs(kind, 30 / 365, 0.6), 0.1);
}

const market: BookMarket = {
  nowMs: NOW_MS,
  indexUsd: () => FORWARD,
  quote(instrument: string): BookQuote | null {
    if (instrument === 'BTC-PERPETUAL') return { markPrice: PERP_MARK, markIv: null, forwardUsd: null };
    const [, code, strike, type] = instrument.split('-');
    if (code !== EXPIRY) return null;
    const years = yearsToExpiry(Date.parse('2026-12-25T08:00:00Z'), NOW_MS);
    return { markPrice: black76Price(FORWARD, Number(strike), years, IV, type === 'C') / FORWARD, markIv: IV, forwardUsd: FORWARD };
  },
};

function positions(rows: [string, number][]): CheckedPosition[] {
  return rows.filter(([, quantity]) => quantity !== 0).map(([instrument, quantity]) => {
    const checked = checkPosition({ instrument, quantity, averagePrice: null, priceCurrency: instrument.endsWith('PERPETUAL') ? 'USD' : 'BTC' }, null);
    if (!checked.ok) throw new Error(checked.reason);
    return checked.position;
  });
}

function bookOf(holdings: HedgeHolding[]): HedgeBook {
  const totals = { deltaCoin: 0, delta: 0, deltaUsd: 0, gammaUsdPer1Pct: 0, vegaUsd: 0, vega30Usd: 0, thetaUsdPerDay: 0, positions: holdings.length, missingGreeks: 0 };
  for (const h of holdings) {
    if (!h.greeks) continue;
    for (const key of Object.keys(h.greeks) as (keyof typeof h.greeks)[]) totals[key] += h.greeks[key];
  }
  return { version: 1, totals, holdings };
}

/** The state of one call of `strike` on the test market, as the network saw it in training. */
function callState(strike: number, previousPosition: number): HedgeState {
  const years = yearsToExpiry(Date.parse('2026-12-25T08:00:00Z'), NOW_MS);
  const g = bsDeltaGamma(FORWARD, strike, years, IV, true);
  return { timeToMaturity: years, logMoneyness: Math.log(FORWARD / strike), spot: FORWARD, bsDelta: g.delta, bsGamma: g.gamma, previousPosition, impliedVol: IV };
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
const hedgeMarket = { nowMs: NOW_MS, marketSeq: 1, currency: 'BTC' as const, indexUsd: FORWARD, instruments: [linearInstrument('BTC-PERPETUAL', 'perpetual', PERP_MARK, [2_000_000, 2_000_000])] };
const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.5, unit: 'coin' } };

describe('bookBand', () => {
  for (const kind of ['ntb', 'ffn'] as const) {
    it(`${kind}: one short call of 3 contracts reproduces 3 × NetworkPolicy.decide at the hedge per contract`, () => {
      const net = network(kind);
      for (const perpUsd of [0, 50_000, 130_000, 200_000, 400_000]) {
        const holdings = hedgeHoldings(positions([['BTC-25DEC26-95000-C', -3], ['BTC-PERPETUAL', perpUsd]]), market);
        const band = bookBand(net, holdings, NOW_MS);
        const hedge = perpUsd / PERP_MARK;
        expect(band.currentHedge).toBeCloseTo(hedge, 14);
        const decided = 3 * net.decide(callState(95_000, hedge / 3));
        expect(clamp(hedge, band.lower, band.upper)).toBeCloseTo(decided, 12);
      }
    });
  }

  it('a long call mirrors the short call: band −q·[upper, lower] at the mirrored hedge', () => {
    for (const kind of ['ntb', 'ffn'] as const) {
      const net = network(kind, 5);
      const short = bookBand(net, hedgeHoldings(positions([['BTC-25DEC26-85000-C', -2], ['BTC-PERPETUAL', 100_000]]), market), NOW_MS);
      const long = bookBand(net, hedgeHoldings(positions([['BTC-25DEC26-85000-C', 2], ['BTC-PERPETUAL', -100_000]]), market), NOW_MS);
      expect(long.lower).toBeCloseTo(-short.upper, 12);
      expect(long.upper).toBeCloseTo(-short.lower, 12);
      expect(long.bsDelta).toBeCloseTo(-short.bsDelta, 14);
    }
  });

  it('a put takes the call band − 1 per unit (put–call parity: a short put is a short call and a long forward)', () => {
    const net = network('ntb', 3);
    const call = net.band(callState(100_000, 0));
    const band = bookBand(net, hedgeHoldings(positions([['BTC-25DEC26-100000-P', -4]]), market), NOW_MS);
    expect(band.lower).toBeCloseTo(4 * (call.lower - 1), 12);
    expect(band.upper).toBeCloseTo(4 * (call.upper - 1), 12);
    // The centre of the book is the put's N(d1) − 1 delta, the Black-76 put delta (identity).
    expect(band.bsDelta).toBeCloseTo(-4 * (callState(100_000, 0).bsDelta - 1), 14);
    const long = bookBand(net, hedgeHoldings(positions([['BTC-25DEC26-100000-P', 4]]), market), NOW_MS);
    expect(long.lower).toBeCloseTo(-band.upper, 12);
  });

  it('bands of several options add up, and options without quotes are listed as left out', () => {
    const net = network('ntb', 8);
    const rows: [string, number][] = [['BTC-25DEC26-95000-C', -3], ['BTC-25DEC26-80000-P', 2], ['BTC-25DEC26-110000-C', -1.5]];
    const whole = bookBand(net, hedgeHoldings(positions([...rows, ['BTC-27DEC26-90000-C', -1]]), market), NOW_MS);
    const parts = rows.map((row) => bookBand(net, hedgeHoldings(positions([row]), market), NOW_MS));
    expect(whole.lower).toBeCloseTo(parts.reduce((s, p) => s + p.lower, 0), 12);
    expect(whole.upper).toBeCloseTo(parts.reduce((s, p) => s + p.upper, 0), 12);
    expect(whole.skipped).toEqual([{ instrument: 'BTC-27DEC26-90000-C', reason: 'no forward for its expiry' }]);
  });
});

describe('LearnedPolicy.propose', () => {
  const model = { id: 7, name: 'test ntb' };

  it('an empty book does not trade', () => {
    const p = new LearnedPolicy(network('ntb'), model).propose(bookOf([]), hedgeMarket, objectives);
    expect(p.status).toBe('in-band');
    expect(p.legs).toEqual([]);
    expect(p.learnedBand).toMatchObject({ lowerCoin: 0, upperCoin: 0, currentHedgeCoin: 0, position: 'inside' });
  });

  it('an unhedged short call trades the perpetual to the lower edge of the band, within one lot', () => {
    const net = network('ntb');
    const holdings = hedgeHoldings(positions([['BTC-25DEC26-95000-C', -3]]), market);
    const p = new LearnedPolicy(net, model).propose(bookOf(holdings), hedgeMarket, objectives);
    const band = p.learnedBand!;
    expect(band.position).toBe('below');
    expect(band.lowerCoin).toBeGreaterThan(0);
    expect(band.targetHedgeCoin).toBe(band.lowerCoin);
    expect(p.status).toBe('trade');
    expect(p.legs).toHaveLength(1);
    expect(p.legs[0]!.side).toBe('buy');
    expect(p.legs[0]!.amount % 10).toBe(0);
    expect(p.legs[0]!.amount / PERP_MARK).toBeGreaterThanOrEqual(band.lowerCoin - 1e-12);
    expect(p.legs[0]!.amount / PERP_MARK - band.lowerCoin).toBeLessThanOrEqual(10 / PERP_MARK + 1e-12);
    expect(p.bands[0]!.inBandAfter).toBe(true);
    expect(p.rationale.join('\n')).toMatch(/learned NTB policy "test ntb" \(model 7\) with BTC-PERPETUAL: hedge band \[/);
    expect(p.rationale.join('\n')).toMatch(/is below the band: trade to its nearest edge/);
  });

  it('a hedge inside the band does not trade; above it sells down to the upper edge', () => {
    const net = network('ntb');
    const probe = bookBand(net, hedgeHoldings(positions([['BTC-25DEC26-95000-C', -3]]), market), NOW_MS);
    const mid = ((probe.lower + probe.upper) / 2) * PERP_MARK;
    const inside = new LearnedPolicy(net, model).propose(bookOf(hedgeHoldings(positions([['BTC-25DEC26-95000-C', -3], ['BTC-PERPETUAL', Math.round(mid / 10) * 10]]), market)), hedgeMarket, objectives);
    expect(inside.status).toBe('in-band');
    expect(inside.rationale.join('\n')).toMatch(/is inside the band: no trade/);
    const above = new LearnedPolicy(net, model).propose(bookOf(hedgeHoldings(positions([['BTC-25DEC26-95000-C', -3], ['BTC-PERPETUAL', 400_000]]), market)), hedgeMarket, objectives);
    expect(above.learnedBand!.position).toBe('above');
    expect(above.legs[0]!.side).toBe('sell');
    // Rounded to the 10 USD lot, and one more lot into the band when the nearest lot stops just outside it.
    const after = 400_000 / PERP_MARK - above.legs[0]!.amount / PERP_MARK;
    expect(after).toBeLessThanOrEqual(probe.upper + 1e-12);
    expect(probe.upper - after).toBeLessThanOrEqual(10 / PERP_MARK + 1e-12);
  });

  it('in USD units the same trade comes out', () => {
    const net = network('ffn');
    const holdings = hedgeHoldings(positions([['BTC-25DEC26-95000-C', -3], ['BTC-PERPETUAL', 50_000]]), market);
    const coin = new LearnedPolicy(net, model).propose(bookOf(holdings), hedgeMarket, objectives);
    const usd = new LearnedPolicy(net, model).propose(bookOf(holdings), hedgeMarket, { currency: 'BTC', delta: { target: 0, tolerance: 45_000, unit: 'usd' } });
    expect(usd.legs).toEqual(coin.legs);
    expect(usd.status).toBe('trade');
  });

  it('without position-by-position holdings it says it cannot', () => {
    const p = new LearnedPolicy(network('ntb'), model).propose({ version: 1, totals: bookOf([]).totals }, hedgeMarket, objectives);
    expect(p.status).toBe('cannot');
    expect(p.reason).toMatch(/position by position/);
  });
});
