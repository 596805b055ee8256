/**
 * The two published `private/pme/simulate` responses of ../shared/reference/deribit_margin_cases.json, as the
 * `result` object Deribit sent (read at run time, never copied into the project):
 *   deribit_docs_pme_simulate_btc_2024     Deribit's API reference example (BTC perpetual + dated future);
 *   mainnet_capture_pme_simulate_eth_2026  a real mainnet response (short ETH perpetual), captured by a third party.
 * The case file keeps the response's parts under `inputs` (model_params, index_price, ticker) and
 * `published_outputs` (vectors, margins); they are put back together here. `positions` is the book Deribit
 * evaluated, size in base currency (the `simulated_positions` that give this response).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface PmeReferenceCase {
  id: string;
  currency: 'BTC' | 'ETH';
  positions: Record<string, number>;
  /** Expiry of each dated future, ISO (perpetuals absent). */
  expiries: Record<string, string>;
  /** `model_params.general.timestamp`, epoch ms: when Deribit evaluated. */
  atMs: number;
  result: Record<string, unknown>;
}

interface CaseJson {
  id: string;
  inputs: {
    positions_base_currency: Record<string, number>;
    index_price: Record<string, number>;
    ticker: Record<string, Record<string, number>>;
    instrument_expiry_utc?: Record<string, string | null>;
    model_params: { general: { timestamp: number } };
  };
  published_outputs: Record<string, unknown>;
}

export const PME_REFERENCE_IDS = ['deribit_docs_pme_simulate_btc_2024', 'mainnet_capture_pme_simulate_eth_2026'] as const;

export function pmeReferenceCases(sharedDir = resolve(process.cwd(), '../shared')): PmeReferenceCase[] {
  const cases = JSON.parse(readFileSync(resolve(sharedDir, 'reference/deribit_margin_cases.json'), 'utf8')) as CaseJson[];
  return PME_REFERENCE_IDS.map((id) => {
    const c = cases.find((x) => x.id === id);
    if (!c) throw new Error(`deribit_margin_cases.json has no case ${id}`);
    const currency = id.includes('_btc_') ? 'BTC' : 'ETH';
    const expiries: Record<string, string> = {};
    for (const [name, iso] of Object.entries(c.inputs.instrument_expiry_utc ?? {})) if (iso) expiries[name] = iso;
    return {
      id,
      currency,
      positions: { ...c.inputs.positions_base_currency },
      expiries,
      atMs: c.inputs.model_params.general.timestamp,
      result: structuredClone({ model_params: c.inputs.model_params, index_price: c.inputs.index_price, ticker: c.inputs.ticker, ...c.published_outputs }),
    };
  });
}

/** True when two `{instrument: size}` books hold the same instruments with the same sizes (to 1e-9 coin). */
export function sameBook(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean {
  const names = new Set([...Object.keys(a), ...Object.keys(b)].filter((n) => (a[n] ?? 0) !== 0 || (b[n] ?? 0) !== 0));
  for (const name of names) if (Math.abs((a[name] ?? 0) - (b[name] ?? 0)) > 1e-9) return false;
  return true;
}
