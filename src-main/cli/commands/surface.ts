/**
 * `gammadesk surface FILE`: the volatility surface of a chain file (feeds/chainFile.ts: a Tardis options_chain CSV
 * or a Deribit full-chain snapshot) per currency and expiry: the raw SVI parameters of each fitted slice
 * (a, b, rho, m, sigma; total variance over k = ln(K/F); SSVI slices converted to raw), the fit's errors against
 * the mark IVs, ATM IV, 25-delta risk reversal and butterfly, and both arbitrage checks.
 */
import { UsageError } from '../args';
import { parsed, type CommandTable } from '../command';
import { parseTime } from '../progress';
import { readChainFile, type ChainCurrency } from '../../feeds/chainFile';
import { yearsToExpiry } from '../../core/pricing/time';
import { fitSurface, SURFACE_MODELS, type SliceReport, type SurfaceFit, type SurfaceModel } from '../../core/surface/fit';
import type { ExpiryMarket, FitTarget, FitWeighting } from '../../core/surface/slices';

/** One currency's expiries as the surface fit takes them, at the as-of time (forward: the expiry's median). */
export function expiryMarkets(currency: ChainCurrency, asOfMs: number): ExpiryMarket[] {
  const byExpiry = new Map<number, ExpiryMarket & { quotes: ExpiryMarket['quotes'][number][] }>();
  for (const option of currency.options) {
    let market = byExpiry.get(option.expiryMs);
    if (market === undefined) {
      market = {
        label: option.instrument.expiryCode,
        expiryMs: option.expiryMs,
        years: yearsToExpiry(option.expiryMs, asOfMs),
        forward: currency.forwards.get(option.expiryMs)!,
        quotes: [],
      };
      byExpiry.set(option.expiryMs, market);
    }
    market.quotes.push({ name: option.name, strike: option.strike, isCall: option.isCall, bidIv: option.bidIv, askIv: option.askIv, markIv: option.markIv });
  }
  return [...byExpiry.values()];
}

export interface SurfaceReport {
  file: string;
  layout: string;
  as_of: string;
  model: SurfaceModel;
  target: FitTarget;
  weighting: FitWeighting;
  rows_read: number;
  bad_rows: number;
  bad_row_samples: { line: number; reason: string }[];
  units: typeof SURFACE_UNITS;
  currencies: Record<string, { shared: SurfaceFit['shared']; expiries: ReturnType<typeof expiryRecord>[] }>;
}

export const SURFACE_UNITS = {
  years: 'ACT/365 years from as_of to expiry at 08:00 UTC',
  forward: 'USD, the expiry forward (median of its rows)',
  svi: 'raw SVI: total implied variance w(k) = a + b (rho (k - m) + sqrt((k - m)^2 + sigma^2)), k = ln(K/F)',
  errors: 'vol points (1 = 1 % vol): mark IV minus fitted IV, root mean square; delta5 = strikes between the 5-delta put and call',
  iv: 'decimal (0.55 = 55 %)',
  arbitrage: 'k-intervals where Durrleman g(k) < 0 (butterfly) or total variance falls below the previous expiry (calendar), on k in [-3, 3]',
  residual_half_widths: '(mid IV - fitted IV) / half the bid/ask IV width',
} as const;

const round = (value: number | null | undefined, digits: number): number | null =>
  value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toPrecision(digits));

