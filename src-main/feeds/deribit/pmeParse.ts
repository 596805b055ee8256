/**
 * Deribit `private/pme/simulate` result → typed value (one currency's portfolio-margin evaluation).
 *
 * Request (docs.deribit.com/api-reference/account-management/private-simulate; scope `account:read`):
 *   `currency` (BTC, ETH, USDC, USDT or CROSS), `add_positions` (default true: the simulated positions are added to
 *   the account's; false: only the simulated ones are evaluated), `simulated_positions` `{instrument: size}` with
 *   the size in the BASE currency for every instrument, futures included (../shared/reference/deribit_margin.md §2).
 *
 * Result fields read here (the example response and a mainnet capture, ../shared/reference/deribit_margin_cases.json):
 *   `model_params` (the live parameters), `initial_risk_vectors` `{instrument: {standard[27], extended[8]}}`,
 *   `pre_aggregated_risk_vectors` (since Release 13.01.2026; optional) and `aggregated_risk_vectors` keyed
 *   `<coin>_<coin>` (`btc_btc`), `margins.<coin>` with `initial_margin`, `maintenance_margin` and
 *   `initial_margin_details` {risk_matrix_margin, mmp_margin, open_orders_margin, spot_margin,
 *   risk_matrix_margin_details {worst_case, worst_case_bucket, roll_shock, delta_shock, correlation_contingency}},
 *   and, when present, `index_price` `{btc_usd: …}` and `ticker` `{instrument: {mark_price, …}}`.
 *
 * Pure, like parse.ts: every field that is used is validated, and a bad payload yields a {@link DeribitParseError}
 * naming the JSON path and the offending value, never a throw.
 */
import type { Currency } from '../../core/market/events';
import type { DeribitModelParams } from '../../core/risk/pmParams';
import type { PmeVectors, PmeSimulateResult } from '../../core/risk/pmCompare';
import { DeribitParseError, describe, fail, fieldError, NON_NEGATIVE, ok, Reader, SchemaViolation, type ParseResult } from './parse';

/** The request parameters for one currency's evaluation of exactly `positions` (size in base currency). */
export function pmeSimulateParams(currency: Currency, positions: Readonly<Record<string, number>> | null): Record<string, unknown> {
  return positions === null ? { currency } : { currency, add_positions: false, simulated_positions: { ...positions } };
}

function numbers(value: unknown, path: string, length: number | null): number[] {
  if (!Array.isArray(value)) throw new SchemaViolation(path, `expected an array of numbers, got ${describe(value)}`);
  if (length !== null && value.length !== length) throw new SchemaViolation(path, `expected ${length} entries, got ${value.length}`);
  return value.map((entry, i) => {
    if (typeof entry !== 'number' || !Number.isFinite(entry)) throw new SchemaViolation(`${path}[${i}]`, `expected a finite number, got ${describe(entry)}`);
    return entry;
  });
}

function vectors(value: unknown, path: string): PmeVectors {
  const r = Reader.of(value, path);
  const standard = numbers(r.raw('standard'), r.at('standard'), null);
  const extended = numbers(r.raw('extended'), r.at('extended'), null);
  return { standard, extended };
}

const SIDES = ['left', 'right', 'centre', 'center'] as const;
const SOURCES = ['standard', 'extended'] as const;

/**
 * The result of `private/pme/simulate` for `currency`.
 * @returns an error naming the path (e.g. `result.margins.btc.initial_margin`) when a used field is missing or wrong.
 */
