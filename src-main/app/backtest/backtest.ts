/**
 * Backtest of hedge policies on a recorded session: the session's events go through the engine (its market
 * state, the hedge advisor's inputs), and at each rebalance every policy proposes a hedge for its own copy of
 * the book; the paper ledger fills it against the RECORDED order book (walking its levels) with Deribit's fees,
 * and the perpetual's recorded funding accrues on the position. One pass over the events serves every policy, so
 * policies compare on exactly the same market.
 *
 * Deterministic: the result depends on the stored events, the book and the policies only (no wall clock, no
 * randomness); its SHA-256, per policy and overall, makes "same session, same policy → same result" checkable.
 * Conventions and choices: docs/decisions/0024-backtest-on-recorded-sessions.md.
 */
import type { BacktestPolicyFigures, BacktestRunFacts } from '../../api/contract/backtest';
import { canonicalJson, type JsonValue } from '../../core/audit/canonicalJson';
import { HedgeAccount } from '../../core/backtest/hedgeAccount';
import { expectedShortfall, intervalChanges, worstDrawdown } from '../../core/backtest/metrics';
import { BookCsvHeaderError, parseBookCsv } from '../../core/book/csv';
import type { CheckedPosition } from '../../core/book/position';
import { valueBook, type BookTotals } from '../../core/book/valuation';
import { hedgeHoldings } from '../../core/hedge/learnedPolicy';
import type { HedgeBook, HedgeMarket, HedgeObjectives, HedgePolicy } from '../../core/hedge/types';
import type { Currency } from '../../core/market/events';
import { parseInstrumentName } from '../../core/pricing/instrument';
import { epochMs, type InstrumentName } from '../../core/units';
import { bookMarket } from '../../engine/bookMarket';
import { Engine } from '../../engine/engine';
import { hedgeMarketFrom } from '../../engine/hedgeInputs';
import type { GreeksPort, Scheduler } from '../../engine/ports';
import { openDatabase, type Db } from '../../store/database';
import { EventLog, type SessionRow } from '../../store/eventLog';
import { paperMarketFrom } from '../execution/marketBooks';
import { PaperVenue } from '../execution/paperVenue';

export type RebalanceSpec = { kind: 'interval'; ms: number; label: string } | { kind: 'every' };

export type BacktestBookSpec =
  /** A positions CSV (core/book/csv.ts columns); options only, the hedge is the policy's. */
  | { kind: 'csv'; file: string; text: string }
  /** One short call: the expiry that outlives the session (the nearest such), strike nearest its forward. */
  | { kind: 'short-call'; contracts: number };

export interface BacktestPolicySpec {
  /** What the report calls it: `bs-delta`, `ww`, `threshold`, `none`, or a model file's name. */
  name: string;
  /** Null: never trades. */
  policy: HedgePolicy | null;
  /** The objectives at a rebalance (a band may depend on the market: half a lot of the hedge at its price). */
  objectives(market: HedgeMarket): HedgeObjectives;
  /** What identifies the policy in the hash (parameters, a model file's SHA-256). */
  spec: Record<string, JsonValue>;
}

export interface BacktestOptions {
  dbPath: string;
  /** A session's name or numeric id as text (the CLI: the name first), or its id as a number (the app: the id only). */
  session: string | number;
  currency: Currency;
  book: BacktestBookSpec;
  rebalance: RebalanceSpec;
  policies: readonly BacktestPolicySpec[];
  /** SHA-256 (hex) of a text. */
  hash(text: string): string;
  /** Aborting stops after the current chunk of events; the result is marked partial. */
  signal?: AbortSignal;
  onProgress?(fraction: number, events: number): void;
  /** Events applied between checks of the signal and progress reports (default 2000). */
  chunk?: number;
  /** better-sqlite3 built for Electron's ABI (a run in the app's jobs thread under Electron); default the package's. */
  nativeBinding?: string;
}

