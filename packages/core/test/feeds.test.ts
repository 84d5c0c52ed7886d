// checkFeed and notFedError: the feed checks the interpreter and the compiled backend share
// (packages/compile/test/feeds.test.ts runs the same bad feeds through both).
import { describe, expect, it } from 'vitest';
import { checkFeed, constant, evaluate, FeedError, input, notFedError, param, tensor } from '@stablegrad/core';

describe('checkFeed', () => {
  const x = input(['batch', 3], { name: 'x' });
  const labels = input(['batch'], { name: 'labels', dtype: 'int32' });

  it('converts nested arrays to the input dtype and binds named dimensions', () => {
    const dims = new Map<string, number>();
    const t = checkFeed(x, [[1, 2, 3], [4, 5, 6]], dims);
    expect(t.dtype).toBe('float32');
    expect(t.shape).toEqual([2, 3]);
    expect(dims.get('batch')).toBe(2);
    const given = tensor([1, 0], { dtype: 'int32' });
    expect(checkFeed(labels, given, dims)).toBe(given);
  });

  it('rejects each kind of bad feed with a FeedError naming the input', () => {
    const dims = new Map([['batch', 2]]);
    const bad: readonly [() => unknown, RegExp][] = [
      [() => checkFeed(x.exp(), [[1, 2, 3]], new Map()), /is not an input or param and cannot be fed/],
      [() => checkFeed(constant(1), [1], new Map()), /is not an input or param/],
      [() => checkFeed(x, tensor([[1, 2, 3]], { dtype: 'float64' }), new Map()), /'x' expects float32, got a float64 tensor/],
      [() => checkFeed(x, [1, 2, 3], new Map()), /'x' expects shape \[batch, 3\], got \[3\]/],
      [() => checkFeed(x, [[1, 2]], new Map()), /'x' expects shape \[batch, 3\], got \[1, 2\]$/],
      [() => checkFeed(x, { dtype: 'float32', shape: [3, 3], data: new Float32Array(6) }, new Map()), /got \[3, 3\]: 6 values for that shape/],
      [() => checkFeed(x, [[1, 2, 3]], dims), /got \[1, 3\]: dimension 'batch' is already 2 from another input/],
      [() => checkFeed(labels, [1.5, 2], new Map()), /'labels' is int32 but was fed non-integer values/],
      [() => checkFeed(x, [[1, 2, 3], [4, 5]], new Map()), /^input 'x': /],
    ];
    for (const [run, message] of bad) {
      expect(run).toThrow(FeedError);
      expect(run).toThrow(message);
    }
  });

  it('accepts a param fed a tensor of its dtype, and any size where the shape says null', () => {
    const w = param([1, 2], { name: 'w' });
    expect(checkFeed(w, [3, 4], new Map()).shape).toEqual([2]);
    expect(checkFeed(input([null], { name: 'u' }), [1, 2, 3, 4], new Map()).shape).toEqual([4]);
  });

  it('is what evaluate checks: a tensor whose data does not fill its shape is refused', () => {
    expect(() => evaluate(x.exp(), { x: { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) } })).toThrow(/5 values for that shape/);
  });
});

describe('notFedError', () => {
  it('names the input, the graph\'s inputs and the names that matched nothing', () => {
    const a = input([2], { name: 'a' });
    const b = input([2], { name: 'b' });
    const w = param([1, 2], { name: 'w' });
    expect(notFedError(b, [a, w, b], ['bb']).message).toBe(
      "input 'b' [2] float32 was not fed (the graph's inputs: 'a', 'b'; fed names that match nothing here: 'bb')",
    );
    expect(notFedError(b, [a, b]).message).toBe("input 'b' [2] float32 was not fed (the graph's inputs: 'a', 'b')");
  });
});
