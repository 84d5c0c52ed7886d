/**
 * The portable base64 of model files (no `Buffer`, so it runs in a browser) against Node's
 * `Buffer` as the independent reference: the same text for random bytes of every length
 * (every padding case), the same bytes back, the same bytes as Buffer for any valid text
 * (including non-zero bits in the last character before padding, which Buffer ignores), and a
 * RangeError where Buffer would silently skip characters.
 */
import { fc, test } from '@fast-check/vitest';
import { propertyParams } from '@stablegrad/testing';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../src/base64.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

describe('base64', () => {
  test.prop([fc.uint8Array({ maxLength: 300 })], propertyParams(300))('encodes as Buffer does and decodes back', (bytes) => {
    const text = bytesToBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(base64ToBytes(text)).toEqual(new Uint8Array(bytes));
  });

  const quad = fc.array(fc.constantFrom(...ALPHABET), { minLength: 4, maxLength: 4 }).map((c) => c.join(''));
  const tail = fc.oneof(quad, quad.map((q) => `${q.slice(0, 3)}=`), quad.map((q) => `${q.slice(0, 2)}==`));
  test.prop([fc.array(quad, { maxLength: 40 }), fc.option(tail, { nil: '' })], propertyParams(300))('decodes any padded text to Buffer\'s bytes', (quads, last) => {
    const text = quads.join('') + last;
    expect(base64ToBytes(text)).toEqual(new Uint8Array(Buffer.from(text, 'base64')));
  });

  it('a megabyte of random weights: the same text and bytes as Buffer', () => {
    const weights = new Float64Array(1 << 17);
    let s = 12345;
    for (let i = 0; i < weights.length; i++) {
      s = (Math.imul(s, 1103515245) + 12345) | 0;
      weights[i] = (s / 2 ** 31) * 1e6;
    }
    const bytes = new Uint8Array(weights.buffer);
    const text = bytesToBase64(bytes);
    expect(text === Buffer.from(bytes).toString('base64')).toBe(true);
    const back = new Float64Array(base64ToBytes(text).buffer);
    expect(back.length).toBe(weights.length);
    expect(back.findIndex((w, i) => !Object.is(w, weights[i]))).toBe(-1);
  });

  it('refuses what is not padded base64 (Buffer would skip it)', () => {
    expect(() => base64ToBytes('AQID!A==')).toThrow(/"!" at character 4, outside the base64 alphabet/);
    expect(() => base64ToBytes('AQI')).toThrow(/3 characters, not a multiple of 4/);
    expect(() => base64ToBytes('A=BC')).toThrow(/"=" at character 1/);
    expect(() => base64ToBytes('AQ\u0100D')).toThrow(RangeError);
    expect(base64ToBytes('')).toEqual(new Uint8Array(0));
  });
});
