/**
 * One exposure snapshot (currency × dealer convention × vol dynamics) from the engine state: the chain is packed
 * once, the summary and the two time halves of the hedge-pressure map run on the pool, and the parts are stitched
 * into the stream's DTO. The kernel schedules it; the reported flip goes through the stream's FlipTracker
 * (hysteresis).
 *
 * The map is nine tenths of the cost. A live stream keeps its last map in a {@link CascadeCache} and reuses it
 * while the market has not moved it materially (decision 0009): same chain layout, at most
 * {@link CASCADE_MAX_AGE_MS} of market time old, and the GEX profile — the map's own t = 0, no-shift slice, which
 * the summary recomputes every time — within {@link CASCADE_PROFILE_TOLERANCE} of the peak of the profile the map
 * was computed with. The summary is always fresh; a reused map keeps its own time axis and says when it was
 * computed (`cascade.marketTimeMs`); its depth ratio is recomputed from the current book.
 */
import type { DealerConvention, ExposureSnapshot, OwnBookExposure, VolDynamics } from '../api/dto';
import { copyCascadeRange } from '../core/exposure/cascade';
import { black76Price } from '../core/pricing/black76';
import { uniformTimeGrid, yearsToNthExpiry } from '../core/exposure/chain';
import { type FlipTracker } from '../core/exposure/flipTracker';
import type { Currency } from '../core/market/events';
import { MS_PER_YEAR } from '../core/units';
import type { Engine } from './engine';
import { buildExposureInput, perpetualDepthWithin1Pct } from './exposureChain';
import { exposureSummaryView, type ExposureViewContext } from './exposureSummary';
import type { ExposureCascadeOutput, ExposurePort, ExposureSummaryOutput, ExposureTaskOutput } from './ports';

/** The grid: 60 spots (±20 %, log-spaced) × 48 time steps × 3 vol shifts (−5, 0, +5 vol points). */
export const CASCADE_SPOTS = 60;
export const CASCADE_TIMES = 48;
export const CASCADE_VOL_SHIFTS = [-0.05, 0, 0.05];

export interface ExposureStream {
  currency: Currency;
  convention: DealerConvention;
  dynamics: VolDynamics;
}

export const exposureKey = (s: ExposureStream): string => `${s.currency}/${s.convention}/${s.dynamics}`;

/** A reused hedge-pressure map is at most this old, in market time. */
export const CASCADE_MAX_AGE_MS = 10_000;
/** A reused map's GEX profile differs from the current one by at most this share of its peak |value|, anywhere. */
export const CASCADE_PROFILE_TOLERANCE = 0.02;

/** A stream's last hedge-pressure map and what it was computed from. */
export interface CascadeMapState {
  /** Option count and expiry labels: a listing or a roll-off changes the map's layout. */
  layout: string;
  marketTimeMs: number;
  seq: number;
  /** The summary's GEX profile (USD per 1 %) when the map was computed. */
  profile: Float64Array;
  spotUsd: Float64Array;
  elapsedYears: Float64Array;
  /** [vol][time][spot], the whole map stitched. */
  gammaUsdPer1Pct: Float64Array;
}

/** Per stream, the map to reuse (null until the first). */
export interface CascadeCache {
  map: CascadeMapState | null;
  /** Maps computed and reused so far (for the benchmark and the tests). */
  computed: number;
  reused: number;
}

export const newCascadeCache = (): CascadeCache => ({ map: null, computed: 0, reused: 0 });

/** Whether `map` still stands for the market: same layout, young enough, and its profile close to `profile`. */
export function cascadeStillValid(map: CascadeMapState, layout: string, marketTimeMs: number, profile: Float64Array): boolean {
  if (map.layout !== layout || profile.length !== map.profile.length) return false;
  const age = marketTimeMs - map.marketTimeMs;
  if (!(age >= 0 && age <= CASCADE_MAX_AGE_MS)) return false;
  let peak = 0;
  for (let k = 0; k < map.profile.length; k++) peak = Math.max(peak, Math.abs(map.profile[k]!));
  const tolerance = CASCADE_PROFILE_TOLERANCE * peak;
  for (let k = 0; k < profile.length; k++) {
    // NaN on either side fails the test: recompute.
    if (!(Math.abs(profile[k]! - map.profile[k]!) <= tolerance)) return false;
  }
  return true;
}

