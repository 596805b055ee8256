/**
 * The Risk view's what-if book, historical scenarios and payoff dates (issue 12, item 1; decision 0028).
 *
 * - `risk.whatIf`: the trader's scratch lines are checked like the real book's (BookService.lineProblem: listed,
 *   not expired, whole lots; bad lines refused by number, the rest kept), then the what-if book and the live book
 *   are revalued by the same function as the `risk` stream (engine/riskSnapshot.ts) on the same market, now. Nothing
 *   is written: no positions row, no book version, no audit row, no setting. It runs in the command, off the
 *   kernel's schedules and the publish round; its inputs are the market state and the stored settings, so the same
 *   market gives the same answer.
 * - `risk.historical`: the largest daily moves of the price history configured for the currency (the files
 *   `gammadesk risk --history/--dvol` take, named by `GAMMADESK_<CUR>_HISTORY` / `GAMMADESK_<CUR>_DVOL`; nothing is
 *   searched for), applied to the live book; without a configured file the result says so.
 * - `risk.payoffDates.set`: the payoff chart's chosen days, stored with the risk settings (RiskService).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { HistoricalResult, WhatIfResult } from '../api/contract';
import type { RiskSnapshot } from '../api/dto';
import { ApiException } from '../api/errors';
import type { CommandHandlers } from './hub';
import type { BookPosition, CheckedPosition } from '../core/book/position';
import { CURRENCIES, type Currency } from '../core/market/events';
import { historicalPnl, largestDailyMoves, parseDailyCloseCsv, type DailyCsvResult } from '../core/risk/historical';
import { payoffDatesProblem } from '../core/risk/payoffDates';
import { riskPositions } from '../core/risk/riskPosition';
import { checkWhatIfLines, type WhatIfLine } from '../core/risk/whatIf';
import { bookMarket } from '../engine/bookMarket';
import type { MarketState } from '../engine/marketState';
import { marketSmiles, riskSnapshot, type RiskInputs } from '../engine/riskSnapshot';
import type { RiskService } from './riskService';

/** Daily price (and DVOL) files per currency, as `gammadesk risk --history FILE --dvol FILE` takes them. */
export type RiskHistoryFiles = Partial<Record<Currency, { prices: string; dvol?: string }>>;

/** The largest history file read (the Deribit daily file is 200 kB; a decade of days is far below this). */
export const MAX_HISTORY_FILE_BYTES = 64 * 2 ** 20;
/** Bad rows listed in a result (all are counted). */
const LISTED_BAD_ROWS = 20;

/** `GAMMADESK_BTC_HISTORY`, `GAMMADESK_BTC_DVOL` (and ETH): the history files, when the user names them. */
export function riskHistoryFromEnv(env: NodeJS.ProcessEnv = process.env): { riskHistory?: RiskHistoryFiles } {
  const files: RiskHistoryFiles = {};
  for (const currency of CURRENCIES) {
    const prices = env[`GAMMADESK_${currency}_HISTORY`];
    const dvol = env[`GAMMADESK_${currency}_DVOL`];
    if (prices) files[currency] = { prices, ...(dvol ? { dvol } : {}) };
  }
  return Object.keys(files).length > 0 ? { riskHistory: files } : {};
}

