import { describe, expect, it } from 'vitest';
import { optionGreeks, type BookGreeks } from '../../../../src-main/core/book/valuation';
import { unitCostCoin, walkLeg } from '../../../../src-main/core/hedge/costs';
import { proportionalCost, ThresholdPolicy, WhalleyWilmottPolicy, whalleyWilmottHalfWidth } from '../../../../src-main/core/hedge/deltaPolicies';
import { buildSelectionModel, SelectionPolicy, type MilpSolver } from '../../../../src-main/core/hedge/selection';
import type { HedgeBook, HedgeMarket, HedgeObjectives, Proposal } from '../../../../src-main/core/hedge/types';
import { Rng } from '../../../../src-main/core/random';
import { solveMilp } from '../../../../src-main/workers/hedgeSolveTask';
import { hedgeMarket, linearInstrument, NOW_MS, optionInstrument } from '../../../helpers/hedgeMarket';

const highs: MilpSolver = { solve: (model, options) => solveMilp(model, options) };
const ZERO: BookGreeks = { deltaCoin: 0, delta: 0, deltaUsd: 0, gammaUsdPer1Pct: 0, vegaUsd: 0, vega30Usd: 0, thetaUsdPerDay: 0 };
const book = (g: Partial<BookGreeks>): HedgeBook => ({ version: 1, totals: { ...ZERO, ...g } });

function expectHonest(p: Proposal): void {
  // A proposal either brings every band in, or says why not (the property the issue asks of every policy).
  if (p.status === 'trade') expect(p.bands.every((b) => b.inBandAfter)).toBe(true);
  if (p.status === 'cannot') expect(p.reason).toBeTruthy();
  if (p.status === 'in-band') expect(p.legs).toEqual([]);
}

describe('costs against the mark', () => {
  it('option fee is min(0.0003 BTC, 12.5 % of the price) per contract (Deribit fee schedule)', () => {
    const cheap = optionInstrument({ forward: 90_000, strike: 150_000, days: 7, vol: 0.5, isCall: true, sizes: [10] });
    const dear = optionInstrument({ forward: 90_000, strike: 90_000, days: 30, vol: 0.5, isCall: true, sizes: [10] });
    expect(unitCostCoin(cheap, 'buy', 0.0008).feeCoin).toBeCloseTo(0.125 * 0.0008, 15);
    expect(unitCostCoin(dear, 'buy', 0.05).feeCoin).toBe(0.0003);
    expect(unitCostCoin(dear, 'buy', 0.05).costCoin).toBeCloseTo(0.05 - dear.markPrice + 0.0003, 15);
  });

  it('inverse perpetual: buying Q USD at p costs Q (1/mark − 1/p) + fee Q/p × rate in coin', () => {
    const perp = linearInstrument('BTC-PERPETUAL', 'perpetual', 90_000, [1000, 1000]);
    const r = walkLeg(perp, 'buy', 1500, 90_000, 1);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // Levels 90,000.25 (1000) and 90,000.75 (500).
    const expected = 1000 * (1 / 90_000 - 1 / 90_000.25 + 0.0005 / 90_000.25) + 500 * (1 / 90_000 - 1 / 90_000.75 + 0.0005 / 90_000.75);
    expect(r.leg.costCoin).toBeCloseTo(expected, 15);
    expect(r.leg.limitPrice).toBe(90_000.75);
    expect(r.leg.greeks.deltaCoin).toBeCloseTo(1500 / 90_000, 15);
    expect(walkLeg(perp, 'buy', 1500, 90_000, 0.5)).toEqual({ ok: false, available: 1000 });
  });
});

