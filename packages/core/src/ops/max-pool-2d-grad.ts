/**
 * `maxPool2dGrad(dy, x, { poolSize, strides, padding })`: the gradient of `maxPool2d(x, ...)`
 * for an output gradient `dy`: zeros shaped like x, with each `dy` entry added at its window's
 * winner (first maximum in scan order, or first NaN). Linear in `dy`; piecewise constant in `x`
 * (the winners only change where two cells tie), so `x` gets no gradient.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import { maxPoolGradInto } from '../kernels/pool.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape, sizeOf } from '../shape.js';
import { type Pool2dAttrs, pool2dAttrs, type Pool2dOptions, pool2dShape, poolGeometry, poolOptions, sameFloatDType, windowLabel } from './_window.js';
import { referenceWinners } from './max-pool-2d.js';
import { maxPool2dGradGrad } from './max-pool-2d-grad-grad.js';

export const maxPool2dGradOp = defineOp<Pool2dAttrs>({
  name: 'maxPool2dGrad',
  arity: 2,
  attrs: { poolSize: 'ints', strides: 'ints', padding: 'string' },
  infer: ([dy, x], attrs) => {
    const expected = pool2dShape(x!, attrs);
    if (!mayBeSameShape(dy!.shape, expected)) throw new ShapeError(`gradient ${formatShape(dy!.shape)} does not fit the maxPool2d output ${formatShape(expected)} of ${formatShape(x!.shape)}`);
    sameFloatDType(dy!, x!, 'the gradient and the input');
    return { shape: x!.shape, dtype: x!.dtype };
  },
  kernel: ([dy, x], attrs, out) => maxPoolGradInto(dy!.data, x!.data, out.data, poolGeometry(x!.shape, attrs), new Float64Array(out.data.length)),
  reference: ([dy, x], attrs, M, out) => {
    const dx = Array.from({ length: sizeOf(out.shape) }, () => M.fromNumber(0));
    referenceWinners(x!, poolGeometry(x!.shape, attrs), M).forEach((at, i) => (dx[at] = M.add(dx[at]!, dy!.data[i]!)));
    return dx;
  },
  // linear in dy, whose adjoint picks the cotangent at the winners; constant in x between ties
  vjp: ({ inputs, attrs, cotangent }) => [maxPool2dGradGrad(cotangent, inputs[1]!, poolOptions(attrs)), null],
  dot: ({ poolSize, strides, padding }) => `maxPool2dGrad ${poolSize.join('x')} ${windowLabel(padding, { strides })}`,
});

/**
 * The gradient of `maxPool2d(x, options)` for the output gradient `dy`, shaped like `x`.
 * Exported for custom VJPs.
 * @example
 * ```ts
 * maxPool2dGrad(dy, x, { poolSize: 2 }).shape; // x.shape
 * ```
 */
export function maxPool2dGrad(dy: Node, x: Node, options: Pool2dOptions): Node {
  return apply(maxPool2dGradOp, [dy, x], pool2dAttrs(options));
}
