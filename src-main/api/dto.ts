/**
 * Data transfer objects: what crosses the API boundary. Plain JSON; units in the field names.
 * Coin amounts end in `Coin`, USD amounts in `Usd`, vols are decimals (`iv`), times are epoch ms (`Ms`).
 */
import type { PriceCurrency } from '../core/book/position';
import type { BookValuation } from '../core/book/valuation';
import type { Proposal } from '../core/hedge/types';
import type { ProposalMargin } from '../core/risk/hedgeMargin';
import type { PmComparison } from '../core/risk/pmCompare';
import type { PolicyName } from '../core/hedge/settings';
import type { DealerConvention } from '../core/exposure/positioning';
import type { Currency } from '../core/market/events';
import type { SourceSpec } from './contract/sessions';

// Defined once in core (the engine's own types) and re-exported here, so the contract cannot drift from them.
export type { Currency, DealerConvention };
export type SourceKind = 'demo' | 'deribit' | 'replay';
/**
 * What the header says about the source, in the trader's words: a live feed is `connecting`, `live`, `stale`
 * (connected, but its data stopped) or `disconnected`; a replay is `replaying`, `paused` or `done`; any source
 * that was switched off is `stopped`.
 */
export type ConnectionState = 'connecting' | 'live' | 'stale' | 'disconnected' | 'stopped' | 'replaying' | 'paused' | 'done';

export interface AppInfo {
  name: string;
  version: string;
  /** Where the app runs: the Electron desktop window or the headless host in a browser. */
  mode: 'electron' | 'browser' | 'in-process';
  dbPath: string;
  source: SourceKind;
  currencies: Currency[];
  /** Total markets events handled since start. */
  eventsApplied: number;
}

export interface FeedStatus {
  source: SourceKind;
  /** Free text naming the feed, e.g. `Demo market (seed 42)`. */
  label: string;
  state: ConnectionState;
  /** Events per second over the last few seconds. */
  messagesPerSecond: number;
  /** Mean tsRecv − tsEvent over the last few seconds, ms (0 for simulated data). */
  lagMs: number;
  /** Milliseconds since the last event (0 when none is late). */
  silenceMs: number;
  /** Malformed or unknown inputs dropped so far (by the feed and by the engine). */
  rejectedEvents: number;
  lastRejectReason: string | null;
  reconnects: number;
  /** Why a live feed is not connected right now (e.g. `getaddrinfo ENOTFOUND www.deribit.com`); null when it is. */
  lastError: string | null;
  /** Instruments silent for longer than the feed's staleness limit (live feeds), worst first. */
  staleInstruments: { instrument: string; silenceMs: number | null }[];
  instruments: number;
}

export interface CurrencyHeader {
  currency: Currency;
  indexUsd: number | null;
  perpetualUsd: number | null;
  /** The nearest expiry's forward. */
  frontForwardUsd: number | null;
  frontExpiryLabel: string | null;
}

export interface HeaderSnapshot {
  feed: FeedStatus;
  currencies: CurrencyHeader[];
  /** Market time of the latest event (simulated time in replay). */
  marketTimeMs: number;
  /** Sequence number of the latest applied event. */
  seq: number;
}

export interface ExpirySummary {
  /** Deribit's date code, e.g. `27DEC26`. */
  label: string;
  expiryMs: number;
  years: number;
  forwardUsd: number | null;
  underlyingIndex: string | null;
  strikes: number;
  openInterest: number;
}

export interface ExpiryListSnapshot {
  currency: Currency;
  expiries: ExpirySummary[];
}

export interface OptionQuoteRow {
  instrument: string;
  bidCoin: number | null;
  askCoin: number | null;
  /** Size at the best bid / ask, contracts (1 contract = 1 coin); null when unquoted. */
  bidAmount: number | null;
  askAmount: number | null;
  markCoin: number | null;
  markUsd: number | null;
  /** Mark IV as the feed publishes it, decimal. */
  iv: number | null;
  /** Implied vols GammaDesk computes from the bid, ask and mark prices (decimal; null when not defined). */
  ivBid: number | null;
  ivAsk: number | null;
  ivMark: number | null;
  /** Deribit display units: delta N(d1), gamma per USD, vega USD per vol point, theta USD per day. */
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  /** Contracts (1 contract = 1 coin). */
  openInterest: number | null;
  /**
   * Contracts traded over the last 24 hours as the feed reports it (Deribit ticker `stats.volume`); null when the
   * source does not say (no trade in 24 h on Deribit, Tardis `options_chain` files, sessions stored before it was kept).
   */
  volume24h: number | null;
  /** Market time minus the quote's exchange time, ms: how old the quote is (staleness per instrument). */
  quoteAgeMs: number | null;
}

