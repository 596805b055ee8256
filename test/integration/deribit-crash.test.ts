/**
 * kill -9 of a process waiting for Deribit's reply to its order: the order was executed, the process never heard.
 * A new venue (the restart) finds it by label and sends nothing: exactly one order on the exchange.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createDeribitVenue } from '../../src-main/app/execution/deribitVenue';
import { EnvSecretStore, ENV_CLIENT_ID, ENV_CLIENT_SECRET } from '../../src-main/app/secrets';
import { recordedBooks, recordedInstruments } from '../mock-deribit/scenario';
import { MockDeribitServer } from '../mock-deribit/server';

const KEY = { [ENV_CLIENT_ID]: 'crash-id', [ENV_CLIENT_SECRET]: 'crash-secret' };

it('kill -9 while waiting for the reply: after the restart the order is found by label and not sent again', { timeout: 30_000 }, async () => {
  const server = await MockDeribitServer.start({
    instruments: recordedInstruments(),
    books: recordedBooks(),
    minHeartbeatSeconds: 0.05,
    account: { clientId: KEY[ENV_CLIENT_ID], clientSecret: KEY[ENV_CLIENT_SECRET], summaries: {} },
  });
  server.exchange!.inject({ method: 'private/buy', holdReply: true });
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('test/integration/children/deribitSubmit.ts'), server.url, 'crash-1:0'], {
    env: { ...process.env, ...KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  try {
    await server.waitFor(() => server.exchange!.stats.ordersByLabel['crash-1:0'] === 1, 'the child’s order to reach the exchange', 20_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(output).not.toContain('replied');

    const restarted = createDeribitVenue({ get: () => null }, new EnvSecretStore(KEY), { url: server.url });
    try {
      const found = await restarted.ordersByLabel('crash-1:0');
      expect(found).toMatchObject([{ label: 'crash-1:0', status: 'filled', filledAmount: 1_000 }]);
      const again = await restarted.submit({ label: 'crash-1:0', instrument: 'BTC-PERPETUAL' as never, side: 'buy', amount: 1_000, type: 'limit', price: 9_601 });
      expect(again.orderId).toBe(found[0]!.orderId);
    } finally {
      await restarted.close();
    }
    expect(server.exchange!.stats.ordersByLabel['crash-1:0']).toBe(1);
    expect(server.stats.requests['private/buy']).toBe(1);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server.close();
  }
});
