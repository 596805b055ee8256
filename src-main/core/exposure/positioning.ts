/**
 * Dealer positioning conventions: who holds the other side of the open interest. Every exposure kernel takes a
 * per-option dealer position (contracts, signed, + = dealer long), so the conventions differ only here.
 *
 *   naive        SqueezeMetrics' convention: customers sell calls (covered calls, overwriting) and buy puts
 *                (protection), so dealers are long every call and short every put: position = +OI (call),
 *                -OI (put). Call GEX positive, put GEX negative.
 *   short        customers are long all open interest and dealers short it: position = -OI for every option.
 *                All GEX negative.
 *   flow         inferred from trade flow (taker = customer, dealer takes the other side), reconciled with
 *                open-interest changes: see `FlowInventory` (flowInventory.ts), whose `writePositions` fills the
 *                chain's dealerPosition.
 *
 * The names are the API's (api/dto.ts re-exports this type): one spelling from the UI to the kernels.
 */
import type { ExposureChain } from './chain';

export type DealerConvention = 'naive' | 'short' | 'flow';
/** The conventions that follow from open interest alone (no trade flow). */
export type OpenInterestConvention = Exclude<DealerConvention, 'flow'>;

/** The dealer position implied by open interest under a fixed convention, contracts (+ dealer long). */
export function dealerPositionFromOpenInterest(convention: OpenInterestConvention, isCall: boolean, openInterest: number): number {
  if (convention === 'short') return -openInterest;
  return isCall ? openInterest : -openInterest;
}

/**
 * Writes `dealerPosition` for rows `from .. to-1` (default all) from the chain's open interest under a fixed
 * convention. No allocation.
 */
export function writeOpenInterestPositions(
  convention: OpenInterestConvention,
  chain: ExposureChain,
  from = 0,
  to = chain.count,
): void {
  const { isCall, openInterest, dealerPosition } = chain;
  const naive = convention === 'naive';
  for (let i = from; i < to; i++) {
    const oi = openInterest[i]!;
    dealerPosition[i] = naive && isCall[i] === 1 ? oi : -oi;
  }
}
