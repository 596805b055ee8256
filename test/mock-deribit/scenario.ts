/**
 * Scenarios for the mock Deribit server, built from the real recorded Deribit v2 notifications in
 * `../shared/data/tardis-node_deribit_ws_messages_with_normalized.json` (see shared/data/README.md).
 *
 * What is taken as recorded and what is made up, so a reader knows which shapes are real:
 * - option tickers (BTC-5JUN20-9250-C, ETH-5JUN20-310-P, ETH-10JUN20-270-C; the expired BTC-8JUN20-8750-P),
 *   the BTC-PERPETUAL ticker, BTC-PERPETUAL trades (with `liquidation` flags), the ETH-PERPETUAL book snapshot
 *   and change, the MATIC_USDC linear option ticker and the combo tickers: the recorded messages, with
 *   `timestamp` re-stamped by the server and, per round r of the stream, prices scaled by (1 + r/100), IVs
 *   raised by r/10 points and trade ids renumbered, so that every round is distinguishable and the final state is
 *   known;
 * - the instrument list (`public/get_instruments` items): one per recorded BTC/ETH option or perpetual, with the
 *   fields and values of Deribit's documented examples (BTC-PERPETUAL: tick 0.5, contract 10 USD, maker 0, taker
 *   0.0005; options: tick 0.0005, contract 1, maker = taker 0.0003; docs.deribit.com, public/get_instruments and
 *   public/get_instrument);
 * - messages with no recording: `deribit_price_index` (Deribit's documented shape, price = the recorded tickers'
 *   `index_price`), `markprice.options` (documented shape, from the recorded option marks), option trades (the
 *   recorded perpetual trade shape plus the documented option fields `iv` and `mark_price`, priced from the
 *   recorded option ticker), the BTC-PERPETUAL book (the recorded book shape filled from the recorded
 *   `quote.BTC-PERPETUAL` best bid/ask).
 *
 * Shifted to the present ({@link scenarioShift}; `shiftToMs` in {@link buildScenario}, {@link recordedInstruments},
 * {@link recordedBooks}, {@link newOptionInstrument}, {@link recorded}): the recordings are from 2019–2024, so on
 * today's clock their options are long expired (an engine valuing at the wall clock rolls them off). A shift
 * builds the SAME scenario moved forward by a whole number of weeks W, so weekdays (the 5JUN20 expiry is a Friday)
 * and 08:00 UTC expiries stay what they were:
 * - W is the smallest whole number of weeks that puts the first recorded option expiry (5JUN20, Friday
 *   2020-06-05 08:00 UTC) at least `minExpiryLeadMs` (default one day) after `shiftToMs`. Equivalently: the largest
 *   shift that puts the recorded "now" ({@link RECORDED_NOW_MS}, the recorded BTC-5JUN20-9250-C ticker, Monday
 *   2020-06-01 00:00:52 UTC, 4 d 8 h before that expiry) at or before `shiftToMs`, plus one week when that would
 *   leave the first expiry less than the lead ahead. So the recorded options expire days ahead of `shiftToMs`
 *   (the first between the lead and 7 days + the lead), and the recorded now lands at most 3 d 8 h before
 *   `shiftToMs`, or (with the default lead, when `shiftToMs` is Thursday 08:00 to Monday 00:00 UTC) at most
 *   3 d 16 h after it.
 * - Times: every number under a `timestamp`, `creation_timestamp` or `expiration_timestamp` key, at any depth
 *   (message and trade timestamps, instrument creation and expiry), gains W weeks. Not shifted: `0` placeholders
 *   (the index and mark messages' `timestamp: 0`, which the server stamps when it sends) and a perpetual's
 *   `expiration_timestamp` (Deribit's year-3000 sentinel). The mock server re-stamps every `timestamp` with its own
 *   clock when it sends anyway; the shift keeps the data self-consistent for whoever reads it directly.
 * - Names: every instrument name in any string or object key (`instrument_name`, channel names such as
 *   `ticker.BTC-5JUN20-9250-C.100ms`, `underlying_index` such as `SYN.BTC-5JUN20`, book step instruments, trade
 *   instrument names, raw fault frames) is parsed and re-formatted with the shifted expiry (`parseInstrumentName`,
 *   `formatOptionName` / `formatFutureName`), e.g. BTC-5JUN20-9250-C → BTC-{new code}-9250-C; perpetuals keep
 *   their names. A date code inside a combo name (`BTC-STRD-30SEP22-20000`) is shifted in place.
 * - Everything else is as without the shift: message shapes, prices, IVs, greeks, amounts, open interest,
 *   `estimated_delivery_price` (a number, or `"expired"` for BTC-8JUN20-8750-P), change and trade ids, and the
 *   per-round scaling. The expired ticker of BTC-8JUN20-8750-P is still sent after `expireAfterRound` although its
 *   shifted expiry lies days ahead: like the recording, it says "expired" by its `estimated_delivery_price`,
 *   which is what the adapter acts on.
 * - Faults passed to `buildScenario` are written in recorded terms (2020 names) and shifted with the rest.
 * Without `shiftToMs` every function returns exactly what it returned before the shift existed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatExpiryCode, parseExpiryCode } from '../../src-main/core/market/expiryCode';
import { formatFutureName, formatOptionName, InstrumentNameError, parseInstrumentName } from '../../src-main/core/pricing/instrument';
import type { MockBook, MockInstrument, MockLevelChange, ScenarioStep } from './server';

export const RECORDED_FILE = 'tardis-node_deribit_ws_messages_with_normalized.json';

export interface RecordedCase {
  input_native_message: { jsonrpc: string; method: string; params: { channel: string; data: unknown } };
  expected_tardis_normalized_output: Record<string, unknown>[];
}

/** The 18 recorded Deribit notifications with tardis-node's normalized output (read from `../shared/data`). */
export function recordedCases(): RecordedCase[] {
  const file = path.resolve(process.cwd(), '../shared/data', RECORDED_FILE);
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: RecordedCase[] }).cases;
}

