/**
 * `gammadesk risk` (scenario matrix + PM margin + distance to a margin call) and `gammadesk margin` (the PM
 * replica's vectors, add-ons, IM and MM, and the standard-margin alternative) for a positions CSV against a chain
 * file (feeds/chainFile.ts).
 *
 * The market a chain file gives: options at their row's mark, mark IV and forward; dated futures at the chain's
 * forward of their expiry (Deribit's options of an expiry are priced on that future or its synthetic); perpetuals
 * at the index. The index is the file's `index_price` (median); the Tardis options_chain layout has none, and then
 * the forward of the nearest expiry stands in for it (said in `notes`).
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { intFlag, UsageError, type FlagSpec, type ParsedArgs } from '../args';
import { parsed, readTextFile, type CommandTable } from '../command';
import { parseTime } from '../progress';
import { BookCsvHeaderError, parseBookCsv } from '../../core/book/csv';
import type { BookMarket, BookQuote } from '../../core/book/valuation';
import type { Currency } from '../../core/market/events';
import { readChainFile, type ChainSnapshot } from '../../feeds/chainFile';
import { distanceToMarginCall, type MarginCallDistance } from '../../core/risk/marginCall';
import { largestDailyMoves, parseDailyCloseCsv, type DailyClose, type HistoricalScenario } from '../../core/risk/historical';
import { pmBook, positionVector, type PmMargin } from '../../core/risk/pm';
import { PM_PARAMS, PmParamsError, pmParamsFromModelParams, pmParamsWith, type DeribitModelParams, type PmParams } from '../../core/risk/pmParams';
import { riskPositions, type RiskPosition } from '../../core/risk/riskPosition';
import { DEFAULT_SPOT_MOVES, DEFAULT_VOL_SHIFTS, defaultTimes, scenarioMatrix, scenarioRecords, smileKey, type ScenarioTime, type Smile } from '../../core/risk/scenario';
import { standardMargin } from '../../core/risk/standardMargin';
import { PmCompareError, pmExtrasOf } from '../../core/risk/pmCompare';
import { comparePm, comparisonJson, comparisonText, loadPmeResponse, responseMarket } from './marginCompare';
import { fitSurface, sliceTotalVariance } from '../../core/surface/fit';
import { expiryMarkets } from './surface';
import { MS_PER_DAY } from '../../core/units';

const CURRENCIES: Currency[] = ['BTC', 'ETH'];

/** A comma-separated list of numbers; the error names the item. */
export function parseNumberList(text: string): number[] {
  const items = text.split(',').map((s) => s.trim());
  return items.map((item) => {
    const value = Number(item);
    if (item === '' || !Number.isFinite(value)) throw new RangeError(`"${item}" is not a number (expected a comma-separated list such as -0.1,0,0.1)`);
    return value;
  });
}

interface LoadedBook {
  snapshot: ChainSnapshot;
  market: BookMarket;
  indexUsd: Partial<Record<Currency, number>>;
  positions: RiskPosition[];
  skipped: { instrument: string; reason: string }[];
  badRows: { line: number; reason: string }[];
  rows: number;
  notes: string[];
}

function chainMarket(snapshot: ChainSnapshot, notes: string[]): { market: BookMarket; indexUsd: Partial<Record<Currency, number>> } {
  const quotes = new Map<string, BookQuote>();
  const indexUsd: Partial<Record<Currency, number>> = {};
  for (const currency of CURRENCIES) {
    const chain = snapshot.currencies.get(currency);
    if (!chain) continue;
    for (const option of chain.options) {
      if (option.mark !== null) quotes.set(option.name, { markPrice: option.mark, markIv: option.markIv, forwardUsd: option.forwardUsd });
    }
    if (chain.indexUsd !== null) indexUsd[currency] = chain.indexUsd;
    else {
      const nearest = [...chain.forwards.entries()].filter(([expiry]) => expiry > snapshot.asOfMs).sort((a, b) => a[0] - b[0])[0];
      if (nearest) {
        indexUsd[currency] = nearest[1];
        notes.push(`${currency}: the chain file has no index price; the forward of the nearest expiry (${nearest[1]}) stands in for it`);
      }
    }
  }
  const market: BookMarket = {
    nowMs: snapshot.asOfMs,
    indexUsd: (currency) => indexUsd[currency] ?? null,
    quote(instrument) {
      const option = quotes.get(instrument);
      if (option) return option;
      const match = /^(BTC|ETH)-(PERPETUAL|\d{1,2}[A-Z]{3}\d{2})$/.exec(instrument);
      if (!match) return null;
      const currency = match[1] as Currency;
      if (match[2] === 'PERPETUAL') {
        const index = indexUsd[currency];
        return index === undefined ? null : { markPrice: index, markIv: null, forwardUsd: null };
      }
      return null;
    },
  };
  return { market, indexUsd };
}

