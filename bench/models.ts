/**
 * `npm run bench -- models`: the learned policy inside the hedge advisor and the Models view's comparison job.
 *
 * - propose: `LearnedPolicy.propose` for books of 1, 20 and 200 option positions plus a perpetual (the network's
 *   4→32→32→2 band per option, summed, then the trade to the nearest edge), µs per proposal and per option; the
 *   issue's bar is ≤ 20 µs per decision.
 * - compare: `comparePolicies` (learn/compare.ts, what the jobs-pool task runs) of an NTB model against the four
 *   baselines on 100 000 B1 test paths, in-thread wall time.
 * The weights are a seeded initialisation with the trained architecture: the cost does not depend on their values.
 */
import { checkPosition, type CheckedPosition } from '../src-main/core/book/position';
import type { BookMarket } from '../src-main/core/book/valuation';
import { hedgeHoldings, LearnedPolicy } from '../src-main/core/hedge/learnedPolicy';
import type { HedgeBook, HedgeObjectives } from '../src-main/core/hedge/types';
import { benchmarkProblem } from '../src-main/core/learn/benchmarks';
import { Mlp } from '../src-main/core/learn/mlp';
import { defaultInputs, exportPolicy, NetworkPolicy } from '../src-main/core/learn/network';
import { black76Price } from '../src-main/core/pricing/black76';
import { yearsToExpiry } from '../src-main/core/pricing/time';
import { Rng } from '../src-main/core/random';
import { comparePolicies } from '../src-main/learn/compare';
import { linearInstrument, NOW_MS } from '../test/helpers/hedgeMarket';

const FORWARD = 90_000;
const EXPIRIES = ['11DEC26', '25DEC26', '29JAN27', '26MAR27'];

function network(): NetworkPolicy {
  const rng = new Rng(3);
  return new NetworkPolicy('ntb', Mlp.initialized([4, 32, 32, 2], rng), defaultInputs('ntb', 30 / 365, 0.6), 0.1);
}

const market: BookMarket = {
  nowMs: NOW_MS,
  indexUsd: () => FORWARD,
  quote(instrument) {
    if (instrument === 'BTC-PERPETUAL') return { markPrice: FORWARD + 15, markIv: null, forwardUsd: null };
    const [, code, strike, type] = instrument.split('-');
    const years = yearsToExpiry(Date.parse(`20${code!.slice(5)}-${code!.slice(2, 5)}-${code!.slice(0, 2)}T08:00:00Z`), NOW_MS);
    const vol = 0.5 + 0.1 * Math.abs(Math.log(Number(strike) / FORWARD));
    return { markPrice: black76Price(FORWARD, Number(strike), years, vol, type === 'C') / FORWARD, markIv: vol, forwardUsd: FORWARD };
  },
};

function book(options: number): HedgeBook {
  const rng = new Rng(options);
  const rows: CheckedPosition[] = [];
  for (let i = 0; i < options; i++) {
    const strike = 60_000 + 1000 * (i % 60);
    const instrument = `BTC-${EXPIRIES[i % EXPIRIES.length]}-${strike}-${rng.nextFloat() < 0.5 ? 'C' : 'P'}`;
    const checked = checkPosition({ instrument, quantity: Math.round((rng.nextFloat() - 0.6) * 40) / 2 || -1, averagePrice: null, priceCurrency: 'BTC' }, null);
    if (checked.ok) rows.push(checked.position);
  }
  const perp = checkPosition({ instrument: 'BTC-PERPETUAL', quantity: 50_000, averagePrice: null, priceCurrency: 'USD' }, null);
  if (perp.ok) rows.push(perp.position);
  const holdings = hedgeHoldings(rows, market);
  const totals = { deltaCoin: 0, delta: 0, deltaUsd: 0, gammaUsdPer1Pct: 0, vegaUsd: 0, vega30Usd: 0, thetaUsdPerDay: 0 };
  for (const h of holdings) if (h.greeks) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += h.greeks[key];
  return { version: 1, totals, holdings };
}

function proposeBench(): Record<string, unknown> {
  const policy = new LearnedPolicy(network(), { id: 1, name: 'bench' });
  const hedge = { nowMs: NOW_MS, marketSeq: 1, currency: 'BTC' as const, indexUsd: FORWARD, instruments: [linearInstrument('BTC-PERPETUAL', 'perpetual', FORWARD + 15, [5_000_000, 5_000_000])] };
  const objectives: HedgeObjectives = { currency: 'BTC', delta: { target: 0, tolerance: 0.5, unit: 'coin' } };
  const out: Record<string, unknown> = {};
  for (const options of [1, 20, 200]) {
    const b = book(options);
    const rounds = Math.max(200, Math.round(20_000 / options));
    for (let k = 0; k < 50; k++) policy.propose(b, hedge, objectives);
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let k = 0; k < rounds; k++) policy.propose(b, hedge, objectives);
      times.push(((performance.now() - t0) * 1000) / rounds);
    }
    const best = Math.min(...times);
    out[`options_${options}`] = { positions: b.holdings!.length, us_per_proposal_best_of_5: Number(best.toFixed(2)), us_per_option: Number((best / options).toFixed(2)) };
  }
  return { ...out, target_us_per_decision: 20 };
}

function compareBench(): Record<string, unknown> {
  const problem = benchmarkProblem('B1');
  const json = exportPolicy(network(), {});
  const t0 = performance.now();
  const result = comparePolicies({ problem, model: { json, policy: 'model:1', label: 'bench' }, simulator: 'gbm', paths: 100_000, seed: 1000, bins: 40 });
  const seconds = (performance.now() - t0) / 1000;
  return { paths: 100_000, policies: result.rows.length, seconds: Number(seconds.toFixed(2)), steps: 30 };
}

export function runModelsBench(): Promise<Record<string, unknown>> {
  return Promise.resolve({ propose: proposeBench(), compare: compareBench() });
}
