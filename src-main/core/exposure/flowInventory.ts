/**
 * Dealer inventory inferred from trade flow (positioning convention "flow"): a streaming estimator in the shape of
 * trading-signals' indicators (`add`, `replace`, `getResult()` null during warm-up, `isStable`, `getState`).
 *
 * Reading of the tape: the taker of every option trade is the customer and the dealer (market maker) takes the other
 * side, so the dealer position changes by -amount for a taker buy and +amount for a taker sell (contracts). Block
 * trades (`blockTradeId`) and combo legs (ordinary instrument trades) count like any trade; liquidations too (the
 * liquidated account is the taker). Non-option trades are ignored. Trades are de-duplicated by `tradeId` over the
 * last `dedupeWindow` ids (reconnects and overlapping sources re-deliver trades).
 *
 * Reconciliation with open interest (each option ticker carries `openInterest`, contracts). At each observation the
 * net OI change dOI is compared with the volume V traded since the previous observation:
 *   - |dOI| <= V: opened (V + dOI)/2 and closed (V - dOI)/2 contracts (the least mixing that explains both);
 *   - dOI > V: all V opened, dOI - V opened by trades we did not see (direction unknown: inventory unchanged);
 *   - dOI < -V: all V closed, -dOI - V closed unseen: closures are assumed spread over all holders in proportion,
 *     so the dealer inventory from before this window shrinks by that share of the previous OI.
 * Then the bound |dealer position| <= OI is enforced (each open contract has one long and one short; a larger
 * inferred inventory means some trades were customer-to-customer) by capping, counted in `capped`.
 *
 * Confidence = share of open interest explained by observed flow: per instrument, `explained` OI starts at 0 at the
 * first observation, grows by the opened volume and shrinks in proportion to closures (observed or not), capped at
 * OI; confidence = sum(explained) / sum(OI) over instruments whose OI was observed, in [0, 1].
 *
 * Deterministic: the state is a function of the event sequence only (no clock, no randomness; instruments kept in
 * first-seen order); replaying the same events gives the same `getState()`.
 */
import type { OptionTickerEvent, TradeEvent } from '../market/events';
import { parseInstrumentName } from '../pricing/instrument';

export type FlowEvent = TradeEvent | OptionTickerEvent;

export interface FlowInventorySettings {
  /** Trades to see (and at least one OI observation) before `getResult()` is non-null. Default 1. */
  warmUpTrades: number;
  /** How many recent trade ids are remembered for de-duplication. Default 50 000. */
  dedupeWindow: number;
}

export const DEFAULT_FLOW_INVENTORY_SETTINGS: Readonly<FlowInventorySettings> = Object.freeze({ warmUpTrades: 1, dedupeWindow: 50_000 });

export interface FlowInventoryResult {
  /** Share of observed open interest explained by observed flow, [0, 1] (0 when no OI is open). */
  confidence: number;
  /** Sum of explained OI, contracts. */
  explainedOpenInterest: number;
  /** Sum of the last observed OI, contracts. */
  openInterest: number;
  /** Sum of |dealer position|, contracts. */
  dealerGrossPosition: number;
  /** Sum of dealer positions (+ long), contracts (calls and puts alike: a count, not a risk). */
  dealerNetPosition: number;
  /** Instruments tracked. */
  instruments: number;
  /** Option trades applied. */
  trades: number;
  /** Trades ignored as already seen. */
  duplicates: number;
  /** Reconciliations where |position| > OI had to be capped. */
  capped: number;
}

/** One instrument's state (contracts). */
export interface InstrumentFlowState {
  instrument: string;
  /** Dealer position, + long. */
  position: number;
  /** Last observed OI; NaN before the first observation. */
  openInterest: number;
  /** OI explained by observed flow. */
  explained: number;
  /** Volume traded since the last OI observation. */
  volumeSinceObservation: number;
  /** Dealer flow (signed) since the last OI observation. */
  flowSinceObservation: number;
  trades: number;
}

export interface FlowInventoryState {
  instruments: InstrumentFlowState[];
  trades: number;
  duplicates: number;
  capped: number;
}

type Flow = Omit<InstrumentFlowState, 'instrument'>;