describe('Whalley–Wilmott band', () => {
  it('half-width is (3/2 · λ · S · Γ² / γ)^(1/3) (Whalley & Wilmott 1997, r = 0)', () => {
    const args = { costRate: 0.0006, priceUsd: 90_000, gammaCoinPerUsd: 2e-4, riskAversion: 1e-4 };
    expect(whalleyWilmottHalfWidth(args)).toBeCloseTo(Math.pow((1.5 * 0.0006 * 90_000 * 4e-8) / 1e-4, 1 / 3), 14);
    // Scales as cost^(1/3) and gamma^(2/3).
    expect(whalleyWilmottHalfWidth({ ...args, costRate: 8 * 0.0006 }) / whalleyWilmottHalfWidth(args)).toBeCloseTo(2, 12);
    expect(whalleyWilmottHalfWidth({ ...args, gammaCoinPerUsd: 8 * 2e-4 }) / whalleyWilmottHalfWidth(args)).toBeCloseTo(4, 12);
  });

  it('does not trade inside the band, trades to the nearest edge outside it', () => {
    const market = hedgeMarket(1, 0);
    const perp = market.instruments[0]!;
    const gammaUsdPer1Pct = -2e-4 * 0.01 * 90_000 * 90_000; // Γ = −2e-4 BTC per USD (short gamma)
    const policy = new WhalleyWilmottPolicy({ riskAversion: 1e-4 });
    const half = whalleyWilmottHalfWidth({ costRate: proportionalCost(perp)!, priceUsd: 90_000, gammaCoinPerUsd: 2e-4, riskAversion: 1e-4 });
    const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.01, unit: 'coin' } };
    const inside = policy.propose(book({ deltaCoin: 0.9 * half, gammaUsdPer1Pct }), market, objectives);
    expect(inside.status).toBe('in-band');
    expect(inside.bands[0]!.tolerance).toBeCloseTo(half, 12);
    const outside = policy.propose(book({ deltaCoin: 3 * half, gammaUsdPer1Pct }), market, objectives);
    expect(outside.status).toBe('trade');
    expect(outside.legs).toHaveLength(1);
    expect(outside.legs[0]!.side).toBe('sell');
    // Lands on the upper edge, within one lot of the perpetual (10 USD).
    expect(outside.after.deltaCoin).toBeLessThanOrEqual(half * (1 + 1e-9));
    expect(half - outside.after.deltaCoin).toBeLessThan(10 / perp.markPrice);
    expectHonest(outside);
  });
});

describe('threshold policy', () => {
  const market = hedgeMarket(2, 0);
  const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.5, unit: 'coin' } };

  it('hedges back to the target with the perpetual, with separate long and short thresholds and a hedge ratio', () => {
    const p = new ThresholdPolicy().propose(book({ deltaCoin: 2.5 }), market, objectives);
    expect(p.status).toBe('trade');
    expect(p.legs[0]!.instrument).toBe('BTC-PERPETUAL');
    expect(Math.abs(p.after.deltaCoin)).toBeLessThan(10 / 90_000);
    expect(p.costUsd).toBeGreaterThan(0);
    const asymmetric = new ThresholdPolicy({ upper: 3, lower: 0.2 });
    expect(asymmetric.propose(book({ deltaCoin: 2.5 }), market, objectives).status).toBe('in-band');
    expect(asymmetric.propose(book({ deltaCoin: -0.3 }), market, objectives).status).toBe('trade');
    const half = new ThresholdPolicy({ hedgeRatio: 0.5 }).propose(book({ deltaCoin: 4 }), market, objectives);
    expect(half.after.deltaCoin).toBeCloseTo(2, 3);
  });

  it('says it cannot when the visible depth is too thin, and names the gamma band a linear hedge cannot reach', () => {
    const thin: HedgeMarket = { ...market, instruments: [linearInstrument('BTC-PERPETUAL', 'perpetual', 90_000, [10_000])] };
    const p = new ThresholdPolicy().propose(book({ deltaCoin: 3 }), thin, objectives);
    expect(p.status).toBe('cannot');
    expect(p.reason).toMatch(/only 5000 of the 270000 needed is within 50 % of the visible bids/);
    const gamma = new ThresholdPolicy().propose(book({ deltaCoin: 3, gammaUsdPer1Pct: -5000 }), market, { ...objectives, gamma: { target: 0, tolerance: 1000 } });
    expect(gamma.status).toBe('cannot');
    expect(gamma.reason).toMatch(/gamma -5,000 USD per 1 % move stays outside 0 ± 1,000/);
    const none = new ThresholdPolicy({ instrument: 'BTC-27MAR27' }).propose(book({ deltaCoin: 3 }), market, objectives);
    expect(none.reason).toMatch(/no quote for the hedge instrument BTC-27MAR27/);
  });
});

