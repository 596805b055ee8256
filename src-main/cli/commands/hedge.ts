/**
 * Offline hedging from files:
 *
 *   gammadesk hedge propose --positions BOOK.csv --chain FILE [--policy threshold|band|select] [--delta-band X]
 *     [--gamma-band X] [--vega-band X] [--format text|json]
 *   gammadesk positions import BOOK.csv [--mode replace|merge] [--db FILE]
 *
 * `hedge propose` values the book and runs the same policies as the app (core/book, core/hedge; the selection MILP
 * on HiGHS in-process with the worker's options). A chain file carries options only, without quote sizes and
 * without the perpetual's book: the perpetual is quoted at the front forward with `--perp-spread-bps` and
 * `--perp-depth-usd`, options offer `--option-depth` contracts at their bid and ask. These assumptions are printed
 * with the result.
 */
import { resolve } from 'node:path';
import { UsageError } from '../args';
import { dbFlag, readTextFile, type CommandTable } from '../command';
import { parseBookCsv } from '../../core/book/csv';
import { futureGreeks, optionGreeks, valueBook, type BookMarket } from '../../core/book/valuation';
import { defaultHedgeSettings, objectivesOf, policyFor, settingsProblem, type HedgeSettings, type PolicyName } from '../../core/hedge/settings';
import type { HedgeInstrument, HedgeMarket, Proposal } from '../../core/hedge/types';
import type { Currency } from '../../core/market/events';
import { yearsToExpiry } from '../../core/pricing/time';
import { readChainFile, type ChainSnapshot } from '../../feeds/chainFile';
import { MAX_HEDGE_OPTIONS } from '../../engine/hedgeInputs';
import { DERIBIT_FEE_SCHEDULE } from '../../core/execution/fees';
import { solveMilp } from '../../workers/hedgeSolveTask';
import { BookService } from '../../app/book';
import { defaultDbPath } from '../../app/paths';
import { openDatabase } from '../../store/database';
import { PositionRepository } from '../../store/positions';
import { InstrumentRepository } from '../../store/instruments';

/** Deribit's published fees (core/execution/fees.ts) for the chain file's assumed perpetual and options. */
const SCHEDULE = DERIBIT_FEE_SCHEDULE.inverse;

function number(flags: Record<string, string | boolean>, name: string, fallback: number, check: (x: number) => boolean, what: string): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`--${name} must be ${what}, got ${String(raw)}`);
  return value;
}

interface Assumptions {
  perpSpreadBps: number;
  perpDepthUsd: number;
  optionDepth: number;
}

/** The hedge instruments a chain file allows: its options (two-sided quotes) and a perpetual at the front forward. */
export function hedgeMarketFromChain(chain: ChainSnapshot, currency: Currency, a: Assumptions): HedgeMarket | null {
  const c = chain.currencies.get(currency);
  if (!c || c.indexUsd === null) return null;
  const nowMs = chain.asOfMs;
  const front = [...c.forwards.entries()].filter(([expiry]) => expiry > nowMs).sort((x, y) => x[0] - y[0])[0];
  const perpMark = front ? front[1] : c.indexUsd;
  const half = (perpMark * a.perpSpreadBps) / 1e4 / 2;
  const lot = currency === 'BTC' ? 10 : 1;
  const instruments: HedgeInstrument[] = [
    {
      instrument: `${currency}-PERPETUAL`,
      kind: 'perpetual',
      lot,
      minAmount: lot,
      takerFee: SCHEDULE.perpetual.taker,
      feeSource: 'schedule',
      bids: [[perpMark - half, a.perpDepthUsd]],
      asks: [[perpMark + half, a.perpDepthUsd]],
      markPrice: perpMark,
      unitGreeks: futureGreeks(1, perpMark),
    },
  ];
  const options = c.options
    .filter((o) => o.bid !== null && o.ask !== null && o.bid > 0 && o.markIv !== null && yearsToExpiry(o.expiryMs, nowMs) * 365 >= 1)
    .sort((x, y) => (y.openInterest ?? 0) - (x.openInterest ?? 0) || (x.name < y.name ? -1 : 1))
    .slice(0, MAX_HEDGE_OPTIONS);
  for (const o of options) {
    instruments.push({
      instrument: o.name,
      kind: 'option',
      lot: 0.1,
      minAmount: 0.1,
      takerFee: SCHEDULE.option.taker,
      feeSource: 'schedule',
      bids: [[o.bid!, a.optionDepth]],
      asks: [[o.ask!, a.optionDepth]],
      markPrice: o.mark ?? (o.bid! + o.ask!) / 2,
      unitGreeks: optionGreeks(1, o.forwardUsd, o.strike, yearsToExpiry(o.expiryMs, nowMs), o.markIv!, o.isCall),
    });
  }
  return { nowMs, marketSeq: 0, currency, indexUsd: c.indexUsd, instruments };
}

