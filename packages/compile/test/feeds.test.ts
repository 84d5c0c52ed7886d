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

  it('takes nested arrays as the interpreter does (it used to crash inside the scheduler)', () => {
    const arrays = new Map<Node, Tensor>([[x, [[1, 2, 3], [4, 5, 6]] as unknown as Tensor], [labels, okLabels]]);
    const want = evaluate(out, new Map([[x, okX], [labels, okLabels]]));
    expect(Array.from(executable.run(arrays)[0]!.data)).toEqual(Array.from(want.data));
    const ragged = new Map<Node, Tensor>([[x, [[1, 2, 3], [4, 5]] as unknown as Tensor], [labels, okLabels]]);
    expect(messageOf(() => executable.run(ragged))).toMatch(/^(FeedError|ValueError|ShapeError): /);
  });

  it('says what run takes when given a plain object', () => {
    expect(messageOf(() => executable.run({ x: okX } as unknown as Map<Node, Tensor>))).toBe('FeedError: run takes a Map from input node to tensor, got object');
  });
});
