/**
 * `gammadesk margin … --compare RESPONSE.json`: the replica against a saved `private/pme/simulate` response, offline
 * and reproducible (core/risk/pmCompare.ts). The file is Deribit's JSON-RPC reply (`{"jsonrpc", "result": …}`) or
 * its bare `result`. For each currency the response has margins for:
 *   - the replica runs with the response's `model_params` (unless `--params` is given), and with Deribit's MMP,
 *     open-order and spot margins added to IM (the replica sees no orders);
 *   - the index is the response's `index_price` and futures and perpetuals are marked at its `ticker` mark prices
 *     where it has them (so both sides see one market; said in the notes); options keep the chain file's marks.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Currency } from '../../core/market/events';
import { comparePm, type PmComparison, type PmeSimulateResult } from '../../core/risk/pmCompare';
import { parsePmeSimulate } from '../../feeds/deribit/pmeParse';
import { snakeCase } from '../snakeCase';

export interface LoadedPmeResponse {
  file: string;
  results: Partial<Record<Currency, PmeSimulateResult>>;
}

/** Reads and validates a saved response; the error names the file and the JSON path. */
export function loadPmeResponse(file: string): LoadedPmeResponse {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`--compare ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const result = typeof json === 'object' && json !== null && 'result' in json && 'jsonrpc' in json ? (json as { result: unknown }).result : json;
  const margins = typeof result === 'object' && result !== null ? (result as { margins?: unknown }).margins : undefined;
  const keys = typeof margins === 'object' && margins !== null ? Object.keys(margins) : [];
  const currencies = (['BTC', 'ETH'] as const).filter((c) => keys.includes(c.toLowerCase()));
  if (currencies.length === 0) throw new Error(`--compare ${file}: not a pme/simulate result (no margins.btc or margins.eth)`);
  const results: LoadedPmeResponse['results'] = {};
  for (const currency of currencies) {
    const parsed = parsePmeSimulate(result, currency);
    if (!parsed.ok) throw new Error(`--compare ${file}: ${parsed.error.message}`);
    results[currency] = parsed.value;
  }
  return { file, results };
}

/** The market the response says Deribit saw: index per currency and delta-one marks (USD). */
export function responseMarket(loaded: LoadedPmeResponse): { indexUsd: Partial<Record<Currency, number>>; marks: Record<string, number> } {
  const indexUsd: Partial<Record<Currency, number>> = {};
  const marks: Record<string, number> = {};
  for (const result of Object.values(loaded.results)) {
    if (result.indexUsd !== null) indexUsd[result.currency] = result.indexUsd;
    for (const [name, mark] of Object.entries(result.marks)) if (/^(BTC|ETH)-(PERPETUAL|\d{1,2}[A-Z]{3}\d{2})$/.test(name)) marks[name] = mark;
  }
  return { indexUsd, marks };
}

/** The comparison as the command prints it (snake_case keys). */
export function comparisonJson(comparison: PmComparison, file: string, paramsSource: string): Record<string, unknown> {
  return { response: basename(file), params_source: paramsSource, difference: 'replica - deribit (coin, and % of |deribit|)', ...snakeCase(comparison) } as Record<string, unknown>;
}

/** A few lines for `--format text`. */
export function comparisonText(comparison: PmComparison): string[] {
  const f = (x: number): string => x.toExponential(3).padStart(11);
  const p = (x: number | null): string => (x === null ? '     n/a' : `${x.toFixed(4).padStart(8)} %`);
  const lines = [`  replica vs Deribit (replica − Deribit):`];
  for (const [field, d] of Object.entries(comparison.margins)) lines.push(`    ${field.padEnd(18)} ${d.replica.toFixed(9)} vs ${d.deribit.toFixed(9)}  ${f(d.diff)} ${p(d.percent)}`);
  const maxAbs = (list: readonly { diff: number }[]): number => list.reduce((m, d) => Math.max(m, Math.abs(d.diff)), 0);
  lines.push(`    standard vector: largest |difference| ${maxAbs(comparison.standard).toExponential(3)}; extended: ${maxAbs(comparison.extended).toExponential(3)}`);
  lines.push(`    worst case: replica ${comparison.worstCaseBucket.replica.source} ${comparison.worstCaseBucket.replica.index}, Deribit ${comparison.worstCaseBucket.deribit.source} ${comparison.worstCaseBucket.deribit.index}${comparison.worstCaseBucket.same ? ' (same)' : ' (DIFFERENT)'}`);
  lines.push(`    largest difference: ${comparison.largest.label} ${comparison.largest.diff.toExponential(3)}`);
  return lines;
}

export { comparePm };
