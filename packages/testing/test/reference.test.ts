// The reference evaluator against results worked out by hand, or computed directly with an
// independent decimal.js clone.
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { FeedError, input, param, sum, tensor } from '@stablegrad/core';
import { decimalMath, referenceEvaluate, referenceEvaluateExact } from '@stablegrad/testing';

// An independent 60-digit decimal.js, for expected values.
const D = Decimal.clone({ precision: 60 });
const f64 = { dtype: 'float64' } as const;

/** The exact value of the float32 nearest x: its 24-bit significand times a power of two. */
function exactFloat32(x: number): Decimal {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  const bits = view.getUint32(0);
  const exponent = (bits >>> 23) & 0xff;
  const significand = (bits & 0x7fffff) + (exponent === 0 ? 0 : 0x800000);
  const sign = bits >>> 31 === 1 ? -1 : 1;
  return new D(sign * significand).times(new D(2).pow(Math.max(exponent, 1) - 150));
}

describe('referenceEvaluate', () => {
  it('evaluates exp and sum exactly, rounding once at the end', () => {
    const x = input([2], { ...f64, name: 'x' });
    const r = referenceEvaluate(x.exp().sum(), { x: [0, 1] });
    // 1 + e, with e = 2.718281828459045235360287471352662497757247093699959574966967627...
    expect(r.exact[0]!.toString()).toBe('3.71828182845904523536028747135266249775724709369995957496697');
    expect(r.values).toEqual([3.718281828459045]);
    expect(r.shape).toEqual([]);
    expect(r.dtype).toBe('float64');
  });

  it('takes float32 feeds exactly and does not round intermediate values to float32', () => {
    const x = input([2], { name: 'x' }); // float32
    // exp(x) - 1 at x = 1e-10: float32 exp(1e-10) is exactly 1, so float32 arithmetic gives 0.
    const y = x.exp().add(-1);
    const r = referenceEvaluate(y, { x: [1e-10, 0.1] });
    const x0 = exactFloat32(1e-10);
    const x1 = new D('0.100000001490116119384765625'); // fround(0.1), exactly
    expect(exactFloat32(0.1).eq(x1)).toBe(true);
    const expected = [x0.exp().minus(1), x1.exp().minus(1)];
    expect(r.exact.map((v) => v.toString())).toEqual(expected.map((v) => v.toString()));
    expect(r.values).toEqual(expected.map((v) => Math.fround(v.toNumber())));
    expect(r.values[0]).toBeGreaterThan(0);
    expect(r.dtype).toBe('float32');
  });

  it('broadcasts, reduces over axes and binds symbolic dimensions', () => {
    const a = input(['batch', 1], { ...f64, name: 'a' });
    const b = input([3], { ...f64, name: 'b' });
    const s = a.add(b); // [batch, 3]
    const rows = sum(s, { axis: 1 });
    const cols = s.sum({ axis: 0, keepDims: true });
    const [full, r, c] = referenceEvaluate([s, rows, cols], { a: [[1], [10]], b: [0.5, 0.25, 2] });
    expect(full!.shape).toEqual([2, 3]);
    expect(full!.values).toEqual([1.5, 1.25, 3, 10.5, 10.25, 12]);
    expect(r!.shape).toEqual([2]);
    expect(r!.values).toEqual([5.75, 32.75]);
    expect(c!.shape).toEqual([1, 3]);
    expect(c!.values).toEqual([12, 11.5, 15]);
  });

  it('keeps exact digits that float64 addition loses', () => {
    const x = input([3], { ...f64, name: 'x' });
    const r = referenceEvaluate(x.sum(), { x: [1e17, 1, -1e17] });
    expect(r.values).toEqual([1]); // float64: (1e17 + 1) - 1e17 = 0
  });

  it('gives int32 sums as exact integers', () => {
    const k = input([3], { dtype: 'int32', name: 'k' });
    const r = referenceEvaluate(k.sum(), { k: [7, -3, 5] });
    expect(r.values).toEqual([9]);
    expect(r.dtype).toBe('int32');
  });

  it('uses the initial value of params unless they are fed', () => {
    const w = param(tensor([1, 2], { dtype: 'float64' }), { name: 'w' });
    const x = input([2], { ...f64, name: 'x' });
    const y = x.add(w).sum();
    expect(referenceEvaluate(y, { x: [10, 20] }).values).toEqual([33]);
    expect(referenceEvaluate(y, { x: [10, 20], w: [0, 0] }).values).toEqual([30]);
  });

  it('checks feeds like evaluate', () => {
    const x = input([2], { ...f64, name: 'x' });
    expect(() => referenceEvaluate(x.exp(), {})).toThrow(FeedError);
    expect(() => referenceEvaluate(x.exp(), { x: [1, 2, 3] })).toThrow(FeedError);
    expect(() => referenceEvaluate(x.exp(), { nope: [1, 2] })).toThrow(/nope/);
  });

  it('is IEEE-like: overflow is Infinity only after rounding', () => {
    const x = input([1], { ...f64, name: 'x' });
    // exp(1000) overflows float64, but exp(1000) * exp(-1000) computed exactly is 1
    const r = referenceEvaluate([x.exp(), x.exp().mul(x.neg().exp())], { x: [1000] });
    expect(r[0]!.values).toEqual([Infinity]);
    expect(r[0]!.exact[0]!.isFinite()).toBe(true);
    expect(r[1]!.values).toEqual([1]);
  });
});

