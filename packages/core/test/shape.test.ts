import { describe, expect, it } from 'vitest';
import {
  broadcastShapes, formatShape, mayBeSameShape, normalizeAxes, sameShape, sameWrittenShape, type Shape, ShapeError, sizeOf, stridesOf, tensor, toNested,
} from '@stablegrad/core';

describe('broadcastShapes', () => {
  it('follows NumPy rules for fixed sizes', () => {
    expect(broadcastShapes([2, 1, 3], [4, 3])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [5])).toEqual([5]);
    expect(broadcastShapes([1], [1])).toEqual([1]);
  });

  it('keeps symbolic dimensions and never broadcasts them', () => {
    expect(broadcastShapes(['batch', 3], [3])).toEqual(['batch', 3]);
    expect(broadcastShapes(['batch', 3], ['batch', 1])).toEqual(['batch', 3]);
    expect(broadcastShapes([null, 3], [5, 3])).toEqual([5, 3]);
    expect(broadcastShapes(['a'], ['b'])).toEqual([null]);
  });

  it('names both shapes when they do not broadcast', () => {
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow(ShapeError);
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow('[2, 3] and [4, 3]');
  });
});

describe('three questions of equality', () => {
  // [a, b, known equal (sameShape), written the same (sameWrittenShape), may be equal (mayBeSameShape)]
  const table: readonly (readonly [Shape, Shape, boolean, boolean, boolean])[] = [
    [[2, 3], [2, 3], true, true, true],
    [['batch', 3], ['batch', 3], true, true, true],
    [[null, 3], [null, 3], false, true, true],
    [['batch', 3], [32, 3], false, false, true],
    [['a'], ['b'], false, false, true],
    [[null], [4], false, false, true],
    [[2, 3], [2, 4], false, false, false],
    [[null, 3], [2, 4], false, false, false],
    [[1], [3], false, false, false],
    [[3], [3, 1], false, false, false],
    [[], [], true, true, true],
  ];
  it.each(table)('%j and %j', (a, b, known, written, may) => {
    expect([sameShape(a, b), sameWrittenShape(a, b), mayBeSameShape(a, b)]).toEqual([known, written, may]);
    expect([sameShape(b, a), sameWrittenShape(b, a), mayBeSameShape(b, a)]).toEqual([known, written, may]);
  });
});

describe('shape helpers', () => {
  it('computes sizes and row-major strides', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(stridesOf([2, 3, 4])).toEqual([12, 4, 1]);
  });

  it('normalizes axes and rejects bad ones', () => {
    expect(normalizeAxes(-1, 3, 'sum')).toEqual([2]);
    expect(normalizeAxes([2, 0], 3, 'sum')).toEqual([0, 2]);
    expect(normalizeAxes(undefined, 2, 'sum')).toEqual([0, 1]);
    expect(() => normalizeAxes(3, 3, 'sum')).toThrow(/axis 3 is out of range for rank 3/);
    expect(() => normalizeAxes([1, -2], 3, 'sum')).toThrow(/repeated axis/);
  });

  it('formats unknown dimensions as ?', () => {
    expect(formatShape([null, 'batch', 3])).toBe('[?, batch, 3]');
  });
});

describe('tensor', () => {
  it('builds from nested arrays and round-trips', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe('float32');
    expect(toNested(t)).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('rejects ragged arrays and wrong sizes', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], { shape: [2, 2] })).toThrow(/needs 4 elements, got 3/);
  });

  it('rounds to the dtype on the way in', () => {
    expect(tensor([0.1], { dtype: 'float32' }).data[0]).toBe(Math.fround(0.1));
    expect(tensor([0.1], { dtype: 'float64' }).data[0]).toBe(0.1);
    expect(tensor([2.7], { dtype: 'int32' }).data[0]).toBe(2);
  });
});
