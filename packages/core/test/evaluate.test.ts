import { describe, expect, it } from 'vitest';
import { constant, evaluate, FeedError, input, param, ShapeError, scope, sum, tensor } from '@stablegrad/core';

describe('evaluate', () => {
  it('feeds by name, by scope path and by node', () => {
    const x = input([2], { name: 'x', dtype: 'float64' });
    const w = scope('layer', () => input([2], { name: 'w', dtype: 'float64' }));
    const y = x.add(w);
    expect(Array.from(evaluate(y, { x: [1, 2], 'layer/w': [10, 20] }).data)).toEqual([11, 22]);
    expect(Array.from(evaluate(y, new Map([[x, [1, 2]], [w, [3, 4]]])).data)).toEqual([4, 6]);
  });

  it('uses a param\'s initial value unless it is fed', () => {
    const b = param([1, 2], { name: 'b', dtype: 'float64' });
    const y = b.add(b);
    expect(Array.from(evaluate(y).data)).toEqual([2, 4]);
    expect(Array.from(evaluate(y, { b: [5, 6] }).data)).toEqual([10, 12]);
  });

  it('names the missing input and lists the graph\'s inputs', () => {
    const x = input([2], { name: 'x' });
    const z = input([2], { name: 'z' });
    expect(() => evaluate(x.add(z), { x: [1, 2] })).toThrow(FeedError);
    expect(() => evaluate(x.add(z), { x: [1, 2] })).toThrow(/input 'z' \[2\] float32 was not fed.*'x', 'z'/);
  });

  it('names the input and both shapes on a wrong shape', () => {
    const x = input(['batch', 3], { name: 'features' });
    expect(() => evaluate(x.exp(), { features: [[1, 2]] })).toThrow(/input 'features' expects shape \[batch, 3\], got \[1, 2\]/);
  });

  it('rejects a tensor of the wrong dtype, naming both', () => {
    const x = input([2], { name: 'x', dtype: 'float64' });
    expect(() => evaluate(x.exp(), { x: tensor([1, 2], { dtype: 'float32' }) })).toThrow(/'x' expects float64, got a float32 tensor/);
  });

  it('rejects non-integers for int32 inputs and unknown feed names', () => {
    const labels = input([2], { name: 'labels', dtype: 'int32' });
    expect(() => evaluate(labels.add(1), { labels: [1.5, 2] })).toThrow(/int32 but was fed non-integer/);
    expect(() => evaluate(labels.add(1), { lables: [1, 2] })).toThrow(/input 'labels' \[2\] int32 was not fed.*match nothing here: 'lables'/);
  });

  it('binds named dimensions consistently across inputs', () => {
    const a = input(['batch', 2], { name: 'a' });
    const b = input(['batch', 2], { name: 'b' });
    expect(evaluate(a.add(b), { a: [[1, 2]], b: [[3, 4]] }).shape).toEqual([1, 2]);
    expect(() => evaluate(a.add(b), { a: [[1, 2]], b: [[3, 4], [5, 6]] })).toThrow(/dimension 'batch' is already 1/);
  });

  it('checks at run time that a symbolic dimension broadcasts like its static shape says', () => {
    const a = input([null, 3], { name: 'a' });
    const total = sum(a.add(constant([[1, 2, 3], [4, 5, 6]])));
    expect(evaluate(total, { a: [[0, 0, 0], [0, 0, 0]] }).data[0]).toBe(21);
    expect(() => evaluate(total, { a: [[0, 0, 0], [0, 0, 0], [0, 0, 0]] })).toThrow(ShapeError);
  });

  it('evaluates several outputs sharing nodes', () => {
    const x = input([], { name: 'x', dtype: 'float64' });
    const e = x.exp();
    const [a, b] = evaluate([e, e.add(1)], { x: 0 });
    expect(a!.data[0]).toBe(1);
    expect(b!.data[0]).toBe(2);
  });
});

describe('number operands', () => {
  it('take the dtype of the node operand', () => {
    const x = input([2], { name: 'x', dtype: 'float64' });
    expect(x.mul(0.1).inputs[1]!.dtype).toBe('float64');
    expect(evaluate(x.mul(0.1), { x: [1, 2] }).data[0]).toBe(0.1);
  });

  it('refuse to be truncated into an int32 operand', () => {
    const labels = input([2], { name: 'labels', dtype: 'int32' });
    expect(labels.less(2).dtype).toBe('int32');
    expect(() => labels.less(0.5)).toThrow(/the number 0.5 is not an int32 value/);
  });
});
