/**
 * The pure part of `gammadesk analyze`: from the latest recorded quote of each option (e.g. a Tardis.dev
 * `options_chain` file) and an as-of time, compute one record per instrument with our implied vols from bid,
 * ask and mark, our greeks, and how they compare with what Deribit published in the same row.
 *
 * Conventions (DESIGN.md, Deribit conventions):
 * - Inverse options quote bid/ask/mark in coin; USD = coin x forward (the row's `underlyingPrice`). Linear
 *   (USDC) options quote in USDC already. IVs on input and output are decimals (the CSV parser converts
 *   Tardis' percent).
 * - Valuation ("as of") uses T = (expiry 08:00 UTC - asOf)/365 d with the row's forward and Deribit's mark IV:
 *   that is what a position held at `asOf` is worth with the latest quote.
 * - Reproduction checks use T at the quote's own timestamp, which is when Deribit computed its numbers:
 *   our IV from its mark price vs its mark IV, our greeks at its mark IV vs its greeks.
 * - Undefined numbers are NaN (JSON.stringify writes null); each IV comes with a reason name.
 */
import { black76Greeks, toDeribitDisplay, type DeribitDisplayGreeks } from './black76';
import { IV_REASON_NAMES, IvReason, impliedVolBlack76 } from './impliedVol';
import { InstrumentNameError, type ParsedOption, parseOptionName } from './instrument';
import { settlementDeltaFactorForYears, settlementPhase, yearsToExpiry } from './time';
import type { Vol } from '../units';

/** One option quote as recorded (Tardis `options_chain` row or an equivalent live snapshot). */
export interface OptionChainQuote {
  symbol: string;
  /** Exchange timestamp of the quote, epoch ms. */
  timestampMs: number;
  optionType: 'call' | 'put';
  strike: number;
  /** Expiry instant from the exchange, epoch ms (Deribit: 08:00 UTC). */
  expirationMs: number;
  /** Prices in the option's quote unit (coin for inverse, USDC for linear); null when absent. */
  bidPrice: number | null;
  askPrice: number | null;
  markPrice: number | null;
  /** Decimal IVs as published (the CSV parser converts Tardis' percent); null when absent. */
  bidIv: Vol | null;
  askIv: Vol | null;
  markIv: Vol | null;
  /** The expiry's forward, USD. */
  underlyingPrice: number | null;
  underlyingIndex: string;
  openInterest: number | null;
  /** Deribit's greeks (display units: vega per vol point, theta per day, rho per 1 %); null when absent. */
  delta: number | null;
  gamma: number | null;
  vega: number | null;
  theta: number | null;
  rho: number | null;
}

/** An implied vol with the reason it is (not) defined. */
export interface AnalyzedIv {
  /** Decimal vol; NaN unless reason is `ok`. */
  vol: number;
  reason: string;
}

/** Greeks in Deribit display units plus the coin-P&L delta (see DeribitDisplayGreeks for each unit). */
export type AnalyzedGreeks = Pick<
  DeribitDisplayGreeks,
  'priceUsd' | 'priceCoin' | 'delta' | 'deltaPremiumAdjusted' | 'gamma' | 'vega' | 'theta' | 'rho' | 'vanna' | 'volga' | 'charm'
>;

/** One output record of `analyze` per instrument. */
export interface AnalyzedInstrument {
  instrument: string;
  currency: string;
  settlement: 'inverse' | 'linear';
  optionType: 'call' | 'put';
  strike: number;
  expiryMs: number;
  /** 'open' | 'settling' (last 30 minutes) | 'expired', at `asOf`. */
  phase: string;
  quoteTimestampMs: number;
  /** asOf - quote timestamp, ms (how stale the quote is). */
  quoteAgeMs: number;
  /** ACT/365 years from asOf to expiry. */
  years: number;
  forward: number;
  underlyingIndex: string;
  openInterest: number;
  /** Our implied vols at the quote's timestamp. */
  iv: { bid: AnalyzedIv; ask: AnalyzedIv; mark: AnalyzedIv };
  /** Deribit's published mark IV (decimal). */
  deribitMarkIv: number;
  /** Our greeks at asOf with Deribit's mark IV and the quote's forward. */
  greeks: AnalyzedGreeks;
  /** Reproduction check at the quote's timestamp: ours minus Deribit's. */
  check: {
    markIv: number;
    markPrice: number;
    delta: number;
    gamma: number;
    vega: number;
    theta: number;
    rho: number;
  };
}

/** A quote that could not be analyzed (e.g. an unparseable or non-option symbol). */
export interface AnalyzeSkip {
  instrument: string;
  reason: string;
}

export interface AnalyzeResult {
  asOfMs: number;
  instruments: AnalyzedInstrument[];
  skipped: AnalyzeSkip[];
}

const num = (value: number | null): number => (value === null ? NaN : value);

/**
 * Keeps, per symbol, the latest quote at or before `asOfMs` (ties: the later one in input order wins).
 * Call it for every row of a stream; the map holds one row per instrument, so memory is bounded by the chain.
 */
export function updateLatestQuote<T extends OptionChainQuote>(latest: Map<string, T>, quote: T, asOfMs: number): void {
  if (!(quote.timestampMs <= asOfMs)) return;
  const current = latest.get(quote.symbol);
  if (current === undefined || quote.timestampMs >= current.timestampMs) latest.set(quote.symbol, quote);
}

