/**
 * Gamma-exposure benchmark (issue 5): a full BTC+ETH chain from the built-in demo market's snapshot (Deribit-like
 * expiries, strikes, smiles and open interest; densified from ~1400 to 2000 options, see `demoExposureChains`),
 * dealer positions by the naive convention, timed single-threaded:
 *   - exposures (greeks, per-option exposures, strike x expiry sums, walls) + model + GEX profile (81 points,
 *     +-20 %) + flip search, both currencies;
 *   - the full cascade maps, 60 spots x 48 times (to the 3rd next expiry) x 3 vol shifts (-5, 0, +5 points), both
 *     currencies;
 *   - one incremental update (one option's IV changes: exposures, profile, cascade maps, flips re-found).
 * Timing: warm-up, then the best and the median of repeated runs (`performance.now()`); this is a shared 2-core
 * machine, so the best is the machine's speed and the median shows the noise.
 * Targets (issue 5): the full cascade for BTC+ETH in <= 100 ms on 2 workers (so <= ~200 ms single-threaded here);
 * one incremental update <= 5 ms.
 */
import { allocateCascadeMaps, computeCascadeMaps, type CascadeGrid, type CascadeMaps, type CascadeSettings } from '../src-main/core/exposure/cascade';
import { allocateExposureChain, linearSpotGrid, logSpotGrid, uniformTimeGrid, yearsToNthExpiry, type ExposureChain } from '../src-main/core/exposure/chain';
import {
  aggregateExposures, allocateExposureAggregates, allocateOptionExposures, buildExposureLayout, computeOptionExposures, findGammaWallsIn,
  type ExposureAggregates, type OptionExposures,
} from '../src-main/core/exposure/exposures';
import { DEFAULT_GAMMA_MODEL_SETTINGS, prepareGammaModel, type GammaModel } from '../src-main/core/exposure/gammaModel';
import { updateOptionRow } from '../src-main/core/exposure/incremental';
import { writeOpenInterestPositions } from '../src-main/core/exposure/positioning';
import { allocateGexProfile, computeGexProfile, findGammaFlips, type GexProfile } from '../src-main/core/exposure/profile';
import type { Currency, IndexEvent, InstrumentDef, OptionTickerEvent } from '../src-main/core/market/events';
import { yearsToExpiry } from '../src-main/core/pricing/time';
import { DemoMarket } from '../src-main/core/sim/demo';
import { epochMs } from '../src-main/core/units';

const START = Date.UTC(2026, 10, 21, 12);

/** Rows of one currency as plain records before they become a struct-of-arrays chain. */
interface Row {
  forward: number;
  strike: number;
  years: number;
  vol: number;
  isCall: boolean;
  openInterest: number;
  expiry: number;
}

/**
 * BTC and ETH chains from the demo market snapshot at START (seed 1), densified to `targetOptions` in total: the
 * demo lists ~1400 options, the live BTC+ETH chain ~2000, so strikes are added halfway between listed neighbours
 * (IV and open interest averaged from them), nearest the money first (by |ln(K/F)| / (sigma sqrt T)), until the
 * target is reached. Dealer positions by the naive convention.
 */
