/**
 * Exposure chains from the two real Deribit full-chain snapshots in ../shared/data (see its README): forward =
 * `futures_price` (Deribit `underlying_price`), IV = `implied_volatility` (decimal), open interest in contracts,
 * spot = `index_price`, T = (expiry 08:00 UTC - `timestamp`) / 365 days. Read in place, never copied.
 */
import { allocateExposureChain, type ExposureChain } from '../../../../src-main/core/exposure/chain';
import { writeOpenInterestPositions } from '../../../../src-main/core/exposure/positioning';
import { parseOptionName } from '../../../../src-main/core/pricing/instrument';
import { yearsToExpiry } from '../../../../src-main/core/pricing/time';
import { readSharedCsv } from '../pricing/sharedData';

export const SNAPSHOT_JAN = 'znmahbub_deribit_options_snapshot_20260102T091809Z.csv';
export const SNAPSHOT_AUG = 'znmahbub_deribit_options_snapshot_20260822T093536Z.csv';

export interface SnapshotChain {
  chain: ExposureChain;
  names: string[];
  /** Expiry ms per expiry index. */
  expiries: number[];
  asOfMs: number;
}

const cache = new Map<string, Record<string, string>[]>();

/** The snapshot's chain for one currency, dealer positions by a fixed convention (default naive). */
export function snapshotChain(file: string, currency: 'BTC' | 'ETH', convention: 'naive' | 'short' = 'naive'): SnapshotChain {
  let rows = cache.get(file);
  if (rows === undefined) {
    rows = readSharedCsv('data', file);
    cache.set(file, rows);
  }
  const mine = rows.filter((r) => r['currency'] === currency);
  const parsed = mine.map((r) => parseOptionName(r['instrument_name']!));
  const expiries = [...new Set(parsed.map((p) => p.expiryMs as number))].sort((a, b) => a - b);
  const chain = allocateExposureChain(mine.length);
  const asOfMs = Date.parse(mine[0]!['timestamp']!);
  mine.forEach((r, i) => {
    const p = parsed[i]!;
    chain.forward[i] = Number(r['futures_price']);
    chain.strike[i] = p.strike;
    chain.years[i] = yearsToExpiry(p.expiryMs, Date.parse(r['timestamp']!));
    chain.vol[i] = Number(r['implied_volatility']);
    chain.isCall[i] = p.isCall ? 1 : 0;
    chain.openInterest[i] = Number(r['open_interest']);
    chain.expiryIndex[i] = expiries.indexOf(p.expiryMs);
  });
  chain.spotUsd = Number(mine[0]!['index_price']);
  writeOpenInterestPositions(convention, chain);
  return { chain, names: mine.map((r) => r['instrument_name']!), expiries, asOfMs };
}