/** Computes one exposure snapshot; null when the currency has no quoted options yet. */
export async function computeExposureSnapshot(
  engine: Engine,
  pool: ExposurePort,
  { currency, convention, dynamics }: ExposureStream,
  tracker: FlipTracker | null,
  positions: ReadonlyMap<string, number>,
  /** Wall-clock milliseconds, for the snapshot's compute time only (never part of the analytics). */
  now: () => number,
  /** The stream's last map, reused while still valid; null computes everything afresh. */
  cache: CascadeCache | null = null,
): Promise<ExposureSnapshot | null> {
  const market = engine.market;
  const input = buildExposureInput(market, currency, convention, engine.flows.get(currency));
  if (!input) return null;
  const { chain, expiries } = input;
  const seq = market.seq;
  const marketTimeMs = market.timeMs;
  const depth = perpetualDepthWithin1Pct(market, currency);
  // Time grid: now to the second live expiry (the first alone when there is one), at least a day, at most two
  // weeks; a chain whose expiries are all settling gets the one-day grid.
  const toExpiry = yearsToNthExpiry(chain, Math.max(1, Math.min(2, expiries.length - 1)));
  const horizonYears = Math.min(14 / 365, Math.max(1 / 365, Number.isFinite(toExpiry) ? toExpiry : 0));
  const elapsedYears = uniformTimeGrid(CASCADE_TIMES, horizonYears);
  const volShift = Float64Array.from(CASCADE_VOL_SHIFTS);
  const half = Math.ceil(CASCADE_TIMES / 2);
  const cascadeFor = (timeFrom: number, timeTo: number) => ({
    elapsedYears,
    volShift,
    spotPoints: CASCADE_SPOTS,
    timeFrom,
    timeTo,
    bidDepthUsd: depth?.bidUsd ?? NaN,
    askDepthUsd: depth?.askUsd ?? NaN,
  });
  // The trader's own book: the same chain with the book's positions in place of the dealers'.
  const own = ownBookChain(input, currency, positions);
  const ownTask = own ? pool.computeExposure({ chain: own.chain, summary: true, dynamics, cascade: null }) : Promise.resolve(null);
  const started = now();
  let summary: ExposureSummaryOutput;
  let map: CascadeMapState;
  const layout = `${chain.count}|${expiries.map((e) => e.label).join(',')}`;
  const computeMap = async (first: Promise<ExposureTaskOutput>): Promise<[ExposureTaskOutput, Omit<CascadeMapState, 'profile'>]> => {
    const [a, b] = await Promise.all([first, pool.computeExposure({ chain, summary: false, cascade: cascadeFor(half, CASCADE_TIMES) })]);
    return [a, stitchMap(a.cascade!, b.cascade!, { layout, marketTimeMs, seq, elapsedYears })];
  };
  if (!cache) {
    // Everything fresh, the summary riding with the first half of the map (replay analytics, the CLI).
    const [first, stitched] = await computeMap(pool.computeExposure({ chain, summary: true, dynamics, cascade: cascadeFor(0, half) }));
    summary = first.summary!;
    map = { ...stitched, profile: summary.profile.net };
  } else {
    summary = (await pool.computeExposure({ chain, summary: true, dynamics, cascade: null })).summary!;
    if (cache.map && cascadeStillValid(cache.map, layout, marketTimeMs, summary.profile.net)) {
      map = cache.map;
      cache.reused++;
    } else {
      const [, stitched] = await computeMap(pool.computeExposure({ chain, summary: false, cascade: cascadeFor(0, half) }));
      map = { ...stitched, profile: summary.profile.net };
      cache.map = map;
      cache.computed++;
    }
  }
  const ownResult = await ownTask;
  const computeMs = now() - started;
  const context: ExposureViewContext = { currency, convention, dynamics, spotUsd: chain.spotUsd, expiries, tracker, flow: engine.flows.get(currency) };
  const snapshot = toSnapshot({ summary, map, context, seq, marketTimeMs, depth, computeMs });
  snapshot.ownBook = own && ownResult?.summary ? ownBookExposure(own, ownResult.summary) : null;
  return snapshot;
}

/** The second time range of the map copied into the first part's (the field the snapshot uses). */
function stitchMap(a: ExposureCascadeOutput, b: ExposureCascadeOutput, at: Pick<CascadeMapState, 'layout' | 'marketTimeMs' | 'seq' | 'elapsedYears'>): Omit<CascadeMapState, 'profile'> {
  const shape = { volCount: CASCADE_VOL_SHIFTS.length, timeCount: CASCADE_TIMES, spotCount: CASCADE_SPOTS };
  copyCascadeRange({ ...shape, ...b }, { ...shape, ...a }, { volFrom: 0, volTo: shape.volCount, timeFrom: b.timeFrom, timeTo: b.timeTo }, ['gammaUsdPer1Pct']);
  return { ...at, spotUsd: a.spotUsd, gammaUsdPer1Pct: a.gammaUsdPer1Pct };
}

