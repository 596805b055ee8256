/**
 * The contract every {@link ExecutionVenue} passes (paper and Deribit alike, STYLE.md 9: one shared contract test):
 * a filled order and its fills, the same label never executed twice, unknown labels, resting orders and cancels,
 * unsubscribing, and refusals before anything is sent. A venue's test file calls {@link venueContract} with a setup
 * that gives a fresh venue and two orders its market can play: one that fills at once in full, one that rests.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VenueError, type ExecutionVenue, type Fill, type OrderRequest, type OrderState } from '../../src-main/core/execution/venue';

export interface VenueContractSetup {
  venue: ExecutionVenue;
  /** An order (with this label) that fills at once, in full. */
  fillable(label: string): OrderRequest;
  /** An order (with this label) that rests open. */
  resting(label: string): OrderRequest;
  teardown(): Promise<void>;
}

export function venueContract(name: string, setup: () => Promise<VenueContractSetup>): void {
  describe(`ExecutionVenue contract: ${name}`, () => {
    let s: VenueContractSetup;
    let updates: { order: OrderState; fills: readonly Fill[] }[];

    beforeEach(async () => {
      s = await setup();
      updates = [];
      s.venue.onUpdate((update) => updates.push(update));
    });
    afterEach(async () => {
      await s.teardown();
    });

    it('a fillable order resolves filled, and its fills arrive through onUpdate summing to the amount', async () => {
      const order = s.fillable('contract-1:0');
      const state = await s.venue.submit(order);
      expect(state).toMatchObject({ label: 'contract-1:0', instrument: order.instrument, side: order.side, amount: order.amount, filledAmount: order.amount, status: 'filled' });
      expect(state.averagePrice).not.toBeNull();
      await vi.waitFor(() => expect(updates.flatMap((u) => u.fills).filter((f) => f.label === 'contract-1:0').reduce((sum, f) => sum + f.amount, 0)).toBe(order.amount));
    });

    it('the same label is executed once: a second submit answers with the first order', async () => {
      const first = await s.venue.submit(s.fillable('contract-2:0'));
      const second = await s.venue.submit(s.fillable('contract-2:0'));
      expect(second.orderId).toBe(first.orderId);
      expect((await s.venue.ordersByLabel('contract-2:0')).map((o) => o.orderId)).toEqual([first.orderId]);
    });

    it('an unknown label has no orders and nothing to cancel', async () => {
      expect(await s.venue.ordersByLabel('contract-never-sent')).toEqual([]);
      expect(await s.venue.cancel('contract-never-sent')).toBeNull();
    });

    it('a resting order stays open, cancels, and cancelling it again changes nothing', async () => {
      const open = await s.venue.submit(s.resting('contract-3:0'));
      expect(open).toMatchObject({ status: 'open', filledAmount: 0, averagePrice: null });
      expect(await s.venue.cancel('contract-3:0')).toMatchObject({ orderId: open.orderId, status: 'cancelled' });
      expect(await s.venue.cancel('contract-3:0')).toMatchObject({ orderId: open.orderId, status: 'cancelled' });
      expect(await s.venue.ordersByLabel('contract-3:0')).toMatchObject([{ orderId: open.orderId, status: 'cancelled' }]);
    });

    it('after unsubscribing, a listener hears nothing more', async () => {
      const heard: unknown[] = [];
      const unsubscribe = s.venue.onUpdate((update) => heard.push(update));
      unsubscribe();
      await s.venue.submit(s.fillable('contract-4:0'));
      await vi.waitFor(() => expect(updates.some((u) => u.order.label === 'contract-4:0')).toBe(true));
      expect(heard).toEqual([]);
    });

    it('refuses a malformed order with a VenueError that is not retryable, and sends nothing', async () => {
      for (const bad of [{ ...s.fillable('contract-5:0'), amount: 0 }, { ...s.fillable('x'.repeat(65)) }]) {
        const error = await s.venue.submit(bad).then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(VenueError);
        expect((error as VenueError).retryable).toBe(false);
      }
      expect(await s.venue.ordersByLabel('contract-5:0')).toEqual([]);
    });
  });
}