interface Undo {
  valid: boolean;
  instrument: string;
  existed: boolean;
  before: Flow;
  trades: number;
  duplicates: number;
  capped: number;
  /** Trade id this add inserted into the de-duplication window, or null; and the id it evicted. */
  insertedTradeId: string | null;
  evictedTradeId: string | undefined;
  totals: Totals;
}

/** Running sums over all instruments (kept up to date per event, so `add` is O(1)). */
interface Totals {
  explained: number;
  openInterest: number;
  gross: number;
  net: number;
  /** Instruments whose OI was observed (an integer: exact). */
  observed: number;
}

const emptyTotals = (): Totals => ({ explained: 0, openInterest: 0, gross: 0, net: 0, observed: 0 });

function copyTotals(from: Totals, to: Totals): void {
  to.explained = from.explained;
  to.openInterest = from.openInterest;
  to.gross = from.gross;
  to.net = from.net;
  to.observed = from.observed;
}

const emptyFlow = (): Flow => ({ position: 0, openInterest: NaN, explained: 0, volumeSinceObservation: 0, flowSinceObservation: 0, trades: 0 });

function copyFlow(from: Flow, to: Flow): void {
  to.position = from.position;
  to.openInterest = from.openInterest;
  to.explained = from.explained;
  to.volumeSinceObservation = from.volumeSinceObservation;
  to.flowSinceObservation = from.flowSinceObservation;
  to.trades = from.trades;
}

export class FlowInventory {
  private readonly settings: FlowInventorySettings;
  private readonly flows = new Map<string, Flow>();
  /** Cache: instrument name -> expiry ms for options, NaN for anything else. */
  private readonly expiryOf = new Map<string, number>();
  private readonly seen = new Set<string>();
  private readonly ring: (string | undefined)[];
  private ringNext = 0;
  private trades = 0;
  private duplicates = 0;
  private capped = 0;
  private readonly totals = emptyTotals();
  private readonly undo: Undo = {
    valid: false, instrument: '', existed: false, before: emptyFlow(), trades: 0, duplicates: 0, capped: 0, insertedTradeId: null,
    evictedTradeId: undefined, totals: emptyTotals(),
  };

  constructor(settings: Partial<FlowInventorySettings> = {}) {
    this.settings = { ...DEFAULT_FLOW_INVENTORY_SETTINGS, ...settings };
    const { warmUpTrades, dedupeWindow } = this.settings;
    if (!(Number.isInteger(warmUpTrades) && warmUpTrades >= 0)) throw new RangeError(`warmUpTrades must be a non-negative integer, got ${warmUpTrades}`);
    if (!(Number.isInteger(dedupeWindow) && dedupeWindow >= 1)) throw new RangeError(`dedupeWindow must be a positive integer, got ${dedupeWindow}`);
    this.ring = new Array<string | undefined>(dedupeWindow).fill(undefined);
  }

  /** Applies one trade or option ticker; returns the result (null during warm-up). */
  add(event: FlowEvent): FlowInventoryResult | null {
    this.apply(event);
    return this.getResult();
  }

  /**
   * Replaces the most recently added event by `event` (a corrected trade or ticker): rewinds what the last `add`
   * changed, then applies `event`. With nothing to rewind (no add yet, or right after `expire`), acts like `add`.
   */
  replace(event: FlowEvent): FlowInventoryResult | null {
    this.rewind();
    return this.add(event);
  }

  /** True once `warmUpTrades` trades and at least one open-interest observation have been seen. */
  get isStable(): boolean {
    return this.trades >= this.settings.warmUpTrades && this.totals.observed > 0;
  }

  /**
   * Totals over all instruments, or null during warm-up. O(1): from running sums, which carry the rounding of
   * every update (~1e-16 relative each); `summarize()` recomputes them exactly.
   */
  getResult(): FlowInventoryResult | null {
    if (!this.isStable) return null;
    const t = this.totals;
    return {
      confidence: t.openInterest > 0 ? Math.min(1, Math.max(0, t.explained / t.openInterest)) : 0,
      explainedOpenInterest: t.explained,
      openInterest: t.openInterest,
      dealerGrossPosition: t.gross,
      dealerNetPosition: t.net,
      instruments: this.flows.size,
      trades: this.trades,
      duplicates: this.duplicates,
      capped: this.capped,
    };
  }

