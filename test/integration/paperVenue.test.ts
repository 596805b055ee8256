import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VenueError, type Fill, type OrderState } from '../../src-main/core/execution/venue';
import { epochMs, usd, type EpochMs, type InstrumentName } from '../../src-main/core/units';
import { MarketState } from '../../src-main/engine/marketState';
import { paperMarketFrom } from '../../src-main/app/execution/marketBooks';
import { PaperVenue } from '../../src-main/app/execution/paperVenue';
import { openDatabase, type Db } from '../../src-main/store/database';
import { T0, indexEvent, instrumentEvent, optionTicker, sequence } from '../helpers/market';
import { FixedMarket, OPTION, PERP } from '../helpers/paperMarket';
import { makeTempDir } from '../helpers/tmp';

const name = (n: string): InstrumentName => n as InstrumentName;

const temp = makeTempDir('gammadesk-paper-');
let db: Db;
let dbPath: string;
let now: number;
const clock = (): EpochMs => epochMs(now);
let market: FixedMarket;
let venue: PaperVenue;
let updates: { order: OrderState; fills: readonly Fill[] }[];

beforeEach(() => {
  dbPath = join(temp.dir, `paper-${Math.random().toString(36).slice(2)}.db`);
  db = openDatabase(dbPath);
  now = T0;
  market = new FixedMarket();
  venue = new PaperVenue(db, market, clock);
  updates = [];
  venue.onUpdate((u) => updates.push(u));
});
afterEach(() => {
  if (db.open) db.close();
  temp.remove();
});

const paperFillCount = (): number => (db.prepare('SELECT COUNT(*) AS n FROM paper_fills').get() as { n: number }).n;

