/**
 * Multi-instrument hedge selection as a mixed-integer linear program: the quantities of perpetual, futures and
 * liquid options that bring delta, gamma and vega into their bands at the least expected cost.
 *
 * Per instrument and side (buy, sell):
 *   - one continuous column per visible order-book level, 0 ≤ x ≤ share × level size, costing the level's unit
 *     cost against the mark (half-spread, slippage and taker fee, costs.ts) in USD. Walking a book costs more at
 *     every level, so the cost is convex and the LP fills the best levels first, as a real order would;
 *   - one semi-integer column n of lots: n = 0 or n ≥ the minimum amount in lots, with Σ x = lot × n.
 * Per band (greek k, tolerance t_k), one row in units of the tolerance:
 *   (target_k − G_k) / t_k − 1 ≤ Σ sign · lot · g_ik / t_k · n + u⁺ − u⁻ ≤ (target_k − G_k) / t_k + 1
 * where u± ≥ 0 are slacks whose cost (a penalty far above any trading cost) makes the solver reach every band
 * when it can and come as close as it can when it cannot — the proposal then says which band stays out and why.
 * Extra linear constraints (e.g. initial margin after ≤ X, from the margin replica) take per-unit coefficients.
 *
 * The model is built here (pure); a {@link MilpSolver} solves it (HiGHS in a worker: app/hedge/highsSolver.ts).
 */
import { depth, levelsFor, unitCostCoin, walkLeg } from './costs';
import { activeBands, finishProposal } from './report';
import type { HedgeBook, HedgeInstrument, HedgeMarket, HedgeObjectives, HedgePolicy, Proposal, ProposalLeg } from './types';

export interface MilpModel {
  numCols: number;
  numRows: number;
  colCost: Float64Array;
  colLower: Float64Array;
  colUpper: Float64Array;
  rowLower: Float64Array;
  rowUpper: Float64Array;
  /** Compressed sparse columns. */
  matrix: { starts: Int32Array; indices: Int32Array; values: Float64Array };
  /** 0 continuous, 3 semi-integer (HiGHS's codes). */
  integrality: Int32Array;
}

export interface MilpSolution {
  status: 'optimal' | 'infeasible' | 'time-limit' | 'error';
  x: Float64Array | null;
  message?: string;
}

export interface MilpSolver {
  solve(model: MilpModel, options: { timeLimitSeconds: number }): MilpSolution | Promise<MilpSolution>;
}

/** A linear constraint over the trades: Σ coefficient(instrument) × signed quantity ≤ upper. */
export interface LinearLimit {
  name: string;
  /** Per unit of signed quantity (+ buy). */
  coefficient(instrument: string): number;
  upper: number;
}

export interface SelectionParams {
  /** Never take more than this share of a level's visible size (0–1]. */
  maxBookShare?: number;
  /** Book levels per side used (the rest of the book is not visible enough to plan on). */
  maxLevels?: number;
  limits?: readonly LinearLimit[];
  timeLimitSeconds?: number;
  /**
   * Price each option against the fitted volatility surface too: buying an option whose IV is above the surface
   * (or selling one below it) costs its residual × vega more. Only the unfavourable side is charged — a favourable
   * residual never makes a trade worth doing on its own — so the hedge stays a hedge and avoids quotes the surface
   * says are rich to buy or cheap to sell.
   */
  surfaceEdge?: boolean;
}

/** USD per tolerance unit of band violation: far above any trading cost, so reaching the band comes first. */
const PENALTY_USD = 1e6;
/** Instruments kept per band for the integer phase besides those the LP relaxation used. */
const SUPPORT_PER_BAND = 1;

interface Column {
  instrument: number;
  side: 'buy' | 'sell';
}

export interface BuiltModel {
  model: MilpModel;
  /** Column of the lot variable per instrument and side (−1 when that side cannot trade). */
  lotColumn: { buy: Int32Array; sell: Int32Array };
  columns: Column[];
}

/** The surface edge of trading one unit, USD: + when the trade pays more than the surface says it is worth. */
export function surfaceEdgeUsd(inst: HedgeInstrument, side: 'buy' | 'sell'): number {
  const residual = inst.ivResidualVolPoints;
  if (inst.kind !== 'option' || residual === null || residual === undefined || !Number.isFinite(residual)) return 0;
  return (side === 'buy' ? 1 : -1) * residual * inst.unitGreeks.vegaUsd;
}

