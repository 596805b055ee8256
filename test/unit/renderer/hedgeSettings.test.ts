import { describe, expect, it } from 'vitest';
import { commands } from '../../../src-main/api/contract';
import { defaultHedgeSettings, type HedgeSettings } from '../../../src-main/core/hedge/settings';
import { parse } from '../../../src-main/api/validate';
import { settingsParams } from '../../../src-renderer/lib/hedgeSettings';

/** What the host does with the request: the contract's own validator (app/hub.ts). */
const accepted = (settings: HedgeSettings) => parse(commands['hedge.settings.set'].params, settingsParams(settings), 'params');

describe('hedge settings as the settings command takes them', () => {
  it('sends the defaults in a form the contract accepts, switched-off bands as "none"', () => {
    const request = accepted(defaultHedgeSettings('BTC'));
    expect(request.gamma).toBe('none');
    expect(request.vega).toBe('none');
    expect(request.maxInitialMarginCoin).toBe('none');
    expect(request).not.toHaveProperty('hedgeInstrument');
    expect(request).not.toHaveProperty('modelId');
  });

  it('keeps bands, the instrument and the IM limit when set', () => {
    const settings: HedgeSettings = { ...defaultHedgeSettings('ETH'), gamma: { target: 0, tolerance: 1000 }, hedgeInstrument: 'ETH-27DEC26', maxInitialMarginCoin: 12.5, policy: 'select' };
    const request = accepted(settings);
    expect(request.gamma).toEqual({ target: 0, tolerance: 1000 });
    expect(request.hedgeInstrument).toBe('ETH-27DEC26');
    expect(request.maxInitialMarginCoin).toBe(12.5);
  });

  it('sends the model only with the learned policy', () => {
    const learned = accepted({ ...defaultHedgeSettings('BTC'), policy: 'learned', modelId: 3 });
    expect(learned.policy).toBe('learned');
    expect(learned.modelId).toBe(3);
    const band = accepted({ ...defaultHedgeSettings('BTC'), policy: 'band', modelId: 3 });
    expect(band).not.toHaveProperty('modelId');
  });
});
