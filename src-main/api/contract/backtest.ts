/**
 * Backtest domain (issue 14, items 6 and 9; app/backtestService.ts): hedge policies side by side on a recorded
 * session, run from the Models view. The run is `runBacktest` (app/backtest/backtest.ts, decision 0024) — the same
 * as `gammadesk backtest` — on the jobs pool, with progress and cancel; a cancelled run keeps its partial result.
 *
 * Policies by name: the classical ones (`bs-delta`, `ww`, `threshold`, `none`) and `model:<id>` for any stored model,
 * gated or not (the result says whether it passed its gate). The book: one short call (the nearest expiry outliving
 * the session, strike nearest its forward) or the trader's current book of the currency's options.
 */
import type { Shortfall } from '../../core/backtest/metrics';
import type { Currency } from '../../core/market/events';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';

/** The policies a backtest runs by name besides stored models (app/backtest/policies.ts CLASSICAL_POLICIES). */
export const BACKTEST_CLASSICAL_POLICIES = ['bs-delta', 'ww', 'threshold', 'none'] as const;
/** Policies in one run at most. */
export const MAX_BACKTEST_POLICIES = 8;
/** Points of a P&L path on the wire at most (the figures are computed on the whole path). */
export const MAX_BACKTEST_PATH_POINTS = 2000;

/** One point of a policy's cumulative P&L path (market time). */
export interface BacktestPointDto {
  timeMs: number;
  pnlCoin: number;
  pnlUsd: number;
  /** The perpetual position after the rebalance, USD notional. */
  hedgeUsd: number;
}

/**
 * A policy's figures from a backtest run (app/backtest/backtest.ts `PolicyResult` extends this): one definition for
 * the CLI's JSON and the app's wire. Amounts in coin and USD as named; figures on the whole P&L path.
 */
export interface BacktestPolicyFigures {
  rebalances: number;
  /** Rebalances that ordered a trade, and the fills the ledger made. */
  orders: number;
  fills: number;
  /** Ordered but not filled (the recorded book was thinner than the order), USD. */
  unfilledUsd: number;
  turnoverUsd: number;
  turnoverCoin: number;
  feesCoin: number;
  feesUsd: number;
  spreadCostCoin: number;
  spreadCostUsd: number;
  fundingCoin: number | null;
  fundingUsd: number | null;
  fundingReason: string | null;
  /** Option mark change and hedge P&L (fills at the mark, before fees and funding), coin. */
  optionPnlCoin: number;
  hedgePnlCoin: number;
  finalPnlCoin: number;
  finalPnlUsd: number;
  worstDrawdownCoin: number;
  worstDrawdownUsd: number;
  expectedShortfallCoin: Shortfall;
  expectedShortfallUsd: Shortfall;
  /** Rebalances skipped (a position or the hedge without a quote), and the last reason. */
  skippedRebalances: number;
  lastSkipReason: string | null;
  /** Proposals the recorded market did not let reach their band (no quote, too thin a book), and the last reason. */
  blockedProposals: number;
  lastBlockedReason: string | null;
  notes: string[];
}

export interface BacktestPolicyDto extends BacktestPolicyFigures {
  /** `bs-delta`, `ww`, `threshold`, `none` or `model:<id>`. */
  name: string;
  /** A stored model's name and whether it passed its gate on the trader's criterion when the run started (null for a classical policy). */
  model: { id: number; name: string; kind: string; passedGate: boolean } | null;
  /** What identifies the policy in its hash (parameters, a model's SHA-256). */
  spec: Record<string, unknown>;
  /** Downsampled to at most MAX_BACKTEST_PATH_POINTS: the first, the last, the worst drawdown's peak and trough, and every bucket's extremes, of the coin and the USD P&L, kept. */
  path: BacktestPointDto[];
  /** Points of the whole path. */
  pathPoints: number;
  /** SHA-256 of the policy's whole result (full path) with its context: the CLI's for the same inputs. */
  sha256: string;
}

