import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../src-main/core/audit/canonicalJson';

describe('canonicalJson (RFC 8785, JSON Canonicalization Scheme)', () => {
  it('serializes the RFC 8785 section 3.2.2 example exactly as the RFC prints its canonical form', () => {
    // Input and expected output: RFC 8785 section 3.2.2 / 3.2.4 (numbers, escapes, literals, sorted keys).
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe('{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
  });

  it('sorts keys by UTF-16 code units as in RFC 8785 section 3.2.3 (the emoji before U+FB33)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // The order RFC 8785 section 3.2.3 prints; checked on the text (JSON.parse would list the key '1' first).
    const text = canonicalJson(input);
    const positions = ['\\r', '"1"', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) => text.indexOf(k));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('is independent of key insertion order and nests', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: -0 }], c: 'x' } })).toBe(canonicalJson({ a: { c: 'x', d: [1, { y: 0, z: 0 }] }, b: 1 }));
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 0, y: -0 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,{"y":0,"z":0}]},"b":1}');
  });

  it('refuses what is not JSON, naming the path', () => {
    expect(() => canonicalJson({ legs: [{ amount: Number.NaN }] })).toThrow(/\$\.legs\[0\]\.amount is NaN/);
    expect(() => canonicalJson({ a: Infinity })).toThrow(/\$\.a is Infinity/);
    expect(() => canonicalJson({ a: undefined })).toThrow(/\$\.a is undefined/);
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/\$\.when is a Date, not a plain object/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/\$\.n is a bigint/);
  });
});