export interface PnlPoint {
  timeMs: number;
  /** Cumulative P&L since the first rebalance, coin, and the same at the index then (USD). */
  pnlCoin: number;
  pnlUsd: number;
  /** The perpetual position after this rebalance, USD notional. */
  hedgeUsd: number;
  /** The book's coin-P&L delta after the rebalance (options and hedge), coin. */
  deltaCoin: number;
  /** Traded at this rebalance, USD notional (0 for the final mark). */
  tradedUsd: number;
  /** False for the last point: the market at the session's end, valued without a rebalance. */
  rebalance: boolean;
}

/** A policy's figures (api/contract/backtest.ts, one definition for the run and the wire), its path and hash. */
export interface PolicyResult extends BacktestPolicyFigures {
  name: string;
  spec: Record<string, JsonValue>;
  path: PnlPoint[];
  sha256: string;
}

/** The run's facts (api/contract/backtest.ts), the policies side by side, and the hash of it all. */
export interface BacktestResult extends BacktestRunFacts {
  policies: PolicyResult[];
  /** Definitions of the figures, carried with them. */
  definitions: Record<string, string>;
  /** SHA-256 of the canonical JSON of everything above except this field. */
  resultSha256: string;
}

/** Why a backtest cannot start: an unknown session, a book with nothing to test (the CLI exits 2 on it). */
export class BacktestInputError extends Error {
  override readonly name = 'BacktestInputError';
}

export const DEFINITIONS: Record<string, string> = {
  pnl: 'cumulative P&L since the first rebalance: option mark change + perpetual P&L at its mark − fees + funding, coin; USD is the coin P&L at the index at that point',
  spread_cost: 'what the fills paid against the recorded book mid at fill time, amount × |1/mid − 1/price| coin (half-spread and slippage; already inside the P&L)',
  funding: 'perpetual funding at the recorded 8-hour rate, accrued continuously: −position / index × rate × dt / 8 h coin; null when the position was open while no rate was recorded',
  worst_drawdown: 'largest fall of the cumulative P&L from its running peak (the start counts as a peak of 0)',
  expected_shortfall: 'at level 0.95, historical: mean loss over the worst ⌈5 % × n⌉ (at least one) of the n interval P&Ls between consecutive path points (the first interval is the cost of putting the hedge on)',
  turnover: 'sum of |traded| perpetual notional (USD) and of amount / price (coin)',
};

/** How long after the index and the perpetual a book's option may still appear in an imported session (market time). */
const LISTING_GRACE_MS = 60_000;

/** A scheduler whose timers never fire: the engine's greeks are not needed, so none are ever dispatched. */
const FROZEN: Scheduler = { now: () => 0, setTimeout: () => FROZEN, clearTimeout: () => {} };
const NO_GREEKS: GreeksPort = {
  computeGreeks: () => Promise.reject(new Error('this engine computes no chain greeks (market state only)')),
};

/**
 * An engine that only keeps the market state of the events fed to it: no timers fire, so no greeks, exposure or
 * surface work is ever scheduled, and wall time cannot change what it holds (backtests, session sampling).
 */
export function marketOnlyEngine(): Engine {
  return new Engine({ greeks: NO_GREEKS, scheduler: FROZEN, wanted: () => false });
}

interface BookLeg {
  position: CheckedPosition;
  startMarkCoin: number;
}

interface PolicyRun {
  spec: BacktestPolicySpec;
  account: HedgeAccount;
  venue: PaperVenue;
  venueDb: Db;
  path: PnlPoint[];
  rebalances: number;
  orders: number;
  unfilledUsd: number;
  skipped: number;
  lastSkipReason: string | null;
  blocked: number;
  lastBlockedReason: string | null;
  notes: Set<string>;
}

/**
 * A session by name or numeric id; an error listing the known ones otherwise (also learn/sessionReturns.ts). Text
 * (the CLI) is tried as a name first, then as an id; a number (the app's `sessionId`) is an id only, so a session
 * named "2" is never taken for session id 2.
 */