/** Builds the selection MILP (exported for the brute-force tests and the benchmark). */
export function buildSelectionModel(book: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives, params: SelectionParams = {}): BuiltModel {
  const share = params.maxBookShare ?? 0.5;
  const maxLevels = params.maxLevels ?? 10;
  const bands = activeBands(objectives);
  const limits = params.limits ?? [];
  for (const b of bands) if (!(b.band.tolerance > 0)) throw new RangeError(`the ${b.greek} band needs a tolerance above 0`);
  const numRows = bands.length + limits.length;
  // Columns are appended with their sparse entries (CSC).
  const cost: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  const integrality: number[] = [];
  const starts: number[] = [0];
  const indices: number[] = [];
  const values: number[] = [];
  const columns: Column[] = [];
  // The lot columns are created first per instrument/side; the level columns point at their lot-balance row.
  const lotBuy = new Int32Array(market.instruments.length).fill(-1);
  const lotSell = new Int32Array(market.instruments.length).fill(-1);
  const rowLower: number[] = [];
  const rowUpper: number[] = [];
  bands.forEach((b) => {
    const gap = (b.band.target - b.read(book.totals)) / b.band.tolerance;
    // Futures are solved as continuous and rounded to their lot afterwards: keep half a lot of room at each edge.
    let rounding = 0;
    for (const inst of market.instruments) if (inst.kind !== 'option') rounding = Math.max(rounding, (0.5 * inst.lot * Math.abs(b.read(inst.unitGreeks))) / b.band.tolerance);
    const room = rounding < 0.5 ? 1 - rounding : 1;
    rowLower.push(gap - room);
    rowUpper.push(gap + room);
  });
  for (const limit of limits) {
    rowLower.push(-Infinity);
    rowUpper.push(limit.upper);
  }
  const push = (c: number, lo: number, hi: number, integer: number, entries: [number, number][], column: Column): number => {
    cost.push(c);
    lower.push(lo);
    upper.push(hi);
    integrality.push(integer);
    for (const [row, value] of entries) {
      if (value === 0) continue;
      indices.push(row);
      values.push(value);
    }
    starts.push(indices.length);
    columns.push(column);
    return cost.length - 1;
  };
  let balanceRow = numRows;
  market.instruments.forEach((inst, i) => {
    for (const side of ['buy', 'sell'] as const) {
      const levels = levelsFor(inst, side).slice(0, maxLevels);
      const maxLots = Math.floor((levels.reduce((sum, [, size]) => sum + size, 0) * share) / inst.lot + 1e-9);
      const minLots = Math.max(1, Math.ceil(inst.minAmount / inst.lot - 1e-9));
      if (maxLots < minLots) continue;
      const sign = side === 'buy' ? 1 : -1;
      const entries: [number, number][] = bands.map((b, k) => [k, (sign * inst.lot * b.read(inst.unitGreeks)) / b.band.tolerance]);
      limits.forEach((limit, l) => entries.push([bands.length + l, sign * inst.lot * limit.coefficient(inst.instrument)]));
      const integer = inst.kind === 'option' ? (minLots === 1 ? 1 : 3) : 0;
      if (levels.length === 1) {
        // One visible level (an option's best bid or ask): the lot column carries the cost itself, no balance row.
        const unit = unitCostCoin(inst, side, levels[0]![0]).costCoin * market.indexUsd + (params.surfaceEdge ? Math.max(0, surfaceEdgeUsd(inst, side)) : 0);
        const lotColumn = push(unit * inst.lot, integer === 3 ? minLots : 0, maxLots, integer, entries, { instrument: i, side });
        (side === 'buy' ? lotBuy : lotSell)[i] = lotColumn;
        continue;
      }
      const row = balanceRow++;
      rowLower.push(0);
      rowUpper.push(0);
      entries.push([row, -inst.lot]);
      // Options trade in whole lots (0.1 contract). Futures' lots (10 USD) are so small against a hedge that they are
      // solved as continuous and rounded to the lot afterwards (at most half a lot of delta, checked in the proposal):
      // integer columns of 10⁵ lots made HiGHS's root node take seconds.
      const lotColumn = push(0, integer === 3 ? minLots : 0, maxLots, integer, entries, { instrument: i, side });
      (side === 'buy' ? lotBuy : lotSell)[i] = lotColumn;
      for (const [price, size] of levels) {
        const unit = unitCostCoin(inst, side, price).costCoin * market.indexUsd + (params.surfaceEdge ? Math.max(0, surfaceEdgeUsd(inst, side)) : 0);
        push(unit, 0, size * share, 0, [[row, 1]], { instrument: i, side });
      }
    }
  });
  // Slacks: u⁺ and u⁻ per band.
  bands.forEach((_, k) => {
    push(PENALTY_USD, 0, Infinity, 0, [[k, 1]], { instrument: -1, side: 'buy' });
    push(PENALTY_USD, 0, Infinity, 0, [[k, -1]], { instrument: -1, side: 'sell' });
  });
  return {
    model: {
      numCols: cost.length,
      numRows: balanceRow,
      colCost: Float64Array.from(cost),
      colLower: Float64Array.from(lower),
      colUpper: Float64Array.from(upper),
      rowLower: Float64Array.from(rowLower),
      rowUpper: Float64Array.from(rowUpper),
      matrix: { starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values) },
      integrality: Int32Array.from(integrality),
    },
    lotColumn: { buy: lotBuy, sell: lotSell },
    columns,
  };
}

