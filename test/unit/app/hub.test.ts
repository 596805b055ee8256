import { describe, expect, it, vi } from 'vitest';
import type { AppInfo, ChainSnapshot, HeaderSnapshot } from '../../../src-main/api/dto';
import type { StreamMessage } from '../../../src-main/api/contract';
import { ApiException } from '../../../src-main/api/errors';
import { ApiHub, SnapshotChannel } from '../../../src-main/app/hub';

const INFO: AppInfo = {
  name: 'GammaDesk',
  version: 'test',
  mode: 'in-process',
  dbPath: ':memory:',
  source: 'demo',
  currencies: ['BTC', 'ETH'],
  eventsApplied: 0,
};

function header(seq: number): HeaderSnapshot {
  return {
    feed: { source: 'demo', label: 'x', state: 'live', messagesPerSecond: 0, lagMs: 0, silenceMs: 0, rejectedEvents: 0, lastRejectReason: null, reconnects: 0, lastError: null, staleInstruments: [], instruments: 0 },
    currencies: [],
    marketTimeMs: 0,
    seq,
  };
}

async function callError(promise: Promise<unknown>): Promise<ApiException> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    return error as ApiException;
  }
  throw new Error('expected the call to fail');
}

function syncError(run: () => unknown): ApiException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    return error as ApiException;
  }
  throw new Error('expected a throw');
}

