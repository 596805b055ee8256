/**
 * Scenario matrix, payoff curve, distance to a margin call and historical scenarios. Revaluation is checked
 * against the textbook pricer of the tests (Haug's generalized BSM with b = 0 on the forward, bsmReference.ts),
 * identities (the centre is exactly 0; matrices add over books; drill-down sums to the cell; delta-one P&L is
 * size × m/(1 + m)), limits (at expiry an option is worth its intrinsic value) and a hand-solved margin call.
 * Historical moves come from ../shared/data (Deribit BTC-PERPETUAL daily closes, Deribit BTC DVOL daily closes).
 */
import { describe, expect, it } from 'vitest';
import { bsmGreeks, bsmPrice } from '../pricing/bsmReference';
import { readSharedText } from '../pricing/sharedData';
import { cellIndex, defaultTimes, drillDown, payoffCurve, scenarioMatrix, scenarioRecords, smileKey, ScenarioSpecError, type ScenarioSpec } from '../../../../src-main/core/risk/scenario';
import { distanceToMarginCall } from '../../../../src-main/core/risk/marginCall';
import { largestDailyMoves, parseDailyCloseCsv } from '../../../../src-main/core/risk/historical';
import { PM_PARAMS } from '../../../../src-main/core/risk/pmParams';
import type { RiskPosition } from '../../../../src-main/core/risk/riskPosition';
import { whatIfBook } from '../../../../src-main/core/risk/whatIf';
import { checkPosition, type CheckedPosition } from '../../../../src-main/core/book/position';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const DAY = 86_400_000;
const EXPIRY_7 = NOW + 7 * DAY;
const EXPIRY_30 = NOW + 30 * DAY;
const INDEX = { BTC: 60_000, ETH: 3_000 };

function option(currency: 'BTC' | 'ETH', strike: number, isCall: boolean, sizeCoin: number, expiryMs: number, forwardUsd: number, vol: number): RiskPosition {
  return { instrument: `${currency}-X-${strike}-${isCall ? 'C' : 'P'}-${expiryMs}`, currency, kind: 'option', sizeCoin, expiryMs, strike, isCall, forwardUsd, vol };
}
function perp(currency: 'BTC' | 'ETH', sizeCoin: number, price: number): RiskPosition {
  return { instrument: `${currency}-PERPETUAL`, currency, kind: 'perpetual', sizeCoin, expiryMs: null, strike: NaN, isCall: false, forwardUsd: price, vol: 0 };
}

const BOOK: RiskPosition[] = [
  option('BTC', 66_000, true, -3, EXPIRY_30, 60_300, 0.55),
  option('BTC', 55_000, false, 2, EXPIRY_7, 60_050, 0.62),
  option('ETH', 3_000, true, 10, EXPIRY_30, 3_010, 0.7),
  perp('BTC', 1.5, 60_020),
  { instrument: 'BTC-31DEC26', currency: 'BTC', kind: 'future', sizeCoin: -0.8, expiryMs: EXPIRY_30, strike: NaN, isCall: false, forwardUsd: 60_300, vol: 0 },
];

function spec(over: Partial<ScenarioSpec> = {}): ScenarioSpec {
  return { spotMoves: [-0.3, -0.1, 0, 0.1, 0.3], volShifts: [-0.1, 0, 0.1], times: defaultTimes(BOOK, NOW), volShiftMode: 'absolute', volDynamics: 'sticky-strike', ...over };
}

/** Coin value of one option contract by the textbook pricer. */
function coinValue(forward: number, strike: number, years: number, vol: number, isCall: boolean): number {
  return (years > 0 ? bsmPrice(forward, strike, years, 0, 0, vol, isCall) : Math.max(isCall ? forward - strike : strike - forward, 0)) / forward;
}

