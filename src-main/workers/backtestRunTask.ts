/**
 * Jobs-pool task `backtestRun`: `runBacktest` (app/backtest/backtest.ts, the same run as `gammadesk backtest`) on the
 * low-priority jobs thread, for the Models view's backtest panel (app/backtestService.ts). The thread opens the
 * database read-only (WAL lets it read beside the app's writer), builds the policies from their names (a stored
 * model comes as its JSON text: the main thread read it), and reports progress on the port; a `cancel` message
 * stops the run after its current chunk of events and the partial result is returned, marked partial.
 */
import { createHash } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { BacktestInputError, runBacktest, type BacktestBookSpec, type BacktestPolicySpec, type BacktestResult, type RebalanceSpec } from '../app/backtest/backtest';
import { learnedPolicySpec } from '../app/backtest/learned';
import { classicalPolicy, isClassicalPolicy } from '../app/backtest/policies';
import type { Currency } from '../core/market/events';

export interface BacktestRunInput {
  dbPath: string;
  nativeBinding?: string;
  /** The session's id (a number: looked up by id only, never as a name). */
  session: number;
  currency: Currency;
  book: BacktestBookSpec;
  rebalance: RebalanceSpec;
  /** Classical names, or a stored model as `model:<id>` with its JSON text. */
  policies: ({ kind: 'classical'; name: string } | { kind: 'model'; name: string; text: string })[];
  /** Events between progress reports and cancel checks (runBacktest's default 2000). */
  chunk?: number;
}

export type BacktestRunToMain = { type: 'progress'; fraction: number; events: number };
export type BacktestRunToWorker = { type: 'cancel' };

/** The run's result, or why it could not start (an input error: the service says INVALID_ARGUMENT-like things). */
export type BacktestRunResult = { ok: true; result: BacktestResult } | { ok: false; inputError: boolean; message: string; cancelled: boolean };

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The policy specs of a run, by the names the CLI takes (errors name the policy). */
export function backtestPolicies(policies: BacktestRunInput['policies'], currency: Currency): BacktestPolicySpec[] {
  return policies.map((p) => {
    if (p.kind === 'classical') {
      if (!isClassicalPolicy(p.name)) throw new BacktestInputError(`unknown policy ${JSON.stringify(p.name)}`);
      return classicalPolicy(p.name, currency);
    }
    try {
      return learnedPolicySpec(p.name, p.text, currency, sha256);
    } catch (error) {
      throw new BacktestInputError(`${p.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

export async function backtestRun(input: BacktestRunInput & { port: MessagePort }): Promise<BacktestRunResult> {
  const { port } = input;
  const abort = new AbortController();
  port.on('message', (message: BacktestRunToWorker) => {
    if (message.type === 'cancel') abort.abort();
  });
  // The main side gone (the app closing): stop as if cancelled.
  port.on('close', () => abort.abort());
  try {
    const result = await runBacktest({
      dbPath: input.dbPath,
      ...(input.nativeBinding ? { nativeBinding: input.nativeBinding } : {}),
      session: input.session,
      currency: input.currency,
      book: input.book,
      rebalance: input.rebalance,
      policies: backtestPolicies(input.policies, input.currency),
      hash: sha256,
      signal: abort.signal,
      ...(input.chunk !== undefined ? { chunk: input.chunk } : {}),
      onProgress: (fraction, events) => port.postMessage({ type: 'progress', fraction, events } satisfies BacktestRunToMain),
    });
    return { ok: true, result };
  } catch (error) {
    return { ok: false, inputError: error instanceof BacktestInputError, message: error instanceof Error ? error.message : String(error), cancelled: abort.signal.aborted };
  } finally {
    port.close();
  }
}