export interface ChainRow {
  strikeUsd: number;
  call: OptionQuoteRow | null;
  put: OptionQuoteRow | null;
}

export interface ChainSnapshot {
  currency: Currency;
  expiryLabel: string;
  expiryMs: number;
  years: number;
  /**
   * `settling` in the last 30 minutes before expiry: Deribit averages its index for the settlement price and
   * decays the delta shown (and left to hedge) linearly to 0; the deltas in this snapshot are decayed.
   */
  phase: 'open' | 'settling' | 'expired';
  forwardUsd: number | null;
  underlyingIndex: string | null;
  indexUsd: number | null;
  rows: ChainRow[];
  /** Market sequence number the greeks were computed from. */
  greeksSeq: number;
  /** Market sequence number of the latest quote in this snapshot. */
  quotesSeq: number;
  /** Wall-clock ms the worker pool took for this expiry's greeks. */
  greeksComputeMs: number;
}

/** Which market data the engine runs on: defined once, by its schema in the contract. */
export type { SourceSpec };

export interface SessionSummary {
  id: number;
  name: string;
  source: string;
  createdMs: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  eventCount: number;
  /** Stored payload bytes. */
  sizeBytes: number;
}

export interface RecordingStatus {
  sessionId: number;
  session: string;
  startedMs: number;
  eventsRecorded: number;
  /** The last failed commit (disk full, …): events stay queued and are retried; null when all is written. */
  lastError: string | null;
}

export interface ReplayStatus {
  session: string;
  /** The session's whole span. */
  firstMs: number;
  lastMs: number;
  /** Where this replay's window starts (after a seek or `--from`). */
  windowStartMs: number;
  /** Recorded time reached so far. */
  currentMs: number;
  eventsDelivered: number;
  totalEvents: number;
  speed: number | 'max';
  paused: boolean;
  done: boolean;
}

/** A long-running job (an import): progress, cancellable, its result or error at the end. */
export interface JobStatus {
  id: number;
  kind: 'import';
  label: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  /** 0..1, null when unknown. */
  progress: number | null;
  detail: string;
  startedMs: number;
  error: string | null;
  /** Import results: rows, events and the first bad rows with file, line and reason. */
  summary: { rowsRead: number; eventsWritten: number; badRows: number; badRowSamples: { file: string; line: number; reason: string }[] } | null;
}

/**
 * The always-on journal: every live and demo event, stored before the engine sees it, in segments that roll off
 * oldest first past `maxBytes` (a setting). Recordings are kept segments and count as sessions, not here.
 */
export interface JournalStatus {
  /** Payload bytes stored in unkept segments. */
  bytes: number;
  maxBytes: number;
  segments: number;
  /** The market seqs and times the window covers (null while empty). */
  firstSeq: number | null;
  lastSeq: number | null;
  fromMs: number | null;
  toMs: number | null;
  /** The last failed commit (disk full, locked database); its events stay queued and are retried. */
  lastError: string | null;
}

export interface DeskStatus {
  source: SourceSpec;
  /** When the source was last switched, and by which window (null: the host itself, e.g. at start). */
  sourceChange: { atMs: number; by: string | null } | null;
  recording: RecordingStatus | null;
  replay: ReplayStatus | null;
  journal: JournalStatus;
}

// DealerConvention (re-exported above, from core/exposure/positioning.ts): who is assumed to hold the other side
// of customer open interest: `naive` — dealers long calls, short puts (SqueezeMetrics); `short` — dealers short
// everything customers hold; `flow` — inferred from the taker side of each trade, reconciled with open-interest
// changes.

export interface GexStrikeRow {
  strikeUsd: number;
  /** Dealer gamma exposure, USD per 1 % spot move, of the calls / puts at this strike (all expiries). */
  callUsdPer1Pct: number;
  putUsdPer1Pct: number;
  netUsdPer1Pct: number;
}

export interface GexExpiryRow {
  label: string;
  expiryMs: number;
  netUsdPer1Pct: number;
  absUsdPer1Pct: number;
}

export interface ExposureLevels {
  /** Zero-gamma level nearest spot (after hysteresis), USD; null when dealer gamma does not change sign. */
  flipUsd: number | null;
  /** Every zero crossing of the profile within the grid, USD. */
  flipsUsd: number[];
  /** The flip nearest spot without the next expiry (how much of the flip the front expiry makes), USD. */
  flipWithoutFrontUsd: number | null;
  callWallUsd: number | null;
  putWallUsd: number | null;
  absGammaStrikeUsd: number | null;
}

