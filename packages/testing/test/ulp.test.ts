// ULP distances against neighbours built directly from bit patterns (independent of ulp.ts).
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { bitsOfError, maxUlp, nextDown, nextUp, propertyParams, ulp, ulpDistance } from '@stablegrad/testing';

/** The float64 with the given bit pattern. */
function f64FromBits(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function bitsOfF64(x: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0);
}

function f32FromBits(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits);
  return view.getFloat32(0);
}

function bitsOfF32(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return view.getUint32(0);
}

/** Math.nextUp for positive finite float64 x: add one to the bit pattern. */
const up64 = (x: number): number => f64FromBits(bitsOfF64(x) + 1n);
const up32 = (x: number): number => f32FromBits(bitsOfF32(x) + 1);

const MAX32 = f32FromBits(0x7f7fffff);
const MIN_SUB32 = f32FromBits(1);

describe('ulpDistance', () => {
  it('counts neighbours built from bits as 1 apart (float64)', () => {
    const one = f64FromBits(0x3ff0000000000000n);
    expect(one).toBe(1);
    expect(ulpDistance(1, f64FromBits(0x3ff0000000000001n), 'float64')).toBe(1);
    expect(ulpDistance(1, f64FromBits(0x3fefffffffffffffn), 'float64')).toBe(1); // below 1, half the spacing
    expect(ulpDistance(0, f64FromBits(1n), 'float64')).toBe(1);
    expect(ulpDistance(f64FromBits(0x7fefffffffffffffn), Infinity, 'float64')).toBe(1);
    expect(ulpDistance(1, 2, 'float64')).toBe(2 ** 52);
  });

  it('counts neighbours built from bits as 1 apart (float32)', () => {
    expect(ulpDistance(1, f32FromBits(0x3f800001), 'float32')).toBe(1);
    expect(ulpDistance(1, 2, 'float32')).toBe(2 ** 23);
    expect(ulpDistance(0, MIN_SUB32, 'float32')).toBe(1);
    expect(ulpDistance(MAX32, Infinity, 'float32')).toBe(1);
    // across the subnormal/normal boundary the spacing is the same
    expect(ulpDistance(f32FromBits(0x007fffff), f32FromBits(0x00800000), 'float32')).toBe(1);
  });

  it('treats signed zeros, NaN and infinities as specified', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      expect(ulpDistance(0, -0, dtype)).toBe(0);
      expect(ulpDistance(NaN, NaN, dtype)).toBe(0);
      expect(ulpDistance(NaN, 1, dtype)).toBe(Infinity);
      expect(ulpDistance(0, NaN, dtype)).toBe(Infinity);
      expect(ulpDistance(Infinity, Infinity, dtype)).toBe(0);
      expect(ulpDistance(-Infinity, -Infinity, dtype)).toBe(0);
    }
    // the smallest subnormals of both signs straddle the two zeros: 2 steps
    expect(ulpDistance(-Number.MIN_VALUE, Number.MIN_VALUE, 'float64')).toBe(2);
    expect(ulpDistance(-MIN_SUB32, MIN_SUB32, 'float32')).toBe(2);
    expect(ulpDistance(-1, 1, 'float32')).toBe(2 * 0x3f800000);
  });

  it('is |a - b| for int32', () => {
    expect(ulpDistance(3, -4, 'int32')).toBe(7);
  });

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true, min: 0 })], propertyParams(200))(
    'a positive float64 and its bit successor are 1 apart, k successors k apart', (x) => {
      const y = up64(x);
      expect(ulpDistance(x, y, 'float64')).toBe(1);
      expect(ulpDistance(-x, -y, 'float64')).toBe(1);
      if (Number.isFinite(up64(y))) expect(ulpDistance(up64(y), x, 'float64')).toBe(2);
    });

  test.prop([fc.float({ noNaN: true, noDefaultInfinity: true, min: 0 })], propertyParams(200))(
    'a positive float32 and its bit successor are 1 apart', (x) => {
      expect(ulpDistance(x, up32(x), 'float32')).toBe(1);
      expect(ulpDistance(-up32(x), -x, 'float32')).toBe(1);
    });
});

