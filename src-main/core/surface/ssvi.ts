/**
 * SSVI and eSSVI surfaces across expiries, free of static arbitrage by construction.
 *
 * SSVI (Gatheral & Jacquier 2014, §4): w(k, theta_t) = theta_t/2 (1 + rho phi k + sqrt((phi k + rho)^2 + 1 - rho^2)),
 * phi = phi(theta_t), with the power law of GJ 2014 §4.4 (eq. 4.5)
 *   phi(theta) = eta / (theta^gamma (1 + theta)^(1 - gamma)),   0 < gamma <= 1/2,   eta (1 + |rho|) <= 2.
 * Why that is arbitrage-free (checked again numerically in the tests): theta phi = eta (theta / (1 + theta))^(1-gamma)
 * < eta, so theta phi (1 + |rho|) < 2 < 4; and theta phi^2 (1 + |rho|) = eta^2 (1 + |rho|) theta^(1-2gamma) /
 * (1 + theta)^(2-2gamma) <= eta^2 (1 + |rho|) <= 4 / (1 + |rho|) <= 4: GJ Theorem 4.2 (no butterfly arbitrage).
 * theta phi(theta) is increasing and phi decreasing, GJ Theorem 4.1's conditions (no calendar arbitrage) when the
 * ATM total variances theta_t are non-decreasing in t, which the fit enforces (running maximum).
 *
 * eSSVI (Hendriks & Martini 2019, "The extended SSVI volatility surface"): rho varies by expiry. With
 * psi = theta phi(theta), between consecutive slices theta_2 >= theta_1 and psi_1 <= psi_2 <= psi_1 theta_2 / theta_1
 * hold by the power law; the remaining condition |rho_2 psi_2 - rho_1 psi_1| <= psi_2 - psi_1 is imposed on
 * each rho_t in turn (sequential calibration as Corbetta, Cohort, Laachir & Martini 2019), with eta (1 + |rho_t|)
 * <= 2 for each slice's butterfly condition. That these conditions exclude crossing slices is checked by sampling
 * in the tests, and every fit is checked on a dense grid anyway (arbitrage.ts).
 */
import { nelderMead } from './nelderMead';
import type { SliceData } from './quasiExplicit';
import { ssviTotalVariance, type SsviSlice } from './svi';

/** The power-law phi of GJ 2014 eq. 4.5. */
export function powerLawPhi(theta: number, eta: number, gamma: number): number {
  return eta / (theta ** gamma * (1 + theta) ** (1 - gamma));
}

/** GJ 2014's sufficient conditions for the power law: 0 < gamma <= 1/2, eta > 0, eta (1 + |rho|) <= 2, |rho| < 1. */
export function powerLawProblem(rho: number, eta: number, gamma: number): string | null {
  if (!(Math.abs(rho) < 1)) return `|rho| must be < 1, got ${rho}`;
  if (!(gamma > 0 && gamma <= 0.5)) return `gamma must be in (0, 1/2], got ${gamma}`;
  if (!(eta > 0)) return `eta must be > 0, got ${eta}`;
  if (eta * (1 + Math.abs(rho)) > 2 + 1e-12) return `eta (1 + |rho|) = ${eta * (1 + Math.abs(rho))} exceeds 2`;
  return null;
}

/** One expiry for the surface fits: T, ATM total variance theta, and the slice's points. */
export interface SurfaceSliceInput {
  years: number;
  theta: number;
  data: SliceData;
}

