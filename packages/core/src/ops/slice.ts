/**
 * `slice(x, begin, size)`: the block of `x` starting at `begin` with `size` elements per axis
 * (-1 means "to the end", which also works for symbolic dimensions), like `tf.slice`. The
 * gradient of `concat` is made of slices.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { type ConcreteShape, type Dim, formatShape, type Shape, stridesOf } from '../shape.js';
import { sliceGrad } from './slice-grad.js';
import { stridedIndex } from '../kernels/indexing.js';

/** Shape of the slice of `from` at `begin` with `size` (-1: to the end); throws when out of bounds. */
export function sliceShape(from: Shape, begin: readonly number[], size: readonly number[]): Dim[] {
  const what = `begin ${JSON.stringify(begin)} size ${JSON.stringify(size)} for shape ${formatShape(from)}`;
  if (begin.length !== from.length || size.length !== from.length) {
    throw new ShapeError(`slice ${what}: begin and size need one entry per axis (${from.length})`);
  }
  return from.map((d, i) => {
    const b = begin[i]!;
    const s = size[i]!;
    if (!Number.isInteger(b) || b < 0 || !Number.isInteger(s) || s < -1) {
      throw new ShapeError(`slice ${what}: begin entries must be integers >= 0 and size entries integers >= -1`);
    }
    if (typeof d === 'number') {
      if (b + Math.max(s, 0) > d) throw new ShapeError(`slice ${what} is out of bounds on axis ${i}`);
      return s === -1 ? d - b : s;
    }
    return s === -1 ? (b === 0 ? d : null) : s;
  });
}

/** For each element of a slice of shape `out` taken at `begin` from `from`, its flat index in `from`. */
export function sliceIndex(from: ConcreteShape, begin: readonly number[], out: ConcreteShape): Int32Array {
  const strides = stridesOf(from);
  return stridedIndex(out, strides, begin.reduce((acc, b, i) => acc + b * strides[i]!, 0));
}

export const sliceOp = defineOp<{ begin: readonly number[]; size: readonly number[] }>({
  name: 'slice',
  traits: ['movement'],
  arity: 1,
  attrs: { begin: 'ints', size: 'ints' },
  infer: ([x], { begin, size }) => ({ shape: sliceShape(x!.shape, begin, size), dtype: x!.dtype }),
  kernel: ([x], { begin }, out) => {
    const map = sliceIndex(x!.shape, begin, out.shape);
    const y = out.data;
    const data = x!.data;
    for (let i = 0; i < map.length; i++) y[i] = data[map[i]!]!;
  },
  reference: ([x], { begin }, _M, out) => Array.from(sliceIndex(x!.shape, begin, out.shape), (i) => x!.data[i]!),
  // slicing selects; its adjoint places the cotangent back into zeros shaped like x
  vjp: ({ inputs, attrs, cotangent }) => [sliceGrad(cotangent, inputs[0]!, attrs.begin, attrs.size)],
  dot: ({ begin, size }) => `slice ${JSON.stringify(begin)} ${JSON.stringify(size)}`,
});

/**
 * The block of `x` at `begin` (one start per axis) of `size` (one length per axis, -1 for
 * "to the end").
 * @example
 * ```ts
 * slice(input([4, 6]), [1, 2], [2, -1]).shape; // [2, 4]
 * ```
 */
export function slice(x: Node, begin: readonly number[], size: readonly number[]): Node {
  return apply(sliceOp, [x], { begin: [...begin], size: [...size] });
}
