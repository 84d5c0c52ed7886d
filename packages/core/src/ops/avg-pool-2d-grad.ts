/**
 * `avgPool2dGrad(dy, like, { poolSize, strides, padding })`: the gradient of
 * `avgPool2d(like, ...)` for an output gradient `dy`: zeros shaped like `like` (which only lends
 * its shape), with each `dy / count` added to every real cell of its window. Linear in `dy`.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import { avgPoolGradInto, poolWindows } from '../kernels/pool.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape, sizeOf } from '../shape.js';
import { type Pool2dAttrs, pool2dAttrs, type Pool2dOptions, pool2dShape, poolGeometry, poolOptions, sameFloatDType, windowLabel } from './_window.js';
import { avgPool2d } from './avg-pool-2d.js';

export const avgPool2dGradOp = defineOp<Pool2dAttrs>({
  name: 'avgPool2dGrad',
  arity: 2,
  attrs: { poolSize: 'ints', strides: 'ints', padding: 'string' },
  infer: ([dy, like], attrs) => {
    const expected = pool2dShape(like!, attrs);
    if (!mayBeSameShape(dy!.shape, expected)) throw new ShapeError(`gradient ${formatShape(dy!.shape)} does not fit the avgPool2d output ${formatShape(expected)} of ${formatShape(like!.shape)}`);
    sameFloatDType(dy!, like!, 'the gradient and the input');
    return { shape: like!.shape, dtype: dy!.dtype };
  },
  kernel: ([dy, like], attrs, out) => avgPoolGradInto(dy!.data, out.data, poolGeometry(like!.shape, attrs), new Float64Array(out.data.length)),
  reference: ([dy, like], attrs, M, out) => {
    const dx = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    poolWindows(poolGeometry(like!.shape, attrs)).forEach((cells, i) => {
      const share = M.div(dy!.data[i]!, M.fromNumber(cells.length));
      for (const at of cells) dx[at] = M.add(dx[at]!, share);
    });
    return dx;
  },
  // spreading evenly is linear in dy, and its adjoint is averaging
  vjp: ({ attrs, cotangent }) => [avgPool2d(cotangent, poolOptions(attrs)), null],
  dot: ({ poolSize, strides, padding }) => `avgPool2dGrad ${poolSize.join('x')} ${windowLabel(padding, { strides })}`,
});

/**
 * The gradient of `avgPool2d(like, options)` for the output gradient `dy`, shaped like `like`.
 * Exported for custom VJPs.
 * @example
 * ```ts
 * avgPool2dGrad(dy, x, { poolSize: 2 }).shape; // x.shape
 * ```
 */
export function avgPool2dGrad(dy: Node, like: Node, options: Pool2dOptions): Node {
  return apply(avgPool2dGradOp, [dy, like], pool2dAttrs(options));
}