export interface CascadeMap {
  /**
   * The market time and seq the map was computed at. A map is reused while the market has not moved it
   * materially (at most 10 s of market time, its GEX profile within 2 % of the current one's peak; decision 0009),
   * so this may be before the snapshot's own `marketTimeMs`.
   */
  marketTimeMs: number;
  seq: number;
  /** Spot grid (USD), time grid (epoch ms) and vol shifts (vol points). */
  spotUsd: number[];
  timesMs: number[];
  volShiftsPoints: number[];
  /** [vol][time][spot] row-major: USD of underlying dealers must trade per 1 % spot move (+ buy). */
  dealerHedgeUsdPer1Pct: number[];
  /** [vol][time][spot]: |hedge per 1 %| ÷ perpetual book depth within 1 % (cascade risk; null without a book). */
  cascadeRatio: number[] | null;
  /** Perpetual order-book depth within 1 % of mid (bids + asks), USD; null without a book. */
  bookDepthUsd: number | null;
}

/** How each option's IV moves when spot moves: keeps its IV (sticky strike) or follows K/F (sticky moneyness). */
export type VolDynamics = 'stickyStrike' | 'stickyMoneyness';

export interface ExposureSnapshot {
  currency: Currency;
  convention: DealerConvention;
  /** Vol dynamics of the profile and flips (the hedge-pressure map is always sticky strike). */
  dynamics: VolDynamics;
  /** The spot the profile is centred on (the index), USD. */
  spotUsd: number | null;
  marketTimeMs: number;
  seq: number;
  computeMs: number;
  totals: {
    /** Net dealer gamma exposure, USD per 1 % move. */
    gexUsdPer1Pct: number;
    absGexUsdPer1Pct: number;
    /** The same in coin per 1 % move. */
    gexCoinPer1Pct: number;
    /** Dealer delta, coin. */
    dealerDeltaCoin: number;
    /** Dealer vanna exposure: change of dealer delta (coin) per 1 vol point. */
    vannaCoinPerVolPoint: number;
    /** Dealer charm exposure: change of dealer delta (coin) per day. */
    charmCoinPerDay: number;
  };
  byStrike: GexStrikeRow[];
  byExpiry: GexExpiryRow[];
  /** Net GEX by strike × expiry, USD per 1 %: values[expiry * strikes.length + strike]. */
  heatmap: { strikesUsd: number[]; expiries: string[]; netUsdPer1Pct: number[] };
  /** Total dealer GEX re-priced over spot (sticky strike), with and without the next expiry. */
  profile: { spotUsd: number[]; gexUsdPer1Pct: number[]; gexUsdPer1PctWithoutFront: number[] };
  levels: ExposureLevels;
  /** Flow convention: share of open interest explained by observed trades (0..1). */
  flowConfidence: number | null;
  /** Flow convention: option trades the dealer inventory has seen in this run (0: no trades, so no flow GEX). */
  flowTrades: number | null;
  /**
   * The key levels over the session at each computed snapshot of this stream (market time, oldest first; a
   * replay rebuilds it from the session's start; a live stream since it was first watched). Bounded: a long
   * session keeps a coarser step.
   */
  history: {
    timesMs: number[];
    spotUsd: (number | null)[];
    flipUsd: (number | null)[];
    callWallUsd: (number | null)[];
    putWallUsd: (number | null)[];
    gexUsdPer1Pct: number[];
  };
  cascade: CascadeMap | null;
  /** The trader's own positions in this currency, same units and grids; null when the book is empty. */
  ownBook: OwnBookExposure | null;
}

export interface PositionDto {
  instrument: string;
  /** + long, − short: contracts for options (1 = 1 coin), USD notional for futures and perpetuals. */
  amount: number;
  /** Average entry price in `priceCurrency`; null when not known (P&L is then not computed). */
  averagePrice: number | null;
  /** The coin for options, USD for futures and perpetuals. */
  priceCurrency: PriceCurrency;
  updatedMs: number;
}

/** The book marked to market (core/book/valuation.ts), as the `book` stream publishes it. */
export interface BookSnapshot extends BookValuation {
  /** Increases with every change of the book itself (not with the market). */
  bookVersion: number;
  /** The market seq the marks are from. */
  marketSeq: number;
  /** True when the market feed is stale or disconnected: the marks are old. */
  stale: boolean;
}