type Json = Record<string, unknown>;

function recordedData(channel: string): Json {
  const found = recordedCases().find((c) => c.input_native_message.params.channel === channel);
  if (!found) throw new Error(`no recorded message on ${channel}`);
  return found.input_native_message.params.data as Json;
}

function recordedTrades(channel: string): Json[] {
  return recordedCases()
    .filter((c) => c.input_native_message.params.channel === channel)
    .flatMap((c) => c.input_native_message.params.data as Json[]);
}

/** Recorded option tickers by instrument (the `.raw` channel recordings). */
export const RECORDED_OPTIONS = ['BTC-5JUN20-9250-C', 'ETH-5JUN20-310-P', 'ETH-10JUN20-270-C'] as const;
export const EXPIRED_OPTION = 'BTC-8JUN20-8750-P';
export const PERPETUALS = ['BTC-PERPETUAL', 'ETH-PERPETUAL'] as const;
/** A listing made during the lifecycle scenario: the recorded BTC-5JUN20-9250-C re-targeted to another strike. */
export const NEW_OPTION = 'BTC-5JUN20-9500-C';
/** Names outside the universe for the unknown-instrument faults. */
export const UNKNOWN_OPTION = 'BTC-26JUN20-20000-C';
export const RECORDED_LINEAR_OPTION = 'MATIC_USDC-9MAR24-1d02-C';

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function optionInstrument(name: string): MockInstrument {
  const [currency, expiryCode, strike, type] = name.split('-') as [string, string, string, string];
  const expiry = parseExpiryCode(expiryCode);
  if (expiry === null || formatExpiryCode(expiry) !== expiryCode) throw new Error(`bad expiry in ${name}`);
  return {
    tick_size: 0.0005,
    tick_size_steps: [],
    taker_commission: 0.0003,
    strike: Number(strike),
    settlement_period: 'week',
    settlement_currency: currency,
    quote_currency: currency,
    price_index: `${currency.toLowerCase()}_usd`,
    option_type: type === 'C' ? 'call' : 'put',
    min_trade_amount: currency === 'BTC' ? 0.1 : 1,
    maker_commission: 0.0003,
    kind: 'option',
    is_active: true,
    instrument_name: name,
    instrument_id: 100_000 + Number(strike),
    instrument_type: 'reversed',
    expiration_timestamp: expiry,
    creation_timestamp: expiry - 30 * 86_400_000,
    counter_currency: 'USD',
    contract_size: 1,
    block_trade_tick_size: 0.0001,
    block_trade_min_trade_amount: 25,
    block_trade_commission: 0.00015,
    base_currency: currency,
    state: 'open',
  };
}

