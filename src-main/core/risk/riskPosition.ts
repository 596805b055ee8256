/**
 * The book as the risk engine sees it: one flat record per position with what full revaluation needs (size in
 * coin, strike, expiry, the forward it is priced on, its vol), built from the book's checked positions and a
 * {@link BookMarket}. Positions that cannot be revalued (no quote, no forward, no IV) are left out with a reason,
 * never guessed.
 *
 * Size in coin follows Deribit's `private/pme/simulate`: options in contracts (1 = 1 coin); inverse futures and
 * perpetuals as USD notional / their mark price (the coin exposure of the notional today). A delta-one position's
 * coin P&L for an index move m is then size × m / (1 + m): Q (1/F − 1/(F(1 + m))) for Q USD notional.
 *
 * Futures and perpetuals are revalued on their own mark price, options on their expiry's forward; every price of a
 * currency moves by the same relative move as the index (basis and funding unchanged).
 */
import type { Currency } from '../market/events';
import type { CheckedPosition } from '../book/position';
import type { BookMarket } from '../book/valuation';
import { black76Price } from '../pricing/black76';
import { yearsToExpiry } from '../pricing/time';

export interface RiskPosition {
  instrument: string;
  currency: Currency;
  kind: 'option' | 'future' | 'perpetual';
  /** + long; coin (see the file comment). */
  sizeCoin: number;
  /** Epoch ms; null for perpetuals. */
  expiryMs: number | null;
  /** Options: strike USD and call/put; NaN and false for delta-one positions. */
  strike: number;
  isCall: boolean;
  /** The price the position is revalued on today: the expiry's forward (options) or the mark price (futures), USD. */
  forwardUsd: number;
  /** Options: the mark IV, decimal; 0 for delta-one positions. */
  vol: number;
}

export interface RiskPositionsResult {
  positions: RiskPosition[];
  /** Positions that cannot be revalued, with the reason. */
  skipped: { instrument: string; reason: string }[];
}

/** The risk records of a book; positions without the market data to revalue them are listed in `skipped`. */
export function riskPositions(book: readonly CheckedPosition[], market: BookMarket): RiskPositionsResult {
  const positions: RiskPosition[] = [];
  const skipped: { instrument: string; reason: string }[] = [];
  for (const position of book) {
    const p = position.parsed;
    const quote = market.quote(position.instrument);
    const base = { instrument: position.instrument, currency: position.currency };
    if (!quote) {
      skipped.push({ ...base, reason: 'no quote for this instrument in the market' });
      continue;
    }
    if (p.kind === 'option') {
      const forward = quote.forwardUsd;
      const expired = yearsToExpiry(p.expiryMs, market.nowMs) <= 0;
      if (forward === null || !(forward > 0)) skipped.push({ ...base, reason: 'no forward for this expiry' });
      else if (!expired && (quote.markIv === null || !(quote.markIv > 0))) skipped.push({ ...base, reason: 'no mark IV' });
      else positions.push({ ...base, kind: 'option', sizeCoin: position.quantity, expiryMs: p.expiryMs, strike: p.strike, isCall: p.isCall, forwardUsd: forward, vol: quote.markIv ?? 0 });
    } else if (!(quote.markPrice > 0)) skipped.push({ ...base, reason: 'the mark price is not above 0' });
    else {
      positions.push({
        ...base, kind: p.kind, sizeCoin: position.quantity / quote.markPrice, expiryMs: p.kind === 'future' ? p.expiryMs : null,
        strike: NaN, isCall: false, forwardUsd: quote.markPrice, vol: 0,
      });
    }
  }
  return { positions, skipped };
}

/** Why a risk record cannot be revalued (non-finite size or price, an option without strike, expiry or vol); null when it can. */
export function riskPositionProblem(position: RiskPosition): string | null {
  if (!Number.isFinite(position.sizeCoin) || !(position.forwardUsd > 0 && Number.isFinite(position.forwardUsd))) {
    return `${position.instrument}: size ${position.sizeCoin} and price ${position.forwardUsd} must be finite and the price above 0`;
  }
  if (position.kind === 'option' && !(position.strike > 0 && Number.isFinite(position.vol) && position.vol >= 0 && position.expiryMs !== null)) {
    return `${position.instrument}: an option needs a strike above 0, an expiry and a vol ≥ 0, got strike ${position.strike}, vol ${position.vol}`;
  }
  return null;
}

/**
 * Coin P&L of one position when its price moves by the relative `move`, its vol becomes `vol`, and `elapsedYears`
 * pass. Options: size × (V(F(1 + m), σ', T − dt) / (F(1 + m)) − V(F, σ, T) / F), Black-76 in USD over the forward
 * (Deribit's coin mark); at T − dt ≤ 0 the intrinsic value. Delta-one: size × m / (1 + m). Exactly 0 for no move,
 * the same vol and no time.
 */
export function positionPnlCoin(position: RiskPosition, nowMs: number, move: number, vol: number, elapsedYears: number): number {
  if (position.kind !== 'option') return (position.sizeCoin * move) / (1 + move);
  const years = yearsToExpiry(position.expiryMs!, nowMs);
  const forward = position.forwardUsd;
  const shifted = forward * (1 + move);
  const before = black76Price(forward, position.strike, years, position.vol, position.isCall) / forward;
  const after = black76Price(shifted, position.strike, years - elapsedYears, vol, position.isCall) / shifted;
  return position.sizeCoin * (after - before);
}
