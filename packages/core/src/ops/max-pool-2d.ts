/**
 * `maxPool2d(x, { poolSize, strides, padding })`: the largest element of each window of an NHWC
 * input, per channel. Keras semantics: strides default to the pool size, and 'same' padding
 * never wins (as padding with -Infinity). NaN: a window holding a NaN gives NaN (like `max`).
 * The gradient goes to each window's first maximum in scan order (row, then column), as in
 * TensorFlow and PyTorch, and to the first NaN when there is one.
 * @module
 */
import { apply } from '../apply.js';
import { maxPoolInto, poolWindows } from '../kernels/pool.js';
import type { Node } from '../node.js';
import { type BigMath, defineOp, type RefTensor } from '../op.js';
import { type Pool2dAttrs, pool2dAttrs, type Pool2dOptions, pool2dShape, poolGeometry, poolOptions, type WindowGeometry, windowLabel } from './_window.js';
import { maxPool2dGrad } from './max-pool-2d-grad.js';

/** The reference's winners: for each output element, the index in `x` of its window's first maximum (or first NaN). */
export function referenceWinners<T>(x: RefTensor<T>, g: WindowGeometry, M: BigMath<T>): number[] {
  return poolWindows(g).map((cells) => {
    let best = cells[0]!;
    for (const at of cells.slice(1)) {
      const [v, b] = [x.data[at]!, x.data[best]!];
      if (M.isNaN(b)) break;
      if (M.isNaN(v) || M.cmp(v, b) > 0) best = at;
    }
    return best;
  });
}

export const maxPool2dOp = defineOp<Pool2dAttrs>({
  name: 'maxPool2d',
  arity: 1,
  attrs: { poolSize: 'ints', strides: 'ints', padding: 'string' },
  infer: ([x], attrs) => ({ shape: pool2dShape(x!, attrs), dtype: x!.dtype }),
  kernel: ([x], attrs, out) => maxPoolInto(x!.data, out.data, poolGeometry(x!.shape, attrs)),
  reference: ([x], attrs, M) => referenceWinners(x!, poolGeometry(x!.shape, attrs), M).map((at) => x!.data[at]!),
  // d max = d x[winner]: the cotangent goes back to each window's winner
  vjp: ({ inputs, attrs, cotangent }) => [maxPool2dGrad(cotangent, inputs[0]!, poolOptions(attrs))],
  dot: ({ poolSize, strides, padding }) => `maxPool2d ${poolSize.join('x')} ${windowLabel(padding, strides.every((s, i) => s === poolSize[i]) ? {} : { strides })}`,
});

/**
 * 2-D max pooling of NHWC `x`: `poolSize` (one number or `[height, width]`), strides (default:
 * the pool size) and Keras padding ('valid', the default, or 'same').
 * @example
 * ```ts
 * maxPool2d(input(['batch', 28, 28, 16]), { poolSize: 2 }).shape;                    // ['batch', 14, 14, 16]
 * maxPool2d(input(['batch', 5, 5, 1]), { poolSize: 2, padding: 'same' }).shape;      // ['batch', 3, 3, 1]
 * ```
 */
export function maxPool2d(x: Node, options: Pool2dOptions): Node {
  return apply(maxPool2dOp, [x], pool2dAttrs(options));
}
