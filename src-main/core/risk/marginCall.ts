/**
 * Distance to a margin call: the index move (down and up) at which the account's equity falls to its
 * maintenance margin, on the exact revaluation. At a move m (all prices × (1 + m), vols + `volShift`):
 *
 *   equity(m) = equity now (coin) + the book's coin P&L at m
 *   MM(m)     = the portfolio-margin replica's MM of the book re-marked at m (the margin moves with the market;
 *               a future keeps its USD notional, so its coin size becomes size / (1 + m))
 *
 * The first m where equity(m) − MM(m) changes sign is found by a scan in `stepMove` steps from 0, then bisection
 * to `tolerance`. No crossing within the range gives null with the reason; a book already below MM gives 0.
 */
import type { Currency } from '../market/events';
import { pmBook } from './pm';
import type { PmParams } from './pmParams';
import { positionPnlCoin, type RiskPosition } from './riskPosition';

export interface MarginCallOptions {
  /** Added to every option's vol, decimal (0.1 = +10 vol points); default 0 (current vols). */
  volShift?: number;
  /** Scan range: down to −maxDown, up to +maxUp; defaults 0.95 and 3 (−95 % … +300 %). */
  maxDown?: number;
  maxUp?: number;
  stepMove?: number;
  tolerance?: number;
}

export interface MarginCallSide {
  /** The index move (fraction) at which equity reaches MM; null when it does not within the range. */
  move: number | null;
  /** The index level there, USD. */
  indexUsd: number | null;
  reason: string | null;
}

export interface MarginCallDistance {
  currency: Currency;
  equityCoin: number;
  maintenanceMarginNow: number;
  volShift: number;
  down: MarginCallSide;
  up: MarginCallSide;
}

/** Equity minus MM at the move `m`, coin. */
export function marginExcessAt(currency: Currency, positions: readonly RiskPosition[], indexUsd: number, nowMs: number, params: Readonly<PmParams>, equityCoin: number, move: number, volShift: number): number {
  // A future's USD notional is fixed, so its coin size is notional / the moved price.
  const moved = positions.map((p) => (p.kind === 'option'
    ? { ...p, forwardUsd: p.forwardUsd * (1 + move), vol: Math.max(p.vol + volShift, 0) }
    : { ...p, forwardUsd: p.forwardUsd * (1 + move), sizeCoin: p.sizeCoin / (1 + move) }));
  let pnl = 0;
  for (const p of positions) pnl += positionPnlCoin(p, nowMs, move, p.kind === 'option' ? Math.max(p.vol + volShift, 0) : 0, 0);
  return equityCoin + pnl - pmBook(currency, moved, indexUsd * (1 + move), nowMs, params).margin.maintenanceMargin;
}

export function distanceToMarginCall(currency: Currency, positions: readonly RiskPosition[], indexUsd: number, nowMs: number, params: Readonly<PmParams>, equityCoin: number, options: MarginCallOptions = {}): MarginCallDistance {
  if (!Number.isFinite(equityCoin)) throw new RangeError(`equity must be a finite number of coins, got ${String(equityCoin)}`);
  const volShift = options.volShift ?? 0;
  const step = options.stepMove ?? 0.01;
  const tolerance = options.tolerance ?? 1e-6;
  const own = positions.filter((p) => p.currency === currency);
  const excess = (m: number): number => marginExcessAt(currency, own, indexUsd, nowMs, params, equityCoin, m, volShift);
  const now = excess(0);
  const mmNow = pmBook(currency, own, indexUsd, nowMs, params).margin.maintenanceMargin;
  const side = (direction: -1 | 1, limit: number): MarginCallSide => {
    if (now <= 0) return { move: 0, indexUsd, reason: 'equity is already at or below the maintenance margin' };
    let previous = 0;
    for (let k = 1; ; k++) {
      const m = direction * Math.min(k * step, limit);
      if (excess(m) <= 0) {
        let good = previous;
        let bad = m;
        while (Math.abs(bad - good) > tolerance) {
          const mid = (good + bad) / 2;
          if (excess(mid) > 0) good = mid;
          else bad = mid;
        }
        return { move: bad, indexUsd: indexUsd * (1 + bad), reason: null };
      }
      previous = m;
      if (Math.abs(m) >= limit) break;
    }
    const percent = Math.round(limit * 100);
    return { move: null, indexUsd: null, reason: `equity stays above the maintenance margin for every move to ${direction < 0 ? '−' : '+'}${percent} %` };
  };
  return { currency, equityCoin, maintenanceMarginNow: mmNow, volShift, down: side(-1, options.maxDown ?? 0.95), up: side(1, options.maxUp ?? 3) };
}
