/**
 * The paper ledger: an {@link ExecutionVenue} that fills against the current order book instead of an exchange.
 *
 * - A buy walks the asks from the best price up, a sell the bids down, level by level (slippage is the walk);
 *   a market order takes what the book has and cancels the rest (Deribit's behaviour for an unfilled market
 *   remainder), a limit order takes the levels that cross its price and rests with the remainder (open), a
 *   post-only limit that would cross is rejected (`post_only_reject`). Resting orders fill later, as maker at
 *   their limit price, when {@link PaperVenue.matchOpenOrders} finds a newer book (tsMs after the order's last
 *   update) crossing them.
 * - Fees per fill from the instrument data (core/execution/fees.ts: Deribit's rates, the 12.5 % option cap),
 *   taker for what an order takes on arrival, maker for resting fills; kept in integer 1e-8 units.
 * - Orders and fills are stored in SQLite (paper_orders, paper_fills) in one transaction per order event before
 *   anything is returned or announced, so a label is known across restarts: a label seen before returns its
 *   stored state and trades nothing (idempotence by label, as on Deribit).
 * - The book source is read, never changed: the ledger does not model its own market impact across orders.
 *
 * Refusals that Deribit would answer with an error and no order (unknown instrument, amount not a multiple of
 * the lot, bad price) throw a {@link VenueError} and store nothing.
 */
import { tradeFee, type Liquidity } from '../../core/execution/fees';
import { MAX_LABEL_LENGTH, VenueError, type ExecutionVenue, type Fill, type OrderRequest, type OrderState, type VenueKind } from '../../core/execution/venue';
import type { InstrumentDef } from '../../core/market/events';
import { epochMs, type EpochMs, type InstrumentName } from '../../core/units';
import type { Db } from '../../store/database';

/** One side of a book: [price in the instrument's quote currency, amount in its trade unit], best first. */
export type BookLevels = readonly (readonly [price: number, amount: number])[];

export interface OrderBook {
  bids: BookLevels;
  asks: BookLevels;
  tsMs: number;
  /** The underlying index in USD, needed for the fee of linear (USDC) options only. */
  indexPriceUsd?: number | null;
}

/** Where the paper ledger reads books and instrument data (the app: the live market state). */
export interface PaperMarket {
  book(instrument: InstrumentName): OrderBook | null;
  instrument(instrument: InstrumentName): InstrumentDef | null;
}

export interface PaperPosition {
  instrument: InstrumentName;
  /** Net amount, + long (contracts for options, USD for inverse futures). */
  amount: number;
  fee: number;
  feeE8: number;
  feeCurrency: string;
  fills: number;
}

type UpdateListener = (update: { order: OrderState; fills: readonly Fill[] }) => void;

interface StoredFill extends Fill {
  feeE8: number;
}

/** Relative tolerance for "a multiple of the lot" (amounts arrive as binary floats: 0.3 = 3 x 0.1). */
const LOT_TOLERANCE = 1e-9;

export class PaperVenue implements ExecutionVenue {
  readonly kind: VenueKind = 'paper';
  private readonly listeners = new Set<UpdateListener>();
  private closed = false;
  /** False once a look found no open order and none rested since: the app's matching round is then free. */
  private mayHaveOpen = true;

  constructor(
    private readonly db: Db,
    private readonly market: PaperMarket,
    private readonly clock: () => EpochMs,
  ) {}

