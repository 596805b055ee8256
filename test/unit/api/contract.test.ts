import { describe, expect, it } from 'vitest';
import { clientFrame, commandParams, isCommandName, isTopicName, topicParams } from '../../../src-main/api/contract';
import { ApiException } from '../../../src-main/api/errors';

function rejects(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException).code).toBe('INVALID_ARGUMENT');
    return (error as ApiException).message;
  }
  throw new Error('expected a rejection');
}

describe('clientFrame', () => {
  it('accepts the three frame kinds', () => {
    expect(clientFrame({ kind: 'call', id: 1, method: 'app.info', params: {} }, 'frame')).toEqual({
      kind: 'call',
      id: 1,
      method: 'app.info',
      params: {},
    });
    expect(clientFrame({ kind: 'subscribe', id: 0, topic: 'chain', params: { currency: 'BTC', expiry: '27DEC26' } }, 'frame')).toEqual({
      kind: 'subscribe',
      id: 0,
      topic: 'chain',
      params: { currency: 'BTC', expiry: '27DEC26' },
    });
    expect(clientFrame({ kind: 'unsubscribe', id: 7 }, 'frame')).toEqual({ kind: 'unsubscribe', id: 7 });
  });

  it('leaves params unvalidated (the hub validates them per method) and allows them to be absent', () => {
    expect(clientFrame({ kind: 'call', id: 2, method: 'x', params: [1, 2] }, 'frame')).toMatchObject({ params: [1, 2] });
    expect(clientFrame({ kind: 'call', id: 2, method: 'x' }, 'frame')).toEqual({ kind: 'call', id: 2, method: 'x' });
  });

  it('rejects junk: non-objects, unknown kinds, bad ids, missing fields, extra fields', () => {
    expect(rejects(() => clientFrame(null, 'frame'))).toBe('frame.kind must be one of call, subscribe, unsubscribe, got undefined');
    expect(rejects(() => clientFrame('call', 'frame'))).toMatch(/^frame\.kind must be one of/);
    expect(rejects(() => clientFrame(42, 'frame'))).toMatch(/^frame\.kind must be one of/);
    expect(rejects(() => clientFrame([], 'frame'))).toMatch(/^frame\.kind must be one of/);
    expect(rejects(() => clientFrame({ kind: 'result', id: 1 }, 'frame'))).toBe(
      'frame.kind must be one of call, subscribe, unsubscribe, got "result"',
    );
    expect(rejects(() => clientFrame({ kind: 'call', id: -1, method: 'm' }, 'frame'))).toBe('frame.id must be >= 0, got -1');
    expect(rejects(() => clientFrame({ kind: 'call', id: 1.5, method: 'm' }, 'frame'))).toBe('frame.id must be an integer, got 1.5');
    expect(rejects(() => clientFrame({ kind: 'call', id: '1', method: 'm' }, 'frame'))).toBe('frame.id must be a finite number, got "1"');
    expect(rejects(() => clientFrame({ kind: 'call', id: 1 }, 'frame'))).toBe('frame.method must be a string, got undefined');
    expect(rejects(() => clientFrame({ kind: 'subscribe', id: 1, method: 'header' }, 'frame'))).toBe(
      'frame.method must be absent (unknown field), got "header"',
    );
    expect(rejects(() => clientFrame({ kind: 'unsubscribe', id: 1, topic: 'header' }, 'frame'))).toBe(
      'frame.topic must be absent (unknown field), got "header"',
    );
  });
});

describe('command and topic parameters', () => {
  it('knows its commands and topics, and nothing inherited from Object.prototype', () => {
    expect(isCommandName('app.info')).toBe(true);
    expect(isCommandName('feed.status')).toBe(true);
    expect(isCommandName('app.nope')).toBe(false);
    expect(isCommandName('toString')).toBe(false);
    expect(isCommandName(42)).toBe(false);
    expect(isTopicName('chain')).toBe(true);
    expect(isTopicName('constructor')).toBe(false);
  });

  it('commands take empty params objects', () => {
    expect(commandParams['app.info']({}, 'params')).toEqual({});
    expect(rejects(() => commandParams['app.info']({ verbose: true }, 'params'))).toBe(
      'params.verbose must be absent (unknown field), got true',
    );
  });

  it('chain params: a currency and a Deribit expiry code', () => {
    const chain = topicParams.chain;
    expect(chain({ currency: 'ETH', expiry: '3JAN27' }, 'params')).toEqual({ currency: 'ETH', expiry: '3JAN27' });
    expect(rejects(() => chain({ currency: 'SOL', expiry: '3JAN27' }, 'params'))).toBe(
      'params.currency must be one of BTC, ETH, got "SOL"',
    );
    expect(rejects(() => chain({ currency: 'BTC', expiry: '2027-01-03' }, 'params'))).toMatch(
      /^params\.expiry must be at most 8 characters/,
    );
    expect(rejects(() => chain({ currency: 'BTC', expiry: '3jan27' }, 'params'))).toMatch(/^params\.expiry must be a string matching/);
    expect(rejects(() => chain({ currency: 'BTC', expiry: 'X3JAN27' }, 'params'))).toMatch(/^params\.expiry must be a string matching/);
    expect(rejects(() => chain({ currency: 'BTC' }, 'params'))).toBe('params.expiry must be a string, got undefined');
  });

  it('expiries params need a currency; header takes none', () => {
    expect(topicParams.expiries({ currency: 'BTC' }, 'params')).toEqual({ currency: 'BTC' });
    expect(rejects(() => topicParams.expiries({}, 'params'))).toBe('params.currency must be one of BTC, ETH, got undefined');
    expect(rejects(() => topicParams.header({ currency: 'BTC' }, 'params'))).toBe(
      'params.currency must be absent (unknown field), got "BTC"',
    );
  });
});