export function findSession(log: EventLog, text: string | number): SessionRow {
  if (typeof text === 'number') {
    const byId = Number.isSafeInteger(text) ? log.findSession(text) : null;
    if (byId) return byId;
    throw new BacktestInputError(`no recorded session with id ${String(text)}${knownSessions(log)}`);
  }
  const byName = log.sessionByName(text);
  if (byName) return byName;
  if (/^\d+$/.test(text)) {
    const byId = log.findSession(Number(text));
    if (byId) return byId;
  }
  throw new BacktestInputError(`no recorded session named or numbered ${JSON.stringify(text)}${knownSessions(log)}`);
}

function knownSessions(log: EventLog): string {
  const known = log.listSessions().map((s) => `${s.id} ${JSON.stringify(s.name)}`);
  return known.length > 0 ? `; sessions: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}` : '; the database has none';
}

export async function runBacktest(options: BacktestOptions): Promise<BacktestResult> {
  if (options.policies.length === 0) throw new BacktestInputError('give at least one policy');
  const native = options.nativeBinding ? { nativeBinding: options.nativeBinding } : {};
  const db = openDatabase(options.dbPath, { readonly: true, ...native });
  const runs: PolicyRun[] = [];
  try {
    const log = new EventLog(db);
    const session = findSession(log, options.session);
    if (session.eventCount === 0) throw new BacktestInputError(`session ${JSON.stringify(session.name)} has no events`);
    const skippedPositions: BacktestResult['skippedPositions'] = [];
    let candidates: { position: CheckedPosition; line: number | null }[] = [];
    if (options.book.kind === 'csv') {
      let parsedBook;
      try {
        parsedBook = parseBookCsv(options.book.text);
      } catch (error) {
        if (error instanceof BookCsvHeaderError) throw new BacktestInputError(`${options.book.file}: ${error.message}`);
        throw error;
      }
      for (const e of parsedBook.errors) skippedPositions.push({ line: e.line, instrument: null, reason: e.reason });
      // parseBookCsv keeps the file's order; its line numbers come with its errors only, so count data lines here.
      const lines = dataLines(options.book.text);
      candidates = parsedBook.positions.map((position) => ({ position, line: lines.get(position.instrument) ?? null }));
      candidates = candidates.filter(({ position, line }) => {
        const reason =
          position.currency !== options.currency
            ? `${position.instrument}: not a ${options.currency} instrument (the backtest runs one currency: --currency)`
            : position.parsed.kind !== 'option'
              ? `${position.instrument}: the backtest's book holds options; the hedge (the perpetual) is each policy's own`
              : position.parsed.expiryMs <= (session.lastEventMs ?? 0)
                ? `${position.instrument}: expires before the session ends (${new Date(session.lastEventMs ?? 0).toISOString()}); settlement is not modelled`
                : null;
        if (reason) skippedPositions.push({ line, instrument: position.instrument, reason });
        return reason === null;
      });
      if (candidates.length === 0) throw new BacktestInputError(`${options.book.file}: no ${options.currency} option position to backtest${skippedPositions.length > 0 ? ` (${skippedPositions.length} rows skipped: ${skippedPositions[0]!.line !== null ? `line ${skippedPositions[0]!.line}: ` : ''}${skippedPositions[0]!.reason})` : ''}`);
    }

    const engine = marketOnlyEngine();
    const market = engine.market;
    const perpetual = `${options.currency}-PERPETUAL` as InstrumentName;
    const perpParsed = parseInstrumentName(perpetual);
    for (const spec of options.policies) {
      const venueDb = openDatabase(':memory:', native);
      runs.push({
        spec,
        account: new HedgeAccount(),
        venue: new PaperVenue(venueDb, paperMarketFrom(market), () => epochMs(market.timeMs)),
        venueDb,
        path: [],
        rebalances: 0,
        orders: 0,
        unfilledUsd: 0,
        skipped: 0,
        lastSkipReason: null,
        blocked: 0,
        lastBlockedReason: null,
        notes: new Set(),
      });
    }

    // Set once the market is complete enough to value the book (closures assign them: kept in one object).
    const started: { legs: BookLeg[] | null; startMs: number | null } = { legs: null, startMs: null };
    let nextRebalanceMs = Infinity;
    let everyPending = false;
    let feeSource: BacktestResult['hedgeFeeSource'] = null;
    /** Market time when the index and the perpetual were first there (the book's options may list later). */
    let firstCompleteMs: number | null = null;
    let applied = 0;
    let partial = false;
    const chunk = options.chunk ?? 2000;

    const indexUsd = (): number | null => market.currencies.get(options.currency)?.indexUsd ?? null;
    const perpMark = (): number | null => {
      const ticker = market.currencies.get(options.currency)?.perpetual;
      return ticker && ticker.markUsd > 0 ? ticker.markUsd : null;
    };

    /** The book is fixed once the market has the index, the perpetual and a quote for every position. */
    const tryStart = (): boolean => {
      if (indexUsd() === null || perpMark() === null) return false;
      if (options.book.kind === 'short-call') {
        const pick = pickShortCall(market, options.currency, session.lastEventMs ?? market.timeMs);
        if (pick === null) return false;
        if ('error' in pick) throw new BacktestInputError(pick.error);
        candidates = [{ position: { ...pick.position, quantity: -options.book.contracts }, line: null }];
      } else {
        // A recording lists every instrument at its start; an import lists each as its first row comes. A position
        // the market does not know then (a recording) or a minute after the index and the perpetual came (an
        // import) is dropped, with why.
        firstCompleteMs ??= market.timeMs;
        const grace = session.kind === 'import' ? LISTING_GRACE_MS : 0;
        const unknown = candidates.filter(({ position }) => !market.option(position.instrument));
        if (unknown.length > 0) {
          if (market.timeMs - firstCompleteMs < grace || unknown.length === candidates.length) return false;
          for (const { position, line } of unknown) {
            skippedPositions.push({ line, instrument: position.instrument, reason: `${position.instrument}: not in session ${JSON.stringify(session.name)}${grace > 0 ? ' within a minute of its market\'s start' : ''}` });
          }
          candidates = candidates.filter((c) => !unknown.includes(c));
        }
      }
      const quotes = candidates.map(({ position }) => market.option(position.instrument)?.state.ticker ?? null);
      if (quotes.some((t) => t === null || !(t.markCoin >= 0) || !(t.markIv > 0))) return false;
      started.legs = candidates.map(({ position }, i) => ({ position, startMarkCoin: quotes[i]!.markCoin }));
      started.startMs = market.timeMs;
      return true;
    };

    const rebalanceAll = async (trade: boolean): Promise<void> => {
      const hedgeMarket = trade ? hedgeMarketFrom(market, options.currency, { maxOptions: 0 }) : null;
      feeSource ??= hedgeMarket?.instruments.find((i) => i.instrument === perpetual)?.feeSource ?? null;
      for (const run of runs) await rebalance(run, hedgeMarket, trade);
    };

    const rebalance = async (run: PolicyRun, hedgeMarket: HedgeMarket | null, trade: boolean): Promise<void> => {
      const account = run.account;
      account.accrueFunding(market.timeMs);
      const skip = (reason: string): void => {
        run.skipped++;
        run.lastSkipReason = reason;
      };
      if (!trade && run.path.at(-1)?.timeMs === market.timeMs) return; // the last rebalance was the end already
      let valued = valueNow(run);
      if (typeof valued === 'string') return skip(valued);
      let tradedUsd = 0;
      if (trade && run.spec.policy) {
        if (!hedgeMarket) return skip(`no ${options.currency} hedge market (no index)`);
        // Position by position too: the learned policy bands each option (core/hedge/learnedPolicy.ts).
        const book: HedgeBook = { version: run.rebalances, totals: valued.totals, holdings: hedgeHoldings(valued.positions, bookMarket(market, market.timeMs)) };
        const proposal = await run.spec.policy.propose(book, hedgeMarket, run.spec.objectives(hedgeMarket));
        // A hedge the market did not allow (thin book, no quote) is counted; one that rounds below a lot is not a
        // failure (the book is within half a lot of its target).
        if (proposal.status === 'cannot' && proposal.reason !== null && !proposal.reason.includes('rounds below')) {
          run.blocked++;
          run.lastBlockedReason = proposal.reason;
        }
        for (const [i, leg] of proposal.legs.entries()) {
          if (leg.instrument !== perpetual) {
            run.notes.add(`legs in ${leg.instrument} were not traded: the backtest hedges with ${perpetual} only`);
            continue;
          }
          tradedUsd += await fillLeg(run, `${run.rebalances}:${i}`, leg.side, leg.amount);
        }
        if (tradedUsd > 0) run.orders++;
        valued = valueNow(run);
        if (typeof valued === 'string') return skip(valued);
      }
      run.rebalances += trade ? 1 : 0;
      run.path.push({ timeMs: market.timeMs, pnlCoin: valued.pnlCoin, pnlUsd: valued.pnlCoin * valued.index, hedgeUsd: account.positionUsd, deltaCoin: valued.totals.deltaCoin, tradedUsd, rebalance: trade });
    };

    /** Submits a market order to the paper ledger; books its fills; returns the USD filled. */
    const fillLeg = async (run: PolicyRun, label: string, side: 'buy' | 'sell', amount: number): Promise<number> => {
      const book = paperMarketFrom(market).book(perpetual);
      const bid = book?.bids[0]?.[0];
      const ask = book?.asks[0]?.[0];
      const mark = perpMark()!;
      let mid = mark;
      if (bid !== undefined && ask !== undefined) mid = (bid + ask) / 2;
      else run.notes.add('a one-sided recorded book: spread cost measured against the mark price');
      try {
        await run.venue.submit({ label, instrument: perpetual, side, amount, type: 'market' });
      } catch (error) {
        run.notes.add(`an order was refused: ${error instanceof Error ? error.message : String(error)}`);
        run.unfilledUsd += amount;
        return 0;
      }
      const index = indexUsd()!;
      let filled = 0;
      for (const f of run.venue.fillsByLabel(label)) {
        run.account.fill({ side: f.side, amountUsd: f.amount, priceUsd: f.price, feeE8: Math.round(f.fee * 1e8) }, mid, index);
        filled += f.amount;
      }
      if (filled < amount) {
        run.unfilledUsd += amount - filled;
        run.notes.add('some orders were larger than the recorded book: the remainder was cancelled (a market order)');
      }
      return filled;
    };

    const valueNow = (run: PolicyRun): { totals: BookTotals; positions: CheckedPosition[]; pnlCoin: number; index: number } | string => {
      const index = indexUsd();
      const mark = perpMark();
      if (index === null || mark === null) return `no ${options.currency} index or ${perpetual} mark`;
      const legs = started.legs!;
      const positions: CheckedPosition[] = legs.map((l) => l.position);
      if (run.account.positionUsd !== 0) {
        positions.push({ instrument: perpetual, quantity: run.account.positionUsd, averagePrice: null, priceCurrency: 'USD', parsed: perpParsed, currency: options.currency });
      }
      const valuation = valueBook(positions, bookMarket(market, market.timeMs));
      const totals = valuation.byCurrency[options.currency];
      const missing = valuation.positions.find((p) => p.greeks === null || p.markPrice === null);
      if (!totals || missing) return `${missing?.instrument ?? options.currency}: ${missing?.reason ?? 'not valued'}`;
      let optionPnl = 0;
      for (const [i, leg] of legs.entries()) optionPnl += leg.position.quantity * (valuation.positions[i]!.markPrice! - leg.startMarkCoin);
      const funding = run.account.funding();
      const pnlCoin = optionPnl + run.account.tradingPnlCoin(mark) - run.account.feesCoin + (funding.coin ?? 0);
      return { totals, positions, pnlCoin, index };
    };

    /** Work due before the market moves on from `market.timeMs` (all its events applied). */
    const boundary = async (): Promise<void> => {
      if (started.legs === null) {
        if (!tryStart()) return;
        await rebalanceAll(true);
        if (options.rebalance.kind === 'interval') nextRebalanceMs = started.startMs! + options.rebalance.ms;
        everyPending = false;
        return;
      }
      if (options.rebalance.kind === 'every' ? everyPending : market.timeMs >= nextRebalanceMs) {
        await rebalanceAll(true);
        everyPending = false;
        if (options.rebalance.kind === 'interval') {
          const step = options.rebalance.ms;
          nextRebalanceMs = started.startMs! + step * (Math.floor((market.timeMs - started.startMs!) / step) + 1);
        }
      }
    };

    const total = Math.max(1, session.eventCount);
    for (const event of log.read(session.id)) {
      if (market.seq > 0 && event.tsEvent > market.timeMs) await boundary();
      // Funding accrues up to each perpetual ticker at the rate before it; its own rate holds from then on.
      if (event.type === 'future_ticker' && event.instrument === perpetual) for (const run of runs) run.account.accrueFunding(event.tsEvent);
      const change = engine.apply(event, event.seq);
      applied++;
      if (change.kind !== 'rejected' && (event.type === 'future_ticker' || event.type === 'book_snapshot') && event.instrument === perpetual) {
        everyPending = true;
        if (event.type === 'future_ticker') for (const run of runs) run.account.fundingRate(event.tsEvent, event.funding8h, indexUsd());
      }
      if (applied % chunk === 0) {
        options.onProgress?.(Math.min(1, applied / total), applied);
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (options.signal?.aborted) {
          partial = true;
          break;
        }
      }
    }
    const legs = started.legs;
    if (legs === null) {
      throw new BacktestInputError(
        options.book.kind === 'short-call'
          ? `session ${JSON.stringify(session.name)} never had a quoted ${options.currency} call, index and ${perpetual} together: nothing to backtest`
          : `session ${JSON.stringify(session.name)} never quoted the positions of ${options.book.file} together with the ${options.currency} index and ${perpetual} (not quoted: ${candidates.filter(({ position }) => !market.option(position.instrument)?.state.ticker).map(({ position }) => position.instrument).join(', ') || 'none; the index or the perpetual was missing'})`,
      );
    }
    // The session's end: one more rebalance if one is due, then the final mark.
    if (!partial) await boundary();
    await rebalanceAll(false);
    options.onProgress?.(partial ? applied / total : 1, applied);

    const bookLegs = legs.map((l) => ({
      instrument: l.position.instrument,
      quantity: l.position.quantity,
      startMarkCoin: l.startMarkCoin,
      endMarkCoin: market.option(l.position.instrument)?.state.ticker?.markCoin ?? null,
    }));
    const base = {
      session: { id: session.id, name: session.name, source: session.source, firstEventMs: session.firstEventMs, lastEventMs: session.lastEventMs, events: session.eventCount },
      currency: options.currency,
      rebalance: options.rebalance.kind === 'every' ? 'every' : options.rebalance.label,
      hedgeInstrument: perpetual,
      hedgeFeeSource: feeSource,
      book: bookLegs,
      skippedPositions,
      startMs: started.startMs,
      endMs: market.timeMs,
      eventsApplied: applied,
      eventsRejected: engine.eventsRejected,
      lastRejection: engine.lastRejection,
      partial,
    };
    const policies = runs.map((run) => policyResult(run, market.currencies.get(options.currency)?.perpetual?.markUsd ?? null, options.hash, {
      session: { name: session.name, firstEventMs: session.firstEventMs, lastEventMs: session.lastEventMs, events: session.eventCount },
      currency: options.currency,
      rebalance: base.rebalance,
      book: bookLegs,
      partial,
      endMs: market.timeMs,
    }));
    const withoutHash = { ...base, policies, definitions: DEFINITIONS };
    return { ...withoutHash, resultSha256: options.hash(canonicalJson(withoutHash)) };
  } finally {
    for (const run of runs) {
      void run.venue.close();
      run.venueDb.close();
    }
    db.close();
  }
}