describe('scenario matrix', () => {
  it('the centre (no move, no vol shift, no time) is exactly 0, per position, currency and total, under both dynamics', () => {
    const smiles = new Map([[smileKey('BTC', EXPIRY_30), { strikes: [50_000, 60_000, 70_000], vols: [0.7, 0.55, 0.52] }]]);
    for (const volDynamics of ['sticky-strike', 'sticky-moneyness'] as const) {
      const s = spec({ volDynamics, smiles });
      const matrix = scenarioMatrix(BOOK, INDEX, NOW, s);
      const centre = cellIndex(s, 2, 1, 0);
      expect(matrix.totalUsd[centre]).toBe(0);
      for (const m of matrix.currencies) {
        expect(m.pnlCoin[centre]).toBe(0);
        expect(m.pnlUsd[centre]).toBe(0);
      }
      for (const row of drillDown(matrix, 'BTC', centre)) expect(row).toMatchObject({ pnlCoin: 0, pnlUsd: 0 });
    }
  });

  it('revalues each option like the textbook pricer, futures as size × m/(1 + m), USD at the moved index', () => {
    const s = spec();
    const matrix = scenarioMatrix(BOOK, INDEX, NOW, s);
    const btc = matrix.currencies.find((m) => m.currency === 'BTC')!;
    const c = cellIndex(s, 4, 2, 1); // +30 %, +10 points, +1 day
    const byName = new Map(drillDown(matrix, 'BTC', c).map((r) => [r.instrument, r]));
    const call = BOOK[0]!;
    const years = 30 / 365;
    const expectCoin = -3 * (coinValue(60_300 * 1.3, 66_000, years - 1 / 365, 0.65, true) - coinValue(60_300, 66_000, years, 0.55, true));
    expect(byName.get(call.instrument)!.pnlCoin).toBeCloseTo(expectCoin, 12);
    // USD: Δ(coin value × index) = coin value' × 60 000 × 1.3 − coin value × 60 000.
    const expectUsd = -3 * (coinValue(60_300 * 1.3, 66_000, years - 1 / 365, 0.65, true) * 78_000 - coinValue(60_300, 66_000, years, 0.55, true) * 60_000);
    expect(byName.get(call.instrument)!.pnlUsd).toBeCloseTo(expectUsd, 7);
    expect(byName.get('BTC-PERPETUAL')!.pnlCoin).toBeCloseTo((1.5 * 0.3) / 1.3, 15);
    expect(byName.get('BTC-PERPETUAL')!.pnlUsd).toBeCloseTo(((1.5 * 0.3) / 1.3) * 78_000, 9);
    // The currency's cell is the sum of its positions.
    const sum = [...byName.values()].reduce((a, r) => a + r.pnlCoin, 0);
    expect(btc.pnlCoin[c]).toBeCloseTo(sum, 14);
    // The total is USD only; records give no coin total.
    const eth = matrix.currencies.find((m) => m.currency === 'ETH')!;
    expect(matrix.totalUsd[c]).toBeCloseTo(btc.pnlUsd[c]! + eth.pnlUsd[c]!, 9);
    const records = scenarioRecords(matrix);
    expect(records.filter((r) => r.currency === 'TOTAL').every((r) => r.pnl_coin === null)).toBe(true);
    expect(records).toHaveLength(3 * s.spotMoves.length * s.volShifts.length * s.times.length);
    expect(records.find((r) => r.currency === 'BTC' && r.spot_move === 0.3 && r.vol_shift === 10 && r.time === '+1d')!.pnl_coin).toBeCloseTo(btc.pnlCoin[c]!, 15);
  });

  it('+1 day with no move is the theta of a day, to second order', () => {
    const s = spec();
    const matrix = scenarioMatrix([BOOK[0]!], INDEX, NOW, s);
    const oneDay = matrix.currencies[0]!.pnlUsd[cellIndex(s, 2, 1, 1)]!;
    // Theta per calendar year (Haug, F fixed) / 365, in USD of value; × S/F for the USD value of the coin mark.
    const theta = (-3 * bsmGreeks(60_300, 66_000, 30 / 365, 0, 0, 0.55, true).theta) / 365 * (60_000 / 60_300);
    expect(Math.abs(oneDay - theta)).toBeLessThan(Math.abs(theta) * 0.03);
  });

  it('at the next expiry an expiring option is worth its intrinsic value on the moved forward', () => {
    const s = spec();
    expect(s.times.map((t) => t.label)).toEqual(['now', '+1d', 'next expiry']);
    const put = BOOK[1]!;
    const matrix = scenarioMatrix([put], INDEX, NOW, s);
    const c = cellIndex(s, 0, 1, 2); // −30 %
    const after = Math.max(55_000 - 60_050 * 0.7, 0) / (60_050 * 0.7);
    expect(matrix.currencies[0]!.pnlCoin[c]).toBeCloseTo(2 * (after - coinValue(60_050, 55_000, 7 / 365, 0.62, false)), 13);
  });

  it('term-scaled vol shifts move a 7-day option by √(30/7) times the shift', () => {
    const put = BOOK[1]!;
    const s = spec({ volShiftMode: 'term-scaled' });
    const matrix = scenarioMatrix([put], INDEX, NOW, s);
    const shifted = 0.62 + 0.1 * Math.sqrt(30 / 7);
    expect(matrix.currencies[0]!.pnlCoin[cellIndex(s, 2, 2, 0)]).toBeCloseTo(2 * (coinValue(60_050, 55_000, 7 / 365, shifted, false) - coinValue(60_050, 55_000, 7 / 365, 0.62, false)), 13);
  });

  it('sticky moneyness reads the smile at K / (1 + m); a flat smile gives sticky strike', () => {
    const call = BOOK[0]!;
    const skew = new Map([[smileKey('BTC', EXPIRY_30), { strikes: [50_000, 60_000, 70_000], vols: [0.7, 0.55, 0.52] }]]);
    const flat = new Map([[smileKey('BTC', EXPIRY_30), { strikes: [50_000, 70_000], vols: [0.5, 0.5] }]]);
    const strike = scenarioMatrix([call], INDEX, NOW, spec());
    expect(scenarioMatrix([call], INDEX, NOW, spec({ volDynamics: 'sticky-moneyness', smiles: flat })).currencies[0]!.pnlCoin).toEqual(strike.currencies[0]!.pnlCoin);
    const s = spec({ volDynamics: 'sticky-moneyness', smiles: skew });
    const moneyness = scenarioMatrix([call], INDEX, NOW, s);
    // −10 %: K/(0.9) = 73 333 is beyond the last smile strike → 0.52, vs 0.528 at 66 000 (log-strike interpolation).
    const w = Math.log(66_000 / 60_000) / Math.log(70_000 / 60_000);
    const at66 = 0.55 + w * (0.52 - 0.55);
    const vol = 0.55 + (0.52 - at66);
    const years = 30 / 365;
    expect(moneyness.currencies[0]!.pnlCoin[cellIndex(s, 1, 1, 0)]).toBeCloseTo(-3 * (coinValue(60_300 * 0.9, 66_000, years, vol, true) - coinValue(60_300, 66_000, years, 0.55, true)), 13);
    const noSmile = scenarioMatrix([BOOK[1]!], INDEX, NOW, s);
    expect(noSmile.notes[0]).toMatch(/no smile for its expiry, sticky strike used/);
  });

  it('is additive: the matrix of book + hedge is the sum of both', () => {
    const hedge = [option('BTC', 60_000, false, 1, EXPIRY_30, 60_300, 0.58), perp('BTC', -0.5, 60_020)];
    const s = spec();
    const a = scenarioMatrix(BOOK, INDEX, NOW, s).currencies[0]!;
    const b = scenarioMatrix(hedge, INDEX, NOW, s).currencies[0]!;
    const ab = scenarioMatrix([...BOOK, ...hedge], INDEX, NOW, s).currencies[0]!;
    for (let c = 0; c < a.pnlCoin.length; c++) expect(ab.pnlCoin[c]).toBeCloseTo(a.pnlCoin[c]! + b.pnlCoin[c]!, 12);
  });

  it('refuses bad axes and a missing index with a clear message', () => {
    expect(() => scenarioMatrix(BOOK, INDEX, NOW, spec({ spotMoves: [] }))).toThrow(ScenarioSpecError);
    expect(() => scenarioMatrix(BOOK, INDEX, NOW, spec({ spotMoves: [-1.2] }))).toThrow(/spot moves: -1.2 is not a move above −100 %/);
    expect(() => scenarioMatrix(BOOK, INDEX, NOW, spec({ volShifts: [Number.NaN] }))).toThrow(/vol shifts: NaN/);
    expect(() => scenarioMatrix(BOOK, { BTC: 60_000 }, NOW, spec())).toThrow(/no ETH index price/);
    expect(() => scenarioMatrix([perp('BTC', 1, Number.NaN)], INDEX, NOW, spec())).toThrow(/BTC-PERPETUAL: size 1 and price NaN must be finite/);
  });
});