function expiryRecord(slice: SliceReport, withResiduals: boolean) {
  const p = slice.params;
  return {
    label: slice.label,
    expiry: new Date(slice.expiryMs).toISOString(),
    years: round(slice.years, 8),
    forward: round(slice.forward, 10),
    strikes_fitted: slice.points,
    status: slice.reason ?? 'ok',
    svi: p === null ? null : { a: round(p.a, 8), b: round(p.b, 8), rho: round(p.rho, 8), m: round(p.m, 8), sigma: round(p.sigma, 8) },
    ssvi: slice.ssvi === null ? null : { theta: round(slice.ssvi.theta, 8), rho: round(slice.ssvi.rho, 8), phi: round(slice.ssvi.phi, 8) },
    errors: slice.errors === null ? null : {
      rmse_delta5: round(slice.errors.rmseDelta5, 4),
      strikes_delta5: slice.errors.countDelta5,
      max_abs_delta5: round(slice.errors.maxAbsDelta5, 4),
      rmse_all: round(slice.errors.rmseAll, 4),
      strikes_all: slice.errors.countAll,
    },
    atm_iv: round(slice.summary?.atmIv, 6),
    atm_variance: round(slice.summary?.atmVariance, 6),
    rr25: round(slice.summary?.riskReversal25, 6),
    bf25: round(slice.summary?.butterfly25, 6),
    arbitrage: {
      butterfly: slice.butterfly.map((v) => ({ k_from: round(v.kFrom, 4), k_to: round(v.kTo, 4), min_g: round(v.worst, 4) })),
      calendar: slice.calendar.map((v) => ({ k_from: round(v.kFrom, 4), k_to: round(v.kTo, 4), min_dw: round(v.worst, 4) })),
      lee: slice.lee,
    },
    ...(withResiduals ? {
      residuals: slice.residuals.map((r) => ({
        instrument: r.name,
        k: round(r.k, 6),
        fitted_iv: round(r.fittedIv, 6),
        mark_residual: round(r.markResidualVolPoints, 4),
        residual_half_widths: round(r.residualHalfWidths, 4),
      })),
    } : {}),
  };
}

export async function surfaceFile(options: {
  file: string;
  atMs?: number;
  model: SurfaceModel;
  target: FitTarget;
  weighting: FitWeighting;
  currency?: string;
  residuals: boolean;
}): Promise<SurfaceReport> {
  const chain = await readChainFile(options.file, options.atMs === undefined ? {} : { atMs: options.atMs });
  const currencies: SurfaceReport['currencies'] = {};
  for (const [name, currency] of chain.currencies) {
    if (options.currency !== undefined && name !== options.currency) continue;
    const fit = fitSurface(expiryMarkets(currency, chain.asOfMs), { model: options.model, target: options.target, weighting: options.weighting });
    currencies[name] = { shared: fit.shared, expiries: fit.slices.map((s) => expiryRecord(s, options.residuals)) };
  }
  if (options.currency !== undefined && Object.keys(currencies).length === 0) {
    throw new Error(`no ${options.currency} options in the file (it has ${[...chain.currencies.keys()].join(', ')})`);
  }
  // The fit settings as given, then what the file held.
  const { model, target, weighting } = options;
  const badRows = { rows_read: chain.rowsRead, bad_rows: chain.badRowCount, bad_row_samples: chain.badRows };
  return { file: chain.file, layout: chain.layout, as_of: new Date(chain.asOfMs).toISOString(), model, target, weighting, ...badRows, units: SURFACE_UNITS, currencies };
}

const fixed = (value: number | null, digits: number): string => (value === null ? '-' : value.toFixed(digits));

/** The text table: one line per expiry. */
export function surfaceText(report: SurfaceReport): string {
  const lines = [`${report.layout} as of ${report.as_of}, model ${report.model}, fitted to ${report.target} IVs weighted by ${report.weighting}`];
  lines.push(`errors: ${SURFACE_UNITS.errors}`);
  for (const [currency, { shared, expiries }] of Object.entries(report.currencies)) {
    lines.push('');
    const sharedText = shared === null ? '' : `  (eta ${shared.eta.toFixed(4)}, gamma ${shared.gamma.toFixed(4)}${shared.rho === null ? '' : `, rho ${shared.rho.toFixed(4)}`})`;
    lines.push(`${currency}${sharedText}`);
    lines.push('  expiry     T(y)      forward         a         b       rho         m     sigma  rmse5(n)    rmseAll  atmIV   rr25    bf25  arbitrage');
    for (const e of expiries) {
      if (e.svi === null) {
        lines.push(`  ${e.label.padEnd(8)} ${fixed(e.years, 5).padStart(7)} ${fixed(e.forward, 2).padStart(12)}  not fitted: ${e.status}`);
        continue;
      }
      const arbitrage = [
        e.arbitrage.butterfly.length > 0 ? `butterfly ${e.arbitrage.butterfly.map((v) => `[${v.k_from},${v.k_to}]`).join(' ')}` : '',
        e.arbitrage.calendar.length > 0 ? `calendar ${e.arbitrage.calendar.map((v) => `[${v.k_from},${v.k_to}]`).join(' ')}` : '',
        e.arbitrage.lee ?? '',
      ].filter((text) => text !== '').join('; ') || 'none';
      lines.push(
        `  ${e.label.padEnd(8)} ${fixed(e.years, 5).padStart(7)} ${fixed(e.forward, 2).padStart(12)} ${fixed(e.svi.a, 5).padStart(9)} ${fixed(e.svi.b, 5).padStart(9)} ` +
        `${fixed(e.svi.rho, 4).padStart(9)} ${fixed(e.svi.m, 5).padStart(9)} ${fixed(e.svi.sigma, 5).padStart(9)} ` +
        `${`${fixed(e.errors?.rmse_delta5 ?? null, 3)}(${e.errors?.strikes_delta5 ?? 0})`.padStart(9)} ${fixed(e.errors?.rmse_all ?? null, 3).padStart(10)} ` +
        `${fixed(e.atm_iv === null ? null : e.atm_iv * 100, 1).padStart(6)} ${fixed(e.rr25 === null ? null : e.rr25 * 100, 2).padStart(6)} ${fixed(e.bf25 === null ? null : e.bf25 * 100, 2).padStart(7)}  ${arbitrage}`,
      );
    }
  }
  if (report.bad_rows > 0) lines.push('', `${report.bad_rows} bad rows skipped (listed on stderr)`);
  return lines.join('\n');
}

