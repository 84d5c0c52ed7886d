/**
 * `avgPool2d(x, { poolSize, strides, padding })`: the mean of each window of an NHWC input, per
 * channel. Keras semantics: strides default to the pool size, and with 'same' padding a window
 * is divided by the number of its real (unpadded) cells. Summed in float64, divided once.
 * @module
 */
import { apply } from '../apply.js';
import { avgPoolInto, poolWindows } from '../kernels/pool.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { type Pool2dAttrs, pool2dAttrs, type Pool2dOptions, pool2dShape, poolGeometry, poolOptions, windowLabel } from './_window.js';
import { avgPool2dGrad } from './avg-pool-2d-grad.js';

export const avgPool2dOp = defineOp<Pool2dAttrs>({
  name: 'avgPool2d',
  arity: 1,
  attrs: { poolSize: 'ints', strides: 'ints', padding: 'string' },
  infer: ([x], attrs) => ({ shape: pool2dShape(x!, attrs), dtype: x!.dtype }),
  kernel: ([x], attrs, out) => avgPoolInto(x!.data, out.data, poolGeometry(x!.shape, attrs)),
  reference: ([x], attrs, M) =>
    poolWindows(poolGeometry(x!.shape, attrs)).map((cells) => M.div(cells.reduce((s, at) => M.add(s, x!.data[at]!), M.fromNumber(0)), M.fromNumber(cells.length))),
  // d mean = sum(dx) / count: each cotangent spreads evenly over its window's real cells
  vjp: ({ inputs, attrs, cotangent }) => [avgPool2dGrad(cotangent, inputs[0]!, poolOptions(attrs))],
  dot: ({ poolSize, strides, padding }) => `avgPool2d ${poolSize.join('x')} ${windowLabel(padding, strides.every((s, i) => s === poolSize[i]) ? {} : { strides })}`,
});

/**
 * 2-D average pooling of NHWC `x`: `poolSize` (one number or `[height, width]`), strides
 * (default: the pool size) and Keras padding ('valid', the default, or 'same': padded cells are
 * not counted).
 * @example
 * ```ts
 * avgPool2d(input(['batch', 28, 28, 16]), { poolSize: 2 }).shape;                 // ['batch', 14, 14, 16]
 * avgPool2d(input([1, 5, 5, 1]), { poolSize: 3, strides: 1, padding: 'same' }).shape; // [1, 5, 5, 1]
 * ```
 */
export function avgPool2d(x: Node, options: Pool2dOptions): Node {
  return apply(avgPool2dOp, [x], pool2dAttrs(options));
}
