/**
 * Piscina worker: Black-76 greeks and implied vols (bid, ask, mark) for one expiry batch. Input and output are single packed Float64Arrays
 * (see engine/ports.ts) so both directions transfer without copying.
 */
import { move } from 'piscina';
import { computeChainGreeks, type ChainGreeks, type ChainInputs } from '../core/pricing/chain';
import { computeChainImpliedVols } from '../core/pricing/impliedVol';
import { settlementDeltaFactorForYears } from '../core/pricing/time';
import { GREEKS_INPUT_FIELDS, GREEKS_OUTPUT_FIELDS, GreeksInput, GreeksOutput, type GreeksBatch } from '../engine/ports';

export default function greeksTask(batch: GreeksBatch): unknown {
  const { count, inputs } = batch;
  if (!(inputs instanceof Float64Array) || inputs.length !== count * GREEKS_INPUT_FIELDS) {
    throw new TypeError(`greeks batch of ${count} options needs ${count * GREEKS_INPUT_FIELDS} inputs, got ${inputs?.length}`);
  }
  const field = (array: Float64Array, k: number): Float64Array => array.subarray(k * count, (k + 1) * count);
  const isCall = new Uint8Array(count);
  const callFlags = field(inputs, GreeksInput.isCall);
  for (let i = 0; i < count; i++) isCall[i] = callFlags[i] === 1 ? 1 : 0;
  const chain: ChainInputs = {
    forward: field(inputs, GreeksInput.forwardUsd),
    strike: field(inputs, GreeksInput.strikeUsd),
    years: field(inputs, GreeksInput.years),
    vol: field(inputs, GreeksInput.vol),
    isCall,
  };
  const output = new Float64Array(count * GREEKS_OUTPUT_FIELDS);
  const out: ChainGreeks = {
    price: field(output, GreeksOutput.priceUsd),
    delta: field(output, GreeksOutput.delta),
    gamma: field(output, GreeksOutput.gamma),
    vega: field(output, GreeksOutput.vega),
    theta: field(output, GreeksOutput.theta),
  };
  computeChainGreeks(chain, out, count);
  // Deribit's delta decays to 0 over the 30-minute settlement average (core/pricing/time.ts).
  for (let i = 0; i < count; i++) out.delta[i]! *= settlementDeltaFactorForYears(chain.years[i]!);
  // Implied vols from the quotes themselves (coin prices × forward), at the same time to expiry.
  const reasons = new Uint8Array(count);
  const quotes = [
    [GreeksInput.bidCoin, GreeksOutput.ivBid],
    [GreeksInput.askCoin, GreeksOutput.ivAsk],
    [GreeksInput.markCoin, GreeksOutput.ivMark],
  ] as const;
  for (const [price, iv] of quotes) {
    computeChainImpliedVols(field(inputs, price), chain.forward, chain.strike, chain.years, isCall, field(output, iv), reasons, count, true);
  }
  return move(output);
}

/** Named task `exposure` (see exposureTask.ts): `pool.run(input, { name: 'exposure' })`. */
export { exposureTask as exposure } from './exposureTask';

/** Named task `hedgeSolve` (see hedgeSolveTask.ts): the hedge selection MILP on HiGHS. */
export { hedgeSolveTask as hedgeSolve } from './hedgeSolveTask';

/** Named task `surface` (see surfaceTask.ts): one currency's volatility surface from packed quotes. */
export { surfaceTask as surface } from './surfaceTask';

/** Named task `riskSnapshot` (see riskSnapshotTask.ts): one currency's Risk view snapshot off the main thread. */
export { riskSnapshotTask as riskSnapshot } from './riskSnapshotTask';