describe('SnapshotChannel', () => {
  it('numbers publishes 1, 2, 3 and keeps the latest', () => {
    const channel = new SnapshotChannel<string>();
    expect(channel.current()).toBeNull();
    channel.publish('a');
    channel.publish('b');
    expect(channel.current()).toEqual({ version: 2, data: 'b' });
  });

  it('gives a late subscriber the latest value at once, then later ones', () => {
    const channel = new SnapshotChannel<string>();
    channel.publish('a');
    channel.publish('b');
    const seen: StreamMessage<string>[] = [];
    channel.subscribe((m) => seen.push(m));
    expect(seen).toEqual([{ version: 2, data: 'b' }]);
    channel.publish('c');
    expect(seen).toEqual([
      { version: 2, data: 'b' },
      { version: 3, data: 'c' },
    ]);
  });

  it('an early subscriber gets nothing until the first publish', () => {
    const channel = new SnapshotChannel<number>();
    const listener = vi.fn();
    channel.subscribe(listener);
    expect(listener).not.toHaveBeenCalled();
    channel.publish(7);
    expect(listener).toHaveBeenCalledWith({ version: 1, data: 7 });
  });

  it('unsubscribe stops delivery and updates the count; a listener may unsubscribe while being called', () => {
    const channel = new SnapshotChannel<number>();
    const a = vi.fn();
    const unsubscribeA = channel.subscribe(a);
    let unsubscribeB = (): void => {};
    const b = vi.fn(() => unsubscribeB());
    unsubscribeB = channel.subscribe(b);
    const c = vi.fn();
    channel.subscribe(c);
    expect(channel.subscriberCount).toBe(3);
    channel.publish(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect(c).toHaveBeenCalledTimes(1); // b removing itself does not skip c
    unsubscribeA();
    channel.publish(2);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect(c).toHaveBeenCalledTimes(2);
    expect(channel.subscriberCount).toBe(1);
  });
});

describe('ApiHub commands', () => {
  it('validates and dispatches a registered command', async () => {
    const hub = new ApiHub();
    const handler = vi.fn(() => INFO);
    hub.handle('app.info', handler);
    await expect(hub.call('app.info', {})).resolves.toEqual(INFO);
    // Absent params count as {} (a transport may drop an empty object).
    await expect(hub.call('app.info', undefined)).resolves.toEqual(INFO);
    expect(handler).toHaveBeenCalledTimes(2);
    expect(handler).toHaveBeenLastCalledWith({});
  });

  it('awaits async handlers and passes their errors through unchanged', async () => {
    const hub = new ApiHub();
    hub.handle('app.info', async () => {
      await Promise.resolve();
      throw new ApiException('NOT_FOUND', 'gone');
    });
    const error = await callError(hub.call('app.info', {}));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe('gone');
  });

  it('an unknown command is UNKNOWN_METHOD (also for names inherited from Object.prototype)', async () => {
    const hub = new ApiHub();
    hub.handle('app.info', () => INFO);
    for (const name of ['app.infos', 'toString', '', 42, null]) {
      const error = await callError(hub.call(name, {}));
      expect(error.code).toBe('UNKNOWN_METHOD');
      expect(error.message).toBe(`unknown command ${JSON.stringify(name)}`);
    }
  });

  it('invalid params are INVALID_ARGUMENT and the handler never runs', async () => {
    const hub = new ApiHub();
    const handler = vi.fn(() => INFO);
    hub.handle('app.info', handler);
    const error = await callError(hub.call('app.info', { extra: 1 }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('params.extra must be absent (unknown field), got 1');
    expect((await callError(hub.call('app.info', 'x'))).code).toBe('INVALID_ARGUMENT');
    expect(handler).not.toHaveBeenCalled();
  });

  it('a known command without a handler in this process is UNAVAILABLE', async () => {
    const error = await callError(new ApiHub().call('feed.status', {}));
    expect(error.code).toBe('UNAVAILABLE');
  });
});

describe('ApiHub topics', () => {
  function chainHub(): ApiHub {
    const hub = new ApiHub();
    hub.topic('header', () => 'all');
    hub.topic('chain', ({ currency, expiry }) => {
      if (expiry === '1JAN30') throw new ApiException('NOT_FOUND', `no ${currency} expiry ${expiry}`);
      return `${currency}/${expiry}`;
    });
    return hub;
  }

  it('a late subscriber immediately receives the latest snapshot with its version, then newer versions', () => {
    const hub = chainHub();
    const channel = hub.channel('header', 'all');
    channel.publish(header(10));
    channel.publish(header(11));
    const seen: StreamMessage<unknown>[] = [];
    hub.subscribe('header', {}, (m) => seen.push(m));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({ version: 2, data: header(11) });
    channel.publish(header(12));
    channel.publish(header(13));
    expect(seen.map((m) => m.version)).toEqual([2, 3, 4]);
    expect(seen.map((m) => (m.data as HeaderSnapshot).seq)).toEqual([11, 12, 13]);
  });

  it('routes by resolved key: subscribers of one chain do not see another', () => {
    const hub = chainHub();
    const btc = vi.fn();
    const eth = vi.fn();
    hub.subscribe('chain', { currency: 'BTC', expiry: '27DEC26' }, btc);
    hub.subscribe('chain', { currency: 'ETH', expiry: '27DEC26' }, eth);
    hub.channel('chain', 'BTC/27DEC26').publish({ currency: 'BTC' } as ChainSnapshot);
    expect(btc).toHaveBeenCalledTimes(1);
    expect(eth).not.toHaveBeenCalled();
    expect(hub.channel('chain', 'BTC/27DEC26').subscriberCount).toBe(1);
  });

  it('channel() returns the same channel for the same topic and key', () => {
    const hub = new ApiHub();
    expect(hub.channel('chain', 'BTC/1JAN27')).toBe(hub.channel('chain', 'BTC/1JAN27'));
    expect(hub.channel('chain', 'BTC/1JAN27')).not.toBe(hub.channel('chain', 'ETH/1JAN27'));
  });

  it('unsubscribe stops delivery', () => {
    const hub = chainHub();
    const listener = vi.fn();
    const unsubscribe = hub.subscribe('header', {}, listener);
    hub.channel('header', 'all').publish(header(1));
    unsubscribe();
    hub.channel('header', 'all').publish(header(2));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(hub.channel('header', 'all').subscriberCount).toBe(0);
  });

  it('an unknown topic is UNKNOWN_TOPIC', () => {
    const hub = chainHub();
    for (const topic of ['headers', 'constructor', 1]) {
      const error = syncError(() => hub.subscribe(topic, {}, () => {}));
      expect(error.code).toBe('UNKNOWN_TOPIC');
      expect(error.message).toBe(`unknown topic ${JSON.stringify(topic)}`);
    }
  });

  it('invalid topic params are INVALID_ARGUMENT and the resolver never runs', () => {
    const hub = new ApiHub();
    const resolver = vi.fn(() => 'k');
    hub.topic('chain', resolver);
    const error = syncError(() => hub.subscribe('chain', { currency: 'BTC', expiry: 'tomorrow' }, () => {}));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^params\.expiry must be/);
    expect(resolver).not.toHaveBeenCalled();
  });

  it('the resolver\'s NOT_FOUND reaches the subscriber and attaches nothing', () => {
    const hub = chainHub();
    const error = syncError(() => hub.subscribe('chain', { currency: 'BTC', expiry: '1JAN30' }, () => {}));
    expect(error.code).toBe('NOT_FOUND');
    expect(hub.channel('chain', 'BTC/1JAN30').subscriberCount).toBe(0);
  });

  it('a known topic without a publisher is UNAVAILABLE', () => {
    expect(syncError(() => new ApiHub().subscribe('header', {}, () => {})).code).toBe('UNAVAILABLE');
  });

  it('the typed client goes through the same validation', async () => {
    const hub = chainHub();
    hub.handle('app.info', () => INFO);
    const client = hub.client();
    await expect(client.call('app.info', {})).resolves.toEqual(INFO);
    const seen: number[] = [];
    hub.channel('header', 'all').publish(header(5));
    const unsubscribe = client.subscribe('header', {}, (m) => seen.push(m.data.seq));
    expect(seen).toEqual([5]);
    unsubscribe();
    expect(syncError(() => client.subscribe('chain', { currency: 'XRP' } as never, () => {})).code).toBe('INVALID_ARGUMENT');
  });
});

const EMPTY_JOURNAL = { bytes: 0, maxBytes: 1, segments: 0, firstSeq: null, lastSeq: null, fromMs: null, toMs: null, lastError: null };

describe('ApiHub tables', () => {
  it('handleAll and topicAll register every entry of a table', async () => {
    const hub = new ApiHub();
    hub.handleAll({ 'app.info': () => INFO, 'record.stop': () => ({ source: { kind: 'demo' }, sourceChange: null, recording: null, replay: null, journal: EMPTY_JOURNAL }) });
    hub.topicAll({ header: () => 'all', expiries: ({ currency }) => currency });
    await expect(hub.call('app.info', {})).resolves.toEqual(INFO);
    await expect(hub.call('record.stop', {})).resolves.toMatchObject({ recording: null });
    hub.channel('expiries', 'ETH').publish({ currency: 'ETH', expiries: [] });
    const seen = vi.fn();
    hub.subscribe('expiries', { currency: 'ETH' }, seen);
    expect(seen).toHaveBeenCalledWith({ version: 1, data: { currency: 'ETH', expiries: [] } });
    expect((await callError(hub.call('feed.status', {}))).code).toBe('UNAVAILABLE');
  });
});