function perpetualInstrument(currency: 'BTC' | 'ETH'): MockInstrument {
  return {
    tick_size: currency === 'BTC' ? 0.5 : 0.05,
    tick_size_steps: [],
    taker_commission: 0.0005,
    settlement_period: 'perpetual',
    settlement_currency: currency,
    quote_currency: 'USD',
    price_index: `${currency.toLowerCase()}_usd`,
    min_trade_amount: currency === 'BTC' ? 10 : 1,
    max_liquidation_commission: 0.0075,
    max_leverage: 50,
    maker_commission: 0,
    kind: 'future',
    is_active: true,
    instrument_name: `${currency}-PERPETUAL`,
    instrument_id: currency === 'BTC' ? 124_972 : 124_973,
    instrument_type: 'reversed',
    expiration_timestamp: 32_503_708_800_000,
    creation_timestamp: 1_534_167_754_000,
    counter_currency: 'USD',
    contract_size: currency === 'BTC' ? 10 : 1,
    block_trade_tick_size: 0.01,
    block_trade_min_trade_amount: 200_000,
    block_trade_commission: 0.00025,
    base_currency: currency,
    state: 'open',
  };
}

/** The `public/get_instruments` universe matching the recorded BTC/ETH instruments. */
export function recordedInstruments(options: ShiftOptions = {}): MockInstrument[] {
  return shifted(options, [
    perpetualInstrument('BTC'),
    perpetualInstrument('ETH'),
    ...[...RECORDED_OPTIONS, EXPIRED_OPTION].map(optionInstrument),
  ]);
}

/** The instrument of {@link NEW_OPTION} (shifted, its name is `scenarioShift(shiftToMs).name(NEW_OPTION)`). */
export function newOptionInstrument(options: ShiftOptions = {}): MockInstrument {
  return shifted(options, optionInstrument(NEW_OPTION));
}

/**
 * The `public/get_instruments` item of any option named in recorded terms (e.g. another strike of the recorded
 * 5JUN20 expiry), shifted with the rest; for streams that need a wider universe than the recording's.
 */
export function optionInstrumentFor(name: string, options: ShiftOptions = {}): MockInstrument {
  return shifted(options, optionInstrument(name));
}

/** Initial server books: ETH-PERPETUAL from the recorded snapshot, BTC-PERPETUAL from the recorded quote. */
export function recordedBooks(options: ShiftOptions = {}): Record<string, MockBook> {
  return shifted(options, unshiftedBooks());
}

function unshiftedBooks(): Record<string, MockBook> {
  const eth = recordedData('book.ETH-PERPETUAL.raw');
  const levels = (side: unknown): [number, number][] => (side as [string, number, number][]).map(([, price, amount]) => [price, amount]);
  const quote = recordedData('quote.BTC-PERPETUAL');
  return {
    'ETH-PERPETUAL': { bids: levels(eth.bids), asks: levels(eth.asks), changeId: eth.change_id as number },
    'BTC-PERPETUAL': {
      bids: [[quote.best_bid_price as number, quote.best_bid_amount as number]],
      asks: [[quote.best_ask_price as number, quote.best_ask_amount as number]],
      changeId: 1_000_000,
    },
  };
}

/** Recorded option ticker data, scaled for round `r`, optionally re-targeted to another instrument name. */
export function optionTicker(name: string, r: number, retarget?: string): Json {
  const data = structuredClone(recordedData(`ticker.${name}.raw`));
  const scale = 1 + r / 100;
  for (const key of ['mark_price', 'best_bid_price', 'best_ask_price']) data[key] = round6((data[key] as number) * scale);
  for (const key of ['mark_iv', 'bid_iv', 'ask_iv']) if ((data[key] as number) > 0) data[key] = round6((data[key] as number) + r / 10);
  data.best_bid_amount = round6((data.best_bid_amount as number) + r);
  data.open_interest = round6((data.open_interest as number) + r);
  if (retarget) data.instrument_name = retarget;
  return data;
}

