/**
 * The exposure summary, mapped once for every output. `summarizeExposure` runs the analysis on a packed chain
 * (in a pool worker for the live stream, on the caller's thread for the CLI) and returns the worker's transferable
 * result; `exposureSummaryView` turns that result into the summary part of the stream's {@link ExposureSnapshot}
 * DTO. The live snapshot adds its time, seq, map, history and book to the view; `gammadesk analyze` prints the
 * same view renamed to snake_case at its edge (cli/snakeCase.ts). Nothing else renames the analysis.
 */
import type { DealerConvention, ExposureSnapshot, VolDynamics } from '../api/dto';
import { analyzeGammaExposure } from '../core/exposure/analysis';
import type { ExposureChain } from '../core/exposure/chain';
import type { FlipTracker } from '../core/exposure/flipTracker';
import { DEFAULT_GAMMA_MODEL_SETTINGS } from '../core/exposure/gammaModel';
import type { Currency } from '../core/market/events';
import type { ExposureSummaryOutput } from './ports';

/** Totals, by strike and expiry, heatmap, profile and levels of one chain (typed arrays, for the pool to transfer). */
export function summarizeExposure(chain: ExposureChain, dynamics: VolDynamics = 'stickyStrike'): ExposureSummaryOutput {
  const a = analyzeGammaExposure(chain, { model: { ...DEFAULT_GAMMA_MODEL_SETTINGS, volDynamics: dynamics } });
  const agg = a.aggregates;
  const total = agg.total;
  return {
    strikes: agg.layout.strikes,
    strikeCount: agg.layout.strikeCount,
    expiryCount: agg.layout.expiryCount,
    byStrike: { call: agg.byStrike.callGammaUsdPer1Pct, put: agg.byStrike.putGammaUsdPer1Pct, net: agg.byStrike.netGammaUsdPer1Pct },
    byExpiry: { net: agg.byExpiry.netGammaUsdPer1Pct, abs: agg.byExpiry.absGammaUsdPer1Pct },
    byStrikeExpiryNet: agg.byStrikeExpiry.netGammaUsdPer1Pct,
    totals: {
      net: total.netGammaUsdPer1Pct[0]!,
      abs: total.absGammaUsdPer1Pct[0]!,
      netCoin: total.netGammaCoinPer1Pct[0]!,
      deltaCoin: total.deltaCoin[0]!,
      vannaCoin: total.vannaCoinPerVolPoint[0]!,
      charmCoin: total.charmCoinPerDay[0]!,
    },
    profile: { spotUsd: a.profile.spotUsd, net: a.profile.netGammaUsdPer1Pct, withoutNext: a.profile.withoutNextExpiryGammaUsdPer1Pct },
    flipsUsd: a.flips.crossings.map((c) => c.levelUsd),
    flipsWithoutNextUsd: a.flipsWithoutNextExpiry.crossings.map((c) => c.levelUsd),
    nearestFlipUsd: a.flips.nearest?.levelUsd ?? null,
    nearestFlipWithoutNextUsd: a.flipsWithoutNextExpiry.nearest?.levelUsd ?? null,
    walls: { call: a.walls.callWall?.strikeUsd ?? null, put: a.walls.putWall?.strikeUsd ?? null, absGamma: a.walls.absGammaStrike?.strikeUsd ?? null },
  };
}

/** The buffers of a summary, for the pool to move instead of copy. */
export function summaryBuffers(s: ExposureSummaryOutput): ArrayBuffer[] {
  return [s.strikes, s.byStrike.call, s.byStrike.put, s.byStrike.net, s.byExpiry.net, s.byExpiry.abs, s.byStrikeExpiryNet, s.profile.spotUsd, s.profile.net, s.profile.withoutNext].map(
    (array) => array.buffer as ArrayBuffer,
  );
}

/** The part of {@link ExposureSnapshot} that one summary determines: everything but time, seq, map, history and book. */
export type ExposureSummaryView = Omit<ExposureSnapshot, 'marketTimeMs' | 'seq' | 'computeMs' | 'history' | 'cascade' | 'ownBook'>;

export interface ExposureViewContext {
  currency: Currency;
  convention: DealerConvention;
  dynamics: VolDynamics;
  spotUsd: number;
  expiries: readonly { label: string; expiryMs: number }[];
  /** The stream's flip hysteresis; null reports the crossing nearest spot as it is (the CLI, replay analytics). */
  tracker: FlipTracker | null;
  /** The currency's dealer inventory from trades (flow convention only). */
  flow: { getResult(): { confidence: number; trades: number } | null } | undefined;
}

export function exposureSummaryView(summary: ExposureSummaryOutput, context: ExposureViewContext): ExposureSummaryView {
  const { expiries, convention } = context;
  const strikes = Array.from(summary.strikes);
  const flipUsd = context.tracker ? context.tracker.update(summary.flipsUsd, context.spotUsd) : summary.nearestFlipUsd;
  const flow = convention === 'flow' ? context.flow?.getResult() : undefined;
  return {
    currency: context.currency,
    convention,
    dynamics: context.dynamics,
    spotUsd: context.spotUsd,
    totals: {
      gexUsdPer1Pct: summary.totals.net,
      absGexUsdPer1Pct: summary.totals.abs,
      gexCoinPer1Pct: summary.totals.netCoin,
      dealerDeltaCoin: summary.totals.deltaCoin,
      vannaCoinPerVolPoint: summary.totals.vannaCoin,
      charmCoinPerDay: summary.totals.charmCoin,
    },
    byStrike: strikes.map((strikeUsd, i) => ({
      strikeUsd,
      callUsdPer1Pct: summary.byStrike.call[i]!,
      putUsdPer1Pct: summary.byStrike.put[i]!,
      netUsdPer1Pct: summary.byStrike.net[i]!,
    })),
    byExpiry: expiries.map((e, i) => ({ label: e.label, expiryMs: e.expiryMs, netUsdPer1Pct: summary.byExpiry.net[i] ?? 0, absUsdPer1Pct: summary.byExpiry.abs[i] ?? 0 })),
    heatmap: { strikesUsd: strikes, expiries: expiries.map((e) => e.label), netUsdPer1Pct: Array.from(summary.byStrikeExpiryNet.subarray(0, expiries.length * strikes.length)) },
    profile: { spotUsd: Array.from(summary.profile.spotUsd), gexUsdPer1Pct: Array.from(summary.profile.net), gexUsdPer1PctWithoutFront: Array.from(summary.profile.withoutNext) },
    levels: {
      flipUsd,
      flipsUsd: summary.flipsUsd,
      flipWithoutFrontUsd: summary.nearestFlipWithoutNextUsd,
      callWallUsd: summary.walls.call,
      putWallUsd: summary.walls.put,
      absGammaStrikeUsd: summary.walls.absGamma,
    },
    flowConfidence: convention === 'flow' ? (flow?.confidence ?? 0) : null,
    flowTrades: convention === 'flow' ? (flow?.trades ?? 0) : null,
  };
}
