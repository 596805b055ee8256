/**
 * `gammadesk analyze FILE`: a Tardis `options_chain` CSV (plain or .gz) → per-instrument implied vols and
 * greeks as of a time. Streams: only the latest row per symbol is kept (memory bounded by the chain, not the
 * file; lines by 1 MiB, lineReader.ts). Bad rows are reported with their line number and reason and skipped: the
 * same checks as `gammadesk import` — the row parser, the symbol cross-checked against its type, strike and
 * expiration columns, and the event rules of core/market/validate.ts (a mark IV of 0, a negative open interest
 * are bad rows, not quotes).
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { analyzeChain, updateLatestQuote, type AnalyzedInstrument } from '../core/pricing/analyze';
import { OptionsChainCsvError, parseOptionsChainHeader, parseOptionsChainRow, type OptionsChainRow } from '../feeds/tardis/optionsChainCsv';
import { readLines, MAX_LINE_BYTES } from '../feeds/tardis/lineReader';
import { checkOptionsChainRow, NOT_TARDIS, optionsChainTicker, readHeader, TardisRowError } from '../feeds/tardis/tardisRows';
import { capReason } from '../core/market/validate';
import { InstrumentNameError, parseInstrumentName } from '../core/pricing/instrument';
import { chainsFromQuotes, gexReport, type GexReport } from './gex';
import { ProgressBar } from './progress';

/** One output record, in Deribit's display units (see UNITS). */
export interface AnalyzeRecord {
  symbol: string;
  currency: string;
  expiry: string;
  strike: number;
  type: 'call' | 'put';
  forward: number | null;
  years: number;
  iv_mark: number | null;
  iv_bid: number | null;
  iv_ask: number | null;
  price_usd: number | null;
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  rho: number | null;
  vanna: number | null;
  volga: number | null;
  charm: number | null;
  coin_delta: number | null;
  /** `ok`, or why some numbers are missing (`expired`, `iv_mark: time_value_lost`, …). */
  status: string;
  deribit_mark_iv: number | null;
  quote_age_ms: number;
}

export const UNITS = {
  forward: 'USD (the expiry forward, Deribit underlying_price)',
  years: 'ACT/365 years from as_of to expiry at 08:00 UTC',
  iv: 'decimal (0.55 = 55 %); iv_mark recomputed from mark_price, iv_bid/iv_ask from bid/ask, at the quote time',
  price_usd: 'Black-76 value at as_of with Deribit mark IV, USD',
  delta: 'N(d1) for calls, N(d1) - 1 for puts (not premium-adjusted)',
  gamma: 'per USD',
  vega: 'USD per 1 vol point',
  theta: 'USD per calendar day',
  rho: 'USD per 1 % rate',
  vanna: 'delta per 1 vol point',
  volga: 'vega (USD per vol point) per 1 vol point',
  charm: 'delta per calendar day',
  coin_delta: 'delta of the coin P&L of an inverse option: delta - mark price in coin',
  quote_age_ms: 'as_of minus the quote timestamp, ms',
} as const;

const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);

export function toRecord(a: AnalyzedInstrument): AnalyzeRecord {
  const problems: string[] = [];
  if (a.phase === 'expired') problems.push('expired');
  else if (a.phase === 'settling') problems.push('settling (Deribit decays delta to 0 over the last 30 minutes)');
  if (!Number.isFinite(a.forward)) problems.push('no forward (underlying_price)');
  if (!(Number.isFinite(a.deribitMarkIv) && a.deribitMarkIv > 0)) problems.push('no mark IV');
  if (a.iv.mark.reason !== 'ok' && !(a.phase === 'expired' && a.iv.mark.reason === 'expired')) problems.push(`iv_mark: ${a.iv.mark.reason}`);
  const g = a.greeks;
  return {
    symbol: a.instrument,
    currency: a.currency,
    expiry: new Date(a.expiryMs).toISOString(),
    strike: a.strike,
    type: a.optionType,
    forward: finite(a.forward),
    years: a.years,
    iv_mark: finite(a.iv.mark.vol),
    iv_bid: finite(a.iv.bid.vol),
    iv_ask: finite(a.iv.ask.vol),
    price_usd: finite(g.priceUsd),
    delta: finite(g.delta),
    gamma: finite(g.gamma),
    vega: finite(g.vega),
    theta: finite(g.theta),
    rho: finite(g.rho),
    vanna: finite(g.vanna),
    volga: finite(g.volga),
    charm: finite(g.charm),
    coin_delta: finite(g.deltaPremiumAdjusted),
    status: problems.length === 0 ? 'ok' : problems.join('; '),
    deribit_mark_iv: finite(a.deribitMarkIv),
    quote_age_ms: a.quoteAgeMs,
  };
}

export interface AnalyzeReport {
  file: string;
  as_of: string;
  rows_read: number;
  bad_rows: number;
  /** The first bad rows (up to 100) with line number and reason. */
  bad_row_samples: { line: number; reason: string }[];
  /** Symbols that are not inverse or linear Deribit options. */
  skipped: { symbol: string; reason: string }[];
  units: typeof UNITS;
  instruments: AnalyzeRecord[];
  /** Dealer gamma exposure per currency (BTC, ETH). */
  gex: Record<string, GexReport>;
}

