/**
 * `private/pme/simulate` through the private client (feeds/deribit/privateClient.ts `pmeSimulate`) against the mock
 * Deribit server's exchange, which answers the two books of Deribit's published responses
 * (../shared/reference/deribit_margin_cases.json, read at run time by test/mock-deribit/pmeReference.ts) with
 * those responses, and any other book with an error.
 */
import { describe, expect, it } from 'vitest';
import { DeribitRpcError } from '../../src-main/feeds/deribit/client';
import { usePmeMock } from '../helpers/pmeMock';

const mock = usePmeMock();
const { cases } = mock;

describe('private/pme/simulate round trip', () => {
  it.each(cases.map((c) => [c.id, c] as const))('%s: the recorded response for its book, parsed', async (_, c) => {
    const result = await mock.client.pmeSimulate(c.currency, c.positions);
    const published = c.result as { margins: Record<string, { initial_margin: number; maintenance_margin: number }>; aggregated_risk_vectors: Record<string, { standard: number[] }> };
    const coin = c.currency.toLowerCase();
    expect(result.currency).toBe(c.currency);
    expect(result.margins.initialMargin).toBe(published.margins[coin]!.initial_margin);
    expect(result.margins.maintenanceMargin).toBe(published.margins[coin]!.maintenance_margin);
    expect(result.aggregated.standard).toEqual(published.aggregated_risk_vectors[`${coin}_${coin}`]!.standard);
    expect(result.modelParamsTimestampMs).toBe(c.atMs);
  });

  it('another book gets a JSON-RPC error saying why, not numbers', async () => {
    const c = cases[0]!;
    const other = { ...c.positions, 'BTC-PERPETUAL': 1 };
    const error = await mock.client.pmeSimulate(c.currency, other).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeribitRpcError);
    expect((error as DeribitRpcError).code).toBe(-32602);
    expect(JSON.stringify((error as DeribitRpcError).data)).toContain('no recorded pme/simulate result for this BTC book');
  });

  it('a refusal injected by the exchange (missing scope) reaches the caller as it is', async () => {
    mock.server.exchange!.inject({ method: 'private/pme/simulate', error: { code: 13021, message: 'forbidden', data: { reason: 'scope account:read required' } } });
    const c = cases[1]!;
    const error = await mock.client.pmeSimulate(c.currency, c.positions).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DeribitRpcError);
    expect((error as DeribitRpcError).code).toBe(13021);
    // The next call is answered normally.
    expect((await mock.client.pmeSimulate(c.currency, c.positions)).margins.initialMargin).toBeGreaterThan(0);
  });

  it('an unknown currency is refused by the exchange', async () => {
    const error = await mock.client.call('private/pme/simulate', { currency: 'DOGE' }).then(() => null, (e: unknown) => e);
    expect((error as DeribitRpcError).code).toBe(-32602);
  });
});
