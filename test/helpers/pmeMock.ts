/**
 * The mock Deribit server with an account whose exchange answers pme/simulate for the books of Deribit's published
 * responses (test/mock-deribit/pmeReference.ts), and an authenticated private client on it; closed after the file.
 */
import { afterAll, beforeAll } from 'vitest';
import { DeribitPrivateClient } from '../../src-main/feeds/deribit/privateClient';
import { pmeReferenceCases, type PmeReferenceCase } from '../mock-deribit/pmeReference';
import { recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';

export interface PmeMock {
  cases: PmeReferenceCase[];
  server: MockDeribitServer;
  client: DeribitPrivateClient;
}

/** `positions`: the account's own positions (`private/get_positions` items, Deribit's field names). */
export function usePmeMock(positions: Record<string, unknown>[] = []): PmeMock {
  const mock = { cases: pmeReferenceCases() } as PmeMock;
  beforeAll(async () => {
    mock.server = await MockDeribitServer.start({
      instruments: recordedInstruments(),
      books: recordedBooks(),
      minHeartbeatSeconds: 0.05,
      account: { clientId: 'pme-id', clientSecret: 'pme-secret', positions, pmeResponses: mock.cases.map((c) => ({ currency: c.currency, positions: c.positions, result: c.result })) },
    });
    mock.client = new DeribitPrivateClient({ onNotification: () => undefined }, { url: mock.server.url, credentials: { clientId: 'pme-id', clientSecret: 'pme-secret' }, authWaitMs: 10_000 });
    mock.client.start();
  });
  afterAll(async () => {
    mock.client.stop();
    await mock.server.close();
  });
  return mock;
}