describe('multi-instrument selection (HiGHS)', () => {
  // A small market the brute force can enumerate: a thin perpetual and two options.
  const small: HedgeMarket = {
    nowMs: NOW_MS,
    marketSeq: 1,
    currency: 'BTC',
    indexUsd: 90_000,
    instruments: [
      linearInstrument('BTC-PERPETUAL', 'perpetual', 90_010, [4000, 6000], 0.5, 1),
      optionInstrument({ forward: 90_200, strike: 90_000, days: 14, vol: 0.5, isCall: true, sizes: [0.6, 0.6] }),
      optionInstrument({ forward: 90_600, strike: 80_000, days: 60, vol: 0.55, isCall: false, sizes: [0.8, 0.4] }),
    ],
  };

  function bruteForce(b: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives): { cost: number; lots: number[] } | null {
    const ranges = market.instruments.map((inst) => {
      const maxBuy = Math.floor((inst.asks.reduce((s, [, a]) => s + a, 0) * 0.5) / inst.lot + 1e-9);
      const maxSell = Math.floor((inst.bids.reduce((s, [, a]) => s + a, 0) * 0.5) / inst.lot + 1e-9);
      const out: number[] = [];
      for (let n = -maxSell; n <= maxBuy; n++) out.push(n);
      return out;
    });
    let best: { cost: number; lots: number[] } | null = null;
    const lots = new Array<number>(ranges.length).fill(0);
    const visit = (k: number): void => {
      if (k === ranges.length) {
        let g = { ...b.totals } as BookGreeks;
        let cost = 0;
        for (let i = 0; i < lots.length; i++) {
          if (lots[i] === 0) continue;
          const inst = market.instruments[i]!;
          const leg = walkLeg(inst, lots[i]! > 0 ? 'buy' : 'sell', Math.abs(lots[i]!) * inst.lot, market.indexUsd, 0.5);
          if (!leg.ok) return;
          cost += leg.leg.costUsd;
          g = { ...g, deltaCoin: g.deltaCoin + leg.leg.greeks.deltaCoin, gammaUsdPer1Pct: g.gammaUsdPer1Pct + leg.leg.greeks.gammaUsdPer1Pct, vegaUsd: g.vegaUsd + leg.leg.greeks.vegaUsd };
        }
        const ok =
          Math.abs(g.deltaCoin - objectives.delta.target) <= objectives.delta.tolerance + 1e-12 &&
          (!objectives.gamma || Math.abs(g.gammaUsdPer1Pct - objectives.gamma.target) <= objectives.gamma.tolerance + 1e-12) &&
          (!objectives.vega || Math.abs(g.vegaUsd - objectives.vega.target) <= objectives.vega.tolerance + 1e-12);
        if (ok && (!best || cost < best.cost)) best = { cost, lots: [...lots] };
        return;
      }
      for (const n of ranges[k]!) {
        lots[k] = n;
        visit(k + 1);
      }
      lots[k] = 0;
    };
    visit(0);
    return best;
  }

  it('finds the least-cost hedge that brute force finds, on small cases', async () => {
    const rng = new Rng(7);
    const policy = new SelectionPolicy(highs);
    const call = small.instruments[1]!.unitGreeks;
    const perpLotDelta = 10 / 90_010;
    let compared = 0;
    for (let trial = 0; trial < 12; trial++) {
      // Books a small trade can fix: a multiple of the call's greeks plus some delta.
      const k = -(0.1 + 0.2 * rng.nextFloat());
      const b = book({ deltaCoin: k * call.deltaCoin + 0.01 * rng.nextNormal(), gammaUsdPer1Pct: k * call.gammaUsdPer1Pct * (0.8 + 0.4 * rng.nextFloat()), vegaUsd: k * call.vegaUsd * (0.8 + 0.4 * rng.nextFloat()) });
      const objectives: HedgeObjectives = {
        currency: 'BTC',
        delta: { target: 0, tolerance: 0.002 + 0.003 * rng.nextFloat(), unit: 'coin' },
        gamma: { target: 0, tolerance: Math.abs(call.gammaUsdPer1Pct) * 0.15 },
        vega: { target: 0, tolerance: Math.abs(call.vegaUsd) * 0.15 },
      };
      // The perpetual is solved continuous and rounded to its 10-USD lot, so the solver keeps half a lot of room
      // inside the delta band: it must find every hedge the brute force finds in that band, and can be no
      // cheaper than the brute force's best in the full band.
      const tight = { ...objectives, delta: { ...objectives.delta, tolerance: objectives.delta.tolerance - perpLotDelta / 2 } };
      const best = bruteForce(b, small, objectives);
      const bestTight = bruteForce(b, small, tight);
      const proposal = await policy.propose(b, small, objectives);
      expectHonest(proposal);
      if (bestTight === null) continue;
      compared++;
      expect(proposal.status).toBe('trade');
      // HiGHS stops within 0.5 % of its bound (mip_rel_gap), the rounding of the perpetual adds at most a cent.
      expect(proposal.costUsd).toBeGreaterThanOrEqual(best!.cost - 1e-9);
      expect(proposal.costUsd).toBeLessThanOrEqual(bestTight.cost * 1.005 + 0.01);
    }
    expect(compared).toBeGreaterThanOrEqual(6);
  }, 60_000);

  it('proposes nothing when every band is met, and reports a band the liquidity cannot reach', async () => {
    const policy = new SelectionPolicy(highs);
    const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.01, unit: 'coin' }, gamma: { target: 0, tolerance: 10 } };
    const quiet = await policy.propose(book({ deltaCoin: 0.005, gammaUsdPer1Pct: 5 }), small, objectives);
    expect(quiet.status).toBe('in-band');
    const huge = await policy.propose(book({ deltaCoin: 0.001, gammaUsdPer1Pct: -1e6 }), small, objectives);
    expect(huge.status).toBe('cannot');
    expect(huge.reason).toMatch(/gamma cannot reach its band with the visible liquidity/);
    // It still comes as close as it can: every option's asks within the share are bought.
    expect(huge.after.gammaUsdPer1Pct).toBeGreaterThan(huge.before.gammaUsdPer1Pct);
  });

  it('keeps random books honest over a 40-instrument market: in band after, or a reason', async () => {
    const market = hedgeMarket(11, 38);
    const policy = new SelectionPolicy(highs);
    const rng = new Rng(3);
    for (let trial = 0; trial < 8; trial++) {
      const g = optionGreeks(-(5 + 20 * rng.nextFloat()), 90_000, 90_000 + 5000 * rng.nextNormal(), (10 + 60 * rng.nextFloat()) / 365, 0.5, rng.nextFloat() < 0.5);
      const objectives: HedgeObjectives = {
        currency: 'BTC',
        delta: { target: 0, tolerance: 0.05, unit: 'coin' },
        gamma: { target: 0, tolerance: Math.max(50, Math.abs(g.gammaUsdPer1Pct) * 0.2) },
        vega: { target: 0, tolerance: Math.max(50, Math.abs(g.vegaUsd) * 0.2) },
      };
      const p = await policy.propose(book(g), market, objectives);
      expectHonest(p);
      expect(p.status).not.toBe('in-band');
      for (const leg of p.legs) {
        const inst = market.instruments.find((i) => i.instrument === leg.instrument)!;
        // Never more than half of the visible depth on its side.
        const side = leg.side === 'buy' ? inst.asks : inst.bids;
        expect(leg.amount).toBeLessThanOrEqual(side.reduce((s, [, a]) => s + a, 0) * 0.5 + 1e-9);
        expect(Math.abs(leg.amount / inst.lot - Math.round(leg.amount / inst.lot))).toBeLessThan(1e-9);
      }
    }
  });

  it('the model has an integer lot column per tradable option side, continuous futures, and the band rows first', () => {
    const built = buildSelectionModel(book({ deltaCoin: 1 }), small, { currency: 'BTC', delta: { target: 0, tolerance: 0.01, unit: 'coin' } });
    expect(Array.from(built.model.integrality).filter((t) => t === 1).length).toBe(4);
    // Half a perpetual lot of delta (5 USD / 90,010) of room at each edge, in tolerance units.
    const room = 1 - (0.5 * 10) / 90_010 / 0.01;
    expect(built.model.rowLower[0]).toBeCloseTo(-1 / 0.01 - room, 9);
    expect(built.model.rowUpper[0]).toBeCloseTo(-1 / 0.01 + room, 9);
  });
});