/** `override`: an index per currency and delta-one marks (USD) that replace the chain file's (`margin --compare`). */
async function loadBook(flags: ParsedArgs['flags'], override?: { indexUsd: Partial<Record<Currency, number>>; marks: Record<string, number> }): Promise<LoadedBook> {
  const positionsFile = flags['positions'];
  const chainFile = flags['chain'];
  if (typeof positionsFile !== 'string') throw new UsageError('--positions FILE.csv is required');
  if (typeof chainFile !== 'string') throw new UsageError('--chain FILE is required (a Tardis options_chain CSV or a Deribit chain snapshot CSV)');
  const atMs = typeof flags['at'] === 'string' ? parsed('at', parseTime, flags['at']) : undefined;
  const text = readTextFile(positionsFile);
  let book;
  try {
    book = parseBookCsv(text);
  } catch (error) {
    if (error instanceof BookCsvHeaderError) throw new Error(`${basename(positionsFile)}: ${error.message}`, { cause: error });
    throw error;
  }
  const snapshot = await readChainFile(chainFile, atMs !== undefined ? { atMs } : {});
  const notes: string[] = [];
  const chainView = chainMarket(snapshot, notes);
  const indexUsd = { ...chainView.indexUsd, ...override?.indexUsd };
  const market: BookMarket = {
    ...chainView.market,
    indexUsd: (currency) => indexUsd[currency] ?? null,
    quote: (instrument) => {
      const mark = override?.marks[instrument];
      return mark !== undefined ? { markPrice: mark, markIv: null, forwardUsd: null } : chainView.market.quote(instrument);
    },
  };
  // Dated futures: the chain's forward of their expiry.
  const futureQuote = (instrument: string): BookQuote | null => {
    const position = book.positions.find((p) => p.instrument === instrument);
    if (!position || position.parsed.kind !== 'future') return null;
    const chain = snapshot.currencies.get(position.currency);
    const forward = chain?.forwards.get(position.parsed.expiryMs);
    return forward === undefined ? null : { markPrice: forward, markIv: null, forwardUsd: null };
  };
  const withFutures: BookMarket = { ...market, quote: (instrument) => market.quote(instrument) ?? futureQuote(instrument) };
  const { positions, skipped } = riskPositions(book.positions, withFutures);
  for (const p of book.positions) {
    if (override?.marks[p.instrument] !== undefined) notes.push(`${p.instrument}: marked at the compared response's ticker mark price ${override.marks[p.instrument]}`);
    else if (p.parsed.kind === 'future' && !skipped.some((s) => s.instrument === p.instrument)) notes.push(`${p.instrument}: marked at the chain's forward of its expiry`);
  }
  return { snapshot, market: withFutures, indexUsd, positions, skipped, badRows: book.errors, rows: book.rows, notes };
}

function reportProblems(file: string, loaded: LoadedBook): void {
  for (const bad of loaded.badRows) console.error(`${file}:${bad.line}: skipped: ${bad.reason}`);
  for (const s of loaded.skipped) console.error(`${s.instrument}: not revalued: ${s.reason}`);
  for (const bad of loaded.snapshot.badRows) console.error(`${basename(loaded.snapshot.file)}:${bad.line}: skipped: ${bad.reason}`);
}

