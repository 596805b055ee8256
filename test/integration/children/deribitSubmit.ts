/**
 * Child process of the kill -9 test (deribit-crash.test.ts): submits one order to the mock Deribit server at
 * argv[2] with label argv[3] (key from the environment), prints `sent` once the request is on its way, and waits
 * for the reply that the mock holds back until it is killed.
 */
import { createDeribitVenue } from '../../../src-main/app/execution/deribitVenue';
import { EnvSecretStore } from '../../../src-main/app/secrets';

const [url, label] = process.argv.slice(2);
if (!url || !label) throw new Error('usage: deribitSubmit URL LABEL');
const venue = createDeribitVenue({ get: () => null }, new EnvSecretStore(), { url, requestTimeoutMs: 600_000 });
await venue.ready();
const submitted = venue.submit({ label, instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 });
process.stdout.write('sent\n');
await submitted;
process.stdout.write('replied\n'); // never reached: the reply is held back
