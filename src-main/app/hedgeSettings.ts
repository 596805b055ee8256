/**
 * The hedge advisor's settings per currency, kept in the settings table (`hedge.settings.BTC`, …) and checked
 * before they are saved. `version` increases with every change, so the kernel recomputes proposals.
 */
import type { CommandParams } from '../api/contract';
import { ApiException } from '../api/errors';
import { defaultHedgeSettings, settingsProblem, type HedgeSettings } from '../core/hedge/settings';
import { criterionProblem, type Criterion } from '../core/learn/criterion';
import { CURRENCIES, type Currency } from '../core/market/events';
import type { SettingsRepository } from '../store/settings';

const key = (currency: Currency): string => `hedge.settings.${currency}`;
/** The trader's criterion for learned policies, one for the desk (both currencies). */
const CRITERION_KEY = 'hedge.criterion';
/** Entropic risk with λ 1: the λ of every training problem the app poses, so every gate stored before keeps its meaning. */
export const DEFAULT_CRITERION: Criterion = Object.freeze({ kind: 'entropic', lambda: 1 }) as Criterion;

/** What the store asks about a stored model before the learned policy may use it. */
export interface ModelGate {
  /** Why model `id` may not hedge (unknown, or it did not pass its gate), or null when it may. */
  refusal(id: number): string | null;
}

export class HedgeSettingsStore {
  version = 1;
  private readonly cache = new Map<Currency, HedgeSettings>();
  private criterionValue: Criterion | null = null;

  constructor(
    private readonly settings: SettingsRepository,
    private readonly nowMs: () => number,
    private readonly models: ModelGate | null = null,
  ) {}

  get(currency: Currency): HedgeSettings {
    let value = this.cache.get(currency);
    if (!value) {
      // A stored value from an older version lacks newer fields: the defaults fill them.
      value = { ...defaultHedgeSettings(currency), ...(this.settings.get<Partial<HedgeSettings>>(key(currency)) ?? {}), currency };
      this.cache.set(currency, value);
    }
    return value;
  }

  set(params: CommandParams<'hedge.settings.set'>): HedgeSettings {
    const settings: HedgeSettings = {
      currency: params.currency,
      enabled: params.enabled,
      delta: params.delta,
      gamma: params.gamma === 'none' ? null : params.gamma,
      vega: params.vega === 'none' ? null : params.vega,
      policy: params.policy,
      hedgeInstrument: params.hedgeInstrument && params.hedgeInstrument.trim() !== '' ? params.hedgeInstrument.trim().toUpperCase() : null,
      hedgeRatio: params.hedgeRatio,
      riskAversion: params.riskAversion,
      maxBookShare: params.maxBookShare,
      proposalTtlMs: params.proposalTtlMs,
      useSurface: params.useSurface ?? false,
      maxInitialMarginCoin: typeof params.maxInitialMarginCoin === 'number' ? params.maxInitialMarginCoin : null,
      modelId: typeof params.modelId === 'number' ? params.modelId : null,
    };
    const problem = settingsProblem(settings);
    if (problem) throw new ApiException('INVALID_ARGUMENT', problem);
    if (settings.policy === 'learned') {
      const refusal = this.models ? this.models.refusal(settings.modelId!) : 'no model store: the learned policy is not available here';
      if (refusal) throw new ApiException('INVALID_ARGUMENT', refusal);
    }
    if (settings.hedgeInstrument && !settings.hedgeInstrument.startsWith(`${settings.currency}-`)) {
      throw new ApiException('INVALID_ARGUMENT', `the hedge instrument ${settings.hedgeInstrument} is not a ${settings.currency} instrument`);
    }
    this.settings.set(key(settings.currency), settings, this.nowMs());
    this.cache.set(settings.currency, settings);
    this.version++;
    return settings;
  }

  /** The trader's criterion: a learned model must have passed its gate on it to hedge. */
  criterion(): Criterion {
    // Read once: the advisor asks on every hedge computation, and only setCriterion changes it.
    this.criterionValue ??= this.settings.get<Criterion>(CRITERION_KEY) ?? DEFAULT_CRITERION;
    return this.criterionValue;
  }

  /** Sets the trader's criterion; the advisor recomputes (a learned policy not passed on it stops proposing, saying why). */
  setCriterion(criterion: Criterion): Criterion {
    const problem = criterionProblem(criterion);
    if (problem) throw new ApiException('INVALID_ARGUMENT', problem);
    this.settings.set(CRITERION_KEY, criterion, this.nowMs());
    this.criterionValue = criterion;
    this.version++;
    return criterion;
  }

  /** Currencies whose advisor runs model `id` now. */
  usersOf(id: number): Currency[] {
    return CURRENCIES.filter((c) => {
      const s = this.get(c);
      return s.policy === 'learned' && s.modelId === id;
    });
  }
}
