/** The Deribit venue against the mock Deribit server passes the shared ExecutionVenue contract (test/helpers/venueContract.ts). */
import { createDeribitVenue } from '../../src-main/app/execution/deribitVenue';
import { EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../src-main/app/secrets';
import { venueContract } from '../helpers/venueContract';
import { recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';

venueContract('Deribit (mock server)', async () => {
  const server = await MockDeribitServer.start({
    instruments: recordedInstruments(),
    books: recordedBooks(), // BTC-PERPETUAL: bid 9600.5 × 162 800, ask 9601 × 49 710 (USD)
    minHeartbeatSeconds: 0.05,
    account: { clientId: 'contract', clientSecret: 'contract-secret', summaries: {} },
  });
  const venue = createDeribitVenue({ get: () => null }, new EnvSecretStore({ [ENV_CLIENT_ID]: 'contract', [ENV_CLIENT_SECRET]: 'contract-secret' }), {
    url: server.url,
    heartbeatIntervalSeconds: 0.25,
    subscribeMinIntervalMs: 1,
  });
  await venue.ready();
  await server.waitFor(() => server.subscribed().size === 2, 'the private subscriptions');
  return {
    venue,
    fillable: (label) => ({ label, instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 }),
    resting: (label) => ({ label, instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_000 }),
    teardown: async () => {
      await venue.close();
      await server.close();
    },
  };
});