describe('bitsOfError and maxUlp', () => {
  it('bitsOfError is log2(1 + ulpDistance)', () => {
    expect(bitsOfError(1, 1, 'float64')).toBe(0);
    expect(bitsOfError(1, up64(1), 'float64')).toBe(1);
    expect(bitsOfError(1, up64(up64(up64(1))), 'float64')).toBe(2);
    expect(bitsOfError(NaN, 1, 'float64')).toBe(Infinity);
  });

  it('maxUlp finds the worst element', () => {
    const expected = [1, 2, 3];
    const actual = [1, up64(up64(2)), up64(3)];
    expect(maxUlp(actual, expected, 'float64')).toEqual({ maxUlp: 2, index: 1 });
    expect(maxUlp([], [], 'float64')).toEqual({ maxUlp: 0, index: -1 });
    expect(() => maxUlp([1], [1, 2], 'float64')).toThrow(/1 actual values but 2 expected/);
  });
});

describe('ulp, nextUp, nextDown', () => {
  it('gives the spacing at x', () => {
    expect(ulp(1, 'float64')).toBe(2 ** -52);
    expect(ulp(1.5, 'float64')).toBe(2 ** -52);
    expect(ulp(-2, 'float64')).toBe(2 ** -51);
    expect(ulp(0, 'float64')).toBe(Number.MIN_VALUE);
    expect(ulp(2 ** -1022, 'float64')).toBe(2 ** -1074);
    expect(ulp(Number.MAX_VALUE, 'float64')).toBe(2 ** 971);
    expect(ulp(1, 'float32')).toBe(2 ** -23);
    expect(ulp(0, 'float32')).toBe(2 ** -149);
    expect(ulp(MAX32, 'float32')).toBe(2 ** 104);
    expect(ulp(Infinity, 'float64')).toBe(Infinity);
    expect(ulp(NaN, 'float32')).toBeNaN();
  });

  it('steps to the bit neighbours', () => {
    expect(nextUp(1, 'float64')).toBe(f64FromBits(0x3ff0000000000001n));
    expect(nextDown(1, 'float64')).toBe(f64FromBits(0x3fefffffffffffffn));
    expect(nextUp(0, 'float64')).toBe(Number.MIN_VALUE);
    expect(nextDown(0, 'float64')).toBe(-Number.MIN_VALUE);
    expect(nextUp(-Number.MIN_VALUE, 'float64')).toBe(-0);
    expect(nextUp(Number.MAX_VALUE, 'float64')).toBe(Infinity);
    expect(nextUp(-Infinity, 'float64')).toBe(-Number.MAX_VALUE);
    expect(nextUp(1, 'float32')).toBe(f32FromBits(0x3f800001));
    expect(nextDown(-1, 'float32')).toBe(-f32FromBits(0x3f800001));
    expect(nextUp(MAX32, 'float32')).toBe(Infinity);
    // 0.1 is not a float32: its float32 neighbours are the roundings on either side
    expect(Math.fround(0.1)).toBeGreaterThan(0.1);
    expect(nextUp(0.1, 'float32')).toBe(Math.fround(0.1));
    expect(nextDown(0.1, 'float32')).toBe(f32FromBits(bitsOfF32(0.1) - 1));
    expect(nextUp(NaN, 'float64')).toBeNaN();
  });

  test.prop([fc.double({ noNaN: true, noDefaultInfinity: true, min: Number.MIN_VALUE })], propertyParams(200))(
    'nextUp matches the bit successor for positive floats', (x) => {
      expect(nextUp(x, 'float64')).toBe(up64(x));
      expect(nextDown(up64(x), 'float64')).toBe(x);
      expect(nextDown(-x, 'float64')).toBe(-up64(x));
    });
});
