/**
 * What-if domain (issue 12, item 1, app/whatIfService.ts): a scratch copy of the book revalued beside the live one
 * (never written anywhere), the largest daily moves of the configured price history applied to the live book, and
 * the payoff chart's chosen dates.
 */
import type { RiskSettings, RiskSnapshot } from '../dto';
import { v } from '../validate';
import { typed, type CommandTable, type TopicTable } from './define';
import { MAX_INSTRUMENT_LENGTH, MAX_POSITIONS } from './positions';

const currency = v.literal('BTC', 'ETH');

/** The what-if book beside the live one, both computed now on the same market by the same function. */
export interface WhatIfResult {
  currency: 'BTC' | 'ETH';
  marketSeq: number;
  marketTimeMs: number;
  /** The live book's version the comparison was made against (the what-if never changes it). */
  bookVersion: number;
  live: RiskSnapshot;
  whatIf: RiskSnapshot;
  /** Lines sent, and those left out by their 1-based line number with the reason. */
  lines: number;
  refused: { line: number; instrument: string; reason: string }[];
}

/** One historical day applied to the live book (core/risk/historical.ts `historicalPnl`). */
export interface HistoricalScenarioDto {
  date: string;
  /** Fraction: −0.39 = −39 %. */
  spotMove: number;
  /** The DVOL change that day in vol points; null with `volReason` when the vol history does not cover it. */
  volShiftPoints: number | null;
  volReason: string | null;
  pnlUsd: number;
  pnlCoin: number;
  positions: { instrument: string; pnlUsd: number; pnlCoin: number }[];
  /** The what-if book's P&L on the same day, when the call sent one; null otherwise. */
  whatIf: { pnlUsd: number; pnlCoin: number } | null;
}

export interface HistoricalResult {
  currency: 'BTC' | 'ETH';
  /** False when no price history is configured for the currency: `reason` says how to configure one. */
  configured: boolean;
  reason: string | null;
  /** The configured files' names (no folders). */
  files: { prices: string; dvol: string | null } | null;
  marketTimeMs: number;
  marketSeq: number;
  bookVersion: number;
  indexUsd: number | null;
  /** Daily closes read, rows skipped as bad (the first ones listed by file and line), and their count. */
  rows: { prices: number; dvol: number };
  badRows: { file: string; line: number; reason: string }[];
  badRowCount: number;
  /** Worst first (the most negative USD P&L). */
  scenarios: HistoricalScenarioDto[];
  notes: string[];
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** A what-if book's lines, as `positions.set` takes a book's (the price currency follows from the instrument). */
const whatIfLines = v.array(
  v.object({
    instrument: v.string({ maxLength: MAX_INSTRUMENT_LENGTH }),
    amount: v.number({ min: -1e9, max: 1e9 }),
    averagePrice: v.optional(v.number({ min: 0, max: 1e9 })),
  }),
  { maxLength: MAX_POSITIONS },
);

export const whatIfCommands = {
  /** Revalues a what-if book (the editor's lines) beside the live book; refused lines come back by number. */
  'risk.whatIf': {
    params: v.object({
      currency,
      positions: whatIfLines,
    }),
    result: typed<WhatIfResult>(),
  },
  /**
   * The `count` largest daily moves of the configured history (default 10), applied to the live book and, when
   * `positions` are given, to that what-if book too (its refused lines are left out, as in `risk.whatIf`).
   */
  'risk.historical': { params: v.object({ currency, count: v.optional(v.number({ min: 1, max: 50, integer: true })), positions: v.optional(whatIfLines) }), result: typed<HistoricalResult>() },
  /** The payoff chart's chosen days (YYYY-MM-DD, at most 3; an empty list clears them). */
  'risk.payoffDates.set': { params: v.object({ currency, dates: v.array(v.string({ maxLength: 10, pattern: DAY }), { maxLength: 3 }) }), result: typed<RiskSettings>() },
} as const satisfies CommandTable;

export const whatIfTopics = {} as const satisfies TopicTable;
