/**
 * `gammadesk backtest SESSION --policy …`: hedge policies side by side on a recorded session (app/backtest/).
 * A progress bar on stderr; Ctrl-C stops after the current chunk of events and prints the partial result,
 * marked partial.
 */
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import { positiveFlag, UsageError, type ParsedArgs } from '../args';
import { dbFlag, parsed, readTextFile, type CommandTable } from '../command';
import { parseDuration, ProgressBar } from '../progress';
import { snakeCase } from '../snakeCase';
import { defaultDbPath } from '../../app/paths';
import { BacktestInputError, runBacktest, type BacktestBookSpec, type BacktestPolicySpec, type BacktestResult, type PolicyResult, type RebalanceSpec } from '../../app/backtest/backtest';
import { CLASSICAL_POLICIES, classicalPolicy, isClassicalPolicy } from '../../app/backtest/policies';
import { learnedPolicySpec } from '../../app/backtest/learned';
import { CURRENCIES, type Currency } from '../../core/market/events';
import { openDatabase } from '../../store/database';
import { ModelRepository } from '../../store/models';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function rebalanceFlag(flags: ParsedArgs['flags']): RebalanceSpec {
  const raw = flags['rebalance'] ?? '1h';
  if (raw === 'every') return { kind: 'every' };
  if (typeof raw !== 'string') throw new UsageError('--rebalance needs a value');
  const ms = parsed('rebalance', (text) => {
    try {
      return parseDuration(text);
    } catch {
      throw new Error(`must be every or a duration such as 1h, 15m or 90s, got ${JSON.stringify(text)}`);
    }
  }, raw);
  return { kind: 'interval', ms, label: raw };
}

