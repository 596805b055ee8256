/**
 * A stepped app's BTC market ready for hedging and risk tests: waits for the fourth expiry and the perpetual, and
 * enters a book of 20 short out-of-the-money calls of that expiry through the API.
 */
import type { SteppedApp } from './steppedApp';

export async function enterShortCallBook(stepped: SteppedApp): Promise<{ instrument: string }> {
  const market = stepped.app.engine.market;
  const expiry = await stepped.until(() => market.currencies.get('BTC')?.sortedExpiries()[3]);
  await stepped.until(() => market.currencies.get('BTC')?.perpetual);
  const call = expiry.options.find((o) => o.def.optionType === 'call' && o.ticker && o.def.strikeUsd > o.ticker.underlyingPriceUsd)!;
  await stepped.app.hub.client().call('positions.set', { positions: [{ instrument: call.def.name, amount: -20, averagePrice: 0.02 }] });
  return { instrument: call.def.name };
}