/** The recorded BTC-PERPETUAL ticker (alternating the two recordings), scaled for round `r`. */
export function perpetualTicker(r: number): Json {
  const recorded = recordedCases().filter((c) => c.input_native_message.params.channel === 'ticker.BTC-PERPETUAL.raw');
  const data = structuredClone(recorded[r % recorded.length]!.input_native_message.params.data as Json);
  const scale = 1 + r / 100;
  for (const key of ['mark_price', 'best_bid_price', 'best_ask_price', 'index_price']) data[key] = round6((data[key] as number) * scale);
  data.best_bid_amount = (data.best_bid_amount as number) + 10 * r;
  return data;
}

/** The recorded BTC-PERPETUAL trades with ids renumbered for round `r` (ids stay unique across rounds). */
export function perpetualTrades(r: number): Json[] {
  return recordedTrades('trades.BTC-PERPETUAL.raw').map((trade) => ({
    ...trade,
    trade_id: String(Number(trade.trade_id) + 1_000_000 * r),
    trade_seq: (trade.trade_seq as number) + 1_000_000 * r,
  }));
}

/** Option trades (recorded perpetual trade shape + documented `iv`, `mark_price`), one of them a block trade. */
export function optionTrades(r: number): Json[] {
  const ticker = optionTicker('BTC-5JUN20-9250-C', r);
  const base = recordedTrades('trades.BTC-PERPETUAL.raw')[0]!;
  return [
    {
      ...base,
      trade_id: `OPT-${r}-1`,
      trade_seq: 10 * r + 1,
      instrument_name: 'BTC-5JUN20-9250-C',
      price: ticker.last_price,
      mark_price: ticker.mark_price,
      iv: ticker.mark_iv,
      index_price: ticker.index_price,
      direction: 'buy',
      amount: 1.5,
    },
    {
      ...base,
      trade_id: `OPT-${r}-2`,
      trade_seq: 10 * r + 2,
      instrument_name: 'BTC-5JUN20-9250-C',
      price: ticker.best_bid_price,
      mark_price: ticker.mark_price,
      iv: ticker.bid_iv,
      index_price: ticker.index_price,
      direction: 'sell',
      amount: 25,
      block_trade_id: `BLOCK-${r}`,
    },
  ];
}

export function indexData(currency: 'BTC' | 'ETH', r: number): Json {
  const source = optionTicker(currency === 'BTC' ? 'BTC-5JUN20-9250-C' : 'ETH-5JUN20-310-P', r);
  return { index_name: `${currency.toLowerCase()}_usd`, price: round6((source.index_price as number) * (1 + r / 100)), timestamp: 0 };
}

/** `markprice.options.btc_usd` for round r: the BTC option's mark nudged up, IV as a decimal. */
export function optionMarks(r: number): Json[] {
  const ticker = optionTicker('BTC-5JUN20-9250-C', r);
  return [{ instrument_name: 'BTC-5JUN20-9250-C', mark_price: round6((ticker.mark_price as number) * 1.001), iv: round6((ticker.mark_iv as number) / 100 + 0.001), timestamp: 0 }];
}

/** ETH-PERPETUAL book changes for round r: round 0 is the recorded change, later rounds move levels around. */
export function ethBookChanges(r: number): { bids: MockLevelChange[]; asks: MockLevelChange[] } {
  if (r === 0) {
    const recorded = recordedCases().find(
      (c) => c.input_native_message.params.channel === 'book.ETH-PERPETUAL.raw' && (c.input_native_message.params.data as Json).prev_change_id !== undefined,
    )!;
    const data = recorded.input_native_message.params.data as { bids: MockLevelChange[]; asks: MockLevelChange[] };
    return { bids: data.bids, asks: data.asks };
  }
  return { bids: [['change', 217.75, 712 + r], ['new', round6(217.7 - r / 100), 100 * r]], asks: [['new', round6(218.7 + r / 100), 50 * r]] };
}

export function btcBookChanges(r: number): { bids: MockLevelChange[]; asks: MockLevelChange[] } {
  return { bids: [['new', 9600 - r, 1_000 * r + 10]], asks: [['change', 9601, 49_710 + r]] };
}

