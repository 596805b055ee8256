import { describe, expect, it } from 'vitest';
import type { ConnectionState } from '../../../src-main/api/dto';
import { FeedMonitor } from '../../../src-main/app/feedMonitor';
import type { MarketEvent } from '../../../src-main/core/market/events';
import type { FeedAdapter } from '../../../src-main/feeds/types';
import { indexEvent } from '../../helpers/market';

function fakeFeed(state: ConnectionState = 'live'): FeedAdapter {
  return { source: 'demo', label: 'Test feed', start: () => {}, stop: () => {}, state: () => state };
}

function events(count: number, lagMs = 0): MarketEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const event = indexEvent('BTC', 100_000 + i, 1_000);
    return { ...event, tsRecv: event.tsEvent + lagMs } as MarketEvent;
  });
}

describe('FeedMonitor', () => {
  it('reports the feed identity and state with zero rates before any event', () => {
    let now = 1_000_000;
    const monitor = new FeedMonitor(fakeFeed('connecting'), () => now);
    const status = monitor.status();
    expect(status).toEqual({
      source: 'demo',
      label: 'Test feed',
      state: 'connecting',
      messagesPerSecond: 0,
      lagMs: 0,
      silenceMs: 0,
      rejectedEvents: 0,
      lastRejectReason: null,
      reconnects: 0,
      lastError: null,
      staleInstruments: [],
      instruments: 0,
    });
    now += 10_000;
    expect(monitor.status().silenceMs).toBe(0); // no event yet: nothing is late
  });

  it("adds a live feed's own health (rejects, reconnects, stale instruments) to the engine's rejects", () => {
    const now = 1_000_000;
    const feed = {
      ...fakeFeed(),
      health: () => ({
        rejected: 3,
        lastRejectReason: 'ticker for unknown instrument BTC-1JAN30-1-C',
        reconnects: 2,
        lastError: 'socket error: getaddrinfo ENOTFOUND www.deribit.com',
        staleInstruments: [{ instrument: 'BTC-PERPETUAL', silenceMs: 9000 }],
        instruments: 40,
      }),
    };
    const monitor = new FeedMonitor(feed, () => now);
    monitor.rejected = 1;
    expect(monitor.status()).toMatchObject({
      rejectedEvents: 4,
      lastRejectReason: 'ticker for unknown instrument BTC-1JAN30-1-C',
      reconnects: 2,
      lastError: 'socket error: getaddrinfo ENOTFOUND www.deribit.com',
      staleInstruments: [{ instrument: 'BTC-PERPETUAL', silenceMs: 9000 }],
      instruments: 40,
    });
  });

  it('computes the message rate over the elapsed buckets and the mean lag', () => {
    let now = 1_000_000;
    const monitor = new FeedMonitor(fakeFeed(), () => now);
    monitor.observe(events(10, 20));
    now += 500;
    monitor.observe(events(10, 40));
    now += 500; // 1000 ms after the first event: 5 buckets of 250 ms
    const status = monitor.status();
    expect(status.messagesPerSecond).toBeCloseTo((20 * 1000) / 1250, 10);
    expect(status.lagMs).toBeCloseTo(30, 10);
    expect(status.silenceMs).toBe(500);
  });

  it('forgets events older than the 5 s window', () => {
    let now = 1_700_000_000_000;
    const monitor = new FeedMonitor(fakeFeed(), () => now);
    monitor.observe(events(100));
    for (let i = 0; i < 24; i++) {
      now += 250;
      monitor.observe(events(1));
    }
    // 6 s later the first burst of 100 has left the 20-bucket window; 1 event per 250 ms remains: 4/s.
    const status = monitor.status();
    expect(status.messagesPerSecond).toBeCloseTo(4, 10);
  });

  it('starts a fresh window after a long pause and reports the silence', () => {
    let now = 1_700_000_000_000;
    const monitor = new FeedMonitor(fakeFeed(), () => now);
    monitor.observe(events(50, 10));
    now += 60_000;
    const status = monitor.status();
    expect(status.messagesPerSecond).toBe(0);
    expect(status.lagMs).toBe(0);
    expect(status.silenceMs).toBe(60_000);
  });

  it('an empty observe does not reset the silence clock; rejected counts are reported', () => {
    let now = 1_700_000_000_000;
    const monitor = new FeedMonitor(fakeFeed(), () => now);
    monitor.observe(events(1));
    now += 300;
    monitor.observe([]);
    monitor.rejected = 3;
    expect(monitor.status().silenceMs).toBe(300);
    expect(monitor.status().rejectedEvents).toBe(3);
  });
});
