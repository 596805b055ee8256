/**
 * Dealer exposures per option, per strike x expiry, per strike, per expiry and in total, for one currency.
 *
 * Definitions (n = dealer position x contract size, in coin, + = dealer long; F = the option's forward, USD;
 * greeks from Black-76 in Deribit display units, see pricing/chain.ts):
 *   gamma exposure   gammaUsdPer1Pct  = n x gamma x F^2 x 0.01   (issue 5 / DESIGN.md: USD per 1 % move)
 *                    gammaCoinPer1Pct = n x gamma x F x 0.01 = gammaUsdPer1Pct / F: how many coin the dealers'
 *                    delta changes by when the forward rises 1 %. To stay flat they trade -gammaCoinPer1Pct coin
 *                    per +1 % move, so positive (long gamma) dampens moves and negative (short gamma) amplifies.
 *   delta exposure   deltaCoin = n x delta (Black delta N(d1) / -N(-d1), not premium-adjusted); deltaUsd = x F.
 *   vanna exposure   vannaCoinPerVolPoint = n x d(delta)/d(vol point); vannaUsdPerVolPoint = x F.
 *   charm exposure   charmCoinPerDay = n x d(delta)/d(calendar day), forward fixed; charmUsdPerDay = x F.
 * "Net" sums signed values, "abs" sums |per-option value| (so calls and puts of opposite sign do not cancel).
 * Gamma is per USD of forward (Deribit's gamma), not the coin-P&L gamma of an inverse option.
 *
 * Rows: expired rows (years <= 0) have settled and contribute nothing (all exposures 0). Rows with an invalid input
 * (NaN, non-positive forward or strike, vol <= 0 before expiry) get NaN per-option exposures and are skipped by
 * the sums and counted (`invalidRows`), so one bad quote never poisons a total.
 */
import { allocateChainFullGreeks, computeChainFullGreeks, type ChainFullGreeks, type ChainInputs } from '../pricing/chain';
import { settlementDeltaFactorForYears } from '../pricing/time';
import type { ExposureChain } from './chain';
import { expiryCountOf } from './chain';

/** Row status written by `computeOptionExposures`. */
export const RowStatus = { Live: 0, Expired: 1, Invalid: 2 } as const;
export type RowStatus = (typeof RowStatus)[keyof typeof RowStatus];

/** Per-option dealer exposures (see the file comment for each definition). */
export interface OptionExposures {
  /** Black-76 greeks of every row, Deribit display units (also useful to the caller). */
  greeks: ChainFullGreeks;
  /** `RowStatus` per row. */
  status: Uint8Array;
  /** USD per 1 % move of the forward. */
  gammaUsdPer1Pct: Float64Array;
  /** Coin per 1 % move of the forward (= gammaUsdPer1Pct / F). */
  gammaCoinPer1Pct: Float64Array;
  /** Dealer delta, coin. */
  deltaCoin: Float64Array;
  /** Dealer delta, USD (coin x F). */
  deltaUsd: Float64Array;
  /** Change of dealer delta per +1 vol point, coin. */
  vannaCoinPerVolPoint: Float64Array;
  /** Change of dealer delta per +1 vol point, USD. */
  vannaUsdPerVolPoint: Float64Array;
  /** Change of dealer delta per calendar day (forward fixed), coin. */
  charmCoinPerDay: Float64Array;
  /** Change of dealer delta per calendar day (forward fixed), USD. */
  charmUsdPerDay: Float64Array;
  /** Open interest the row was computed with, contracts (what an incremental update subtracts). */
  openInterest: Float64Array;
  /** Dealer position the row was computed with, contracts (+ dealer long). */
  dealerPosition: Float64Array;
  /** One-row scratch for incremental updates (no allocation per update). */
  readonly scratchIn: ChainInputs;
  readonly scratchOut: ChainFullGreeks;
}