function currencyFlag(flags: ParsedArgs['flags']): Currency {
  const raw = flags['currency'] ?? 'BTC';
  if (typeof raw !== 'string' || !(CURRENCIES as readonly string[]).includes(raw)) throw new UsageError(`--currency must be one of ${CURRENCIES.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw as Currency;
}

function bookFlag(flags: ParsedArgs['flags']): BacktestBookSpec {
  const file = flags['positions'];
  const shortCall = flags['short-call'] === true;
  if ((typeof file === 'string') === shortCall) throw new UsageError('give the book: either --positions BOOK.csv or --short-call');
  if (shortCall) return { kind: 'short-call', contracts: 1 };
  try {
    return { kind: 'csv', file: file as string, text: readTextFile(file as string) };
  } catch (error) {
    throw new UsageError(`--positions: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A model stored by `gammadesk train --db` (the models table), as the text of its JSON export. */
function storedModel(dbPath: string, id: number): string {
  let db;
  try {
    db = openDatabase(dbPath, { readonly: true });
  } catch (error) {
    throw new UsageError(`--policy model:${id}: cannot open ${dbPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
  try {
    const model = new ModelRepository(db).model(id);
    if (model === null) throw new UsageError(`--policy model:${id}: no stored model ${id} (gammadesk models list shows them)`);
    return JSON.stringify(model);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--policy model:${id}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db.close();
  }
}

function policyFlags(args: ParsedArgs, currency: Currency, dbPath: string): BacktestPolicySpec[] {
  const names = args.lists?.['policy'] ?? [];
  if (names.length === 0) throw new UsageError(`give at least one --policy (${CLASSICAL_POLICIES.join(', ')}, MODEL.json or model:ID)`);
  const params = { ...optional('deltaBand', positiveFlag(args.flags, 'delta-band')), ...optional('riskAversion', positiveFlag(args.flags, 'risk-aversion')) };
  const specs: BacktestPolicySpec[] = [];
  for (const name of names) {
    const stored = /^model:(\d+)$/.exec(name);
    if (isClassicalPolicy(name)) specs.push(classicalPolicy(name, currency, params));
    else if (stored) {
      const text = storedModel(dbPath, Number(stored[1]));
      try {
        specs.push(learnedPolicySpec(name, text, currency, sha256));
      } catch (error) {
        throw new UsageError(`--policy ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    else if (name.toLowerCase().endsWith('.json')) {
      try {
        specs.push(learnedPolicySpec(basename(name), readTextFile(name), currency, sha256));
      } catch (error) {
        throw new UsageError(`--policy ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    } else throw new UsageError(`--policy must be ${CLASSICAL_POLICIES.join(', ')}, a model file (MODEL.json from gammadesk train) or a stored model (model:ID), got ${JSON.stringify(name)}`);
  }
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new UsageError(`--policy ${spec.name} is given twice`);
    seen.add(spec.name);
  }
  return specs;
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

const iso = (ms: number | null): string => (ms === null ? '—' : new Date(ms).toISOString().replace('.000Z', 'Z'));

function num(value: number | null, digits = 6): string {
  if (value === null) return 'null';
  if (value === 0) return '0';
  return Math.abs(value) >= 1000 ? value.toFixed(2) : value.toPrecision(digits);
}

/** The side-by-side table of the text report. */
export function formatBacktest(result: BacktestResult): string {
  const c = result.currency;
  const lines: string[] = [];
  lines.push(`backtest of session ${JSON.stringify(result.session.name)} (${result.session.source}, ${result.session.events} events) ${c}, rebalance ${result.rebalance}, hedge ${result.hedgeInstrument}${result.hedgeFeeSource === 'schedule' ? " (taker fee from Deribit's schedule: the source gave none)" : ''}${result.partial ? ' — PARTIAL: stopped before the end' : ''}`);
  lines.push(`market time ${iso(result.startMs)} → ${iso(result.endMs)}; ${result.eventsApplied} events applied, ${result.eventsRejected} rejected${result.lastRejection ? ` (last: ${result.lastRejection})` : ''}`);
  for (const leg of result.book) lines.push(`book: ${leg.quantity > 0 ? '+' : ''}${leg.quantity} ${leg.instrument} (start mark ${num(leg.startMarkCoin)} ${c})`);
  for (const s of result.skippedPositions) lines.push(`skipped${s.line !== null ? ` line ${s.line}` : ''}: ${s.reason}`);
  const rows: [string, (p: PolicyResult) => string][] = [
    ['rebalances', (p) => String(p.rebalances)],
    ['orders / fills', (p) => `${p.orders} / ${p.fills}`],
    ['turnover USD', (p) => num(p.turnoverUsd)],
    [`fees ${c}`, (p) => num(p.feesCoin)],
    [`spread cost ${c}`, (p) => num(p.spreadCostCoin)],
    [`funding ${c}`, (p) => num(p.fundingCoin)],
    [`option P&L ${c}`, (p) => num(p.optionPnlCoin)],
    [`hedge P&L ${c}`, (p) => num(p.hedgePnlCoin)],
    [`final P&L ${c}`, (p) => num(p.finalPnlCoin)],
    ['final P&L USD', (p) => num(p.finalPnlUsd)],
    [`worst drawdown ${c}`, (p) => num(p.worstDrawdownCoin)],
    [`ES 95% interval ${c}`, (p) => (p.expectedShortfallCoin.value === null ? 'null' : `${num(p.expectedShortfallCoin.value)} (${p.expectedShortfallCoin.tail}/${p.expectedShortfallCoin.intervals})`)],
    ['sha256', (p) => p.sha256.slice(0, 16)],
  ];
  const cells = rows.map(([label, cell]) => [label, ...result.policies.map(cell)]);
  const width = Math.max(...result.policies.map((p) => p.name.length), ...cells.flatMap((row) => row.slice(1).map((c) => c.length)));
  lines.push('', `${''.padEnd(22)}${result.policies.map((p) => p.name.padStart(width + 2)).join('')}`);
  for (const [label, ...values] of cells) lines.push(`${label!.padEnd(22)}${values.map((v) => v.padStart(width + 2)).join('')}`);
  for (const p of result.policies) {
    if (p.skippedRebalances > 0) lines.push(`${p.name}: ${p.skippedRebalances} rebalances skipped (last: ${p.lastSkipReason})`);
    if (p.blockedProposals > 0) lines.push(`${p.name}: ${p.blockedProposals} proposals could not reach their band in the recorded market (last: ${p.lastBlockedReason})`);
    for (const note of p.notes) lines.push(`${p.name}: ${note}`);
  }
  lines.push(`result sha256 ${result.resultSha256}`);
  return lines.join('\n');
}

/** JSON with snake_case keys; `sha256` stays one word. */
export function backtestJson(result: BacktestResult): string {
  return JSON.stringify(snakeCase(result), null, 2).replace(/"((?:[a-z_]+_)?)sha_256":/g, '"$1sha256":');
}

export const backtestCommands: CommandTable = {
  backtest: {
    summary: 'backtest hedge policies side by side on a recorded session (paper fills at the recorded books)',
    usage: `gammadesk backtest SESSION --policy ${CLASSICAL_POLICIES.join('|')}|MODEL.json|model:ID [--policy …] --positions BOOK.csv|--short-call [--currency BTC|ETH] [--rebalance 1h|15m|every] [--delta-band X] [--risk-aversion X] [--format json] [--db FILE]`,
    flags: {
      policy: { type: 'string', repeatable: true, description: `hedge policy, repeat for several side by side: ${CLASSICAL_POLICIES.join(', ')}, a model file from gammadesk train, or model:ID (stored by train --db)` },
      positions: { type: 'string', description: 'the option book (CSV: instrument,quantity,average_price,price_currency)' },
      'short-call': { type: 'boolean', description: 'the book is one short call: nearest expiry outliving the session, strike nearest its forward' },
      currency: { type: 'string', description: 'BTC (default) or ETH' },
      rebalance: { type: 'string', description: 'every (each perpetual quote or book update) or an interval such as 1h (default), 15m, 90s' },
      'delta-band': { type: 'string', description: 'threshold policy: delta band half-width, coin (default 0.5 BTC, 5 ETH)' },
      'risk-aversion': { type: 'string', description: 'ww policy: absolute risk aversion per USD (default 1e-4)' },
      format: { type: 'string', description: 'text (default) or json' },
      db: dbFlag,
    },
    async run(args) {
      const { positionals, flags } = args;
      if (positionals.length !== 1) throw new UsageError('backtest needs exactly one SESSION (name or id)');
      const format = flags['format'] ?? 'text';
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got ${JSON.stringify(format)}`);
      const currency = currencyFlag(flags);
      const rebalance = rebalanceFlag(flags);
      const book = bookFlag(flags);
      const dbPath = typeof flags['db'] === 'string' ? resolve(flags['db']) : defaultDbPath();
      const policies = policyFlags(args, currency, dbPath);
      const session = positionals[0]!;
      const bar = new ProgressBar(`backtest ${session}`);
      const stop = new AbortController();
      const onSignal = (): void => {
        process.stderr.write('\nbacktest: interrupted, finishing with the partial result…\n');
        stop.abort();
      };
      process.once('SIGINT', onSignal);
      let result: BacktestResult;
      try {
        result = await runBacktest({
          dbPath,
          session,
          currency,
          book,
          rebalance,
          policies,
          hash: sha256,
          signal: stop.signal,
          onProgress: (fraction, events) => bar.update(fraction, `${events} events`),
        });
      } catch (error) {
        if (error instanceof BacktestInputError) throw new UsageError(error.message);
        throw error;
      } finally {
        process.off('SIGINT', onSignal);
      }
      bar.done(`${result.partial ? 'partial' : 'done'}: ${result.eventsApplied} events, ${result.policies.length} policies`);
      console.log(format === 'json' ? backtestJson(result) : formatBacktest(result));
      return 0;
    },
  },
};