  /** Totals over the given instruments (e.g. one currency's chain), or all when omitted; exact, O(instruments). */
  summarize(instruments?: Iterable<string>): FlowInventoryResult {
    let explained = 0;
    let oi = 0;
    let gross = 0;
    let net = 0;
    let count = 0;
    const visit = (flow: Flow | undefined): void => {
      if (flow === undefined) return;
      count++;
      gross += Math.abs(flow.position);
      net += flow.position;
      if (!Number.isNaN(flow.openInterest)) {
        oi += flow.openInterest;
        explained += flow.explained;
      }
    };
    if (instruments === undefined) for (const flow of this.flows.values()) visit(flow);
    else for (const name of instruments) visit(this.flows.get(name));
    return {
      confidence: oi > 0 ? Math.min(1, explained / oi) : 0,
      explainedOpenInterest: explained,
      openInterest: oi,
      dealerGrossPosition: gross,
      dealerNetPosition: net,
      instruments: count,
      trades: this.trades,
      duplicates: this.duplicates,
      capped: this.capped,
    };
  }

  /** Dealer position in an instrument, contracts (+ dealer long); 0 if never seen. */
  position(instrument: string): number {
    return this.flows.get(instrument)?.position ?? 0;
  }

  /** Writes the dealer position of `instruments[k]` into `out[k]` (0 for unseen instruments). No allocation. */
  writePositions(instruments: readonly string[], out: Float64Array): void {
    if (out.length < instruments.length) throw new RangeError(`Position output has ${out.length} rows for ${instruments.length} instruments`);
    for (let k = 0; k < instruments.length; k++) out[k] = this.flows.get(instruments[k]!)?.position ?? 0;
  }

  /** Forgets options that expired at or before `nowMs` (their positions settled). Returns how many were removed. */
  expire(nowMs: number): number {
    let removed = 0;
    for (const name of [...this.flows.keys()]) {
      const expiry = this.expiryOf.get(name) ?? NaN;
      if (expiry <= nowMs) {
        this.contribute(this.flows.get(name)!, -1);
        this.flows.delete(name);
        removed++;
      }
    }
    this.undo.valid = false;
    return removed;
  }

  /** Forgets one instrument (delisted before its expiry): its position leaves the totals. True if it was known. */
  forget(instrument: string): boolean {
    const flow = this.flows.get(instrument);
    if (flow === undefined) return false;
    this.contribute(flow, -1);
    this.flows.delete(instrument);
    this.undo.valid = false;
    return true;
  }

  /** The full state, instruments sorted by name (plain JSON-safe data; NaN marks "OI never observed"). */
  getState(): FlowInventoryState {
    const instruments = [...this.flows.entries()]
      .map(([instrument, flow]) => ({ instrument, ...flow }))
      .sort((a, b) => (a.instrument < b.instrument ? -1 : a.instrument > b.instrument ? 1 : 0));
    return { instruments, trades: this.trades, duplicates: this.duplicates, capped: this.capped };
  }

  private isOption(name: string): boolean {
    let expiry = this.expiryOf.get(name);
    if (expiry === undefined) {
      try {
        const parsed = parseInstrumentName(name);
        expiry = parsed.kind === 'option' ? parsed.expiryMs : NaN;
      } catch {
        expiry = NaN; // combos and unknown names: not a listed option
      }
      this.expiryOf.set(name, expiry);
    }
    return !Number.isNaN(expiry);
  }