function ivFrom(price: number | null, quote: OptionChainQuote, parsed: ParsedOption, forward: number, years: number): AnalyzedIv {
  if (price === null) return { vol: NaN, reason: IV_REASON_NAMES[IvReason.MissingPrice] };
  const usd = parsed.settlement === 'inverse' ? price * forward : price;
  const result = impliedVolBlack76(usd, forward, quote.strike, years, parsed.isCall);
  return { vol: result.vol, reason: IV_REASON_NAMES[result.reason] };
}

const NO_GREEKS: AnalyzedGreeks = Object.freeze({
  priceUsd: NaN, priceCoin: NaN, delta: NaN, deltaPremiumAdjusted: NaN, gamma: NaN, vega: NaN, theta: NaN, rho: NaN, vanna: NaN, volga: NaN, charm: NaN,
});

/**
 * Greeks as Deribit shows them at `years` to expiry. Expired (years <= 0): none, since an expired option's value
 * is its settlement, not a model's (NaN, shown as null). In the 30-minute settlement window the delta decays
 * linearly to 0 as Deribit's does. The coin delta (delta minus the premium in coin) is an inverse option's;
 * a linear option's premium is in USDC, so its coin delta is its plain delta.
 */
function displayGreeks(forward: number, strike: number, years: number, vol: number, isCall: boolean, settlement: 'inverse' | 'linear'): AnalyzedGreeks {
  if (!(years > 0)) return NO_GREEKS;
  const d = toDeribitDisplay(black76Greeks(forward, strike, years, vol, isCall), forward);
  const delta = d.delta * settlementDeltaFactorForYears(years);
  return {
    priceUsd: d.priceUsd,
    priceCoin: d.priceCoin,
    delta,
    deltaPremiumAdjusted: settlement === 'inverse' ? delta - d.priceCoin : delta,
    gamma: d.gamma,
    vega: d.vega,
    theta: d.theta,
    rho: d.rho,
    vanna: d.vanna,
    volga: d.volga,
    charm: d.charm,
  };
}

/** Analyzes one quote; throws InstrumentNameError for a symbol that is not a Deribit option name. */
export function analyzeQuote(quote: OptionChainQuote, asOfMs: number): AnalyzedInstrument {
  const parsed = parseOptionName(quote.symbol);
  // The exchange's expiry wins over the name's date when both exist (they agree on Deribit).
  const expiryMs = Number.isFinite(quote.expirationMs) ? quote.expirationMs : parsed.expiryMs;
  const forward = num(quote.underlyingPrice);
  const quoteYears = yearsToExpiry(expiryMs, quote.timestampMs);
  const years = yearsToExpiry(expiryMs, asOfMs);
  const markIv = num(quote.markIv);
  const isCall = parsed.isCall;
  const iv = {
    bid: ivFrom(quote.bidPrice, quote, parsed, forward, quoteYears),
    ask: ivFrom(quote.askPrice, quote, parsed, forward, quoteYears),
    mark: ivFrom(quote.markPrice, quote, parsed, forward, quoteYears),
  };
  const atQuote = displayGreeks(forward, quote.strike, quoteYears, markIv, isCall, parsed.settlement);
  const markInQuoteUnit = parsed.settlement === 'inverse' ? atQuote.priceCoin : atQuote.priceUsd;
  return {
    instrument: quote.symbol,
    currency: parsed.currency,
    settlement: parsed.settlement,
    optionType: parsed.optionType,
    strike: quote.strike,
    expiryMs,
    phase: settlementPhase(expiryMs, asOfMs),
    quoteTimestampMs: quote.timestampMs,
    quoteAgeMs: asOfMs - quote.timestampMs,
    years,
    forward,
    underlyingIndex: quote.underlyingIndex,
    openInterest: num(quote.openInterest),
    iv,
    deribitMarkIv: markIv,
    greeks: displayGreeks(forward, quote.strike, years, markIv, isCall, parsed.settlement),
    check: {
      markIv: iv.mark.vol - markIv,
      markPrice: markInQuoteUnit - num(quote.markPrice),
      delta: atQuote.delta - num(quote.delta),
      gamma: atQuote.gamma - num(quote.gamma),
      vega: atQuote.vega - num(quote.vega),
      theta: atQuote.theta - num(quote.theta),
      rho: atQuote.rho - num(quote.rho),
    },
  };
}

/**
 * Analyzes the latest quote of every instrument as of `asOfMs`. Records are sorted by expiry, strike, then
 * calls before puts; symbols that are not Deribit option names are listed in `skipped` with the reason.
 */
export function analyzeChain(latest: Iterable<OptionChainQuote>, asOfMs: number): AnalyzeResult {
  const instruments: AnalyzedInstrument[] = [];
  const skipped: AnalyzeSkip[] = [];
  for (const quote of latest) {
    try {
      instruments.push(analyzeQuote(quote, asOfMs));
    } catch (error) {
      if (!(error instanceof InstrumentNameError)) throw error;
      skipped.push({ instrument: quote.symbol, reason: error.message });
    }
  }
  instruments.sort(
    (a, b) =>
      a.expiryMs - b.expiryMs ||
      a.strike - b.strike ||
      (a.optionType === b.optionType ? a.instrument.localeCompare(b.instrument) : a.optionType === 'call' ? -1 : 1),
  );
  return { asOfMs, instruments, skipped };
}