function oneOf<T extends string>(flag: string, value: string | boolean | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be ${allowed.join(', ')}; got ${String(value)}`);
  }
  return value as T;
}

/** The flags of `surface` and what each does (all take a value but --residuals). */
const SURFACE_FLAGS: Record<string, string> = {
  at: 'as-of time (ISO 8601 or epoch ms): the latest row per option at or before it (default: the last time in the file)',
  model: 'svi (default: raw SVI per expiry, quasi-explicit), ssvi or essvi (arbitrage-free across expiries by construction)',
  format: 'text (default: a table per currency) or json (everything, with the units)',
  target: 'bidask (default: the middle of the bid/ask IVs, mark IV where one side is missing) or mark',
  weights: 'spread (default: 1/half-width^2 of the bid/ask IVs) or vega',
  currency: 'only this currency (default: every currency in the file)',
  residuals: "JSON only: add each option's residual to the fitted surface (vol points and bid/ask half-widths)",
};

export const SURFACE_COMMANDS: CommandTable = {
  surface: {
    summary: 'volatility surface of a chain file: raw SVI per expiry (or SSVI/eSSVI), fit errors, arbitrage checks',
    usage: 'gammadesk surface FILE [--at ISO-TIME] [--model svi|ssvi|essvi] [--format text|json] [--target bidask|mark] [--weights spread|vega] [--currency BTC|ETH] [--residuals]',
    flags: Object.fromEntries(Object.entries(SURFACE_FLAGS).map(([name, description]) => [name, { type: name === 'residuals' ? 'boolean' : 'string', description }])),
    async run({ positionals, flags }) {
      if (positionals.length !== 1) throw new UsageError(`surface needs exactly one FILE, got ${positionals.length}`);
      const model = oneOf('model', flags['model'], SURFACE_MODELS, 'svi');
      const format = oneOf('format', flags['format'], ['text', 'json'] as const, 'text');
      const target = oneOf('target', flags['target'], ['bidask', 'mark'] as const, 'bidask');
      const weighting = oneOf('weights', flags['weights'], ['spread', 'vega'] as const, 'spread');
      if (flags['residuals'] === true && format !== 'json') throw new UsageError('--residuals needs --format json');
      const atMs = typeof flags['at'] === 'string' ? parsed('at', parseTime, flags['at']) : undefined;
      const report = await surfaceFile({
        file: positionals[0]!,
        model,
        target,
        weighting,
        residuals: flags['residuals'] === true,
        ...(atMs === undefined ? {} : { atMs }),
        ...(typeof flags['currency'] === 'string' ? { currency: flags['currency'] } : {}),
      });
      for (const bad of report.bad_row_samples) console.error(`${positionals[0]}:${bad.line}: skipped: ${bad.reason}`);
      if (report.bad_rows > report.bad_row_samples.length) console.error(`… ${report.bad_rows - report.bad_row_samples.length} more bad rows`);
      console.log(format === 'json' ? JSON.stringify(report, null, 2) : surfaceText(report));
      return 0;
    },
  },
};