  private apply(event: FlowEvent): void {
    const undo = this.undo;
    undo.valid = false;
    if (event.type === 'trade') {
      if (!this.isOption(event.instrument)) return;
      if (!(event.amount > 0 && Number.isFinite(event.amount))) {
        throw new RangeError(`Trade ${event.tradeId} on ${event.instrument} has an invalid amount ${event.amount}`);
      }
    } else if (!(event.openInterest >= 0 && Number.isFinite(event.openInterest))) {
      throw new RangeError(`Ticker of ${event.instrument} has an invalid open interest ${event.openInterest}`);
    }
    const name = event.instrument;
    let flow = this.flows.get(name);
    undo.valid = true;
    undo.instrument = name;
    undo.existed = flow !== undefined;
    if (flow !== undefined) copyFlow(flow, undo.before);
    undo.trades = this.trades;
    undo.duplicates = this.duplicates;
    undo.capped = this.capped;
    undo.insertedTradeId = null;
    copyTotals(this.totals, undo.totals);

    if (event.type === 'trade') {
      if (this.seen.has(event.tradeId)) {
        this.duplicates++;
        return;
      }
      undo.evictedTradeId = this.remember(event.tradeId);
      undo.insertedTradeId = event.tradeId;
      if (flow === undefined) {
        flow = emptyFlow();
        this.flows.set(name, flow);
      } else {
        this.contribute(flow, -1);
      }
      const dealerFlow = event.takerSide === 'buy' ? -event.amount : event.amount;
      flow.position += dealerFlow;
      flow.flowSinceObservation += dealerFlow;
      flow.volumeSinceObservation += event.amount;
      flow.trades++;
      this.trades++;
      this.contribute(flow, 1);
      return;
    }

    if (flow === undefined) {
      flow = emptyFlow();
      this.flows.set(name, flow);
    } else {
      this.contribute(flow, -1);
    }
    this.observe(flow, event.openInterest);
    this.contribute(flow, 1);
  }

  private contribute(flow: Flow, sign: 1 | -1): void {
    const t = this.totals;
    t.gross += sign * Math.abs(flow.position);
    t.net += sign * flow.position;
    if (!Number.isNaN(flow.openInterest)) {
      t.openInterest += sign * flow.openInterest;
      t.explained += sign * flow.explained;
      t.observed += sign;
    }
  }

  private observe(flow: Flow, oi: number): void {
    const volume = flow.volumeSinceObservation;
    const last = flow.openInterest;
    if (Number.isNaN(last)) {
      // First observation: the baseline. Flow before it moved the position but explains no OI we can date.
      flow.explained = 0;
    } else if (oi !== last || volume !== 0) {
      const change = oi - last;
      let opened: number;
      let closed: number;
      let closedUnseen = 0;
      if (Math.abs(change) <= volume) {
        opened = 0.5 * (volume + change);
        closed = 0.5 * (volume - change);
      } else if (change > 0) {
        opened = volume;
        closed = 0;
      } else {
        opened = 0;
        closed = volume;
        closedUnseen = -change - volume;
      }
      const closeFraction = last > 0 ? Math.min(1, (closed + closedUnseen) / last) : 0;
      flow.explained = flow.explained * (1 - closeFraction) + opened;
      if (closedUnseen > 0 && last > 0) {
        const keep = Math.max(0, 1 - closedUnseen / last);
        const windowFlow = flow.flowSinceObservation;
        flow.position = (flow.position - windowFlow) * keep + windowFlow;
      }
    }
    if (flow.explained > oi) flow.explained = oi;
    if (Math.abs(flow.position) > oi) {
      flow.position = flow.position > 0 ? oi : -oi;
      this.capped++;
    }
    flow.openInterest = oi;
    flow.volumeSinceObservation = 0;
    flow.flowSinceObservation = 0;
  }

  /** Adds an id to the de-duplication window; returns the id it pushed out, if any. */
  private remember(tradeId: string): string | undefined {
    const evicted = this.ring[this.ringNext];
    if (evicted !== undefined) this.seen.delete(evicted);
    this.ring[this.ringNext] = tradeId;
    this.ringNext = (this.ringNext + 1) % this.ring.length;
    this.seen.add(tradeId);
    return evicted;
  }

  private rewind(): void {
    const undo = this.undo;
    if (!undo.valid) return;
    if (undo.existed) {
      const flow = this.flows.get(undo.instrument);
      if (flow !== undefined) copyFlow(undo.before, flow);
    } else {
      this.flows.delete(undo.instrument);
    }
    this.trades = undo.trades;
    this.duplicates = undo.duplicates;
    this.capped = undo.capped;
    copyTotals(undo.totals, this.totals);
    if (undo.insertedTradeId !== null) {
      // The id went into the slot just before ringNext: put back the id it evicted.
      this.ringNext = (this.ringNext - 1 + this.ring.length) % this.ring.length;
      this.seen.delete(undo.insertedTradeId);
      this.ring[this.ringNext] = undo.evictedTradeId;
      if (undo.evictedTradeId !== undefined) this.seen.add(undo.evictedTradeId);
    }
    undo.valid = false;
  }
}
