/**
 * The `gex` object of `gammadesk analyze`: one currency's dealer gamma exposure from a chain (a Tardis
 * options_chain file, or the engine state after replaying a session for the flow convention).
 */
import type { DealerConvention, VolDynamics } from '../api/dto';
import { allocateExposureChain, type ExposureChain } from '../core/exposure/chain';
import { writeOpenInterestPositions } from '../core/exposure/positioning';
import type { Currency } from '../core/market/events';
import { formatExpiryCode } from '../core/market/expiryCode';
import { yearsToExpiry } from '../core/pricing/time';
import type { OptionChainQuote } from '../core/pricing/analyze';
import { parseOptionName } from '../core/pricing/instrument';
import { exposureSummaryView, summarizeExposure, type ExposureSummaryView } from '../engine/exposureSummary';
import { snakeCase, type SnakeCased } from './snakeCase';

/**
 * The live stream's exposure summary (engine/exposureSummary.ts) in snake_case, plus what only the command line
 * says: where the spot came from, how many options, and the units.
 */
export type GexReport = SnakeCased<ExposureSummaryView> & {
  spot_source: string;
  options: number;
  units: string;
};

export const GEX_UNITS =
  'GEX in USD per 1 % spot move (sign × gamma × OI × contract size × F² × 0.01); coin GEX = USD GEX ÷ F; levels in USD';

/** Runs the exposure analysis on a packed chain (dealer positions already written) and renames it for the CLI. */
export function gexReport(
  chain: ExposureChain,
  context: {
    currency: Currency;
    expiries: readonly { label: string; expiryMs: number }[];
    convention: DealerConvention;
    dynamics?: VolDynamics;
    spotSource: string;
    /** The currency's dealer inventory from trades (flow convention). */
    flow?: { getResult(): { confidence: number; trades: number } | null };
  },
): GexReport {
  const dynamics = context.dynamics ?? 'stickyStrike';
  const summary = summarizeExposure(chain, dynamics);
  const view = exposureSummaryView(summary, { ...context, dynamics, spotUsd: chain.spotUsd, tracker: null, flow: context.flow });
  return { ...snakeCase(view), spot_source: context.spotSource, options: chain.count, units: GEX_UNITS };
}

/**
 * Chains per currency from the latest options_chain quotes (inverse BTC/ETH options with a mark IV, a forward and
 * open interest). The file has no index price: the nearest live expiry's forward is the reference spot.
 */
export function chainsFromQuotes(
  quotes: Iterable<OptionChainQuote>,
  asOfMs: number,
  convention: 'naive' | 'short',
): Map<Currency, { chain: ExposureChain; expiries: { label: string; expiryMs: number }[]; spotSource: string }> {
  const byCurrency = new Map<Currency, { quote: OptionChainQuote; expiryMs: number; isCall: boolean }[]>();
  for (const quote of quotes) {
    let parsed;
    try {
      parsed = parseOptionName(quote.symbol);
    } catch {
      continue;
    }
    if (parsed.settlement !== 'inverse' || (parsed.currency !== 'BTC' && parsed.currency !== 'ETH')) continue;
    if (!(quote.markIv! > 0) || !(quote.underlyingPrice! > 0) || quote.openInterest === null) continue;
    const expiryMs = Number.isFinite(quote.expirationMs) ? quote.expirationMs : parsed.expiryMs;
    if (expiryMs <= asOfMs) continue;
    const rows = byCurrency.get(parsed.currency) ?? [];
    rows.push({ quote, expiryMs, isCall: parsed.isCall });
    byCurrency.set(parsed.currency, rows);
  }
  const out = new Map<Currency, { chain: ExposureChain; expiries: { label: string; expiryMs: number }[]; spotSource: string }>();
  for (const [currency, rows] of byCurrency) {
    const expiryList = [...new Set(rows.map((r) => r.expiryMs))].sort((a, b) => a - b);
    const chain = allocateExposureChain(rows.length);
    rows.forEach((r, i) => {
      chain.forward[i] = r.quote.underlyingPrice!;
      chain.strike[i] = r.quote.strike;
      chain.years[i] = yearsToExpiry(r.expiryMs, asOfMs);
      chain.vol[i] = r.quote.markIv!;
      chain.isCall[i] = r.isCall ? 1 : 0;
      chain.openInterest[i] = r.quote.openInterest!;
      chain.expiryIndex[i] = expiryList.indexOf(r.expiryMs);
    });
    const front = rows.find((r) => r.expiryMs === expiryList[0])!;
    chain.spotUsd = front.quote.underlyingPrice!;
    writeOpenInterestPositions(convention, chain);
    out.set(currency, { chain, expiries: expiryList.map((expiryMs) => ({ label: formatExpiryCode(expiryMs), expiryMs })), spotSource: `forward of the nearest expiry ${formatExpiryCode(expiryList[0]!)} (${front.quote.underlyingIndex})` });
  }
  return out;
}
