// The compiled backend checks feeds with core's checkFeed, as the interpreter does: the same bad
// feeds give the same FeedError messages through `evaluate` and through `compile(...).run`.
import { describe, expect, it } from 'vitest';
import { evaluate, input, type Node, type Tensor, tensor } from '@stablegrad/core';
import { compile } from '@stablegrad/compile';

function messageOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('feeds, compiled and interpreted', () => {
  const x = input(['batch', 3], { name: 'x' });
  const labels = input(['batch'], { name: 'labels', dtype: 'int32' });
  const rowSums = x.sum({ axis: 1 });
  const out = rowSums.add(labels.cast('float32'));
  const executable = compile([out]);
  const okX = tensor([[1, 2, 3], [4, 5, 6]]);
  const okLabels = tensor([1, 0], { dtype: 'int32' });
  const cases: readonly (readonly [string, readonly (readonly [Node, Tensor])[]])[] = [
    ['a missing input', [[x, okX]]],
    ['a wrong dtype', [[x, tensor([[1, 2, 3]], { dtype: 'float64' })], [labels, okLabels]]],
    ['a wrong rank', [[x, tensor([1, 2, 3])], [labels, okLabels]]],
    ['a wrong fixed size', [[x, tensor([[1, 2], [3, 4]])], [labels, okLabels]]],
    ['too few values', [[x, { dtype: 'float32', shape: [2, 3], data: new Float32Array(5) }], [labels, okLabels]]],
    ['a named dimension of two sizes', [[x, okX], [labels, tensor([1, 0, 2], { dtype: 'int32' })]]],
    ['a computed node', [[x, okX], [labels, okLabels], [rowSums, tensor([0, 0])]]],
  ];

  it.each(cases)('%s: the same FeedError', (_, feeds) => {
    const interpreted = messageOf(() => evaluate(out, new Map(feeds)));
    expect(interpreted).toMatch(/^FeedError: /);
    expect(messageOf(() => executable.run(new Map(feeds)))).toBe(interpreted);
  });
});
