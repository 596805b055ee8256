/**
 * Real Deribit data (../shared/data, see its README): the recorded option tickers in tardis-node's fixture and
 * two full-chain snapshots collected by znmahbub/SVCJ-Deribit-Inverse-Options-Pricer. Model: Black-76 on the
 * ticker's `underlying_price` (the snapshots' `futures_price`), r = 0, T = (expiry 08:00 UTC - timestamp)/365d.
 */
import { describe, expect, it } from 'vitest';
import { black76Greeks, toDeribitDisplay } from '../../../../src-main/core/pricing/black76';
import { IvReason, impliedVolBlack76 } from '../../../../src-main/core/pricing/impliedVol';
import { type ParsedOption, parseInstrumentName, parseOptionName } from '../../../../src-main/core/pricing/instrument';
import { yearsToExpiry } from '../../../../src-main/core/pricing/time';
import { quantile, readSharedCsv, readSharedJson } from './sharedData';

interface TickerData {
  instrument_name: string;
  timestamp: number;
  state: string;
  underlying_price: number;
  mark_price: number;
  mark_iv: number;
  greeks: { delta: number; gamma: number; vega: number; theta: number; rho: number };
}
interface Fixture {
  cases: { input_native_message: { params?: { channel?: string; data?: Partial<TickerData> } } }[];
}

/** Decimals a recorded number was printed with (0.03847784 -> 8, 4e-05 -> 5, 231.7 -> 1). */
function printedDecimals(value: number): number {
  const text = String(value);
  const exp = /e-(\d+)$/.exec(text);
  if (exp) {
    const mantissa = text.slice(0, text.indexOf('e'));
    const dot = mantissa.indexOf('.');
    return Number(exp[1]) + (dot < 0 ? 0 : mantissa.length - dot - 1);
  }
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}
const halfUnit = (value: number): number => 0.5 * 10 ** -printedDecimals(value);

const fixture = readSharedJson<Fixture>('data', 'tardis-node_deribit_ws_messages_with_normalized.json');
const optionTickers = fixture.cases
  .map((c) => c.input_native_message.params?.data)
  .filter((d): d is TickerData => d?.greeks !== undefined && d.instrument_name !== undefined)
  // Combo tickers (BTC-STRD-..., BTC-CSR12-...) also carry greeks; the parser rejects them by design.
  .filter((d) => !/^[A-Z_]+-[A-Z]+[0-9]*-/.test(d.instrument_name))
  .map((data) => ({ data, parsed: parseInstrumentName(data.instrument_name) }))
  .filter((t): t is { data: TickerData; parsed: ParsedOption } => t.parsed.kind === 'option');

/** USD (USDC) price from the ticker's mark: inverse options quote in coin, linear ones in USDC. */
function markUsd(data: TickerData, parsed: ParsedOption, forward = data.underlying_price): number {
  return parsed.settlement === 'inverse' ? data.mark_price * forward : data.mark_price;
}