describe('selection priced against the fitted surface', () => {
  it('buys the option the surface says is cheap when two are otherwise the same', async () => {
    const twin = (name: string, residual: number) => ({ ...optionInstrument({ forward: 90_000, strike: 90_000, days: 30, vol: 0.5, isCall: true, sizes: [5, 5] }), instrument: name, ivResidualVolPoints: residual });
    const market: HedgeMarket = {
      nowMs: NOW_MS,
      marketSeq: 1,
      currency: 'BTC',
      indexUsd: 90_000,
      instruments: [linearInstrument('BTC-PERPETUAL', 'perpetual', 90_000, [1_000_000]), twin('BTC-RICH-C', 3), twin('BTC-CHEAP-C', -3)],
    };
    const g = market.instruments[1]!.unitGreeks;
    const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.05, unit: 'coin' }, gamma: { target: 0, tolerance: Math.abs(g.gammaUsdPer1Pct) * 0.5 } };
    const b = book({ deltaCoin: -2 * g.deltaCoin, gammaUsdPer1Pct: -2 * g.gammaUsdPer1Pct });
    const priced = await new SelectionPolicy(highs, { surfaceEdge: true }).propose(b, market, objectives);
    expect(priced.status).toBe('trade');
    const options = priced.legs.filter((l) => l.instrument.endsWith('-C'));
    expect(options.map((l) => [l.instrument, l.side])).toEqual([['BTC-CHEAP-C', 'buy']]);
    expect(priced.rationale.join('\n')).toMatch(/priced against the fitted surface too \(2 options with a residual\): the legs pay -?[\d.]+ USD less/);
  });
});