/** `--params FILE.json`: pme/simulate's `model_params` object, or `{ "BTC": { "priceRange": 0.14, … } }`. */
function loadParams(flags: ParsedArgs['flags']): Record<Currency, PmParams> {
  const file = flags['params'];
  if (typeof file !== 'string') return { BTC: { ...PM_PARAMS.BTC }, ETH: { ...PM_PARAMS.ETH } };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--params ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`--params ${file}: expected a JSON object`);
  try {
    if ('currency_pair' in json || 'general' in json) {
      return { BTC: pmParamsFromModelParams(json as DeribitModelParams, 'BTC'), ETH: pmParamsFromModelParams(json as DeribitModelParams, 'ETH') };
    }
    const overrides = json as Record<string, unknown>;
    for (const key of Object.keys(overrides)) if (key !== 'BTC' && key !== 'ETH') throw new PmParamsError(`unknown currency "${key}" (expected BTC or ETH)`);
    return {
      BTC: pmParamsWith(PM_PARAMS.BTC, (overrides['BTC'] ?? {}) as Partial<PmParams>),
      ETH: pmParamsWith(PM_PARAMS.ETH, (overrides['ETH'] ?? {}) as Partial<PmParams>),
    };
  } catch (error) {
    if (error instanceof PmParamsError) throw new Error(`--params ${file}: ${error.message}`, { cause: error });
    throw error;
  }
}

function marginSummary(margin: PmMargin): Record<string, unknown> {
  return {
    initial_margin: margin.initialMargin,
    maintenance_margin: margin.maintenanceMargin,
    risk_matrix_margin: margin.riskMatrixMargin,
    worst_case: margin.worstCase,
    worst_case_bucket: margin.worstCaseBucket,
    roll_shock: margin.rollShock,
    delta_shock: margin.deltaShock,
  };
}

function currenciesOf(positions: readonly RiskPosition[]): Currency[] {
  return CURRENCIES.filter((c) => positions.some((p) => p.currency === c));
}

function smilesOf(snapshot: ChainSnapshot): Map<string, Smile> {
  const smiles = new Map<string, Smile>();
  for (const [currency, chain] of snapshot.currencies) {
    const byExpiry = new Map<number, Map<number, number[]>>();
    for (const option of chain.options) {
      if (option.markIv === null) continue;
      const strikes = byExpiry.get(option.expiryMs) ?? new Map<number, number[]>();
      const list = strikes.get(option.strike) ?? [];
      list.push(option.markIv);
      strikes.set(option.strike, list);
      byExpiry.set(option.expiryMs, strikes);
    }
    for (const [expiry, strikes] of byExpiry) {
      const sorted = [...strikes.entries()].sort((a, b) => a[0] - b[0]);
      smiles.set(smileKey(currency, expiry), { strikes: sorted.map(([k]) => k), vols: sorted.map(([, v]) => v.reduce((a, b) => a + b, 0) / v.length) });
    }
  }
  return smiles;
}

/**
 * `--vol-dynamics surface`: each expiry's smile from the fitted raw-SVI surface (core/surface, decision 0012),
 * sampled on a dense log-moneyness grid; the scenario then moves vols as sticky moneyness on the fitted smile.
 */
function surfaceSmiles(snapshot: ChainSnapshot, notes: string[]): Map<string, Smile> {
  const smiles = new Map<string, Smile>();
  for (const [currency, chain] of snapshot.currencies) {
    const fit = fitSurface(expiryMarkets(chain, snapshot.asOfMs), { model: 'svi' });
    for (const slice of fit.slices) {
      if (slice.params === null) {
        notes.push(`${currency} ${slice.label}: no fitted smile (${slice.reason ?? 'not fitted'}), sticky strike used`);
        continue;
      }
      const w = sliceTotalVariance(slice);
      const strikes: number[] = [];
      const vols: number[] = [];
      for (let k = -2; k <= 2 + 1e-9; k += 0.02) {
        const variance = w(k);
        if (!(variance > 0)) continue;
        strikes.push(slice.forward * Math.exp(k));
        vols.push(Math.sqrt(variance / slice.years));
      }
      smiles.set(smileKey(currency, slice.expiryMs), { strikes, vols });
    }
  }
  return smiles;
}