export interface ScenarioOptions extends ShiftOptions {
  /** Number of stream rounds (default 6). */
  rounds?: number;
  /** Steps inserted after the given round (0-based). */
  faultsAfterRound?: Record<number, ScenarioStep[]>;
  /** Channel interval (default 100ms). */
  interval?: string;
  /** Round after which the expired ticker of BTC-8JUN20-8750-P is sent (default 1; -1: never). */
  expireAfterRound?: number;
}

/** One round of the stream: index, tickers, marks, trades and book changes of every recorded instrument. */
export function roundSteps(r: number, interval = '100ms'): ScenarioStep[] {
  const steps: ScenarioStep[] = [
    { kind: 'notify', channel: 'deribit_price_index.btc_usd', data: indexData('BTC', r) },
    { kind: 'notify', channel: 'deribit_price_index.eth_usd', data: indexData('ETH', r) },
  ];
  for (const name of RECORDED_OPTIONS) steps.push({ kind: 'notify', channel: `ticker.${name}.${interval}`, data: optionTicker(name, r) });
  steps.push(
    { kind: 'notify', channel: 'markprice.options.btc_usd', data: optionMarks(r) },
    { kind: 'notify', channel: `ticker.BTC-PERPETUAL.${interval}`, data: perpetualTicker(r) },
    { kind: 'notify', channel: `trades.BTC-PERPETUAL.${interval}`, data: perpetualTrades(r) },
    { kind: 'notify', channel: `trades.option.BTC.${interval}`, data: optionTrades(r) },
    { kind: 'book', instrument: 'ETH-PERPETUAL', ...ethBookChanges(r) },
    { kind: 'book', instrument: 'BTC-PERPETUAL', ...btcBookChanges(r) },
  );
  return steps;
}

/** The whole scripted stream with faults spliced in between rounds (shifted with them when `shiftToMs` is given). */
export function buildScenario(options: ScenarioOptions = {}): ScenarioStep[] {
  return shifted(options, unshiftedScenario(options));
}

function unshiftedScenario(options: ScenarioOptions): ScenarioStep[] {
  const rounds = options.rounds ?? 6;
  const interval = options.interval ?? '100ms';
  const expireAfter = options.expireAfterRound ?? 1;
  const steps: ScenarioStep[] = [];
  for (let r = 0; r < rounds; r++) {
    steps.push(...roundSteps(r, interval));
    if (r === expireAfter) {
      steps.push({ kind: 'notify', channel: `ticker.${EXPIRED_OPTION}.${interval}`, data: recordedData(`ticker.${EXPIRED_OPTION}.raw`) });
    }
    steps.push(...(options.faultsAfterRound?.[r] ?? []));
  }
  return steps;
}

/** The recorded data of a channel (for faults built from real messages); `channel` is the recorded (unshifted) name. */
export function recorded(channel: string, options: ShiftOptions = {}): Json {
  return shifted(options, structuredClone(recordedData(channel)));
}

// ---------------------------------------------------------------------------------------------------------------
// The shift to the present (see the header comment for exactly what it changes)

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** The recorded "now": the timestamp of the recorded BTC-5JUN20-9250-C ticker (Monday 2020-06-01 00:00:52.595 UTC). */
export const RECORDED_NOW_MS = 1_590_969_652_595;
/** Keys whose (epoch-ms) numbers the shift moves. */
const TIME_KEYS: ReadonlySet<string> = new Set(['timestamp', 'creation_timestamp', 'expiration_timestamp']);
/** Candidate instrument names inside strings: dash-joined words (`BTC-5JUN20-9250-C` in `ticker.BTC-5JUN20-9250-C.100ms`). */
const NAME_CANDIDATE = /[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)+/g;
/** A bare date code, e.g. inside a combo name (`BTC-STRD-30SEP22-20000`, `BTC-FS-30SEP22_PERP`). */
const DATE_CODE = /(?<![A-Za-z0-9])[0-9]{1,2}[A-Z]{3}[0-9]{2}(?![A-Za-z0-9])/g;

export interface ShiftOptions {
  /** Shift the recorded data to the present (a wall-clock time, e.g. `Date.now()`): see {@link scenarioShift}.
   * Omitted: the data exactly as recorded. */
  shiftToMs?: number;
  /** The least time from `shiftToMs` to the first recorded option expiry (default one day). */
  minExpiryLeadMs?: number;
}