export function demoExposureChains(targetOptions = 2000): Record<Currency, ExposureChain> {
  const market = new DemoMarket({ seed: 1, startMs: epochMs(START) });
  const events = market.snapshot(epochMs(START));
  const defs = new Map<string, InstrumentDef>();
  const index = new Map<Currency, number>();
  const tickers: OptionTickerEvent[] = [];
  for (const e of events) {
    if (e.type === 'instrument') defs.set(e.instrument.name, e.instrument);
    else if (e.type === 'index') index.set(e.currency, (e as IndexEvent).priceUsd);
    else if (e.type === 'option_ticker') tickers.push(e);
  }
  const rows: Record<Currency, Row[]> = { BTC: [], ETH: [] };
  for (const t of tickers) {
    const def = defs.get(t.instrument)!;
    rows[def.currency].push({
      forward: t.underlyingPriceUsd, strike: def.strikeUsd!, years: yearsToExpiry(def.expiryMs!, START), vol: t.markIv,
      isCall: def.optionType === 'call', openInterest: t.openInterest, expiry: def.expiryMs!,
    });
  }
  // Candidate midpoints: between neighbouring strikes of one expiry and option type.
  const candidates: { currency: Currency; row: Row; z: number }[] = [];
  for (const currency of ['BTC', 'ETH'] as const) {
    const groups = new Map<string, Row[]>();
    for (const r of rows[currency]) {
      const key = `${r.expiry}-${r.isCall}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      group.sort((a, b) => a.strike - b.strike);
      for (let k = 1; k < group.length; k++) {
        const a = group[k - 1]!;
        const b = group[k]!;
        const strike = 0.5 * (a.strike + b.strike);
        const vol = 0.5 * (a.vol + b.vol);
        const row = { ...a, strike, vol, openInterest: 0.5 * (a.openInterest + b.openInterest) };
        candidates.push({ currency, row, z: Math.abs(Math.log(strike / a.forward)) / (vol * Math.sqrt(a.years)) });
      }
    }
  }
  candidates.sort((x, y) => x.z - y.z || x.row.strike - y.row.strike);
  let total = rows.BTC.length + rows.ETH.length;
  for (const c of candidates) {
    if (total >= targetOptions) break;
    rows[c.currency].push(c.row);
    total++;
  }
  const out = {} as Record<Currency, ExposureChain>;
  for (const currency of ['BTC', 'ETH'] as const) {
    const mine = rows[currency];
    const expiries = [...new Set(mine.map((r) => r.expiry))].sort((a, b) => a - b);
    const chain = allocateExposureChain(mine.length);
    mine.forEach((r, i) => {
      chain.forward[i] = r.forward;
      chain.strike[i] = r.strike;
      chain.years[i] = r.years;
      chain.vol[i] = r.vol;
      chain.isCall[i] = r.isCall ? 1 : 0;
      chain.openInterest[i] = r.openInterest;
      chain.expiryIndex[i] = expiries.indexOf(r.expiry);
    });
    chain.spotUsd = index.get(currency)!;
    writeOpenInterestPositions('naive', chain);
    out[currency] = chain;
  }
  return out;
}

interface Timing {
  best_ms: number;
  median_ms: number;
  runs: number;
}

export function time(run: () => void, runs: number, warmUp = 3): Timing {
  for (let w = 0; w < warmUp; w++) run();
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  return { best_ms: round(samples[0]!), median_ms: round(samples[Math.floor(samples.length / 2)]!), runs };
}

interface CurrencyState {
  chain: ExposureChain;
  perOption: OptionExposures;
  aggregates: ExposureAggregates;
  model: GammaModel;
  profile: GexProfile;
  cascadeGrid: CascadeGrid;
  cascade: CascadeMaps;
}

export async function runExposureBench(): Promise<Record<string, unknown>> {
  const chains = demoExposureChains();
  const profileGrid = linearSpotGrid(-0.2, 0.2, 81);
  const cascadeSettings: CascadeSettings = { bidDepthUsd: 20e6, askDepthUsd: 20e6, expiryCutoffYears: 0 };
  const volShift = Float64Array.of(-0.05, 0, 0.05);
  const states: CurrencyState[] = (['BTC', 'ETH'] as const).map((currency) => {
    const chain = chains[currency];
    const model = prepareGammaModel(chain, DEFAULT_GAMMA_MODEL_SETTINGS);
    const cascadeGrid: CascadeGrid = { spot: logSpotGrid(-0.2, 0.2, 60), elapsedYears: uniformTimeGrid(48, yearsToNthExpiry(chain, 3)), volShift };
    return {
      chain,
      perOption: allocateOptionExposures(chain.count),
      aggregates: allocateExposureAggregates(buildExposureLayout(chain)),
      model,
      profile: allocateGexProfile(profileGrid),
      cascadeGrid,
      cascade: allocateCascadeMaps(cascadeGrid),
    };
  });
  const options = states.reduce((n, s) => n + s.chain.count, 0);

  const nearestFlipUsd: (number | null)[] = [];
  const exposuresProfileFlip = time(() => {
    nearestFlipUsd.length = 0;
    for (const s of states) {
      computeOptionExposures(s.chain, s.perOption);
      aggregateExposures(s.chain, s.perOption, s.aggregates);
      findGammaWallsIn(s.aggregates);
      prepareGammaModel(s.chain, DEFAULT_GAMMA_MODEL_SETTINGS, s.model);
      computeGexProfile(s.model, profileGrid, s.profile);
      nearestFlipUsd.push(findGammaFlips(s.model, s.profile).nearest?.levelUsd ?? null);
    }
  }, 20);

  const cascadeFull = time(() => {
    for (const s of states) computeCascadeMaps(s.model, s.cascadeGrid, cascadeSettings, s.cascade);
  }, 10, 2);

  // Incremental: one BTC option near the money changes IV by +-0.5 vol point, alternately.
  const btc = states[0]!;
  let row = 0;
  for (let i = 0; i < btc.chain.count; i++) {
    if (Math.abs(Math.log(btc.chain.forward[i]! / btc.chain.strike[i]!)) < Math.abs(Math.log(btc.chain.forward[row]! / btc.chain.strike[row]!))) row = i;
  }
  let bump = 0.005;
  const incremental = time(() => {
    btc.chain.vol[row]! += bump;
    bump = -bump;
    updateOptionRow(btc.chain, row, btc.model, {
      exposures: { perOption: btc.perOption, aggregates: btc.aggregates },
      profile: { grid: profileGrid, out: btc.profile },
      cascade: { grid: btc.cascadeGrid, settings: cascadeSettings, out: btc.cascade },
    });
    findGammaFlips(btc.model, btc.profile);
  }, 200, 20);

  return {
    chain: {
      options,
      btc_options: states[0]!.chain.count,
      eth_options: states[1]!.chain.count,
      profile_points: profileGrid.relativeMove.length,
      cascade_cells_per_currency: `${volShift.length} vols x 48 times x 60 spots`,
      spot_usd: states.map((s) => Math.round(s.chain.spotUsd * 100) / 100),
      nearest_flip_usd: nearestFlipUsd.map((x) => (x === null ? null : Math.round(x * 100) / 100)),
    },
    exposures_profile_flip: exposuresProfileFlip,
    cascade_full_single_thread: { ...cascadeFull, target_ms_single_thread: 200, target_ms_two_workers: 100 },
    incremental_update_one_option: { ...incremental, target_ms: 5 },
  };
}
