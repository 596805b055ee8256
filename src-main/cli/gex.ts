/**
 * The `gex` object of `gammadesk analyze`: one currency's dealer gamma exposure from a chain (a Tardis
 * options_chain file, or the engine state after replaying a session for the flow convention).
 */
import type { DealerConvention } from '../api/dto';
import { analyzeGammaExposure } from '../core/exposure/analysis';
import { allocateExposureChain, type ExposureChain } from '../core/exposure/chain';
import { DEFAULT_GAMMA_MODEL_SETTINGS } from '../core/exposure/gammaModel';
import { writeOpenInterestPositions } from '../core/exposure/positioning';
import { formatExpiryCode } from '../core/market/expiryCode';
import { yearsToExpiry } from '../core/pricing/time';
import type { OptionChainQuote } from '../core/pricing/analyze';
import { parseOptionName } from '../core/pricing/instrument';

export interface GexReport {
  convention: DealerConvention;
  vol_dynamics: 'stickyStrike' | 'stickyMoneyness';
  /** Reference spot of the profile, USD, and where it came from. */
  spot_usd: number;
  spot_source: string;
  options: number;
  total_usd_per_1pct: number;
  abs_usd_per_1pct: number;
  total_coin_per_1pct: number;
  by_strike: { strike: number; call: number; put: number; net: number }[];
  by_expiry: { expiry: string; net: number; abs: number }[];
  /** Zero-gamma level nearest spot, USD (null: none within ±20 %). */
  flip: number | null;
  flips: number[];
  flip_without_next_expiry: number | null;
  call_wall: number | null;
  put_wall: number | null;
  abs_gamma_strike: number | null;
  /** Dealer GEX re-priced over spot (±20 %, at the chosen vol dynamics), USD per 1 % move. */
  profile: { spot: number; gex: number }[];
  units: string;
}

/** Runs the exposure analysis on a prepared chain (dealer positions already written). */
export function gexReport(
  chain: ExposureChain,
  expiryLabels: string[],
  convention: DealerConvention,
  spotSource: string,
  dynamics: 'stickyStrike' | 'stickyMoneyness' = 'stickyStrike',
): GexReport {
  const a = analyzeGammaExposure(chain, { model: { ...DEFAULT_GAMMA_MODEL_SETTINGS, volDynamics: dynamics } });
  const agg = a.aggregates;
  const strikes = Array.from(agg.layout.strikes);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return {
    convention,
    vol_dynamics: dynamics,
    spot_usd: chain.spotUsd,
    spot_source: spotSource,
    options: chain.count,
    total_usd_per_1pct: agg.total.netGammaUsdPer1Pct[0]!,
    abs_usd_per_1pct: agg.total.absGammaUsdPer1Pct[0]!,
    total_coin_per_1pct: agg.total.netGammaCoinPer1Pct[0]!,
    by_strike: strikes.map((strike, i) => ({
      strike,
      call: agg.byStrike.callGammaUsdPer1Pct[i]!,
      put: agg.byStrike.putGammaUsdPer1Pct[i]!,
      net: agg.byStrike.netGammaUsdPer1Pct[i]!,
    })),
    by_expiry: expiryLabels.map((expiry, i) => ({ expiry, net: agg.byExpiry.netGammaUsdPer1Pct[i] ?? 0, abs: agg.byExpiry.absGammaUsdPer1Pct[i] ?? 0 })),
    flip: a.flips.nearest?.levelUsd ?? null,
    flips: a.flips.crossings.map((c) => c.levelUsd),
    flip_without_next_expiry: a.flipsWithoutNextExpiry.nearest?.levelUsd ?? null,
    call_wall: a.walls.callWall?.strikeUsd ?? null,
    put_wall: a.walls.putWall?.strikeUsd ?? null,
    abs_gamma_strike: a.walls.absGammaStrike?.strikeUsd ?? null,
    profile: Array.from(a.profile.spotUsd, (spot, i) => ({ spot: round(spot), gex: a.profile.netGammaUsdPer1Pct[i]! })),
    units: 'GEX in USD per 1 % spot move (sign × gamma × OI × contract size × F² × 0.01); coin GEX = USD GEX ÷ F; levels in USD',
  };
}

/**
 * Chains per currency from the latest options_chain quotes (inverse BTC/ETH options with a mark IV, a forward and
 * open interest). The file has no index price: the nearest live expiry's forward is the reference spot.
 */
export function chainsFromQuotes(
  quotes: Iterable<OptionChainQuote>,
  asOfMs: number,
  convention: 'naive' | 'short',
): Map<string, { chain: ExposureChain; expiries: string[]; spotSource: string }> {
  const byCurrency = new Map<string, { quote: OptionChainQuote; expiryMs: number; isCall: boolean }[]>();
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
  const out = new Map<string, { chain: ExposureChain; expiries: string[]; spotSource: string }>();
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
    out.set(currency, { chain, expiries: expiryList.map(formatExpiryCode), spotSource: `forward of the nearest expiry ${formatExpiryCode(expiryList[0]!)} (${front.quote.underlyingIndex})` });
  }
  return out;
}