  submit(order: OrderRequest): Promise<OrderState> {
    try {
      return Promise.resolve(this.submitNow(order));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  cancel(label: string): Promise<OrderState | null> {
    this.assertOpen();
    const current = this.stored(label);
    if (!current || current.status !== 'open') return Promise.resolve(current);
    const cancelled: OrderState = { ...current, status: 'cancelled', reason: 'cancelled by the desk', updatedMs: this.clock() };
    this.db.prepare('UPDATE paper_orders SET state = ? WHERE label = ?').run(JSON.stringify(cancelled), label);
    this.announce(cancelled, []);
    return Promise.resolve(cancelled);
  }

  ordersByLabel(label: string): Promise<OrderState[]> {
    this.assertOpen();
    const state = this.stored(label);
    return Promise.resolve(state ? [state] : []);
  }

  onUpdate(listener: UpdateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    return Promise.resolve();
  }

  /** Every fill of one order, oldest first (for the desk's record and for reconciliation after a crash). */
  fillsByLabel(label: string): Fill[] {
    return this.db
      .prepare<[string], { trade_id: string; label: string; order_id: string; instrument: string; side: 'buy' | 'sell'; amount: number; price: number; fee_e8: number; fee_currency: string; ts_ms: number }>(
        'SELECT * FROM paper_fills WHERE label = ? ORDER BY rowid',
      )
      .all(label)
      .map((r) => ({ label: r.label, orderId: r.order_id, tradeId: r.trade_id, instrument: r.instrument as InstrumentName, side: r.side, amount: r.amount, price: r.price, fee: r.fee_e8 / 1e8, feeCurrency: r.fee_currency, timestampMs: epochMs(r.ts_ms) }));
  }

  /**
   * The paper account's positions from its fills: net amount per instrument (+ long, in the instrument's trade
   * unit) and the fees paid, summed exactly in 1e-8 units. Marks and P&L are the book's business (positions view).
   */
  positions(): PaperPosition[] {
    return this.db
      .prepare<[], { instrument: string; net: number; fee_e8: number; fee_currency: string; fills: number }>(
        `SELECT instrument,
                SUM(CASE side WHEN 'buy' THEN amount ELSE -amount END) AS net,
                SUM(fee_e8) AS fee_e8, fee_currency, COUNT(*) AS fills
         FROM paper_fills GROUP BY instrument, fee_currency ORDER BY instrument`,
      )
      .all()
      .map((r) => ({ instrument: r.instrument as InstrumentName, amount: roundAmount(r.net), feeE8: r.fee_e8, fee: r.fee_e8 / 1e8, feeCurrency: r.fee_currency, fills: r.fills }));
  }

  /**
   * Fills resting limit orders that the current books now cross, as maker at the order's limit price; returns
   * the orders that changed. The app calls it every publish round while the paper ledger is the venue and the
   * source is not a replay (the paper ledger has no matching engine); a round with no open order costs nothing.
   */
  matchOpenOrders(): OrderState[] {
    this.assertOpen();
    if (!this.mayHaveOpen) return [];
    const open = this.db.prepare<[], { state: string; request: string }>("SELECT state, request FROM paper_orders WHERE json_extract(state, '$.status') = 'open' ORDER BY rowid").all();
    if (open.length === 0) this.mayHaveOpen = false;
    const changed: OrderState[] = [];
    for (const row of open) {
      const state = JSON.parse(row.state) as OrderState;
      const request = JSON.parse(row.request) as OrderRequest;
      const def = this.market.instrument(request.instrument);
      const book = this.market.book(request.instrument);
      // Only a book newer than the order's last fill: the levels it already took are still in an older one.
      if (!def || !book || book.tsMs <= state.updatedMs) continue;
      const takes = walk(request.side === 'buy' ? book.asks : book.bids, request.side, state.amount - state.filledAmount, request.price!);
      if (takes.length === 0) continue;
      // A resting order trades at its own price when the book comes through it.
      const atLimit = [{ price: request.price!, amount: takes.reduce((sum, t) => sum + t.amount, 0) }];
      const { next, fills } = this.applyFills(state, request, def, book, atLimit, 'maker');
      const final: OrderState = { ...next, status: approxEqual(next.filledAmount, next.amount) ? 'filled' : 'open' };
      this.persist(final, fills, null, 'maker');
      this.announce(final, fills);
      changed.push(final);
    }
    return changed;
  }

  private submitNow(order: OrderRequest): OrderState {
    this.assertOpen();
    validateRequest(order);
    const known = this.stored(order.label);
    if (known) return known;
    const def = this.market.instrument(order.instrument);
    if (!def) throw new VenueError(`paper: unknown instrument ${order.instrument} (not in the market's instrument data)`, null, false);
    if (def.settlement === 'linear' && def.kind === 'option' && (this.market.book(order.instrument)?.indexPriceUsd ?? null) === null) {
      throw new VenueError(`paper: ${order.instrument}: a linear option's fee needs the index price, which the book source does not give`, null, false);
    }
    checkLot(order, def);
    const now = this.clock();
    const orderId = `paper-${this.nextOrderNumber()}`;
    const fresh: OrderState = {
      label: order.label,
      orderId,
      instrument: order.instrument,
      side: order.side,
      amount: order.amount,
      filledAmount: 0,
      averagePrice: null,
      status: 'open',
      fee: 0,
      feeCurrency: def.settlement === 'inverse' ? def.currency : 'USDC',
      updatedMs: now,
    };
    const book = this.market.book(order.instrument);
    const levels = book ? (order.side === 'buy' ? book.asks : book.bids) : [];
    const limit = order.type === 'limit' ? order.price! : null;
    const takes = walk(levels, order.side, order.amount, limit);
    let final: OrderState;
    let fills: StoredFill[] = [];
    if (order.postOnly && takes.length > 0) {
      final = { ...fresh, status: 'rejected', reason: `post_only_reject: a post-only ${order.side} at ${limit} would take liquidity` };
    } else if (!book) {
      final = order.type === 'market' ? { ...fresh, status: 'rejected', reason: `no order book for ${order.instrument}` } : fresh;
    } else {
      const applied = this.applyFills(fresh, order, def, book, takes, 'taker');
      fills = applied.fills;
      const complete = approxEqual(applied.next.filledAmount, order.amount);
      if (complete) final = { ...applied.next, status: 'filled' };
      else if (order.type === 'market') {
        final = { ...applied.next, status: 'cancelled', reason: `not enough liquidity: filled ${applied.next.filledAmount} of ${order.amount}; the market remainder is cancelled` };
      } else final = { ...applied.next, status: 'open' };
    }
    this.persist(final, fills, order, 'taker');
    this.announce(final, fills);
    return final;
  }

  private applyFills(state: OrderState, order: OrderRequest, def: InstrumentDef, book: OrderBook, takes: readonly { price: number; amount: number }[], liquidity: Liquidity): { next: OrderState; fills: StoredFill[] } {
    const now = this.clock();
    const fills: StoredFill[] = [];
    // Inverse futures trade USD amounts: their average price is the USD-weighted harmonic mean (so that the coin
    // P&L of the position is amount x (1/average - 1/price)); everything else averages prices by amount.
    const harmonic = def.settlement === 'inverse' && def.kind !== 'option';
    const weight = (price: number): number => (harmonic ? 1 / price : price);
    let filled = state.filledAmount;
    let weighted = state.averagePrice === null ? 0 : weight(state.averagePrice) * state.filledAmount;
    let feeE8 = Math.round(state.fee * 1e8);
    const first = this.nextTradeNumber(state.orderId);
    takes.forEach((take, i) => {
      const fee = tradeFee(def, liquidity, take.amount, take.price, book.indexPriceUsd ?? null);
      if (fee.fee === null) throw new VenueError(`paper: ${order.instrument}: ${fee.reason}`, null, false);
      fills.push({
        label: order.label,
        orderId: state.orderId,
        tradeId: `${state.orderId}-${first + i}`,
        instrument: order.instrument,
        side: order.side,
        amount: take.amount,
        price: take.price,
        fee: fee.fee,
        feeE8: fee.feeE8,
        feeCurrency: fee.currency,
        timestampMs: now,
      });
      filled += take.amount;
      weighted += take.amount * weight(take.price);
      feeE8 += fee.feeE8;
    });
    return { next: { ...state, filledAmount: roundAmount(filled), averagePrice: filled > 0 ? (harmonic ? filled / weighted : weighted / filled) : null, fee: feeE8 / 1e8, updatedMs: now }, fills };
  }

  private persist(state: OrderState, fills: readonly StoredFill[], request: OrderRequest | null, liquidity: Liquidity): void {
    const insertFill = this.db.prepare(
      'INSERT INTO paper_fills (trade_id, label, order_id, instrument, side, amount, price, fee_e8, fee_currency, liquidity, ts_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    if (state.status === 'open') this.mayHaveOpen = true;
    this.db.transaction(() => {
      if (request) this.db.prepare('INSERT INTO paper_orders (label, order_id, request, state, created_ms) VALUES (?, ?, ?, ?, ?)').run(state.label, state.orderId, JSON.stringify(request), JSON.stringify(state), state.updatedMs);
      else this.db.prepare('UPDATE paper_orders SET state = ? WHERE label = ?').run(JSON.stringify(state), state.label);
      for (const f of fills) insertFill.run(f.tradeId, f.label, f.orderId, f.instrument, f.side, f.amount, f.price, f.feeE8, f.feeCurrency, liquidity, f.timestampMs);
    })();
  }

  private announce(order: OrderState, fills: readonly StoredFill[]): void {
    const plain: Fill[] = fills.map(({ feeE8: _units, ...fill }) => fill);
    for (const listener of this.listeners) listener({ order, fills: plain });
  }

  private stored(label: string): OrderState | null {
    const row = this.db.prepare<[string], { state: string }>('SELECT state FROM paper_orders WHERE label = ?').get(label);
    return row ? (JSON.parse(row.state) as OrderState) : null;
  }

  private nextOrderNumber(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM paper_orders').get() as { n: number }).n + 1;
  }

  private nextTradeNumber(orderId: string): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM paper_fills WHERE order_id = ?').get(orderId) as { n: number }).n + 1;
  }

  private assertOpen(): void {
    if (this.closed) throw new VenueError('paper venue is closed', null, false);
  }
}

/** Takes levels that cross `limit` (null: any price) until `amount` is filled; best levels first. */
function walk(levels: BookLevels, side: 'buy' | 'sell', amount: number, limit: number | null): { price: number; amount: number }[] {
  const takes: { price: number; amount: number }[] = [];
  let remaining = amount;
  for (const [price, size] of levels) {
    if (remaining <= amount * LOT_TOLERANCE) break;
    if (!(size > 0) || !(price > 0)) continue;
    if (limit !== null && (side === 'buy' ? price > limit : price < limit)) break;
    const take = Math.min(size, remaining);
    takes.push({ price, amount: roundAmount(take) });
    remaining = roundAmount(remaining - take);
  }
  return takes;
}

function validateRequest(order: OrderRequest): void {
  if (typeof order.label !== 'string' || order.label === '' || order.label.length > MAX_LABEL_LENGTH) {
    throw new VenueError(`paper: label must be 1–${MAX_LABEL_LENGTH} characters, got ${JSON.stringify(order.label)}`, null, false);
  }
  if (!(Number.isFinite(order.amount) && order.amount > 0)) throw new VenueError(`paper: ${order.label}: amount must be a positive number, got ${order.amount}`, null, false);
  if (order.type === 'limit' && !(typeof order.price === 'number' && Number.isFinite(order.price) && order.price > 0)) {
    throw new VenueError(`paper: ${order.label}: a limit order needs a positive price, got ${String(order.price)}`, null, false);
  }
  if (order.postOnly && order.type !== 'limit') throw new VenueError(`paper: ${order.label}: post-only applies to limit orders`, null, false);
}

/** Deribit lots: options in multiples of the minimum trade amount, inverse futures in multiples of the contract size (USD). */
function checkLot(order: OrderRequest, def: InstrumentDef): void {
  const lot = def.kind !== 'option' && def.settlement === 'inverse' ? def.contractSize : def.minTradeAmount;
  const units = order.amount / lot;
  if (order.amount < def.minTradeAmount * (1 - LOT_TOLERANCE) || Math.abs(units - Math.round(units)) > LOT_TOLERANCE * Math.max(1, units)) {
    throw new VenueError(`paper: ${order.label}: amount ${order.amount} of ${def.name} must be a multiple of ${lot} and at least ${def.minTradeAmount}`, null, false);
  }
}

/** Amounts to 1e-10 (lot arithmetic in binary floats: 0.1 + 0.2). */
function roundAmount(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

function approxEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= LOT_TOLERANCE * Math.max(1, Math.abs(b));
}