describe('referenceEvaluate with other ops', () => {
  it('mul, sub, log, div', () => {
    const x = input([3], { ...f64, name: 'x' });
    const y = x.mul(x).sub(x).div(2).add(x.log());
    const r = referenceEvaluate(y, { x: [1, 2, 0.5] });
    // (x^2 - x) / 2 + ln x
    const expected = [1, 2, 0.5].map((v) => new D(v).pow(2).minus(v).div(2).plus(new D(v).ln()));
    expect(r.exact.map(String)).toEqual(expected.map(String));
  });
});

describe('referenceEvaluateExact', () => {
  it('evaluates at points that are not floats', () => {
    const x = input([], { ...f64, name: 'x' });
    const y = x.exp().add(-1);
    const at = new Map([[x, { dtype: 'float64' as const, shape: [], data: [new decimalMath.Decimal('1e-20')] }]]);
    // exp(1e-20) - 1 = 1e-20 + 5e-41 + ...; at 60 digits exp(1e-20) keeps digits down to 1e-59
    expect(referenceEvaluateExact(y, at).exact[0]!.toString()).toBe(`1.${'0'.repeat(20)}5e-20`);
  });

  it('overrides any node and uses initial values of params', () => {
    const w = param(tensor([1, 2], { dtype: 'float64' }), { name: 'w' });
    const e = w.exp();
    const y = e.sum();
    const two = [new decimalMath.Decimal(1), new decimalMath.Decimal(2)];
    expect(referenceEvaluateExact(y, new Map([[e, { dtype: 'float64' as const, shape: [2], data: two }]])).values).toEqual([3]);
    const [fromParams] = referenceEvaluateExact([y], new Map());
    expect(fromParams!.exact[0]!.toString()).toBe(new D(1).exp().plus(new D(2).exp()).toString());
  });

  it('checks its feeds', () => {
    const x = input([2], { ...f64, name: 'x' });
    const one = [new decimalMath.Decimal(1)];
    expect(() => referenceEvaluateExact(x.exp(), new Map())).toThrow(/input 'x' not fed/);
    expect(() => referenceEvaluateExact(x.exp(), new Map([[x, { dtype: 'float64' as const, shape: [1], data: one }]]))).toThrow(/does not fit/);
    expect(() => referenceEvaluateExact(x.exp(), new Map([[x, { dtype: 'float32' as const, shape: [1], data: one }]]))).toThrow(FeedError);
  });
});