describe('PaperVenue', () => {
  it('a market buy walks the perpetual’s asks; fees 0.05 % taker of each level’s coin notional', async () => {
    market.books.set(PERP.name, { bids: [[49_990, 50_000]], asks: [[50_000, 20_000], [50_010, 30_000], [50_050, 100_000]], tsMs: T0 });
    const state = await venue.submit({ label: 'r1:0', instrument: PERP.name, side: 'buy', amount: 40_000, type: 'market' });
    // Hand-computed: 20,000 USD at 50,000 and 20,000 USD at 50,010.
    //   fees 0.0005 x 20000/50000 = 0.0002 BTC (20,000 e-8) and 0.0005 x 20000/50010 = 0.000199960008 -> 19,996 e-8
    //   average price (USD-weighted harmonic mean) 40000 / (20000/50000 + 20000/50010) = 50004.99950005
    expect(state).toMatchObject({ status: 'filled', filledAmount: 40_000, fee: 0.00039996, feeCurrency: 'BTC', orderId: 'paper-1' });
    expect(state.averagePrice).toBeCloseTo(50_004.99950005, 6);
    expect(venue.fillsByLabel('r1:0').map((f) => [f.price, f.amount, f.fee])).toEqual([
      [50_000, 20_000, 0.0002],
      [50_010, 20_000, 0.00019996],
    ]);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.fills).toHaveLength(2);
    expect((db.prepare("SELECT SUM(fee_e8) AS s FROM paper_fills WHERE label = 'r1:0'").get() as { s: number }).s).toBe(39_996);
  });

  it('a limit buy of options takes the levels that cross it; fee 0.0003 per contract under the 12.5 % cap', async () => {
    market.books.set(OPTION.name, { bids: [[0.049, 5]], asks: [[0.05, 1], [0.0505, 2], [0.06, 10]], tsMs: T0 });
    const state = await venue.submit({ label: 'r2:0', instrument: OPTION.name, side: 'buy', amount: 2.5, type: 'limit', price: 0.0505 });
    // 1 @ 0.05 (fee 0.0003) + 1.5 @ 0.0505 (fee 0.00045): 0.00075 BTC; average (0.05 + 1.5 x 0.0505) / 2.5 = 0.0503.
    expect(state).toMatchObject({ status: 'filled', filledAmount: 2.5, fee: 0.00075 });
    expect(state.averagePrice).toBeCloseTo(0.0503, 12);
  });

  it('a cheap option pays the capped fee: Deribit’s example of 0.0000125 BTC on a 0.0001 BTC option', async () => {
    market.books.set(OPTION.name, { bids: [], asks: [[0.0001, 50]], tsMs: T0 });
    expect(await venue.submit({ label: 'r3:0', instrument: OPTION.name, side: 'buy', amount: 1, type: 'market' })).toMatchObject({ status: 'filled', fee: 0.0000125 });
  });

  it('a limit order rests with its remainder and fills later as maker at its own price when the book comes through', async () => {
    market.books.set(OPTION.name, { bids: [[0.048, 5]], asks: [[0.05, 1], [0.052, 10]], tsMs: T0 });
    const first = await venue.submit({ label: 'r4:0', instrument: OPTION.name, side: 'buy', amount: 5, type: 'limit', price: 0.05 });
    expect(first).toMatchObject({ status: 'open', filledAmount: 1, fee: 0.0003 });
    expect(venue.matchOpenOrders()).toEqual([]); // nothing crosses yet
    now += 5000;
    market.books.set(OPTION.name, { bids: [[0.047, 5]], asks: [[0.049, 10]], tsMs: now });
    const [later] = venue.matchOpenOrders();
    // 4 more at the limit 0.05 as maker: 4 x 0.0003 = 0.0012; total fee 0.0015 BTC, average 0.05.
    expect(later).toMatchObject({ status: 'filled', filledAmount: 5, fee: 0.0015, averagePrice: 0.05, updatedMs: now });
    expect(db.prepare("SELECT liquidity, amount, price FROM paper_fills WHERE label = 'r4:0' ORDER BY rowid").all()).toEqual([
      { liquidity: 'taker', amount: 1, price: 0.05 },
      { liquidity: 'maker', amount: 4, price: 0.05 },
    ]);
  });

  it('a market order larger than the book fills what is there and cancels the rest; post-only that would cross is rejected', async () => {
    market.books.set(OPTION.name, { bids: [[0.04, 1]], asks: [[0.05, 1]], tsMs: T0 });
    const sell = await venue.submit({ label: 'r5:0', instrument: OPTION.name, side: 'sell', amount: 3, type: 'market' });
    expect(sell).toMatchObject({ status: 'cancelled', filledAmount: 1, averagePrice: 0.04, fee: 0.0003 });
    expect(sell.reason).toMatch(/not enough liquidity: filled 1 of 3/);
    const postOnly = await venue.submit({ label: 'r5:1', instrument: OPTION.name, side: 'buy', amount: 1, type: 'limit', price: 0.05, postOnly: true });
    expect(postOnly).toMatchObject({ status: 'rejected', filledAmount: 0 });
    expect(postOnly.reason).toMatch(/^post_only_reject/);
    const resting = await venue.submit({ label: 'r5:2', instrument: OPTION.name, side: 'buy', amount: 1, type: 'limit', price: 0.045, postOnly: true });
    expect(resting).toMatchObject({ status: 'open', filledAmount: 0 });
    expect(await venue.cancel('r5:2')).toMatchObject({ status: 'cancelled' });
    expect(await venue.cancel('r5:0')).toMatchObject({ status: 'cancelled', filledAmount: 1 });
  });

  it('is idempotent by label, across a restart too: the second submit returns the stored state and trades nothing', async () => {
    market.books.set(PERP.name, { bids: [[49_990, 50_000]], asks: [[50_000, 1_000_000]], tsMs: T0 });
    const order = { label: 'r6:0', instrument: PERP.name, side: 'buy' as const, amount: 10_000, type: 'market' as const };
    const first = await venue.submit(order);
    now += 1000;
    expect(await venue.submit(order)).toEqual(first);
    const restarted = new PaperVenue(openDatabase(dbPath), market, clock);
    expect(await restarted.ordersByLabel('r6:0')).toEqual([first]);
    expect(await restarted.submit({ ...order, amount: 20_000 })).toEqual(first);
    expect(paperFillCount()).toBe(1);
    expect(await restarted.ordersByLabel('never-sent')).toEqual([]);
    expect(updates).toHaveLength(1);
  });

  it('refuses bad orders with a VenueError naming the problem, and stores nothing', async () => {
    market.books.set(PERP.name, { bids: [], asks: [[50_000, 1_000_000]], tsMs: T0 });
    await expect(venue.submit({ label: 'x:0', instrument: name('BTC-NOPE'), side: 'buy', amount: 10, type: 'market' })).rejects.toThrow('paper: unknown instrument BTC-NOPE');
    await expect(venue.submit({ label: 'x:1', instrument: PERP.name, side: 'buy', amount: 15, type: 'market' })).rejects.toThrow('amount 15 of BTC-PERPETUAL must be a multiple of 10');
    await expect(venue.submit({ label: 'x:2', instrument: OPTION.name, side: 'buy', amount: 0.05, type: 'market' })).rejects.toThrow('must be a multiple of 0.1 and at least 0.1');
    await expect(venue.submit({ label: 'x:3', instrument: OPTION.name, side: 'buy', amount: 1, type: 'limit' })).rejects.toThrow('a limit order needs a positive price');
    await expect(venue.submit({ label: 'x:4', instrument: PERP.name, side: 'buy', amount: Number.NaN, type: 'market' })).rejects.toBeInstanceOf(VenueError);
    // 0.3 contracts is 3 lots of 0.1 although 0.3 / 0.1 is 2.9999999999999996 in binary.
    market.books.set(OPTION.name, { bids: [], asks: [[0.05, 10]], tsMs: T0 });
    expect(await venue.submit({ label: 'x:5', instrument: OPTION.name, side: 'buy', amount: 0.3, type: 'market' })).toMatchObject({ status: 'filled', filledAmount: 0.3 });
    expect((db.prepare('SELECT COUNT(*) AS n FROM paper_orders').get() as { n: number }).n).toBe(1);
    // A market order with no book at all is stored as rejected (Deribit answers with an order in that case too).
    market.books.delete(PERP.name);
    expect(await venue.submit({ label: 'x:6', instrument: PERP.name, side: 'buy', amount: 10, type: 'market' })).toMatchObject({ status: 'rejected', reason: 'no order book for BTC-PERPETUAL' });
  });

  it('reads books from the engine’s market state: option top of book in coin, perpetual depth from its book snapshot', async () => {
    const state = new MarketState();
    const events = sequence([
      instrumentEvent(OPTION),
      instrumentEvent(PERP),
      indexEvent('BTC', 100_000),
      optionTicker(OPTION.name, { iv: 0.6, forward: 101_000, markCoin: 0.05 }),
      { type: 'book_snapshot', instrument: PERP.name, tsEvent: epochMs(T0), tsRecv: epochMs(T0), bids: [[usd(99_990), 5000]], asks: [[usd(100_000), 3000], [usd(100_010), 7000]], changeId: 1 },
    ]);
    for (const event of events) expect(state.apply(event, event.seq).kind).not.toBe('rejected');
    const live = new PaperVenue(db, paperMarketFrom(state), clock);
    // optionTicker's ask is mark + 0.0005 = 0.0505 for 12 contracts.
    expect(await live.submit({ label: 'm:0', instrument: OPTION.name, side: 'buy', amount: 2, type: 'market' })).toMatchObject({ status: 'filled', averagePrice: 0.0505, fee: 0.0006 });
    // 3000 @ 100000 + 2000 @ 100010: fees 0.0005 x (3000/100000 + 2000/100010) = 0.000015 + 0.0000099990... -> 1500 + 1000 e-8.
    expect(await live.submit({ label: 'm:1', instrument: PERP.name, side: 'buy', amount: 5000, type: 'market' })).toMatchObject({ status: 'filled', fee: 0.000025 });
  });
});
