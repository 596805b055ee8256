/**
 * The live volatility surface and realized vol of each currency, on the kernel's injected scheduler.
 *
 * Surface: while somebody wants a currency's `surface` stream, its expiries are refitted on the pool (the worker's
 * `surface` task) when its quotes changed since the last fit, at most once per `intervalMs` (default 1 s: bursts
 * of quote changes coalesce), one fit per currency at a time, each starting from the previous fit's parameters.
 * Realized vol: every index tick of the currency feeds its LiveRealizedVol (1-minute bars, EWMA forecast). The
 * published snapshot joins both: per expiry the variance risk premium, fitted ATM implied vol against the
 * forecast realized vol over the expiry's horizon (null with the reason while the forecast warms up), and its
 * z-score against the premiums this session published before for that expiry.
 *
 * Deterministic under a stepped clock: fits run in currency order on timer ticks, from inputs read synchronously.
 */
import { CURRENCIES, type Currency } from '../core/market/events';
import type { ExpiryPremiumDto, VolatilitySurfaceDto } from '../api/contract/volatility';
import { LiveRealizedVol } from '../core/forecast/liveRealized';
import { expiryPremium } from '../core/forecast/vrp';
import type { Vol } from '../core/units';
import type { MarketState } from './marketState';
import type { Scheduler } from './ports';
import { liveExpiryMarkets, packSurfaceInputs, type SurfaceTaskInput, type SurfaceTaskOutput } from './surfaceInputs';

export interface SurfacePort {
  computeSurface(input: SurfaceTaskInput): Promise<SurfaceTaskOutput>;
}

export interface SurfaceScheduleOptions {
  port: SurfacePort;
  wanted(currency: Currency): boolean;
  publish(currency: Currency, snapshot: VolatilitySurfaceDto): void;
  intervalMs?: number;
}

interface CurrencySurface {
  computedVersion: number | null;
  running: Promise<void> | null;
  starts: SurfaceTaskInput['starts'];
  realized: LiveRealizedVol;
  last: VolatilitySurfaceDto | null;
  /** Earlier vol-point premiums by expiry (bounded), for the z-score. */
  premiumHistory: Map<number, number[]>;
  fits: number;
}

const PREMIUM_HISTORY = 500;

export class SurfaceSchedule {
  private readonly states = new Map<Currency, CurrencySurface>();
  private readonly versions = new Map<Currency, number>();
  private timer: unknown = null;
  private disposed = false;

  constructor(
    private readonly options: SurfaceScheduleOptions,
    private readonly scheduler: Scheduler,
    private readonly market: () => MarketState,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The currency's quotes, forwards or expiries changed. */
  marketChanged(currency: Currency): void {
    this.versions.set(currency, (this.versions.get(currency) ?? 0) + 1);
  }

  /** One index tick. */
  onIndex(currency: Currency, timeMs: number, priceUsd: number): void {
    this.state(currency).realized.onTick(timeMs, priceUsd);
  }

  start(): void {
    if (this.disposed || this.timer !== null) return;
    this.timer = this.scheduler.setTimeout(() => {
      this.timer = null;
      this.round();
      this.start();
    }, this.options.intervalMs ?? 1000);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.scheduler.clearTimeout(this.timer);
    this.timer = null;
  }

  /** The last published snapshot, or null. */
  snapshot(currency: Currency): VolatilitySurfaceDto | null {
    return this.states.get(currency)?.last ?? null;
  }

  /** Fits now unless a fit is running (a new subscriber). */
  refresh(currency: Currency): void {
    const state = this.state(currency);
    if (!state.running) this.run(currency, state);
  }

  get running(): Promise<void>[] {
    return [...this.states.values()].flatMap((s) => (s.running ? [s.running] : []));
  }

  private state(currency: Currency): CurrencySurface {
    let state = this.states.get(currency);
    if (!state) {
      state = { computedVersion: null, running: null, starts: [], realized: new LiveRealizedVol(), last: null, premiumHistory: new Map(), fits: 0 };
      this.states.set(currency, state);
    }
    return state;
  }

  private round(): void {
    for (const currency of CURRENCIES) {
      if (!this.options.wanted(currency)) continue;
      const state = this.state(currency);
      if (state.running) continue;
      if (state.computedVersion === (this.versions.get(currency) ?? 0)) continue;
      this.run(currency, state);
    }
  }

  private run(currency: Currency, state: CurrencySurface): void {
    const version = this.versions.get(currency) ?? 0;
    const market = this.market();
    const input = packSurfaceInputs(currency, liveExpiryMarkets(market, currency), state.starts);
    const marketTimeMs = market.timeMs;
    const marketSeq = market.seq;
    const started = this.scheduler.now();
    state.running = (async () => {
      try {
        const output = await this.options.port.computeSurface(input);
        if (this.disposed) return;
        state.computedVersion = version;
        state.starts = output.starts;
        state.fits++;
        const realized = state.realized.snapshot();
        const snapshot: VolatilitySurfaceDto = {
          currency,
          marketTimeMs,
          marketSeq,
          computeMs: this.scheduler.now() - started,
          fits: state.fits,
          surface: output.snapshot,
          quality: output.quality,
          premiums: this.premiums(state, output, realized.forecastVol, realized.reason),
          realized,
        };
        state.last = snapshot;
        if (this.options.wanted(currency)) this.options.publish(currency, snapshot);
      } catch (error) {
        if (!this.disposed) this.onError(error);
      } finally {
        state.running = null;
      }
    })();
  }

  private premiums(state: CurrencySurface, output: SurfaceTaskOutput, forecast: Vol | null, forecastReason: string | null): ExpiryPremiumDto[] {
    return output.snapshot.smiles.map((smile): ExpiryPremiumDto => {
      const base = { label: smile.label, years: smile.years, atmIv: smile.atmIv, forecastVol: forecast };
      const empty = { volPoints: null, variance: null, zScore: null, zReason: null };
      const horizonDays = Math.max(1, Math.round(smile.years * 365));
      if (smile.atmIv === null) return { ...base, ...empty, horizonDays, reason: smile.reason ?? 'no fitted ATM vol' };
      const history = state.premiumHistory.get(smile.expiryMs) ?? [];
      const premium = expiryPremium(smile.atmIv as Vol, smile.years, () => forecast, history);
      if ('premium' in premium) return { ...base, ...empty, horizonDays, reason: forecastReason ?? premium.reason };
      history.push(premium.volPoints);
      if (history.length > PREMIUM_HISTORY) history.shift();
      state.premiumHistory.set(smile.expiryMs, history);
      return {
        ...base,
        horizonDays: premium.horizonDays,
        volPoints: premium.volPoints,
        variance: premium.variance,
        zScore: premium.zScore.value,
        zReason: premium.zScore.reason,
        reason: null,
      };
    });
  }
}