describe('tardis-node recorded Deribit option tickers', () => {
  it('contains the five option tickers the README lists (combos are rejected by the parser)', () => {
    expect(optionTickers.map((t) => t.data.instrument_name).sort()).toEqual([
      'BTC-5JUN20-9250-C', 'BTC-8JUN20-8750-P', 'ETH-10JUN20-270-C', 'ETH-5JUN20-310-P', 'MATIC_USDC-9MAR24-1d02-C',
    ]);
  });

  for (const { data, parsed } of optionTickers) {
    const years = yearsToExpiry(parsed.expiryMs, data.timestamp);
    const forward = data.underlying_price;
    const vol = data.mark_iv / 100; // ticker IVs are percent

    if (data.state === 'closed') {
      it(`${data.instrument_name}: expired, so price and greeks are zero and no IV is implied`, () => {
        expect(years).toBeLessThanOrEqual(0);
        const g = toDeribitDisplay(black76Greeks(forward, parsed.strike, years, vol, parsed.isCall), forward);
        expect(g.priceCoin).toBe(data.mark_price); // 0: the put finished out of the money
        expect([g.delta, g.gamma, g.vega, g.theta, g.rho]).toEqual([0, 0, 0, 0, 0]);
        expect(impliedVolBlack76(0, forward, parsed.strike, years, parsed.isCall).reason).toBe(IvReason.Expired);
      });
      continue;
    }

    // Inputs are printed rounded: the forward and mark to their decimals, the IV to 0.01 vol points.
    const dForward = halfUnit(forward);
    const dVol = 0.5e-4;
    const ivFrom = (mark: number, f: number) =>
      impliedVolBlack76(parsed.settlement === 'inverse' ? mark * f : mark, f, parsed.strike, years, parsed.isCall).vol;

    it(`${data.instrument_name}: mark_iv from mark_price to the precision the inputs carry`, () => {
      const iv = ivFrom(data.mark_price, forward);
      // Band of IVs consistent with the rounded mark and forward (first-order, from our own inverse).
      const dMark = halfUnit(data.mark_price);
      const sensitivity = Math.abs(ivFrom(data.mark_price + dMark, forward) - iv) + Math.abs(ivFrom(data.mark_price, forward + dForward) - iv);
      expect(Math.abs(iv - vol)).toBeLessThanOrEqual(dVol + sensitivity);
      if (data.instrument_name === 'ETH-5JUN20-310-P') {
        // Deep in the money (delta -0.986): 0.005 USD of forward rounding moves the IV by ~0.7 vol points, so the
        // printed inputs cannot pin it. A forward of 231.6956 (inside 231.7 +- 0.005) reproduces both the mark
        // and Deribit's delta -0.98566, which is what Deribit must have used.
        expect(sensitivity).toBeGreaterThan(0.005);
      }
      // (MATIC_USDC's mark 0.139 is printed to 3 decimals, worth +-2.3 vol points; we still land on 209.645 %
      // against the printed 209.64 %. The two others agree to 0.01 and 0.02 vol points.)
    });

    it(`${data.instrument_name}: mark price and delta, gamma, vega, rho to the printed precision`, () => {
      const at = (f: number, v: number) => toDeribitDisplay(black76Greeks(f, parsed.strike, years, v, parsed.isCall), f);
      const ours = at(forward, vol);
      const upF = at(forward + dForward, vol);
      const upV = at(forward, vol + dVol);
      const recorded = { ...data.greeks, mark: data.mark_price };
      const mine = { ...ours, mark: parsed.settlement === 'inverse' ? ours.priceCoin : ours.priceUsd };
      const bumpF = { ...upF, mark: parsed.settlement === 'inverse' ? upF.priceCoin : upF.priceUsd };
      const bumpV = { ...upV, mark: parsed.settlement === 'inverse' ? upV.priceCoin : upV.priceUsd };
      for (const key of ['mark', 'delta', 'gamma', 'vega', 'rho'] as const) {
        // printed half-unit + what the rounding of the printed forward and IV can move it by
        let bound = halfUnit(recorded[key]) + Math.abs(bumpF[key] - mine[key]) + Math.abs(bumpV[key] - mine[key]);
        // BTC-5JUN20-9250-C's rho (0.66242 vs our 0.662446) and theta (see below) are off by 4e-5 and 8e-5
        // relative, while its delta, gamma, vega and mark match: Deribit's time-dependent greeks are not quite
        // those of the printed timestamp. Rho is checked to 5e-5 relative where that is looser.
        if (key === 'rho') bound = Math.max(bound, 5e-5 * Math.abs(recorded.rho));
        expect(Math.abs(mine[key] - recorded[key]), `${key}: ours ${mine[key]} vs ${recorded[key]}`).toBeLessThanOrEqual(bound);
      }
    });

    it(`${data.instrument_name}: theta is the instantaneous Black-76 theta per day`, () => {
      const theta = toDeribitDisplay(black76Greeks(forward, parsed.strike, years, vol, parsed.isCall), forward).theta;
      if (data.instrument_name === 'ETH-10JUN20-270-C') {
        // Known deviation (shared/data README): 1.9 days to expiry, Deribit prints -0.15436 while the
        // instantaneous theta is -0.234; Deribit's figure is close to minus the option's whole value
        // (0.000632 coin x 244.14 = 0.1543 USD), i.e. Deribit caps the one-day decay. Not modelled.
        expect(theta).toBeCloseTo(-0.2342, 4);
        expect(Math.abs(data.greeks.theta + markUsd(data, parsed))).toBeLessThan(1e-3);
        return;
      }
      // To the printed precision or 1e-4 relative, whichever is looser: BTC-5JUN20-9250-C differs by 7.8e-5
      // (-28.33892 vs -28.34113), more than the rounding of the inputs explains but far below any use of theta.
      const bound = Math.max(halfUnit(data.greeks.theta), 1e-4 * Math.abs(data.greeks.theta));
      expect(Math.abs(theta - data.greeks.theta)).toBeLessThanOrEqual(bound);
    });
  }
});