export async function analyzeFile(options: {
  file: string;
  atMs?: number;
  progress?: boolean;
  dealer?: 'naive' | 'short';
  dynamics?: 'stickyStrike' | 'stickyMoneyness';
}): Promise<AnalyzeReport> {
  const path = resolve(options.file);
  if (!existsSync(path)) throw new Error(`cannot read ${path}: no such file`);
  const bar = options.progress ? new ProgressBar(`analyze ${basename(path)}`) : null;
  const latest = new Map<string, OptionsChainRow>();
  const badSamples: { line: number; reason: string }[] = [];
  let badRows = 0;
  let rowsRead = 0;
  let lastTimestamp = -Infinity;
  let layout: ReturnType<typeof parseOptionsChainHeader> | null = null;
  const limit = options.atMs ?? Infinity;
  const badRow = (line: number, reason: string): void => {
    badRows++;
    if (badSamples.length < 100) badSamples.push({ line, reason: capReason(reason) });
  };
  for await (const { lineNumber, text, tooLongBytes } of readLines(path, { onProgress: (read, total) => bar?.update(read / total, `${rowsRead} rows`) })) {
    if (layout === null) {
      layout = optionsChainHeader(path, tooLongBytes === undefined ? text : null, lineNumber);
      continue;
    }
    if (tooLongBytes !== undefined) {
      badRow(lineNumber, `line of ${tooLongBytes} bytes is longer than the ${MAX_LINE_BYTES} bytes a row may have`);
      continue;
    }
    let row: OptionsChainRow | null;
    try {
      row = parseOptionsChainRow(text, layout, lineNumber);
      if (row !== null) checkRow(row);
    } catch (error) {
      if (error instanceof OptionsChainCsvError) badRow(lineNumber, error.detail);
      else if (error instanceof TardisRowError) badRow(lineNumber, error.reason);
      else throw error;
      continue;
    }
    if (row === null) continue;
    rowsRead++;
    if (row.timestampMs <= limit && row.timestampMs > lastTimestamp) lastTimestamp = row.timestampMs;
    updateLatestQuote(latest, row, limit);
  }
  if (layout === null) throw new Error(`${path} is empty`);
  if (latest.size === 0) {
    throw new Error(options.atMs !== undefined ? `no rows at or before ${new Date(options.atMs).toISOString()}` : 'no readable rows in the file');
  }
  // Default as-of: the last time in the file.
  const asOfMs = options.atMs ?? lastTimestamp;
  const result = analyzeChain(latest.values(), asOfMs);
  bar?.done(`${rowsRead} rows, ${latest.size} instruments, ${badRows} bad rows`);
  return {
    file: path,
    as_of: new Date(asOfMs).toISOString(),
    rows_read: rowsRead,
    bad_rows: badRows,
    bad_row_samples: badSamples,
    skipped: result.skipped.map((s) => ({ symbol: s.instrument, reason: s.reason })),
    units: UNITS,
    instruments: result.instruments.map(toRecord),
    gex: Object.fromEntries(
      [...chainsFromQuotes(latest.values(), asOfMs, options.dealer ?? 'naive')].map(([currency, c]) => [
        currency,
        gexReport(c.chain, { currency, expiries: c.expiries, convention: options.dealer ?? 'naive', spotSource: c.spotSource, ...(options.dynamics ? { dynamics: options.dynamics } : {}) }),
      ]),
    ),
  };
}

/**
 * The header of an options_chain file, or an error that names the file and which Tardis type it is instead, and
 * never echoes the line (the file may be anything). `text` is null for a header line too long to read.
 */
function optionsChainHeader(path: string, text: string | null, lineNumber: number): ReturnType<typeof parseOptionsChainHeader> {
  if (text === null) throw new Error(`${basename(path)}: ${NOT_TARDIS}`);
  try {
    return parseOptionsChainHeader(text, lineNumber);
  } catch (error) {
    if (!(error instanceof OptionsChainCsvError)) throw error;
    let kind: string;
    try {
      kind = readHeader(text).kind;
    } catch (notTardis) {
      throw new Error(`${basename(path)}: ${NOT_TARDIS}`, { cause: notTardis });
    }
    throw new Error(`${basename(path)}: a Tardis ${kind} file, not options_chain (${error.detail})`, { cause: error });
  }
}

/**
 * The checks `gammadesk import` runs on an options_chain row (tardisRows.ts): its symbol against its columns, and
 * the option ticker it stands for against the event rules. Symbols that are not Deribit options are left to
 * analyzeChain, which lists them as skipped.
 * @throws TardisRowError with the reason.
 */
function checkRow(row: OptionsChainRow): void {
  let parsed;
  try {
    parsed = parseInstrumentName(row.symbol);
  } catch (error) {
    if (error instanceof InstrumentNameError) return;
    throw error;
  }
  if (parsed.kind !== 'option') return;
  checkOptionsChainRow(row, parsed);
  optionsChainTicker(row, parsed.name);
}

const CSV_FIELDS: (keyof AnalyzeRecord)[] = [
  'symbol', 'currency', 'expiry', 'strike', 'type', 'forward', 'years', 'iv_mark', 'iv_bid', 'iv_ask', 'price_usd', 'delta', 'gamma',
  'vega', 'theta', 'rho', 'vanna', 'volga', 'charm', 'coin_delta', 'status', 'deribit_mark_iv', 'quote_age_ms',
];

export function toCsv(records: readonly AnalyzeRecord[]): string {
  const escape = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [CSV_FIELDS.join(','), ...records.map((r) => CSV_FIELDS.map((f) => escape(r[f])).join(','))].join('\n') + '\n';
}
