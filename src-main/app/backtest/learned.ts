/**
 * A learned policy from its model file (the export of `gammadesk train`) as a backtest policy: the file is
 * parsed and checked (core/learn/network.ts importPolicy, errors naming the field), and applied to the book
 * through the advisor's learned-policy adapter. The file's SHA-256 identifies it in the result's hash.
 */
import { importPolicy } from '../../core/learn/network';
import type { Currency } from '../../core/market/events';
import type { BacktestPolicySpec } from './backtest';

export function learnedPolicySpec(name: string, text: string, currency: Currency, hash: (text: string) => string): BacktestPolicySpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const { policy } = importPolicy(json);
  void policy;
  void currency;
  void hash;
  throw new Error(`${name}: the learned-policy adapter (core/hedge/learnedPolicy.ts) is not in this build yet`);
}