describe('znmahbub full-chain snapshots: Deribit deltas', () => {
  const snapshots = [
    // file, p95 bound, README figures (median / p95): 0.0004 / 0.004 and 0.0002 / 0.002
    { file: 'znmahbub_deribit_options_snapshot_20260102T091809Z.csv', rows: 1288, p95: 0.006 },
    { file: 'znmahbub_deribit_options_snapshot_20260822T093536Z.csv', rows: 1968, p95: 0.003 },
  ];
  for (const snapshot of snapshots) {
    it(`${snapshot.file}: median |delta error| < 0.001, p95 < ${snapshot.p95}`, () => {
      const rows = readSharedCsv('data', snapshot.file);
      expect(rows).toHaveLength(snapshot.rows);
      const deltaErrors: number[] = [];
      const vegaErrors: number[] = [];
      const ivErrors: number[] = [];
      const worst: { error: number; days: number; name: string }[] = [];
      for (const row of rows) {
        const parsed = parseOptionName(row.instrument_name!);
        const years = yearsToExpiry(parsed.expiryMs, Date.parse(row.timestamp!));
        const forward = Number(row.futures_price);
        const vol = Number(row.implied_volatility); // decimal in these files
        const g = toDeribitDisplay(black76Greeks(forward, parsed.strike, years, vol, parsed.isCall), forward);
        const error = Math.abs(g.delta - Number(row.delta));
        deltaErrors.push(error);
        vegaErrors.push(Math.abs(g.vega / Number(row.vega) - 1));
        worst.push({ error, days: years * 365, name: row.instrument_name! });
        const iv = impliedVolBlack76(Number(row.mark_price) * forward, forward, parsed.strike, years, parsed.isCall);
        if (iv.reason === IvReason.Ok) ivErrors.push(Math.abs(iv.vol - vol));
      }
      const median = quantile(deltaErrors, 0.5);
      const p95 = quantile(deltaErrors, 0.95);
      expect(median).toBeLessThan(0.001);
      expect(p95).toBeLessThan(snapshot.p95);
      // Which rows differ: every row off by more than 0.005 expires within 7 days (mostly within 3), near the
      // money. The collector stamped all rows with the run's start time while it fetched tickers one by one
      // for minutes, and the underlying moved meanwhile; short-dated at-the-money deltas move most per USD
      // (gamma), e.g. ETH-3JAN26-3000-P at 0.95 days: ours -0.3188 vs Deribit -0.3012.
      const large = worst.filter((w) => w.error > 0.005);
      expect(large.every((w) => w.days < 7)).toBe(true);
      // Vega agrees to ~0.2 % (median relative), IV from mark price to the printed 1e-4 (median).
      expect(quantile(vegaErrors, 0.5)).toBeLessThan(0.005);
      expect(quantile(ivErrors, 0.5)).toBeLessThan(2e-4);
    });
  }
});
