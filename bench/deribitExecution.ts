/**
 * Deribit execution against the mock Deribit server on 127.0.0.1 (`npm run bench -- deribit-execution`):
 * - submit round trip: `DeribitVenue.submit` of a limit order that fills at once (the label check
 *   `private/get_order_state_by_label` plus `private/buy`), p50 / p99 over the run, sequential;
 * - reconcile by label: `ordersByLabel` of a known label;
 * - lost reply: a submit whose reply is dropped with the connection, to its resolution by label after the reconnect
 *   (reconnect backoff 10 ms, so the figure is the recovery's own cost plus that wait);
 * - private-payload parse rate: `parseOrder` over a Deribit order notification, one core.
 * Localhost round trips: the network to Deribit (tens of ms) comes on top in real use.
 */
import { createDeribitVenue } from '../src-main/app/execution/deribitVenue';
import { EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../src-main/app/secrets';
import { parseOrder } from '../src-main/feeds/deribit/privateParse';
import { recordedBooks, recordedInstruments } from '../test/mock-deribit/scenario';
import { MockDeribitServer } from '../test/mock-deribit/server';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

export async function runDeribitExecutionBench(): Promise<Record<string, unknown>> {
  const orders = Number(process.env.GAMMADESK_BENCH_ORDERS ?? 500);
  const books = recordedBooks();
  books['BTC-PERPETUAL']!.asks = [[9_601, 1e12]]; // deep enough for every order of the run
  const server = await MockDeribitServer.start({
    instruments: recordedInstruments(),
    books,
    minHeartbeatSeconds: 0.05,
    account: { clientId: 'bench', clientSecret: 'bench-secret', summaries: {} },
  });
  const venue = createDeribitVenue({ get: () => null }, new EnvSecretStore({ [ENV_CLIENT_ID]: 'bench', [ENV_CLIENT_SECRET]: 'bench-secret' }), {
    url: server.url,
    heartbeatIntervalSeconds: 1,
    reconnectBackoff: { initialMs: 10, maxMs: 10, factor: 1, jitter: 0 },
  });
  try {
    await venue.ready();
    const submitMs: number[] = [];
    for (let i = 0; i < orders; i++) {
      const started = performance.now();
      const state = await venue.submit({ label: `bench-${i}:0`, instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 10, type: 'limit', price: 9_601 });
      submitMs.push(performance.now() - started);
      if (state.status !== 'filled') throw new Error(`bench order ${i} not filled: ${state.status}`);
    }
    const lookupMs: number[] = [];
    for (let i = 0; i < orders; i++) {
      const started = performance.now();
      await venue.ordersByLabel(`bench-${i}:0`);
      lookupMs.push(performance.now() - started);
    }
    const recoveryMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      server.exchange!.inject({ method: 'private/buy', dropReply: true });
      const started = performance.now();
      await venue.submit({ label: `bench-lost-${i}:0`, instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 10, type: 'limit', price: 9_601 });
      recoveryMs.push(performance.now() - started);
    }
    const duplicates = Object.values(server.exchange!.stats.ordersByLabel).filter((count) => count > 1).length;
    submitMs.sort((a, b) => a - b);
    lookupMs.sort((a, b) => a - b);
    recoveryMs.sort((a, b) => a - b);

    const notification = { ...server.exchange!.ordersWithLabel('bench-0:0')[0]! };
    const parseRuns = 200_000;
    let checksum = 0;
    const parseStarted = performance.now();
    for (let i = 0; i < parseRuns; i++) {
      const parsed = parseOrder(notification, 'data');
      if (parsed.ok) checksum += parsed.value.filledAmount;
    }
    const parseSeconds = (performance.now() - parseStarted) / 1000;
    if (checksum !== parseRuns * 10) throw new Error('parse checksum mismatch');
    return {
      orders,
      submit_ms: { p50: round(percentile(submitMs, 0.5)), p99: round(percentile(submitMs, 0.99)), max: round(submitMs.at(-1)!) },
      orders_by_label_ms: { p50: round(percentile(lookupMs, 0.5)), p99: round(percentile(lookupMs, 0.99)) },
      lost_reply_recovery_ms: { runs: recoveryMs.length, p50: round(percentile(recoveryMs, 0.5)), max: round(recoveryMs.at(-1)!), reconnect_backoff_ms: 10 },
      labels_sent_twice: duplicates,
      parse_orders_per_second: Math.round(parseRuns / parseSeconds),
    };
  } finally {
    await venue.close();
    await server.close();
  }
}
