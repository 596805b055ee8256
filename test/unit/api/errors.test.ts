import { describe, expect, it } from 'vitest';
import { ApiException, fromErrorBody, toErrorBody, type ErrorCode } from '../../../src-main/api/errors';

describe('ApiException', () => {
  it('is an Error with a code and a serialisable body', () => {
    const error = new ApiException('NOT_FOUND', 'no such expiry');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ApiException');
    expect(error.toBody()).toEqual({ code: 'NOT_FOUND', message: 'no such expiry' });
    expect(JSON.parse(JSON.stringify(error.toBody()))).toEqual({ code: 'NOT_FOUND', message: 'no such expiry' });
  });
});

describe('toErrorBody', () => {
  it('keeps an ApiException\'s code and message', () => {
    expect(toErrorBody(new ApiException('UNKNOWN_TOPIC', 'nope'))).toEqual({ code: 'UNKNOWN_TOPIC', message: 'nope' });
  });

  it('maps other errors and thrown non-errors to INTERNAL', () => {
    expect(toErrorBody(new TypeError('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toErrorBody('plain string')).toEqual({ code: 'INTERNAL', message: 'plain string' });
    expect(toErrorBody(undefined)).toEqual({ code: 'INTERNAL', message: 'undefined' });
  });
});

describe('fromErrorBody', () => {
  it('round-trips every stable code', () => {
    const codes: ErrorCode[] = ['INVALID_ARGUMENT', 'UNKNOWN_METHOD', 'UNKNOWN_TOPIC', 'NOT_FOUND', 'UNAUTHORIZED', 'UNAVAILABLE', 'INTERNAL'];
    for (const code of codes) {
      const rebuilt = fromErrorBody(toErrorBody(new ApiException(code, `m-${code}`)));
      expect(rebuilt).toBeInstanceOf(ApiException);
      expect(rebuilt.code).toBe(code);
      expect(rebuilt.message).toBe(`m-${code}`);
    }
  });

  it('turns malformed bodies into INTERNAL without trusting them', () => {
    for (const body of [null, 'x', 42, {}, { code: 'HACKED', message: 'x' }, { code: 'NOT_FOUND' }, { code: 'NOT_FOUND', message: 7 }]) {
      const rebuilt = fromErrorBody(body);
      expect(rebuilt.code).toBe('INTERNAL');
      expect(rebuilt.message).toBe('malformed error from the other side');
    }
  });
});