/** The chain file as the book's market: option marks, IVs and forwards; futures at their expiry's forward. */
function bookMarketFromChain(chain: ChainSnapshot, perpMark: (currency: Currency) => number | null): BookMarket {
  const options = new Map<string, { markPrice: number; markIv: number | null; forwardUsd: number }>();
  for (const c of chain.currencies.values()) for (const o of c.options) if (o.mark !== null) options.set(o.name, { markPrice: o.mark, markIv: o.markIv, forwardUsd: o.forwardUsd });
  return {
    nowMs: chain.asOfMs,
    indexUsd: (currency) => chain.currencies.get(currency)?.indexUsd ?? null,
    quote: (name) => {
      const option = options.get(name);
      if (option) return option;
      const [currency, expiry] = name.split('-') as [Currency, string | undefined];
      if (expiry === 'PERPETUAL') {
        const mark = perpMark(currency);
        return mark === null ? null : { markPrice: mark, markIv: null, forwardUsd: mark };
      }
      const c = chain.currencies.get(currency);
      const forward = c ? [...c.options].find((o) => o.instrument.expiryCode === expiry)?.forwardUsd : undefined;
      return forward === undefined ? null : { markPrice: forward, markIv: null, forwardUsd: forward };
    },
  };
}

function bandFlag(flags: Record<string, string | boolean>, name: string): { target: number; tolerance: number } | null {
  const raw = flags[name];
  if (raw === undefined) return null;
  // X or TARGET:X
  const parts = typeof raw === 'string' ? raw.split(':') : [];
  const numbers = parts.map(Number);
  if (parts.length < 1 || parts.length > 2 || numbers.some((n) => !Number.isFinite(n)) || !(numbers.at(-1)! > 0)) {
    throw new UsageError(`--${name} must be a tolerance above 0, or TARGET:TOLERANCE, got ${String(raw)}`);
  }
  return parts.length === 2 ? { target: numbers[0]!, tolerance: numbers[1]! } : { target: 0, tolerance: numbers[0]! };
}

const r = (x: number, digits = 8): number => Number(x.toPrecision(digits));

function proposalRecord(p: Proposal): Record<string, unknown> {
  return {
    policy: p.policy,
    currency: p.currency,
    status: p.status,
    reason: p.reason,
    cost_usd: r(p.costUsd),
    cost_coin: r(p.costCoin),
    legs: p.legs.map((l) => ({ instrument: l.instrument, side: l.side, amount: l.amount, average_price: r(l.averagePrice), limit_price: l.limitPrice, cost_usd: r(l.costUsd), cost_coin: r(l.costCoin), fee_coin: r(l.feeCoin) })),
    greeks_before: Object.fromEntries(Object.entries(p.before).map(([k, v]) => [k, r(v)])),
    greeks_after: Object.fromEntries(Object.entries(p.after).map(([k, v]) => [k, r(v)])),
    bands: p.bands.map((b) => ({ greek: b.greek, unit: b.unit, target: b.target, tolerance: r(b.tolerance), before: r(b.before), after: r(b.after), in_band_before: b.inBandBefore, in_band_after: b.inBandAfter })),
    rationale: p.rationale,
  };
}

