/**
 * `maxPool2dGradGrad(g, x, { poolSize, strides, padding })`: `g` (shaped like x) read at each
 * max-pool window's winner, shaped like `maxPool2d(x, ...)`. It is the adjoint of
 * `maxPool2dGrad` in its gradient argument, so second derivatives through max pooling
 * (`hvp`, `jvp`) have a rule; TensorFlow calls it MaxPoolGradGrad.
 * @module
 */
import { apply } from '../apply.js';
import { ShapeError } from '../errors.js';
import { maxPoolGradGradInto } from '../kernels/pool.js';
import type { Node } from '../node.js';
import { defineOp } from '../op.js';
import { formatShape, mayBeSameShape } from '../shape.js';
import { type Pool2dAttrs, pool2dAttrs, type Pool2dOptions, pool2dShape, poolGeometry, poolOptions, sameFloatDType, windowLabel } from './_window.js';
import { referenceWinners } from './max-pool-2d.js';
import { maxPool2dGrad } from './max-pool-2d-grad.js';

export const maxPool2dGradGradOp = defineOp<Pool2dAttrs>({
  name: 'maxPool2dGradGrad',
  arity: 2,
  attrs: { poolSize: 'ints', strides: 'ints', padding: 'string' },
  infer: ([g, x], attrs) => {
    if (!mayBeSameShape(g!.shape, x!.shape)) throw new ShapeError(`${formatShape(g!.shape)} is not shaped like the max-pool input ${formatShape(x!.shape)}`);
    sameFloatDType(g!, x!, 'the gradient and the input');
    return { shape: pool2dShape(x!, attrs), dtype: x!.dtype };
  },
  kernel: ([g, x], attrs, out) => maxPoolGradGradInto(g!.data, x!.data, out.data, poolGeometry(x!.shape, attrs)),
  reference: ([g, x], attrs, M) => referenceWinners(x!, poolGeometry(x!.shape, attrs), M).map((at) => g!.data[at]!),
  // picking at the winners is linear in g, and its adjoint adds back at the winners
  vjp: ({ inputs, attrs, cotangent }) => [maxPool2dGrad(cotangent, inputs[1]!, poolOptions(attrs)), null],
  dot: ({ poolSize, strides, padding }) => `maxPool2dGradGrad ${poolSize.join('x')} ${windowLabel(padding, { strides })}`,
});

/**
 * `g` (shaped like `x`) read at the winners of `maxPool2d(x, options)`: the adjoint of
 * `maxPool2dGrad`. Exported for custom VJPs.
 * @example
 * ```ts
 * maxPool2dGradGrad(g, x, { poolSize: 2 }).shape; // maxPool2d(x, { poolSize: 2 }).shape
 * ```
 */
export function maxPool2dGradGrad(g: Node, x: Node, options: Pool2dOptions): Node {
  return apply(maxPool2dGradGradOp, [g, x], pool2dAttrs(options));
}