function policyResult(run: PolicyRun, perpMarkUsd: number | null, hash: (text: string) => string, context: Record<string, JsonValue>): PolicyResult {
  const account = run.account;
  const path = run.path;
  const last = path.at(-1);
  const coinPath = path.map((p) => p.pnlCoin);
  const usdPath = path.map((p) => p.pnlUsd);
  const funding = account.funding();
  const hedgePnlCoin = perpMarkUsd !== null ? account.tradingPnlCoin(perpMarkUsd) : 0;
  const finalPnlCoin = last?.pnlCoin ?? 0;
  const notes = [...run.notes];
  if (funding.coin === null) notes.push(`P&L leaves funding out: ${funding.reason}`);
  const body = {
    name: run.spec.name,
    spec: run.spec.spec,
    path,
    rebalances: run.rebalances,
    orders: run.orders,
    fills: account.fills,
    unfilledUsd: run.unfilledUsd,
    turnoverUsd: account.turnoverUsd,
    turnoverCoin: account.turnoverCoin,
    feesCoin: account.feesCoin,
    feesUsd: account.feesUsd,
    spreadCostCoin: account.spreadCostCoin,
    spreadCostUsd: account.spreadCostUsd,
    fundingCoin: funding.coin,
    fundingUsd: funding.coin !== null ? account.fundingUsd : null,
    fundingReason: funding.reason,
    optionPnlCoin: finalPnlCoin - hedgePnlCoin + account.feesCoin - (funding.coin ?? 0),
    hedgePnlCoin,
    finalPnlCoin,
    finalPnlUsd: last?.pnlUsd ?? 0,
    worstDrawdownCoin: worstDrawdown(coinPath),
    worstDrawdownUsd: worstDrawdown(usdPath),
    expectedShortfallCoin: expectedShortfall(intervalChanges(coinPath), 0.95),
    expectedShortfallUsd: expectedShortfall(intervalChanges(usdPath), 0.95),
    skippedRebalances: run.skipped,
    lastSkipReason: run.lastSkipReason,
    blockedProposals: run.blocked,
    lastBlockedReason: run.lastBlockedReason,
    notes,
  };
  return { ...body, sha256: hash(canonicalJson({ context, ...body })) };
}