function ownBookChain(
  input: NonNullable<ReturnType<typeof buildExposureInput>>,
  currency: Currency,
  positions: ReadonlyMap<string, number>,
): { chain: typeof input.chain; positions: number; unquoted: string[]; premiumCoin: number } | null {
  const mine = [...positions].filter(([name]) => name.startsWith(`${currency}-`));
  if (mine.length === 0) return null;
  const chain = { ...input.chain, dealerPosition: new Float64Array(input.chain.count) };
  const row = new Map(input.names.map((name, i) => [name, i]));
  const unquoted: string[] = [];
  // The book's value in coin (Black-76 at the mark IV, over the forward: Deribit's mark price in coin).
  let premiumCoin = 0;
  for (const [name, amount] of mine) {
    const i = row.get(name);
    if (i === undefined) {
      unquoted.push(name);
      continue;
    }
    chain.dealerPosition[i] = amount;
    const forward = chain.forward[i]!;
    premiumCoin += (amount * black76Price(forward, chain.strike[i]!, chain.years[i]!, chain.vol[i]!, chain.isCall[i] === 1)) / forward;
  }
  return { chain, positions: mine.length, unquoted, premiumCoin };
}

function ownBookExposure(own: { positions: number; unquoted: string[]; premiumCoin: number }, s: ExposureSummaryOutput): OwnBookExposure {
  return {
    positions: own.positions,
    unquoted: own.unquoted,
    gexUsdPer1Pct: s.totals.net,
    deltaCoin: s.totals.deltaCoin,
    // d(coin value)/d(F) × F for inverse options: the delta minus the premium in coin.
    coinDeltaCoin: s.totals.deltaCoin - own.premiumCoin,
    vannaCoinPerVolPoint: s.totals.vannaCoin,
    charmCoinPerDay: s.totals.charmCoin,
    byStrike: Array.from(s.strikes, (strikeUsd, i) => ({ strikeUsd, netUsdPer1Pct: s.byStrike.net[i]! })).filter((r) => r.netUsdPer1Pct !== 0),
    profileUsdPer1Pct: Array.from(s.profile.net),
  };
}

function toSnapshot(args: {
  summary: ExposureSummaryOutput;
  map: CascadeMapState;
  context: ExposureViewContext;
  seq: number;
  marketTimeMs: number;
  depth: { bidUsd: number; askUsd: number } | null;
  computeMs: number;
}): ExposureSnapshot {
  const { map } = args;
  const cells = map.gammaUsdPer1Pct.length;
  const hedge = new Array<number>(cells);
  for (let i = 0; i < cells; i++) hedge[i] = -map.gammaUsdPer1Pct[i]!; // dealers long gamma sell into a rally
  const hasDepth = args.depth !== null && args.depth.askUsd > 0;
  // The share of the current ask depth that the hedge of a +1 % move takes (computeCascadeRatios' up ratio).
  const ratio = hasDepth ? Array.from(map.gammaUsdPer1Pct, (gamma) => gamma * (-1 / args.depth!.askUsd)) : null;
  return {
    ...exposureSummaryView(args.summary, args.context),
    marketTimeMs: args.marketTimeMs,
    seq: args.seq,
    computeMs: args.computeMs,
    // Filled by the kernel from the stream's LevelHistory (a single snapshot has no history).
    history: { timesMs: [], spotUsd: [], flipUsd: [], callWallUsd: [], putWallUsd: [], gexUsdPer1Pct: [] },
    ownBook: null,
    cascade: {
      marketTimeMs: map.marketTimeMs,
      seq: map.seq,
      spotUsd: Array.from(map.spotUsd),
      timesMs: Array.from(map.elapsedYears, (years) => Math.round(map.marketTimeMs + years * MS_PER_YEAR)),
      volShiftsPoints: CASCADE_VOL_SHIFTS.map((v) => Math.round(v * 100)),
      dealerHedgeUsdPer1Pct: hedge,
      cascadeRatio: ratio,
      bookDepthUsd: args.depth ? args.depth.bidUsd + args.depth.askUsd : null,
    },
  };
}
