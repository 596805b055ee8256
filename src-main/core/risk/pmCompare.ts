/**
 * The portfolio-margin replica (pm.ts) against Deribit's own `private/pme/simulate` answer for the same book: the
 * replica's real test (issue 12, item 2; decision 0014 says the option vol shock is a third-party reading that only
 * this comparison can confirm).
 *
 * Compared, each as replica − Deribit in coin and in % of Deribit's value (null where Deribit's value is 0 and the
 * replica's is not):
 *   - the aggregated risk vector entry by entry: 27 standard (9 price moves × vol up / unchanged / down) and 8
 *     extended entries (after dampener and pnl_offset, as Deribit reports them);
 *   - each instrument's initial vector, as its largest absolute entry difference (instruments only one side has
 *     are named with the reason);
 *   - IM, MM, risk-matrix margin, worst case, roll shock, delta shock, and the worst-case bucket (same or not).
 * The largest absolute coin difference of all of these is named, so the UI can point at it.
 *
 * Deribit's IM includes MMP, open-order and spot margins the replica cannot know (it sees no orders): the replica is
 * given Deribit's own figures for them ({@link pmExtrasOf}), so IM compares the risk matrix and add-ons only.
 */
import type { Currency } from '../market/events';
import { positionVector, type PmBook, type PmExtras, type PmWorstCase } from './pm';
import type { DeribitModelParams } from './pmParams';

export interface PmeVectors {
  standard: number[];
  extended: number[];
}

/** One currency's `private/pme/simulate` result (feeds/deribit/pmeParse.ts). Coin amounts in the currency's coin. */
export interface PmeSimulateResult {
  currency: Currency;
  /** The live parameters Deribit evaluated with; null when the result has none. */
  modelParams: DeribitModelParams | null;
  /** `model_params.general.timestamp`, epoch ms. */
  modelParamsTimestampMs: number | null;
  /** `index_price.<coin>_usd`, USD; null when absent. */
  indexUsd: number | null;
  /** `ticker.<instrument>.mark_price` (USD for inverse futures and perpetuals, coin for inverse options). */
  marks: Record<string, number>;
  initial: Record<string, PmeVectors>;
  preAggregated: PmeVectors | null;
  aggregated: PmeVectors;
  margins: {
    initialMargin: number;
    maintenanceMargin: number;
    riskMatrixMargin: number;
    mmpMargin: number;
    openOrdersMargin: number;
    spotMargin: number;
    worstCase: number;
    worstCaseBucket: { source: 'standard' | 'extended'; index: number; bucket: number; side: 'left' | 'centre' | 'right' };
    rollShock: number;
    deltaShock: number;
    correlationContingency: number;
  };
}

/** One compared number: replica − Deribit, coin and %. */
export interface PmDifference {
  replica: number;
  deribit: number;
  diff: number;
  /** diff / |Deribit| × 100; 0 when both are 0; null when only Deribit's is 0. */
  percent: number | null;
}

export type PmMarginField = 'initialMargin' | 'maintenanceMargin' | 'riskMatrixMargin' | 'worstCase' | 'rollShock' | 'deltaShock';
export const PM_MARGIN_FIELDS: readonly PmMarginField[] = ['initialMargin', 'maintenanceMargin', 'riskMatrixMargin', 'worstCase', 'rollShock', 'deltaShock'];

export interface PmComparison {
  currency: Currency;
  /** Aggregated vectors entry by entry. */
  standard: PmDifference[];
  extended: PmDifference[];
  margins: Record<PmMarginField, PmDifference>;
  worstCaseBucket: { replica: Pick<PmWorstCase, 'source' | 'index' | 'bucket' | 'side'>; deribit: PmeSimulateResult['margins']['worstCaseBucket']; same: boolean };
  /** Per instrument: the largest absolute difference of its initial vector, coin; null with the reason when only one side has it. */
  instruments: { instrument: string; maxAbsDiff: number | null; reason: string | null }[];
  /** The largest absolute coin difference of everything above (`standard[12]`, `extended[3]`, `initialMargin`, …). */
  largest: { label: string; diff: number; percent: number | null };
  /** The index each side used, USD (Deribit's null when it did not say). */
  indexUsd: { replica: number; deribit: number | null };
}

export class PmCompareError extends Error {
  override readonly name = 'PmCompareError';
}