export function allocateOptionExposures(capacity: number): OptionExposures {
  return {
    greeks: allocateChainFullGreeks(capacity),
    status: new Uint8Array(capacity),
    gammaUsdPer1Pct: new Float64Array(capacity),
    gammaCoinPer1Pct: new Float64Array(capacity),
    deltaCoin: new Float64Array(capacity),
    deltaUsd: new Float64Array(capacity),
    vannaCoinPerVolPoint: new Float64Array(capacity),
    vannaUsdPerVolPoint: new Float64Array(capacity),
    charmCoinPerDay: new Float64Array(capacity),
    charmUsdPerDay: new Float64Array(capacity),
    openInterest: new Float64Array(capacity),
    dealerPosition: new Float64Array(capacity),
    scratchIn: {
      forward: new Float64Array(1), strike: new Float64Array(1), years: new Float64Array(1), vol: new Float64Array(1), isCall: new Uint8Array(1),
    },
    scratchOut: allocateChainFullGreeks(1),
  };
}

/** Fills `out` for rows 0 .. count-1 (greeks with one chain-kernel pass, then the exposures). No allocation. */
export function computeOptionExposures(chain: ExposureChain, out: OptionExposures): void {
  computeChainFullGreeks(chain, out.greeks, chain.count);
  for (let i = 0; i < chain.count; i++) writeRowExposures(chain, i, out.greeks, i, out);
}

/** Recomputes one row of `out` (greeks and exposures) after row i of the chain changed. No allocation. */
export function computeOptionExposureRow(chain: ExposureChain, i: number, out: OptionExposures): void {
  const { scratchIn, scratchOut } = out;
  scratchIn.forward[0] = chain.forward[i]!;
  scratchIn.strike[0] = chain.strike[i]!;
  scratchIn.years[0] = chain.years[i]!;
  scratchIn.vol[0] = chain.vol[i]!;
  scratchIn.isCall[0] = chain.isCall[i]!;
  computeChainFullGreeks(scratchIn, scratchOut, 1);
  const g = out.greeks;
  // Keep the full greek arrays in step with the row (same kernel, so identical to a full pass).
  g.price[i] = scratchOut.price[0]!; g.delta[i] = scratchOut.delta[0]!; g.gamma[i] = scratchOut.gamma[0]!;
  g.vega[i] = scratchOut.vega[0]!; g.theta[i] = scratchOut.theta[0]!; g.rho[i] = scratchOut.rho[0]!;
  g.vanna[i] = scratchOut.vanna[0]!; g.volga[i] = scratchOut.volga[0]!; g.charm[i] = scratchOut.charm[0]!;
  g.speed[i] = scratchOut.speed[0]!; g.zomma[i] = scratchOut.zomma[0]!; g.color[i] = scratchOut.color[0]!;
  g.priceCoin[i] = scratchOut.priceCoin[0]!; g.deltaPremiumAdjusted[i] = scratchOut.deltaPremiumAdjusted[0]!;
  writeRowExposures(chain, i, scratchOut, 0, out);
}

function writeRowExposures(chain: ExposureChain, i: number, greeks: ChainFullGreeks, g: number, out: OptionExposures): void {
  const f = chain.forward[i]!;
  const t = chain.years[i]!;
  const n = chain.dealerPosition[i]! * chain.contractSize;
  const gamma = greeks.gamma[g]!;
  const delta = greeks.delta[g]!;
  const vanna = greeks.vanna[g]!;
  const charm = greeks.charm[g]!;
  out.openInterest[i] = chain.openInterest[i]!;
  out.dealerPosition[i] = chain.dealerPosition[i]!;
  let status: RowStatus;
  if (Number.isNaN(gamma) || Number.isNaN(delta) || !Number.isFinite(n)) status = RowStatus.Invalid;
  else if (t <= 0) status = RowStatus.Expired;
  else status = RowStatus.Live;
  out.status[i] = status;
  if (status !== RowStatus.Live) {
    const value = status === RowStatus.Expired ? 0 : NaN;
    out.gammaUsdPer1Pct[i] = value; out.gammaCoinPer1Pct[i] = value;
    out.deltaCoin[i] = value; out.deltaUsd[i] = value;
    out.vannaCoinPerVolPoint[i] = value; out.vannaUsdPerVolPoint[i] = value;
    out.charmCoinPerDay[i] = value; out.charmUsdPerDay[i] = value;
    return;
  }
  const gammaCoin = n * gamma * f * 0.01;
  out.gammaCoinPer1Pct[i] = gammaCoin;
  out.gammaUsdPer1Pct[i] = gammaCoin * f;
  // The delta left to hedge decays to 0 over Deribit's 30-minute settlement average (pricing/time.ts).
  const deltaCoin = n * delta * settlementDeltaFactorForYears(t);
  out.deltaCoin[i] = deltaCoin;
  out.deltaUsd[i] = deltaCoin * f;
  const vannaCoin = n * vanna;
  out.vannaCoinPerVolPoint[i] = vannaCoin;
  out.vannaUsdPerVolPoint[i] = vannaCoin * f;
  const charmCoin = n * charm;
  out.charmCoinPerDay[i] = charmCoin;
  out.charmUsdPerDay[i] = charmCoin * f;
}