/** A Deribit account loaded into the book: the import result, each currency's equity and margins, problems. */
export interface DeribitAccountLoadDto extends BookImportResult {
  network: 'testnet' | 'mainnet';
  accounts: { currency: string; equity: number; initialMargin: number; maintenanceMargin: number; marginModel: string | null }[];
  problems: string[];
}

/** What `positions.import` did: the rows kept, and each refused row with its line and reason. */
export interface BookImportResult {
  positions: PositionDto[];
  rows: number;
  errors: { line: number; reason: string }[];
}

export interface OwnBookExposure {
  positions: number;
  /** Positions without a live quote in the current market (not in the numbers). */
  unquoted: string[];
  /** The book's own gamma exposure, USD per 1 % move (+ long gamma). */
  gexUsdPer1Pct: number;
  /** Σ contracts × Black-76 delta N(d₁), coin (Deribit's displayed delta; decayed while settling). */
  deltaCoin: number;
  /**
   * The delta of the book's value in coin (inverse options: Σ contracts × (delta − mark price in coin)): what a
   * coin-margined trader hedges with the perpetual.
   */
  coinDeltaCoin: number;
  vannaCoinPerVolPoint: number;
  charmCoinPerDay: number;
  byStrike: { strikeUsd: number; netUsdPer1Pct: number }[];
  /** Re-priced over the same spot grid as the dealer profile. */
  profileUsdPer1Pct: number[];
}

/** The hedge advisor's current proposal for a currency, with what it was computed from. */
export interface HedgeSnapshot {
  currency: Currency;
  /** Market time of the inputs, and their seq. */
  marketTimeMs: number;
  marketSeq: number;
  bookVersion: number;
  settingsVersion: number;
  policy: PolicyName;
  /** SHA-256 of the inputs (book greeks, hedge instruments with their books, objectives, policy). */
  inputsHash: string;
  /** Null when no proposal can be made (no index yet, settings off): `reason` says why. */
  proposal: Proposal | null;
  reason: string | null;
  /** Wall-clock time of the computation, ms (not part of the replay hash). */
  computeMs: number;
  /**
   * IM and MM (PM replica, coin) before and after the proposal's legs, on the market at `margin.marketSeq` (the
   * market when the proposal was published); absent when there is no trade, null with `marginReason` when it
   * cannot be computed.
   */
  margin?: (ProposalMargin & { marketSeq: number }) | null;
  marginReason?: string | null;
}

/** A recommendation the trader decides on (store/recommendations.ts), as the UI shows it. */
export interface RecommendationDto {
  id: string;
  currency: string;
  state: 'proposed' | 'approved' | 'modified-approved' | 'rejected' | 'expired' | 'submitted' | 'filled' | 'partially-filled' | 'failed';
  createdMs: number;
  stateMs: number;
  expiresMs: number;
  marketSeq: number;
  bookVersion: number;
  policy: string;
  inputsHash: string;
  /** The legs as proposed, and as approved when the trader changed quantities. */
  legs: { instrument: string; side: 'buy' | 'sell'; amount: number; type: 'limit' | 'market'; price?: number }[];
  approvedLegs: RecommendationDto['legs'] | null;
  costUsd: number | null;
  costCoin: number | null;
  rationale: string[];
  reason: string | null;
  /** Orders sent for it, by label, with their venue state. */
  orders: { label: string; status: string; filledAmount: number; averagePrice: number | null; reason: string | null }[];
}

/** One audit log row (store/audit.ts). */
export interface AuditRowDto {
  seq: number;
  tsMs: number;
  actor: string;
  action: string;
  subject: string;
  /** Canonical JSON. */
  payload: string;
  prevHash: string;
  hash: string;
}

export type AuditVerifyDto =
  | { ok: true; rows: number; head: { seq: number; hash: string } | null }
  | { ok: false; rowsChecked: number; seq: number; problem: string; message: string };

/** The execution venue as the UI sees it: the choice, the venue in use, whether a key is configured (never the key). */
export interface ExecutionStatusDto {
  venue: 'paper' | 'deribit';
  network: 'testnet' | 'mainnet';
  mainnetConfirmed: boolean;
  active: string;
  credentials: { configured: boolean; source: string; clientIdHint: string | null; problem: string | null };
  problem: string | null;
}

/** The Risk view's grid and the trader's equity, per currency (app/riskService.ts). */
export interface RiskSettings {
  /** Index moves, fractions (−0.3 = −30 %). */
  spotMoves: number[];
  /** Vol shifts, decimal (0.1 = +10 vol points). */
  volShifts: number[];
  volShiftMode: 'absolute' | 'term-scaled';
  volDynamics: 'sticky-strike' | 'sticky-moneyness';
  /** The account's equity in coin as the trader entered it; null when not entered. */
  equityCoin: number | null;
  /** Up to 3 days (YYYY-MM-DD, taken at 08:00 UTC) the payoff chart shows besides today and the next expiry. */
  payoffDates: string[];
}