/** What a backtest ran on and how far it got (app/backtest/backtest.ts `BacktestResult` extends this). */
export interface BacktestRunFacts {
  session: { id: number; name: string; source: string; firstEventMs: number | null; lastEventMs: number | null; events: number };
  currency: Currency;
  rebalance: string;
  hedgeInstrument: string;
  /** Where the hedge's taker fee came from: the recorded instrument data, or Deribit's schedule (Tardis has none). */
  hedgeFeeSource: 'instrument' | 'schedule' | null;
  /** The options and their marks (coin) at the first rebalance and at the end (null: no quote then). */
  book: { instrument: string; quantity: number; startMarkCoin: number; endMarkCoin: number | null }[];
  /** Book rows not backtested, with why (a CSV row names its line). */
  skippedPositions: { line: number | null; instrument: string | null; reason: string }[];
  startMs: number | null;
  endMs: number | null;
  eventsApplied: number;
  eventsRejected: number;
  lastRejection: string | null;
  /** True when the run was stopped (Ctrl-C, the app's Cancel) before the session's end. */
  partial: boolean;
}

export interface BacktestResultDto extends BacktestRunFacts {
  policies: BacktestPolicyDto[];
  definitions: Record<string, string>;
  /** SHA-256 of the whole result (full paths), as `gammadesk backtest --format json` prints it. */
  resultSha256: string;
}

export type BacktestBookDto = { kind: 'short-call'; contracts: number } | { kind: 'current' };
export type BacktestRebalanceDto = { kind: 'interval'; seconds: number } | { kind: 'every' };

/** One backtest run; the `backtestJobs` stream carries this run's jobs, newest first. */
export interface BacktestJobDto {
  id: string;
  state: 'running' | 'done' | 'cancelled' | 'failed';
  /** "backtest session 3 "demo" BTC: bs-delta, ww, none". */
  label: string;
  request: { sessionId: number; currency: Currency; book: BacktestBookDto; rebalance: BacktestRebalanceDto; policies: string[] };
  /** Market-clock ms (the app's injected clock). */
  startedMs: number;
  finishedMs: number | null;
  /** 0..1 of the session's events, and the events applied so far. */
  progress: { fraction: number; events: number };
  /** The cancel was asked for: the run stops after its current chunk of events and keeps the partial result. */
  cancelRequested: boolean;
  /** Done, or cancelled with a partial result. */
  result: BacktestResultDto | null;
  error: string | null;
}

const currency = v.literal('BTC', 'ETH');
const POLICY = /^(bs-delta|ww|threshold|none|model:[1-9]\d{0,15})$/;

export const backtestCommands = {
  /**
   * Starts a backtest on the jobs pool; its progress and result come on `backtestJobs`. Unknown session or model:
   * NOT_FOUND; no policy or one given twice: INVALID_ARGUMENT.
   */
  'backtest.run': {
    params: v.object({
      sessionId: v.number({ min: 1, max: Number.MAX_SAFE_INTEGER, integer: true }),
      currency,
      book: v.variant('kind', [{ kind: v.literal('short-call'), contracts: v.number({ min: 0.1, max: 100_000 }) }, { kind: v.literal('current') }]),
      rebalance: v.variant('kind', [{ kind: v.literal('interval'), seconds: v.number({ min: 1, max: 7 * 86_400, integer: true }) }, { kind: v.literal('every') }]),
      policies: v.array(v.string({ maxLength: 40, pattern: POLICY }), { minLength: 1, maxLength: MAX_BACKTEST_POLICIES }),
    }),
    result: typed<BacktestJobDto>(),
  },
  /** Stops a running backtest after its current chunk of events; its partial result is kept, marked partial. */
  'backtest.cancel': { params: v.object({ id: v.string({ maxLength: 64, pattern: /^[A-Za-z0-9_-]+$/ }) }), result: typed<BacktestJobDto>() },
} as const satisfies CommandTable;

export const backtestTopics = {
  /** This run's backtests, newest first: the running ones and the last 3 finished. */
  backtestJobs: { params: v.object({}), payload: typed<BacktestJobDto[]>() },
} as const satisfies TopicTable;