describe('payoff curve', () => {
  it('at the expiry date is the intrinsic payoff minus today\'s value; today at the index is 0', () => {
    const call = BOOK[0]!;
    const spots = [50_000, 60_000, 70_000, 80_000];
    const curve = payoffCurve('BTC', [call], 60_000, NOW, spots, [{ label: 'today', atMs: NOW }, { label: 'expiry', atMs: EXPIRY_30 }]);
    expect(curve.lines[0]!.pnlCoin[1]).toBe(0);
    spots.forEach((spot, i) => {
      const forward = 60_300 * (spot / 60_000);
      expect(curve.lines[1]!.pnlCoin[i]).toBeCloseTo(-3 * (Math.max(forward - 66_000, 0) / forward - coinValue(60_300, 66_000, 30 / 365, 0.55, true)), 13);
    });
  });
});

describe('distance to a margin call', () => {
  it('a short perpetual: the up-move solved by hand, none down', () => {
    // Short q = 10 BTC, equity E = 2 BTC. At m: P&L −q m/(1+m); coin size −q/(1+m); MM = 0.8 (q/(1+m)) (r/(1+r) + 0.01)
    // with r = 0.16. E − q m/(1+m) = MM(m)  ⇔  m = (0.8 q c − E) / (E − q), c = r/(1+r) + 0.01.
    const q = 10;
    const e = 2;
    const c = 0.16 / 1.16 + 0.01;
    const expected = (0.8 * q * c - e) / (e - q);
    const result = distanceToMarginCall('BTC', [perp('BTC', -q, 60_000)], 60_000, NOW, PM_PARAMS.BTC, e, { tolerance: 1e-9 });
    expect(result.up.move).toBeCloseTo(expected, 8);
    expect(result.up.indexUsd).toBeCloseTo(60_000 * (1 + expected), 3);
    expect(result.down.move).toBeNull();
    expect(result.down.reason).toMatch(/stays above the maintenance margin for every move to −95 %/);
    expect(distanceToMarginCall('BTC', [perp('BTC', -q, 60_000)], 60_000, NOW, PM_PARAMS.BTC, 0.1).up).toMatchObject({ move: 0, reason: 'equity is already at or below the maintenance margin' });
  });

  it('a short strangle is called on both sides, sooner with vol up', () => {
    const strangle = [option('BTC', 70_000, true, -20, EXPIRY_30, 60_300, 0.55), option('BTC', 50_000, false, -20, EXPIRY_30, 60_300, 0.6)];
    const now = distanceToMarginCall('BTC', strangle, 60_000, NOW, PM_PARAMS.BTC, 5);
    const volUp = distanceToMarginCall('BTC', strangle, 60_000, NOW, PM_PARAMS.BTC, 5, { volShift: 0.1 });
    expect(now.down.move!).toBeLessThan(0);
    expect(now.up.move!).toBeGreaterThan(0);
    expect(volUp.down.move!).toBeGreaterThan(now.down.move!);
    expect(volUp.up.move!).toBeLessThan(now.up.move!);
    expect(() => distanceToMarginCall('BTC', strangle, 60_000, NOW, PM_PARAMS.BTC, Number.NaN)).toThrow(/equity must be a finite number/);
  });
});