/** Line number of each instrument's data row in a book CSV (the first occurrence; comments and blanks counted). */
function dataLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, i) => {
    const first = line.split(',')[0]?.trim().replace(/^"|"$/g, '');
    if (first && !lines.has(first)) lines.set(first, i + 1);
  });
  return lines;
}

/**
 * The short call of `--short-call`: among the expiries that outlive the session by a day, the nearest; in it
 * the call whose strike is nearest its forward with a mark and an IV. Null while the expiry has no quoted call
 * yet; an error when no expiry outlives the session.
 */
function pickShortCall(market: Engine['market'], currency: Currency, sessionEndMs: number): { position: CheckedPosition } | { error: string } | null {
  const state = market.currencies.get(currency);
  if (!state) return null;
  const expiries = state.sortedExpiries();
  const book = expiries.find((b) => b.expiryMs >= sessionEndMs + 86_400_000);
  if (!book) {
    return expiries.length === 0 ? null : { error: `no ${currency} expiry outlives the session by a day (the last is ${expiries.at(-1)!.label}): give --positions with an option that does` };
  }
  let best: { name: string; distance: number } | null = null;
  for (const option of book.options) {
    const t = option.ticker;
    if (option.def.optionType !== 'call' || !t || !(t.markIv > 0) || !(t.markCoin > 0) || !(t.underlyingPriceUsd > 0)) continue;
    const distance = Math.abs(option.def.strikeUsd - t.underlyingPriceUsd);
    if (best === null || distance < best.distance) best = { name: option.def.name, distance };
  }
  if (best === null) return null;
  const parsed = parseInstrumentName(best.name);
  return { position: { instrument: best.name, quantity: -1, averagePrice: null, priceCurrency: currency, parsed, currency } };
}
