import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RECONNECT_BACKOFF,
  DeribitClient,
  deribitUrl,
  DERIBIT_MAINNET_URL,
  DERIBIT_TESTNET_URL,
} from '../../../../src-main/feeds/deribit/client';

describe('backoffDelayMs', () => {
  const policy = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.5 };

  it('doubles per attempt up to the cap, without jitter at random() = 0', () => {
    expect([0, 1, 2, 3, 4, 10].map((attempt) => backoffDelayMs(attempt, policy, () => 0))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('removes up to `jitter` of the delay at random', () => {
    expect(backoffDelayMs(2, policy, () => 0.5)).toBe(300);
    expect(backoffDelayMs(2, policy, () => 0.999_999)).toBe(200);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelayMs(3, DEFAULT_RECONNECT_BACKOFF, Math.random);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
  });
});

describe('DeribitClient configuration', () => {
  it('uses mainnet by default, testnet on request, and an injected url over both', () => {
    expect(deribitUrl('mainnet')).toBe('wss://www.deribit.com/ws/api/v2');
    expect(deribitUrl('testnet')).toBe('wss://test.deribit.com/ws/api/v2');
    const handlers = { onNotification: () => {} };
    expect(new DeribitClient(handlers).url).toBe(DERIBIT_MAINNET_URL);
    expect(new DeribitClient(handlers, { network: 'testnet' }).url).toBe(DERIBIT_TESTNET_URL);
    expect(new DeribitClient(handlers, { network: 'testnet', url: 'ws://127.0.0.1:1' }).url).toBe('ws://127.0.0.1:1');
  });

  it('refuses nonsensical options and fails requests without a connection', async () => {
    const handlers = { onNotification: () => {} };
    expect(() => new DeribitClient(handlers, { heartbeatIntervalSeconds: 0 })).toThrow(RangeError);
    expect(() => new DeribitClient(handlers, { subscribeBatchSize: 0 })).toThrow(RangeError);
    const client = new DeribitClient(handlers);
    expect(client.phase).toBe('idle');
    await expect(client.request('public/test')).rejects.toMatchObject({ code: 'disconnected', method: 'public/test' });
    client.stop();
    expect(client.phase).toBe('stopped');
  });
});