export function pmDifference(replica: number, deribit: number): PmDifference {
  const diff = replica - deribit;
  return { replica, deribit, diff, percent: deribit !== 0 ? (diff / Math.abs(deribit)) * 100 : diff === 0 ? 0 : null };
}

/** Deribit's IM components outside the risk matrix, for the replica (it has no orders of its own). */
export function pmExtrasOf(deribit: PmeSimulateResult): PmExtras {
  return { mmpMargin: deribit.margins.mmpMargin, openOrdersMargin: deribit.margins.openOrdersMargin, spotMargin: deribit.margins.spotMargin };
}

function entries(replica: readonly number[], deribit: readonly number[], what: string): PmDifference[] {
  if (replica.length !== deribit.length) {
    throw new PmCompareError(`Deribit sent ${deribit.length} ${what} entries, the replica has ${replica.length} (different buckets_count or extended moves)`);
  }
  return replica.map((value, k) => pmDifference(value, deribit[k]!));
}

/**
 * Compares the replica's `book` (built with Deribit's `model_params` and {@link pmExtrasOf}) with Deribit's result.
 * @throws PmCompareError when the vectors have different lengths or the currencies differ.
 */
export function comparePm(book: PmBook, deribit: PmeSimulateResult): PmComparison {
  if (book.currency !== deribit.currency) throw new PmCompareError(`the replica is ${book.currency}, Deribit's result is ${deribit.currency}`);
  const m = book.margin;
  const standard = entries(m.standard, deribit.aggregated.standard, 'standard');
  const extended = entries(m.extended, deribit.aggregated.extended, 'extended');
  const dm = deribit.margins;
  const margins: Record<PmMarginField, PmDifference> = {
    initialMargin: pmDifference(m.initialMargin, dm.initialMargin),
    maintenanceMargin: pmDifference(m.maintenanceMargin, dm.maintenanceMargin),
    riskMatrixMargin: pmDifference(m.riskMatrixMargin, dm.riskMatrixMargin),
    worstCase: pmDifference(m.worstCase, dm.worstCase),
    rollShock: pmDifference(m.rollShock, dm.rollShock),
    deltaShock: pmDifference(m.deltaShock, dm.deltaShock),
  };
  // Per instrument: the sum of the replica's rows of that instrument against Deribit's initial vector.
  const rows = new Map<string, number[]>();
  book.positions.forEach((position, i) => {
    const v = positionVector(book, i);
    const row = [...v.standard, ...v.extended];
    const sum = rows.get(position.instrument);
    rows.set(position.instrument, sum ? sum.map((x, k) => x + row[k]!) : row);
  });
  const instruments: PmComparison['instruments'] = [];
  for (const [instrument, row] of rows) {
    const theirs = deribit.initial[instrument];
    if (!theirs) {
      instruments.push({ instrument, maxAbsDiff: null, reason: 'Deribit has no risk vector for it' });
      continue;
    }
    const other = [...theirs.standard, ...theirs.extended];
    if (other.length !== row.length) {
      instruments.push({ instrument, maxAbsDiff: null, reason: `Deribit sent ${other.length} entries, the replica has ${row.length}` });
      continue;
    }
    instruments.push({ instrument, maxAbsDiff: row.reduce((max, x, k) => Math.max(max, Math.abs(x - other[k]!)), 0), reason: null });
  }
  for (const instrument of Object.keys(deribit.initial)) {
    if (!rows.has(instrument)) instruments.push({ instrument, maxAbsDiff: null, reason: 'not in the replica\'s book' });
  }
  let largest: PmComparison['largest'] = { label: 'standard[0]', diff: 0, percent: 0 };
  const consider = (label: string, d: PmDifference): void => {
    if (Math.abs(d.diff) > Math.abs(largest.diff)) largest = { label, diff: d.diff, percent: d.percent };
  };
  standard.forEach((d, k) => consider(`standard[${k}]`, d));
  extended.forEach((d, k) => consider(`extended[${k}]`, d));
  for (const field of PM_MARGIN_FIELDS) consider(field, margins[field]);
  const mine = m.worstCaseBucket;
  const theirs = dm.worstCaseBucket;
  return {
    currency: book.currency,
    standard,
    extended,
    margins,
    worstCaseBucket: {
      replica: { source: mine.source, index: mine.index, bucket: mine.bucket, side: mine.side },
      deribit: theirs,
      same: mine.source === theirs.source && mine.index === theirs.index,
    },
    instruments,
    largest,
    indexUsd: { replica: book.indexUsd, deribit: deribit.indexUsd },
  };
}