describe('variance risk premium as a hedge input', () => {
  it('the selection names the premium of each expiry its option legs trade, and whether they pay or earn it', async () => {
    const call = optionInstrument({ forward: 90_000, strike: 90_000, days: 30, vol: 0.5, isCall: true, sizes: [5, 5], expiryCode: '31DEC26' });
    const market: HedgeMarket = {
      nowMs: NOW_MS,
      marketSeq: 1,
      currency: 'BTC',
      indexUsd: 90_000,
      instruments: [linearInstrument('BTC-PERPETUAL', 'perpetual', 90_000, [1_000_000]), call],
      variancePremiums: { '31DEC26': 9.8 },
    };
    const g = call.unitGreeks;
    const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.05, unit: 'coin' }, gamma: { target: 0, tolerance: Math.abs(g.gammaUsdPer1Pct) * 0.5 } };
    const p = await new SelectionPolicy(highs).propose(book({ deltaCoin: -2 * g.deltaCoin, gammaUsdPer1Pct: -2 * g.gammaUsdPer1Pct }), market, objectives);
    expect(p.legs.some((l) => l.instrument === call.instrument && l.side === 'buy')).toBe(true);
    expect(p.rationale.join('\n')).toMatch(/31DEC26: implied vol is 9\.8 vol points above the forecast realized vol; these legs buy \d+ USD of vega there, so they pay that premium/);
  });
});