export interface SsviFit {
  /** Shared power-law parameters. */
  eta: number;
  gamma: number;
  /** One SSVI slice per input (same order); rho is shared for SSVI, per slice for eSSVI. */
  slices: SsviSlice[];
  objective: number;
  evaluations: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Weighted squared error of one SSVI slice against a slice's points. */
function sliceObjective(slice: SsviSlice, data: SliceData): number {
  let sum = 0;
  for (let i = 0; i < data.k.length; i++) {
    const d = ssviTotalVariance(slice, data.k[i]!) - data.totalVariance[i]!;
    sum += data.weight[i]! * d * d;
  }
  return sum;
}

/** The ATM total variances made non-decreasing in T (running maximum), as SSVI's calendar condition needs. */
export function monotoneThetas(thetas: readonly number[]): number[] {
  const out: number[] = [];
  let max = 0;
  for (const theta of thetas) {
    max = Math.max(max, theta);
    out.push(Math.max(max, 1e-10));
  }
  return out;
}

/**
 * SSVI fit: rho, eta, gamma shared by all slices (thetas given, sorted by T and non-decreasing).
 * eta = 2 sigmoid(u) / (1 + |rho|) keeps eta (1 + |rho|) < 2 for every search point.
 */
export function fitSsvi(inputs: readonly SurfaceSliceInput[], start?: { rho: number; eta: number; gamma: number }): SsviFit {
  let evaluations = 0;
  const decode = (x: readonly number[]): { rho: number; eta: number; gamma: number } => {
    const rho = Math.tanh(x[0]!);
    return { rho, eta: (2 * sigmoid(x[1]!)) / (1 + Math.abs(rho)), gamma: 0.5 * sigmoid(x[2]!) };
  };
  const objective = (x: readonly number[]): number => {
    evaluations++;
    const { rho, eta, gamma } = decode(x);
    let sum = 0;
    for (const input of inputs) sum += sliceObjective({ theta: input.theta, rho, phi: powerLawPhi(input.theta, eta, gamma) }, input.data);
    return sum;
  };
  const encode = (p: { rho: number; eta: number; gamma: number }): number[] => {
    const clampedRho = Math.max(-0.999, Math.min(0.999, p.rho));
    const share = Math.max(1e-6, Math.min(1 - 1e-6, (p.eta * (1 + Math.abs(clampedRho))) / 2));
    const g = Math.max(1e-6, Math.min(1 - 1e-6, 2 * p.gamma));
    return [Math.atanh(clampedRho), Math.log(share / (1 - share)), Math.log(g / (1 - g))];
  };
  const starts = start ? [encode(start)] : [-0.5, 0, 0.5].map((rho) => encode({ rho, eta: 1, gamma: 0.3 }));
  let best = { x: starts[0]!, value: Infinity };
  for (const x0 of starts) {
    const result = nelderMead(objective, x0, { step: [0.3, 0.5, 0.5], maxIterations: start ? 150 : 400, valueTolerance: 1e-18, pointTolerance: 1e-8 });
    if (result.value < best.value) best = { x: result.x, value: result.value };
  }
  const { rho, eta, gamma } = decode(best.x);
  return {
    eta,
    gamma,
    slices: inputs.map((input) => ({ theta: input.theta, rho, phi: powerLawPhi(input.theta, eta, gamma) })),
    objective: best.value,
    evaluations,
  };
}

/** Golden-section minimum of a unimodal function on [lo, hi]. */
function goldenSection(f: (x: number) => number, lo: number, hi: number, tolerance: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo, b = hi;
  let c = b - r * (b - a), d = a + r * (b - a);
  let fc = f(c), fd = f(d);
  while (b - a > tolerance) {
    if (fc < fd) {
      b = d; d = c; fd = fc; c = b - r * (b - a); fc = f(c);
    } else {
      a = c; c = d; fc = fd; d = a + r * (b - a); fd = f(d);
    }
  }
  return (a + b) / 2;
}

/** The interval of rho_t allowed after (rho_prev, psi_prev) with psi_t (calendar) and |rho| <= 2/eta - 1 (butterfly). */
export function essviRhoInterval(previous: { rho: number; psi: number } | null, psi: number, eta: number): [number, number] {
  const bound = Math.min(0.999, 2 / eta - 1);
  if (previous === null) return [-bound, bound];
  const gap = Math.max(0, psi - previous.psi);
  const lo = (previous.rho * previous.psi - gap) / psi;
  const hi = (previous.rho * previous.psi + gap) / psi;
  return [Math.max(-bound, lo), Math.min(bound, hi)];
}

/** For given (eta, gamma): each slice's rho in turn, best within its allowed interval. */
function essviSlices(inputs: readonly SurfaceSliceInput[], eta: number, gamma: number, count: { evaluations: number }): { slices: SsviSlice[]; objective: number } {
  const slices: SsviSlice[] = [];
  let objective = 0;
  let previous: { rho: number; psi: number } | null = null;
  for (const input of inputs) {
    const phi = powerLawPhi(input.theta, eta, gamma);
    const psi = input.theta * phi;
    const [lo, hi] = essviRhoInterval(previous, psi, eta);
    const f = (rho: number): number => {
      count.evaluations++;
      return sliceObjective({ theta: input.theta, rho, phi }, input.data);
    };
    const rho = hi - lo < 1e-12 ? (lo + hi) / 2 : goldenSection(f, lo, hi, 1e-6);
    objective += f(rho);
    slices.push({ theta: input.theta, rho, phi });
    previous = { rho, psi };
  }
  return { slices, objective };
}

/** eSSVI fit: eta, gamma shared; rho by expiry (sequential, within the no-arbitrage interval). */
export function fitEssvi(inputs: readonly SurfaceSliceInput[], start?: { eta: number; gamma: number }): SsviFit {
  const count = { evaluations: 0 };
  // eta in (0, 2): |rho| <= 2/eta - 1 then leaves room for a skew.
  const decode = (x: readonly number[]): { eta: number; gamma: number } => ({ eta: 2 * sigmoid(x[0]!), gamma: 0.5 * sigmoid(x[1]!) });
  const objective = (x: readonly number[]): number => {
    const { eta, gamma } = decode(x);
    return essviSlices(inputs, eta, gamma, count).objective;
  };
  const logit = (p: number): number => Math.log(Math.max(1e-6, Math.min(1 - 1e-6, p)) / (1 - Math.max(1e-6, Math.min(1 - 1e-6, p))));
  const x0 = start ? [logit(start.eta / 2), logit(2 * start.gamma)] : [logit(0.5), logit(0.6)];
  const result = nelderMead(objective, x0, { step: start ? [0.2, 0.2] : [0.8, 0.8], maxIterations: start ? 60 : 150, valueTolerance: 1e-18, pointTolerance: 1e-6 });
  const { eta, gamma } = decode(result.x);
  const { slices, objective: value } = essviSlices(inputs, eta, gamma, count);
  return { eta, gamma, slices, objective: value, evaluations: count.evaluations };
}
