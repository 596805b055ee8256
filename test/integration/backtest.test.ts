import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest, type BacktestOptions, type BacktestResult } from '../../src-main/app/backtest/backtest';
import { learnedPolicySpec } from '../../src-main/app/backtest/learned';
import { classicalPolicy } from '../../src-main/app/backtest/policies';
import { bsDeltaGamma } from '../../src-main/core/learn/hedging';
import { Mlp } from '../../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, importPolicy, NetworkPolicy } from '../../src-main/core/learn/network';
import { Rng } from '../../src-main/core/random';
import { optionGreeks } from '../../src-main/core/book/valuation';
import type { InstrumentDef, MarketEvent } from '../../src-main/core/market/events';
import { yearsToExpiry } from '../../src-main/core/pricing/time';
import type { Coin, EpochMs, InstrumentName, Usd, Vol } from '../../src-main/core/units';
import { openDatabase } from '../../src-main/store/database';
import { EventLog } from '../../src-main/store/eventLog';
import { importTardis } from '../../src-main/feeds/tardis/tardisImport';
import { recordBacktestSession } from '../helpers/backtestSession';
import { makeTempDir } from '../helpers/tmp';

// A session written by hand, so every number of a fill can be worked out on paper: two moments an hour apart,
// each with the BTC index, the perpetual's ticker (with its funding rate) and its order book, and one option.
const temp = makeTempDir('gammadesk-backtest-');
const handDb = join(temp.dir, 'hand.db');
const demoDb = join(temp.dir, 'demo.db');
const T0 = Date.UTC(2026, 10, 21, 12);
const HOUR = 3_600_000;
const PERP = 'BTC-PERPETUAL' as InstrumentName;
const CALL = 'BTC-25DEC26-50000-C' as InstrumentName;
const CALL_EXPIRY = Date.UTC(2026, 11, 25, 8);

const perpDef: InstrumentDef = {
  name: PERP, currency: 'BTC', kind: 'perpetual', settlement: 'inverse', expiryMs: null, strikeUsd: null, optionType: null,
  contractSize: 10, tickSize: 0.5, minTradeAmount: 10, makerCommission: 0, takerCommission: 0.0005,
};
const callDef: InstrumentDef = {
  name: CALL, currency: 'BTC', kind: 'option', settlement: 'inverse', expiryMs: CALL_EXPIRY as EpochMs, strikeUsd: 50_000 as Usd, optionType: 'call',
  contractSize: 1, tickSize: 0.0005, minTradeAmount: 0.1, makerCommission: 0.0003, takerCommission: 0.0003,
};

function moment(ts: number, index: number, fundingRate: number | null, markCoin: number): MarketEvent[] {
  const t = { tsEvent: ts as EpochMs, tsRecv: ts as EpochMs };
  return [
    { ...t, type: 'index', currency: 'BTC', priceUsd: index as Usd },
    {
      ...t, type: 'future_ticker', instrument: PERP, bidUsd: (index - 0.5) as Usd, askUsd: (index + 0.5) as Usd, bidAmountUsd: 5000 as Usd, askAmountUsd: 5000 as Usd,
      markUsd: index as Usd, indexPriceUsd: index as Usd, openInterestUsd: 1e8 as Usd, funding8h: fundingRate,
    },
    // The recorded book: 5 000 USD at half a dollar from the mid, then 100 000 USD ten dollars out.
    { ...t, type: 'book_snapshot', instrument: PERP, bids: [[(index - 0.5) as Usd, 5000], [(index - 10) as Usd, 100_000]], asks: [[(index + 0.5) as Usd, 5000], [(index + 10) as Usd, 100_000]], changeId: null },
    {
      ...t, type: 'option_ticker', instrument: CALL, bidCoin: (markCoin - 0.0005) as Coin, askCoin: (markCoin + 0.0005) as Coin, bidAmount: 10, askAmount: 10,
      markCoin: markCoin as Coin, markIv: 0.6 as Vol, bidIv: null, askIv: null, underlyingPriceUsd: index as Usd, underlyingIndex: 'SYN.BTC-25DEC26', indexPriceUsd: index as Usd,
      openInterest: 100, volume24h: null,
    },
  ];
}

