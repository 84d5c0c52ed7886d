/**
 * `sliceGrad(g, like, begin, size)`: zeros shaped like `like` at run time, with `g` placed at
 * `begin`. It is the adjoint of `slice(like, begin, size)`, which makes its gradient; `like`
 * only lends its shape.
 * @module
 */
import { apply } from '../apply.js';
import { DTypeError, ShapeError } from '../errors.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape, sizeOf } from '../shape.js';
import { slice, sliceIndex, sliceShape } from './slice.js';

export const sliceGradOp = defineOp<{ begin: readonly number[]; size: readonly number[] }>({
  name: 'sliceGrad',
  arity: 2,
  attrs: { begin: 'ints', size: 'ints' },
  infer: ([g, like], { begin, size }) => {
    const expected = sliceShape(like!.shape, begin, size);
    if (!mayBeSameShape(g!.shape, expected)) throw new ShapeError(`gradient ${formatShape(g!.shape)} does not fit the slice ${formatShape(expected)} of ${formatShape(like!.shape)}`);
    if (g!.dtype !== like!.dtype) throw new DTypeError(`dtypes differ: ${g!.dtype} vs ${like!.dtype}`);
    return { shape: like!.shape, dtype: g!.dtype };
  },
  kernel: ([g, like], { begin }, out) => {
    const map = sliceIndex(like!.shape, begin, g!.shape);
    const y = out.data;
    y.fill(0);
    const data = g!.data;
    for (let i = 0; i < map.length; i++) y[map[i]!] = data[i]!;
  },
  reference: ([g, like], { begin }, M, out) => {
    const y = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    sliceIndex(like!.shape, begin, g!.shape).forEach((p, i) => (y[p] = g!.data[i]!));
    return y;
  },
  // placing is the adjoint of slicing, and slicing the adjoint of placing
  vjp: ({ attrs, cotangent }) => [slice(cotangent, attrs.begin, attrs.size), null],
  dot: ({ begin }) => `sliceGrad ${JSON.stringify(begin)}`,
});

/**
 * Places `g` (shaped like `slice(like, begin, size)`) at `begin` in zeros shaped like `like`.
 * The gradient of `slice`; exported for custom VJPs.
 * @example
 * ```ts
 * sliceGrad(g, x, [0, 2], [-1, 3]); // shape of x, zero outside columns 2..4
 * ```
 */
export function sliceGrad(g: Node, like: Node, begin: readonly number[], size: readonly number[]): Node {
  return apply(sliceGradOp, [g, like], { begin: [...begin], size: [...size] });
}