// ---------------------------------------------------------------------------------------------------------------
// Aggregation: strike x expiry cells, strikes, expiries, total
// ---------------------------------------------------------------------------------------------------------------

/**
 * The chain's strike x expiry structure: unique strikes (ascending, across all expiries) and each row's slot.
 * Build once per chain layout (instruments listed or delisted), reuse across ticks.
 */
export interface ExposureLayout {
  /** Unique strikes, ascending, USD. */
  strikes: Float64Array;
  strikeCount: number;
  expiryCount: number;
  /** Per row: index into `strikes`. */
  strikeSlot: Int32Array;
}

export function buildExposureLayout(chain: ExposureChain): ExposureLayout {
  const unique = [...new Set(Array.from(chain.strike.subarray(0, chain.count)))].filter((k) => !Number.isNaN(k)).sort((a, b) => a - b);
  const strikes = Float64Array.from(unique);
  const slotOf = new Map<number, number>();
  unique.forEach((k, slot) => slotOf.set(k, slot));
  const strikeSlot = new Int32Array(chain.count);
  // A NaN strike (invalid row) gets slot 0; the row is skipped by the sums anyway.
  for (let i = 0; i < chain.count; i++) strikeSlot[i] = slotOf.get(chain.strike[i]!) ?? 0;
  return { strikes, strikeCount: strikes.length, expiryCount: expiryCountOf(chain), strikeSlot };
}

/** Sums of dealer exposures over a set of buckets (cells, strikes, expiries or the total), one value per bucket. */
export interface ExposureSums {
  size: number;
  /** Net gamma exposure of the calls, USD per 1 % move. */
  callGammaUsdPer1Pct: Float64Array;
  /** Net gamma exposure of the puts, USD per 1 % move. */
  putGammaUsdPer1Pct: Float64Array;
  /** Net gamma exposure (calls + puts), USD per 1 % move. */
  netGammaUsdPer1Pct: Float64Array;
  /** Sum of |per-option gamma exposure|, USD per 1 % move. */
  absGammaUsdPer1Pct: Float64Array;
  /** Net gamma exposure, coin per 1 % move. */
  netGammaCoinPer1Pct: Float64Array;
  /** Sum of |per-option gamma exposure|, coin per 1 % move. */
  absGammaCoinPer1Pct: Float64Array;
  /** Net dealer delta, coin. */
  deltaCoin: Float64Array;
  /** Net dealer delta, USD. */
  deltaUsd: Float64Array;
  /** Net vanna exposure, coin per vol point. */
  vannaCoinPerVolPoint: Float64Array;
  /** Net vanna exposure, USD per vol point. */
  vannaUsdPerVolPoint: Float64Array;
  /** Net charm exposure, coin per day. */
  charmCoinPerDay: Float64Array;
  /** Net charm exposure, USD per day. */
  charmUsdPerDay: Float64Array;
  /** Open interest of live rows, contracts. */
  openInterest: Float64Array;
  /** Net dealer position of live rows, contracts. */
  dealerPosition: Float64Array;
}

const SUM_FIELDS = [
  'callGammaUsdPer1Pct', 'putGammaUsdPer1Pct', 'netGammaUsdPer1Pct', 'absGammaUsdPer1Pct', 'netGammaCoinPer1Pct',
  'absGammaCoinPer1Pct', 'deltaCoin', 'deltaUsd', 'vannaCoinPerVolPoint', 'vannaUsdPerVolPoint', 'charmCoinPerDay',
  'charmUsdPerDay', 'openInterest', 'dealerPosition',
] as const;

