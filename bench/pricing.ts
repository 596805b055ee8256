/**
 * Pricing benchmark: a deterministic 2000-option BTC-like chain (20 expiries from 1 hour to 1 year, 50 strikes
 * from -3.5 to +3.5 standard deviations, calls and puts, vols 40-150 %), timed per option for
 *   - price + delta + gamma + vega (computeChainGreeks, which also writes theta),
 *   - the full greek set (computeChainFullGreeks),
 *   - implied vol from the accurate Black-76 price (computeChainImpliedVols), with failures and the worst
 *     round-trip error.
 * Timing: warm-up, then the best of 30 round-robin rounds of `performance.now()` around repeated passes over
 * the chain.
 * Targets (2-core VM, issue 3): <= 75 ns, <= 100 ns, <= 400 ns per option, zero IV failures.
 *
 * When QuantLib's headers are installed (Debian `libquantlib0-dev`), a C++ peer (bench/quantlib/peer.cpp) prices
 * the same chain, written to bench/out/pricing-chain.txt, with BlackCalculator and blackFormulaImpliedStdDev,
 * and the report includes its timings and our speed ratios; otherwise `quantlib: "not installed"`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { black76Price } from '../src-main/core/pricing/black76';
import {
  type ChainInputs, allocateChainFullGreeks, allocateChainGreeks, computeChainFullGreeks, computeChainGreeks,
} from '../src-main/core/pricing/chain';
import { IvReason, computeChainImpliedVols } from '../src-main/core/pricing/impliedVol';

const EXPIRIES = 20;
const STRIKES = 50;
const COUNT = EXPIRIES * STRIKES * 2;
const HOUR_IN_YEARS = 1 / (365 * 24);
const SPOT = 95_000;

/** The benchmark chain: deterministic, no randomness. */
export function buildBenchChain(): ChainInputs & { price: Float64Array } {
  const chain = {
    forward: new Float64Array(COUNT),
    strike: new Float64Array(COUNT),
    years: new Float64Array(COUNT),
    vol: new Float64Array(COUNT),
    isCall: new Uint8Array(COUNT),
    price: new Float64Array(COUNT),
  };
  let i = 0;
  for (let e = 0; e < EXPIRIES; e++) {
    // log-spaced from 1 hour to 1 year
    const years = HOUR_IN_YEARS * Math.pow(1 / HOUR_IN_YEARS, e / (EXPIRIES - 1));
    const forward = SPOT * (1 + 0.05 * years); // contango, 5 %/year basis
    const atmVol = 0.45 + 0.25 * Math.exp(-years * 8); // short expiries richer
    for (let s = 0; s < STRIKES; s++) {
      const z = -3.5 + (7 * s) / (STRIKES - 1); // standard deviations from the forward
      const strike = forward * Math.exp(z * atmVol * Math.sqrt(years));
      // smile with skew, kept inside 40-150 %
      const vol = Math.min(1.5, Math.max(0.4, atmVol * (1 + 0.06 * z * z - 0.04 * z)));
      for (const isCall of [1, 0]) {
        chain.forward[i] = forward;
        chain.strike[i] = strike;
        chain.years[i] = years;
        chain.vol[i] = vol;
        chain.isCall[i] = isCall;
        chain.price[i] = black76Price(forward, strike, years, vol, isCall === 1);
        i++;
      }
    }
  }
  return chain;
}

/**
 * Best-of-`rounds` nanoseconds per option for each pass (one pass = COUNT options), after warm-up. The kernels
 * are timed round-robin, so a burst of load from other work on this shared 2-core machine hits all of them
 * alike and the best round of each comes from a quiet moment.
 */
function nsPerOption(passes: { run: () => void; passesPerRound: number }[], rounds: number): number[] {
  for (const { run, passesPerRound } of passes) for (let w = 0; w < passesPerRound * 3; w++) run();
  const best = passes.map(() => Infinity);
  for (let r = 0; r < rounds; r++) {
    passes.forEach(({ run, passesPerRound }, i) => {
      const start = performance.now();
      for (let p = 0; p < passesPerRound; p++) run();
      best[i] = Math.min(best[i]!, ((performance.now() - start) * 1e6) / (passesPerRound * COUNT));
    });
  }
  return best;
}

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

