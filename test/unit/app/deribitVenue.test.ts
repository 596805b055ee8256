/** How Deribit failures become VenueErrors, and which orders are refused before anything is sent. */
import { describe, expect, it } from 'vitest';
import { VenueError, type OrderRequest } from '../../../src-main/core/execution/venue';
import { checkOrderRequest, venueErrorOf } from '../../../src-main/app/execution/deribitVenue';
import { DeribitRpcError } from '../../../src-main/feeds/deribit/client';

describe('venueErrorOf', () => {
  it("keeps Deribit's code and message, names the action, and marks only transient failures retryable", () => {
    // Codes and messages as in Deribit's error list (docs.deribit.com, "Error codes").
    const cases: [DeribitRpcError, number | null, boolean, string][] = [
      [new DeribitRpcError('private/buy', 10009, 'not_enough_funds'), 10009, false, 'buy X: Deribit error 10009 not_enough_funds'],
      [new DeribitRpcError('private/buy', 10028, 'too_many_requests'), 10028, true, 'buy X: Deribit error 10028 too_many_requests'],
      [new DeribitRpcError('private/cancel', 10004, 'order_not_found'), 10004, false, 'buy X: Deribit error 10004 order_not_found'],
      [new DeribitRpcError('private/buy', 11054, 'post_only_reject'), 11054, false, 'buy X: Deribit error 11054 post_only_reject'],
      [new DeribitRpcError('private/buy', -32602, 'Invalid params', { param: 'price', reason: 'must be a multiple of the tick size' }), -32602, false, 'buy X: Deribit error -32602 Invalid params (param price: must be a multiple of the tick size)'],
      [new DeribitRpcError('private/buy', 'disconnected', 'connection closed (code 1006)'), null, true, 'buy X: connection lost (connection closed (code 1006))'],
      [new DeribitRpcError('private/buy', 'timeout', 'no answer within 10000 ms'), null, true, 'buy X: no answer in time (no answer within 10000 ms)'],
    ];
    for (const [error, code, retryable, message] of cases) {
      const venueError = venueErrorOf(error, 'buy X');
      expect(venueError).toBeInstanceOf(VenueError);
      expect([venueError.code, venueError.retryable, venueError.message]).toEqual([code, retryable, message]);
    }
    const same = new VenueError('as is', 1, false);
    expect(venueErrorOf(same, 'ignored')).toBe(same);
  });
});

describe('checkOrderRequest', () => {
  const good: OrderRequest = { label: 'rec:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 10, type: 'limit', price: 9_000 };

  it('accepts a well-formed limit or market order', () => {
    expect(() => checkOrderRequest(good)).not.toThrow();
    expect(() => checkOrderRequest({ ...good, type: 'market', price: undefined })).not.toThrow();
    expect(() => checkOrderRequest({ ...good, label: 'x'.repeat(64) })).not.toThrow();
  });

  it('refuses each bad field by name and value, as invalid params', () => {
    const refusals: [Partial<OrderRequest>, string][] = [
      [{ label: '' }, 'order "": label must have 1 to 64 characters, has 0'],
      [{ amount: 0 }, 'order "rec:0": amount must be a finite number > 0, got 0'],
      [{ amount: Infinity }, 'order "rec:0": amount must be a finite number > 0, got Infinity'],
      [{ price: -1 }, 'order "rec:0": price must be a finite number > 0 for a limit order, got -1'],
      [{ type: 'market', price: undefined, postOnly: true }, 'order "rec:0": postOnly is for limit orders only'],
    ];
    for (const [change, message] of refusals) {
      expect(() => checkOrderRequest({ ...good, ...change })).toThrow(message);
    }
  });
});