/** The cheapest way to buy one unit of a greek with each instrument (first level), for the rationale. */
function cheapestPerGreek(market: HedgeMarket, read: (i: HedgeInstrument) => number, wantUp: boolean): { instrument: string; usdPerUnit: number }[] {
  const out: { instrument: string; usdPerUnit: number }[] = [];
  for (const inst of market.instruments) {
    const g = read(inst);
    if (g === 0) continue;
    const side = (g > 0) === wantUp ? 'buy' : 'sell';
    const level = levelsFor(inst, side)[0];
    if (!level || depth(inst, side) <= 0) continue;
    out.push({ instrument: inst.instrument, usdPerUnit: (unitCostCoin(inst, side, level[0]).costCoin * market.indexUsd) / Math.abs(g) });
  }
  return out.sort((a, b) => a.usdPerUnit - b.usdPerUnit);
}

export class SelectionPolicy implements HedgePolicy {
  readonly name = 'select';
  constructor(
    private readonly solver: MilpSolver,
    private readonly params: SelectionParams = {},
  ) {}

  async propose(book: HedgeBook, market: HedgeMarket, objectives: HedgeObjectives): Promise<Proposal> {
    const share = this.params.maxBookShare ?? 0.5;
    const bands = activeBands(objectives);
    const base = { policy: this.name, book, market, objectives };
    if (bands.every((b) => Math.abs(b.read(book.totals) - b.band.target) <= b.band.tolerance)) {
      return finishProposal({ ...base, legs: [], rationale: ['every band is met: nothing to trade'] });
    }
    const timeLimitSeconds = this.params.timeLimitSeconds ?? 30;
    // Phase 1, the LP relaxation over every instrument: which instruments a least-cost hedge uses at all.
    const full = buildSelectionModel(book, market, objectives, this.params);
    const relaxed = await this.solver.solve({ ...full.model, integrality: new Int32Array(full.model.numCols) }, { timeLimitSeconds });
    if (relaxed.status !== 'optimal' || !relaxed.x) {
      return finishProposal({ ...base, legs: [], rationale: [], cannot: `the solver found no solution (${relaxed.status}${relaxed.message ? `: ${relaxed.message}` : ''})` });
    }
    // Phase 2, the MILP (lots, minimum amounts) over those instruments, the linear ones, and the few cheapest per
    // band: a basic LP solution uses at most one instrument per row, so this keeps the integer search small.
    const keep = new Set<number>();
    full.columns.forEach((column, j) => {
      if (column.instrument >= 0 && relaxed.x![j]! > 1e-9) keep.add(column.instrument);
    });
    market.instruments.forEach((inst, i) => {
      if (inst.kind !== 'option') keep.add(i);
    });
    for (const b of bands) {
      const wantUp = b.read(book.totals) < b.band.target;
      for (const r of cheapestPerGreek(market, (inst) => b.read(inst.unitGreeks), wantUp).slice(0, SUPPORT_PER_BAND)) keep.add(market.instruments.findIndex((i) => i.instrument === r.instrument));
    }
    const restricted: HedgeMarket = { ...market, instruments: market.instruments.filter((_, i) => keep.has(i)) };
    const built = buildSelectionModel(book, restricted, objectives, this.params);
    const solution = await this.solver.solve(built.model, { timeLimitSeconds });
    if (solution.status !== 'optimal' || !solution.x) {
      return finishProposal({ ...base, legs: [], rationale: [], cannot: `the solver found no solution (${solution.status}${solution.message ? `: ${solution.message}` : ''})` });
    }
    const legs: ProposalLeg[] = [];
    const problems: string[] = [];
    restricted.instruments.forEach((inst, i) => {
      const lots = (column: number): number => (column >= 0 ? Math.round(solution.x![column]!) : 0);
      const net = lots(built.lotColumn.buy[i]!) - lots(built.lotColumn.sell[i]!);
      if (net === 0) return;
      const side = net > 0 ? 'buy' : 'sell';
      const amount = Number((Math.abs(net) * inst.lot).toPrecision(12));
      const walked = walkLeg(inst, side, amount, market.indexUsd, share);
      if (walked.ok) legs.push(walked.leg);
      else problems.push(`${inst.instrument}: the book moved under the solve`);
    });
    const rationale = [
      `least-cost selection over ${market.instruments.length} instruments (HiGHS: LP relaxation over all, then MILP with lots and minimum amounts over the ${restricted.instruments.length} it narrowed to; at most ${Math.round(share * 100)} % of each visible level)`,
    ];
    for (const b of bands) {
      const before = b.read(book.totals);
      if (Math.abs(before - b.band.target) <= b.band.tolerance) continue;
      const ranked = cheapestPerGreek(market, (inst) => b.read(inst.unitGreeks), before < b.band.target).slice(0, 4);
      if (ranked.length > 0) {
        rationale.push(`cheapest ${b.greek} (first level, USD per unit of ${b.unit}): ${ranked.map((r) => `${r.instrument} ${r.usdPerUnit.toPrecision(3)}${legs.some((l) => l.instrument === r.instrument) ? ' (used)' : ''}`).join(', ')}`);
      }
    }
    if (this.params.surfaceEdge) {
      const edge = legs.reduce((sum, leg) => {
        const inst = restricted.instruments.find((i) => i.instrument === leg.instrument)!;
        return sum + surfaceEdgeUsd(inst, leg.side) * leg.amount;
      }, 0);
      const priced = market.instruments.filter((i) => i.kind === 'option' && i.ivResidualVolPoints !== null && i.ivResidualVolPoints !== undefined).length;
      rationale.push(`priced against the fitted surface too (${priced} options with a residual): the legs pay ${edge.toFixed(2)} USD ${edge >= 0 ? 'more' : 'less'} than the surface's fair value (residual × vega)`);
    }
    // The variance risk premium of each expiry the option legs trade: selling implied vol above the forecast
    // realized vol earns it; buying pays it.
    const premiums = market.variancePremiums;
    if (premiums) {
      const byExpiry = new Map<string, number>();
      for (const leg of legs) {
        const expiry = leg.instrument.split('-')[1];
        if (!expiry || !/-[CP]$/.test(leg.instrument)) continue;
        byExpiry.set(expiry, (byExpiry.get(expiry) ?? 0) + (leg.side === 'buy' ? 1 : -1) * leg.greeks.vegaUsd);
      }
      for (const [expiry, vega] of byExpiry) {
        const vrp = premiums[expiry];
        if (vrp === undefined || vega === 0) continue;
        rationale.push(`${expiry}: implied vol is ${vrp.toFixed(1)} vol points ${vrp >= 0 ? 'above' : 'below'} the forecast realized vol; these legs ${vega > 0 ? 'buy' : 'sell'} ${Math.abs(vega).toFixed(0)} USD of vega there, so they ${(vega > 0) === (vrp >= 0) ? 'pay' : 'earn'} that premium`);
      }
    }
    // Slack left means a band could not be reached with the liquidity and limits given.
    const slack = bands.map((b, k) => {
      const col = built.model.numCols - 2 * bands.length + 2 * k;
      return { band: b, violation: solution.x![col]! + solution.x![col + 1]! };
    });
    const missed = slack.filter((s) => s.violation > 1e-6).map((s) => `${s.band.greek} cannot reach its band with the visible liquidity${this.params.limits?.length ? ' and limits' : ''}`);
    return finishProposal({ ...base, legs, rationale, cannot: [...missed, ...problems].join('; ') || null });
  }
}