export interface WhatIfServiceDeps {
  market: () => MarketState;
  book: () => { version: number; positions: readonly CheckedPosition[] };
  /** The real book's line check (BookService.lineProblem). */
  lineProblem: (position: BookPosition) => string | null;
  /** The currency's risk settings (grid, equity, payoff dates) and where the payoff dates are saved. */
  risk: Pick<RiskService, 'settingsOf' | 'setPayoffDates' | 'pmParamsOf' | 'reusableMarginCall'>;
  history: RiskHistoryFiles;
  wallMs?: () => number;
  /**
   * Computes a snapshot off the main thread (the worker pool's `riskSnapshot` task, the same function); absent,
   * both snapshots are computed in-process.
   */
  compute?: (inputs: RiskInputs) => Promise<RiskSnapshot>;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class WhatIfService {
  /** Parsed history files by path, kept while the file's size and modification time stay the same. */
  private readonly files = new Map<string, { stamp: string; parsed: DailyCsvResult }>();

  constructor(private readonly deps: WhatIfServiceDeps) {}

  handlers(): CommandHandlers<'whatIf'> {
    return {
      'risk.whatIf': ({ currency, positions }) => this.whatIf(currency, positions),
      'risk.historical': ({ currency, count, positions }) => this.historical(currency, count ?? 10, positions),
      'risk.payoffDates.set': ({ currency, dates }) => {
        const problem = payoffDatesProblem(dates);
        if (problem) throw new ApiException('INVALID_ARGUMENT', problem);
        return this.deps.risk.setPayoffDates(currency, dates);
      },
    };
  }

  /** The what-if book's risk beside the live book's, on the market as it is now. */
  async whatIf(currency: Currency, lines: readonly WhatIfLine[]): Promise<WhatIfResult> {
    const { positions, refused } = checkWhatIfLines(lines, this.deps.lineProblem);
    const market = this.deps.market();
    const book = this.deps.book();
    const settings = this.deps.risk.settingsOf(currency);
    const common = {
      currency,
      bookVersion: book.version,
      market: bookMarket(market, market.timeMs),
      marketSeq: market.seq,
      settings,
      smiles: marketSmiles(market, currency),
      ...this.deps.risk.pmParamsOf(currency),
      ...(this.deps.wallMs ? { wallMs: this.deps.wallMs } : {}),
    };
    return {
      currency,
      marketSeq: market.seq,
      marketTimeMs: market.timeMs,
      bookVersion: book.version,
      // The live book's margin-call search is reused from the risk stream when still current (as the stream does).
      ...(await this.pair({ ...common, book: book.positions, marginCall: this.deps.risk.reusableMarginCall(currency) }, { ...common, book: positions })),
      lines: lines.length,
      refused,
    };
  }

  private async pair(live: RiskInputs, whatIf: RiskInputs): Promise<{ live: RiskSnapshot; whatIf: RiskSnapshot }> {
    const compute = this.deps.compute;
    if (!compute) return { live: riskSnapshot(live), whatIf: riskSnapshot(whatIf) };
    const [a, b] = await Promise.all([compute(live), compute(whatIf)]);
    return { live: a, whatIf: b };
  }

  /** The configured history's largest daily moves applied to the live book (and a what-if book), worst first. */
  historical(currency: Currency, count: number, whatIfLines?: readonly WhatIfLine[]): HistoricalResult {
    const market = this.deps.market();
    const book = this.deps.book();
    const indexUsd = market.currencies.get(currency)?.indexUsd ?? null;
    const base: HistoricalResult = {
      currency, configured: false, reason: null, files: null, marketTimeMs: market.timeMs, marketSeq: market.seq, bookVersion: book.version, indexUsd,
      rows: { prices: 0, dvol: 0 }, badRows: [], badRowCount: 0, scenarios: [], notes: [],
    };
    const files = this.deps.history[currency];
    if (!files) {
      return {
        ...base,
        reason: `No ${currency} price history is configured. Start GammaDesk with GAMMADESK_${currency}_HISTORY=daily.csv (and GAMMADESK_${currency}_DVOL=dvol.csv): the daily files \`gammadesk risk --history/--dvol\` read.`,
      };
    }
    const result: HistoricalResult = { ...base, configured: true, files: { prices: basename(files.prices), dvol: files.dvol ? basename(files.dvol) : null } };
    let prices: DailyCsvResult;
    let vols: DailyCsvResult = { closes: [], errors: [], emptyRows: 0 };
    try {
      prices = this.read(files.prices, currency);
      if (files.dvol) vols = this.read(files.dvol, currency);
    } catch (error) {
      return { ...result, reason: message(error) };
    }
    result.rows = { prices: prices.closes.length, dvol: vols.closes.length };
    const bad = [...prices.errors.map((e) => ({ file: basename(files.prices), ...e })), ...vols.errors.map((e) => ({ file: basename(files.dvol ?? ''), ...e }))];
    result.badRows = bad.slice(0, LISTED_BAD_ROWS);
    result.badRowCount = bad.length;
    if (prices.emptyRows > 0) result.notes.push(`${basename(files.prices)}: ${prices.emptyRows} ${prices.emptyRows === 1 ? 'day' : 'days'} without a close for ${currency} (before it was listed) skipped`);
    if (!files.dvol) result.notes.push(`no DVOL file configured (GAMMADESK_${currency}_DVOL): the vol is left unchanged on every day`);
    if (indexUsd === null || !(indexUsd > 0)) return { ...result, reason: `no ${currency} index price yet` };
    const { positions, skipped } = riskPositions(book.positions.filter((p) => p.currency === currency), bookMarket(market, market.timeMs));
    for (const s of skipped) result.notes.push(`${s.instrument}: not revalued: ${s.reason}`);
    if (positions.length === 0) return { ...result, reason: `no ${currency} positions in the book to apply the days to` };
    const days = largestDailyMoves(prices.closes, vols.closes, count);
    const live = historicalPnl(positions, currency, indexUsd, market.timeMs, days);
    let whatIf: Map<string, { pnlUsd: number; pnlCoin: number }> | null = null;
    if (whatIfLines) {
      const lines = checkWhatIfLines(whatIfLines, this.deps.lineProblem).positions.filter((p) => p.currency === currency);
      const scratch = riskPositions(lines, bookMarket(market, market.timeMs));
      if (scratch.skipped.length > 0) result.notes.push(`what-if: ${scratch.skipped.map((s) => `${s.instrument} not revalued: ${s.reason}`).join('; ')}`);
      whatIf = new Map(historicalPnl(scratch.positions, currency, indexUsd, market.timeMs, days).map((d) => [d.date, { pnlUsd: d.pnlUsd, pnlCoin: d.pnlCoin }]));
    }
    result.scenarios = live.map((d) => ({ ...d, whatIf: whatIf ? (whatIf.get(d.date) ?? { pnlUsd: 0, pnlCoin: 0 }) : null }));
    return result;
  }

  /** A history file, parsed once per (size, modification time). */
  private read(path: string, currency: Currency): DailyCsvResult {
    let stamp: string;
    try {
      const stat = statSync(path);
      if (stat.size > MAX_HISTORY_FILE_BYTES) throw new Error(`${basename(path)} is ${Math.round(stat.size / 2 ** 20)} MiB: history files up to ${MAX_HISTORY_FILE_BYTES / 2 ** 20} MiB are read`);
      stamp = `${stat.size} ${stat.mtimeMs}`;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new Error(code ? `cannot read the ${currency} history file ${basename(path)}: ${code}` : message(error), { cause: error });
    }
    const cached = this.files.get(path);
    if (cached?.stamp === stamp) return cached.parsed;
    const raw = readFileSync(path);
    let parsed: DailyCsvResult;
    try {
      parsed = parseDailyCloseCsv((path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8'), { currency });
    } catch (error) {
      throw new Error(`${basename(path)}: ${message(error)}`, { cause: error });
    }
    this.files.set(path, { stamp, parsed });
    return parsed;
  }
}