export const HEDGE_COMMANDS: CommandTable = {
  hedge: {
    summary: 'propose hedges for a positions CSV on a chain file, with the app\'s policies (threshold, band, select)',
    usage:
      'gammadesk hedge propose --positions BOOK.csv --chain FILE [--policy threshold|band|select] [--delta-band X|T:X] [--delta-unit coin|usd]\n' +
      '       [--gamma-band X|T:X] [--vega-band X|T:X] [--at ISO-TIME] [--risk-aversion G] [--perp-spread-bps B] [--perp-depth-usd D] [--option-depth N] [--format text|json]',
    flags: {
      positions: { type: 'string', description: 'the book: CSV with instrument,quantity,average_price,price_currency' },
      chain: { type: 'string', description: 'a chain file (Tardis options_chain CSV or a Deribit full-chain snapshot CSV)' },
      policy: { type: 'string', description: 'threshold (default), band (Whalley–Wilmott) or select (least-cost, HiGHS)' },
      'delta-band': { type: 'string', description: 'delta tolerance around 0 (or TARGET:TOLERANCE), in the delta unit (default 0.5 BTC / 5 ETH)' },
      'delta-unit': { type: 'string', description: 'coin (coin-P&L delta, default) or usd' },
      'gamma-band': { type: 'string', description: 'dollar-gamma band, USD per 1 % move' },
      'vega-band': { type: 'string', description: 'vega band, USD per vol point' },
      at: { type: 'string', description: 'as-of time for a Tardis file (default: its last time)' },
      'risk-aversion': { type: 'string', description: 'band policy: absolute risk aversion per USD (default 1e-4)' },
      'perp-spread-bps': { type: 'string', description: 'assumed perpetual bid/ask spread in bp (the chain file has none; default 1)' },
      'perp-depth-usd': { type: 'string', description: 'assumed perpetual depth per side, USD (default 2,000,000)' },
      'option-depth': { type: 'string', description: 'assumed option size at the bid and at the ask, contracts (chain files carry no sizes; default 10)' },
      format: { type: 'string', description: 'text (default) or json' },
    },
    async run({ positionals, flags }) {
      if (positionals[0] !== 'propose' || positionals.length !== 1) throw new UsageError('usage: gammadesk hedge propose --positions BOOK.csv --chain FILE');
      if (typeof flags['positions'] !== 'string') throw new UsageError('--positions BOOK.csv is required');
      if (typeof flags['chain'] !== 'string') throw new UsageError('--chain FILE is required');
      const policy = (flags['policy'] ?? 'threshold') as PolicyName;
      if (!['threshold', 'band', 'select'].includes(policy)) throw new UsageError(`--policy must be threshold, band or select, got ${String(flags['policy'])}`);
      const unit = flags['delta-unit'] ?? 'coin';
      if (unit !== 'coin' && unit !== 'usd') throw new UsageError(`--delta-unit must be coin or usd, got ${String(unit)}`);
      const format = flags['format'] ?? 'text';
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, got ${String(format)}`);
      const assumptions: Assumptions = {
        perpSpreadBps: number(flags, 'perp-spread-bps', 1, (x) => x >= 0 && x <= 1000, 'a spread from 0 to 1000 bp'),
        perpDepthUsd: number(flags, 'perp-depth-usd', 2_000_000, (x) => x > 0, 'a depth above 0 USD'),
        optionDepth: number(flags, 'option-depth', 10, (x) => x > 0, 'a size above 0 contracts'),
      };
      const riskAversion = number(flags, 'risk-aversion', 1e-4, (x) => x > 0, 'a risk aversion above 0');
      const deltaBand = bandFlag(flags, 'delta-band');
      const gammaBand = bandFlag(flags, 'gamma-band');
      const vegaBand = bandFlag(flags, 'vega-band');
      const book = parseBookCsv(readTextFile(flags['positions']));
      for (const bad of book.errors) console.error(`${flags['positions']}:${bad.line}: skipped: ${bad.reason}`);
      const atMs = typeof flags['at'] === 'string' ? Date.parse(flags['at']) : undefined;
      if (atMs !== undefined && !Number.isFinite(atMs)) throw new UsageError(`--at must be an ISO time, got ${String(flags['at'])}`);
      const chain = await readChainFile(resolve(flags['chain']), atMs !== undefined ? { atMs } : {});
      for (const bad of chain.badRows) console.error(`${flags['chain']}:${bad.line}: skipped: ${bad.reason}`);
      const currencies = [...new Set(book.positions.map((p) => p.currency))];
      const markets = new Map(currencies.map((c) => [c, hedgeMarketFromChain(chain, c, assumptions)]));
      const valuation = valueBook(book.positions, bookMarketFromChain(chain, (c) => markets.get(c)?.instruments[0]?.markPrice ?? null));
      const solver = { solve: solveMilp };
      const proposals: Record<string, unknown>[] = [];
      for (const currency of currencies) {
        const market = markets.get(currency);
        const totals = valuation.byCurrency[currency];
        if (!market || !totals) {
          proposals.push({ currency, status: 'cannot', reason: `the chain file has no ${currency} index or options` });
          continue;
        }
        const settings: HedgeSettings = {
          ...defaultHedgeSettings(currency),
          enabled: true,
          policy,
          riskAversion,
          delta: { ...(deltaBand ?? defaultHedgeSettings(currency).delta), unit },
          gamma: gammaBand,
          vega: vegaBand,
        };
        const problem = settingsProblem(settings);
        if (problem) throw new UsageError(problem);
        const proposal = await policyFor(settings, solver).propose({ version: 1, totals }, market, objectivesOf(settings));
        proposals.push(proposalRecord(proposal));
      }
      const report = {
        positions: book.positions.length,
        bad_rows: book.errors,
        chain: { file: chain.file, layout: chain.layout, as_of: new Date(chain.asOfMs).toISOString() },
        assumptions: {
          perpetual: `quoted at the front forward ± ${assumptions.perpSpreadBps / 2} bp, ${assumptions.perpDepthUsd} USD a side, taker fee ${SCHEDULE.perpetual.taker} (Deribit's schedule)`,
          options: `${assumptions.optionDepth} contracts at the file's bid and ask, taker fee ${SCHEDULE.option.taker} per contract capped at 12.5 % of the price`,
        },
        book: Object.fromEntries(Object.entries(valuation.byCurrency).map(([c, t]) => [c, Object.fromEntries(Object.entries(t).map(([k, v]) => [k, r(v)]))])),
        proposals,
      };
      if (format === 'json') console.log(JSON.stringify(report, null, 2));
      else {
        console.log(`${book.positions.length} positions on ${chain.layout} chain at ${report.chain.as_of}`);
        for (const p of proposals) {
          console.log(`\n${String(p['currency'])}: ${String(p['status'])}${p['reason'] ? ` (${String(p['reason'])})` : ''} — policy ${String(p['policy'] ?? policy)}, expected cost ${String(p['cost_usd'] ?? 0)} USD`);
          for (const leg of (p['legs'] as { side: string; amount: number; instrument: string; average_price: number; cost_usd: number }[] | undefined) ?? []) {
            console.log(`  ${leg.side.padEnd(4)} ${String(leg.amount).padStart(12)} ${leg.instrument.padEnd(24)} avg ${leg.average_price}  cost ${leg.cost_usd} USD`);
          }
          for (const line of (p['rationale'] as string[] | undefined) ?? []) console.log(`  · ${line}`);
        }
        console.log(`\nassumed: perpetual ${report.assumptions.perpetual}; options ${report.assumptions.options}`);
      }
      return 0;
    },
  },
  positions: {
    summary: 'import a positions CSV into the book (instrument,quantity,average_price,price_currency)',
    usage: 'gammadesk positions import BOOK.csv [--mode replace|merge] [--db FILE]',
    flags: {
      mode: { type: 'string', description: 'replace the book (default) or merge these instruments into it' },
      db: dbFlag,
    },
    async run({ positionals, flags }) {
      if (positionals[0] !== 'import' || positionals.length !== 2) throw new UsageError('usage: gammadesk positions import BOOK.csv');
      const mode = flags['mode'] ?? 'replace';
      if (mode !== 'replace' && mode !== 'merge') throw new UsageError(`--mode must be replace or merge, got ${String(mode)}`);
      const csv = readTextFile(positionals[1]!);
      const db = openDatabase(typeof flags['db'] === 'string' ? resolve(flags['db']) : defaultDbPath());
      try {
        const instruments = new InstrumentRepository(db);
        // Offline: the instrument list is the last one a feed stored; expiry is checked against now.
        const service = new BookService(
          new PositionRepository(db),
          (name) => {
            const def = instruments.find(name);
            return def ? { minTradeAmount: def.minTradeAmount, contractSize: def.contractSize, expiryMs: def.expiryMs } : null;
          },
          () => Date.now(),
          () => {},
        );
        const result = service.import(csv, mode);
        for (const bad of result.errors) console.error(`${positionals[1]}:${bad.line}: skipped: ${bad.reason}`);
        console.log(JSON.stringify({ imported: result.rows - result.errors.length, rows: result.rows, bad_rows: result.errors.length, book: result.positions }, null, 2));
        return result.errors.length > 0 && result.rows === result.errors.length ? 1 : 0;
      } finally {
        db.close();
      }
    },
  },
};
