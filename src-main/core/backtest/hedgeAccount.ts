/**
 * The hedge account of one backtested policy: its inverse perpetual position, and what holding and trading it
 * earned and cost, in coin. Pure bookkeeping over fills the paper ledger made; the option book is valued apart.
 *
 * Conventions (Deribit inverse perpetual, docs/decisions/0024-backtest-on-recorded-sessions.md):
 * - Amounts are USD notional, + long. The coin P&L of the fills at mark m is Σ s·a (1/p − 1/m) = B − Q/m with
 *   B = Σ s·a/p (the coin basis) and Q = Σ s·a (the position): exact for any sequence of fills, with no average
 *   price to round.
 * - Fees are Deribit's (core/execution/fees.ts) as the ledger charged them, summed in integer 1e-8 coin.
 * - Spread cost of a fill: what it paid against the book's mid at that moment, a·|1/mid − 1/p| coin (the
 *   half-spread plus the slippage of walking the levels). It is already inside the P&L (fills are at p, marks
 *   are at the mark); it is reported apart so the cost of trading can be read.
 * - Funding accrues continuously at the perpetual's current 8-hour rate: over dt a position Q pays
 *   Q / index × rate × dt / 8 h coin (longs pay when the rate is positive). The rate of the last perpetual
 *   ticker holds until the next one. Time held while no rate is known is counted, and funding is then null.
 */
import { roundE8 } from '../execution/fees';

export const FUNDING_PERIOD_MS = 8 * 3_600_000;

export interface HedgeFill {
  side: 'buy' | 'sell';
  /** USD notional, > 0. */
  amountUsd: number;
  priceUsd: number;
  /** Fee in integer 1e-8 coin (negative: a rebate). */
  feeE8: number;
}

export class HedgeAccount {
  /** Signed USD notional of the perpetual. */
  positionUsd = 0;
  /** Σ signed amount / price, coin. */
  private coinBasis = 0;
  feesE8 = 0;
  /** Each fee at the index when it was paid, USD. */
  feesUsd = 0;
  spreadCostCoin = 0;
  spreadCostUsd = 0;
  turnoverUsd = 0;
  turnoverCoin = 0;
  fills = 0;
  /** Funding received (+) or paid (−), coin, over the time a rate was known. */
  fundingCoin = 0;
  /** Each accrual at the index of its rate, USD. */
  fundingUsd = 0;
  /** Time the position was open while the recorded ticker gave no funding rate, ms. */
  fundingUnknownMs = 0;
  private fundingRate8h: number | null = null;
  private fundingIndexUsd: number | null = null;
  private accruedToMs: number | null = null;

  /** Books one fill against the book's `midUsd` at that moment (for the spread cost) and the index (its USD value). */
  fill(fill: HedgeFill, midUsd: number, indexUsd: number): void {
    if (!(fill.amountUsd > 0 && fill.priceUsd > 0 && midUsd > 0)) {
      throw new RangeError(`hedge fill needs a positive amount, price and mid, got ${fill.amountUsd} at ${fill.priceUsd} (mid ${midUsd})`);
    }
    const sign = fill.side === 'buy' ? 1 : -1;
    this.positionUsd += sign * fill.amountUsd;
    this.coinBasis += (sign * fill.amountUsd) / fill.priceUsd;
    this.feesE8 += fill.feeE8;
    this.feesUsd += (fill.feeE8 / 1e8) * indexUsd;
    const spread = fill.amountUsd * Math.abs(1 / midUsd - 1 / fill.priceUsd);
    this.spreadCostCoin += spread;
    this.spreadCostUsd += spread * indexUsd;
    this.turnoverUsd += fill.amountUsd;
    this.turnoverCoin += fill.amountUsd / fill.priceUsd;
    this.fills++;
  }

  /** Coin P&L of the position's fills at the perpetual's mark (before fees and funding). */
  tradingPnlCoin(markUsd: number): number {
    if (this.positionUsd === 0 && this.coinBasis === 0) return 0;
    return this.coinBasis - this.positionUsd / markUsd;
  }

  get feesCoin(): number {
    return this.feesE8 / 1e8;
  }

  /** Accrues funding on the current position from the last accrual up to `atMs` at the rate then in force. */
  accrueFunding(atMs: number): void {
    const from = this.accruedToMs;
    this.accruedToMs = atMs;
    if (from === null || !(atMs > from) || this.positionUsd === 0) return;
    const dt = atMs - from;
    if (this.fundingRate8h === null || this.fundingIndexUsd === null) {
      this.fundingUnknownMs += dt;
      return;
    }
    const coin = (-this.positionUsd / this.fundingIndexUsd) * this.fundingRate8h * (dt / FUNDING_PERIOD_MS);
    this.fundingCoin += coin;
    this.fundingUsd += coin * this.fundingIndexUsd;
  }

  /** A new perpetual ticker: accrue to its time at the old rate, then its rate (null: not recorded) holds. */
  fundingRate(atMs: number, rate8h: number | null, indexUsd: number | null): void {
    this.accrueFunding(atMs);
    this.fundingRate8h = rate8h !== null && Number.isFinite(rate8h) ? rate8h : null;
    this.fundingIndexUsd = indexUsd !== null && indexUsd > 0 ? indexUsd : null;
  }

  /** Funding in coin, or null with the reason when the position was held without a known rate. */
  funding(): { coin: number; reason: null } | { coin: null; reason: string } {
    if (this.fundingUnknownMs > 0) {
      return { coin: null, reason: `the recorded perpetual ticker carried no funding rate for ${(this.fundingUnknownMs / 3_600_000).toPrecision(3)} h while the hedge was open` };
    }
    return { coin: roundE8(this.fundingCoin) / 1e8, reason: null };
  }
}