export function allocateExposureSums(size: number): ExposureSums {
  const sums = { size } as ExposureSums;
  for (const field of SUM_FIELDS) sums[field] = new Float64Array(size);
  return sums;
}

function clearSums(sums: ExposureSums): void {
  for (const field of SUM_FIELDS) sums[field].fill(0);
}

/** All aggregation levels of one currency's exposures. */
export interface ExposureAggregates {
  layout: ExposureLayout;
  /** Cells, index = expiryIndex x strikeCount + strikeSlot. */
  byStrikeExpiry: ExposureSums;
  /** Per unique strike (all expiries), index = strikeSlot. */
  byStrike: ExposureSums;
  /** Per expiry index. */
  byExpiry: ExposureSums;
  /** The currency total (size 1). */
  total: ExposureSums;
  /** Rows skipped because an input was invalid. */
  invalidRows: number;
  /** Rows past expiry (contribute nothing). */
  expiredRows: number;
}

export function allocateExposureAggregates(layout: ExposureLayout): ExposureAggregates {
  return {
    layout,
    byStrikeExpiry: allocateExposureSums(layout.strikeCount * layout.expiryCount),
    byStrike: allocateExposureSums(layout.strikeCount),
    byExpiry: allocateExposureSums(layout.expiryCount),
    total: allocateExposureSums(1),
    invalidRows: 0,
    expiredRows: 0,
  };
}

/** Sums the per-option exposures into every level (clears first). No allocation. */
export function aggregateExposures(chain: ExposureChain, perOption: OptionExposures, out: ExposureAggregates): void {
  clearSums(out.byStrikeExpiry);
  clearSums(out.byStrike);
  clearSums(out.byExpiry);
  clearSums(out.total);
  out.invalidRows = 0;
  out.expiredRows = 0;
  for (let i = 0; i < chain.count; i++) accumulateRow(chain, perOption, i, out, 1);
}

/**
 * Incremental update after row i of the chain changed (IV, forward, open interest or dealer position; not the
 * strike or expiry, which change the layout): subtracts the row's stored exposures, recomputes the row, adds it
 * back. Sums drift by rounding (~1e-16 relative per update); recompute in full now and then (e.g. each second).
 */
export function updateOptionExposures(chain: ExposureChain, i: number, perOption: OptionExposures, out: ExposureAggregates): void {
  const { layout } = out;
  if (layout.strikes[layout.strikeSlot[i]!] !== chain.strike[i] && !Number.isNaN(chain.strike[i]!)) {
    throw new RangeError(`Row ${i} strike ${chain.strike[i]} is not the layout's strike ${layout.strikes[layout.strikeSlot[i]!]}: rebuild the layout`);
  }
  accumulateRow(chain, perOption, i, out, -1);
  computeOptionExposureRow(chain, i, perOption);
  accumulateRow(chain, perOption, i, out, 1);
}

function accumulateRow(chain: ExposureChain, p: OptionExposures, i: number, out: ExposureAggregates, sign: 1 | -1): void {
  const status = p.status[i];
  if (status === RowStatus.Invalid) {
    out.invalidRows += sign;
    return;
  }
  if (status === RowStatus.Expired) {
    out.expiredRows += sign;
    return;
  }
  const { layout } = out;
  const slot = layout.strikeSlot[i]!;
  const e = chain.expiryIndex[i]!;
  addRowTo(out.byStrikeExpiry, e * layout.strikeCount + slot, chain, p, i, sign);
  addRowTo(out.byStrike, slot, chain, p, i, sign);
  addRowTo(out.byExpiry, e, chain, p, i, sign);
  addRowTo(out.total, 0, chain, p, i, sign);
}

