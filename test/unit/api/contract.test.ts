import { describe, expect, it } from 'vitest';
import {
  clientFrame as clientFrameSchema,
  commands,
  isCommandName,
  isTopicName,
  MAX_CLIENT_FRAME_BYTES,
  topics,
  type ClientFrame,
} from '../../../src-main/api/contract';
import { MAX_INSTRUMENT_LENGTH, MAX_POSITIONS } from '../../../src-main/api/contract/positions';
import { ApiException } from '../../../src-main/api/errors';
import { parse, type Schema } from '../../../src-main/api/validate';

const check =
  <T>(schema: Schema<T>) =>
  (value: unknown, path: string): T =>
    parse(schema, value, path);
const clientFrame = (value: unknown, path: string): ClientFrame => parse(clientFrameSchema, value, path);

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
    // A frame that is not an object is named as such (before valibot it was reported as a missing frame.kind).
    expect(rejects(() => clientFrame(null, 'frame'))).toBe('frame must be an object, got null');
    expect(rejects(() => clientFrame('call', 'frame'))).toBe('frame must be an object, got "call"');
    expect(rejects(() => clientFrame(42, 'frame'))).toBe('frame must be an object, got 42');
    expect(rejects(() => clientFrame({}, 'frame'))).toBe('frame.kind must be one of call, subscribe, unsubscribe, got undefined');
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
    expect(check(commands['app.info'].params)({}, 'params')).toEqual({});
    expect(rejects(() => check(commands['app.info'].params)({ verbose: true }, 'params'))).toBe(
      'params.verbose must be absent (unknown field), got true',
    );
  });

  it('chain params: a currency and a Deribit expiry code', () => {
    const chain = check(topics.chain.params);
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
    expect(check(topics.expiries.params)({ currency: 'BTC' }, 'params')).toEqual({ currency: 'BTC' });
    expect(rejects(() => check(topics.expiries.params)({}, 'params'))).toBe('params.currency must be one of BTC, ETH, got undefined');
    expect(rejects(() => check(topics.header.params)({ currency: 'BTC' }, 'params'))).toBe(
      'params.currency must be absent (unknown field), got "BTC"',
    );
  });
});

describe('commands with nested parameters', () => {
  const sourceSet = check(commands['source.set'].params);
  const positionsSet = check(commands['positions.set'].params);

  it('source.set: the fields each kind needs, nothing else', () => {
    expect(sourceSet({ source: { kind: 'demo' } }, 'params')).toEqual({ source: { kind: 'demo' } });
    expect(sourceSet({ source: { kind: 'replay', session: 'morning', speed: 'max', toMs: undefined } }, 'params')).toEqual({
      source: { kind: 'replay', session: 'morning', speed: 'max' },
    });
    expect(rejects(() => sourceSet({ source: { kind: 'csv' } }, 'params'))).toBe(
      'params.source.kind must be one of demo, deribit, replay, got "csv"',
    );
    expect(rejects(() => sourceSet({ source: { kind: 'deribit', network: 'mainnet', seed: 1 } }, 'params'))).toBe(
      'params.source.seed must be absent (unknown field), got 1',
    );
    expect(rejects(() => sourceSet({ source: { kind: 'deribit' } }, 'params'))).toBe(
      'params.source.network must be one of mainnet, testnet, got undefined',
    );
    expect(rejects(() => sourceSet({ source: { kind: 'replay', session: 'morning', speed: 0 } }, 'params'))).toBe(
      'params.source.speed must be >= 0.01, got 0',
    );
    expect(rejects(() => sourceSet({ source: { kind: 'replay', session: 'morning', speed: 'fast' } }, 'params'))).toBe(
      'params.source.speed must be max or a number from 0.01 to 10000, got "fast"',
    );
  });

  it('positions.set names the bad position by its index', () => {
    const positions = [
      { instrument: 'BTC-27DEC26-100000-C', amount: 1 },
      { instrument: 'BTC-27DEC26-90000-P', amount: 'two' },
    ];
    expect(rejects(() => positionsSet({ positions }, 'params'))).toBe('params.positions[1].amount must be a finite number, got "two"');
    expect(rejects(() => positionsSet({ positions: [{ instrument: 'BTC-27DEC26-100000-C' }] }, 'params'))).toBe(
      'params.positions[0].amount must be a finite number, got undefined',
    );
    // An unknown field is reported before the missing one it probably replaces.
    expect(rejects(() => positionsSet({ positions: [{ instrument: 'BTC-27DEC26-100000-C', amuont: 1 }] }, 'params'))).toBe(
      'params.positions[0].amuont must be absent (unknown field), got 1',
    );
  });

  it('the array limit is checked before any item', () => {
    const tooMany = Array.from({ length: MAX_POSITIONS + 1 }, () => 'not a position');
    expect(rejects(() => positionsSet({ positions: tooMany }, 'params'))).toMatch(/^params\.positions must be an array of 0 to 2000 items/);
  });
});

describe('frame size', () => {
  // The host refuses bigger frames before parsing them (ws maxPayload): the largest parameters the contract
  // accepts must fit, or one of the two limits is wrong.
  const frameBytes = (method: string, params: unknown): number =>
    Buffer.byteLength(JSON.stringify({ kind: 'call', id: 2 ** 31, method, params }));

  it('fits positions.set with the most positions of the longest names', () => {
    const positions = Array.from({ length: MAX_POSITIONS }, (_, i) => ({
      instrument: `BTC-${String(i).padStart(MAX_INSTRUMENT_LENGTH - 4, '9')}`,
      amount: -123456.78901234567,
    }));
    expect(check(commands['positions.set'].params)({ positions }, 'params')).toBeDefined();
    const bytes = frameBytes('positions.set', { positions });
    expect(bytes).toBeGreaterThan(200_000);
    expect(bytes).toBeLessThan(MAX_CLIENT_FRAME_BYTES);
  });

  it('fits import.tardis with the most paths of the longest (ASCII) names', () => {
    const params = { paths: Array.from({ length: 100 }, () => `/${'p'.repeat(4095)}`), session: 'a'.repeat(120) };
    expect(check(commands['import.tardis'].params)(params, 'params')).toBeDefined();
    expect(frameBytes('import.tardis', params)).toBeLessThan(MAX_CLIENT_FRAME_BYTES);
  });
});
