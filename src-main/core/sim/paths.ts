/**
 * Seeded price-path simulators for hedging studies: Black-Scholes (geometric Brownian motion), Heston
 * (full-truncation Euler), Merton jump diffusion, and a block bootstrap of observed log returns.
 *
 * Layout: struct-of-arrays, time-major. `spot[k * paths + i]` is path i at time step k (k = 0..steps), so one
 * loop over i at fixed k sees one contiguous row: the hedging engine and the policies work a whole time step at
 * a time. All models are martingales in the spot unless a drift is asked for (r = 0, the forward is the spot).
 *
 * Determinism: every simulator takes a `RandomSource` and draws in a fixed order (step by step, path by path),
 * so the same seed gives the same paths.
 */
import type { RandomSource } from '../random';

/** Simulated spot paths, time-major. */
export interface PathSet {
  /** Number of paths. */
  paths: number;
  /** Number of time steps (the row count is steps + 1). */
  steps: number;
  /** Step length, years. */
  dt: number;
  /** Spot, `spot[k * paths + i]`, USD (or any price unit). */
  spot: Float64Array;
  /** Instantaneous variance for stochastic-vol models, same layout; absent otherwise. */
  variance?: Float64Array;
}

export interface GridSpec {
  paths: number;
  steps: number;
  /** Step length, years. */
  dt: number;
  /** Initial spot. */
  s0: number;
}