export function parsePmeSimulate(result: unknown, currency: Currency): ParseResult<PmeSimulateResult> {
  const coin = currency.toLowerCase();
  try {
    const r = Reader.of(result, 'result');
    const modelRaw = r.raw('model_params');
    const model = modelRaw === undefined || modelRaw === null ? null : Reader.of(modelRaw, 'result.model_params');
    const general = model?.has('general') ? Reader.of(model.raw('general'), 'result.model_params.general') : null;
    const initialRaw = Reader.of(r.raw('initial_risk_vectors'), 'result.initial_risk_vectors');
    const initial: Record<string, PmeVectors> = {};
    for (const [instrument, value] of Object.entries(r.raw('initial_risk_vectors') as Record<string, unknown>)) {
      initial[instrument] = vectors(value, initialRaw.at(instrument));
    }
    const key = `${coin}_${coin}`;
    const aggregatedAll = Reader.of(r.raw('aggregated_risk_vectors'), 'result.aggregated_risk_vectors');
    if (!aggregatedAll.has(key)) throw new SchemaViolation(aggregatedAll.at(key), `no aggregated vectors for ${currency}`);
    const aggregated = vectors(aggregatedAll.raw(key), aggregatedAll.at(key));
    let preAggregated: PmeVectors | null = null;
    if (r.has('pre_aggregated_risk_vectors')) {
      const pre = Reader.of(r.raw('pre_aggregated_risk_vectors'), 'result.pre_aggregated_risk_vectors');
      if (pre.has(key)) preAggregated = vectors(pre.raw(key), pre.at(key));
    }
    const marginsAll = Reader.of(r.raw('margins'), 'result.margins');
    const m = Reader.of(marginsAll.raw(coin), marginsAll.at(coin));
    const d = Reader.of(m.raw('initial_margin_details'), m.at('initial_margin_details'));
    const rm = Reader.of(d.raw('risk_matrix_margin_details'), d.at('risk_matrix_margin_details'));
    const bucket = Reader.of(rm.raw('worst_case_bucket'), rm.at('worst_case_bucket'));
    const side = bucket.oneOf('side', SIDES);
    let indexUsd: number | null = null;
    if (r.has('index_price')) {
      const index = Reader.of(r.raw('index_price'), 'result.index_price');
      indexUsd = index.optionalNumber(`${coin}_usd`, NON_NEGATIVE);
    }
    const marks: Record<string, number> = {};
    if (r.has('ticker')) {
      const tickers = Reader.of(r.raw('ticker'), 'result.ticker');
      for (const instrument of Object.keys(r.raw('ticker') as Record<string, unknown>)) {
        const mark = Reader.of(tickers.raw(instrument), tickers.at(instrument)).optionalNumber('mark_price', NON_NEGATIVE);
        if (mark !== null) marks[instrument] = mark;
      }
    }
    return ok({
      currency,
      modelParams: model === null ? null : (modelRaw as DeribitModelParams),
      modelParamsTimestampMs: general?.optionalNumber('timestamp', NON_NEGATIVE) ?? null,
      indexUsd,
      marks,
      initial,
      preAggregated,
      aggregated,
      margins: {
        initialMargin: m.number('initial_margin', NON_NEGATIVE),
        maintenanceMargin: m.number('maintenance_margin', NON_NEGATIVE),
        riskMatrixMargin: d.number('risk_matrix_margin', NON_NEGATIVE),
        mmpMargin: d.optionalNumber('mmp_margin', NON_NEGATIVE) ?? 0,
        openOrdersMargin: d.optionalNumber('open_orders_margin', NON_NEGATIVE) ?? 0,
        spotMargin: d.optionalNumber('spot_margin', NON_NEGATIVE) ?? 0,
        worstCase: rm.number('worst_case'),
        worstCaseBucket: { source: bucket.oneOf('source', SOURCES), index: bucket.number('index', NON_NEGATIVE), bucket: bucket.number('bucket', NON_NEGATIVE), side: side === 'center' ? 'centre' : side },
        rollShock: rm.number('roll_shock', NON_NEGATIVE),
        deltaShock: rm.number('delta_shock', NON_NEGATIVE),
        correlationContingency: rm.optionalNumber('correlation_contingency', NON_NEGATIVE) ?? 0,
      },
    });
  } catch (error) {
    if (error instanceof DeribitParseError) return fail(error);
    return fail(fieldError(error, null, null));
  }
}
