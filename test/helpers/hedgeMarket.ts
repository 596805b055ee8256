/**
 * Hedge markets for tests and the benchmark: a BTC index, a perpetual and a dated future with laddered books, and
 * options priced with Black-76 (core) with bid/ask around the mark and their per-contract greeks. Seeded.
 */
import { futureGreeks, optionGreeks } from '../../src-main/core/book/valuation';
import type { HedgeInstrument, HedgeMarket, Level } from '../../src-main/core/hedge/types';
import { black76Price } from '../../src-main/core/pricing/black76';
import { Rng } from '../../src-main/core/random';

export const NOW_MS = Date.parse('2026-12-01T08:00:00Z');
const DAY = 86_400_000;

function ladder(mid: number, halfSpread: number, tick: number, sizes: readonly number[], side: 'bid' | 'ask'): Level[] {
  return sizes.map((size, k) => [side === 'bid' ? mid - halfSpread - k * tick : mid + halfSpread + k * tick, size] as const);
}

export function linearInstrument(name: string, kind: 'perpetual' | 'future', markUsd: number, sizesUsd: readonly number[], halfSpreadUsd = 0.25, tickUsd = 0.5): HedgeInstrument {
  return {
    instrument: name,
    kind,
    lot: 10,
    minAmount: 10,
    takerFee: 0.0005,
    feeSource: 'instrument',
    bids: ladder(markUsd, halfSpreadUsd, tickUsd, sizesUsd, 'bid'),
    asks: ladder(markUsd, halfSpreadUsd, tickUsd, sizesUsd, 'ask'),
    markPrice: markUsd,
    unitGreeks: futureGreeks(1, markUsd),
  };
}

export function optionInstrument(args: { forward: number; strike: number; days: number; vol: number; isCall: boolean; sizes: readonly number[]; expiryCode?: string }): HedgeInstrument {
  const years = args.days / 365;
  const markCoin = black76Price(args.forward, args.strike, years, args.vol, args.isCall) / args.forward;
  const tick = 0.0001;
  const half = Math.max(tick, Math.round((markCoin * 0.02) / tick) * tick);
  return {
    instrument: `BTC-${args.expiryCode ?? `${args.days}D`}-${args.strike}-${args.isCall ? 'C' : 'P'}`,
    kind: 'option',
    lot: 0.1,
    minAmount: 0.1,
    takerFee: 0.0003,
    feeSource: 'instrument',
    bids: ladder(markCoin, half, tick, args.sizes, 'bid').filter(([p]) => p > 0),
    asks: ladder(markCoin, half, tick, args.sizes, 'ask'),
    markPrice: markCoin,
    unitGreeks: optionGreeks(1, args.forward, args.strike, years, args.vol, args.isCall),
  };
}

/** A market of `optionCount` options across expiries and strikes plus a perpetual and a future. */
export function hedgeMarket(seed: number, optionCount: number): HedgeMarket {
  const rng = new Rng(seed);
  const index = 90_000;
  const instruments: HedgeInstrument[] = [
    linearInstrument('BTC-PERPETUAL', 'perpetual', index + 15, [200_000, 300_000, 500_000, 800_000, 1_200_000]),
    linearInstrument('BTC-25DEC26', 'future', index + 400, [100_000, 150_000, 250_000, 400_000]),
  ];
  const expiries = [7, 14, 30, 60, 90, 180];
  for (let i = 0; i < optionCount; i++) {
    const days = expiries[i % expiries.length]!;
    const strike = Math.round((index * Math.exp(0.25 * rng.nextNormal() * Math.sqrt(days / 30))) / 1000) * 1000;
    const isCall = strike >= index ? rng.nextFloat() < 0.8 : rng.nextFloat() < 0.2;
    const sizes = [5 + rng.nextInt(0, 20), 10 + rng.nextInt(0, 30), 20 + rng.nextInt(0, 40)];
    const vol = 0.45 + 0.1 * Math.abs(Math.log(strike / index)) + 0.02 * rng.nextNormal();
    const option = optionInstrument({ forward: index * (1 + 0.0001 * days), strike, days, vol, isCall, sizes, expiryCode: `D${days}N${i}` });
    instruments.push(option);
  }
  return { nowMs: NOW_MS, marketSeq: 1, currency: 'BTC', indexUsd: index, instruments };
}

export { DAY };