/** One side of the distance to a margin call (core/risk/marginCall.ts). */
export interface MarginCallSideDto {
  move: number | null;
  indexUsd: number | null;
  reason: string | null;
}

/** The live book's risk for one currency (engine/riskSnapshot.ts). Coin figures are in the currency's coin. */
export interface RiskSnapshot {
  currency: Currency;
  marketTimeMs: number;
  marketSeq: number;
  bookVersion: number;
  settings: RiskSettings;
  indexUsd: number | null;
  positionCount: number;
  /** Positions that cannot be revalued, with the reason. */
  skipped: { instrument: string; reason: string }[];
  /** Cell c = (spot × volShifts + vol) × times + time; P&L is the change from now. */
  matrix: {
    times: { label: string; elapsedMs: number }[];
    pnlUsd: number[];
    pnlCoin: number[];
    positions: { instrument: string; kind: 'option' | 'future' | 'perpetual'; sizeCoin: number }[];
    /** Row i: position i's P&L per cell. */
    drillUsd: number[][];
    drillCoin: number[][];
  } | null;
  matrixReason: string | null;
  /** The PM replica (coin). */
  margin: {
    initialMargin: number;
    maintenanceMargin: number;
    riskMatrixMargin: number;
    worstCase: number;
    worstCaseBucket: { source: 'standard' | 'extended'; index: number; bucket: number; side: 'left' | 'centre' | 'right'; move: number; vol: 'up' | 'unchanged' | 'down' };
    rollShock: number;
    deltaShock: number;
    standardMoves: number[];
    extendedMoves: number[];
    /** Aggregated vectors (after dampener and offset), coin. */
    standard: number[];
    extended: number[];
  } | null;
  marginReason: string | null;
  standardMargin: { initialMargin: number; maintenanceMargin: number } | null;
  equityCoin: number | null;
  equityReason: string | null;
  /** IM and MM over equity. */
  usage: { initial: number; maintenance: number } | null;
  /** At current vols (volShift 0) and vol up. */
  marginCall: { volShift: number; down: MarginCallSideDto; up: MarginCallSideDto }[];
  /** Market time the distance was computed at (it is recomputed when the book, equity or grid change, the index moves 0.5 % or 30 s pass). */
  marginCallAtMs: number | null;
  marginCallReason: string | null;
  /** The book's P&L over index levels, one line per date. */
  payoff: { spotsUsd: number[]; lines: { label: string; atMs: number; pnlCoin: number[]; pnlUsd: number[] }[] } | null;
  /** The advisor's current proposal: its margin effect and the payoff of book + proposal. */
  proposal: {
    inputsHash: string;
    legs: { instrument: string; side: 'buy' | 'sell'; amount: number }[];
    /** IM and MM before and after, coin (core/risk/hedgeMargin.ts). */
    margin: ProposalMargin;
    payoffAfter: RiskSnapshot['payoff'];
  } | null;
  notes: string[];
  /** Where the PM replica's parameters came from: Deribit's live `model_params` (as of a time) or the documented table. */
  pmParamsSource: { kind: 'deribit' | 'table'; asOfMs: number | null; label: string };
  /** The replica against Deribit's private/pme/simulate for this book (app/pmeComparison.ts); null with the reason. */
  pmComparison: PmComparisonView | null;
  pmComparisonReason: string | null;
  /** Wall-clock time of the computation, ms (not part of replay determinism). */
  computeMs: number;
}

/** One live comparison of the replica with Deribit (wall-clock times, ms; coin in the currency's coin). */
export interface PmComparisonView {
  /** When Deribit's answer arrived, and when it was asked for. */
  asOfMs: number;
  requestedMs: number;
  /** Age at the time of the snapshot; stale once older than `staleAfterMs`. */
  ageMs: number;
  stale: boolean;
  staleAfterMs: number;
  /** The book and market the request was built from. */
  marketSeq: number;
  bookVersion: number;
  positions: number;
  /** The replica's parameters for this comparison: Deribit's `model_params` of the answer, or the table when it had none. */
  paramsSource: 'deribit' | 'table';
  deribitIndexUsd: number | null;
  /** Per vector entry (27 standard + 8 extended) and for IM / MM and the add-ons: replica − Deribit. */
  comparison: PmComparison | null;
  reason: string | null;
}
