/**
 * A learned policy from its model file (the export of `gammadesk train`) as a backtest policy: the file is
 * parsed and checked (core/learn/network.ts importPolicy, errors naming the field) and applied to the book through
 * the advisor's adapter (core/hedge/learnedPolicy.ts: per-option bands summed over the book, the perpetual traded
 * to the band's nearest edge). The file's SHA-256 identifies it in the result's hash.
 */
import { defaultHedgeSettings } from '../../core/hedge/settings';
import { LearnedPolicy, PATH_DEPENDENT_REFUSAL } from '../../core/hedge/learnedPolicy';
import { importPolicy } from '../../core/learn/network';
import type { Currency } from '../../core/market/events';
import type { BacktestPolicySpec } from './backtest';

export function learnedPolicySpec(name: string, text: string, currency: Currency, hash: (text: string) => string): BacktestPolicySpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not a model file (not JSON: ${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const { policy: network } = importPolicy(json);
  if (network.pathDependent) throw new Error(`model ${name}: ${PATH_DEPENDENT_REFUSAL}`);
  const maxBookShare = defaultHedgeSettings(currency).maxBookShare;
  return {
    name,
    policy: new LearnedPolicy(network, { id: null, name }, { maxBookShare }),
    // The adapter trades to its own band and ignores the delta target; the tolerance is not used.
    objectives: () => ({ currency, delta: { target: 0, tolerance: 0, unit: 'coin' } }),
    spec: { policy: 'learned', kind: network.kind, model: name, model_sha256: hash(text), hedge: `${currency}-PERPETUAL`, max_book_share: maxBookShare },
  };
}