function runQuantLibPeer(chain: ReturnType<typeof buildBenchChain>): Record<string, unknown> | string {
  const header = '/usr/include/ql/quantlib.hpp';
  if (!existsSync(header)) return 'not installed';
  const source = path.resolve('bench/quantlib/peer.cpp');
  const outDir = path.resolve('bench/out');
  mkdirSync(outDir, { recursive: true });
  const binary = path.join(outDir, 'quantlib-peer');
  if (!existsSync(binary) || statSync(binary).mtimeMs < statSync(source).mtimeMs) {
    execFileSync('g++', ['-O2', '-std=c++17', '-o', binary, source, '-lQuantLib'], { stdio: 'pipe' });
  }
  const chainFile = path.join(outDir, 'pricing-chain.txt');
  const lines = [`${COUNT}`];
  for (let i = 0; i < COUNT; i++) {
    // 17 significant digits round-trip doubles exactly
    const exact = (v: number | undefined) => Number(v).toPrecision(17);
    lines.push(`${exact(chain.forward[i])} ${exact(chain.strike[i])} ${exact(chain.years[i])} ${exact(chain.vol[i])} ${chain.isCall[i]} ${exact(chain.price[i])}`);
  }
  writeFileSync(chainFile, `${lines.join('\n')}\n`);
  const output = execFileSync(binary, [chainFile], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(output) as Record<string, unknown>;
}

/** Runs the pricing benchmark and returns JSON-ready figures (ns per option). */
export async function runPricingBench(): Promise<Record<string, unknown>> {
  const chain = buildBenchChain();
  const greeks = allocateChainGreeks(COUNT);
  const full = allocateChainFullGreeks(COUNT);
  const ivVol = new Float64Array(COUNT);
  const ivReason = new Uint8Array(COUNT);

  const [firstOrderNs, fullNs, ivNs] = nsPerOption(
    [
      { run: () => computeChainGreeks(chain, greeks, COUNT), passesPerRound: 50 },
      { run: () => computeChainFullGreeks(chain, full, COUNT), passesPerRound: 40 },
      {
        run: () => computeChainImpliedVols(chain.price, chain.forward, chain.strike, chain.years, chain.isCall, ivVol, ivReason, COUNT),
        passesPerRound: 10,
      },
    ],
    30,
  ) as [number, number, number];

  let failures = 0;
  let maxError = 0;
  const failureReasons: Record<string, number> = {};
  for (let i = 0; i < COUNT; i++) {
    if (ivReason[i] !== IvReason.Ok) {
      failures++;
      failureReasons[String(ivReason[i])] = (failureReasons[String(ivReason[i])] ?? 0) + 1;
      continue;
    }
    maxError = Math.max(maxError, Math.abs(ivVol[i]! / chain.vol[i]! - 1));
  }

  const result: Record<string, unknown> = {
    options: COUNT,
    chain: '20 expiries 1h..1y (log-spaced), 50 strikes -3.5..+3.5 sd, calls and puts, vols 40-150 %, F ~ 95 000',
    price_delta_gamma_vega_ns_per_option: round(firstOrderNs),
    full_greeks_ns_per_option: round(fullNs),
    implied_vol_ns_per_option: round(ivNs),
    implied_vol_failures: failures,
    implied_vol_failure_reasons: failureReasons,
    implied_vol_max_relative_error: maxError,
    targets: { price_delta_gamma_vega_ns: 75, full_greeks_ns: 100, implied_vol_ns: 400, implied_vol_failures: 0 },
    within_targets: firstOrderNs <= 75 && fullNs <= 100 && ivNs <= 400 && failures === 0,
  };

  try {
    const quantlib = runQuantLibPeer(chain);
    result.quantlib = quantlib;
    if (typeof quantlib === 'object') {
      const q = quantlib as Record<string, number>;
      result.speedup_vs_quantlib = {
        price_greeks: round((q.price_delta_gamma_vega_theta_rho_ns_per_option ?? NaN) / firstOrderNs, 2),
        implied_vol: round((q.implied_vol_ns_per_option ?? NaN) / ivNs, 2),
      };
    }
  } catch (error) {
    result.quantlib = `failed: ${(error as Error).message.split('\n')[0]}`;
  }
  return result;
}