/** `--equity BTC:5,ETH:20` → coin equity per currency. */
export function parseEquity(text: string): Partial<Record<Currency, number>> {
  const result: Partial<Record<Currency, number>> = {};
  for (const item of text.split(',')) {
    const [currency, amount] = item.split(':').map((s) => s.trim());
    if (currency !== 'BTC' && currency !== 'ETH') throw new RangeError(`"${item}": expected CURRENCY:AMOUNT with BTC or ETH, e.g. BTC:5`);
    const value = Number(amount);
    if (amount === undefined || amount === '' || !Number.isFinite(value)) throw new RangeError(`"${item}": the amount is not a number`);
    result[currency] = value;
  }
  return result;
}

/** `--history FILE [--dvol FILE] [--history-count N]`: the largest daily moves of the history. */
function loadHistory(flags: ParsedArgs['flags']): HistoricalScenario[] | null {
  const file = flags['history'];
  if (typeof file !== 'string') {
    if (flags['dvol'] !== undefined || flags['history-count'] !== undefined || flags['history-since'] !== undefined) throw new UsageError('--dvol, --history-count and --history-since need --history FILE');
    return null;
  }
  const count = intFlag(flags, 'history-count', { min: 1, max: 50 }) ?? 5;
  const since = flags['history-since'];
  if (since !== undefined && (typeof since !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(since))) throw new UsageError(`--history-since must be a date YYYY-MM-DD, got ${String(since)}`);
  const read = (path: string): DailyClose[] => {
    const text = readTextFile(path);
    let parsedFile;
    try {
      parsedFile = parseDailyCloseCsv(text);
    } catch (error) {
      throw new Error(`${basename(path)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    for (const bad of parsedFile.errors) console.error(`${path}:${bad.line}: skipped: ${bad.reason}`);
    return parsedFile.closes;
  };
  const dvol = typeof flags['dvol'] === 'string' ? read(flags['dvol']) : [];
  return largestDailyMoves(read(file), dvol, count, since);
}

/** Each historical day's move (and vol move, where known) applied to today's book, per currency and in USD. */
function historicalPnl(loaded: LoadedBook, scenarios: readonly HistoricalScenario[]): Record<string, unknown>[] {
  return scenarios.map((h) => {
    const matrix = scenarioMatrix(loaded.positions, loaded.indexUsd, loaded.snapshot.asOfMs, {
      spotMoves: [h.spotMove], volShifts: [(h.volShiftPoints ?? 0) * 0.01], times: [{ label: 'now', elapsedMs: 0 }], volShiftMode: 'absolute', volDynamics: 'sticky-strike',
    });
    return {
      date: h.date,
      spot_move: h.spotMove,
      vol_shift_points: h.volShiftPoints,
      vol_reason: h.volReason,
      ...Object.fromEntries(matrix.currencies.map((m) => [m.currency, { pnl_usd: m.pnlUsd[0], pnl_coin: m.pnlCoin[0] }])),
      total_usd: matrix.totalUsd[0],
    };
  });
}

function side(s: MarginCallDistance['down']): { move: number | null; index_usd: number | null; reason: string | null } {
  return { move: s.move, index_usd: s.indexUsd, reason: s.reason };
}

/** The flags both commands take: the book, the chain file, the as-of time and the PM parameters. */
const BOOK_FLAGS: Record<string, FlagSpec> = {
  positions: { type: 'string', description: 'the book: CSV with instrument,quantity,average_price,price_currency' },
  chain: { type: 'string', description: 'a chain file: Tardis options_chain CSV (.gz) or a Deribit chain snapshot CSV' },
  at: { type: 'string', description: 'as-of time in the chain file (default: its last quote)' },
  params: { type: 'string', description: 'PM parameters: pme/simulate model_params JSON, or {"BTC": {"priceRange": 0.14}} overrides' },
};

export const riskCommands: CommandTable = {
  risk: {
    summary: 'scenario matrix (spot × vol × time, P&L in USD and coin) and PM margin of a positions CSV on a chain file',
    usage:
      'gammadesk risk --positions FILE.csv --chain FILE [--at ISO-TIME] [--spot-grid -0.3,…,0.3] [--vol-grid -20,…,20] [--days 0,1,…]\n' +
      '       [--vol-shift absolute|term-scaled] [--vol-dynamics sticky-strike|sticky-moneyness|surface] [--equity BTC:5,ETH:20] [--params FILE.json] [--format json|csv]\n' +
      '       [--history DAILY.csv [--dvol DVOL.csv] [--history-count N] [--history-since YYYY-MM-DD]]',
    flags: {
      ...BOOK_FLAGS,
      'spot-grid': { type: 'string', description: 'index moves as fractions (default -0.3,-0.2,-0.1,0,0.1,0.2,0.3)' },
      'vol-grid': { type: 'string', description: 'vol shifts in vol points (default -20,-10,0,10,20)' },
      days: { type: 'string', description: 'elapsed days (default: 0, 1 and the book\'s next expiry)' },
      'vol-shift': { type: 'string', description: 'absolute (default) or term-scaled (× √(30/days to expiry))' },
      'vol-dynamics': { type: 'string', description: 'sticky-strike (default), sticky-moneyness (the chain smile at K/(1+move)) or surface (the fitted SVI smile at K/(1+move))' },
      equity: { type: 'string', description: 'account equity in coin per currency, e.g. BTC:5,ETH:20: adds the distance to a margin call' },
      history: { type: 'string', description: 'daily closes (CSV with date and close, e.g. Deribit BTC-PERPETUAL daily): adds the largest daily moves applied to the book' },
      dvol: { type: 'string', description: 'with --history: daily DVOL closes (CSV with date and close, percent): each day\'s vol move is applied too' },
      'history-count': { type: 'string', description: 'with --history: how many of the largest moves (default 5, at most 50)' },
      'history-since': { type: 'string', description: 'with --history: only days from this date (YYYY-MM-DD), e.g. where the DVOL file starts' },
      format: { type: 'string', description: 'json (default) or csv (the matrix records only)' },
    },
    async run({ flags }) {
      const format = flags['format'] ?? 'json';
      if (format !== 'json' && format !== 'csv') throw new UsageError(`--format must be json or csv, got ${String(format)}`);
      const dynamics = flags['vol-dynamics'] ?? 'sticky-strike';
      if (dynamics !== 'sticky-strike' && dynamics !== 'sticky-moneyness' && dynamics !== 'surface') {
        throw new UsageError(`--vol-dynamics must be sticky-strike, sticky-moneyness or surface, got ${String(dynamics)}`);
      }
      const mode = flags['vol-shift'] ?? 'absolute';
      if (mode !== 'absolute' && mode !== 'term-scaled') throw new UsageError(`--vol-shift must be absolute or term-scaled, got ${String(mode)}`);
      const spotMoves = typeof flags['spot-grid'] === 'string' ? parsed('spot-grid', parseNumberList, flags['spot-grid']) : [...DEFAULT_SPOT_MOVES];
      if (spotMoves.some((m) => m <= -1)) throw new UsageError('--spot-grid: moves are fractions above -1 (-0.3 = -30 %)');
      const volPoints = typeof flags['vol-grid'] === 'string' ? parsed('vol-grid', parseNumberList, flags['vol-grid']) : DEFAULT_VOL_SHIFTS.map((v) => Math.round(v * 1e4) / 1e2);
      const days = typeof flags['days'] === 'string' ? parsed('days', parseNumberList, flags['days']) : null;
      if (days?.some((d) => d < 0)) throw new UsageError('--days: elapsed days must be ≥ 0');
      const equity = typeof flags['equity'] === 'string' ? parsed('equity', parseEquity, flags['equity']) : {};
      const params = loadParams(flags);
      const history = loadHistory(flags);
      const loaded = await loadBook(flags);
      reportProblems(String(flags['positions']), loaded);
      const nowMs = loaded.snapshot.asOfMs;
      const margins: Record<string, unknown> = {};
      const distances: MarginCallDistance[] = [];
      const notes = [...loaded.notes];
      if (history && typeof flags['dvol'] === 'string') notes.push(`historical: the vol move of ${basename(flags['dvol'])} is applied to the options of every currency`);
      // One time axis for the whole book (its next expiry is the earliest of any currency), so that the USD
      // total adds cells of the same time.
      const times: ScenarioTime[] = days === null ? defaultTimes(loaded.positions, nowMs) : days.map((d) => ({ label: `+${d}d`, elapsedMs: Math.round(d * MS_PER_DAY) }));
      const matrix = scenarioMatrix(loaded.positions, loaded.indexUsd, nowMs, {
        spotMoves, volShifts: volPoints.map((p) => p * 0.01), times, volShiftMode: mode, volDynamics: dynamics === 'sticky-strike' ? 'sticky-strike' : 'sticky-moneyness',
        ...(dynamics === 'sticky-moneyness' ? { smiles: smilesOf(loaded.snapshot) } : dynamics === 'surface' ? { smiles: surfaceSmiles(loaded.snapshot, notes) } : {}),
      });
      notes.push(...matrix.notes);
      const records = scenarioRecords(matrix);
      for (const currency of currenciesOf(loaded.positions)) {
        const own = loaded.positions.filter((p) => p.currency === currency);
        const index = loaded.indexUsd[currency]!;
        const pm = pmBook(currency, own, index, nowMs, params[currency]);
        margins[currency] = { index_usd: index, ...marginSummary(pm.margin) };
        const e = equity[currency];
        if (e !== undefined) {
          distances.push(distanceToMarginCall(currency, own, index, nowMs, params[currency], e));
          distances.push(distanceToMarginCall(currency, own, index, nowMs, params[currency], e, { volShift: 0.1 }));
        }
      }
      if (format === 'csv') {
        const header = 'currency,spot_move,vol_shift,days,pnl_usd,pnl_coin';
        process.stdout.write([header, ...records.map((r) => [r.currency, r.spot_move, r.vol_shift, r.days, r.pnl_usd, r.pnl_coin ?? ''].join(','))].join('\n') + '\n');
        return 0;
      }
      console.log(JSON.stringify({
        as_of: new Date(nowMs).toISOString(),
        chain: basename(loaded.snapshot.file),
        positions: { rows: loaded.rows, revalued: loaded.positions.length, bad_rows: loaded.badRows, not_revalued: loaded.skipped },
        vol_dynamics: dynamics,
        vol_shift_mode: mode,
        records,
        pm_margin: margins,
        ...(history ? { historical: historicalPnl(loaded, history) } : {}),
        ...(distances.length > 0 ? { distance_to_margin_call: distances.map((d) => ({ currency: d.currency, equity_coin: d.equityCoin, maintenance_margin_now: d.maintenanceMarginNow, vol_shift_points: Math.round(d.volShift * 100), down: side(d.down), up: side(d.up) })) } : {}),
        notes,
      }, null, 2));
      return 0;
    },
  },
  margin: {
    summary: "Deribit portfolio-margin replica (27 + 8 risk vectors, roll and delta shocks, IM, MM) and standard margin of a positions CSV",
    usage: 'gammadesk margin --positions FILE.csv --chain FILE [--at ISO-TIME] [--params FILE.json] [--compare PME_SIMULATE.json] [--format json|text]',
    flags: {
      ...BOOK_FLAGS,
      compare: { type: 'string', description: 'a saved private/pme/simulate response: the replica (with its model_params, index and delta-one marks) vs Deribit, per vector and for IM/MM' },
      format: { type: 'string', description: 'json (default) or text (a table per currency)' },
    },
    async run({ flags }) {
      const format = flags['format'] ?? 'json';
      if (format !== 'json' && format !== 'text') throw new UsageError(`--format must be json or text, got ${String(format)}`);
      const compare = typeof flags['compare'] === 'string' ? loadPmeResponse(flags['compare']) : null;
      const params = loadParams(flags);
      const paramsSource = typeof flags['params'] === 'string' ? `--params ${basename(String(flags['params']))}` : 'the documented table (core/risk/pmParams.ts PM_PARAMS)';
      const loaded = await loadBook(flags, compare ? responseMarket(compare) : undefined);
      reportProblems(String(flags['positions']), loaded);
      const nowMs = loaded.snapshot.asOfMs;
      const out: Record<string, unknown>[] = [];
      const text: string[] = [];
      for (const currency of currenciesOf(loaded.positions)) {
        const own = loaded.positions.filter((p) => p.currency === currency);
        const index = loaded.indexUsd[currency]!;
        const deribit = compare?.results[currency];
        const useDeribitParams = deribit?.modelParams && typeof flags['params'] !== 'string';
        const currencyParams = useDeribitParams ? pmParamsFromModelParams(deribit.modelParams!, currency) : params[currency];
        const pm = pmBook(currency, own, index, nowMs, currencyParams, deribit ? pmExtrasOf(deribit) : {});
        const m = pm.margin;
        const sm = standardMargin(currency, own, index, nowMs);
        let comparison: Record<string, unknown> | null = null;
        const compareLines: string[] = [];
        if (compare && deribit) {
          const source = useDeribitParams ? `the response's model_params (${deribit.modelParamsTimestampMs === null ? 'no timestamp' : new Date(deribit.modelParamsTimestampMs).toISOString()})` : paramsSource;
          try {
            const c = comparePm(pm, deribit);
            comparison = comparisonJson(c, compare.file, source);
            compareLines.push(...comparisonText(c));
          } catch (error) {
            if (!(error instanceof PmCompareError)) throw error;
            comparison = { response: basename(compare.file), params_source: source, reason: error.message };
            compareLines.push(`  replica vs Deribit: not compared: ${error.message}`);
          }
        } else if (compare) comparison = { response: basename(compare.file), reason: `the response has no ${currency} margins` };
        out.push({
          currency,
          index_usd: index,
          model: 'replica of Deribit S:PM; option vol shock = third-party multiplicative reading (docs/decisions/0014-margin-replica.md)',
          standard_moves: m.standardMoves,
          vol_scenarios: ['up', 'unchanged', 'down'],
          extended_moves: m.extendedMoves,
          initial_risk_vectors: Object.fromEntries(own.map((p, i) => [p.instrument, positionVector(pm, i)])),
          pre_aggregated: { standard: m.preAggregatedStandard, extended: m.preAggregatedExtended },
          aggregated: { standard: m.standard, extended: m.extended },
          ...marginSummary(m),
          params: currencyParams,
          ...(comparison ? { comparison } : {}),
          standard_margin: { initial_margin: sm.initialMargin, maintenance_margin: sm.maintenanceMargin, positions: sm.positions },
        });
        const f = (x: number): string => x.toFixed(6).padStart(11);
        text.push(`${currency}  index ${index}  positions ${own.length}  (coin P&L per scenario; vol up / unchanged / down)`);
        m.standardMoves.forEach((move, i) => text.push(`  ${(move * 100).toFixed(1).padStart(6)} %  ${f(m.standard[3 * i]!)} ${f(m.standard[3 * i + 1]!)} ${f(m.standard[3 * i + 2]!)}`));
        text.push(`  extended (vol up, dampened): ${m.extendedMoves.map((e, j) => `${e * 100}%: ${m.extended[j]!.toFixed(6)}`).join('  ')}`);
        text.push(`  worst case ${m.worstCase.toFixed(9)} (${m.worstCaseBucket.source} bucket ${m.worstCaseBucket.bucket}, ${m.worstCaseBucket.side}, vol ${m.worstCaseBucket.vol})  roll shock ${m.rollShock.toFixed(9)}  delta shock ${m.deltaShock.toFixed(9)}`);
        text.push(`  PM  IM ${m.initialMargin.toFixed(9)} ${currency}  MM ${m.maintenanceMargin.toFixed(9)} ${currency}`);
        text.push(`  SM  IM ${sm.initialMargin.toFixed(9)} ${currency}  MM ${sm.maintenanceMargin.toFixed(9)} ${currency}`);
        text.push(...compareLines);
      }
      if (format === 'text') console.log([...text, ...loaded.notes.map((n) => `note: ${n}`)].join('\n'));
      else console.log(JSON.stringify({ as_of: new Date(nowMs).toISOString(), chain: basename(loaded.snapshot.file), positions: { rows: loaded.rows, revalued: loaded.positions.length, bad_rows: loaded.badRows, not_revalued: loaded.skipped }, margins: out, notes: loaded.notes }, null, 2));
      return 0;
    },
  },
};