describe('historical scenarios', () => {
  const perpDaily = parseDailyCloseCsv(readSharedText('data', 'ttienomy_deribit_BTC-PERPETUAL_daily.csv'));
  const dvol = parseDailyCloseCsv(readSharedText('data', 'joachimoliver_btc_dvol.csv'));

  it('finds 2020-03-12 as the largest daily BTC move in the Deribit perpetual history (close 7389.5 → 5249.5)', () => {
    expect(perpDaily.errors).toEqual([]);
    const [largest] = largestDailyMoves(perpDaily.closes, dvol.closes, 10);
    expect(largest!.date).toBe('2020-03-12');
    expect(largest!.spotMove).toBeCloseTo(5249.5 / 7389.5 - 1, 12);
    expect(largest!.volShiftPoints).toBeNull();
    expect(largest!.volReason).toBe('no DVOL history before 2021-03-24');
  });

  it('gives the DVOL move of the day where the vol history has it', () => {
    const moves = largestDailyMoves(perpDaily.closes, dvol.closes, 200);
    const withVol = moves.find((m) => m.volShiftPoints !== null)!;
    const closeOf = (date: string): number => dvol.closes.find((d) => d.date === date)!.close;
    const previous = new Date(Date.parse(`${withVol.date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect(withVol.volShiftPoints).toBeCloseTo(closeOf(withVol.date) - closeOf(previous), 6);
  });

  it('takes only days from `since` when asked', () => {
    const moves = largestDailyMoves(perpDaily.closes, dvol.closes, 5, '2021-03-25');
    expect(moves).toHaveLength(5);
    expect(moves.every((m) => m.date >= '2021-03-25' && m.volShiftPoints !== null)).toBe(true);
  });

  it('names bad rows by line and refuses a file without date/close', () => {
    const bad = parseDailyCloseCsv('date,close\n2020-01-01,100\nnot-a-date,5\n2020-01-02,-3\n');
    expect(bad.closes).toHaveLength(1);
    expect(bad.errors).toEqual([{ line: 3, reason: 'column date: "not-a-date" is not a date' }, { line: 4, reason: 'column close: "-3" is not a positive number' }]);
    expect(() => parseDailyCloseCsv('a,b\n1,2')).toThrow(/needs the columns date and close/);
  });
});

describe('what-if book', () => {
  it('adds, merges and removes legs on a copy; the live book is unchanged', () => {
    const check = (instrument: string, quantity: number): CheckedPosition => {
      const r = checkPosition({ instrument, quantity, averagePrice: null, priceCurrency: instrument.includes('PERPETUAL') ? 'USD' : 'BTC' }, null);
      if (!r.ok) throw new Error(r.reason);
      return r.position;
    };
    const live = [check('BTC-25DEC26-100000-C', -5), check('BTC-PERPETUAL', 10_000), check('BTC-25DEC26-80000-P', 2)];
    const before = JSON.stringify(live);
    const copy = whatIfBook(live, { add: [check('BTC-25DEC26-100000-C', 5), check('BTC-25DEC26-90000-P', 1), check('BTC-PERPETUAL', -5_000)], remove: ['BTC-25DEC26-80000-P'] });
    expect(copy.map((p) => [p.instrument, p.quantity])).toEqual([['BTC-PERPETUAL', 5_000], ['BTC-25DEC26-90000-P', 1]]);
    expect(JSON.stringify(live)).toBe(before);
  });
});