function addRowTo(s: ExposureSums, k: number, chain: ExposureChain, p: OptionExposures, i: number, sign: 1 | -1): void {
  const gUsd = p.gammaUsdPer1Pct[i]!;
  const gCoin = p.gammaCoinPer1Pct[i]!;
  if (chain.isCall[i] === 1) s.callGammaUsdPer1Pct[k]! += sign * gUsd;
  else s.putGammaUsdPer1Pct[k]! += sign * gUsd;
  s.netGammaUsdPer1Pct[k]! += sign * gUsd;
  s.absGammaUsdPer1Pct[k]! += sign * Math.abs(gUsd);
  s.netGammaCoinPer1Pct[k]! += sign * gCoin;
  s.absGammaCoinPer1Pct[k]! += sign * Math.abs(gCoin);
  s.deltaCoin[k]! += sign * p.deltaCoin[i]!;
  s.deltaUsd[k]! += sign * p.deltaUsd[i]!;
  s.vannaCoinPerVolPoint[k]! += sign * p.vannaCoinPerVolPoint[i]!;
  s.vannaUsdPerVolPoint[k]! += sign * p.vannaUsdPerVolPoint[i]!;
  s.charmCoinPerDay[k]! += sign * p.charmCoinPerDay[i]!;
  s.charmUsdPerDay[k]! += sign * p.charmUsdPerDay[i]!;
  s.openInterest[k]! += sign * p.openInterest[i]!;
  s.dealerPosition[k]! += sign * p.dealerPosition[i]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Walls
// ---------------------------------------------------------------------------------------------------------------

/** A strike singled out by its gamma exposure. */
export interface GammaWall {
  strikeUsd: number;
  /** The value that ranked it: call GEX, put GEX (signed), or |call| + |put|; USD per 1 % move. */
  gammaUsdPer1Pct: number;
  /** Open interest at the strike (calls and puts of the aggregated expiries), contracts. */
  openInterest: number;
}

export interface GammaWalls {
  /**
   * Strike with the largest |call GEX|, whatever its sign (dealers long the calls: resistance; short them, under
   * the "dealers short" convention: where their hedging accelerates a rally); null if all call GEX is 0.
   */
  callWall: GammaWall | null;
  /** Strike with the largest |put GEX|, whatever its sign (the same rule as the call wall); null if all put GEX is 0. */
  putWall: GammaWall | null;
  /** Strike with the largest |call GEX| + |put GEX|; null if all are 0. */
  absGammaStrike: GammaWall | null;
}

/**
 * Walls from per-strike sums: `sums` buckets `offset .. offset + strikes.length - 1` correspond to `strikes`
 * (use `byStrike` with offset 0 for all expiries, or `byStrikeExpiry` with offset e x strikeCount for expiry e).
 * Only strikes with open interest qualify; ties go to the lower strike.
 */
export function findGammaWalls(strikes: Float64Array, sums: ExposureSums, offset = 0): GammaWalls {
  let call = -1;
  let put = -1;
  let abs = -1;
  let bestCall = 0;
  let bestPut = 0;
  let bestAbs = 0;
  for (let k = 0; k < strikes.length; k++) {
    const b = offset + k;
    if (!(sums.openInterest[b]! > 0)) continue;
    const c = sums.callGammaUsdPer1Pct[b]!;
    const p = sums.putGammaUsdPer1Pct[b]!;
    if (Math.abs(c) > bestCall) { bestCall = Math.abs(c); call = k; }
    if (Math.abs(p) > bestPut) { bestPut = Math.abs(p); put = k; }
    const a = Math.abs(c) + Math.abs(p);
    if (a > bestAbs) { bestAbs = a; abs = k; }
  }
  const wall = (k: number, value: number): GammaWall | null =>
    k < 0 ? null : { strikeUsd: strikes[k]!, gammaUsdPer1Pct: value, openInterest: sums.openInterest[offset + k]! };
  return {
    callWall: wall(call, call < 0 ? 0 : sums.callGammaUsdPer1Pct[offset + call]!),
    putWall: wall(put, put < 0 ? 0 : sums.putGammaUsdPer1Pct[offset + put]!),
    absGammaStrike: wall(abs, bestAbs),
  };
}

/** Walls over all expiries (`expiry` omitted) or for one expiry index. */
export function findGammaWallsIn(aggregates: ExposureAggregates, expiry?: number): GammaWalls {
  const { layout } = aggregates;
  if (expiry === undefined) return findGammaWalls(layout.strikes, aggregates.byStrike, 0);
  if (!(expiry >= 0 && expiry < layout.expiryCount)) throw new RangeError(`No expiry ${expiry} in a layout of ${layout.expiryCount}`);
  return findGammaWalls(layout.strikes, aggregates.byStrikeExpiry, expiry * layout.strikeCount);
}
