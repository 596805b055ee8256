/**
 * A local order book for one hedge instrument (perpetual or dated future), kept from Deribit
 * `book.{instrument}.{interval}` notifications. Pure: no IO, no clock.
 *
 * Deribit numbers every book notification: a snapshot carries `change_id`; each change carries `change_id` and
 * the `prev_change_id` it applies on top of. A change whose `prev_change_id` is not the book's last `change_id`
 * means a notification was lost: the book is then wrong, and the only repair is a fresh snapshot, which Deribit
 * sends when the channel is subscribed again. {@link OrderBook.apply} reports that as `gap` once, then
 * `awaiting_snapshot` for every further change until the snapshot arrives.
 */
import type { InstrumentName } from '../../core/units';
import type { BookLevelChange, BookUpdate } from './parse';

/** One price level: price in the instrument's unit (USD for futures), amount in its amount unit. */
export interface BookLevel {
  price: number;
  amount: number;
}

/**
 * What one update did:
 * - `snapshot`: the book was replaced.
 * - `applied`: a change was applied in sequence.
 * - `gap`: a change did not follow the last one (`expectedPrevChangeId` vs `receivedPrevChangeId`); the book is
 *   now invalid until a snapshot: resubscribe the channel.
 * - `awaiting_snapshot`: a change arrived while the book waits for a snapshot; it was dropped.
 */
export type BookApplyResult =
  | { status: 'snapshot' | 'applied' | 'awaiting_snapshot' }
  | { status: 'gap'; expectedPrevChangeId: number; receivedPrevChangeId: number | null };

export class OrderBook {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private lastChangeId: number | null = null;
  private awaiting = true;
  /** tsEvent of the last applied update, epoch ms; null before the first snapshot. */
  lastUpdateMs: number | null = null;

  constructor(readonly instrument: InstrumentName) {}

  /** The last applied change id; null before the first snapshot. */
  get changeId(): number | null {
    return this.lastChangeId;
  }

  /** True until a snapshot arrives (at start, after a gap, after {@link invalidate}). */
  get awaitingSnapshot(): boolean {
    return this.awaiting;
  }

  /** Applies one notification of this book's channel. */
  apply(update: BookUpdate): BookApplyResult {
    if (update.instrument !== this.instrument) {
      throw new Error(`OrderBook ${this.instrument}: update for ${update.instrument}`);
    }
    if (update.isSnapshot) {
      this.bids.clear();
      this.asks.clear();
      applyLevels(this.bids, update.bids);
      applyLevels(this.asks, update.asks);
      this.lastChangeId = update.changeId;
      this.lastUpdateMs = update.tsEvent;
      this.awaiting = false;
      return { status: 'snapshot' };
    }
    if (this.awaiting) return { status: 'awaiting_snapshot' };
    if (update.prevChangeId !== this.lastChangeId) {
      const expected = this.lastChangeId!;
      this.awaiting = true;
      return { status: 'gap', expectedPrevChangeId: expected, receivedPrevChangeId: update.prevChangeId };
    }
    applyLevels(this.bids, update.bids);
    applyLevels(this.asks, update.asks);
    this.lastChangeId = update.changeId;
    this.lastUpdateMs = update.tsEvent;
    return { status: 'applied' };
  }

  /** Marks the book invalid until the next snapshot (e.g. when the connection dropped). Levels are kept for display. */
  invalidate(): void {
    this.awaiting = true;
  }

  /** Highest bid, or null when the bid side is empty. */
  bestBid(): BookLevel | null {
    return best(this.bids, (a, b) => a > b);
  }

  /** Lowest ask, or null when the ask side is empty. */
  bestAsk(): BookLevel | null {
    return best(this.asks, (a, b) => a < b);
  }

  /** The best `depth` levels of one side, best first (bids descending, asks ascending). */
  levels(side: 'bids' | 'asks', depth = Infinity): BookLevel[] {
    const map = side === 'bids' ? this.bids : this.asks;
    const sorted = [...map.entries()].map(([price, amount]) => ({ price, amount }));
    sorted.sort(side === 'bids' ? (a, b) => b.price - a.price : (a, b) => a.price - b.price);
    return Number.isFinite(depth) ? sorted.slice(0, depth) : sorted;
  }

  /** Number of price levels on each side. */
  size(): { bids: number; asks: number } {
    return { bids: this.bids.size, asks: this.asks.size };
  }
}

function applyLevels(side: Map<number, number>, changes: readonly BookLevelChange[]): void {
  for (const change of changes) {
    // Deribit sends amount 0 with "delete"; a zero amount on "new"/"change" also empties the level.
    if (change.action === 'delete' || change.amount === 0) side.delete(change.price);
    else side.set(change.price, change.amount);
  }
}

function best(side: Map<number, number>, better: (a: number, b: number) => boolean): BookLevel | null {
  let bestPrice: number | null = null;
  for (const price of side.keys()) if (bestPrice === null || better(price, bestPrice)) bestPrice = price;
  return bestPrice === null ? null : { price: bestPrice, amount: side.get(bestPrice)! };
}