/** A whole-week shift of the recorded data (see the header comment). */
export interface ScenarioShift {
  /** Whole weeks added. */
  readonly weeks: number;
  /** `weeks` × 7 days, in ms. */
  readonly offsetMs: number;
  /** {@link RECORDED_NOW_MS} shifted. */
  readonly nowMs: number;
  /** An epoch-ms time shifted. */
  time(ms: number): number;
  /** A recorded instrument name, or a string containing names (a channel, `SYN.BTC-5JUN20`), with expiries shifted. */
  name(text: string): string;
  /** A deep copy of JSON-like data with times and names shifted (what every `shiftToMs` option applies). */
  json<T>(value: T): T;
}

/** The first expiry among the recorded options (5JUN20: Friday 2020-06-05 08:00 UTC). */
function firstRecordedExpiryMs(): number {
  return Math.min(...RECORDED_OPTIONS.map((name) => (parseInstrumentName(name) as { expiryMs: number }).expiryMs));
}

/** The whole-week shift that moves the recorded data to `shiftToMs` (see the header comment for the rule). */
export function scenarioShift(shiftToMs: number, minExpiryLeadMs = DAY_MS): ScenarioShift {
  if (!Number.isFinite(shiftToMs)) throw new RangeError(`shiftToMs must be a finite epoch-ms time, got ${shiftToMs}`);
  return shiftByWeeks(Math.ceil((shiftToMs + minExpiryLeadMs - firstRecordedExpiryMs()) / WEEK_MS));
}

function shiftByWeeks(weeks: number): ScenarioShift {
  const offsetMs = weeks * WEEK_MS;
  const shiftCode = (code: string): string => {
    const ms = parseExpiryCode(code);
    return ms === null || formatExpiryCode(ms) !== code ? code : formatExpiryCode(ms + offsetMs);
  };
  const shiftName = (candidate: string): string => {
    let parsed;
    try {
      parsed = parseInstrumentName(candidate);
    } catch (error) {
      if (!(error instanceof InstrumentNameError)) throw error;
      return candidate.replace(DATE_CODE, shiftCode); // combos, and anything else with a date code in it
    }
    switch (parsed.kind) {
      case 'perpetual':
        return candidate;
      case 'future':
        return formatFutureName(parsed.currency, parsed.expiryMs + offsetMs, parsed.settlement, parsed.settlementCurrency);
      case 'option': {
        const parts = { currency: parsed.currency, settlement: parsed.settlement, settlementCurrency: parsed.settlementCurrency, strike: parsed.strike, isCall: parsed.isCall };
        // A non-canonical spelling (Tardis' upper-case `1D02`) keeps its spelling: only the date code changes.
        if (formatOptionName({ ...parts, expiryMs: parsed.expiryMs }) !== candidate) return candidate.replace(DATE_CODE, shiftCode);
        return formatOptionName({ ...parts, expiryMs: parsed.expiryMs + offsetMs });
      }
    }
  };
  const name = (text: string): string => text.replace(NAME_CANDIDATE, shiftName);
  const walk = (value: unknown, key: string | null, perpetual: boolean): unknown => {
    if (typeof value === 'string') return name(value);
    if (typeof value === 'number') {
      if (key === null || !TIME_KEYS.has(key) || value === 0) return value;
      if (key === 'expiration_timestamp' && perpetual) return value;
      return value + offsetMs;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, null, false));
    if (typeof value === 'object' && value !== null) {
      const object = value as Json;
      const isPerpetual = object.settlement_period === 'perpetual';
      return Object.fromEntries(Object.entries(object).map(([k, v]) => [name(k), walk(v, k, isPerpetual)]));
    }
    return value;
  };
  return {
    weeks,
    offsetMs,
    nowMs: RECORDED_NOW_MS + offsetMs,
    time: (ms) => ms + offsetMs,
    name,
    json: <T>(value: T): T => walk(value, null, false) as T,
  };
}

/** `value` as is without `shiftToMs`, else shifted. */
function shifted<T>(options: ShiftOptions, value: T): T {
  return options.shiftToMs === undefined ? value : scenarioShift(options.shiftToMs, options.minExpiryLeadMs).json(value);
}