function checkGrid(spec: GridSpec): void {
  const { paths, steps, dt, s0 } = spec;
  if (!Number.isSafeInteger(paths) || paths < 1) throw new RangeError(`paths must be a positive integer, got ${String(paths)}`);
  if (!Number.isSafeInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer, got ${String(steps)}`);
  if (!(dt > 0 && Number.isFinite(dt))) throw new RangeError(`dt must be a positive number of years, got ${String(dt)}`);
  if (!(s0 > 0 && Number.isFinite(s0))) throw new RangeError(`s0 must be a positive price, got ${String(s0)}`);
}

export interface GbmSpec extends GridSpec {
  /** Volatility, decimal per sqrt(year). */
  sigma: number;
  /** Drift per year (default 0: the risk-neutral measure with r = 0). */
  mu?: number;
}

/** Geometric Brownian motion, exact in distribution: S_{k+1} = S_k exp((mu - sigma^2/2) dt + sigma sqrt(dt) Z). */
export function simulateGbm(spec: GbmSpec, rng: RandomSource): PathSet {
  checkGrid(spec);
  if (!(spec.sigma >= 0)) throw new RangeError(`sigma must be non-negative, got ${String(spec.sigma)}`);
  const { paths, steps, dt, s0, sigma } = spec;
  const mu = spec.mu ?? 0;
  const spot = new Float64Array((steps + 1) * paths);
  spot.fill(s0, 0, paths);
  const drift = (mu - 0.5 * sigma * sigma) * dt;
  const diffusion = sigma * Math.sqrt(dt);
  for (let k = 0; k < steps; k++) {
    const from = k * paths;
    const to = from + paths;
    for (let i = 0; i < paths; i++) spot[to + i] = spot[from + i]! * Math.exp(drift + diffusion * rng.nextNormal());
  }
  return { paths, steps, dt, spot };
}

export interface HestonSpec extends GridSpec {
  /** Initial variance (vol^2). */
  v0: number;
  /** Mean-reversion speed per year. */
  kappa: number;
  /** Long-run variance. */
  theta: number;
  /** Vol of variance. */
  xi: number;
  /** Correlation of the spot and variance shocks, [-1, 1]. */
  rho: number;
}

/**
 * Heston model by full-truncation Euler (Lord, Koekkoek & van Dijk 2010): the variance may go negative in the
 * scheme but only its positive part v+ enters the drift and the diffusion; the spot is stepped in logs with v+,
 * so it stays a martingale step by step (E[exp(-v+ dt/2 + sqrt(v+ dt) Z)] = 1).
 */
export function simulateHeston(spec: HestonSpec, rng: RandomSource): PathSet {
  checkGrid(spec);
  const { paths, steps, dt, s0, v0, kappa, theta, xi, rho } = spec;
  if (!(v0 >= 0 && kappa >= 0 && theta >= 0 && xi >= 0)) throw new RangeError('Heston v0, kappa, theta and xi must be non-negative');
  if (!(rho >= -1 && rho <= 1)) throw new RangeError(`Heston rho must lie in [-1, 1], got ${String(rho)}`);
  const spot = new Float64Array((steps + 1) * paths);
  const variance = new Float64Array((steps + 1) * paths);
  spot.fill(s0, 0, paths);
  variance.fill(v0, 0, paths);
  const sqrtDt = Math.sqrt(dt);
  const rhoBar = Math.sqrt(1 - rho * rho);
  for (let k = 0; k < steps; k++) {
    const from = k * paths;
    const to = from + paths;
    for (let i = 0; i < paths; i++) {
      const z1 = rng.nextNormal();
      const z2 = rho * z1 + rhoBar * rng.nextNormal();
      const v = variance[from + i]!;
      const vPlus = v > 0 ? v : 0;
      const sqrtV = Math.sqrt(vPlus);
      spot[to + i] = spot[from + i]! * Math.exp(-0.5 * vPlus * dt + sqrtV * sqrtDt * z1);
      variance[to + i] = v + kappa * (theta - vPlus) * dt + xi * sqrtV * sqrtDt * z2;
    }
  }
  return { paths, steps, dt, spot, variance };
}

export interface MertonSpec extends GridSpec {
  /** Diffusion volatility. */
  sigma: number;
  /** Jump intensity per year. */
  jumpIntensity: number;
  /** Mean of the log jump size. */
  jumpMean: number;
  /** Standard deviation of the log jump size. */
  jumpStd: number;
}

/**
 * Merton (1976) jump diffusion, exact per step: a Poisson number N of lognormal jumps per step, and the drift
 * compensated by intensity x (E[e^J] - 1) so the spot is a martingale.
 */
export function simulateMerton(spec: MertonSpec, rng: RandomSource): PathSet {
  checkGrid(spec);
  const { paths, steps, dt, s0, sigma, jumpIntensity, jumpMean, jumpStd } = spec;
  if (!(sigma >= 0 && jumpIntensity >= 0 && jumpStd >= 0)) throw new RangeError('Merton sigma, jumpIntensity and jumpStd must be non-negative');
  const spot = new Float64Array((steps + 1) * paths);
  spot.fill(s0, 0, paths);
  const compensator = jumpIntensity * (Math.exp(jumpMean + 0.5 * jumpStd * jumpStd) - 1);
  const drift = (-0.5 * sigma * sigma - compensator) * dt;
  const diffusion = sigma * Math.sqrt(dt);
  const poissonLimit = Math.exp(-jumpIntensity * dt);
  for (let k = 0; k < steps; k++) {
    const from = k * paths;
    const to = from + paths;
    for (let i = 0; i < paths; i++) {
      // Poisson count by Knuth's product of uniforms (the mean per step is small).
      let jumps = 0;
      let product = rng.nextFloat();
      while (product > poissonLimit) {
        jumps++;
        product *= rng.nextFloat();
      }
      let logJump = 0;
      for (let j = 0; j < jumps; j++) logJump += jumpMean + jumpStd * rng.nextNormal();
      spot[to + i] = spot[from + i]! * Math.exp(drift + diffusion * rng.nextNormal() + logJump);
    }
  }
  return { paths, steps, dt, spot };
}

export interface BootstrapSpec extends GridSpec {
  /** Observed one-step log returns (e.g. hourly), oldest first. */
  logReturns: Float64Array;
  /** Length of each resampled block, in steps (keeps volatility clustering within a block). */
  blockLength: number;
  /**
   * The block starts to draw from (each in 0..logReturns.length − blockLength), e.g. only the blocks that hold no gap
   * of the data (core/learn/deribitSeries.ts `gapFreeBlockStarts`); default every start.
   */
  blockStarts?: ArrayLike<number>;
  /**
   * Subtract the sample mean of the returns and the convexity term so the resampled spot is a martingale
   * (default true: the hedge should not profit from the sample's drift).
   */
  martingale?: boolean;
}

/**
 * Moving-block bootstrap (Künsch 1989): each path is a concatenation of blocks of `blockLength` consecutive
 * observed returns starting at uniformly drawn offsets. With `martingale`, the returns are shifted to
 * r - log(mean(exp(r))) so that E[exp(r)] = 1 over the sample.
 */
export function bootstrapPaths(spec: BootstrapSpec, rng: RandomSource): PathSet {
  checkGrid(spec);
  const { paths, steps, dt, s0, logReturns, blockLength } = spec;
  if (!Number.isSafeInteger(blockLength) || blockLength < 1) throw new RangeError(`blockLength must be a positive integer, got ${String(blockLength)}`);
  if (logReturns.length < blockLength) throw new RangeError(`bootstrap needs at least blockLength = ${blockLength} returns, got ${logReturns.length}`);
  for (let j = 0; j < logReturns.length; j++) {
    if (!Number.isFinite(logReturns[j]!)) throw new RangeError(`log return ${j} is not finite: ${String(logReturns[j])}`);
  }
  let shift = 0;
  if (spec.martingale ?? true) {
    let sum = 0;
    for (let j = 0; j < logReturns.length; j++) sum += Math.exp(logReturns[j]!);
    shift = -Math.log(sum / logReturns.length);
  }
  const spot = new Float64Array((steps + 1) * paths);
  spot.fill(s0, 0, paths);
  const maxStart = logReturns.length - blockLength;
  const { blockStarts } = spec;
  if (blockStarts !== undefined) {
    if (blockStarts.length === 0) throw new RangeError(`bootstrap has no block of ${blockLength} returns to draw (every block spans a gap of the data)`);
    for (let j = 0; j < blockStarts.length; j++) {
      const start = blockStarts[j]!;
      if (!Number.isSafeInteger(start) || start < 0 || start > maxStart) throw new RangeError(`block start ${j} is ${String(start)}, not in 0..${maxStart}`);
    }
  }
  // Path-major draws (each path draws its block starts in order), stored time-major.
  for (let i = 0; i < paths; i++) {
    let start = 0;
    for (let k = 0; k < steps; k++) {
      const offset = k % blockLength;
      if (offset === 0) start = blockStarts === undefined ? rng.nextInt(0, maxStart) : blockStarts[rng.nextInt(0, blockStarts.length - 1)]!;
      spot[(k + 1) * paths + i] = spot[k * paths + i]! * Math.exp(logReturns[start + offset]! + shift);
    }
  }
  return { paths, steps, dt, spot };
}

/** Spot of path i at step k. */
export function spotAt(set: PathSet, step: number, path: number): number {
  return set.spot[step * set.paths + path]!;
}
