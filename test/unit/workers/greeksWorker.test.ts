/**
 * The greeks worker's task, called directly (the pool only moves its buffers): the chain's delta is Deribit's,
 * decayed linearly to 0 over the 30-minute settlement window; the other greeks are plain Black-76.
 */
import { valueSymbol } from 'piscina';
import { describe, expect, it } from 'vitest';
import { black76Greeks, toDeribitDisplay } from '../../../src-main/core/pricing/black76';
import { MS_PER_YEAR } from '../../../src-main/core/units';
import { GREEKS_INPUT_FIELDS, GreeksInput, GreeksOutput } from '../../../src-main/engine/ports';
import greeksTask from '../../../src-main/workers/greeksWorker';

function batch(yearsLeft: number): Float64Array {
  const inputs = new Float64Array(GREEKS_INPUT_FIELDS);
  inputs[GreeksInput.forwardUsd] = 100_000;
  inputs[GreeksInput.strikeUsd] = 99_000;
  inputs[GreeksInput.years] = yearsLeft;
  inputs[GreeksInput.vol] = 0.5;
  inputs[GreeksInput.isCall] = 1;
  inputs[GreeksInput.bidCoin] = inputs[GreeksInput.askCoin] = inputs[GreeksInput.markCoin] = NaN;
  return inputs;
}

/** The task returns piscina's transferable wrapper (`move`); its value is the output buffer. */
const run = (inputs: Float64Array): Float64Array => (greeksTask({ count: 1, inputs }) as { [valueSymbol]: Float64Array })[valueSymbol];

describe('greeks worker', () => {
  it('decays the delta over the last 30 minutes and leaves gamma alone', () => {
    const years = (6 * 60_000) / MS_PER_YEAR; // 6 of the 30 minutes left: a fifth of the delta
    const out = run(batch(years));
    const black = toDeribitDisplay(black76Greeks(100_000, 99_000, years, 0.5, true), 100_000);
    // The chain kernel and the scalar pricer agree to rounding (1e-12 relative).
    const relative = (a: number, b: number): number => Math.abs(a / b - 1);
    expect(relative(out[GreeksOutput.delta]!, black.delta / 5)).toBeLessThan(1e-12);
    expect(relative(out[GreeksOutput.gamma]!, black.gamma)).toBeLessThan(1e-12);
    const hour = 1 / (365 * 24);
    expect(relative(run(batch(hour))[GreeksOutput.delta]!, toDeribitDisplay(black76Greeks(100_000, 99_000, hour, 0.5, true), 100_000).delta)).toBeLessThan(1e-12);
  });
});