function writeSession(name: string, events: MarketEvent[]): void {
  const db = openDatabase(handDb);
  try {
    const log = new EventLog(db);
    const session = log.createSession(name, 'recording', T0);
    log.appendNumbered(session.id, log.lastMarketSeq() + 1, events);
  } finally {
    db.close();
  }
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function backtest(overrides: Partial<BacktestOptions> & Pick<BacktestOptions, 'session' | 'dbPath'>): Promise<BacktestResult> {
  return runBacktest({
    currency: 'BTC',
    book: { kind: 'csv', file: 'book.csv', text: `instrument,quantity\n${CALL},-1\n` },
    rebalance: { kind: 'interval', ms: 2 * HOUR, label: '2h' },
    policies: [classicalPolicy('bs-delta', 'BTC'), classicalPolicy('none', 'BTC')],
    hash: sha256,
    ...overrides,
  });
}

beforeAll(() => {
  const instruments: MarketEvent[] = [perpDef, callDef].map((instrument) => ({ type: 'instrument', tsEvent: T0 as EpochMs, tsRecv: T0 as EpochMs, instrument }));
  writeSession('hand', [...instruments, ...moment(T0, 50_000, 0.0001, 0.04), ...moment(T0 + HOUR, 51_000, 0.0002, 0.045)]);
  // The same without funding rates (a source that does not record them).
  writeSession('hand-no-funding', [...instruments, ...moment(T0, 50_000, null, 0.04), ...moment(T0 + HOUR, 51_000, null, 0.045)]);
  // No book and no quote on the perpetual: only its mark (a source that records marks only).
  const noBook = (ts: number, index: number, mark: number): MarketEvent[] =>
    moment(ts, index, 0.0001, mark)
      .filter((e) => e.type !== 'book_snapshot')
      .map((e) => (e.type === 'future_ticker' ? { ...e, bidUsd: null, askUsd: null, bidAmountUsd: 0 as Usd, askAmountUsd: 0 as Usd } : e));
  writeSession('hand-no-book', [...instruments, ...noBook(T0, 50_000, 0.04), ...noBook(T0 + HOUR, 51_000, 0.045)]);
  recordBacktestSession(demoDb, { name: 'demo-hours', steps: 240, stepMs: 60_000 });
});
afterAll(() => temp.remove());

describe('backtest on a hand-written session', () => {
  it('fills the delta hedge against the recorded book: levels walked, Deribit taker fee, spread against the mid, funding at the recorded rate', async () => {
    const result = await backtest({ dbPath: handDb, session: 'hand' });
    expect(result.partial).toBe(false);
    expect(result.startMs).toBe(T0);
    expect(result.endMs).toBe(T0 + HOUR);
    const [delta, none] = result.policies;
    // The hedge: the short call's coin-P&L delta (Black-76 at the ticker's mark IV on its forward) bought back in
    // the perpetual, 1 / mark coin per USD, to the 10 USD lot.
    const bookDelta = optionGreeks(-1, 50_000, 50_000, yearsToExpiry(CALL_EXPIRY, T0), 0.6, true).deltaCoin;
    const amount = Math.round((-bookDelta * 50_000) / 10) * 10;
    expect(amount).toBeGreaterThan(5000); // so the order walks into the second level
    expect(delta!.turnoverUsd).toBe(amount);
    expect(delta!.fills).toBe(2);
    // By hand: 5 000 USD at 50 000.5, the rest at 50 010. Taker fee 0.05 % of the coin notional, each fill
    // rounded to 1e-8 BTC (Deribit's schedule, ../shared/reference/deribit_margin.md §6; the instrument says 0.0005).
    const rest = amount - 5000;
    const fees = Math.round((0.0005 * 5000) / 50_000.5 * 1e8) / 1e8 + Math.round((0.0005 * rest) / 50_010 * 1e8) / 1e8;
    expect(delta!.feesCoin).toBeCloseTo(fees, 12);
    const spread = 5000 * (1 / 50_000 - 1 / 50_000.5) + rest * (1 / 50_000 - 1 / 50_010);
    expect(delta!.spreadCostCoin).toBeCloseTo(spread, 15);
    expect(delta!.spreadCostUsd).toBeCloseTo(spread * 50_000, 9);
    // Funding: long `amount` USD for one hour at 0.01 % per 8 h, index 50 000: longs pay.
    const funding = (-amount / 50_000) * 0.0001 * (1 / 8);
    expect(delta!.fundingCoin).toBeCloseTo(funding, 8);
    // Final P&L: the option's mark change, the perpetual's inverse P&L at the last mark, fees, funding.
    const perpetualPnl = 5000 / 50_000.5 + rest / 50_010 - amount / 51_000;
    expect(delta!.hedgePnlCoin).toBeCloseTo(perpetualPnl, 14);
    expect(delta!.finalPnlCoin).toBeCloseTo(-(0.045 - 0.04) + perpetualPnl - fees + funding, 8);
    expect(delta!.finalPnlUsd).toBeCloseTo(delta!.finalPnlCoin * 51_000, 4);
    expect(delta!.path.map((p) => p.rebalance)).toEqual([true, false]);
    // After the trade the book's delta is within half a lot of zero.
    expect(Math.abs(delta!.path[0]!.deltaCoin)).toBeLessThanOrEqual(5 / 50_000 + 1e-12);
    // No hedge: the P&L is the option's mark change, nothing else.
    expect(none!.turnoverUsd).toBe(0);
    expect(none!.feesCoin).toBe(0);
    expect(none!.fundingCoin).toBe(0);
    expect(none!.finalPnlCoin).toBeCloseTo(-(0.045 - 0.04), 15);
    expect(none!.optionPnlCoin).toBeCloseTo(-(0.045 - 0.04), 15);
  });

  it('says funding is null, and why, when the recorded perpetual ticker has no rate', async () => {
    const result = await backtest({ dbPath: handDb, session: 'hand-no-funding' });
    const [delta, none] = result.policies;
    expect(delta!.fundingCoin).toBeNull();
    expect(delta!.fundingReason).toMatch(/no funding rate for 1\.00 h while the hedge was open/);
    expect(delta!.notes.join(' ')).toMatch(/P&L leaves funding out/);
    // Nothing held: no funding owed, known or not.
    expect(none!.fundingCoin).toBe(0);
  });

  it('counts the hedges the recorded market did not allow, with the reason, and trades nothing it cannot fill', async () => {
    const result = await backtest({ dbPath: handDb, session: 'hand-no-book' });
    const [delta, none] = result.policies;
    expect(delta!.turnoverUsd).toBe(0);
    expect(delta!.blockedProposals).toBe(1);
    expect(delta!.lastBlockedReason).toMatch(/BTC-PERPETUAL: only 0 of the \d+ needed is within 50 % of the visible asks/);
    expect(none!.blockedProposals).toBe(0);
    expect(delta!.finalPnlCoin).toBeCloseTo(none!.finalPnlCoin, 15);
  });

  it('skips book rows it cannot backtest, naming the line, and keeps the rest', async () => {
    const text = ['instrument,quantity', `${CALL},-1`, 'BTC-PERPETUAL,1000', 'ETH-25DEC26-3000-C,2', 'BTC-25DEC26-77000-C,1', 'NOT-AN-INSTRUMENT,1'].join('\n');
    const result = await backtest({ dbPath: handDb, session: 'hand', book: { kind: 'csv', file: 'book.csv', text } });
    expect(result.book.map((b) => b.instrument)).toEqual([CALL]);
    const reasons = result.skippedPositions.map((s) => `${s.line}: ${s.reason}`);
    expect(reasons).toHaveLength(4);
    expect(reasons.find((r) => r.startsWith('3:'))).toMatch(/holds options/);
    expect(reasons.find((r) => r.startsWith('4:'))).toMatch(/not a BTC instrument/);
    expect(reasons.find((r) => r.startsWith('5:'))).toMatch(/not in session "hand"/);
    expect(reasons.find((r) => r.startsWith('6:'))).toBeDefined();
  });

  it('runs a learned model file: one short call is hedged to the edge of the network\'s own band', async () => {
    // A seeded, untrained NTB network (its band is what it is; the adapter's job is to apply it): exported as
    // `gammadesk train` writes it, read back as the backtest reads a file.
    const rng = new Rng(5);
    const mlp = Mlp.initialized([4, 16, 16, 2], rng);
    for (const b of mlp.biases) for (let j = 0; j < b.length; j++) b[j] = 0.3 * rng.nextNormal();
    const text = JSON.stringify(exportPolicy(new NetworkPolicy('ntb', mlp, defaultInputs('ntb', 30 / 365, 0.6), 0.1), {}));
    const result = await backtest({ dbPath: handDb, session: 'hand', policies: [learnedPolicySpec('ntb.json', text, 'BTC', sha256)] });
    const [learned] = result.policies;
    expect(learned!.spec).toMatchObject({ policy: 'learned', kind: 'ntb', model: 'ntb.json', model_sha256: sha256(text) });
    // With no hedge yet the previous position (per short call) is 0: the network's band at the call's state, and
    // the hedge bought is its nearest edge, 1 / mark coin per USD, to the 10 USD lot.
    const years = yearsToExpiry(CALL_EXPIRY, T0);
    const { delta, gamma } = bsDeltaGamma(50_000, 50_000, years, 0.6, true);
    const band = importPolicy(JSON.parse(text)).policy.band({ timeToMaturity: years, logMoneyness: 0, spot: 50_000, bsDelta: delta, bsGamma: gamma, previousPosition: 0, impliedVol: 0.6 });
    const edge = band.lower > 0 ? band.lower : band.upper < 0 ? band.upper : 0;
    expect(learned!.turnoverUsd).toBe(Math.abs(Math.round((edge * 50_000) / 10) * 10));
    expect(learned!.turnoverUsd).toBeGreaterThan(0);
    expect(learned!.path[0]!.hedgeUsd).toBe(Math.round((edge * 50_000) / 10) * 10);
    const again = await backtest({ dbPath: handDb, session: 'hand', policies: [learnedPolicySpec('ntb.json', text, 'BTC', sha256)] });
    expect(again.policies[0]!.sha256).toBe(learned!.sha256);
  });

  it('finds a session by id as by name, and refuses an unknown one, naming the ones there are', async () => {
    const byName = await backtest({ dbPath: handDb, session: 'hand' });
    const byId = await backtest({ dbPath: handDb, session: '1' });
    expect(byId.resultSha256).toBe(byName.resultSha256);
    await expect(backtest({ dbPath: handDb, session: 'nope' })).rejects.toThrow(/no recorded session named or numbered "nope"; sessions: .*1 "hand"/);
  });
});

// A Tardis import: the documented options_chain sample row (../shared/data, from docs.tardis.dev; a short put, BTC
// 2020-06-08) and an hour later the same put re-marked, with the perpetual's derivative_ticker (funding_rate) and
// book_snapshot_25 files written in Tardis's documented column layouts. Tardis carries no commissions: the fee is
// Deribit's schedule.
describe('backtest on a Tardis import', () => {
  const tardisDb = join(temp.dir, 'tardis.db');
  const T = 1591574400000; // 2020-06-08 00:00 UTC, ms
  const us = (ms: number): number => ms * 1000;

  beforeAll(async () => {
    const [header, sample] = readFileSync(resolve('../shared/data/tardis_docs_options_chain_sample_row.csv'), 'utf8').trim().split('\n');
    const fields = sample!.split(',');
    const chainRow = (ms: number, mark: string, underlying: string): string => {
      const row = [...fields];
      row[2] = row[3] = String(us(ms));
      row[15] = mark;
      row[18] = underlying;
      return row.join(',');
    };
    const chain = join(temp.dir, 'deribit_options_chain_2020-06-08_BTC.csv');
    writeFileSync(chain, [header, chainRow(T, fields[15]!, fields[18]!), chainRow(T + HOUR, '0.025', '9700')].join('\n') + '\n');
    const ticker = join(temp.dir, 'deribit_derivative_ticker_2020-06-08_PERPETUALS.csv');
    writeFileSync(ticker, [
      'exchange,symbol,timestamp,local_timestamp,funding_timestamp,funding_rate,predicted_funding_rate,open_interest,last_price,index_price,mark_price',
      `deribit,BTC-PERPETUAL,${us(T - 2)},${us(T - 2)},1591603200000000,0.0001,0.0001,80000000,9757.5,9754.2,9757.9`,
      `deribit,BTC-PERPETUAL,${us(T + HOUR)},${us(T + HOUR)},1591603200000000,0.0002,0.0002,80000000,9700,9698,9700.5`,
    ].join('\n') + '\n');
    const book = join(temp.dir, 'deribit_book_snapshot_25_2020-06-08_BTC-PERPETUAL.csv');
    writeFileSync(book, [
      'exchange,symbol,timestamp,local_timestamp,asks[0].price,asks[0].amount,bids[0].price,bids[0].amount,asks[1].price,asks[1].amount,bids[1].price,bids[1].amount',
      `deribit,BTC-PERPETUAL,${us(T - 1)},${us(T - 1)},9758,1000,9757.5,1000,9760,100000,9755,100000`,
      `deribit,BTC-PERPETUAL,${us(T + HOUR)},${us(T + HOUR)},9701,1000,9700,1000,9703,100000,9698,100000`,
    ].join('\n') + '\n');
    const db = openDatabase(tardisDb);
    try {
      await importTardis({ files: [chain, ticker, book], session: 'tardis-put', log: new EventLog(db) });
    } finally {
      db.close();
    }
  });

  it('sells the short put\'s delta into the recorded bids with the scheduled fee, receives funding, and the unhedged P&L is the mark change', async () => {
    const put = 'BTC-9JUN20-9875-P';
    const result = await backtest({ dbPath: tardisDb, session: 'tardis-put', book: { kind: 'csv', file: 'book.csv', text: `instrument,quantity\n${put},-1\n` } });
    expect(result.hedgeFeeSource).toBe('schedule');
    expect(result.startMs).toBe(T);
    expect(result.book).toEqual([{ instrument: put, quantity: -1, startMarkCoin: 0.02210436, endMarkCoin: 0.025 }]);
    const [delta, none] = result.policies;
    // A short put is long delta: the hedge sells the perpetual, walking the bids 9757.5 (1 000 USD) then 9755.
    const amount = delta!.turnoverUsd;
    expect(amount).toBeGreaterThan(1000);
    expect(delta!.path[0]!.hedgeUsd).toBe(-amount);
    expect(delta!.fills).toBe(2);
    const fees = Math.round((0.0005 * 1000) / 9757.5 * 1e8) / 1e8 + Math.round((0.0005 * (amount - 1000)) / 9755 * 1e8) / 1e8;
    expect(delta!.feesCoin).toBeCloseTo(fees, 12);
    const mid = (9758 + 9757.5) / 2;
    expect(delta!.spreadCostCoin).toBeCloseTo(1000 * (1 / 9757.5 - 1 / mid) + (amount - 1000) * (1 / 9755 - 1 / mid), 15);
    // Short the perpetual for an hour at +0.01 % per 8 h: shorts receive.
    expect(delta!.fundingCoin).toBeCloseTo((amount / 9754.2) * 0.0001 / 8, 8);
    expect(none!.finalPnlCoin).toBeCloseTo(-(0.025 - 0.02210436), 15);
    expect(none!.finalPnlUsd).toBeCloseTo(-(0.025 - 0.02210436) * 9698, 9);
  });
});

describe('backtest on a recorded demo session', () => {
  const policies = (): BacktestOptions['policies'] => ['bs-delta', 'ww', 'threshold', 'none'].map((name) => classicalPolicy(name as 'ww', 'BTC'));

  it('gives the same result, hash for hash, on every run; a policy hashes the same alone or beside others', async () => {
    const options = { dbPath: demoDb, session: 'demo-hours', book: { kind: 'short-call', contracts: 1 } as const, rebalance: { kind: 'interval', ms: HOUR, label: '1h' } as const };
    const first = await backtest({ ...options, policies: policies() });
    const second = await backtest({ ...options, policies: policies() });
    expect(second.resultSha256).toBe(first.resultSha256);
    expect(second).toEqual(first);
    const alone = await backtest({ ...options, policies: [classicalPolicy('ww', 'BTC')] });
    expect(alone.policies[0]!.sha256).toBe(first.policies[1]!.sha256);
    // Four hours, rebalanced every hour from the start: 5 rebalances; the hedge policies trade, none does not.
    expect(first.policies.map((p) => p.rebalances)).toEqual([5, 5, 5, 5]);
    const [delta, ww, threshold, none] = first.policies;
    expect(delta!.turnoverUsd).toBeGreaterThan(ww!.turnoverUsd);
    expect(ww!.turnoverUsd).toBeGreaterThan(0);
    expect(threshold!.orders).toBeGreaterThan(0);
    // The unhedged book's P&L is the short call's mark change from the first rebalance to the end.
    const [call] = first.book;
    expect(call!.quantity).toBe(-1);
    expect(none!.finalPnlCoin).toBeCloseTo(-(call!.endMarkCoin! - call!.startMarkCoin), 15);
    expect(none!.finalPnlCoin).not.toBe(0);
    // Every policy holds the same option book: the same option P&L.
    for (const p of first.policies) expect(p.optionPnlCoin).toBeCloseTo(none!.finalPnlCoin, 12);
    for (const p of first.policies) {
      expect(p.worstDrawdownCoin).toBeGreaterThanOrEqual(0);
      expect(p.expectedShortfallCoin.intervals).toBe(p.path.length);
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // The delta-hedged book's coin delta after each rebalance is within a lot of zero; the unhedged one's is not.
    for (const point of delta!.path.filter((p) => p.rebalance)) expect(Math.abs(point.deltaCoin)).toBeLessThan(10 / 80_000);
    // The recorded book always had the depth: no proposal was blocked, none is misreported as blocked.
    for (const p of first.policies) expect(p.blockedProposals).toBe(0);
    expect(Math.abs(none!.path[0]!.deltaCoin)).toBeGreaterThan(0.1);
  }, 60_000);

  it('stops when aborted and marks the result partial', async () => {
    const stop = new AbortController();
    const result = await backtest({
      dbPath: demoDb,
      session: 'demo-hours',
      book: { kind: 'short-call', contracts: 1 },
      rebalance: { kind: 'interval', ms: HOUR, label: '1h' },
      signal: stop.signal,
      chunk: 5000,
      onProgress: (fraction) => {
        if (fraction > 0.3) stop.abort();
      },
    });
    expect(result.partial).toBe(true);
    expect(result.eventsApplied).toBeLessThan(result.session.events);
    expect(result.endMs!).toBeLessThan(result.session.lastEventMs!);
    expect(result.policies[0]!.path.at(-1)!.rebalance).toBe(false);
  }, 60_000);
});
