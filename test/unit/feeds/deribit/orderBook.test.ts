import { describe, expect, it } from 'vitest';
import type { InstrumentName } from '../../../../src-main/core/units';
import { OrderBook } from '../../../../src-main/feeds/deribit/orderBook';
import { parseNotification, type BookLevelChange, type BookUpdate } from '../../../../src-main/feeds/deribit/parse';
import { recordedCases } from '../../../mock-deribit/scenario';

const ETH = 'ETH-PERPETUAL' as InstrumentName;

function update(changeId: number, prevChangeId: number | null, bids: BookLevelChange[], asks: BookLevelChange[] = []): BookUpdate {
  return { instrument: ETH, tsEvent: changeId as never, tsRecv: changeId as never, isSnapshot: prevChangeId === null, changeId, prevChangeId, bids, asks };
}

/** The two recorded ETH-PERPETUAL book messages (a snapshot and a later change), parsed. */
function recordedEthBook(): BookUpdate[] {
  return recordedCases()
    .filter((c) => c.input_native_message.params.channel === 'book.ETH-PERPETUAL.raw')
    .map((c) => parseNotification(c.input_native_message.params.channel, c.input_native_message.params.data, 0).book!);
}

describe('OrderBook', () => {
  it('applies a snapshot and in-sequence changes (new, change, delete)', () => {
    const book = new OrderBook(ETH);
    expect(book.awaitingSnapshot).toBe(true);
    expect(book.apply(update(10, null, [{ action: 'new', price: 100, amount: 5 }, { action: 'new', price: 99, amount: 7 }], [{ action: 'new', price: 101, amount: 3 }]))).toEqual({ status: 'snapshot' });
    expect(book.apply(update(11, 10, [{ action: 'delete', price: 100, amount: 0 }, { action: 'new', price: 99.5, amount: 1 }], [{ action: 'change', price: 101, amount: 4 }]))).toEqual({ status: 'applied' });
    expect(book.bestBid()).toEqual({ price: 99.5, amount: 1 });
    expect(book.bestAsk()).toEqual({ price: 101, amount: 4 });
    expect(book.levels('bids')).toEqual([{ price: 99.5, amount: 1 }, { price: 99, amount: 7 }]);
    expect(book.levels('bids', 1)).toEqual([{ price: 99.5, amount: 1 }]);
    expect(book.changeId).toBe(11);
    expect(book.lastUpdateMs).toBe(11);
  });

  it('reports a gap once, drops changes until a snapshot, then recovers', () => {
    const book = new OrderBook(ETH);
    book.apply(update(10, null, [{ action: 'new', price: 100, amount: 5 }]));
    expect(book.apply(update(13, 12, [{ action: 'new', price: 98, amount: 1 }]))).toEqual({ status: 'gap', expectedPrevChangeId: 10, receivedPrevChangeId: 12 });
    expect(book.awaitingSnapshot).toBe(true);
    expect(book.apply(update(14, 13, []))).toEqual({ status: 'awaiting_snapshot' });
    expect(book.apply(update(20, null, [{ action: 'new', price: 97, amount: 2 }]))).toEqual({ status: 'snapshot' });
    expect(book.levels('bids')).toEqual([{ price: 97, amount: 2 }]);
    expect(book.apply(update(21, 20, [{ action: 'change', price: 97, amount: 3 }]))).toEqual({ status: 'applied' });
  });

  it('changes before the first snapshot, or after invalidate(), wait for a snapshot', () => {
    const book = new OrderBook(ETH);
    expect(book.apply(update(5, 4, []))).toEqual({ status: 'awaiting_snapshot' });
    book.apply(update(6, null, [{ action: 'new', price: 1, amount: 1 }]));
    book.invalidate();
    expect(book.apply(update(7, 6, []))).toEqual({ status: 'awaiting_snapshot' });
    expect(book.bestBid()).toEqual({ price: 1, amount: 1 }); // levels kept for display
  });

  it('the recorded ETH-PERPETUAL snapshot and change are ~54 s apart: a real gap', () => {
    const [snapshot, change] = recordedEthBook();
    const book = new OrderBook(ETH);
    expect(book.apply(snapshot!)).toEqual({ status: 'snapshot' });
    expect(book.bestBid()).toEqual({ price: 217.8, amount: 1895 });
    expect(book.bestAsk()).toEqual({ price: 218.6, amount: 179803 });
    expect(book.apply(change!)).toEqual({ status: 'gap', expectedPrevChangeId: 1776289261, receivedPrevChangeId: 1776294621 });
  });

  it('refuses an update of another instrument (a programming error)', () => {
    const book = new OrderBook('BTC-PERPETUAL' as InstrumentName);
    expect(() => book.apply(update(1, null, []))).toThrow(/ETH-PERPETUAL/);
  });
});
