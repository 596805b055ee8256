/** Small deterministic exposure chains for the unit tests (no randomness). */
import { allocateExposureChain, type ExposureChain } from '../../../../src-main/core/exposure/chain';
import { writeOpenInterestPositions } from '../../../../src-main/core/exposure/positioning';

export interface RowSpec {
  forward: number;
  strike: number;
  years: number;
  vol: number;
  call: boolean;
  openInterest: number;
  expiry: number;
  /** Dealer position, contracts; default: naive convention (+OI calls, -OI puts). */
  position?: number;
}

export function chainOf(rows: readonly RowSpec[], spotUsd: number): ExposureChain {
  const chain = allocateExposureChain(rows.length);
  rows.forEach((r, i) => {
    chain.forward[i] = r.forward;
    chain.strike[i] = r.strike;
    chain.years[i] = r.years;
    chain.vol[i] = r.vol;
    chain.isCall[i] = r.call ? 1 : 0;
    chain.openInterest[i] = r.openInterest;
    chain.expiryIndex[i] = r.expiry;
  });
  chain.spotUsd = spotUsd;
  writeOpenInterestPositions('naive', chain);
  rows.forEach((r, i) => {
    if (r.position !== undefined) chain.dealerPosition[i] = r.position;
  });
  return chain;
}

export const HOUR_YEARS = 1 / (365 * 24);
export const DAY_YEARS = 1 / 365;

/**
 * A BTC-like chain: spot 100 000, 6 expiries from 1 day to 6 months (forward = spot (1 + 5 % T)), 15 strikes per
 * expiry from -2.5 to +2.5 standard deviations rounded to 1000, calls and puts, a put skew, open interest
 * peaking near the money, out-of-the-money options heavier (puts below, calls above). Naive positions: the profile
 * is negative below spot and positive above, with one flip just below spot (99 643, found when this was written).
 */
export function syntheticChain(spotUsd = 100_000): ExposureChain {
  const rows: RowSpec[] = [];
  const expiries = [1, 3, 7, 30, 90, 180];
  expiries.forEach((days, e) => {
    const years = days * DAY_YEARS;
    const forward = spotUsd * (1 + 0.05 * years);
    const atm = 0.55 - 0.05 * Math.min(1, years * 4);
    for (let k = -7; k <= 7; k++) {
      const z = (2.5 * k) / 7;
      const strike = Math.round((forward * Math.exp(z * atm * Math.sqrt(years))) / 1000) * 1000;
      const vol = atm * (1 - 0.04 * z + 0.02 * z * z);
      for (const call of [true, false]) {
        const side = call ? z : -z;
        const openInterest = Math.round(1000 * (e + 1) * Math.exp(-0.5 * z * z) * (side > 0 ? 1.3 : 0.7));
        rows.push({ forward, strike, years, vol, call, openInterest, expiry: e });
      }
    }
  });
  // Rounding can repeat a strike in the shortest expiries: keep the first of each (expiry, strike, type).
  const seen = new Set<string>();
  const unique = rows.filter((r) => {
    const key = `${r.expiry}/${r.strike}/${r.call}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return chainOf(unique, spotUsd);
}
