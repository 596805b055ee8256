/** Hedge settings as the `hedge.settings.set` command takes them (a pure function, tested in test/unit/renderer). */
import type { CommandParams } from '../../src-main/api/contract';
import type { HedgeSettings } from '../../src-main/core/hedge/settings';

/**
 * The `hedge.settings.set` request for whole settings: bands switched off go as "none", the instrument and the IM
 * limit only when set, the model only for the learned policy.
 */
export function settingsParams(settings: HedgeSettings): CommandParams<'hedge.settings.set'> {
  return {
    currency: settings.currency,
    enabled: settings.enabled,
    delta: settings.delta,
    gamma: settings.gamma ?? 'none',
    vega: settings.vega ?? 'none',
    policy: settings.policy,
    ...(settings.hedgeInstrument ? { hedgeInstrument: settings.hedgeInstrument } : {}),
    hedgeRatio: settings.hedgeRatio,
    riskAversion: settings.riskAversion,
    maxBookShare: settings.maxBookShare,
    maxInitialMarginCoin: typeof settings.maxInitialMarginCoin === 'number' ? settings.maxInitialMarginCoin : 'none',
    proposalTtlMs: settings.proposalTtlMs,
    useSurface: settings.useSurface,
    ...(settings.policy === 'learned' && typeof settings.modelId === 'number' ? { modelId: settings.modelId } : {}),
  };
}
