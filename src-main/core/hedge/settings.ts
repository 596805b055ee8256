/**
 * A currency's hedge settings as the trader sets them: the objectives (bands) and the policy with its parameters.
 * Stored as JSON in the settings table; `policyFor` turns them into the policy object.
 */
import { ThresholdPolicy, WhalleyWilmottPolicy } from './deltaPolicies';
import { LearnedPolicy, type LearnedModelRef } from './learnedPolicy';
import type { NetworkPolicy } from '../learn/network';
import { SelectionPolicy, type LinearLimit, type MilpSolver } from './selection';
import type { Band, HedgeObjectives, HedgePolicy } from './types';
import type { Currency } from '../market/events';

export type PolicyName = 'threshold' | 'band' | 'select' | 'learned';

export interface HedgeSettings {
  currency: Currency;
  /** The advisor proposes only while enabled. */
  enabled: boolean;
  delta: Band & { unit: 'coin' | 'usd' };
  gamma: Band | null;
  vega: Band | null;
  policy: PolicyName;
  /** The perpetual (default) or a future, for the threshold and band policies. */
  hedgeInstrument: string | null;
  /** Threshold policy: share of the distance to the target that is traded, (0, 1]. */
  hedgeRatio: number;
  /** Band policy: absolute risk aversion γ, per USD. */
  riskAversion: number;
  /** Never take more than this share of a visible order-book level, (0, 1]. */
  maxBookShare: number;
  /** A proposal expires this long after it was made (market time), ms. */
  proposalTtlMs: number;
  /** Selection policy: price options against the fitted volatility surface too (their IV residual × vega). */
  useSurface: boolean;
  /** Selection policy: "IM after ≤ X" (coin, the PM replica), linearized for the solve and checked exactly after; absent or null: no limit. */
  maxInitialMarginCoin?: number | null;
  /** Learned policy: the stored model (models table id) it runs; it must have passed its gate (checked by the app). */
  modelId?: number | null;
}

export function defaultHedgeSettings(currency: Currency): HedgeSettings {
  return {
    currency,
    enabled: false,
    delta: { target: 0, tolerance: currency === 'BTC' ? 0.5 : 5, unit: 'coin' },
    gamma: null,
    vega: null,
    policy: 'threshold',
    hedgeInstrument: null,
    hedgeRatio: 1,
    riskAversion: 1e-4,
    maxBookShare: 0.5,
    proposalTtlMs: 60_000,
    useSurface: false,
  };
}

export function objectivesOf(settings: HedgeSettings): HedgeObjectives {
  return {
    currency: settings.currency,
    delta: settings.delta,
    ...(settings.gamma ? { gamma: settings.gamma } : {}),
    ...(settings.vega ? { vega: settings.vega } : {}),
  };
}

/** What is wrong with the settings, in a trader's words, or null. */
export function settingsProblem(settings: HedgeSettings): string | null {
  const bands: [string, Band | null][] = [['delta', settings.delta], ['gamma', settings.gamma], ['vega', settings.vega]];
  for (const [name, band] of bands) {
    if (band && !(band.tolerance > 0)) return `the ${name} band needs a tolerance above 0`;
  }
  if (!(settings.hedgeRatio > 0 && settings.hedgeRatio <= 1)) return `the hedge ratio must be in (0, 1], got ${settings.hedgeRatio}`;
  if (!(settings.riskAversion > 0)) return `risk aversion must be above 0, got ${settings.riskAversion}`;
  if (!(settings.maxBookShare > 0 && settings.maxBookShare <= 1)) return `the book share must be in (0, 1], got ${settings.maxBookShare}`;
  if (!(settings.proposalTtlMs >= 1000)) return 'a proposal must live at least 1 second';
  if (settings.policy === 'learned' && !(typeof settings.modelId === 'number' && Number.isSafeInteger(settings.modelId) && settings.modelId > 0)) {
    return 'the learned policy needs a model: choose a stored model that passed its gate';
  }
  return null;
}

/** A stored model loaded for the learned policy (the app loads it; the core only runs it). */
export interface LoadedModel {
  network: NetworkPolicy;
  model: LearnedModelRef;
}

export function policyFor(settings: HedgeSettings, solver: MilpSolver, limits: readonly LinearLimit[] = [], learned: LoadedModel | null = null): HedgePolicy {
  const instrument = settings.hedgeInstrument ?? undefined;
  const linear = { ...(instrument ? { instrument } : {}), maxBookShare: settings.maxBookShare };
  switch (settings.policy) {
    case 'threshold':
      return new ThresholdPolicy({ ...linear, hedgeRatio: settings.hedgeRatio });
    case 'band':
      return new WhalleyWilmottPolicy({ ...linear, riskAversion: settings.riskAversion });
    case 'select':
      return new SelectionPolicy(solver, { maxBookShare: settings.maxBookShare, surfaceEdge: settings.useSurface, ...(limits.length > 0 ? { limits } : {}) });
    case 'learned':
      if (!learned || learned.model.id !== settings.modelId) throw new Error(`the learned policy's model ${String(settings.modelId)} is not loaded (deleted, or never stored)`);
      return new LearnedPolicy(learned.network, learned.model, linear);
  }
}
